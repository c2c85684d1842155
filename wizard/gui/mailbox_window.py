"""The Mailbox window: the items of the mailbox side, tracked or not, and what they are
regarding; Track, Untrack, Set Regarding… and Clear Regarding on the selected items.

Everything that reads or writes the mailbox or the org runs on a worker
(:mod:`wizard.gui.tasks`); the model holds rows the worker read and hands them to the view
in chunks (``canFetchMore``/``fetchMore``), so 20,000 items open at once. Record names of
the Regarding column are fetched for display and kept in memory only.

The notices (first Track, first tracked e-mail, Untrack of an item someone else owns) show
until their "Don't show again" box is ticked; the choice is kept per user in the app's
settings (:mod:`wizard.engine.sync.mailbox_items`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from wizard.gui.i18n import tr
from wizard.gui.tasks import TaskRunner, default_runner
from wizard.gui.widgets import accessible, error_box

Index = QModelIndex | QPersistentModelIndex
TABS = (("appointment", "Calendar"), ("contact", "Contacts"), ("task", "Tasks"),
        ("email", "E-mail"))
CHUNK = 256


def _alive(widget: QWidget, fn: Callable[..., Any]) -> Callable[..., None]:
    """``fn`` as a task callback that does nothing once ``widget`` is gone (closed while
    the worker ran)."""
    def call(*args: Any) -> None:
        if isValid(widget):
            fn(*args)
    return call


def _rows_of(list_rows: Callable[..., list[Any]], engine: Any, kind: str, _task: Any) -> list[Any]:
    return list_rows(engine, kind)


def _tab_title(kind: str) -> str:
    return {"appointment": tr("&Calendar"), "contact": tr("C&ontacts"), "task": tr("T&asks"),
            "email": tr("&E-mail")}[kind]


def _type_label(kind: str) -> str:
    return {"account": tr("Account"), "contact": tr("Contact"), "opportunity": tr("Opportunity"),
            "lead": tr("Lead"), "incident": tr("Case")}.get(kind, kind)


class MailboxItemsModel(QAbstractTableModel):
    """Rows of one folder (``ItemRow``), shown ``CHUNK`` at a time as the view scrolls."""

    TITLE, TRACKED, REGARDING, OWNER = range(4)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[Any] = []          # every row matching the search
        self._source: list[Any] = []       # every row of the folder
        self._shown = 0
        self._names: dict[str, str] = {}   # "TYPE:ID" -> name (memory only)
        self._search = ""

    # -- loading ---------------------------------------------------------------------------
    def set_rows(self, rows: list[Any]) -> None:
        self._source = list(rows)
        self._apply()

    def set_search(self, text: str) -> None:
        self._search = text.strip().casefold()
        self._apply()

    def _apply(self) -> None:
        self.beginResetModel()
        needle = self._search
        self._all = [r for r in self._source if needle in r.title.casefold()] if needle \
            else list(self._source)
        self._shown = min(CHUNK, len(self._all))
        self.endResetModel()

    def set_names(self, names: dict[str, str]) -> None:
        self._names.update(names)
        if self._shown:
            self.dataChanged.emit(self.index(0, self.REGARDING),
                                  self.index(self._shown - 1, self.REGARDING))

    def regarding_values(self) -> list[str]:
        return sorted({r.regarding for r in self._source if r.regarding})

    def total(self) -> int:
        return len(self._all)

    def row_at(self, row: int) -> Any:
        return self._all[row]

    # -- Qt ------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else 4

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._shown < len(self._all)

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid():
            return
        n = min(CHUNK, len(self._all) - self._shown)
        if n <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + n - 1)
        self._shown += n
        self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < 4:
            return (tr("Item"), tr("Tracked"), tr("Regarding"), tr("Owner"))[section]
        return None

    def _regarding_text(self, value: str | None) -> str:
        if not value:
            return ""
        kind = value.split(":", 1)[0]
        name = self._names.get(value)
        return f"{name} ({_type_label(kind)})" if name else _type_label(kind)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._shown:
            return None
        r = self._all[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == self.TITLE:
                return r.title or tr("(no title)")
            if col == self.TRACKED:
                return tr("Tracked") if r.tracked else tr("Not tracked")
            if col == self.REGARDING:
                return self._regarding_text(r.regarding)
            if col == self.OWNER:
                if not r.tracked:
                    return ""
                return tr("Someone else") if r.others_own else tr("You")
        if role == Qt.ItemDataRole.ToolTipRole and col == self.REGARDING and r.regarding:
            return self._regarding_text(r.regarding)
        if role == Qt.ItemDataRole.UserRole:
            return r
        return None


# ------------------------------------------------------------------ notices

NOTICE_TEXTS: dict[str, Callable[[], tuple[str, str]]] = {
    "first_track": lambda: (
        tr("Tracking an item"),
        tr("A tracked item is copied to the organization, where people with permission can "
           "see it. If you untrack it later, the organization's copy is deleted only if you "
           "own it.")),
    "first_email_track": lambda: (
        tr("Tracking an e-mail"),
        tr("To track an e-mail, its sender, recipients and subject are sent to the "
           "organization to find the records it belongs to; once it is tracked, its body is "
           "sent too.")),
    "untrack_not_owner": lambda: (
        tr("Untracking an item someone else owns"),
        tr("Someone else owns the organization's copy of this item, so it stays in the "
           "organization. Only your mailbox stops being linked to it.")),
}


def notice_box(parent: QWidget, name: str) -> tuple[bool, bool]:
    """Show one notice; returns (go ahead, don't show again)."""
    title, text = NOTICE_TEXTS[name]()
    box = QMessageBox(QMessageBox.Icon.Information, title, text,
                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName(f"notice_{name}")
    box.setDefaultButton(QMessageBox.StandardButton.Ok)
    check = QCheckBox(tr("&Don't show again"))
    accessible(check, tr("Don't show this notice again"))
    box.setCheckBox(check)
    answer = box.exec()
    return answer == QMessageBox.StandardButton.Ok, check.isChecked()


# ------------------------------------------------------------------ the picker

class RegardingPicker(QDialog):
    """Search the org (or offline the mailbox's contacts) and pick one record."""

    def __init__(self, engine: Any, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("regardingPicker")
        self.setWindowTitle(tr("Set Regarding"))
        self.engine = engine
        self.runner = runner
        self.chosen: Any = None
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        label = QLabel(tr("&Find a record:"))
        self.search = QLineEdit()
        self.search.setObjectName("regardingSearch")
        self.search.setPlaceholderText(tr("Part of the name"))
        accessible(self.search, tr("Find a record"),
                   tr("Part of the name of an account, contact, opportunity, lead or case."))
        label.setBuddy(self.search)
        self.go = QPushButton(tr("&Search"))
        self.go.setObjectName("regardingGo")
        accessible(self.go, tr("Search"))
        row.addWidget(label)
        row.addWidget(self.search, 1)
        row.addWidget(self.go)
        layout.addLayout(row)
        self.status = QLabel("")
        self.status.setObjectName("regardingStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.results = QListWidget()
        self.results.setObjectName("regardingResults")
        accessible(self.results, tr("Records found"))
        layout.addWidget(self.results, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(tr("Set &Regarding"))
        self.ok.setEnabled(False)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.go.clicked.connect(self.start_search)
        self.search.returnPressed.connect(self.start_search)
        self.results.currentRowChanged.connect(lambda r: self.ok.setEnabled(r >= 0))
        self.results.itemActivated.connect(lambda _item: self._accept())
        self.setTabOrder(self.search, self.go)
        self.setTabOrder(self.go, self.results)
        self.search.setFocus()
        self.resize(520, 380)

    def start_search(self) -> None:
        text = self.search.text().strip()
        if not text:
            return
        from wizard.engine.sync.mailbox_items import search_records

        engine = self.engine
        self.go.setEnabled(False)
        self.status.setText(tr("Searching…"))
        self.runner.run_task(lambda _task: search_records(engine, text),
                             on_result=_alive(self, self._show),
                             on_error=_alive(self, self._failed))

    def _show(self, result: tuple[list[Any], bool]) -> None:
        records, offline = result
        self.go.setEnabled(True)
        self.results.clear()
        for record in records:
            item = QListWidgetItem(f"{record.name} ({_type_label(record.type)})")
            item.setData(Qt.ItemDataRole.UserRole, record)
            self.results.addItem(item)
        if not records:
            self.status.setText(tr("No record matches."))
        elif offline:
            self.status.setText(tr("The organization cannot be reached: these are contacts "
                                   "in your mailbox."))
        else:
            self.status.setText(tr("1 record found.") if len(records) == 1
                                else tr("%n records found.", "", len(records)))
        if records:
            self.results.setCurrentRow(0)
            self.results.setFocus()

    def _failed(self, exc: BaseException) -> None:
        self.go.setEnabled(True)
        self.status.setText("")
        error_box(self, exc)

    def _accept(self) -> None:
        item = self.results.currentItem()
        if item is None:
            return
        self.chosen = item.data(Qt.ItemDataRole.UserRole)
        self.accept()


# ------------------------------------------------------------------ the window

class MailboxWindow(QMainWindow):
    """Tabs Calendar, Contacts, Tasks, E-mail of the configured mailbox side."""

    def __init__(self, engine: Any, runner: TaskRunner | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mailboxWindow")
        self.setWindowTitle(tr("Mailbox"))
        # Each opening builds a new window: a closed one goes, with its rows and models.
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.engine = engine
        self.runner = runner or default_runner()
        self.models: dict[str, MailboxItemsModel] = {}
        self.views: dict[str, QTableView] = {}
        self.loading: set[str] = set()
        self.picker: RegardingPicker | None = None
        self._load_failed = False
        body = QWidget()
        layout = QVBoxLayout(body)
        top = QHBoxLayout()
        label = QLabel(tr("&Search:"))
        self.search = QLineEdit()
        self.search.setObjectName("mailboxSearch")
        self.search.setPlaceholderText(tr("Part of the title"))
        self.search.setClearButtonEnabled(True)
        accessible(self.search, tr("Search the items"), tr("Shows the items whose title contains "
                                                          "this text."))
        label.setBuddy(self.search)
        top.addWidget(label)
        top.addWidget(self.search, 1)
        layout.addLayout(top)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mailboxTabs")
        for kind, _ in TABS:
            model = MailboxItemsModel(self)
            view = QTableView()
            view.setObjectName(f"mailboxView_{kind}")
            view.setModel(model)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
            view.setAlternatingRowColors(True)
            view.verticalHeader().setVisible(False)
            view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            view.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
            accessible(view, _tab_title(kind).replace("&", ""))
            view.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
            self.models[kind] = model
            self.views[kind] = view
            self.tabs.addTab(view, _tab_title(kind))
        layout.addWidget(self.tabs, 1)

        buttons = QHBoxLayout()
        self.commands: dict[str, QAction] = {}
        self.buttons: dict[str, QPushButton] = {}
        spec = [
            ("track", tr("&Track"), "Ctrl+T", self.track,
             tr("Copy the selected items to the synchronizing organization at the next sync.")),
            ("untrack", tr("&Untrack"), "Ctrl+U", self.untrack,
             tr("Stop tracking the selected items.")),
            ("set_regarding", tr("Set &Regarding…"), "Ctrl+R", self.set_regarding,
             tr("Link the selected items to an account, contact, opportunity, lead or case.")),
            ("clear_regarding", tr("C&lear Regarding"), "Ctrl+Shift+R", self.clear_regarding,
             tr("Link the selected items to no record.")),
        ]
        for name, text, keys, slot, tip in spec:
            action = QAction(text, self)
            action.setObjectName(f"mailbox_{name}")
            action.setShortcut(QKeySequence(keys))
            action.setStatusTip(tip)
            action.triggered.connect(lambda _c=False, s=slot: s())
            self.addAction(action)
            self.commands[name] = action
            button = QPushButton(text)
            button.setObjectName(f"mailboxButton_{name}")
            accessible(button, text.replace("&", "").rstrip("…"), tip)
            button.clicked.connect(lambda _c=False, s=slot: s())
            buttons.addWidget(button)
            self.buttons[name] = button
        buttons.addStretch(1)
        close = QPushButton(tr("&Close"))
        close.setObjectName("mailboxClose")
        accessible(close, tr("Close"))
        close.clicked.connect(self.close)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.count_label = QLabel("")
        self.count_label.setObjectName("mailboxCount")
        layout.addWidget(self.count_label)
        self.setCentralWidget(body)
        self.search.textChanged.connect(self._search_changed)
        self.tabs.currentChanged.connect(lambda _i: self._tab_changed())
        self.setTabOrder(self.search, self.tabs)
        self._update_actions()
        self.resize(980, 600)
        QTimer.singleShot(0, self.reload)

    # -- state -----------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return TABS[self.tabs.currentIndex()][0]

    def selected_rows(self) -> list[Any]:
        view = self.views[self.kind]
        model = self.models[self.kind]
        rows = sorted({i.row() for i in view.selectionModel().selectedRows()})
        return [model.row_at(r) for r in rows]

    def _update_actions(self) -> None:
        rows = self.selected_rows() if self.models else []
        activity = self.kind in ("appointment", "task", "email")
        busy = bool(self.loading)
        enabled = {
            "track": bool(rows) and any(not r.tracked for r in rows),
            "untrack": bool(rows) and any(r.tracked for r in rows),
            "set_regarding": bool(rows) and activity,
            "clear_regarding": bool(rows) and activity and any(r.regarding for r in rows),
        }
        for name, on in enabled.items():
            self.commands[name].setEnabled(on and not busy)
            self.buttons[name].setEnabled(on and not busy)
        model = self.models.get(self.kind)
        if model is not None:
            total = model.total()
            self.count_label.setText(tr("1 item") if total == 1 else tr("%n items", "", total))

    def _search_changed(self, text: str) -> None:
        for model in self.models.values():
            model.set_search(text)
        self._update_actions()

    def _tab_changed(self) -> None:
        self._update_actions()

    # -- loading ---------------------------------------------------------------------------
    def reload(self) -> None:
        from wizard.engine.sync.mailbox_items import list_rows

        engine = self.engine
        self._load_failed = False              # one message for the four tabs, not four
        for kind, _ in TABS:
            self.loading.add(kind)
            self._load(kind, functools.partial(_rows_of, list_rows, engine, kind))
        self._update_actions()

    def _load(self, kind: str, fn: Callable[[Any], list[Any]]) -> None:
        def loaded(rows: list[Any]) -> None:
            self._loaded(kind, rows)

        def failed(exc: BaseException) -> None:
            self._failed(kind, exc)

        self.runner.run_task(fn, on_result=_alive(self, loaded), on_error=_alive(self, failed))

    def _loaded(self, kind: str, rows: list[Any]) -> None:
        self.loading.discard(kind)
        model = self.models[kind]
        model.set_rows(rows)
        values = model.regarding_values()
        if values:
            from wizard.engine.sync.mailbox_items import record_names

            engine = self.engine
            self.runner.run_task(lambda _t: record_names(engine, values),
                                 on_result=_alive(self, model.set_names),
                                 on_error=lambda _exc: None)   # names are a nicety
        self._update_actions()

    def _failed(self, kind: str, exc: BaseException) -> None:
        self.loading.discard(kind)
        self.models[kind].set_rows([])
        self._update_actions()
        if not self._load_failed:
            self._load_failed = True
            error_box(self, exc)

    def _run(self, fn: Callable[[], Any]) -> None:
        self.loading.add("write")
        self._update_actions()

        def done(_value: Any) -> None:
            self.loading.discard("write")
            self.reload()

        def failed(exc: BaseException) -> None:
            self.loading.discard("write")
            self.reload()
            error_box(self, exc)

        self.runner.run_task(lambda _t: fn(), on_result=_alive(self, done),
                             on_error=_alive(self, failed))

    # -- notices ---------------------------------------------------------------------------
    def _notice(self, name: str) -> bool:
        from wizard.engine.sync.mailbox_items import dismiss_notice, notice_wanted

        if not notice_wanted(self.engine, name):
            return True
        go, never = notice_box(self, name)
        if never:
            try:
                dismiss_notice(self.engine, name)
            except Exception as exc:        # noqa: BLE001 - shown; the notice returns next time
                error_box(self, exc)
        return go

    # -- actions ---------------------------------------------------------------------------
    def track(self) -> None:
        rows = [r for r in self.selected_rows() if not r.tracked]
        if not rows or not self._notice("first_track"):
            return
        if any(r.kind == "email" for r in rows) and not self._notice("first_email_track"):
            return
        from wizard.engine.sync.mailbox_items import set_tracked

        engine, ids = self.engine, [r.local_id for r in rows]
        self._run(lambda: set_tracked(engine, ids, True))

    def untrack(self) -> None:
        rows = [r for r in self.selected_rows() if r.tracked]
        if not rows:
            return
        if any(r.others_own for r in rows) and not self._notice("untrack_not_owner"):
            return
        from wizard.engine.sync.mailbox_items import set_tracked

        engine, ids = self.engine, [r.local_id for r in rows]
        self._run(lambda: set_tracked(engine, ids, False))

    def set_regarding(self) -> None:
        rows = self.selected_rows()
        if not rows or self.kind not in ("appointment", "task", "email"):
            return
        picker = RegardingPicker(self.engine, self.runner, self)
        self.picker = picker

        def chosen() -> None:
            record = picker.chosen
            if record is None:
                return
            from wizard.engine.sync.mailbox_items import set_regarding

            engine, ids = self.engine, [r.local_id for r in rows]
            for model in self.models.values():
                model.set_names({record.value: record.name})
            self._run(lambda: set_regarding(engine, ids, record.value))

        picker.accepted.connect(chosen)
        picker.open()

    def clear_regarding(self) -> None:
        rows = [r for r in self.selected_rows() if r.regarding]
        if not rows:
            return
        from wizard.engine.sync.mailbox_items import set_regarding

        engine, ids = self.engine, [r.local_id for r in rows]
        self._run(lambda: set_regarding(engine, ids, None))
