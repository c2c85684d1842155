"""Every journey of the GUI, against the in-memory services (fast, no network)."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from tests.gui import journeys as j
from wizard.gui.add_org_wizard import PAGE_CONNECT
from wizard.sandbox import seed


def test_add_online_pick_one_becomes_synchronizing(qtbot, window, fake):
    j.add_online(qtbot, window, {"contosona"})
    rows = window.model.rows()
    assert [r.unique_name for r in rows] == ["contosona"]
    assert rows[0].is_primary
    assert "Contoso (North America)" in window.primary_label.text()


def test_add_online_pick_several_and_disabled_not_selectable(qtbot, window, fake):
    wizard = j.add_online(qtbot, window, {"contosona", "contosojp", "contosoretired"}, finish=False)
    assert [c.unique_name for c in wizard.connected] == ["contosona", "contosojp"]
    j.finish_wizard(qtbot, window, wizard)
    assert {r.unique_name for r in window.model.rows()} == {"contosona", "contosojp"}
    assert sum(r.is_primary for r in window.model.rows()) == 1


def test_bad_url_feedback_blocks_next(qtbot, window):
    wizard = j.open_wizard(qtbot, window)
    page = wizard.currentPage()
    page.url_edit.setText("ftp://nope")
    assert page.feedback.text().startswith("✖")
    assert not page.isComplete()
    page.url_edit.setText("")
    assert not page.isComplete()
    wizard.reject()


def test_add_onprem_with_saved_and_unsaved_credentials(qtbot, window, fake):
    url = fake.parse_url("https://127.0.0.1:4430/contosoonprem").base_url
    wizard = j.add_by_url(qtbot, window, url + "/main.aspx")
    j.enter_credentials(qtbot, wizard, "CONTOSO\\alice", seed.PRACTICE_PASSWORD, save=False)
    j.wait_complete(qtbot, wizard)
    wizard.next()
    assert "will not be saved" in wizard.currentPage().label.text()
    j.finish_wizard(qtbot, window, wizard)
    assert fake.secrets == {}
    key = j.row_by_name(window, "contosoonprem").key
    # again, saving this time: same org updated, password kept in the (fake) keyring
    wizard = j.add_by_url(qtbot, window, url)
    j.enter_credentials(qtbot, wizard, "CONTOSO\\alice", seed.PRACTICE_PASSWORD, save=True)
    j.wait_complete(qtbot, wizard)
    wizard.next()
    j.finish_wizard(qtbot, window, wizard)
    assert fake.secrets == {key: seed.PRACTICE_PASSWORD}
    assert len(window.model.rows()) == 1


def test_connect_failure_shows_step_and_back_corrects(qtbot, window, fake):
    url = fake.parse_url("https://127.0.0.1:4430/contosoonprem").base_url
    wizard = j.add_by_url(qtbot, window, url)
    j.enter_credentials(qtbot, wizard, "CONTOSO\\alice", "wrong", save=False)
    page = wizard.currentPage()
    qtbot.wait_until(lambda: page.failure is not None, timeout=5000)
    assert "Sign in" in page.result_label.text() and "not correct" in page.result_label.text()
    assert not page.isComplete()
    wizard.back()
    wizard.currentPage().password_edit.setText(seed.PRACTICE_PASSWORD)
    j.next_page(qtbot, wizard, PAGE_CONNECT)
    j.wait_complete(qtbot, wizard)
    assert wizard.currentPage().failure is None
    wizard.reject()
    assert fake.orgs == {}     # only Finish commits


def _two_orgs(qtbot, window):
    j.add_online(qtbot, window, {"contosona", "contosojp"})
    return j.row_by_name(window, "contosona"), j.row_by_name(window, "contosojp")


def test_switch_synchronizing_org_ok_and_cancel(qtbot, window, fake):
    na, jp = _two_orgs(qtbot, window)
    assert na.is_primary
    j.select(window, jp.key)
    window.synchronize()
    qtbot.wait_until(lambda: getattr(window, "switch_dialog", None) is not None and window.switch_dialog.isVisible())
    dialog = window.switch_dialog
    question = dialog.findChildren(type(dialog.plan_label))[0].text()
    assert "Do you want to change your synchronizing organization?" in question
    assert "Contoso (Japan)" in dialog.plan_label.text()
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "synchronize-cancelled"):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert j.row_by_name(window, "contosona").is_primary
    window.synchronize()
    qtbot.wait_until(lambda: window.switch_dialog is not dialog and window.switch_dialog.isVisible())
    with qtbot.wait_signal(window.orgs_loaded, timeout=5000):
        window.switch_dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert j.row_by_name(window, "contosojp").is_primary
    assert not j.row_by_name(window, "contosona").is_primary
    assert window.primary_label.text() == "Contoso (Japan)"


def _conflict(qtbot, window, fake):
    na, jp = _two_orgs(qtbot, window)
    fake.stamp = ("other-org-id", "Fabrikam Sales")
    j.select(window, jp.key)
    window.synchronize()
    qtbot.wait_until(lambda: getattr(window, "switch_dialog", None) is not None and window.switch_dialog.isVisible())
    dialog = window.switch_dialog
    assert dialog.override_box is not None
    assert "Fabrikam Sales" in dialog.findChildren(type(dialog.plan_label))[2].text() or \
        any("Fabrikam Sales" in lbl.text() for lbl in dialog.findChildren(type(dialog.plan_label)))
    assert not dialog.help_label.isVisible()
    dialog.help_button.click()
    assert dialog.help_label.isVisible() and "migrated" in dialog.help_label.text()
    return dialog


def test_stamp_conflict_without_override_changes_nothing(qtbot, window, fake):
    dialog = _conflict(qtbot, window, fake)
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "synchronize"):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    errors = j.close_errors()
    assert errors and "Fabrikam Sales" in errors[0]
    assert j.row_by_name(window, "contosona").is_primary


def test_stamp_conflict_with_override_switches(qtbot, window, fake):
    dialog = _conflict(qtbot, window, fake)
    dialog.override_box.setChecked(True)
    with qtbot.wait_signal(window.orgs_loaded, timeout=5000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert j.row_by_name(window, "contosojp").is_primary
    assert fake.stamp[1] == "Contoso (Japan)"


def test_delete_asks_and_removes(qtbot, window, fake):
    na, jp = _two_orgs(qtbot, window)
    j.select(window, jp.key)
    window.delete()
    j.answer(qtbot, "confirmDelete", QMessageBox.StandardButton.Cancel)
    qtbot.wait(50)
    assert len(window.model.rows()) == 2
    window.delete()
    with qtbot.wait_signal(window.orgs_loaded, timeout=5000):
        j.answer_remove(qtbot)
    assert [r.unique_name for r in window.model.rows()] == ["contosona"]


def test_rename_in_properties(qtbot, window, fake):
    na, jp = _two_orgs(qtbot, window)
    j.select(window, jp.key)
    window.properties()
    dialog = window.properties_dialog
    dialog.name_edit.setText("Contoso (North America)")   # taken: error shown, dialog stays
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.wait_until(lambda: dialog.error_label.text() != "", timeout=5000)
    assert dialog.isVisible()
    dialog.name_edit.setText("Japan sales")
    with qtbot.wait_signal(window.orgs_loaded, timeout=5000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert j.row_by_name(window, "contosojp").display_name == "Japan sales"


def test_test_connection_failure_shows_fix(qtbot, window, fake):
    j.add_online(qtbot, window, {"contosona"})
    fake.fail_test_step = "tls"
    j.select(window, j.row_by_name(window, "contosona").key)
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "test", timeout=5000):
        window.test_connection()
    dialog = window.test_dialog
    assert "Secure connection" in dialog.summary.text()
    assert "proxy" in dialog.summary.text()
    assert j.row_by_name(window, "contosona").status == "error"


def test_sign_out(qtbot, window, fake):
    j.add_online(qtbot, window, {"contosona"})
    with qtbot.wait_signal(window.orgs_loaded, timeout=5000):
        window.sign_out()
    row = j.row_by_name(window, "contosona")
    assert row.user is None and row.status == "needs_sign_in"


def test_sign_in_again_after_sign_out(qtbot, window, fake):
    j.add_online(qtbot, window, {"contosona"})
    key = j.row_by_name(window, "contosona").key
    with qtbot.wait_signal(window.orgs_loaded, timeout=5000):
        window.sign_out()
    window.sign_in()
    dialog = window.reauth_dialog                      # the org's own dialog, not the Add wizard
    qtbot.wait_until(dialog.isVisible, timeout=5000)
    dialog.user_edit.setText("alice@contoso.example")
    dialog.password_edit.setText(seed.PRACTICE_PASSWORD)
    with qtbot.wait_signal(window.orgs_loaded, timeout=5000):
        dialog.sign_in()
    dialog.close()
    row = j.row_by_name(window, "contosona")
    assert row.key == key and row.user == "alice@contoso.example" and len(window.model.rows()) == 1
    assert row.status == "connected"


def test_mfa_user_is_asked_for_a_code(qtbot, window, fake):
    j.mfa_sign_in(qtbot, window)


def test_user_without_sync_privilege_is_told(qtbot, window, fake):
    wizard = j.add_online(qtbot, window, {"contosona"}, username="bob@contoso.example", finish=False)
    assert "Sync to Outlook privilege" in wizard.currentPage().label.text()
    j.finish_wizard(qtbot, window, wizard)


def test_keyboard_shortcuts_and_accessibility(qtbot, window):
    for name, action in window.actions_by_name.items():
        assert not action.shortcut().isEmpty(), name
    for name, button in window.buttons.items():
        assert button.accessibleName() and button.accessibleDescription()
        # toolbar buttons show no mnemonic; their actions have one in the Synchronization menu
        shown = window.actions_by_name[name] if name in ("sync_now", "sync_settings") else button
        assert "&" in shown.text()
    assert window.table.accessibleName()


def test_no_blocking_call_on_gui_thread(qtbot, window, fake):
    j.add_online(qtbot, window, {"contosona", "contosojp"})
    assert fake.blocking_threads
    assert "warm_up" in fake.calls          # the imports ahead of sign-in ran, on a worker
    assert all(t is not threading.main_thread() for _name, t in fake.blocking_threads)
