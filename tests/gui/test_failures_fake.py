"""Failures with a way out (issue 16), against the in-memory services: each failure says what
happened and offers the fix as a button that does it."""

from __future__ import annotations

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
