"""The main window, "Configure Organizations"."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QMainWindow

from wizard.gui.i18n import tr
from wizard.gui.status import OrgStatus

if TYPE_CHECKING:  # pragma: no cover
    # What _load_ui_modules imports at run time, for the type checker.
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QFormLayout,
        QFrame,
        QHBoxLayout,
        QPushButton,
        QToolBar,
        QToolButton,
        QVBoxLayout,
        QWidget,
    )
    from shiboken6 import isValid

    from wizard.gui import message
    from wizard.gui.icons import icon
    from wizard.gui.models import OrgTableModel
    from wizard.gui.tasks import TaskCancelled, TaskRunner
    from wizard.gui.views import MailboxHeader, OrgRow, Services, StepReport
    from wizard.gui.widgets import accessible, error_box, error_line, format_when, row_table


def _load_ui_modules() -> None:
    """Import what the full window needs, once, after the first paint.

    PySide6 builds a Qt class's Python enums when the class is first used; for the ``Qt``
    namespace and the item views that is a good part of start-up time. The window
    therefore paints its frame first and imports these right after
    (tests/benchmarks/bench_startup.py measures both moments).
    """
    global Qt, QAction, QKeySequence, QAbstractItemView, QFormLayout, QFrame, QHBoxLayout
    global QPushButton, QToolBar, QVBoxLayout, QWidget, isValid
    global message, icon, OrgTableModel, accessible, error_box, error_line, format_when, TaskRunner
    global TaskCancelled, row_table
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import (
        QAbstractItemView,
        QFormLayout,
        QFrame,
        QHBoxLayout,
        QPushButton,
        QToolBar,
        QVBoxLayout,
        QWidget,
    )
    from shiboken6 import isValid

    from wizard.gui import message
    from wizard.gui.icons import icon
    from wizard.gui.models import OrgTableModel
    from wizard.gui.tasks import TaskCancelled, TaskRunner
    from wizard.gui.widgets import accessible, error_box, error_line, format_when, row_table


class MainWindow(QMainWindow):
    """Lists the configured orgs and runs every action on them through the task runner."""

    orgs_loaded = Signal()          # after each refresh (tests wait on it)
    services_ready = Signal()
    built = Signal()                # the full window exists (after the first paint with deferred=True)
    action_done = Signal(str)       # name of the action that finished (tests wait on it)

    def __init__(self, services: "Services | None" = None, *, runner: "TaskRunner | None" = None,
                 services_factory: "Callable[[], Services] | None" = None, deferred: bool = False) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.services = services
        self.services_factory = services_factory
        self.runner = runner
        self.header_info: MailboxHeader | None = None
        self.is_built = False
        self._start_requested = False
        self.setWindowTitle(tr("Configure Organizations"))
        self.resize(980, 520)
        if deferred:
            placeholder = QLabel(tr("Loading…"))
            placeholder.setAccessibleName(tr("Loading…"))
            self.setCentralWidget(placeholder)
            self._complete_after_paint = True
        else:
            self._complete_after_paint = False
            self._complete()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self._complete_after_paint:
            self._complete_after_paint = False
            QTimer.singleShot(0, self._complete)

    def _complete(self) -> None:
        _load_ui_modules()
        if self.runner is None:
            self.runner = TaskRunner()
        self.setWindowIcon(icon("app"))
        self.model = OrgTableModel(self)
        self._build()
        self._update_actions()
        bridge = message.bridge()
        bridge.info_shown.connect(self.statusBar().showMessage)
        bridge.warning_shown.connect(self.statusBar().showMessage)
        bridge.error_shown.connect(self.show_error)   # a bound method: disconnected when the window goes
        self.is_built = True
        self.built.emit()
        if self._start_requested:
            self.start()

    # -- construction -------------------------------------------------------------------
    def _build(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        self._build_banners(layout)
        self._build_header(layout)
        self._build_org_list(layout)
        self._build_actions()
        self._build_menus()
        buttons = self._build_buttons()
        self._build_toolbar()
        layout.addLayout(buttons)
        self.setCentralWidget(central)
        self._set_tab_order()
        self.statusBar().showMessage(tr("Loading organizations…"))

    def _build_banners(self, layout: QVBoxLayout) -> None:
        """What the window is for, and the banners that say when credentials are not saved
        and when this is the sandbox (both hidden until then)."""
        intro = QLabel(tr("These are the organizations this computer connects to. "
                          "One of them synchronizes with your mailbox."))
        intro.setWordWrap(True)
        accessible(intro, tr("About this window"))
        layout.addWidget(intro)
        # Said once, when the keyring turns out to be missing (see _check_keyring).
        self.keyring_banner = QLabel("")
        self.keyring_banner.setObjectName("keyringBanner")
        self.keyring_banner.setWordWrap(True)
        self.keyring_banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.keyring_banner.setVisible(False)
        accessible(self.keyring_banner, tr("Credentials are not saved"))
        layout.addWidget(self.keyring_banner)
        # Practice mode says so, with the sandbox's addresses to paste into Add (see _show_sandbox).
        self.sandbox_banner = QLabel("")
        self.sandbox_banner.setObjectName("sandboxBanner")
        self.sandbox_banner.setWordWrap(True)
        self.sandbox_banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.sandbox_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                                    | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.sandbox_banner.setVisible(False)
        accessible(self.sandbox_banner, tr("Sandbox mode"))
        layout.addWidget(self.sandbox_banner)

    def _build_header(self, layout: QVBoxLayout) -> None:
        """The mailbox header: the synchronizing org, who holds the mailbox, last sync."""
        header = QFrame()
        header.setObjectName("mailboxHeader")
        header.setFrameShape(QFrame.Shape.StyledPanel)
        form = QFormLayout(header)
        self.primary_label = QLabel(tr("Loading…"))
        self.stamp_label = QLabel("")
        self.last_sync_label = QLabel("")
        self.keep_label = QLabel("")
        self.keep_label.setObjectName("keepConnectedState")
        self.exchange_label = QLabel("")
        self.exchange_label.setObjectName("exchangeHolder")
        for caption, label, name in (
                (tr("Synchronizing organization:"), self.primary_label, tr("Synchronizing organization")),
                (tr("Exchange mailbox synchronizes with:"), self.exchange_label,
                 tr("Organization that holds your Exchange mailbox")),
                (tr("Mailbox set to synchronize with:"), self.stamp_label, tr("Mailbox stamp")),
                (tr("Last synchronization:"), self.last_sync_label, tr("Last synchronization")),
                (tr("Keep me connected:"), self.keep_label, tr("Keep me connected"))):
            accessible(label, name)
            form.addRow(caption, label)
        bold = self.primary_label.font()
        bold.setBold(True)
        self.primary_label.setFont(bold)
        layout.addWidget(header)

    def _build_org_list(self, layout: QVBoxLayout) -> None:
        """The list of orgs, and the panel that replaces it while the list is empty."""
        self.table = row_table("orgTable", self.model, QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        accessible(self.table, tr("Organizations"),
                   tr("The configured organizations. Select one to act on it."))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.table.doubleClicked.connect(lambda _index: self.properties())
        layout.addWidget(self.table, 1)
        # An empty list says how to start, with the Add button right there.
        self.empty_panel = QFrame()
        self.empty_panel.setObjectName("emptyList")
        self.empty_panel.setFrameShape(QFrame.Shape.StyledPanel)
        empty = QVBoxLayout(self.empty_panel)
        empty.addStretch(1)
        self.empty_label = QLabel(tr("No organizations yet. To start, choose Add…: paste the address of "
                                     "your organization from your browser, or sign in to Dynamics 365 "
                                     "(online) to pick from the organizations you belong to."))
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        accessible(self.empty_label, tr("How to start"))
        empty.addWidget(self.empty_label)
        self.empty_add = QPushButton(icon("add"), tr("&Add an organization…"))
        self.empty_add.setObjectName("emptyAdd")
        accessible(self.empty_add, tr("Add an organization"),
                   tr("Add an organization by address or by signing in to Dynamics 365 (online)."))
        self.empty_add.clicked.connect(lambda: self.add())
        empty.addWidget(self.empty_add, 0, Qt.AlignmentFlag.AlignCenter)
        empty.addStretch(1)
        self.empty_panel.setVisible(False)
        layout.addWidget(self.empty_panel, 1)

    def _build_actions(self) -> None:
        """The window's actions, by name: the menus, buttons and toolbar all show these."""
        self.actions_by_name: dict[str, QAction] = {}
        spec: list[tuple[str, str, str, QKeySequence | QKeySequence.StandardKey, Callable[[], object], str]] = [
            ("add", tr("&Add…"), "add", QKeySequence.StandardKey.New, self.add,
             tr("Add an organization by address or by signing in to Dynamics 365 (online).")),
            ("delete", tr("&Remove…"), "delete", QKeySequence.StandardKey.Delete, self.delete,
             tr("Remove the selected organization from this computer.")),
            ("properties", tr("&Properties…"), "properties", QKeySequence("Alt+Return"), self.properties,
             tr("Change the display name, saved credentials and connection options.")),
            ("test", tr("&Test Connection"), "test-connection", QKeySequence("Ctrl+T"), self.test_connection,
             tr("Check each step of connecting and show how to fix a failure.")),
            # The original's "Synchronize" prompt, named for what it does: it changes which org
            # synchronizes (and asks first). Syncing now is a different act, elsewhere.
            ("synchronize", tr("Set as S&ynchronizing Organization…"), "make-synchronizing",
             QKeySequence("Ctrl+Y"), self.synchronize,
             tr("Make the selected organization the one that synchronizes with your mailbox. You "
                "are asked first and shown what changes; nothing is synchronized yet.")),
            ("sync_now", tr("Synchronize &Now"), "synchronize", QKeySequence("F9"), self.synchronize_now,
             tr("Synchronize appointments, contacts and tasks between your mailbox and the "
                "synchronizing organization now. The synchronizing organization stays the same.")),
            ("sync_settings", tr("Synchronization &Settings…"), "properties", QKeySequence("Ctrl+Shift+S"),
             self.sync_settings,
             tr("Show the synchronizing organization's Synchronization settings, fields and filters.")),
            ("keep_connected", tr("&Keep Me Connected…"), "synchronize", QKeySequence("Ctrl+K"),
             self.keep_connected_settings,
             tr("How often, while this app runs, organizations are checked and the synchronizing "
                "organization synchronizes; which organizations are kept connected.")),
            ("sign_in", tr("Sign &in…"), "sign-in", QKeySequence("Ctrl+Shift+I"), self.sign_in,
             tr("Sign in to the selected organization again (for example after signing out).")),
            ("sign_out", tr("Sign &out"), "sign-out", QKeySequence("Ctrl+Shift+O"), self.sign_out,
             tr("Sign out of the selected organization and remove its saved credentials.")),
            ("diagnostics", tr("Dia&gnostics…"), "diagnostics", QKeySequence("F12"), self.diagnostics,
             tr("Show facts that help your helpdesk.")),
            ("refresh", tr("&Refresh"), "test-connection", QKeySequence.StandardKey.Refresh, self.refresh,
             tr("Reload the list and check each organization again.")),
            ("close", tr("&Close"), "close", QKeySequence("Ctrl+W"), self.close,
             tr("Close this window.")),
        ]
        for name, text, icon_name, shortcut, slot, tip in spec:
            action = QAction(icon(icon_name), text, self)
            action.setObjectName(f"action_{name}")
            action.setShortcut(QKeySequence(shortcut))
            action.setStatusTip(tip)
            action.setToolTip(tip)
            action.triggered.connect(lambda _checked=False, s=slot: s())
            self.actions_by_name[name] = action

    def _build_menus(self) -> None:
        """The menu bar, and the list's own (context) menu."""
        menu = self.menuBar().addMenu(tr("&Organization"))
        for entry in ("add", "delete", "properties", None, "test", "synchronize", "sign_in", "sign_out", None,
                      "refresh", None, "close"):
            if entry is None:
                menu.addSeparator()
            else:
                menu.addAction(self.actions_by_name[entry])
        sync_menu = self.menuBar().addMenu(tr("&Synchronization"))
        sync_menu.addAction(self.actions_by_name["sync_now"])
        sync_menu.addAction(self.actions_by_name["sync_settings"])
        sync_menu.addAction(self.actions_by_name["keep_connected"])
        sync_menu.addSeparator()
        self.actions_by_name["mailbox"] = mailbox = QAction(tr("&Mailbox…"), self)
        mailbox.setObjectName("action_mailbox")
        mailbox.setShortcut(QKeySequence("Ctrl+M"))
        mailbox.setStatusTip(tr("Show the mailbox's items: track them, untrack them and set "
                                "what they are regarding."))
        mailbox.triggered.connect(lambda _checked=False: self.open_mailbox())
        sync_menu.addAction(mailbox)
        # The table's own menu: what acts on the selected org (never Synchronize Now).
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for name in ("properties", "test", "synchronize", "sign_in", "sign_out", "delete"):
            self.table.addAction(self.actions_by_name[name])
        help_menu = self.menuBar().addMenu(tr("&Help"))
        help_menu.addAction(self.actions_by_name["diagnostics"])
        about = QAction(tr("&About"), self)
        about.triggered.connect(self.about)
        help_menu.addAction(about)

    def _build_buttons(self) -> QHBoxLayout:
        """The row of buttons under the list (they act on the selected org)."""
        buttons = QHBoxLayout()
        self.buttons: dict[str, QAbstractButton] = {}
        for name in ("add", "delete", "properties", "test", "synchronize", "sign_in", "sign_out", "diagnostics"):
            button = self._button(name)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self._button("close"))
        return buttons

    def _build_toolbar(self) -> None:
        """The Synchronization toolbar."""
        # Synchronize Now lives in the toolbar, with the synchronizing org it works on; the
        # buttons under the list act on the selected org.
        self.sync_toolbar = QToolBar(tr("Synchronization"))
        self.sync_toolbar.setObjectName("syncToolbar")
        self.sync_toolbar.setMovable(False)
        self.sync_toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        accessible(self.sync_toolbar, tr("Synchronization"))
        for name in ("sync_now", "sync_settings"):
            action = self.actions_by_name[name]
            self.sync_toolbar.addAction(action)
            # A toolbar shows each action it was given as a QToolButton.
            tool = cast("QToolButton", self.sync_toolbar.widgetForAction(action))
            tool.setObjectName(f"button_{name}")
            tool.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            accessible(tool, action.text().replace("&", "").rstrip("…"), action.toolTip())
            tool.setToolTip(self._tip(action))
            self.buttons[name] = tool
        self.addToolBar(self.sync_toolbar)

    def _set_tab_order(self) -> None:
        """Tab order: the table first, then the buttons left to right."""
        previous: QWidget = self.table
        for name in ("add", "delete", "properties", "test", "synchronize", "sign_in",
                     "sign_out", "diagnostics", "close"):
            QWidget.setTabOrder(previous, self.buttons[name])
            previous = self.buttons[name]

    def _button(self, name: str) -> QPushButton:
        action = self.actions_by_name[name]
        button = QPushButton(action.icon(), action.text())
        button.setObjectName(f"button_{name}")
        accessible(button, action.text().replace("&", "").rstrip("…"), action.toolTip())
        button.setToolTip(self._tip(action))
        button.clicked.connect(action.trigger)
        action.enabledChanged.connect(button.setEnabled)
        self.buttons[name] = button
        return button

    @staticmethod
    def _tip(action) -> str:
        return f"{action.toolTip()} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"

    # -- state --------------------------------------------------------------------------
    def selected(self) -> OrgRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_key(self, key: str) -> None:
        row = self.model.row_of(key)
        if row >= 0:
            self.table.selectRow(row)

    def _update_actions(self) -> None:
        ready = self.services is not None
        row = self.selected()
        for name in ("delete", "properties", "test", "sign_in", "sign_out"):
            self.actions_by_name[name].setEnabled(ready and row is not None)
        # Also for the synchronizing org: choosing it again repairs its records.
        self.actions_by_name["synchronize"].setEnabled(ready and row is not None)
        for name in ("add", "diagnostics", "refresh", "keep_connected"):
            self.actions_by_name[name].setEnabled(ready)
        has_primary = self.model.primary() is not None
        self.actions_by_name["sync_now"].setEnabled(ready and has_primary and getattr(self, "sync_dialog_running", None)
                                            is None and not getattr(self, "background_sync_running", False))
        self.actions_by_name["sync_settings"].setEnabled(ready and has_primary)

    def run(self, fn, *, on_result=None, on_error=None, on_progress=None, action: str = "", cancel_token=None):
        """Run engine work on a worker; errors become dialogs; ``action_done`` fires after."""
        def result(value):
            if not isValid(self):
                return          # the window was closed while the worker ran
            try:
                if on_result is not None:
                    on_result(value)
            finally:
                if action:
                    self.action_done.emit(action)

        def error(exc):
            if not isValid(self):
                return
            try:
                if on_error is not None:
                    on_error(exc)
                else:
                    error_box(self, exc, on_action=self._step_fix)
            finally:
                if action:
                    self.action_done.emit(action)

        return self._runner().run_task(fn, on_result=result, on_error=error, on_progress=on_progress,
                                    cancel_token=cancel_token)

    def _runner(self) -> TaskRunner:
        """The task runner: _complete makes it (when none was given) before any action exists."""
        assert self.runner is not None
        return self.runner

    def _ready_services(self) -> Services:
        """The services, for an action: the actions are enabled only once they exist."""
        assert self.services is not None, "an action ran before the services were ready"
        return self.services

    # -- start-up and refresh -------------------------------------------------------------
    def start(self) -> None:
        """Build the services off the GUI thread (imports, sandbox start), then load the list."""
        if not self.is_built:
            self._start_requested = True
            return
        if self.services is not None:
            self.services_ready.emit()
            self.refresh(first=True)
            return
        if self.services_factory is None:
            return
        factory = self.services_factory

        def ready(services) -> None:
            self.services = services
            self.services_ready.emit()
            self._update_actions()
            self.refresh(first=True)
            for note in services.startup_notes:
                message.info(note)

        def failed(exc) -> None:
            self.primary_label.setText(tr("Could not start"))
            self.statusBar().showMessage(tr("The engine could not start."))
            error_box(self, exc, title=tr("Could not start"))

        self.run(lambda task: factory(), on_result=ready, on_error=failed, action="start")

    #: The dialogs' modules. Importing one builds its Qt classes' Python enums: 35 ms that the
    #: first click on Add would otherwise spend on this thread.
    DIALOG_MODULES = ("wizard.gui.add_org_wizard", "wizard.gui.dialogs", "wizard.gui.sync_dialogs",
                      "wizard.gui.reauth_dialog")

    def refresh(self, *, check: bool = True, select: str | None = None,
                after: Callable[[], None] | None = None, first: bool = False, confirm: str = "") -> None:
        """Reload the list on a worker. ``first``: before the first list shows, import on that
        worker what the first Add, sign-in and status check need (:mod:`wizard.gui.runtime`),
        so that no click waits on an import and no import competes with the user's clicks."""
        if self.services is None:
            return
        services = self.services
        dialog_modules = self.DIALOG_MODULES

        def load(task):
            if first:
                from wizard.gui.runtime import import_ahead

                import_ahead(dialog_modules)
                services.warm_up()
            pending = services.pending_switch() if first else None
            return services.list_orgs(), services.mailbox_header(), pending, services.keep_connected_minutes()

        def loaded(value) -> None:
            rows, header, pending, minutes = value
            self._show_keep_connected(minutes, rows)
            current = self.selected()
            self.model.set_rows(rows)
            self._show_header(header)
            key = select or (current.key if current else None)
            if key:
                self.select_key(key)
            elif rows:
                self.table.selectRow(0)
            self._update_actions()
            # The first org added (the list was hidden): the keyboard focus moves to the list.
            lost = bool(rows) and self.table.isHidden()
            self.table.setVisible(bool(rows))
            self.empty_panel.setVisible(not rows)
            if lost:
                self.table.setFocus()
            # A confirmation of what the user just did wins over the count.
            self.statusBar().showMessage(confirm or count_text(len(rows)))
            if after is not None:
                after()
            self.orgs_loaded.emit()
            if pending is not None:
                self._offer_finish(pending)
            if first:
                self._check_keyring()
                self._show_sandbox()
                self._start_keep_connected()
            if check:
                for row in rows:
                    self.check_status(row.key)
                if rows:
                    self._read_mailbox_records()

        self.run(load, on_result=loaded, action="refresh")

    # -- Keep me connected ----------------------------------------------------------------
    #: How often the window asks the engine whether Keep me connected work is due. Asking
    #: reads only the registry file: no traffic unless the engine says an org is due.
    KEEP_TICK_MS = 60_000

    def _show_keep_connected(self, minutes: int, rows) -> None:
        from wizard.gui.sync_dialogs import keep_connected_summary

        self.keep_minutes = minutes
        on = sum(1 for r in rows if r.keep_connected)
        self.keep_label.setText(keep_connected_summary(minutes, on, len(rows)))

    def _start_keep_connected(self) -> None:
        import datetime as dt

        # The window has just checked every org: the first round is one interval away.
        self.last_keep_round = dt.datetime.now(dt.timezone.utc)
        self.keep_deciding = False
        self.background_sync_running = False
        if getattr(self, "keep_timer", None) is None:
            self.keep_timer = QTimer(self)
            self.keep_timer.timeout.connect(self.keep_connected_round)
        self.keep_timer.start(self.KEEP_TICK_MS)

    def keep_connected_round(self) -> None:
        """Ask the engine what is due (on a worker) and do it: refresh connected orgs'
        status quietly, synchronize the synchronizing org in the background."""
        import datetime as dt

        if self.services is None or getattr(self, "keep_deciding", False):
            return
        services = self.services
        connected = {r.key for r in self.model.rows() if r.status == OrgStatus.CONNECTED}
        busy = getattr(self, "sync_dialog_running", None) is not None or self.background_sync_running
        last = self.last_keep_round
        self.keep_deciding = True

        def decided(work) -> None:
            self.keep_deciding = False
            if not work:
                self.action_done.emit("keep_connected-idle")
                return
            self.last_keep_round = dt.datetime.now(dt.timezone.utc)
            for key in work.refresh:
                self.check_status(key, quiet=True)
            if work.sync:
                self._background_sync()
            self.action_done.emit("keep_connected")

        def failed(_exc) -> None:
            self.keep_deciding = False
            self.action_done.emit("keep_connected-idle")

        self.run(lambda task: services.background_work(connected, last, busy), on_result=decided, on_error=failed)

    def _background_sync(self) -> None:
        from wizard.gui.tasks import CancelToken
        from wizard.gui.widgets import error_text

        primary = self.model.primary()
        if primary is None:
            return
        services = self._ready_services()
        self.background_sync_running = True
        self._update_actions()
        self.statusBar().showMessage(tr("Synchronizing with {name} in the background…").format(
            name=primary.display_name))

        def finished() -> None:
            self.background_sync_running = False
            self._update_actions()

        def done(summary) -> None:
            finished()
            self.refresh(check=False, confirm=tr("Synchronized with {name} in the background.").format(
                name=summary.org_name))

        def failed(exc) -> None:
            # No dialog for what the user did not start: the status bar says it, and the next
            # Synchronize Now shows the whole story.
            finished()
            message, _fix, _details = error_text(exc)
            self.statusBar().showMessage(tr("The background synchronization did not run: {message}").format(
                message=message))

        self.run(lambda task: services.synchronize_now(lambda _value: None, task.cancel_token),
                 on_result=done, on_error=failed, action="background_sync", cancel_token=CancelToken())

    def keep_connected_settings(self) -> None:
        from wizard.gui.sync_dialogs import KeepConnectedDialog

        rows = self.model.rows()
        dialog = KeepConnectedDialog(getattr(self, "keep_minutes", 15), rows, self)
        self.keep_dialog = dialog
        services = self._ready_services()

        def save() -> None:
            minutes, changes = dialog.minutes.value(), dialog.changes()

            def work(task):
                services.set_keep_connected_minutes(minutes)
                for key, on in changes.items():
                    services.update(key, keep_connected=on)

            self.run(work, action="keep_connected_saved",
                     on_result=lambda _v: self.refresh(check=False, confirm=tr(
                         "Keep me connected was saved.")),
                     on_error=lambda exc: error_box(self, exc, title=tr("Keep me connected was not saved"),
                                                    on_action=self._step_fix))

        dialog.accepted.connect(save)
        dialog.open()

    def _show_sandbox(self) -> None:
        services = self.services
        if services is None or not services.sandbox_mode:
            return
        self.setWindowTitle(tr("Configure Organizations — Sandbox"))
        if services.sandbox_addresses:
            lines = [tr("Sandbox mode: you are practising on the built-in sandbox tenant; nothing reaches "
                        "Dynamics 365. Paste one of these addresses into Add…:")]
            lines += [f"{name}: {url}" for name, url in services.sandbox_addresses]
        else:
            lines = [tr("Sandbox mode: you are practising on the built-in sandbox tenant; nothing reaches "
                        "Dynamics 365.")]
        text = "\n".join(lines)
        self.sandbox_banner.setText(text)
        self.sandbox_banner.setAccessibleDescription(text)
        self.sandbox_banner.setVisible(True)

    def _check_keyring(self) -> None:
        def show(state) -> None:
            if state.available:
                return
            from wizard.gui.widgets import no_keyring_text

            self.keyring_banner.setText("⚠ " + no_keyring_text())
            self.keyring_banner.setToolTip(state.reason)
            self.keyring_banner.setAccessibleDescription(no_keyring_text())
            self.keyring_banner.setVisible(True)

        services = self._ready_services()
        self.run(lambda task: services.keyring_state(), on_result=show, on_error=lambda _exc: None)

    def check_status(self, key: str, *, quiet: bool = False) -> None:
        """The org's live status, on a worker; ``quiet``: keep showing the last one meanwhile."""
        services = self._ready_services()
        if not quiet:
            self.model.set_status(key, OrgStatus.CHECKING)
        self.run(lambda task: services.check_status(key),
                 on_result=lambda value: self.model.set_status(key, *value),
                 on_error=lambda exc: self.model.set_status(key, OrgStatus.ERROR, error_line(exc)))

    def _read_mailbox_records(self) -> None:
        """Who holds the Exchange mailbox, read from every org in the background."""
        services = self._ready_services()

        def done(header) -> None:
            self._show_header(header)
            self.action_done.emit("mailbox_records")

        def read(task) -> MailboxHeader:
            services.refresh_mailbox_records()
            return services.mailbox_header()

        self.run(read, on_result=done, on_error=lambda exc: self.action_done.emit("mailbox_records"))

    def _show_header(self, header: MailboxHeader) -> None:
        self.header_info = header
        if not header.exchange_checked:
            self.exchange_label.setText(tr("Not read yet"))
        elif header.exchange_holders:
            text = ", ".join(header.exchange_holders)
            if not header.exchange_complete:
                text += " " + tr("(not every organization could be read)")
            self.exchange_label.setText(text)
        elif header.exchange_complete:
            self.exchange_label.setText(tr("None of your organizations"))
        else:
            self.exchange_label.setText(tr("Unknown: not every organization could be read"))
        self.primary_label.setText(header.primary_name or tr(
            "None. Select an organization and choose Set as Synchronizing Organization."))
        if header.stamp_org_name:
            self.stamp_label.setText(header.stamp_org_name)
        else:
            self.stamp_label.setText(tr("No organization yet"))
        if header.last_sync is not None:
            self.last_sync_label.setText(format_when(header.last_sync))
        else:
            self.last_sync_label.setText(tr("Never"))

    # -- actions ------------------------------------------------------------------------
    def add(self, *, url: str | None = None, title: str | None = None) -> None:
        from wizard.gui.add_org_wizard import AddOrgWizard

        wizard = AddOrgWizard(self._ready_services(), self._runner(), self, initial_url=url)
        if title:
            wizard.setWindowTitle(title)
        wizard.committed.connect(lambda rows: self.refresh(select=rows[0].key if rows else None,
                                                           confirm=added_text(rows)))
        self.add_wizard = wizard
        wizard.open()

    def delete(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        row = self.selected()
        if row is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, tr("Remove organization"),
                          tr("Do you want to remove {name} from this computer?").format(name=row.display_name),
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("confirmDelete")
        # Buttons named for the act: Remove / Cancel (Cancel is the default and Esc).
        remove = box.addButton(tr("&Remove"), QMessageBox.ButtonRole.DestructiveRole)
        remove.setObjectName("removeButton")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        text = tr("Its saved credentials and sign-in are deleted too. The organization itself is not changed.")
        if row.is_primary:
            text += "\n" + tr("It is your synchronizing organization: afterwards no organization "
                              "synchronizes until you choose one.")
        box.setInformativeText(text)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.setAccessibleName(tr("Remove organization"))

        def finished(_result: int) -> None:
            if box.clickedButton() is remove:
                self._do_delete(row)

        box.finished.connect(finished)
        self.confirm_box = box
        box.open()

    def _do_delete(self, row: OrgRow) -> None:
        services = self._ready_services()
        self.run(lambda task: services.remove(row.key),
                 on_result=lambda _v: self.refresh(check=False, confirm=tr("{name} was removed.").format(
                     name=row.display_name)),
                 action="delete")

    def properties(self) -> None:
        row = self.selected()
        if row is None:
            return
        from wizard.gui.dialogs import PropertiesDialog

        dialog = PropertiesDialog(row, self._ready_services(), self._runner(), self)
        dialog.fix_requested.connect(self._step_fix)

        def accepted() -> None:
            if dialog.result_row is not None:
                self.refresh(check=False, select=row.key, confirm=changed_text(row, dialog.result_row))

        dialog.accepted.connect(accepted)
        self.properties_dialog = dialog
        dialog.open()

    def test_connection(self) -> None:
        row = self.selected()
        if row is None:
            return
        from wizard.gui.dialogs import TestConnectionDialog

        dialog = TestConnectionDialog(row, self._ready_services(), self._runner(), self)

        def finished(steps: list[StepReport]) -> None:
            failed = next((s for s in steps if s.state == "failed"), None)
            if failed is not None:
                self.model.set_status(row.key, OrgStatus.ERROR, f"{failed.message} {failed.fix}".strip())
            elif steps:
                self.model.set_status(row.key, OrgStatus.CONNECTED, "")
            self.action_done.emit("test")

        dialog.finished_test.connect(finished)
        dialog.fix_requested.connect(self._step_fix)
        self.test_dialog = dialog
        dialog.open()
        dialog.start()

    def synchronize(self) -> None:
        row = self.selected()
        if row is None:
            return
        services = self._ready_services()

        def show(plan) -> None:
            from wizard.gui.dialogs import SwitchDialog

            dialog = SwitchDialog(plan, self)
            self.switch_dialog = dialog
            dialog.accepted.connect(lambda: self._apply_switch(plan, dialog.override, row, dialog.method))

            def rejected() -> None:
                self._close_plan(plan)
                self.action_done.emit("synchronize-cancelled")

            dialog.rejected.connect(rejected)
            dialog.open()

        self.statusBar().showMessage(tr("Reading your mailbox records in the organizations…"))
        self.run(lambda task: services.plan_switch(row.key), on_result=show)

    def _close_plan(self, plan) -> None:
        close = getattr(plan.plan, "close", None)
        if close is not None:
            close()

    def _apply_switch(self, plan, override: bool, row: OrgRow, method: str | None = None) -> None:
        """The records change and Test & Enable runs off the GUI thread, with progress and Cancel."""
        from wizard.gui.switch_dialogs import SwitchProgressDialog
        from wizard.gui.tasks import CancelToken

        services = self._ready_services()
        progress = SwitchProgressDialog(row.display_name, self)
        token = CancelToken()
        progress.cancel_requested.connect(token.cancel)
        self.switch_progress = progress
        progress.open()

        def done(result) -> None:
            progress.show_result(result)
            if result is None or result.complete:
                confirm = tr("{name} is now your synchronizing organization.").format(name=row.display_name)
            else:
                confirm = tr("The switch to {name} is not finished.").format(name=row.display_name)
            self.refresh(check=False, select=row.key, confirm=confirm)

        def failed(exc) -> None:
            if isValid(progress):
                progress.reject()
            error_box(self, exc, title=tr("The synchronizing organization was not changed"),
                      on_action=lambda action: self._fix_for(row.key, action, self.synchronize))

        self.run(lambda task: services.apply_switch(plan, override=override, method=method,
                                                    progress=task.progress, cancel=task.cancel_token),
                 on_result=done, on_error=failed, on_progress=progress.show_progress,
                 action="synchronize", cancel_token=token)

    def _offer_finish(self, pending) -> None:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Question, tr("Finish the switch"),
                          tr("A switch of your synchronizing organization to {name} is not finished.").format(
                              name=pending.target_name),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("finishSwitch")
        box.setInformativeText(tr("Finish it now? Every organization's mailbox record is read again first, "
                                  "and only what is still to do is changed."))
        box.setDetailedText(pending.what)
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.setAccessibleName(tr("Finish the switch"))
        box.finished.connect(lambda result: self.finish_switch() if result == QMessageBox.StandardButton.Yes
                             else self.action_done.emit("finish-declined"))
        self.finish_box = box
        box.open()

    def finish_switch(self) -> None:
        """Finish a half-done switch (after a crash, or once its problems are fixed)."""
        from wizard.gui.switch_dialogs import SwitchProgressDialog
        from wizard.gui.tasks import CancelToken

        services = self._ready_services()
        progress = SwitchProgressDialog("", self, title=tr("Finish the switch"))
        progress.heading.setText(tr("Finishing the switch of your synchronizing organization…"))
        token = CancelToken()
        progress.cancel_requested.connect(token.cancel)
        self.switch_progress = progress
        progress.open()

        def done(result) -> None:
            progress.show_result(result)
            self.refresh(check=False)

        def failed(exc) -> None:
            if isValid(progress):
                progress.reject()
            error_box(self, exc, title=tr("The switch was not finished"), on_action=self._step_fix)

        self.run(lambda task: services.finish_switch(task.progress, task.cancel_token), on_result=done,
                 on_error=failed, on_progress=progress.show_progress, action="finish_switch",
                 cancel_token=token)

    def set_none_elsewhere(self) -> None:
        """The connection test's one-click fix: None in every org but the synchronizing one."""
        from PySide6.QtWidgets import QMessageBox

        from wizard.gui.switch_dialogs import outcome_line

        services = self._ready_services()

        def done(outcomes) -> None:
            lines = [outcome_line(o) for o in outcomes] or [tr("There are no other organizations.")]
            box = QMessageBox(QMessageBox.Icon.Information, tr("Set None in the other organizations"),
                              "\n".join(lines), QMessageBox.StandardButton.Ok, self)
            box.setObjectName("noneElsewhereResult")
            self.none_elsewhere_box = box
            box.open()
            self.refresh(check=False)

        self.run(lambda task: services.set_none_elsewhere(), on_result=done, action="none_elsewhere",
                 on_error=lambda exc: error_box(self, exc, title=tr("The other organizations were not changed"),
                                                on_action=self._step_fix))

    def _fix_primary(self, action: str) -> None:
        primary = self.model.primary()
        if primary is not None:
            self.select_key(primary.key)
        self._step_fix(action)

    def _fix_for(self, key: str, action: str, retry=None) -> None:
        """A fix for one org (a failed sync or switch): select it, then do it; ``retry``
        runs the failed work again ("Try again")."""
        self.select_key(key)
        if action == "retry" and retry is not None:
            retry()
        else:
            self._step_fix(action)

    def _step_fix(self, action: str) -> None:
        """A result's fix button (an engine ``Action``): do what it names."""
        handlers = {"finish_switch": self.finish_switch, "set_none_elsewhere": self.set_none_elsewhere,
                    "sign_in": self.sign_in, "enter_password": self.sign_in, "enter_credentials": self.sign_in,
                    "device_code": self.sign_in, "test_again": self.test_connection,
                    "show_settings": self.sync_settings, "diagnostics": self.diagnostics,
                    "switch_org": self.synchronize}
        handler = handlers.get(action)
        if handler is not None:
            handler()

    def sign_in(self) -> None:
        """Sign in to the selected org again (its own dialog: the address stays as it is)."""
        row = self.selected()
        if row is None:
            return
        from wizard.gui.reauth_dialog import ReauthDialog

        dialog = ReauthDialog(row, self._ready_services(), self._runner(), self)
        dialog.signed_in.connect(lambda updated: self.refresh(
            check=False, select=updated.key,
            after=lambda: self.model.set_status(updated.key, *self._tested(dialog))))
        self.reauth_dialog = dialog
        dialog.open()

    @staticmethod
    def _tested(dialog) -> tuple[str, str]:
        failed = dialog.model.failed()
        if failed is not None:
            return OrgStatus.ERROR, f"{failed.message} {failed.fix}".strip()
        return OrgStatus.CONNECTED, ""

    def sign_out(self) -> None:
        row = self.selected()
        if row is None:
            return
        services = self._ready_services()

        def done(_value) -> None:
            self.statusBar().showMessage(tr("Signed out of {name}.").format(name=row.display_name))
            self.refresh(check=False, select=row.key, after=lambda: self.model.set_status(
                row.key, OrgStatus.NEEDS_SIGN_IN, tr("Sign in to use this organization.")))

        self.run(lambda task: services.sign_out(row.key), on_result=done, action="sign_out")

    def diagnostics(self) -> None:
        services = self._ready_services()

        def show(diag) -> None:
            from wizard.gui.dialogs import DiagnosticsDialog

            dialog = DiagnosticsDialog(diag.facts, self, services=services, runner=self.runner)
            self.diagnostics_dialog = dialog
            dialog.open()

        self.run(lambda task: services.diagnostics(), on_result=show, action="diagnostics")

    # -- synchronization ----------------------------------------------------------------
    def synchronize_now(self, *, override: bool = False) -> None:
        """Run one sync of the synchronizing org with a progress dialog and Cancel."""
        primary = self.model.primary()
        if primary is None or getattr(self, "sync_dialog_running", None) is not None:
            return
        from wizard.gui.sync_dialogs import SyncDialog
        from wizard.gui.tasks import CancelToken

        services = self._ready_services()
        dialog = SyncDialog(primary.display_name, self)
        token = CancelToken()
        dialog.cancel_requested.connect(token.cancel)
        dialog.fix_requested.connect(lambda action: self._fix_for(primary.key, action, self.synchronize_now))
        self.sync_dialog = dialog
        self.sync_dialog_running: SyncDialog | None = dialog
        self._update_actions()
        dialog.open()

        def finished() -> None:
            self.sync_dialog_running = None
            self._update_actions()
            self.refresh(check=False)     # the header's "Last synchronization"

        def done(summary) -> None:
            dialog.show_result(summary)
            self.statusBar().showMessage(tr("Synchronized with {name}.").format(name=summary.org_name))
            finished()

        def failed(exc) -> None:
            from wizard.gui.dialogs import fix_label
            from wizard.gui.widgets import error_text

            code = getattr(exc, "code", None)
            if code == "cancelled" or isinstance(exc, TaskCancelled):
                dialog.show_cancelled()
            elif code == "stamp_conflict" and not override:
                dialog.reject()
                self._stamp_gate(exc, primary)
            else:
                text, fix, details = error_text(exc)
                action = getattr(getattr(exc, "action", None), "value", None)
                dialog.show_failure(text, fix, details, action if fix_label(action or "")[0] else "retry")
            finished()

        self.run(lambda task: services.synchronize_now(task.progress, task.cancel_token, override=override),
                 on_result=done, on_error=failed, on_progress=dialog.show_progress, action="sync_now",
                 cancel_token=token)

    def _stamp_gate(self, exc, primary: OrgRow) -> None:
        from wizard.gui.sync_dialogs import StampGateDialog

        other = getattr(getattr(exc, "other", None), "org_name", None) or tr("another organization")
        dialog = StampGateDialog(other, primary.display_name, error_line(exc), self)
        self.stamp_gate_dialog = dialog

        def accepted() -> None:
            if dialog.override_box.isChecked():
                self.synchronize_now(override=True)

        dialog.accepted.connect(accepted)
        dialog.rejected.connect(lambda: self.action_done.emit("sync_now-declined"))
        dialog.open()

    def sync_settings(self) -> None:
        """The synchronizing org's Synchronization settings (editable with the privilege)."""
        if self.model.primary() is None:
            return
        services = self._ready_services()

        def show(views) -> None:
            from wizard.gui.sync_dialogs import SyncSettingsDialog

            view, mailbox = views
            dialog = SyncSettingsDialog(view, self, mailbox=mailbox)
            dialog.save_requested.connect(lambda flags, mailing: self._save_sync_settings(dialog, flags, mailing))
            dialog.mailbox_page.test_requested.connect(lambda choice: self._test_mailbox(dialog, choice))
            dialog.mailbox_page.use_requested.connect(lambda choice: self._use_mailbox(dialog, choice))
            self.settings_dialog = dialog
            dialog.open()

        self.run(lambda task: (services.sync_settings(), services.mailbox_side()), on_result=show,
                 action="sync_settings",
                 on_error=lambda exc: error_box(self, exc, title=tr("The synchronization settings could not be read"),
                                                on_action=self._fix_primary))

    def _busy_mailbox_page(self, dialog, status: str):
        """The mailbox page of ``dialog``, made busy saying ``status``, and the handler that
        shows a failure of its task on it: (page, failed)."""
        from wizard.gui.widgets import error_text

        page = dialog.mailbox_page
        page.set_busy(True)
        page.status.setText(status)

        def failed(exc) -> None:
            if isValid(page):
                message, fix, _ = error_text(exc)
                page.show_problem(message, fix)

        return page, failed

    def _test_mailbox(self, dialog, choice) -> None:
        """Look for the chosen mailbox's collections (off the GUI thread); nothing is saved."""
        services = self._ready_services()
        page, failed = self._busy_mailbox_page(dialog, tr("Looking for the calendar, task list and address book…"))

        def found(view) -> None:
            if isValid(page):
                page.show_found(view)

        self.run(lambda task: services.test_mailbox_side(choice), on_result=found, on_error=failed,
                 action="mailbox_tested")

    def _use_mailbox(self, dialog, choice) -> None:
        """Make it the mailbox side and run the first synchronization, with its progress."""
        from wizard.gui.widgets import error_text

        services = self._ready_services()
        page, failed = self._busy_mailbox_page(dialog, tr("Connecting…"))

        def done(result) -> None:
            if not isValid(page):
                return
            if result.problem is not None:
                page.set_view(result.view)
                message, fix, _ = error_text(result.problem)
                page.show_problem(tr("The mailbox was chosen, but the first synchronization did not run: "
                                     "{message}").format(message=message), fix)
            else:
                page.show_connected(result.view, result.summary)
            self.statusBar().showMessage(tr("The mailbox was changed."))

        def progress(value) -> None:
            if isValid(page):
                page.show_progress(value)

        self.run(lambda task: services.connect_mailbox_side(choice, task.progress, task.cancel_token),
                 on_result=done, on_error=failed, on_progress=progress, action="mailbox_used")

    def _save_sync_settings(self, dialog, flags: dict, mailing_only) -> None:
        services = self._ready_services()
        dialog.set_busy(True)

        def failed(exc) -> None:
            if isValid(dialog):
                dialog.set_busy(False)
                dialog.show_problem(error_line(exc))
            error_box(self, exc, title=tr("The settings were not changed"), on_action=self._step_fix)

        if mailing_only is None:
            def saved(view) -> None:
                self.statusBar().showMessage(tr("The synchronization settings were saved. They take effect at "
                                                "the next synchronization."))
                if isValid(dialog):
                    dialog.accept()

            self.run(lambda task: services.update_sync_settings(flags), on_result=saved, on_error=failed,
                     action="settings_saved")
            return

        def confirm(plan) -> None:
            from wizard.gui.sync_dialogs import AddressSwitchDialog

            confirm_dialog = AddressSwitchDialog(plan, dialog)
            self.address_dialog = confirm_dialog

            def declined() -> None:
                dialog.set_busy(False)
                dialog.restore_address_choice()
                dialog.show_problem(tr("Nothing was changed; the contact addresses stay as they were."))
                self.action_done.emit("address_switch-cancelled")

            def switched(backup: str) -> None:
                self.statusBar().showMessage(tr("Contact addresses were switched. Backup: {path}").format(path=backup))
                self.last_backup = backup
                if isValid(dialog):
                    dialog.accept()

            confirm_dialog.accepted.connect(lambda: self.run(
                lambda task: services.apply_address_switch(plan, flags), on_result=switched, on_error=failed,
                action="settings_saved"))
            confirm_dialog.rejected.connect(declined)
            confirm_dialog.open()
            self.action_done.emit("address_plan")

        self.run(lambda task: services.plan_address_switch(mailing_only), on_result=confirm, on_error=failed)

    def open_mailbox(self) -> None:
        """The Mailbox window (one at a time; raised when open already)."""
        engine = getattr(self.services, "engine", None)
        if engine is None:          # not started yet (or services without a local engine)
            return
        from wizard.gui.mailbox_window import MailboxWindow

        window = getattr(self, "mailbox_window", None)
        if window is not None and isValid(window) and window.isVisible():
            window.raise_()
            window.activateWindow()
            return
        window = MailboxWindow(engine, self.runner, self)
        self.mailbox_window = window
        window.show()

    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from wizard import __version__

        QMessageBox.about(self, tr("About"), tr("d365-wizard {version}\nConfigure Dynamics 365 organizations "
                                                "and the one that synchronizes with your mailbox.").format(
            version=__version__))

    def show_error(self, text: str, details: str = "") -> None:
        error_box(self, text, details=details)

    def closeEvent(self, event) -> None:
        if self.runner is not None:
            self.runner.cancel_all()
        super().closeEvent(event)


def count_text(count: int) -> str:
    """How many orgs the list holds, in words with the right plural."""
    if count == 1:
        return tr("1 organization configured.")
    return tr("%n organizations configured.", "", count)


def added_text(rows) -> str:
    if len(rows) == 1:
        return tr("{name} was added.").format(name=rows[0].display_name)
    return tr("%n organizations were added.", "", len(rows))


def changed_text(before, after) -> str:
    if after.display_name != before.display_name:
        return tr("{old} was renamed to {new}.").format(old=before.display_name, new=after.display_name)
    return tr("The properties of {name} were saved.").format(name=after.display_name)
