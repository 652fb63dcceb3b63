"""Paths and settings, all overridable by environment variables."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
# Reference facts ship with the project (never read from ../shared at run time).
REFERENCE_DIR = PACKAGE_ROOT / "data" / "reference"
EVENTS_FILE = PACKAGE_ROOT / "data" / "events.csv"


def data_dir() -> Path:
    """The data directory holding `joblog/` (the fact table versions); `JOBLOG_DATA_DIR` overrides."""
    return _resolved(os.environ.get("JOBLOG_DATA_DIR", str(PACKAGE_ROOT / "data")))


@lru_cache(maxsize=16)
def _resolved(path: str) -> Path:
    # Asked several times per figure on every rerun; resolving costs an lstat per path component.
    return Path(path).resolve()


def stored_views() -> bool:
    """Whether built views are stored with their dataset version and read back by every worker
    (data.viewstore; `JOBLOG_STORED_VIEWS=0` turns it off, as the test suite does)."""
    return os.environ.get("JOBLOG_STORED_VIEWS", "1") != "0"


def boundaries_file() -> Path | None:
    """Optional municipality boundary GeoJSON for a true choropleth (`JOBLOG_BOUNDARIES`)."""
    value = os.environ.get("JOBLOG_BOUNDARIES")
    return Path(value) if value else None


def admin_emails() -> frozenset[str]:
    """E-mail addresses of the administrators who may change data in the web UI after signing in with
    Streamlit's OIDC sign-in (`JOBLOG_ADMIN_EMAILS`, comma-separated; compared without case)."""
    raw = os.environ.get("JOBLOG_ADMIN_EMAILS", "")
    return frozenset(part.strip().lower() for part in raw.split(",") if part.strip())


# The administrator password is stored only as "scrypt$n$r$p$<salt hex>$<hash hex>" in the app's secrets.
# n=2**14 costs about 0.2 s here, which also slows down guessing.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_SCRYPT_MAXMEM = 64 * 1024 * 1024
HASH_PREFIX = "scrypt"
ADMIN_SECRETS_SECTION = "admin"  # [admin] password_hash = "..." in .streamlit/secrets.toml
ADMIN_SECRETS_KEY = "password_hash"


def hash_admin_password(password: str, salt: bytes | None = None) -> str:
    """The string to keep in secrets for `password` (a fresh random salt unless one is given)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, maxmem=_SCRYPT_MAXMEM, dklen=32, **_SCRYPT)
    n, r, p = _SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"]
    return f"{HASH_PREFIX}${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_admin_password(password: str, stored: str) -> bool:
    """Whether `password` matches the stored hash; a malformed or weakened hash never matches."""
    try:
        prefix, n, r, p, salt_hex, digest_hex = stored.strip().split("$")
        n_, r_, p_ = int(n), int(r), int(p)
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
    except (AttributeError, ValueError):
        return False
    weak = n_ < 2**14 or r_ < 8 or p_ < 1 or len(salt) < 16 or len(expected) < 32
    # Bounds on the work a tampered secrets file could ask of every sign-in.
    costly = n_ > 2**20 or r_ > 32 or p_ > 4
    if prefix != HASH_PREFIX or weak or costly:
        return False
    try:
        actual = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=n_, r=r_, p=p_, maxmem=_SCRYPT_MAXMEM, dklen=len(expected)
        )
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)
