"""Synchronize Now, the Synchronization settings page and the diagnostics bundle, driven
through the GUI against a sandbox tenant of this module's own (the settings tests change
org-wide settings): real msal, real Web API, real mailbox store."""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from shiboken6 import isValid

from tests.fixtures.leaks import assert_no_secrets_under
from tests.gui import journeys as j
from wizard.gui.sync_dialogs import SyncDialog
from wizard.sandbox import seed

pytestmark = pytest.mark.sandbox

ORG = "contosojp"


@pytest.fixture
def real(sb, wizard_home):
    yield from j.sandbox_services(sb.cloud_file, wizard_home)


@pytest.fixture
def window(qtbot, real, runner):
    yield from j.open_window(qtbot, real, runner, timeout=10000)


def _items(real):
    from wizard.engine.mailstore import SqliteMailStore

    with SqliteMailStore(real.engine.paths.mailbox_db) as store:
        return store.items()


def _sync(qtbot, window, *, then=None):
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "sync_now", timeout=60000):
        window.actions_by_name["sync_now"].trigger()
        if then is not None:
            then(window.sync_dialog)
    qtbot.wait_until(lambda: window.sync_dialog_running is None, timeout=10000)
    return window.sync_dialog


def test_synchronize_now_brings_items_into_the_mailbox(qtbot, window, real):
    j.add_online(qtbot, window, {ORG})
    assert window.last_sync_label.text() == "Never"
    with qtbot.wait_signal(window.orgs_loaded, timeout=30000):
        dialog = _sync(qtbot, window)
    summary = dialog.result_summary
    assert summary is not None, dialog.summary.text()
    items = _items(real)
    assert items and summary.came_in.get("create") == len(items)
    assert f"Into your mailbox: {len(items)} new" in dialog.summary.text()
    assert window.last_sync_label.text() != "Never"
    assert real.engine.mailbox.stamp().last_sync is not None
    details = dialog.details.toPlainText()
    assert details.count("Added to your mailbox: ") == len(items)
    assert "mailbox-create" not in details and " contact " not in details
    # a second run: nothing to do
    dialog = _sync(qtbot, window)
    assert "Into your mailbox: nothing" in dialog.summary.text()


def test_cancel_commits_nothing(qtbot, window, real):
    j.add_online(qtbot, window, {ORG})
    dialog = _sync(qtbot, window, then=lambda d: d.buttons.button(QDialogButtonBox.StandardButton.Cancel).click())
    assert dialog.result_summary is None
    assert "cancelled" in dialog.headline.text() and "commits nothing" in dialog.summary.text()
    assert _items(real) == []


def _foreign_stamp(real):
    real.engine.mailbox.claim(str(uuid.uuid4()), "Fabrikam Sales", override=True)


def _gate(qtbot, window):
    before = getattr(window, "stamp_gate_dialog", None)
    window.actions_by_name["sync_now"].trigger()
    qtbot.wait_until(lambda: getattr(window, "stamp_gate_dialog", None) is not before
                     and window.stamp_gate_dialog.isVisible(), timeout=30000)
    return window.stamp_gate_dialog


def test_stamp_gate_without_override(qtbot, window, real):
    j.add_online(qtbot, window, {ORG})
    _foreign_stamp(real)
    gate = _gate(qtbot, window)
    assert "Fabrikam Sales" in gate.findChildren(type(gate.help_label))[0].text()
    assert not gate.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    gate.help_button.click()
    assert gate.help_label.isVisible()
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "sync_now-declined"):
        gate.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert _items(real) == []
    assert real.engine.mailbox.stamp().org_name == "Fabrikam Sales"


def test_stamp_gate_with_override(qtbot, window, real):
    j.add_online(qtbot, window, {ORG})
    _foreign_stamp(real)
    gate = _gate(qtbot, window)
    gate.override_box.setChecked(True)
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "sync_now", timeout=60000):
        gate.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.wait_until(lambda: window.sync_dialog.result_summary is not None, timeout=10000)
    assert _items(real)
    assert real.engine.mailbox.stamp().org_id == seed.org_by_name(ORG).org_id


def test_user_without_the_privilege(qtbot, window, real):
    j.add_online(qtbot, window, {ORG}, username="bob@contoso.example")
    dialog = _sync(qtbot, window)
    assert dialog.result_summary is None
    assert "did not run" in dialog.headline.text()
    assert "Sync to Outlook" in dialog.summary.text() and "administrator" in dialog.summary.text()
    assert _items(real) == []
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "sync_settings", timeout=30000):
        window.actions_by_name["sync_settings"].trigger()
    page = window.settings_dialog
    assert not page.view.can_edit and "Only users with the Sync to Outlook privilege" in page.note.text()
    assert not any(w.isEnabled() for w in (page.attachments_box, page.address_combo, page.tasks_box,
                                           page.bookings_box))
    assert page.buttons.button(QDialogButtonBox.StandardButton.Ok) is None
    assert page.fields_model.rowCount() > 0 and page.filters_table.rowCount() > 0
    page.reject()


@pytest.mark.keyring
def test_no_network_keyring_or_disk_work_on_gui_thread_during_sync(qtbot, private_keyring, window, real,
                                                                   monkeypatch):
    import requests

    from wizard.engine.mailstore import SqliteMailStore
    from wizard.engine.orgs import OrgRegistry
    from wizard.engine.secrets import SecretStore
    from wizard.engine.stamp import MailboxStore

    j.add_online(qtbot, window, {ORG})
    spy = j.ThreadSpy(monkeypatch)
    spy.spy(requests.Session, "send")
    spy.spy(SecretStore, "get", "set", "delete")
    spy.spy(OrgRegistry, "list", "get", "primary", "_mutate")
    spy.spy(MailboxStore, "stamp", "claim", "record_sync")
    spy.spy(SqliteMailStore, "__init__", "items", "transaction")
    with qtbot.wait_signal(window.orgs_loaded, timeout=30000):
        dialog = _sync(qtbot, window)
    assert dialog.result_summary is not None
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "sync_settings", timeout=30000):
        window.actions_by_name["sync_settings"].trigger()
    window.settings_dialog.reject()
    assert {"send", "record_sync", "__init__", "transaction"} <= set(spy.calls)
    assert spy.on_gui == []


def test_diagnostics_bundle_saved_without_secrets(qtbot, window, real, tmp_path, wizard_home):
    j.add_online(qtbot, window, {ORG})
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "diagnostics", timeout=30000):
        window.diagnostics()
    dialog = window.diagnostics_dialog
    assert not dialog.bundle_panel.identities_box.isChecked()
    target = tmp_path / "out" / "bundle.zip"
    with qtbot.wait_signal(dialog.bundle_saved, timeout=60000):
        dialog.save_bundle(str(target))
    assert target.is_file() and str(target) in dialog.bundle_panel.status.text()
    with zipfile.ZipFile(target) as zf:
        names = zf.namelist()
        text = "\n".join(zf.read(n).decode("utf-8", "replace") for n in names)
    assert "manifest.json" in names and "connection-tests.json" in names
    assert "alice@contoso.example" not in text        # identities were not included
    assert_no_secrets_under(Path(target).parent, [seed.PRACTICE_PASSWORD])
    dialog.reject()


def _open_settings(qtbot, window):
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "sync_settings", timeout=30000):
        window.actions_by_name["sync_settings"].trigger()
    return window.settings_dialog


def _org_setting(sb, column):
    org = seed.org_by_name(ORG)
    return sb.store.get(ORG, "organization", org.org_id)[column]


def test_settings_editable_for_alice_and_address_switch(qtbot, window, real, sb):
    """Runs last in this module: it changes the org's settings."""
    j.add_online(qtbot, window, {ORG})
    _sync(qtbot, window)                   # linked contacts, so the switch has something to remap
    page = _open_settings(qtbot, window)
    assert page.view.can_edit and page.attachments_box.isEnabled()
    assert page.address_combo.currentData() is True
    kinds = [page.kind_combo.itemData(i) for i in range(page.kind_combo.count())]
    assert kinds == ["contact", "appointment", "task"]
    assert any(r.org_field == "description" for r in page.fields_model.rows())
    # labels, never internal names: the org's display names from its metadata
    shown = {page.fields_model.data(page.fields_model.index(r, c))
             for r in range(page.fields_model.rowCount()) for c in range(2)}
    assert "First Name" in shown and "First name" in shown and "Address 1: City" in shown
    assert not shown & {"first_name", "firstname", "description"}
    # the address mode: dry run, then Cancel changes nothing
    page.address_combo.setCurrentIndex(page.address_combo.findData(False))
    page.tasks_box.setChecked(True)
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "address_plan", timeout=30000):
        page.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    confirm = window.address_dialog
    assert confirm.table.rowCount() == len(confirm.plan.changes) > 0
    assert "backup" in confirm.explanation.text()
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "address_switch-cancelled"):
        confirm.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert _org_setting(sb, "iscontactmailingaddresssyncenabled") is True
    assert _org_setting(sb, "isassignedtaskssyncenabled") is False
    assert not list((real.engine.paths.data_dir / "backups").glob("*.json")) \
        if (real.engine.paths.data_dir / "backups").exists() else True
    # the cancelled choice is put back; choose it again ...
    assert page.address_combo.currentData() is True and page.tasks_box.isChecked()
    page.address_combo.setCurrentIndex(page.address_combo.findData(False))
    # ... and confirmed: a backup, the switch, the other change too
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "address_plan", timeout=30000):
        page.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "settings_saved", timeout=30000):
        window.address_dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert Path(window.last_backup).is_file()
    assert _org_setting(sb, "iscontactmailingaddresssyncenabled") is False
    assert _org_setting(sb, "isassignedtaskssyncenabled") is True
    assert not page.isVisible()
    # a plain setting, no dry run needed
    page = _open_settings(qtbot, window)
    assert page.address_combo.currentData() is False and page.tasks_box.isChecked()
    page.tasks_box.setChecked(False)
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "settings_saved", timeout=30000):
        page.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert _org_setting(sb, "isassignedtaskssyncenabled") is False


# -- the Mailbox window: Set Regarding online (real msal, real Web API), sent by the next
# Synchronize Now; the mailbox files keep no name of the record.

def test_set_regarding_online_reaches_the_org_and_no_name_is_stored(qtbot, window, real, sb,
                                                                    runner):
    j.add_online(qtbot, window, {ORG})
    _sync(qtbot, window)
    window.actions_by_name["mailbox"].trigger()
    mailbox = window.mailbox_window
    tasks = mailbox.models["task"]
    qtbot.wait_until(lambda: tasks.total() > 0 and not mailbox.loading, timeout=10000)
    mailbox.tabs.setCurrentIndex(2)
    row = next(r for r in range(tasks.rowCount())
               if tasks.row_at(r).title == "Call back about the renewal")
    mailbox.views["task"].selectRow(row)
    mailbox.commands["set_regarding"].trigger()
    picker = mailbox.picker
    qtbot.wait_until(picker.isVisible, timeout=5000)
    qtbot.keyClicks(picker.search, "Northwind")
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    qtbot.wait_until(lambda: picker.results.count() > 0, timeout=20000)
    assert "cannot be reached" not in picker.status.text()
    texts = [picker.results.item(i).text() for i in range(picker.results.count())]
    assert "Northwind Traders (Account)" in texts
    picker.results.setCurrentRow(texts.index("Northwind Traders (Account)"))
    qtbot.keyClick(picker.results, Qt.Key.Key_Return)
    local_id = tasks.row_at(row).local_id

    def regarding():
        from wizard.engine.mailstore import SqliteMailStore

        with SqliteMailStore(real.engine.paths.mailbox_db) as store:
            return store.get(local_id).data.get("regarding")

    qtbot.wait_until(lambda: (regarding() or "").startswith("account:"), timeout=10000)
    kind, _, account_id = regarding().partition(":")
    assert kind == "account"
    qtbot.wait_until(lambda: not mailbox.loading, timeout=10000)
    mailbox.close()
    qtbot.wait_until(lambda: not isValid(mailbox), timeout=5000)     # its rows go with it
    _sync(qtbot, window)
    org_task = next(t for t in sb.store.rows(ORG, "task")
                    if t["subject"] == "Call back about the renewal")
    assert org_task["_regardingobjectid_value"] == account_id

    # Cleared in the Mailbox window with the keyboard (Ctrl+Shift+R, once the sync result is
    # closed: it is window-modal): cleared in the org at the next sync.
    for dialog in window.findChildren(SyncDialog):
        dialog.accept()
    window.actions_by_name["mailbox"].trigger()
    mailbox = window.mailbox_window
    tasks = mailbox.models["task"]
    qtbot.wait_until(lambda: tasks.total() > 0 and not mailbox.loading, timeout=10000)
    mailbox.tabs.setCurrentIndex(2)
    row = next(r for r in range(tasks.rowCount()) if tasks.row_at(r).local_id == local_id)
    view = mailbox.views["task"]
    view.selectRow(row)
    mailbox.activateWindow()
    qtbot.wait_until(mailbox.isActiveWindow, timeout=5000)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_R,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.wait_until(lambda: regarding() is None, timeout=10000)
    qtbot.wait_until(lambda: not mailbox.loading, timeout=10000)
    mailbox.close()
    _sync(qtbot, window)
    org_task = next(t for t in sb.store.rows(ORG, "task")
                    if t["subject"] == "Call back about the renewal")
    assert org_task["_regardingobjectid_value"] is None
    # Background reads may still be closing their connections: let them finish, then read
    # every database file that exists (SQLite removes a WAL file when it checkpoints it).
    window.runner.wait_for_done()
    for path in real.engine.paths.data_dir.rglob("*.sqlite3*"):
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            continue
        assert b"Northwind" not in content, path
