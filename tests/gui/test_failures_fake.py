"""Failures with a way out (issue 16), against the in-memory services: each failure says what
happened and offers the fix as a button that does it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.gui import journeys as j
from wizard.gui.add_org_wizard import PAGE_CONNECT, PAGE_CREDENTIALS
from wizard.sandbox import seed

ONPREM = "https://127.0.0.1:4430/contosoonprem"


def test_wrong_password_offers_enter_the_password(qtbot, window, fake):
    wizard = j.add_by_url(qtbot, window, ONPREM)
    j.enter_credentials(qtbot, wizard, "CONTOSO\\alice", "wrong", save=False)
    page = wizard.currentPage()
    qtbot.wait_until(lambda: page.failure is not None, timeout=5000)
    assert page.failure.step_id == "signin"
    assert page.fix_button.isVisible() and page.fix_button.text() == "Enter the password…"
    qtbot.mouseClick(page.fix_button, Qt.MouseButton.LeftButton)
    assert wizard.currentId() == PAGE_CREDENTIALS
    credentials = wizard.currentPage()
    assert credentials.password_edit.hasFocus() and credentials.user_edit.text() == "CONTOSO\\alice"
    credentials.password_edit.setText(seed.PRACTICE_PASSWORD)
    j.next_page(qtbot, wizard, PAGE_CONNECT)
    j.wait_complete(qtbot, wizard)
    assert wizard.currentPage().failure is None and not wizard.currentPage().fix_button.isVisible()
    wizard.reject()


# -- no secure keyring ------------------------------------------------------------------------
@pytest.fixture
def no_keyring_window(qtbot, fake, runner):
    fake.keyring_available = False
    yield from j.open_window(qtbot, fake, runner, timeout=5000)


def test_no_keyring_add_says_so_and_never_fails(qtbot, no_keyring_window, fake):
    window = no_keyring_window
    qtbot.wait_until(window.keyring_banner.isVisible, timeout=5000)
    assert "no secure keyring" in window.keyring_banner.text()
    wizard = j.add_by_url(qtbot, window, ONPREM)
    j.next_page(qtbot, wizard, PAGE_CREDENTIALS)
    page = wizard.currentPage()
    qtbot.wait_until(lambda: not page.save_box.isEnabled(), timeout=5000)
    assert not page.save_box.isChecked() and "no secure keyring" in page.keyring_note.text()
    page.user_edit.setText("CONTOSO\\alice")
    page.password_edit.setText(seed.PRACTICE_PASSWORD)
    j.next_page(qtbot, wizard, PAGE_CONNECT)
    j.wait_complete(qtbot, wizard)
    wizard.next()
    summary = wizard.currentPage().label.text()
    assert "will not be saved: this computer has no secure keyring" in summary
    assert "will be saved" not in summary
    j.finish_wizard(qtbot, window, wizard)
    row = j.row_by_name(window, "contosoonprem")
    assert not row.save_credentials and fake.secrets == {}
    qtbot.wait_until(lambda: j.row_by_name(window, "contosoonprem").status == "needs_sign_in", timeout=5000)
    assert "no secure keyring" in j.row_by_name(window, "contosoonprem").status_text


def test_keyring_failing_on_finish_keeps_the_input_and_offers_adding_without_saving(qtbot, window, fake):
    from wizard.engine.secrets import KeyringLocked

    wizard = j.add_by_url(qtbot, window, ONPREM)
    j.enter_credentials(qtbot, wizard, "CONTOSO\\alice", seed.PRACTICE_PASSWORD, save=True)
    j.wait_complete(qtbot, wizard)
    wizard.next()
    commit = fake.commit

    def locked(orgs, *, save_credentials):
        if save_credentials:
            raise KeyringLocked("The keyring is locked.", fix="Unlock it and try again.")
        return commit(orgs, save_credentials=save_credentials)

    fake.commit = locked
    summary = wizard.currentPage()
    with qtbot.wait_signal(wizard.commit_failed, timeout=5000):
        wizard.button(wizard.WizardButton.FinishButton).click()
    assert wizard.isVisible() and summary.without_saving_button.isVisible()
    for box in j.message_boxes("errorBox"):
        box.close()
    with qtbot.wait_signal(window.orgs_loaded, timeout=5000):
        qtbot.mouseClick(summary.without_saving_button, Qt.MouseButton.LeftButton)
    assert not wizard.isVisible()
    assert not j.row_by_name(window, "contosoonprem").save_credentials and fake.secrets == {}


# -- browser sign-in without a browser ------------------------------------------------------
def _browser_sign_in(qtbot, window):
    from wizard.gui.add_org_wizard import PAGE_SIGN_IN

    wizard = j.open_wizard(qtbot, window)
    wizard.currentPage().online_radio.setChecked(True)
    j.next_page(qtbot, wizard, PAGE_SIGN_IN)
    page = wizard.currentPage()
    page.browser_radio.setChecked(True)
    qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    return wizard, page


def test_no_browser_shows_the_address_to_copy_and_offers_a_code(qtbot, window, fake):
    from PySide6.QtGui import QGuiApplication

    fake.browser_opens = False
    wizard, page = _browser_sign_in(qtbot, window)
    qtbot.wait_until(page.address_panel.isVisible, timeout=5000)
    panel = page.address_panel
    assert "No web browser could be opened" in panel.note.text()
    assert panel.address.isReadOnly() and panel.address.text().startswith("https://")
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == panel.address.text()
    qtbot.mouseClick(panel.code_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(page.device_panel.isVisible, timeout=5000)
    assert page.device_radio.isChecked() and page.device_panel.code_label.text() == "ABCD-EFGH"
    fake.device_approved.set()
    j.wait_complete(qtbot, wizard)
    assert wizard.account.username == "alice@contoso.example"
    wizard.reject()


def test_browser_sign_in_times_out_with_a_message_and_the_code_way_out(qtbot, window, fake):
    fake.browser_signs_in = False
    wizard, page = _browser_sign_in(qtbot, window)
    qtbot.wait_until(lambda: "within 5 minutes" in page.status.text(), timeout=5000)
    assert not page.busy and not page.isComplete()
    assert page.address_panel.isVisible() and page.address_panel.code_button.isVisible()
    wizard.reject()


def test_browser_sign_in_can_be_stopped(qtbot, window, fake):
    fake.browser_signs_in = False
    wizard, page = _browser_sign_in(qtbot, window)
    assert page.stop_button.isVisible() and page.busy
    qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    assert not page.busy and "stopped" in page.status.text()
    wizard.reject()
