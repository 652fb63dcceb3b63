"""The administrator sign-in with a password in Chromium: no way to change data before it, a wrong password
counted, then upload, import, rollback and the audit log for the signed-in administrator."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from browser_helpers import full_screenshot, wait_for_app
from conftest import AdminApp
from importfixtures import make_frame
from playwright.sync_api import Page, expect

from joblog_dash.data import audit, store
from joblog_dash.importing import jobindsats as ji

UPLOADER = '[data-testid="stFileUploaderDropzoneInput"]'


def _sign_in(page: Page, password: str) -> None:
    page.get_by_label("Administratoradgangskode").fill(password)
    page.get_by_role("button", name="Log ind som administrator").click()
    wait_for_app(page)


def test_password_sign_in_then_import_and_rollback(
    page: Page, admin_app: AdminApp, tmp_path: Path, screenshot_dir: Path
) -> None:
    page.goto(f"{admin_app.url}/om_tallene")
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_label("Administratoradgangskode")).to_be_visible()
    expect(page.locator(UPLOADER)).to_have_count(0)
    expect(main.get_by_text("Rul tilbage til en tidligere version")).to_have_count(0)

    _sign_in(page, "forkert-" + admin_app.password)
    expect(main.get_by_text("Forkert adgangskode. 4 forsøg tilbage.")).to_be_visible()
    expect(page.locator(UPLOADER)).to_have_count(0)

    _sign_in(page, admin_app.password)
    expect(main.get_by_text("Logget ind som administrator.")).to_be_visible()
    expect(page.locator(UPLOADER)).to_have_count(1)
    full_screenshot(page, screenshot_dir / "admin-signed-in.png")

    export = tmp_path / "marts.csv"
    export.write_bytes(ji.to_jobindsats_csv(make_frame(months=[date(2018, 3, 1)], codes=[101, 147, 751])))
    demo_version = store.current_version(admin_app.data_dir)
    page.locator(UPLOADER).set_input_files(str(export))
    wait_for_app(page)
    page.get_by_role("button", name="Importér").click()
    wait_for_app(page)
    # The four municipalities' two demo months go: every demo row is removed (and counted so in the log).
    expect(main.get_by_text("Importeret: 3 rækker læst; 3 tilføjet, 0 ændret, 8 fjernet.")).to_be_visible()
    imported = store.current_version(admin_app.data_dir)
    assert imported != demo_version

    # Roll back to the demo version (the only other one, so pre-selected) after confirming.
    rollback = page.get_by_role("button", name="Rul tilbage", exact=True)
    expect(rollback).to_be_disabled()
    main.get_by_text("Ja, gør denne version aktiv for alle brugere").click()
    wait_for_app(page)
    expect(rollback).to_be_enabled()
    rollback.click()
    wait_for_app(page)
    expect(main.get_by_text(f"Aktiv version er nu {demo_version}")).to_be_visible()
    assert store.current_version(admin_app.data_dir) == demo_version

    log = main.locator('[data-testid="stDataFrame"]').last
    expect(log).to_contain_text("Tilbagerulning")
    entries = audit.read_entries(admin_app.data_dir)
    assert [(e.action, e.actor) for e in entries[:2]] == [
        ("rollback", "administrator"),
        ("import", "administrator"),
    ]
    assert entries[1].file == "marts.csv" and entries[1].version_after == imported
    assert (entries[1].removed, entries[1].replaced, entries[1].phase) == (8, 8, "done")
    expect(log).to_contain_text("gennemført")
    full_screenshot(page, screenshot_dir / "admin-after-rollback.png")

    page.get_by_role("button", name="Log ud").click()
    wait_for_app(page)
    expect(page.locator(UPLOADER)).to_have_count(0)
    expect(main.get_by_label("Administratoradgangskode")).to_be_visible()
