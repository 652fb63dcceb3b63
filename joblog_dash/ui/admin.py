"""Who may change data in the web UI (a signed-in administrator, nobody else), rollback and the audit log.

Set-ups, first match wins:

1. Streamlit's OIDC sign-in (`st.login`, e.g. Entra ID) when the app's secrets have an `[auth]` section;
   administrators are the e-mail addresses in `JOBLOG_ADMIN_EMAILS`, once the ID token comes from the
   configured issuer and vouches for the e-mail.
2. An administrator password kept only as a scrypt hash in the secrets (`[admin] password_hash`, printed by
   `joblog-dash admin-hash`); wrong passwords are braked per source across sessions and workers
   (data.signin_attempts), and each is written to the audit log.
3. Neither: the web UI offers no way to change data and says so (the CLI stays for operators).

Hashing and checking are pure (config.hash_admin_password / verify_admin_password); this is the thin edge.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st
from streamlit.errors import StreamlitAuthError, StreamlitSecretNotFoundError

from joblog_dash import config
from joblog_dash.data import audit, signin_attempts, store
from joblog_dash.importing import service
from joblog_dash.text import fmt
from joblog_dash.text.safety import escape_markdown, printable
from joblog_dash.text.strings import t
from joblog_dash.ui import upload_gate

MAX_ATTEMPTS = signin_attempts.LOCK_AFTER  # wrong passwords from one source before it is locked out
PASSWORD_ACTOR = "administrator"  # the password is shared, so the audit log can name no person
_STATE = "joblog_admin"
_LOCAL = ZoneInfo("Europe/Copenhagen")
CHANGES = ("import", "rollback")  # audit actions that change the data (and so have a status)


def secrets() -> Mapping[str, Any]:
    """The app's secrets as a dict; empty when there is no secrets file."""
    try:
        return st.secrets.to_dict()
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return {}


def sign_in_mode(secret_values: Mapping[str, Any]) -> str:
    """'oidc', 'password' or 'none' for the given secrets."""
    if secret_values.get("auth"):
        return "oidc"
    section = secret_values.get(config.ADMIN_SECRETS_SECTION)
    if isinstance(section, Mapping) and str(section.get(config.ADMIN_SECRETS_KEY, "")).strip():
        return "password"
    return "none"


def oidc_provider(auth: Mapping[str, Any]) -> str | None:
    """The provider name for st.login: None when [auth] itself holds the client, else the first
    [auth.<name>] section."""
    if "client_id" in auth:
        return None
    return next((name for name, value in auth.items() if isinstance(value, Mapping)), None)


def render_sign_in() -> str | None:
    """Draw the sign-in (or why there is none); returns the signed-in administrator for the audit log.
    Without one, this session may not upload (ui.upload_gate)."""
    who = _sign_in()
    if who is None:
        upload_gate.close()
    return who


def _sign_in() -> str | None:
    values = secrets()
    mode = sign_in_mode(values)
    if mode == "none":
        st.info(t("admin_none"), icon="🔒")
        return None
    st.caption(t("admin_intro"))
    if mode == "oidc":
        return _oidc(values["auth"])
    return _password(str(values[config.ADMIN_SECRETS_SECTION][config.ADMIN_SECRETS_KEY]))


DISCOVERY_SUFFIX = "/.well-known/openid-configuration"


def expected_issuer(auth: Mapping[str, Any]) -> str | None:
    """The issuer an ID token must name: the provider's discovery URL without its well-known suffix (OpenID
    Connect Discovery makes the metadata's issuer exactly that prefix); None when it cannot be told."""
    provider = oidc_provider(auth)
    section = auth if provider is None else auth.get(provider, {})
    url = str(section.get("server_metadata_url", "")) if isinstance(section, Mapping) else ""
    return url[: -len(DISCOVERY_SUFFIX)] if url.endswith(DISCOVERY_SUFFIX) else None


def _true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def oidc_refusal(user: Mapping[str, Any], issuer: str | None) -> str | None:
    """Why a signed-in user's e-mail cannot be trusted (a text key), or None: the ID token must come from
    the configured issuer and vouch for the e-mail (`email_verified`, or Entra ID's `xms_edov`, true)."""
    if issuer is None or str(user.get("iss", "")).rstrip("/") != issuer.rstrip("/"):
        return "admin_oidc_wrong_issuer"
    if not (_true(user.get("email_verified")) or _true(user.get("xms_edov"))):
        return "admin_oidc_unverified"
    return None


def _oidc(auth: Mapping[str, Any]) -> str | None:
    admins = config.admin_emails()
    if not admins:
        st.info(t("admin_oidc_no_admins"), icon="🔒")
        return None
    if not st.user.get("is_logged_in"):
        if st.button(t("admin_oidc_login"), key="admin_oidc_login"):
            try:
                st.login(oidc_provider(auth))
            except StreamlitAuthError as exc:  # [auth] incomplete, or Authlib not installed
                st.error(t("admin_oidc_broken", problem=printable(exc, limit=300)), icon="🔒")
        return None
    email = str(st.user.get("email") or "").strip().lower()
    refusal = oidc_refusal(st.user, expected_issuer(auth))
    if refusal is not None:  # an e-mail nobody vouched for is not an administrator's, whatever it says
        st.warning(t(refusal, email=printable(email, limit=80)), icon="🔒")
        if st.button(t("admin_logout"), key="admin_logout"):
            st.logout()
        return None
    if email not in admins:
        st.warning(t("admin_not_admin", email=printable(email, limit=80)), icon="🔒")
        if st.button(t("admin_logout"), key="admin_logout"):
            st.logout()
        return None
    st.caption(t("admin_signed_in", who=email))
    if st.button(t("admin_logout"), key="admin_logout"):
        st.logout()
    return email


def client_source() -> str:
    """Where a sign-in comes from: the peer's address, or for a peer on this host (make serve's HAProxy in
    front) the address the proxy appended to X-Forwarded-For; a header from anyone else is not believed."""
    peer = st.context.ip_address
    if isinstance(peer, str) and peer:  # AppTest's stand-in context gives no string
        return printable(peer, limit=64)
    forwarded = st.context.headers.get_all("X-Forwarded-For")
    last = forwarded[-1].split(",")[-1].strip() if forwarded else ""
    return printable(last, limit=64) or "lokal"


def _password(stored: str) -> str | None:
    state = st.session_state.setdefault(_STATE, {"signed_in": False})
    if state["signed_in"]:
        st.caption(t("admin_signed_in", who=PASSWORD_ACTOR))
        if st.button(t("admin_logout"), key="admin_logout"):
            state["signed_in"] = False
            st.rerun()
        return PASSWORD_ACTOR
    source = client_source()
    brake = signin_attempts.status(PASSWORD_ACTOR, source)
    if brake.locked:  # for every session and worker, not only this one
        st.error(t("admin_locked", minutes=math.ceil(brake.wait / 60)), icon="🔒")
        return None
    with st.form("admin_sign_in", clear_on_submit=True):
        password = st.text_input(t("admin_password"), type="password", key="admin_password")
        submitted = st.form_submit_button(t("admin_sign_in"))
    if not submitted:
        return None
    claim = signin_attempts.attempt(PASSWORD_ACTOR, source)  # counted before the password is looked at
    if not claim.allowed:
        if claim.locked:
            st.rerun()  # redraw without the form
        st.error(t("admin_too_soon", seconds=math.ceil(claim.wait)), icon="🔒")
        return None
    if config.verify_admin_password(password, stored):
        signin_attempts.succeeded(PASSWORD_ACTOR)
        state["signed_in"] = True
        st.rerun()
    with audit.acting_as(t("audit_unknown_from", source=source)):
        audit.record("signin_failed", version_before=None, version_after=None)
    if claim.locked:
        st.rerun()
    wait = t("admin_wait", seconds=math.ceil(claim.wait)) if claim.wait else ""
    st.error(f"{t('admin_wrong', left=claim.left)} {wait}".strip(), icon="🔒")
    return None


def _version_label(manifest: store.Manifest) -> str:
    return t(
        "admin_version_label",
        created=manifest.created_at.replace("T", " ")[:16],
        kind=t("admin_kind_demo") if manifest.is_demo else t("admin_kind_real"),
        rows=fmt.number(manifest.rows),
        first=manifest.first_month[:7],
        last=manifest.last_month[:7],
        source=printable(manifest.source, limit=60),
    )


def render_rollback() -> None:
    """Administrators only: pick an earlier version, confirm, make it current (logged by the service)."""
    st.subheader(t("admin_rollback_heading"))
    flash = st.session_state.pop("admin_rollback_flash", None)
    if flash:
        st.success(flash)
    current = store.current_version()
    others = {m.version: m for m in reversed(store.list_versions()) if m.version != current}
    if not others:
        st.caption(t("admin_rollback_none"))
        return
    version = st.selectbox(
        t("admin_rollback_pick"),
        options=list(others),
        format_func=lambda v: _version_label(others[v]),
        key="admin_rollback_version",
    )
    # A new key after each rollback: the next one needs its own confirmation.
    rounds = st.session_state.setdefault("admin_rollback_rounds", 0)
    confirmed = st.checkbox(t("admin_rollback_confirm"), key=f"admin_rollback_confirm_{rounds}")
    if not st.button(t("admin_rollback_button"), key="admin_rollback_go", disabled=not confirmed):
        return
    try:
        manifest = service.rollback(version)
    except service.ImportRefused as refused:
        st.error(t("admin_rollback_failed", problem="; ".join(p.message for p in refused.problems)))
        return
    except store.DatasetMissingError as exc:
        st.error(t("admin_rollback_failed", problem=str(exc)))
        return
    st.cache_data.clear()  # no page may show figures of the version just left
    st.session_state["admin_rollback_flash"] = t(
        "admin_rollback_done",
        version=manifest.version,
        source=printable(manifest.source, limit=80),
        rows=fmt.number(manifest.rows),
        first=fmt.month_short(fmt.parse_month_key(manifest.first_month[:7])),  # type: ignore[arg-type]
        last=fmt.month_short(fmt.parse_month_key(manifest.last_month[:7])),  # type: ignore[arg-type]
    )
    st.session_state["admin_rollback_rounds"] = rounds + 1
    st.rerun()  # redraw the whole page (data notice, figures) on the version now current


def render_problem_detail(detail: str | None) -> None:
    """Administrators only: what exactly is wrong with the current version (server paths, errors); every
    visitor sees the page's warning without them."""
    if detail:
        st.warning(t("fallback_detail", detail=escape_markdown(printable(detail, limit=1000))), icon="🛠️")


def _local_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(_LOCAL).strftime("%d-%m-%Y %H:%M")
    except ValueError:
        return printable(iso, limit=40)


def audit_table(entries: list[audit.AuditEntry], show_actor: bool) -> pl.DataFrame:
    """The audit log as shown: local times, Danish labels; who only for administrators."""
    actions = {
        "import": t("audit_import"), "rollback": t("audit_rollback"), "signin_failed": t("audit_signin_failed")
    }  # fmt: skip
    phases = {p: t(f"audit_phase_{p}") for p in audit.PHASES}  # a change's progress; no sign-in has one
    columns: dict[str, list[object]] = {t("audit_when"): [_local_time(e.at) for e in entries]}
    if show_actor:
        columns[t("audit_who")] = [printable(e.actor, limit=80) for e in entries]
    columns |= {
        t("audit_action"): [actions.get(e.action, e.action) for e in entries],
        t("audit_phase"): [phases.get(e.phase, e.phase) if e.action in CHANGES else "" for e in entries],
        t("audit_file"): [printable(e.file, limit=100) for e in entries],
        t("audit_added"): [fmt.number(e.added) for e in entries],
        t("audit_changed"): [fmt.number(e.changed) for e in entries],
        t("audit_removed"): [fmt.number(e.removed) for e in entries],
        t("audit_replaced"): [fmt.number(e.replaced) for e in entries],
        t("audit_before"): [e.version_before or "" for e in entries],
        t("audit_after"): [e.version_after or "" for e in entries],
        t("audit_sha"): [e.sha256 for e in entries],  # last: long, and only needed to check a file
    }
    return pl.DataFrame(columns, schema={name: pl.String for name in columns})


def render_audit_log(show_actor: bool) -> None:
    st.subheader(t("audit_heading"))
    entries = audit.read_entries()
    if not show_actor:  # failed sign-ins are for administrators
        entries = [e for e in entries if e.action != "signin_failed"]
    if not entries:
        st.caption(t("audit_empty"))
        return
    st.caption(t("audit_intro"))
    st.dataframe(audit_table(entries, show_actor), hide_index=True, key="audit_log")
