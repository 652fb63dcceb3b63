"""Who may change data: the password hash (pure), the sign-in modes and the gate on Om tallene (AppTest)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from importfixtures import make_frame, write_dataset
from streamlit.testing.v1 import AppTest

from joblog_dash import config
from joblog_dash.data import audit, signin_attempts, store
from joblog_dash.importing import jobindsats as ji
from joblog_dash.text.safety import escape_markdown
from joblog_dash.ui import admin

PASSWORD = "rigtig-hest-batteri-42"
SALT = bytes(range(16))


# --- the hash (pure) ---


def test_hash_is_scrypt_with_the_stored_salt_and_verifies() -> None:
    stored = config.hash_admin_password(PASSWORD, salt=SALT)
    # Worked out with hashlib directly, not with the code under test.
    expected = hashlib.scrypt(PASSWORD.encode(), salt=SALT, n=2**14, r=8, p=1, dklen=32, maxmem=64 << 20)
    assert stored == f"scrypt$16384$8$1${SALT.hex()}${expected.hex()}"
    assert config.verify_admin_password(PASSWORD, stored)
    assert not config.verify_admin_password(PASSWORD + " ", stored)
    assert not config.verify_admin_password("", stored)


def test_fresh_salt_every_time_and_no_password_in_the_hash() -> None:
    first, second = config.hash_admin_password(PASSWORD), config.hash_admin_password(PASSWORD)
    assert first != second and PASSWORD not in first
    assert config.verify_admin_password(PASSWORD, first) and config.verify_admin_password(PASSWORD, second)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plaintext-password",
        "scrypt$16384$8$1$zz$00",  # not hex
        f"md5$16384$8$1${SALT.hex()}${'00' * 32}",  # another scheme
        f"scrypt$1024$8$1${SALT.hex()}${'00' * 32}",  # too cheap to be accepted
        f"scrypt$16384$8$1${SALT[:4].hex()}${'00' * 32}",  # salt too short
        f"scrypt$4194304$8$1${SALT.hex()}${'00' * 32}",  # a tampered cost that would stall every sign-in
    ],
)
def test_malformed_or_weak_hashes_never_match(stored: str) -> None:
    assert not config.verify_admin_password(PASSWORD, stored)
    assert not config.verify_admin_password("", stored)


def test_admin_hash_command_prints_the_secrets_lines_only(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "joblog_dash.cli", "admin-hash", "--stdin"]
    done = subprocess.run(
        command, input=PASSWORD + "\n", capture_output=True, text=True, timeout=60, cwd=config.PACKAGE_ROOT
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "[admin]" and lines[1].startswith('password_hash = "scrypt$')
    assert PASSWORD not in done.stdout + done.stderr
    stored = lines[1].split('"')[1]
    assert config.verify_admin_password(PASSWORD, stored)
    short = subprocess.run(
        command, input="kort\n", capture_output=True, text=True, timeout=60, cwd=config.PACKAGE_ROOT
    )
    assert short.returncode == 1 and "mindst 12 tegn" in short.stderr and short.stdout == ""


def test_sign_in_mode_and_provider() -> None:
    hashed = {"admin": {"password_hash": "scrypt$..."}}
    assert admin.sign_in_mode({}) == "none"
    assert admin.sign_in_mode({"admin": {"password_hash": "  "}}) == "none"
    assert admin.sign_in_mode(hashed) == "password"
    assert admin.sign_in_mode({"auth": {"client_id": "x"}, **hashed}) == "oidc"  # OIDC wins
    assert admin.oidc_provider({"client_id": "x", "redirect_uri": "y"}) is None
    assert admin.oidc_provider({"redirect_uri": "y", "microsoft": {"client_id": "x"}}) == "microsoft"


def test_admin_emails_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBLOG_ADMIN_EMAILS", " Anna@Ministeriet.dk, ,bo@star.dk ")
    assert config.admin_emails() == {"anna@ministeriet.dk", "bo@star.dk"}
    monkeypatch.delenv("JOBLOG_ADMIN_EMAILS")
    assert config.admin_emails() == frozenset()


# --- the gate on Om tallene ---


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two versions: a demo one, then a real one (current)."""
    folder = tmp_path / "data"
    write_dataset(folder, make_frame(codes=[101, 147, 751, 461]), kind="demo")
    write_dataset(folder, make_frame(codes=[101, 147, 751, 461], seed=5))
    monkeypatch.setenv("JOBLOG_DATA_DIR", str(folder))
    monkeypatch.delenv("JOBLOG_ADMIN_EMAILS", raising=False)
    return folder


def _page(secrets: dict | None = None, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(config.PACKAGE_ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/5_om_tallene.py")
    if secrets:
        at.secrets = secrets
    if user is not None:
        at.user = user
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    kinds = ("markdown", "caption", "info", "success", "error", "warning", "text")
    return "\n".join(str(e.value) for kind in kinds for e in at.get(kind))


def _can_change_data(at: AppTest) -> bool:
    uploaders = at.get("file_uploader")
    return bool(uploaders) or any(b.key == "admin_rollback_go" for b in at.button)


def _audit_log(at: AppTest):
    return next(d.value for d in at.dataframe if "Handling" in d.value.columns)


def _sign_in(at: AppTest, password: str) -> AppTest:
    at.text_input(key="admin_password").input(password)
    next(b for b in at.button if b.form_id == "admin_sign_in").click().run()
    assert not at.exception, at.exception
    return at


def test_without_configuration_nobody_can_change_data(data_dir: Path) -> None:
    at = _page()
    assert not _can_change_data(at) and not at.get("text_input")
    assert "joblog-dash import FIL" in _texts(at)


def test_wrong_passwords_are_braked_across_sessions_and_logged(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1_000_000.0]
    monkeypatch.setattr(signin_attempts, "now", lambda: clock[0])
    secrets = {"admin": {"password_hash": config.hash_admin_password(PASSWORD)}}
    at = _page(secrets)
    assert not _can_change_data(at)
    _sign_in(at, "forkert")
    assert "Forkert adgangskode. 4 forsøg tilbage." in _texts(at)
    _sign_in(at, "forkert")
    assert "3 forsøg tilbage. Næste forsøg tidligst om 2 sekunder." in _texts(at)
    _sign_in(at, PASSWORD)  # too soon: refused without looking at the password
    assert "vent 2 sekunder" in _texts(at) and not _can_change_data(at)
    # A reload is a new session: the count and the wait stay (they were per session before).
    at = _page(secrets)
    _sign_in(at, PASSWORD)
    assert "vent 2 sekunder" in _texts(at) and not _can_change_data(at)
    for wait in (2, 4, 8):
        clock[0] += wait
        _sign_in(at, "forkert")
    assert "For mange forkerte forsøg" in _texts(at) and not at.get("text_input")
    fresh = _page(secrets)  # every session, also with the right password
    assert "For mange forkerte forsøg" in _texts(fresh) and not fresh.get("text_input")
    entries = audit.read_entries(data_dir)
    assert [(e.action, e.actor) for e in entries] == [
        ("signin_failed", "ukendt fra lokal")
    ] * admin.MAX_ATTEMPTS
    # Only administrators see them in the log on the page.
    assert not any("Forkert adgangskode" in str(d.value.to_dict()) for d in fresh.dataframe)
    clock[0] += signin_attempts.LOCK_S
    at = _sign_in(_page(secrets), PASSWORD)
    assert _can_change_data(at)
    assert "Forkert adgangskode" in set(_audit_log(at)["Handling"])


def test_password_sign_in_opens_upload_and_rollback_and_logs_as_administrator(data_dir: Path) -> None:
    at = _page({"admin": {"password_hash": config.hash_admin_password(PASSWORD)}})
    _sign_in(at, PASSWORD)
    assert _can_change_data(at) and "Logget ind som administrator" in _texts(at)
    # Import through the (ungated) upload section, now inside the administrator's session.
    at.file_uploader(key="joblog_upload").upload(
        "marts.csv", ji.to_jobindsats_csv(make_frame(codes=[147])), "text/csv"
    ).run()
    at.button(key="joblog_upload_import").click().run()
    assert not at.exception, at.exception
    # The way back is the form below on the same page, not a server command.
    assert "Fortryd importen med »Rul tilbage til en tidligere version« længere nede på siden." in _texts(at)
    assert "joblog-dash rollback" not in _texts(at)
    imported = store.current_version(data_dir)
    # Roll back to the demo version: the button needs the confirmation first.
    demo_version = store.list_versions(data_dir)[0].version
    at.selectbox(key="admin_rollback_version").select(demo_version).run()
    assert at.button(key="admin_rollback_go").disabled
    at.checkbox(key="admin_rollback_confirm_0").check().run()
    at.button(key="admin_rollback_go").click().run()
    assert not at.exception, at.exception
    assert store.current_version(data_dir) == demo_version
    assert "Aktiv version er nu" in _texts(at)
    assert "rækker, jan. 2018 – feb. 2018)" in _texts(at)  # the months of the version rolled back to
    assert not at.checkbox(key="admin_rollback_confirm_1").value  # the next one needs confirming again
    entries = audit.read_entries(data_dir)
    assert [(e.action, e.actor) for e in entries] == [
        ("rollback", "administrator"),
        ("import", "administrator"),
    ]
    assert entries[0].version_before == imported and entries[0].version_after == demo_version
    assert entries[1].file == "marts.csv"
    # The log is on the page, newest first, with who (an administrator is looking).
    table = _audit_log(at)
    assert list(table["Handling"]) == ["Tilbagerulning", "Import"]
    assert list(table["Hvem"]) == ["administrator", "administrator"]
    # Signing out removes every way to change data.
    at.button(key="admin_logout").click().run()
    assert not _can_change_data(at)
    assert "Hvem" not in _audit_log(at).columns  # others do not see who


ISSUER = "https://login.example.net/tenant/v2.0"


def test_oidc_admin_by_email(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    auth = {
        "auth": {
            "redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x", "client_id": "y",
            "server_metadata_url": f"{ISSUER}/.well-known/openid-configuration",
        }
    }  # fmt: skip
    monkeypatch.setenv("JOBLOG_ADMIN_EMAILS", "anna@ministeriet.dk")
    signed_out = _page(auth, {"is_logged_in": False})
    assert not _can_change_data(signed_out) and any(b.key == "admin_oidc_login" for b in signed_out.button)
    # A sign-in that cannot work (no client_secret here) says so, in Danish.
    signed_out.button(key="admin_oidc_login").click().run()
    assert not signed_out.exception and "ikke sat rigtigt op" in _texts(signed_out)
    vouched = {"is_logged_in": True, "iss": ISSUER, "email_verified": True}
    other = _page(auth, {**vouched, "email": "eve@example.com"})
    assert not _can_change_data(other) and "eve@example.com, men er ikke administrator" in _texts(other)
    # AppTest's default user has an e-mail but is not signed in: no access.
    assert not _can_change_data(_page(auth))
    anna = _page(auth, {**vouched, "email": "Anna@Ministeriet.dk"})
    assert _can_change_data(anna) and "Logget ind som anna@ministeriet.dk" in _texts(anna)
    # An administrator's e-mail that the provider did not verify, or a token from another issuer: no access.
    for claims in (
        {"email_verified": False}, {"email_verified": "false"}, {"email_verified": None},
        {"iss": "https://login.example.net/other/v2.0"}, {"iss": None},
    ):  # fmt: skip
        user = {
            k: v for k, v in {**vouched, **claims, "email": "anna@ministeriet.dk"}.items() if v is not None
        }
        refused = _page(auth, user)
        assert not _can_change_data(refused), claims
        wanted = "ikke bekræftet" if "email_verified" in claims else "ikke fra den log ind-tjeneste"
        assert wanted in _texts(refused), claims
    # Entra ID vouches with its own claim instead of email_verified.
    assert _can_change_data(
        _page(auth, {**vouched, "email_verified": "true", "email": "anna@ministeriet.dk"})
    )
    entra = {"is_logged_in": True, "iss": ISSUER, "xms_edov": True, "email": "anna@ministeriet.dk"}
    assert _can_change_data(_page(auth, entra))
    monkeypatch.delenv("JOBLOG_ADMIN_EMAILS")
    assert not _can_change_data(_page(auth, {**vouched, "email": "anna@ministeriet.dk"}))


def test_a_damaged_version_is_detailed_to_administrators_only(data_dir: Path) -> None:
    damaged = store.current_version(data_dir)
    facts = store.version_dir(damaged, data_dir) / "facts.parquet"
    raw = bytearray(facts.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    facts.write_bytes(bytes(raw))
    at = _page({"admin": {"password_hash": config.hash_admin_password(PASSWORD)}})
    visitor = " ".join(str(w.value) for w in at.warning)
    assert "facts.parquet er ødelagt" in visitor and damaged in visitor and str(data_dir) not in visitor
    _sign_in(at, PASSWORD)
    detail = " ".join(str(w.value) for w in at.warning if "kun for administratorer" in str(w.value))
    assert escape_markdown(str(data_dir)) in detail and "sha256" in detail  # Markdown-escaped, shown plain


def test_audit_log_shows_status_and_rows_replaced(data_dir: Path) -> None:
    with audit.acting_as("anna@ministeriet.dk"):
        audit.switched("rollback", lambda: None, version_before="a", version_after="b", counts=(0, 2, 3, 5))
        audit.record("import", version_before="b", version_after="c", phase="intent", change="x1")
    table = _audit_log(_page())
    assert list(table["Status"]) == ["påbegyndt, ikke bekræftet", "gennemført"]
    assert list(table["Erstattet"]) == ["0", "5"]
    # A failed sign-in changed nothing, so it has no status.
    rows = admin.audit_table([audit.record("signin_failed", version_before=None, version_after=None)], True)
    assert list(rows["Status"]) == [""]
