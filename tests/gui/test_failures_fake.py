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


# -- "Sign in…" on an org in the list: its own dialog ------------------------------------------
def test_sign_in_on_an_org_opens_its_reauth_dialog_not_the_wizard(qtbot, window, fake):
    from PySide6.QtWidgets import QLineEdit

    j.add_online(qtbot, window, {"contosona"})
    with qtbot.wait_signal(window.orgs_loaded, timeout=5000):
        window.sign_out()
    dialog = j.open_reauth(qtbot, window, "contosona")
    assert getattr(window, "add_wizard", None) is None or not window.add_wizard.isVisible()
    row = j.row_by_name(window, "contosona")
    assert dialog.address.text() == row.url
    assert row.url not in [e.text() for e in dialog.findChildren(QLineEdit) if not e.isReadOnly()]
    assert dialog.form_radio.isChecked() and dialog.credentials.isVisible()     # sandbox mode
    dialog.user_edit.setText("alice@contoso.example")
    dialog.password_edit.setText(seed.PRACTICE_PASSWORD)
    with qtbot.wait_signal(window.orgs_loaded, timeout=5000):
        with qtbot.wait_signal(dialog.sign_in_ended, timeout=5000):
            qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert "All steps passed" in dialog.status.text() and dialog.model.rowCount() > 0
    assert "sign_in_org:form" in fake.calls
    row = j.row_by_name(window, "contosona")
    assert row.user == "alice@contoso.example" and row.status == "connected"
    dialog.close()


def test_reauth_dialog_device_code_and_keyboard(qtbot, window, fake):
    j.add_online(qtbot, window, {"contosona"})
    dialog = j.open_reauth(qtbot, window, "contosona")
    for widget in (dialog.form_radio, dialog.browser_radio, dialog.device_radio, dialog.sign_in_button,
                   dialog.user_edit, dialog.password_edit, dialog.address):
        assert widget.accessibleName(), widget
        assert widget.focusPolicy() != Qt.FocusPolicy.NoFocus or widget is dialog.address
    chain, widget = [], dialog.focusWidget() or dialog.sign_in_button
    for _ in range(12):                       # Tab reaches every way to sign in and the button
        chain.append(widget)
        widget = widget.nextInFocusChain()
        while not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus) or not widget.isVisible():
            widget = widget.nextInFocusChain()
    assert {dialog.form_radio, dialog.browser_radio, dialog.sign_in_button} <= set(chain)
    dialog.device_radio.setFocus()
    qtbot.keyClick(dialog.device_radio, Qt.Key.Key_Space)
    assert dialog.device_radio.isChecked() and not dialog.credentials.isVisible()
    with qtbot.wait_signal(dialog.sign_in_ended, timeout=5000):
        dialog.sign_in_button.setFocus()
        qtbot.keyClick(dialog.sign_in_button, Qt.Key.Key_Space)
        qtbot.wait_until(dialog.device_panel.isVisible, timeout=5000)
        assert dialog.device_panel.code_label.text() == "ABCD-EFGH"
        fake.device_approved.set()
    assert "sign_in_org:device_code" in fake.calls and "All steps passed" in dialog.status.text()
    dialog.close()


def test_reauth_onprem_asks_only_for_the_password_and_rejects_a_wrong_one(qtbot, window, fake):
    wizard = j.add_by_url(qtbot, window, ONPREM)
    j.enter_credentials(qtbot, wizard, "CONTOSO\\alice", seed.PRACTICE_PASSWORD, save=False)
    j.wait_complete(qtbot, wizard)
    wizard.next()
    j.finish_wizard(qtbot, window, wizard)
    dialog = j.open_reauth(qtbot, window, "contosoonprem")
    assert not dialog.browser_radio.isVisible() and not dialog.device_radio.isVisible()
    assert dialog.user_edit.text() == "CONTOSO\\alice" and dialog.focusWidget() is dialog.password_edit
    dialog.password_edit.setText("wrong")
    with qtbot.wait_signal(dialog.sign_in_ended, timeout=5000):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert "not correct" in dialog.status.text() and dialog.focusWidget() is dialog.password_edit
    dialog.password_edit.setText(seed.PRACTICE_PASSWORD)
    dialog.save_box.setChecked(True)
    with qtbot.wait_signal(dialog.sign_in_ended, timeout=5000):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    key = j.row_by_name(window, "contosoonprem").key
    assert fake.secrets == {key: seed.PRACTICE_PASSWORD}
    dialog.close()


# -- fixes as actions -----------------------------------------------------------------------
def _failed_test(qtbot, window, fake, step: str, action: str):
    """Add an org and test its connection with ``step`` failing with ``action`` as its fix:
    the test dialog, once it lists the steps."""
    j.add_online(qtbot, window, {"contosona"})
    fake.fail_test_step, fake.fail_test_action = step, action
    window.test_connection()
    dialog = window.test_dialog
    qtbot.wait_until(lambda: dialog.steps is not None, timeout=5000)
    return dialog


def test_connection_test_offers_the_failed_steps_fix_as_a_button(qtbot, window, fake):
    dialog = _failed_test(qtbot, window, fake, "signin", "sign_in")
    assert dialog.fix_button.isVisible() and dialog.fix_button.text() == "Sign in…"
    qtbot.mouseClick(dialog.fix_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: getattr(window, "reauth_dialog", None) is not None
                     and window.reauth_dialog.isVisible(), timeout=5000)
    window.reauth_dialog.close()


def test_test_again_reruns_the_test_in_place(qtbot, window, fake):
    dialog = _failed_test(qtbot, window, fake, "tls", "test_again")
    assert dialog.fix_button.text() == "Test the connection"
    fake.fail_test_step = None
    qtbot.mouseClick(dialog.fix_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: dialog.steps is not None and "All steps passed" in dialog.summary.text(),
                     timeout=5000)
    assert dialog.isVisible() and fake.calls.count("test_connection") == 2
    dialog.close()


def test_an_error_box_offers_the_errors_action(qtbot, window, fake):
    from PySide6.QtWidgets import QPushButton

    from wizard.engine.signin_errors import NotSignedInYet
    from wizard.gui.widgets import error_box

    done = []
    box = error_box(window, NotSignedInYet(), on_action=done.append)
    button = box.findChild(QPushButton, "errorActionButton")
    assert button is not None and button.text() == "Sign in…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert done == ["sign_in"] and not box.isVisible()


# -- no GUI-visible text names a command ------------------------------------------------------
def visible_texts() -> list[str]:
    """Every text a user can see or hear in the open windows: labels, buttons, titles,
    tooltips, accessible names and descriptions, message boxes, actions and table cells."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

    texts: list[str] = []
    getters = ("text", "toolTip", "accessibleName", "accessibleDescription", "windowTitle", "placeholderText",
               "informativeText", "detailedText", "title", "subTitle", "statusTip", "whatsThis", "currentText")
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        for widget in [top, *top.findChildren(QWidget), *top.findChildren(QAction)]:
            for name in getters:
                getter = getattr(widget, name, None)
                if not callable(getter):
                    continue
                try:
                    value = getter()
                except TypeError:
                    continue
                if isinstance(value, str) and value:
                    texts.append(value)
            if isinstance(widget, QAbstractItemView) and widget.model() is not None:
                model = widget.model()
                for row in range(model.rowCount()):
                    for column in range(model.columnCount()):
                        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                            value = model.data(model.index(row, column), role)
                            if isinstance(value, str) and value:
                                texts.append(value)
    return texts


def _commands(texts):
    return sorted({t for t in texts if "d365-orgs" in t or "--password-stdin" in t or "--device-code" in t})


@pytest.fixture(params=["en", "ja"])
def language(request, qapp):
    from PySide6.QtCore import QCoreApplication, QLocale

    from wizard.gui.i18n import install_translators

    translators = install_translators(qapp, request.param) if request.param == "ja" else []
    yield request.param
    for t in translators:
        QCoreApplication.removeTranslator(t)
    QLocale.setDefault(QLocale("en_US"))


def test_no_gui_visible_text_names_a_command(qtbot, language, window, fake):
    from wizard.engine.connect import WindowsCredentialsRequired
    from wizard.engine.signin_errors import NoBrowser, NotSignedInYet
    from wizard.gui.widgets import error_box

    seen: list[str] = []
    j.add_online(qtbot, window, {"contosona"})
    seen += visible_texts()
    # the Connecting page's failed sign-in, and the sign-in page without a browser
    wizard = j.add_by_url(qtbot, window, ONPREM)
    j.enter_credentials(qtbot, wizard, "CONTOSO\\alice", "wrong", save=False)
    qtbot.wait_until(lambda: wizard.currentPage().failure is not None, timeout=5000)
    seen += visible_texts()
    wizard.reject()
    fake.browser_opens, fake.browser_signs_in = False, False
    wizard, page = _browser_sign_in(qtbot, window)
    qtbot.wait_until(lambda: not page.busy, timeout=5000)
    seen += visible_texts()
    wizard.reject()
    # a failed connection test with its fix, the re-authentication dialog, error boxes
    fake.fail_test_step, fake.fail_test_action = "signin", "sign_in"
    window.test_connection()
    qtbot.wait_until(lambda: window.test_dialog.steps is not None, timeout=5000)
    seen += visible_texts()
    window.test_dialog.close()
    dialog = j.open_reauth(qtbot, window, "contosona")
    dialog.user_edit.setText("alice@contoso.example")
    dialog.password_edit.setText("wrong")
    with qtbot.wait_signal(dialog.sign_in_ended, timeout=5000):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    seen += visible_texts()
    dialog.close()
    for exc in (NotSignedInYet(), NoBrowser(), WindowsCredentialsRequired(org="https://server")):
        box = error_box(window, exc, on_action=lambda _a: None)
        seen += visible_texts()
        box.close()
    window.properties()
    seen += visible_texts()
    window.properties_dialog.close()
    assert len(seen) > 200
    assert language == "en" or any("組織" in t for t in seen)
    assert _commands(seen) == []


# -- wording and layout of the Add wizard -------------------------------------------------
def test_first_page_focuses_the_address_field(qtbot, window):
    wizard = j.open_wizard(qtbot, window)
    page = wizard.currentPage()
    qtbot.wait_until(lambda: wizard.focusWidget() is page.url_edit, timeout=5000)
    wizard.reject()


def test_org_picker_shows_check_boxes_that_follow_the_selection(qtbot, window, fake):
    from PySide6.QtCore import Qt as _Qt

    wizard = j.open_wizard(qtbot, window)
    wizard.currentPage().online_radio.setChecked(True)
    from wizard.gui.add_org_wizard import PAGE_PICK, PAGE_SIGN_IN

    j.next_page(qtbot, wizard, PAGE_SIGN_IN)
    j.form_sign_in(qtbot, wizard, "alice@contoso.example", seed.PRACTICE_PASSWORD)
    j.wait_complete(qtbot, wizard)
    j.next_page(qtbot, wizard, PAGE_PICK)
    page = wizard.currentPage()
    qtbot.wait_until(lambda: page.loaded, timeout=5000)
    assert page.status.text() == f"{page.model.rowCount()} organizations found."
    page.view.clearSelection()
    check = _Qt.ItemDataRole.CheckStateRole
    states = {page.model.org_at(page.proxy.mapToSource(page.proxy.index(r, 0)).row()).unique_name:
              page.proxy.data(page.proxy.index(r, 0), check) for r in range(page.proxy.rowCount())}
    assert states["contosoretired"] is None                       # disabled: no box at all
    assert {v for k, v in states.items() if k != "contosoretired"} == {_Qt.CheckState.Unchecked}
    page.select_unique_names({"contosojp"})
    row = next(r for r in range(page.proxy.rowCount())
               if page.model.org_at(page.proxy.mapToSource(page.proxy.index(r, 0)).row()).unique_name == "contosojp")
    assert page.proxy.data(page.proxy.index(row, 0), check) == _Qt.CheckState.Checked
    wizard.reject()


def test_summary_lets_the_user_choose_the_synchronizing_org(qtbot, window, fake):
    wizard = j.add_online(qtbot, window, {"contosona", "contosojp"}, finish=False)
    summary = wizard.currentPage()
    assert summary.primary_row.isVisible()
    assert "will become your synchronizing organization" not in summary.label.text()
    jp = next(i for i in range(summary.primary_combo.count()) if "Japan" in summary.primary_combo.itemText(i))
    summary.primary_combo.setCurrentIndex(jp)
    j.finish_wizard(qtbot, window, wizard)
    assert j.row_by_name(window, "contosojp").is_primary and not j.row_by_name(window, "contosona").is_primary


def test_re_adding_an_org_says_it_will_be_updated(qtbot, window, fake):
    j.add_online(qtbot, window, {"contosona"})
    wizard = j.add_online(qtbot, window, {"contosona"}, finish=False)
    text = wizard.currentPage().label.text()
    assert "Already in your list as Contoso (North America); it will be updated." in text
    assert not wizard.currentPage().primary_row.isVisible()
    wizard.reject()


def test_an_unreachable_address_names_what_the_user_typed(qtbot, window, fake):
    from wizard.gui.add_org_wizard import PAGE_DETECT

    wizard = j.open_wizard(qtbot, window)
    wizard.currentPage().url_edit.setText("nosuch.crm4.dynamics.com/main.aspx")
    j.next_page(qtbot, wizard, PAGE_DETECT)
    page = wizard.currentPage()
    qtbot.wait_until(lambda: "Could not reach" in page.label.text(), timeout=5000)
    assert "“nosuch.crm4.dynamics.com/main.aspx”" in page.label.text()
    assert page.subTitle()
    wizard.reject()
