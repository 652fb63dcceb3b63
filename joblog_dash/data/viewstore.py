"""Built views stored with their dataset version, so every worker reads what one worker (or the import)
built instead of building it again.

A version folder is immutable and named by its content, so what is derived from it can live beside it and
is invalidated by construction: a new version is a new folder (`<version>/views/<code>/<name>.pkl`, one
folder per build of the code, so a deploy never reads what older code stored; `prune` drops the others). Values are
pickled (frozen dataclasses of polars frames) and written atomically (a temporary file renamed into place),
so a reader never sees half a file. Each file starts with the sha256 of its pickle, checked before it is
unpickled: a flipped bit inside a pickled frame would otherwise load as a different number. A file that
cannot be read or does not match counts as absent and is built again. The folder is written by this app
only, under the same trust as the dataset beside it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
FOLDER = "views"
MAGIC = b"JLV1"  # then the pickle's sha256 (32 bytes), then the pickle


def folder(facts_path: Path, code: str) -> Path:
    return facts_path.parent / FOLDER / code


def load(facts_path: Path, code: str, name: str) -> Any | None:
    """The value stored under `name` by the code `code` for the version of `facts_path`, or None."""
    path = folder(facts_path, code) / f"{name}.pkl"
    try:
        data = path.read_bytes()
        body = data[len(MAGIC) + 32 :]
        if not data.startswith(MAGIC) or hashlib.sha256(body).digest() != data[len(MAGIC) : len(MAGIC) + 32]:
            log.warning("stored view %s damaged (checksum); building it again", path)
            return None
        return pickle.loads(body)  # noqa: S301 - written by save() below, beside the dataset
    except FileNotFoundError:
        return None
    except Exception:  # a damaged file is built again, never shown
        log.warning("stored view %s unreadable; building it again", path, exc_info=True)
        return None


def save(facts_path: Path, code: str, name: str, value: Any) -> None:
    """Store `value` under `name` (atomically); a failure (read-only folder, full disk) only logs."""
    target = folder(facts_path, code)
    try:
        target.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target, prefix=".", suffix=".tmp")
        try:
            body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(handle, "wb") as out:
                out.write(MAGIC + hashlib.sha256(body).digest() + body)
            os.replace(temporary, target / f"{name}.pkl")
        finally:
            Path(temporary).unlink(missing_ok=True)
    except OSError:
        log.warning("could not store view %s in %s", name, target, exc_info=True)


def size(facts_path: Path, code: str) -> tuple[int, int]:
    """(files, bytes) stored for the version by the code `code`."""
    files = list(folder(facts_path, code).glob("*.pkl"))
    return len(files), sum(f.stat().st_size for f in files)


def prune(facts_path: Path, code: str) -> None:
    """Remove what other builds of the code stored for the version (never read again)."""
    root = facts_path.parent / FOLDER
    for other in root.iterdir() if root.is_dir() else ():
        if other.is_dir() and other.name != code:
            shutil.rmtree(other, ignore_errors=True)
