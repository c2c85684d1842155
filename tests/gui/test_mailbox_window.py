"""The Mailbox window on a real engine and a real local mailbox (SQLite): tabs, the lazy
model (qtmodeltester, 20,000 items), Track/Untrack with their notices, Set and Clear
Regarding (offline from the mailbox's contacts), keyboard only."""

from __future__ import annotations

import json
import uuid

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QMessageBox

from wizard.engine.context import Engine
from wizard.engine.mailstore import SqliteMailStore
from wizard.engine.orgs import OrgProfile
from wizard.engine.paths import AppPaths
from wizard.engine.sync import mailbox_items
from wizard.engine.sync.status import StatusDB, StatusRow
from wizard.gui.mailbox_window import CHUNK, MailboxItemsModel, MailboxWindow

ORG_ID = "a1b2c3d4-0001-4000-8000-000000000001"
ME = "5e7a0001-0000-4000-8000-000000000001"
OTHER = "5e7a0002-0000-4000-8000-000000000002"


class NoSecrets:
    available = True
    backend_name = "test"

    def delete_org(self, key):
        pass


@pytest.fixture
def engine(wizard_home):
    eng = Engine(AppPaths.resolve(wizard_home), secret_store=NoSecrets())
    eng.registry.add(OrgProfile(base_url="https://127.0.0.1:9", display_name="Contoso",
                                org_id=ORG_ID, user_id=ME, unique_name="contoso"))
    return eng


def _store(engine):
    engine.paths.ensure()
    return SqliteMailStore(engine.paths.mailbox_db)


@pytest.fixture
def items(engine):
    """A task of mine (tracked), a task someone else owns (tracked), an untracked
    appointment, an e-mail and a contact linked to an org contact."""
    contact_id = str(uuid.uuid4())
    with _store(engine) as store:
        mine = store.add("task", {"subject": "Call back Fourth Coffee"}, tracked=True)
        theirs = store.add("task", {"subject": "Prepare the quote"}, tracked=True)
        meeting = store.add("appointment", {"subject": "Quarterly review",
                                            "start": "2026-03-02T10:00:00Z",
                                            "end": "2026-03-02T11:00:00Z"})
        mail = store.add("email", {"subject": "Welcome aboard", "sender": "ada@example.com",
                                   "to": ["alice@contoso.example"]})
        person = store.add("contact", {"first_name": "Ada", "last_name": "Abbott",
                                       "email1": "ada.abbott@example.com"})
        for item, rid in ((mine, str(uuid.uuid4())), (theirs, str(uuid.uuid4())),
                          (person, contact_id)):
            store.link(item.local_id, rid)
        status = StatusDB(store.conn, ORG_ID)
        for item, owner in ((mine, ME), (theirs, OTHER)):
            linked = store.get(item.local_id)
            status.put(StatusRow("task", linked.org_record_id, item.local_id, "linked", "W/\"1\"",
                                 linked.hash, {}, owner, True))
    return {"mine": mine.local_id, "theirs": theirs.local_id, "meeting": meeting.local_id,
            "mail": mail.local_id, "contact": contact_id}


@pytest.fixture
def window(qtbot, engine, items, runner):
    w = MailboxWindow(engine, runner)
    qtbot.addWidget(w)
    w.show()
    qtbot.wait_until(lambda: not w.loading and w.models["task"].rowCount() == 2, timeout=10000)
    return w                # qtbot closes it, and a closed Mailbox window deletes itself


def _select(window, kind, titles):
    window.tabs.setCurrentIndex([k for k, _ in (("appointment", 0), ("contact", 1), ("task", 2),
                                                ("email", 3))].index(kind))
    view, model = window.views[kind], window.models[kind]
    view.clearSelection()
    for row in range(model.rowCount()):
        if model.row_at(row).title in titles:
            view.selectionModel().select(
                model.index(row, 0), view.selectionModel().SelectionFlag.Select
                | view.selectionModel().SelectionFlag.Rows)
    window._update_actions()


def _answer_notices(qtbot, answers):
    """Answer the next notice boxes: each answer is (button, don't show again); the names of
    the notices shown are collected."""
    shown: list[str] = []

    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        shown.append(box.objectName())
        button, never = answers.pop(0)
        if never:
            box.findChild(QCheckBox).setChecked(True)
        box.button(button).click()
        if answers:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)
    return shown


def _tracked(engine, local_id):
    with _store(engine) as store:
        return store.get(local_id).tracked


OK, CANCEL = QMessageBox.StandardButton.Ok, QMessageBox.StandardButton.Cancel


def test_tabs_list_each_folder_with_tracked_and_owner(window):
    assert [window.tabs.tabText(i) for i in range(4)] == ["&Calendar", "C&ontacts", "T&asks",
                                                          "&E-mail"]
    tasks = window.models["task"]
    rows = {tasks.index(r, 0).data(): (tasks.index(r, 1).data(), tasks.index(r, 3).data())
            for r in range(tasks.rowCount())}
    assert rows == {"Call back Fourth Coffee": ("Tracked", "You"),
                    "Prepare the quote": ("Tracked", "Someone else")}
    assert window.models["appointment"].index(0, 1).data() == "Not tracked"


def test_first_track_shows_the_notice_once_after_dont_show_again(qtbot, window, engine, items):
    _select(window, "appointment", {"Quarterly review"})
    shown = _answer_notices(qtbot, [(CANCEL, False)])
    window.commands["track"].trigger()
    assert shown == ["notice_first_track"]
    assert not _tracked(engine, items["meeting"])          # cancelled: nothing changed

    shown = _answer_notices(qtbot, [(OK, True)])
    window.commands["track"].trigger()
    assert shown == ["notice_first_track"]
    qtbot.wait_until(lambda: _tracked(engine, items["meeting"]), timeout=5000)
    settings = json.loads(engine.paths.settings_file.read_text())
    assert settings["notices_dismissed"] == ["first_track"]

    # once dismissed it never shows again
    qtbot.wait_until(lambda: not window.loading, timeout=5000)
    with _store(engine) as store:
        store.set_tracked(items["meeting"], False)
    window.reload()
    qtbot.wait_until(lambda: not window.loading, timeout=5000)
    _select(window, "appointment", {"Quarterly review"})
    window.commands["track"].trigger()
    qtbot.wait_until(lambda: _tracked(engine, items["meeting"]), timeout=5000)


def test_tracking_an_email_shows_the_email_notice(qtbot, window, engine, items):
    mailbox_items.dismiss_notice(engine, "first_track")
    _select(window, "email", {"Welcome aboard"})
    shown = _answer_notices(qtbot, [(OK, False)])
    window.commands["track"].trigger()
    assert shown == ["notice_first_email_track"]
    qtbot.wait_until(lambda: _tracked(engine, items["mail"]), timeout=5000)


def test_untrack_own_item_needs_no_notice(qtbot, window, engine, items):
    _select(window, "task", {"Call back Fourth Coffee"})
    window.commands["untrack"].trigger()
    qtbot.wait_until(lambda: not _tracked(engine, items["mine"]), timeout=5000)


def test_untrack_of_someone_elses_item_warns_the_copy_stays(qtbot, window, engine, items):
    _select(window, "task", {"Prepare the quote"})
    shown = _answer_notices(qtbot, [(CANCEL, False)])
    window.commands["untrack"].trigger()
    assert shown == ["notice_untrack_not_owner"]
    assert _tracked(engine, items["theirs"])
    shown = _answer_notices(qtbot, [(OK, False)])
    window.commands["untrack"].trigger()
    assert shown == ["notice_untrack_not_owner"]
    qtbot.wait_until(lambda: not _tracked(engine, items["theirs"]), timeout=5000)


def test_a_settings_file_that_cannot_be_written_keeps_showing_the_notice(qtbot, window, engine,
                                                                          items, monkeypatch):
    from wizard.engine import storage

    def refuse(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage, "atomic_write_json", refuse)
    with pytest.raises(mailbox_items.NoticeStoreFailed):
        mailbox_items.dismiss_notice(engine, "first_track")
    assert mailbox_items.notice_wanted(engine, "first_track")


def test_search_filters_the_current_rows(qtbot, window):
    window.search.setText("quote")
    assert window.models["task"].rowCount() == 1
    window.search.clear()
    assert window.models["task"].rowCount() == 2


def test_keyboard_only_track(qtbot, window, engine, items):
    mailbox_items.dismiss_notice(engine, "first_track")
    window.tabs.setCurrentIndex(0)
    view = window.views["appointment"]
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    if not view.selectionModel().selectedRows():
        view.selectRow(0)
    assert window.commands["track"].isEnabled()
    qtbot.keyClick(view, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait_until(lambda: _tracked(engine, items["meeting"]), timeout=5000)
    assert window.commands["track"].shortcut().toString() == "Ctrl+T"
    for name in ("track", "untrack", "set_regarding", "clear_regarding"):
        assert window.buttons[name].accessibleName()


def _rows(n):
    return [mailbox_items.ItemRow(f"id{i:05d}", "task", f"Task {i:05d}", i % 2 == 0,
                                  None, False, "mailbox") for i in range(n)]


def test_model_passes_qtmodeltester_and_loads_lazily(qtmodeltester):
    model = MailboxItemsModel()
    model.set_rows(_rows(20000))
    qtmodeltester.check(model, force_py=True)
    model = MailboxItemsModel()              # the tester fetched more (and stays attached)
    model.set_rows(_rows(20000))
    assert model.rowCount() == CHUNK and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * CHUNK
    model.set_search("Task 1999")
    assert model.total() == 10 and model.rowCount() == 10
    assert not model.canFetchMore(QModelIndex())


def test_twenty_thousand_items_open_without_building_every_row(qtbot, engine, runner):
    with _store(engine) as store, store.transaction():
        for i in range(20000):
            store.add("task", {"subject": f"Task {i}"})
    w = MailboxWindow(engine, runner)
    qtbot.addWidget(w)
    qtbot.wait_until(lambda: w.models["task"].total() == 20000, timeout=60000)
    assert w.models["task"].rowCount() <= 2 * CHUNK
    w.close()


class UnreachableOrg:
    """An org side whose every call finds the network down (the offline path)."""

    org_name = "Contoso"

    def __getattr__(self, name):
        from wizard.engine.sync.orgside import OrgUnreachable

        def down(*_a, **_k):
            raise OrgUnreachable(org="Contoso")
        return down


def _pick(qtbot, window, text):
    window.commands["set_regarding"].trigger()
    picker = window.picker
    qtbot.wait_until(picker.isVisible, timeout=5000)
    qtbot.keyClicks(picker.search, text)
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    qtbot.wait_until(lambda: picker.results.count() > 0 or "No record" in picker.status.text(),
                     timeout=10000)
    return picker


def test_set_and_clear_regarding_offline_from_mailbox_contacts(qtbot, window, engine, items,
                                                               monkeypatch):
    monkeypatch.setattr(mailbox_items, "synchronizing_org", lambda _engine: UnreachableOrg())
    _select(window, "task", {"Call back Fourth Coffee"})
    picker = _pick(qtbot, window, "abbott")
    assert "cannot be reached" in picker.status.text()
    assert picker.results.count() == 1 and "Ada Abbott" in picker.results.item(0).text()
    qtbot.keyClick(picker.results, Qt.Key.Key_Return)          # keyboard only
    value = f"contact:{items['contact']}"

    def stored():
        with _store(engine) as store:
            return store.get(items["mine"]).data.get("regarding")

    qtbot.wait_until(lambda: stored() == value, timeout=5000)
    tasks = window.models["task"]
    qtbot.wait_until(lambda: any(tasks.index(r, 2).data() == "Ada Abbott (Contact)"
                                 for r in range(tasks.rowCount())), timeout=5000)
    # the name is shown, never stored
    with _store(engine) as store:
        assert "Ada" not in json.dumps(store.get(items["mine"]).data)

    qtbot.wait_until(lambda: not window.loading, timeout=5000)
    _select(window, "task", {"Call back Fourth Coffee"})
    assert window.commands["clear_regarding"].isEnabled()
    window.commands["clear_regarding"].trigger()
    qtbot.wait_until(lambda: stored() is None, timeout=5000)


def test_set_regarding_is_offered_for_activities_only(qtbot, window):
    _select(window, "contact", {"Ada Abbott"})
    assert not window.commands["set_regarding"].isEnabled()
    _select(window, "task", {"Prepare the quote"})
    assert window.commands["set_regarding"].isEnabled()


def _error_box(window):
    from PySide6.QtWidgets import QMessageBox as Box

    boxes = [b for b in window.findChildren(Box) if b.objectName() == "errorBox" and b.isVisible()]
    return boxes[0] if boxes else None


def test_an_item_deleted_meanwhile_is_said_and_the_list_reloads(qtbot, window, engine, items):
    mailbox_items.dismiss_notice(engine, "first_track")
    _select(window, "appointment", {"Quarterly review"})
    with _store(engine) as store:                  # another program deletes it meanwhile
        store.delete(items["meeting"])
    window.commands["track"].trigger()
    qtbot.wait_until(lambda: _error_box(window) is not None, timeout=5000)
    assert "No mailbox item" in _error_box(window).text()
    _error_box(window).accept()
    qtbot.wait_until(lambda: window.models["appointment"].total() == 0, timeout=5000)


def test_a_damaged_mailbox_file_is_an_error_not_a_crash(qtbot, engine, runner):
    engine.paths.ensure()
    engine.paths.mailbox_db.write_bytes(b"this is not an SQLite database" * 100)
    w = MailboxWindow(engine, runner)
    qtbot.addWidget(w)
    w.show()
    qtbot.wait_until(lambda: _error_box(w) is not None and not w.loading, timeout=10000)
    qtbot.wait(50)
    from PySide6.QtWidgets import QMessageBox as Box
    assert len([b for b in w.findChildren(Box) if b.objectName() == "errorBox"]) == 1
    assert w.models["task"].total() == 0
    assert not w.commands["track"].isEnabled()
    _error_box(w).accept()
    w.close()
