#!/usr/bin/env python3
"""Screenshots of every page and dialog, in English and Japanese, against the sandbox.

Run under a real X server (fonts, xcb), e.g.::

    QT_QPA_PLATFORM=xcb xvfb-run -a python packaging/screenshots.py

PNGs go to packaging/screenshots/<lang>-<name>.png, and with ``--theme dark`` (a dark
Fusion palette, as on a dark desktop) the shots in :data:`DARK` go to
<lang>-dark-<name>.png. Each language and theme runs in its own process (one translator,
one sandbox tenant, a throw-away profile). Run it on a 1366×768 screen (the size the
dialogs are built to fit), e.g. ``Xvfb :62 -screen 0 1366x768x24`` with openbox.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "packaging" / "screenshots"
#: The shots also taken in the dark palette: the main window, the switch prompt, the
#: Synchronization settings, failures with their fix, Keep me connected.
DARK = {"01-main-empty", "13-main-two-orgs", "16-connect-failed", "17-switch-confirm",
        "20-test-connection-failed", "27-sync-settings", "30-switch-prompt-records",
        "39-keep-connected", "45-properties-error"}
THEME = ["light"]


def dark_palette():
    """A dark palette for the Fusion style (what a dark desktop theme hands Qt)."""
    from PySide6.QtGui import QColor, QPalette

    p = QPalette()
    roles = QPalette.ColorRole
    for role, colour in ((roles.Window, "#2b2b2b"), (roles.WindowText, "#e6e6e6"),
                         (roles.Base, "#1e1e1e"), (roles.AlternateBase, "#2f2f2f"),
                         (roles.ToolTipBase, "#3a3a3a"), (roles.ToolTipText, "#f0f0f0"),
                         (roles.PlaceholderText, "#8a8a8a"), (roles.Text, "#e6e6e6"),
                         (roles.Button, "#353535"), (roles.ButtonText, "#e6e6e6"),
                         (roles.BrightText, "#ff6b6b"), (roles.Link, "#6cb4ff"),
                         (roles.Highlight, "#2f6fb5"), (roles.HighlightedText, "#ffffff"),
                         (roles.Light, "#4a4a4a"), (roles.Midlight, "#3e3e3e"),
                         (roles.Mid, "#303030"), (roles.Dark, "#1a1a1a"), (roles.Shadow, "#000000")):
        p.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(disabled, role, QColor("#7a7a7a"))
    return p


def wait_until(condition, timeout: float = 30.0) -> None:
    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the GUI did not get there in time")
        QApplication.processEvents()
        time.sleep(0.01)


def settle(ms: int = 150) -> None:
    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def shoot(widget, lang: str, name: str, settle_ms: int = 150, dark: set[str] = DARK) -> None:
    """Save ``widget`` as ``<lang>-<name>.png`` (in the dark palette: only the shots in
    ``dark``, as ``<lang>-dark-<name>.png``)."""
    if THEME[0] == "dark" and name not in dark:
        return
    settle(settle_ms)
    path = OUT / (f"{lang}-dark-{name}.png" if THEME[0] == "dark" else f"{lang}-{name}.png")
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))


def start_app(lang: str, theme: str = "light"):
    """The QApplication in ``lang``, in the dark Fusion palette if ``theme`` is "dark"."""
    from PySide6.QtWidgets import QApplication

    from wizard.gui.i18n import install_translators

    app = QApplication.instance() or QApplication([sys.argv[0]])
    THEME[0] = theme
    if theme == "dark":
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    install_translators(app, lang)
    return app


def start_main_window(size: tuple[int, int] | None = None):
    """The main window on a throw-away profile against a fresh sandbox tenant, shown and
    with its org list loaded: (home, sandbox, services, window)."""
    from wizard.engine.context import Engine
    from wizard.engine.paths import AppPaths
    from wizard.gui.main_window import MainWindow
    from wizard.gui.services import EngineServices
    from wizard.sandbox import seed
    from wizard.sandbox.server import start_sandbox

    home = Path(tempfile.mkdtemp(prefix="d365-shots-"))
    os.environ["D365_WIZARD_HOME"] = str(home)
    sandbox = start_sandbox(home / "sandbox")
    engine = Engine(AppPaths.resolve(home / "profile").ensure(), cloud_files=[sandbox.cloud_file])
    services = EngineServices(engine, sandbox_mode=True)
    names = {o.unique_name: o.friendly_name for o in seed.ORGS}
    services.sandbox_addresses = tuple((names[k], url) for k, url in sandbox.org_urls.items())
    window = MainWindow(services)
    if size:
        window.resize(*size)
    window.show()
    loaded = []
    window.orgs_loaded.connect(lambda: loaded.append(1))
    window.start()
    wait_until(lambda: loaded)
    return home, sandbox, services, window


def close_main_window(window, services, sandbox) -> None:
    """Stop the window's work, close it and its services, and stop the sandbox tenant."""
    window.runner.cancel_all()
    window.runner.wait_for_done(30000)
    settle()
    window.close()
    services.close()
    sandbox.stop()


def next_page(wizard, expected) -> None:
    """Wait until ``wizard`` may go on, go to the next page and check it is ``expected``."""
    from PySide6.QtWidgets import QWizard

    wait_until(lambda: wizard.button(QWizard.WizardButton.NextButton).isEnabled())
    wizard.next()
    assert wizard.currentId() == expected


def run(lang: str, theme: str = "light") -> None:
    from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWizard

    from wizard.gui.add_org_wizard import PAGE_CONNECT, PAGE_PICK, PAGE_SIGN_IN, PAGE_SUMMARY
    from wizard.sandbox import seed

    start_app(lang, theme)
    home, sandbox, services, window = start_main_window()
    shoot(window, lang, "01-main-empty")

    # Add by URL: live feedback, good and bad.
    window.add()
    wizard = window.add_wizard
    wait_until(wizard.isVisible)
    start = wizard.currentPage()
    start.url_edit.setText("https://make.powerapps.com/environments/123")
    shoot(wizard, lang, "02-add-bad-url")
    start.url_edit.setText(sandbox.org_urls["contosona"] + "/main.aspx?appid=42&pagetype=entitylist&etn=contact")
    shoot(wizard, lang, "03-add-url-found")
    # Online: sign in, pick, connect, summary.
    start.online_radio.setChecked(True)
    start.cloud_combo.setCurrentIndex(start.cloud_combo.findData("sandbox"))
    shoot(wizard, lang, "04-add-online-cloud")
    next_page(wizard, PAGE_SIGN_IN)
    page = wizard.currentPage()
    shoot(wizard, lang, "05-sign-in-choices")
    page.sign_in_button.click()
    wait_until(lambda: page.dialog is not None and page.dialog.isVisible())
    page.dialog.user_edit.setText("carol@contoso.example")
    page.dialog.password_edit.setText(seed.PRACTICE_PASSWORD)
    shoot(page.dialog, lang, "06-in-app-sign-in")
    first = page.dialog
    page.dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    wait_until(lambda: page.dialog is not first and page.dialog.isVisible())
    shoot(page.dialog, lang, "07-sign-in-mfa")
    page.dialog.reject()
    page.device_radio.setChecked(True)
    page.sign_in_button.click()
    wait_until(lambda: page.device_panel.isVisible())
    shoot(wizard, lang, "08-device-code")
    page.stop()
    page.form_radio.setChecked(True)
    page.sign_in_button.click()
    wait_until(lambda: page.dialog is not None and page.dialog.isVisible() and not page.dialog.mfa_edit.isVisible())
    page.dialog.user_edit.setText("alice@contoso.example")
    page.dialog.password_edit.setText(seed.PRACTICE_PASSWORD)
    page.dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    wait_until(lambda: page.isComplete())
    shoot(wizard, lang, "09-signed-in")
    next_page(wizard, PAGE_PICK)
    pick = wizard.currentPage()
    wait_until(lambda: pick.loaded)
    pick.view.clearSelection()
    pick.select_unique_names({"contosona", "contosojp"})
    shoot(wizard, lang, "10-pick-orgs")
    next_page(wizard, PAGE_CONNECT)
    wait_until(lambda: wizard.currentPage().isComplete(), 60)
    shoot(wizard, lang, "11-connecting-done")
    next_page(wizard, PAGE_SUMMARY)
    shoot(wizard, lang, "12-summary")
    loaded = []
    window.orgs_loaded.connect(lambda: loaded.append(1))
    wizard.button(QWizard.WizardButton.FinishButton).click()
    wait_until(lambda: loaded and not wizard.isVisible())
    wait_until(lambda: all(r.status not in ("checking", "unknown") for r in window.model.rows()), 60)
    shoot(window, lang, "13-main-two-orgs")

    # A failing connection: the step list with its fix.
    window.add()
    wizard = window.add_wizard
    wait_until(wizard.isVisible)
    wizard.currentPage().url_edit.setText(sandbox.org_urls["contosoonprem"])
    wizard.next()
    wait_until(lambda: wizard.currentPage().isComplete())
    shoot(wizard, lang, "14-detected-windows-auth")
    wizard.next()
    creds = wizard.currentPage()
    creds.user_edit.setText("CONTOSO\\alice")
    creds.password_edit.setText("not-the-password")
    shoot(wizard, lang, "15-credentials")
    wizard.next()
    wait_until(lambda: wizard.currentPage().failure is not None, 60)
    shoot(wizard, lang, "16-connect-failed")
    wizard.reject()

    rows = window.model.rows()
    other = next(r for r in rows if not r.is_primary)
    window.select_key(other.key)
    window.synchronize()
    wait_until(lambda: getattr(window, "switch_dialog", None) is not None and window.switch_dialog.isVisible())
    shoot(window.switch_dialog, lang, "17-switch-confirm")
    window.switch_dialog.reject()
    services.engine.mailbox.claim(str(uuid.uuid4()), "Fabrikam Sales", override=True)
    before = window.switch_dialog
    window.synchronize()
    wait_until(lambda: window.switch_dialog is not before and window.switch_dialog.isVisible())
    window.switch_dialog.help_button.click()
    window.switch_dialog.fit()
    shoot(window.switch_dialog, lang, "18-switch-stamp-conflict")
    window.switch_dialog.reject()

    window.properties()
    shoot(window.properties_dialog, lang, "19-properties")
    # A failure with its fix: a display name another org has.
    first_name = next(r for r in rows if r.key != other.key).display_name
    window.properties_dialog.name_edit.setText(first_name)
    window.properties_dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    wait_until(lambda: window.properties_dialog.error_label.isVisible())
    shoot(window.properties_dialog, lang, "45-properties-error")
    window.properties_dialog.reject()

    window.keep_connected_settings()
    wait_until(lambda: window.keep_dialog.isVisible())
    shoot(window.keep_dialog, lang, "39-keep-connected")
    window.keep_dialog.reject()

    sandbox.faults.set("org_disabled", other.unique_name)
    done = []
    window.action_done.connect(done.append)
    window.test_connection()
    wait_until(lambda: "test" in done, 60)
    shoot(window.test_dialog, lang, "20-test-connection-failed")
    window.test_dialog.reject()
    sandbox.faults.reset()

    window.diagnostics()
    wait_until(lambda: getattr(window, "diagnostics_dialog", None) is not None
               and window.diagnostics_dialog.isVisible())
    shoot(window.diagnostics_dialog, lang, "21-diagnostics")
    window.diagnostics_dialog.reject()

    window.delete()
    wait_until(lambda: window.confirm_box.isVisible())
    shoot(window.confirm_box, lang, "22-delete-confirm")
    window.confirm_box.button(QMessageBox.StandardButton.Cancel).click()

    # Synchronize Now: the mailbox is still stamped with Fabrikam Sales, so the gate comes first.
    window.actions_by_name["sync_now"].trigger()
    wait_until(lambda: getattr(window, "stamp_gate_dialog", None) is not None and window.stamp_gate_dialog.isVisible(),
               60)
    gate = window.stamp_gate_dialog
    gate.override_box.setChecked(True)
    gate.help_button.click()
    gate.adjustSize()
    shoot(gate, lang, "23-sync-stamp-gate")
    gate.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    wait_until(lambda: getattr(window, "sync_dialog", None) is not None and window.sync_dialog.isVisible())
    shoot(window.sync_dialog, lang, "24-sync-progress")
    wait_until(lambda: window.sync_dialog.result_summary is not None, 120)
    window.sync_dialog.details_button.click()
    window.sync_dialog.resize(640, 520)
    shoot(window.sync_dialog, lang, "25-sync-result")
    window.sync_dialog.accept()
    wait_until(lambda: window.sync_dialog_running is None)
    settle(500)
    shoot(window, lang, "26-main-after-sync")

    done.clear()
    window.actions_by_name["sync_settings"].trigger()
    wait_until(lambda: "sync_settings" in done, 60)
    page = window.settings_dialog
    shoot(page, lang, "27-sync-settings")
    page.address_combo.setCurrentIndex(page.address_combo.findData(False))
    page.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    wait_until(lambda: getattr(window, "address_dialog", None) is not None and window.address_dialog.isVisible(), 60)
    shoot(window.address_dialog, lang, "28-address-switch-dry-run")
    window.address_dialog.reject()
    page.address_combo.setCurrentIndex(page.address_combo.findData(True))

    # The Mailbox page: a server that cannot be reached, then a vdir folder found and used.
    page.tabs.setCurrentWidget(page.mailbox_page)
    mailbox = page.mailbox_page
    done.clear()
    mailbox.dav_radio.setChecked(True)
    mailbox.url_edit.setText("https://127.0.0.1:9/dav/")
    mailbox.user_edit.setText("ann")
    mailbox.password_edit.setText("app-password")
    mailbox.test_button.click()
    wait_until(lambda: "mailbox_tested" in done, 60)
    shoot(page, lang, "36-mailbox-error")
    done.clear()
    mailbox.vdir_radio.setChecked(True)
    mailbox.folder_edit.setText(str(home / "Calendars"))
    mailbox.test_button.click()
    wait_until(lambda: "mailbox_tested" in done, 60)
    shoot(page, lang, "37-mailbox-vdir-found")
    done.clear()
    mailbox.use_button.click()
    wait_until(lambda: "mailbox_used" in done, 120)
    shoot(page, lang, "38-mailbox-first-sync-done")
    page.reject()

    window.diagnostics()
    wait_until(lambda: window.diagnostics_dialog.isVisible())
    saved = []
    window.diagnostics_dialog.bundle_saved.connect(saved.append)
    window.diagnostics_dialog.save_bundle(str(home / "d365-wizard-diagnostics.zip"))
    wait_until(lambda: saved, 120)
    shoot(window.diagnostics_dialog, lang, "29-diagnostics-bundle-saved")
    window.diagnostics_dialog.reject()

    # The switch on the servers: the prompt, Test & Enable running, the result.
    services.engine.switcher.poll_interval = 1.0
    current = next(r for r in window.model.rows() if r.is_primary)
    sandbox.store.exchange.set_holder("alice@contoso.example", current.org_id)   # as set up
    sandbox.faults.set("test_enable_stuck")
    window.select_key(other.key)
    before = window.switch_dialog
    window.synchronize()
    wait_until(lambda: window.switch_dialog is not before and window.switch_dialog.isVisible(), 60)
    shoot(window.switch_dialog, lang, "30-switch-prompt-records")
    window.switch_dialog.details_button.click()
    shoot(window.switch_dialog, lang, "30-switch-prompt-details")
    window.switch_dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    wait_until(lambda: getattr(window, "switch_progress", None) is not None
               and "(" in window.switch_progress.status_label.text(), 60)
    shoot(window.switch_progress, lang, "31-switch-progress")
    sandbox.faults.clear("test_enable_stuck")
    wait_until(lambda: window.switch_progress.switch_result is not None, 60)
    shoot(window.switch_progress, lang, "32-switch-result")
    window.switch_progress.details_button.click()
    shoot(window.switch_progress, lang, "32-switch-result-details")
    window.switch_progress.accept()
    wait_until(lambda: window.primary_label.text() == other.display_name, 60)
    window.refresh()
    wait_until(lambda: all(r.status not in ("checking", "unknown", "error")
                           for r in window.model.rows()), 60)
    settle(500)
    shoot(window, lang, "33-main-exchange-holder")

    # A user without the privilege to change mailbox records: per-org messages, then the
    # offer to finish the switch.
    sandbox.faults.set("mailbox_write_denied")
    first = next(r for r in window.model.rows() if r.key != other.key)
    window.select_key(first.key)
    before = window.switch_dialog
    window.synchronize()
    wait_until(lambda: window.switch_dialog is not before and window.switch_dialog.isVisible(), 60)
    progress_before = window.switch_progress
    window.switch_dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    wait_until(lambda: window.switch_progress is not progress_before
               and window.switch_progress.switch_result is not None, 60)
    shoot(window.switch_progress, lang, "34-switch-incomplete")
    window.switch_progress.details_button.click()
    shoot(window.switch_progress, lang, "34-switch-incomplete-details")
    window.switch_progress.accept()
    sandbox.faults.reset()
    window._offer_finish(services.pending_switch())
    wait_until(lambda: window.finish_box.isVisible())
    shoot(window.finish_box, lang, "35-finish-switch-offer")
    window.finish_box.button(QMessageBox.StandardButton.No).click()

    close_main_window(window, services, sandbox)


def failures(lang: str) -> None:
    """Failures with a way out (issue 16): no secure keyring, no web browser, a wrong
    on-premises password, and Sign in… on an org of the list. Its own process: the keyring
    and the browser launcher are broken on purpose before anything loads them."""
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    os.environ["BROWSER"] = "/bin/false"
    from PySide6.QtWidgets import QWizard

    from wizard.gui.add_org_wizard import PAGE_CONNECT, PAGE_CREDENTIALS, PAGE_DETECT, PAGE_SIGN_IN
    from wizard.sandbox import seed

    start_app(lang)
    _, sandbox, services, window = start_main_window(size=(1100, 640))

    # On-premises with a wrong password: Sign-in fails, and its fix is a button.
    window.add()
    wizard = window.add_wizard
    wait_until(wizard.isVisible)
    wizard.currentPage().url_edit.setText(sandbox.org_urls["contosoonprem"])
    next_page(wizard, PAGE_DETECT)
    next_page(wizard, PAGE_CREDENTIALS)
    page = wizard.currentPage()
    page.user_edit.setText("CONTOSO\\alice")
    page.password_edit.setText("wrong")
    wait_until(lambda: not page.save_box.isEnabled())
    shoot(wizard, lang, "40-no-keyring-credentials")
    next_page(wizard, PAGE_CONNECT)
    connect = wizard.currentPage()
    wait_until(lambda: connect.failure is not None)
    shoot(wizard, lang, "41-connect-wrong-password")
    connect.fix_button.click()
    wizard.currentPage().password_edit.setText(seed.PRACTICE_PASSWORD)
    next_page(wizard, PAGE_CONNECT)
    wait_until(lambda: wizard.currentPage().isComplete(), 60)
    wizard.next()
    committed = []
    wizard.committed.connect(lambda rows: committed.append(rows))
    wizard.button(QWizard.WizardButton.FinishButton).click()
    wait_until(lambda: committed and window.model.rows())
    wait_until(lambda: all(r.status not in ("checking", "unknown") for r in window.model.rows()), 60)
    wait_until(window.keyring_banner.isVisible)
    shoot(window, lang, "42-main-no-keyring")

    # Sign in… on that org: its own dialog, the address not editable.
    window.select_key(window.model.rows()[0].key)
    window.sign_in()
    dialog = window.reauth_dialog
    wait_until(dialog.isVisible)
    dialog.password_edit.setText(seed.PRACTICE_PASSWORD)
    ended = []
    dialog.sign_in_ended.connect(lambda: ended.append(1))
    dialog.sign_in()
    wait_until(lambda: ended, 60)
    shoot(dialog, lang, "43-reauth-onprem")
    dialog.close()

    # Browser sign-in with no browser: the address to copy, and the code instead.
    window.add()
    wizard = window.add_wizard
    wait_until(wizard.isVisible)
    start = wizard.currentPage()
    start.online_radio.setChecked(True)
    start.cloud_combo.setCurrentIndex(start.cloud_combo.findData("sandbox"))
    next_page(wizard, PAGE_SIGN_IN)
    page = wizard.currentPage()
    page.browser_radio.setChecked(True)
    page.sign_in_button.click()
    wait_until(page.address_panel.isVisible, 60)
    shoot(wizard, lang, "44-no-browser-address")
    page.stop()
    wizard.reject()

    close_main_window(window, services, sandbox)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=["en", "ja"], help="one language (default: both, one process each)")
    parser.add_argument("--theme", choices=["light", "dark"],
                        help="one palette (default: both; dark takes the shots in DARK)")
    parser.add_argument("--part", choices=["journeys", "failures"],
                        help="journeys (every page, both palettes) or failures (40-44, light); default both")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.lang and args.part == "failures":
        failures(args.lang)
        return 0
    if args.lang and args.theme:
        run(args.lang, args.theme)
        return 0
    for lang in [args.lang] if args.lang else ["en", "ja"]:
        if args.part != "failures":
            for theme in [args.theme] if args.theme else ["light", "dark"]:
                subprocess.run([sys.executable, __file__, "--lang", lang, "--theme", theme], check=True)
        if args.part != "journeys" and args.theme in (None, "light"):
            subprocess.run([sys.executable, __file__, "--lang", lang, "--part", "failures"], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
