"""Failures with a way out (issue 16) on the real parts: the sandbox over HTTPS, real msal,
the real keyring policy (keyring's own ``fail`` backend is what a box without a Secret
Service offers), a real ``BROWSER`` launcher."""

from __future__ import annotations

import pytest

from tests.gui import journeys as j
from wizard.gui.add_org_wizard import PAGE_CONNECT, PAGE_CREDENTIALS
from wizard.sandbox import seed

pytestmark = pytest.mark.sandbox


@pytest.fixture
def no_keyring(monkeypatch):
    """No usable keyring: keyring itself picks its ``fail`` backend (as on a headless box)."""
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("D365_WIZARD_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None, raising=False)


@pytest.fixture
def window(sandbox_window):
    return sandbox_window


def test_no_keyring_adds_the_org_without_saving_and_says_why(qtbot, no_keyring, window, real, sandbox):
    assert not real.keyring_state().available
    qtbot.wait_until(window.keyring_banner.isVisible, timeout=10000)
    wizard = j.add_by_url(qtbot, window, sandbox.org_urls["contosoonprem"])
    j.next_page(qtbot, wizard, PAGE_CREDENTIALS)
    page = wizard.currentPage()
    qtbot.wait_until(lambda: not page.save_box.isEnabled(), timeout=10000)
    assert not page.save_box.isChecked()
    page.user_edit.setText("CONTOSO\\alice")
    page.password_edit.setText(seed.PRACTICE_PASSWORD)
    j.next_page(qtbot, wizard, PAGE_CONNECT)
    j.wait_complete(qtbot, wizard)
    wizard.next()
    assert "no secure keyring" in wizard.currentPage().label.text()
    j.finish_wizard(qtbot, window, wizard)
    row = j.row_by_name(window, "contosoonprem")
    assert row.auth_method == "ntlm" and not row.save_credentials
    qtbot.wait_until(lambda: j.row_by_name(window, "contosoonprem").status not in ("checking", "unknown"),
                     timeout=20000)
    row = j.row_by_name(window, "contosoonprem")
    assert row.status == "needs_sign_in" and "no secure keyring" in row.status_text


@pytest.fixture
def no_browser(monkeypatch):
    """The system's launcher fails: ``BROWSER=/bin/false`` (webbrowser reads it afresh)."""
    import webbrowser

    monkeypatch.setenv("BROWSER", "/bin/false")
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})


def _browser_sign_in(qtbot, window):
    from PySide6.QtCore import Qt

    from wizard.gui.add_org_wizard import PAGE_SIGN_IN

    wizard = j.open_wizard(qtbot, window)
    start = wizard.currentPage()
    start.online_radio.setChecked(True)
    start.cloud_combo.setCurrentIndex(start.cloud_combo.findData("sandbox"))
    j.next_page(qtbot, wizard, PAGE_SIGN_IN)
    page = wizard.currentPage()
    page.browser_radio.setChecked(True)
    qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(page.address_panel.isVisible, timeout=20000)
    return wizard, page


def test_no_browser_the_copied_address_signs_in(qtbot, no_browser, window, real, sandbox):
    """The launcher fails; the person opens the shown address in a browser themselves."""
    from tests.fixtures.browser import ScriptedBrowser

    wizard, page = _browser_sign_in(qtbot, window)
    assert "No web browser could be opened" in page.address_panel.note.text()
    address = page.address_panel.address.text()
    assert address.startswith(sandbox.authority_url)
    person = ScriptedBrowser(sandbox, "alice@contoso.example")
    person.open(address)
    j.wait_complete(qtbot, wizard)
    person.join()
    assert wizard.account.username == "alice@contoso.example"
    wizard.reject()


def test_no_browser_times_out_then_the_device_code_signs_in(qtbot, no_browser, window, real, sandbox):
    from PySide6.QtCore import Qt

    from tests.fixtures.browser import ScriptedBrowser

    real.browser_timeout = 1.0
    wizard, page = _browser_sign_in(qtbot, window)
    qtbot.wait_until(lambda: "not completed in the browser" in page.status.text(), timeout=20000)
    assert not page.busy and page.address_panel.code_button.isVisible()
    qtbot.mouseClick(page.address_panel.code_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: bool(page.device_panel.code_label.text()), timeout=20000)
    person = ScriptedBrowser(sandbox, "alice@contoso.example",
                             device_code=page.device_panel.code_label.text())
    person.open(f"{sandbox.discovery_url}/devicelogin")
    j.wait_complete(qtbot, wizard)
    person.join()
    assert wizard.account.username == "alice@contoso.example"
    wizard.reject()


def _click_sign_in(qtbot, dialog):
    from PySide6.QtCore import Qt

    with qtbot.wait_signal(dialog.sign_in_ended, timeout=30000):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)


def test_reauth_online_org_with_the_sign_in_form_and_retest(qtbot, window, real, sandbox):
    j.add_online(qtbot, window, {"contosona"})
    with qtbot.wait_signal(window.orgs_loaded, timeout=10000):
        window.sign_out()
    dialog = j.open_reauth(qtbot, window, "contosona")
    assert dialog.address.text() == j.row_by_name(window, "contosona").url
    dialog.user_edit.setText("alice@contoso.example")
    dialog.password_edit.setText("wrong")
    _click_sign_in(qtbot, dialog)
    assert "Sign-in failed" in dialog.status.text() and dialog.focusWidget() is dialog.password_edit
    dialog.password_edit.setText(seed.PRACTICE_PASSWORD)
    with qtbot.wait_signal(window.orgs_loaded, timeout=20000):
        _click_sign_in(qtbot, dialog)
    states = {s.step_id: s.state for s in dialog.model.steps()}
    assert states["signin"] == "passed" and states["whoami"] == "passed", states
    row = j.row_by_name(window, "contosona")
    assert row.user == "alice@contoso.example" and row.status == "connected"
    dialog.close()


@pytest.mark.keyring
def test_reauth_onprem_saves_the_password_in_the_real_keyring(qtbot, private_keyring, window, real, sandbox):
    wizard = j.add_by_url(qtbot, window, sandbox.org_urls["contosoonprem"])
    j.enter_credentials(qtbot, wizard, "CONTOSO\\alice", seed.PRACTICE_PASSWORD, save=False)
    j.wait_complete(qtbot, wizard)
    wizard.next()
    j.finish_wizard(qtbot, window, wizard)
    assert not [s for _a, s in private_keyring.all_secrets() if s == seed.PRACTICE_PASSWORD]
    dialog = j.open_reauth(qtbot, window, "contosoonprem")
    assert dialog.windows_auth and dialog.user_edit.text() == "CONTOSO\\alice"
    dialog.password_edit.setText("wrong")
    _click_sign_in(qtbot, dialog)
    assert "Sign-in failed" in dialog.status.text()
    dialog.password_edit.setText(seed.PRACTICE_PASSWORD)
    dialog.save_box.setChecked(True)
    _click_sign_in(qtbot, dialog)
    assert {s.step_id: s.state for s in dialog.model.steps()}["signin"] == "passed"
    assert [s for _a, s in private_keyring.all_secrets() if s == seed.PRACTICE_PASSWORD]
    qtbot.wait_until(lambda: j.row_by_name(window, "contosoonprem").save_credentials, timeout=10000)
    dialog.close()


def test_address_feedback_is_japanese(qtbot, japanese, window, sandbox):
    """What the first page says about the typed address, from the real parser, in ja."""
    import re

    english = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z]{2,}){3,}")      # four English words in a row
    wizard = j.open_wizard(qtbot, window)
    page = wizard.currentPage()
    for text in ("ftp://example.com/x", "hello world", "https://contoso.crm4.dynamics.com/main.aspx",
                 sandbox.org_urls["contosoonprem"]):
        page.url_edit.setText(text)
        feedback = re.sub(r"\S+://\S+", "", page.feedback.text())
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", feedback), feedback
        assert not english.search(feedback), feedback
    wizard.reject()
