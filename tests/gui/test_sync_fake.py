"""Synchronize Now, the Synchronization settings page and the diagnostics bundle against the
fake services: accessibility, tab order, the field model, and the flows' wiring."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QPushButton

from tests.gui import journeys as j
from tests.gui.test_accessibility import unnamed_controls
from wizard.gui.models import FieldMappingModel
from wizard.gui.views import FieldMappingRow


def _focus_chain(start, count):
    chain, widget = [], start
    for _ in range(count):
        chain.append(widget)
        widget = widget.nextInFocusChain()
        while not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus) or not widget.isVisible() \
                or not widget.isEnabled():
            widget = widget.nextInFocusChain()
    return chain


def test_field_mapping_model_passes_modeltester(qtmodeltester):
    model = FieldMappingModel()
    model.set_rows([FieldMappingRow("Notes", "notes", "description", 0),
                    FieldMappingRow("First Name", "first_name", "firstname", 3),
                    FieldMappingRow("Due", "due", "scheduledend", 1),
                    FieldMappingRow("Sender", "sender", "sender", 2)])
    qtmodeltester.check(model, force_py=True)
    qtmodeltester.check(model)
    texts = [model.data(model.index(r, 2)) for r in range(4)]
    assert texts == ["✕ Not synchronized", "⇄ Both ways", "→ To the mailbox", "← To the organization"]
    assert model.data(model.index(0, 2), FieldMappingModel.DIRECTION_ROLE) == 0
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Organization field"
    shown = {model.data(model.index(r, c)) for r in range(4) for c in range(2)}
    assert not shown & {"first_name", "firstname", "scheduledend", "description"}


def _synchronize_now(qtbot, window):
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "sync_now", timeout=10000):
        window.actions_by_name["sync_now"].trigger()
    return window.sync_dialog


def test_synchronize_now_shows_progress_result_and_details(qtbot, window, fake):
    assert not window.actions_by_name["sync_now"].isEnabled()          # no synchronizing org yet
    j.add_online(qtbot, window, {"contosona"})
    assert window.actions_by_name["sync_now"].isEnabled()
    assert window.actions_by_name["sync_now"].shortcut().toString() == "F9"
    assert window.last_sync_label.text() == "Never"
    with qtbot.wait_signal(window.orgs_loaded, timeout=10000):
        dialog = _synchronize_now(qtbot, window)
    text = dialog.summary.text()
    assert "Into your mailbox: 3 new" in text and "Into the organization: 1 changed" in text
    assert "1 conflict:" in text and "Ann Lee: the organization refused the change" in text
    assert dialog.details_button.isVisible() and not dialog.details.isVisible()
    dialog.details_button.click()
    assert dialog.details.isVisible() and "Added to your mailbox" in dialog.details.toPlainText()
    assert window.last_sync_label.text() != "Never"
    assert unnamed_controls(dialog) == []
    assert all(t is not threading.main_thread() for _n, t in fake.blocking_threads)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Close).click()
    assert not dialog.isVisible()


def test_a_failed_sync_offers_its_fix_as_the_default_button(qtbot, window, fake):
    from wizard.engine.dataverse import SignInRequired, Throttled

    j.add_online(qtbot, window, {"contosona", "contosojp"})
    primary = window.model.primary()
    other = next(r for r in window.model.rows() if not r.is_primary)
    window.select_key(other.key)                      # the fix is for the synchronizing org
    fake.sync_errors = [SignInRequired(401, None, org=primary.display_name)]
    dialog = _synchronize_now(qtbot, window)
    button = dialog.findChild(QPushButton, "syncFixButton")
    assert button is not None and button.text() == "Sign in…" and button.isDefault()
    assert "d365-orgs" not in dialog.summary.text() and unnamed_controls(dialog) == []
    button.click()
    qtbot.waitUntil(lambda: getattr(window, "reauth_dialog", None) is not None
                    and window.reauth_dialog.isVisible())
    assert not dialog.isVisible() and window.reauth_dialog.row.key == primary.key
    window.reauth_dialog.reject()
    # no specific fix: Try again runs the synchronization again
    fake.sync_errors = [Throttled(429, None, org=primary.display_name)]
    dialog = _synchronize_now(qtbot, window)
    button = dialog.findChild(QPushButton, "syncFixButton")
    assert button.text() == "Try again" and button.isDefault()
    calls = fake.calls.count("synchronize_now")
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "sync_now", timeout=10000):
        QTest.keyClick(dialog, Qt.Key.Key_Return)      # the default button, from the keyboard
    assert fake.calls.count("synchronize_now") == calls + 1
    assert "Into your mailbox: 3 new" in window.sync_dialog.summary.text()


def test_settings_page_named_tab_order_and_address_dialog(qtbot, window, fake):
    j.add_online(qtbot, window, {"contosona"})
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "sync_settings"):
        window.actions_by_name["sync_settings"].trigger()
    dialog = window.settings_dialog
    qtbot.wait_until(dialog.isVisible)
    assert unnamed_controls(dialog) == []
    dialog.attachments_box.setFocus()
    names = [w for w in _focus_chain(dialog.attachments_box, 8)]
    assert names[:7] == [dialog.attachments_box, dialog.address_combo, dialog.tasks_box, dialog.bookings_box,
                         dialog.kind_combo, dialog.fields_view, dialog.filters_table]
    assert dialog.fields_model.rowCount() == 2
    dialog.kind_combo.setCurrentIndex(2)
    assert dialog.fields_model.rows()[0].label == "Due Date"
    dialog.address_combo.setCurrentIndex(1)
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "address_plan"):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    confirm = window.address_dialog
    assert unnamed_controls(confirm) == []
    assert confirm.table.rowCount() == 2 and "backup" in confirm.explanation.text()
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "address_switch-cancelled"):
        confirm.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert fake.settings["mailing_address_only"] is True and dialog.isVisible()
    # the choice is back to what the org has, so OK now changes nothing
    assert dialog.address_combo.currentData() is True and dialog.changes() == ({}, None)
    assert "stay as they were" in dialog.error_label.text()
    dialog.reject()


def test_diagnostics_bundle_panel(qtbot, window, fake, tmp_path):
    j.add_online(qtbot, window, {"contosona"})
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "diagnostics"):
        window.diagnostics()
    dialog = window.diagnostics_dialog
    panel = dialog.bundle_panel
    assert unnamed_controls(dialog) == []
    assert not panel.identities_box.isChecked()
    target = tmp_path / "bundle.zip"
    with qtbot.wait_signal(dialog.bundle_saved, timeout=10000):
        dialog.save_bundle(str(target))
    assert target.exists() and str(target) in panel.status.text()
    assert "save_diagnostics_bundle" in fake.calls
    dialog.reject()


def _mailbox_page(qtbot, window):
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "sync_settings"):
        window.actions_by_name["sync_settings"].trigger()
    dialog = window.settings_dialog
    qtbot.wait_until(dialog.isVisible)
    dialog.tabs.setCurrentWidget(dialog.mailbox_page)
    return dialog, dialog.mailbox_page


def test_mailbox_page_tests_and_uses_a_dav_account_off_the_gui_thread(qtbot, window, fake):
    j.add_online(qtbot, window, {"contosona"})
    dialog, page = _mailbox_page(qtbot, window)
    assert unnamed_controls(dialog) == []
    assert page.local_radio.isChecked() and "own mailbox" in page.current.text()
    assert not page.url_edit.isEnabled() and not page.folder_edit.isEnabled()
    page.dav_radio.setChecked(True)
    assert page.url_edit.isEnabled() and page.password_edit.isEnabled()
    assert page.password_edit.echoMode() == page.password_edit.EchoMode.Password
    page.url_edit.setText("https://cloud.example.com/remote.php/dav/")
    page.user_edit.setText("ann")
    page.password_edit.setText("wrong")
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "mailbox_tested"):
        page.test_button.click()
    assert "did not accept the user name and password" in page.status.text()
    assert page.found.rowCount() == 0 and page.test_button.isEnabled()
    page.password_edit.setText(fake.dav_password)
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "mailbox_tested"):
        page.test_button.click()
    assert page.found.rowCount() == 3
    assert [page.found.item(r, 0).text() for r in range(3)] == ["Calendar", "Task list", "Address book"]
    assert fake.mailbox.side == "local"                       # a test changes nothing
    seen = []
    page.progress.valueChanged.connect(seen.append)
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "mailbox_used"):
        page.use_button.click()
    assert fake.mailbox.side == "dav" and "now synchronizes with this mailbox" in page.status.text()
    assert "3 new" in page.status.text()
    assert page.password_edit.text() == "" and "cloud.example.com" in page.current.text()
    assert seen, "the first synchronization showed no progress"
    for name in ("test_mailbox_side", "connect_mailbox_side", "synchronize_now", "mailbox_side"):
        assert name in fake.calls
    assert all(t is not threading.main_thread() for _n, t in fake.blocking_threads)
    dialog.reject()


def test_mailbox_page_vdir_without_a_folder_says_so(qtbot, window, fake):
    j.add_online(qtbot, window, {"contosona"})
    dialog, page = _mailbox_page(qtbot, window)
    page.vdir_radio.setChecked(True)
    assert page.folder_edit.isEnabled() and page.browse_button.isEnabled()
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "mailbox_tested"):
        page.test_button.click()
    assert "no folder was given" in page.status.text()
    page.folder_edit.setText("/home/ann/.calendars/d365")
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "mailbox_tested"):
        page.test_button.click()
    assert page.found.item(2, 2).text() == "/home/ann/.calendars/d365/contacts"
    dialog.reject()
