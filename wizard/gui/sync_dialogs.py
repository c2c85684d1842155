"""Synchronize Now (progress, cancel, result) and the org's Synchronization settings page."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from wizard.gui.i18n import tr
from wizard.gui.models import FieldMappingModel
from wizard.gui.views import AddressPlanView, MailboxChoice, MailboxSideView, SyncSettingsView, SyncSummary
from wizard.gui.widgets import accessible, format_when, max_dialog_height

ITEM_TYPES = ("contact", "appointment", "task")


def item_type_label(kind: str) -> str:
    return {"contact": tr("Contacts"), "appointment": tr("Appointments"), "task": tr("Tasks")}.get(kind, kind)


def stage_label(stage: str) -> str:
    """The engine's progress stages ("reading contacts", "sending changes") in the user's words."""
    return {"reading contacts": tr("Reading contacts…"), "reading appointments": tr("Reading appointments…"),
            "reading tasks": tr("Reading tasks…"), "reading bookings": tr("Reading resource bookings…"),
            "reading emails": tr("Checking tracked e-mail…"),
            "sending changes": tr("Sending your changes…"),
            "reading the mailbox": tr("Reading your mailbox…"),
            "writing the mailbox": tr("Writing into your mailbox…")}.get(stage, stage)


def _counts_text(counts: dict[str, int]) -> str:
    parts = []
    for verb, text in (("create", tr("{n} new")), ("update", tr("{n} changed")), ("delete", tr("{n} removed"))):
        if counts.get(verb):
            parts.append(text.format(n=counts[verb]))
    return ", ".join(parts) if parts else tr("nothing")


def _selectable(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    return label


class SyncDialog(QDialog):
    """Progress of one synchronization with Cancel, then its result with Details.

    The main window drives it: :meth:`show_progress` while the engine runs,
    :meth:`show_result`, :meth:`show_cancelled` or :meth:`show_failure` at the end.
    """

    cancel_requested = Signal()
    fix_requested = Signal(str)     # the failure's fix button (an engine Action value, or "retry")

    def __init__(self, org_name: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("syncDialog")
        self.setWindowTitle(tr("Synchronize with {name}").format(name=org_name))
        self.setMinimumWidth(520)
        self.org_name = org_name
        self.running = True
        layout = QVBoxLayout(self)
        self.headline = QLabel(tr("Synchronizing your mailbox with {name}…").format(name=org_name))
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        _selectable(self.headline)
        accessible(self.headline, tr("Synchronization"))
        layout.addWidget(self.headline)
        self.stage = QLabel(tr("Connecting…"))
        accessible(self.stage, tr("Current step"))
        layout.addWidget(self.stage)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        accessible(self.progress, tr("Progress"), tr("How far the synchronization has come."))
        layout.addWidget(self.progress)
        self.summary = _selectable(QLabel())
        self.summary.setObjectName("syncSummary")
        self.summary.setVisible(False)
        accessible(self.summary, tr("Result"))
        layout.addWidget(self.summary)
        self.details_button = QPushButton(tr("&Details"))
        self.details_button.setCheckable(True)
        self.details_button.setVisible(False)
        accessible(self.details_button, tr("Details"), tr("Show every change the synchronization made."))
        layout.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setVisible(False)
        self.details.setMinimumHeight(160)
        accessible(self.details, tr("Details"), tr("Every change, as the engine reported it."))
        self.details_button.toggled.connect(self.details.setVisible)
        layout.addWidget(self.details)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self._cancel_or_close)
        layout.addWidget(self.buttons)
        self.result_summary: SyncSummary | None = None

    def show_progress(self, value) -> None:
        stage, done, total = value
        self.stage.setText(stage_label(stage))
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.setFormat(tr("%v of %m"))
        else:
            self.progress.setRange(0, 0)

    def _finish(self, headline: str, text: str, details: str = "") -> None:
        self.running = False
        self.headline.setText(headline)
        self.stage.setVisible(False)
        self.progress.setVisible(False)
        self.summary.setText(text)
        self.summary.setVisible(True)
        self.details.setPlainText(details)
        self.details_button.setVisible(bool(details))
        self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setFocus()
        self.adjustSize()

    def show_result(self, summary: SyncSummary) -> None:
        self.result_summary = summary
        lines = [tr("Into your mailbox: {what}.").format(what=_counts_text(summary.came_in)),
                 tr("Into the organization: {what}.").format(what=_counts_text(summary.went_out))]
        if summary.conflicts:
            n = len(summary.conflicts)
            lines.append(tr("1 conflict: both sides changed the same field; the organization's value was "
                            "kept. See Details.") if n == 1 else
                         tr("%n conflicts: both sides changed the same field; the organization's value "
                            "was kept. See Details.", "", n))
        else:
            lines.append(tr("No conflicts."))
        if summary.not_sent:
            lines.append(tr("Not sent (they stay queued and are tried again next time):"))
            lines += [f"• {line}" for line in summary.not_sent]
        lines += [f"• {notice}" for notice in summary.notices]
        if summary.last_sync is not None:
            lines.append(tr("Last synchronization: {when}").format(
                when=format_when(summary.last_sync)))
        self._finish(tr("Synchronized with {name}.").format(name=self.org_name), "\n".join(lines),
                     summary.details)

    def show_cancelled(self) -> None:
        self._finish(tr("Synchronization cancelled."),
                     tr("Nothing in your mailbox changed: a cancelled synchronization commits nothing. "
                        "Changes already sent to the organization are matched up at the next "
                        "synchronization."))

    def show_failure(self, message: str, fix: str, details: str = "", action: str | None = None) -> None:
        """The failure and, for ``action`` (an engine ``Action`` value; ``"retry"`` by
        default), a button that does the fix: Sign in…, Try again, …"""
        self._finish(tr("The synchronization did not run."), "\n".join(t for t in (message, fix) if t), details)
        if action == "retry":
            text, tip = tr("Try again"), tr("Synchronize again.")
        else:
            from wizard.gui.dialogs import fix_label

            text, tip = fix_label(action) if action else ("", "")
        if not text:
            return
        button = self.buttons.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setObjectName("syncFixButton")
        button.setToolTip(tip)
        accessible(button, text.replace("&", "").rstrip("…"), tip)

        def do_fix() -> None:
            self.accept()
            self.fix_requested.emit(action)

        button.clicked.connect(do_fix)
        button.setDefault(True)
        button.setFocus()

    def _cancel_or_close(self) -> None:
        if self.running:
            self.stage.setText(tr("Cancelling after the current step…"))
            self.buttons.setEnabled(False)
            self.cancel_requested.emit()
        else:
            self.reject()


class StampGateDialog(QDialog):
    """The mailbox is set to another org: explain it and offer the override."""

    def __init__(self, other_name: str, target_name: str, engine_text: str = "", parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("stampGateDialog")
        self.setWindowTitle(tr("Mailbox set to another organization"))
        layout = QVBoxLayout(self)
        warn = _selectable(QLabel(tr(
            "Your mailbox is set to synchronize with another organization, {other}. "
            "As long as that is so, nothing will synchronize with {target}. If you are sure "
            "this mailbox should synchronize with {target}, choose the option below.").format(
            other=other_name, target=target_name)))
        accessible(warn, tr("Mailbox set to another organization"), warn.text())
        layout.addWidget(warn)
        self.override_box = QCheckBox(tr("Sync items from this organization only, even if the "
                                         "mailbox was set to sync with a different organization"))
        accessible(self.override_box, tr("Sync from this organization only"),
                   tr("Rewrite the mailbox's record so it synchronizes with this organization."))
        layout.addWidget(self.override_box)
        self.help_button = QPushButton(tr("&When would I use this?"))
        self.help_button.setCheckable(True)
        accessible(self.help_button, tr("When would I use this?"), tr("Show when this option is the right choice."))
        layout.addWidget(self.help_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.help_label = _selectable(QLabel(tr(
            "Use this option in one of these situations:\n"
            "• An administrator of another organization set up the same mailbox and overwrote its record.\n"
            "• The mailbox's record is in an unknown state and synchronization keeps failing.\n"
            "• You were moved (migrated) from another organization to this one.")))
        self.help_label.setVisible(False)
        accessible(self.help_label, tr("When to use this option"), self.help_label.text())
        self.help_button.toggled.connect(self.help_label.setVisible)
        layout.addWidget(self.help_label)
        if engine_text:
            self.details_button = QPushButton(tr("&Details"))
            self.details_button.setCheckable(True)
            accessible(self.details_button, tr("Details"), tr("Show the message as the engine wrote it."))
            self.details_label = _selectable(QLabel(engine_text))
            self.details_label.setVisible(False)
            accessible(self.details_label, tr("Details"), engine_text)
            self.details_button.toggled.connect(self.details_label.setVisible)
            layout.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignLeft)
            layout.addWidget(self.details_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(tr("&Synchronize"))
        ok.setEnabled(False)
        self.override_box.toggled.connect(ok.setEnabled)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())


class SyncSettingsDialog(QDialog):
    """The org's Synchronization settings: read for everyone, changed by users with the privilege.

    ``save`` is emitted with the boolean changes and the new contact address mode (or None);
    the main window runs the engine work (dry run, confirmation, apply).
    """

    save_requested = Signal(dict, object)

    SETTINGS = ("appointment_attachments", "assigned_tasks", "resource_bookings")

    def __init__(self, view: SyncSettingsView, parent=None, *,
                 mailbox: MailboxSideView | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncSettingsDialog")
        self.view = view
        self.setWindowTitle(tr("Synchronization Settings of {name}").format(name=view.org_name))
        self.resize(820, min(780, max_dialog_height(self)))
        outer = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("syncSettingsTabs")
        accessible(self.tabs, tr("Synchronization settings pages"))
        # The page scrolls on a screen too small for it (1366×768 with a panel fits it whole).
        org_scroll = QScrollArea()
        org_scroll.setObjectName("orgPageScroll")
        org_scroll.setWidgetResizable(True)
        org_scroll.setFrameShape(QFrame.Shape.NoFrame)
        org_page = QWidget()
        layout = QVBoxLayout(org_page)
        org_scroll.setWidget(org_page)
        self.tabs.addTab(org_scroll, tr("&Organization"))
        self.mailbox_page = MailboxPage(mailbox or MailboxSideView("local"))
        self.tabs.addTab(self.mailbox_page, tr("&Mailbox"))
        outer.addWidget(self.tabs, 1)
        if view.can_edit:
            note = tr("These settings apply to everyone in {name}. Changes take effect at the next "
                      "synchronization.").format(name=view.org_name)
        else:
            note = tr("You can read these settings. Only users with the Sync to Outlook privilege can "
                      "change them.")
        self.note = _selectable(QLabel(note))
        self.note.setObjectName("settingsNote")
        accessible(self.note, tr("About these settings"))
        layout.addWidget(self.note)

        org_box = QGroupBox(tr("Organization-wide settings"))
        form = QFormLayout(org_box)
        self.attachments_box = QCheckBox(tr("Synchronize appointment &attachments"))
        accessible(self.attachments_box, tr("Appointment attachments"),
                   tr("Attachments of appointments synchronize both ways; never for recurring "
                      "appointments or service activities."))
        self.address_combo = QComboBox()
        self.address_combo.addItem(tr("Mailing address only"), True)
        self.address_combo.addItem(tr("All three: Business, Home and Other"), False)
        accessible(self.address_combo, tr("Contact addresses"),
                   tr("Which contact addresses synchronize. Switching remaps existing contacts."))
        address_label = QLabel(tr("Contact a&ddresses:"))
        address_label.setBuddy(self.address_combo)
        self.tasks_box = QCheckBox(tr("Synchronize tasks assigned to &others"))
        accessible(self.tasks_box, tr("Assigned tasks"),
                   tr("Tasks you created and assigned to someone else stay in your mailbox."))
        self.bookings_box = QCheckBox(tr("Synchronize resource &bookings"))
        accessible(self.bookings_box, tr("Resource bookings"),
                   tr("Your resource bookings appear in your calendar."))
        form.addRow(self.attachments_box)
        form.addRow(address_label, self.address_combo)
        form.addRow(self.tasks_box)
        form.addRow(self.bookings_box)
        layout.addWidget(org_box)

        fields_box = QGroupBox(tr("Synchronized fields"))
        fields_layout = QVBoxLayout(fields_box)
        row = QHBoxLayout()
        self.kind_combo = QComboBox()
        for kind in ITEM_TYPES:
            self.kind_combo.addItem(item_type_label(kind), kind)
        accessible(self.kind_combo, tr("Item type"), tr("Choose whose synchronized fields are shown."))
        kind_label = QLabel(tr("&Item type:"))
        kind_label.setBuddy(self.kind_combo)
        row.addWidget(kind_label)
        row.addWidget(self.kind_combo)
        row.addStretch(1)
        fields_layout.addLayout(row)
        self.fields_model = FieldMappingModel(self)
        self.fields_view = QTableView()
        self.fields_view.setObjectName("fieldsView")
        self.fields_view.setModel(self.fields_model)
        self.fields_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.fields_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.fields_view.setTabKeyNavigation(False)
        self.fields_view.verticalHeader().setVisible(False)
        self.fields_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.fields_view.horizontalHeader().setStretchLastSection(True)
        self.fields_view.setAlternatingRowColors(True)
        self.fields_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        accessible(self.fields_view, tr("Synchronized fields"),
                   tr("Each field of the item type and the direction it synchronizes in."))
        fields_layout.addWidget(self.fields_view)
        layout.addWidget(fields_box, 1)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._show_fields())

        filters_box = QGroupBox(tr("Your synchronization filters"))
        filters_layout = QVBoxLayout(filters_box)
        self.filters_table = QTableWidget(len(view.filters), 3)
        self.filters_table.setObjectName("filtersTable")
        self.filters_table.setHorizontalHeaderLabels([tr("Filter"), tr("Item type"), tr("Kind")])
        self.filters_table.verticalHeader().setVisible(False)
        self.filters_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.filters_table.setTabKeyNavigation(False)
        self.filters_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.filters_table.horizontalHeader().setStretchLastSection(True)
        for i, f in enumerate(view.filters):
            if f.default:
                kind = tr("Default (records you own)")
            elif f.offline:
                kind = tr("Offline filter")
            else:
                kind = tr("System filter") if f.scope == "system" else tr("Your filter")
            for column, text in enumerate((f.name, item_type_label(f.entity), kind)):
                self.filters_table.setItem(i, column, QTableWidgetItem(text))
        accessible(self.filters_table, tr("Synchronization filters"),
                   tr("Which records come into your mailbox: system filters and your own."))
        self.filters_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.filters_table.setMaximumHeight(6 * (self.fontMetrics().height() + 8))
        filters_layout.addWidget(self.filters_table)
        layout.addWidget(filters_box)

        self.error_label = _selectable(QLabel())
        self.error_label.setObjectName("settingsError")
        accessible(self.error_label, tr("Problem"))
        layout.addWidget(self.error_label)
        layout = outer
        if view.can_edit:
            self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                            | QDialogButtonBox.StandardButton.Cancel)
            self.buttons.accepted.connect(self._save)
        else:
            self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.set_view(view)
        QWidget.setTabOrder(self.attachments_box, self.address_combo)
        QWidget.setTabOrder(self.address_combo, self.tasks_box)
        QWidget.setTabOrder(self.tasks_box, self.bookings_box)
        QWidget.setTabOrder(self.bookings_box, self.kind_combo)
        QWidget.setTabOrder(self.kind_combo, self.fields_view)
        QWidget.setTabOrder(self.fields_view, self.filters_table)
        QWidget.setTabOrder(self.filters_table, self.buttons)

    def set_view(self, view: SyncSettingsView) -> None:
        self.view = view
        self.attachments_box.setChecked(view.appointment_attachments)
        self.address_combo.setCurrentIndex(self.address_combo.findData(view.mailing_address_only))
        self.tasks_box.setChecked(view.assigned_tasks)
        self.bookings_box.setChecked(view.resource_bookings)
        for widget in (self.attachments_box, self.address_combo, self.tasks_box, self.bookings_box):
            widget.setEnabled(view.can_edit)
        self._show_fields()

    def _show_fields(self) -> None:
        self.fields_model.set_rows(self.view.fields.get(self.kind_combo.currentData(), ()))

    def changes(self) -> tuple[dict[str, bool], bool | None]:
        """(boolean setting changes, the new mailing-address-only value or None)."""
        wanted = {"appointment_attachments": self.attachments_box.isChecked(),
                  "assigned_tasks": self.tasks_box.isChecked(),
                  "resource_bookings": self.bookings_box.isChecked()}
        flags = {k: v for k, v in wanted.items() if getattr(self.view, k) != v}
        mailing_only = self.address_combo.currentData()
        return flags, (None if mailing_only == self.view.mailing_address_only else mailing_only)

    def set_busy(self, busy: bool) -> None:
        self.buttons.setEnabled(not busy)

    def restore_address_choice(self) -> None:
        """Put the contact address choice back to what the org has (the dry run was cancelled)."""
        self.address_combo.setCurrentIndex(self.address_combo.findData(self.view.mailing_address_only))

    def show_problem(self, text: str) -> None:
        self.error_label.setText(text)

    def _save(self) -> None:
        flags, mailing_only = self.changes()
        if not flags and mailing_only is None:
            self.accept()
            return
        self.error_label.setText("")
        self.save_requested.emit(flags, mailing_only)


def side_label(side: str) -> str:
    return {"local": tr("This app's own mailbox"), "vdir": tr("A folder of calendar and contact files (vdir)"),
            "dav": tr("A CalDAV/CardDAV account")}.get(side, side)


def collection_label(kind: str) -> str:
    return {"appointment": tr("Calendar"), "task": tr("Task list"), "contact": tr("Address book")}.get(kind, kind)


class MailboxPage(QWidget):
    """Where "This computer" keeps the synchronizing org's items: choose, test, use.

    The page emits ``test_requested`` / ``use_requested`` with a :class:`MailboxChoice`;
    the main window runs the engine work off the GUI thread and reports back through
    :meth:`show_found`, :meth:`show_problem`, :meth:`show_progress` and :meth:`show_connected`.
    """

    test_requested = Signal(object)
    use_requested = Signal(object)

    def __init__(self, view: MailboxSideView, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("mailboxPage")
        layout = QVBoxLayout(self)
        intro = _selectable(QLabel(tr(
            "Choose where this computer keeps the appointments, contacts and tasks of the synchronizing "
            "organization: in this app only, in a folder that calendar programs such as khal, khard and "
            "vdirsyncer read, or in your calendar and address book account (Nextcloud, iCloud, Fastmail, "
            "Radicale…). Items already there are matched before anything is created.")))
        accessible(intro, tr("About the mailbox"))
        layout.addWidget(intro)
        self.current = _selectable(QLabel())
        self.current.setObjectName("mailboxCurrent")
        accessible(self.current, tr("Current mailbox"))
        layout.addWidget(self.current)

        choice_box = QGroupBox(tr("Mailbox"))
        form = QFormLayout(choice_box)
        self.group = QButtonGroup(self)
        self.local_radio = QRadioButton(tr("This app's own mailbox (&local)"))
        self.vdir_radio = QRadioButton(tr("A &folder of calendar and contact files (vdir)"))
        self.dav_radio = QRadioButton(tr("A Cal&DAV/CardDAV account"))
        for n, (radio, side) in enumerate(((self.local_radio, "local"), (self.vdir_radio, "vdir"),
                                           (self.dav_radio, "dav"))):
            self.group.addButton(radio, n)
            radio.setProperty("side", side)
            accessible(radio, side_label(side))
            form.addRow(radio)
        self.folder_edit = QLineEdit()
        self.folder_edit.setObjectName("mailboxFolder")
        self.folder_edit.setPlaceholderText(tr("e.g. ~/.calendars/d365"))
        accessible(self.folder_edit, tr("Folder"), tr("The folder that holds one folder per calendar, "
                                                       "task list and address book."))
        self.browse_button = QPushButton(tr("&Browse…"))
        accessible(self.browse_button, tr("Browse for a folder"))
        self.browse_button.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        folder_label = QLabel(tr("F&older:"))
        folder_label.setBuddy(self.folder_edit)
        form.addRow(folder_label, folder_row)
        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("mailboxUrl")
        self.url_edit.setPlaceholderText(tr("e.g. https://cloud.example.com/remote.php/dav/"))
        accessible(self.url_edit, tr("Server address"),
                   tr("The CalDAV/CardDAV address your provider gives; the server's own address is often "
                      "enough."))
        url_label = QLabel(tr("Server &address:"))
        url_label.setBuddy(self.url_edit)
        form.addRow(url_label, self.url_edit)
        self.user_edit = QLineEdit()
        self.user_edit.setObjectName("mailboxUser")
        accessible(self.user_edit, tr("User name"))
        user_label = QLabel(tr("&User name:"))
        user_label.setBuddy(self.user_edit)
        form.addRow(user_label, self.user_edit)
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("mailboxPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        accessible(self.password_edit, tr("Password"),
                   tr("Your password or an app password made for this program; it is kept in the keyring."))
        password_label = QLabel(tr("&Password:"))
        password_label.setBuddy(self.password_edit)
        form.addRow(password_label, self.password_edit)
        self._dav_widgets = (self.url_edit, self.user_edit, self.password_edit)
        layout.addWidget(choice_box)

        buttons = QHBoxLayout()
        self.test_button = QPushButton(tr("&Test"))
        accessible(self.test_button, tr("Test"), tr("Look for the calendar, task list and address book; "
                                                    "nothing is changed."))
        self.use_button = QPushButton(tr("&Use this mailbox"))
        accessible(self.use_button, tr("Use this mailbox"),
                   tr("Synchronize with this mailbox from now on, starting with a first synchronization."))
        self.test_button.clicked.connect(lambda: self.test_requested.emit(self.choice()))
        self.use_button.clicked.connect(lambda: self.use_requested.emit(self.choice()))
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.use_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.found = QTableWidget(0, 3)
        self.found.setObjectName("mailboxCollections")
        self.found.setHorizontalHeaderLabels([tr("For"), tr("Collection"), tr("Where")])
        self.found.verticalHeader().setVisible(False)
        self.found.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.found.setTabKeyNavigation(False)
        self.found.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.found.horizontalHeader().setStretchLastSection(True)
        self.found.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.found.setMaximumHeight(5 * (self.fontMetrics().height() + 8))
        accessible(self.found, tr("Collections found"),
                   tr("Which calendar, task list and address book the items go to."))
        layout.addWidget(self.found)
        self.progress = QProgressBar()
        self.progress.setObjectName("mailboxProgress")
        self.progress.setVisible(False)
        accessible(self.progress, tr("First synchronization"), tr("How far the first synchronization has come."))
        layout.addWidget(self.progress)
        self.status = _selectable(QLabel())
        self.status.setObjectName("mailboxStatus")
        accessible(self.status, tr("Mailbox status"))
        layout.addWidget(self.status)
        layout.addStretch(1)

        def toggled(_id: int, on: bool) -> None:
            if on:
                self._update_fields()

        self.group.idToggled.connect(toggled)
        self.set_view(view)

    # -- state ------------------------------------------------------------------------------
    def set_view(self, view: MailboxSideView) -> None:
        self.view = view
        where = view.target + (f" ({view.user})" if view.user else "")
        self.current.setText(tr("Now: {side}, {where}").format(side=side_label(view.side), where=where)
                             if where else tr("Now: {side}").format(side=side_label(view.side)))
        radio = {"local": self.local_radio, "vdir": self.vdir_radio, "dav": self.dav_radio}[view.side]
        radio.setChecked(True)
        if view.side == "vdir":
            self.folder_edit.setText(view.target)
        elif view.side == "dav":
            self.url_edit.setText(view.target)
            self.user_edit.setText(view.user)
        self._show_collections(view)
        self._update_fields()

    def side(self) -> str:
        button = self.group.checkedButton()
        return button.property("side") if button is not None else "local"

    def choice(self) -> MailboxChoice:
        side = self.side()
        target = {"vdir": self.folder_edit.text().strip(), "dav": self.url_edit.text().strip()}.get(side, "")
        return MailboxChoice(side, target, self.user_edit.text().strip() if side == "dav" else "",
                             self.password_edit.text() if side == "dav" else "")

    def _update_fields(self) -> None:
        side = self.side()
        self.folder_edit.setEnabled(side == "vdir")
        self.browse_button.setEnabled(side == "vdir")
        for widget in self._dav_widgets:
            widget.setEnabled(side == "dav")

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Choose the mailbox folder"), self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def set_busy(self, busy: bool) -> None:
        for widget in (self.test_button, self.use_button):
            widget.setEnabled(not busy)

    def _show_collections(self, view: MailboxSideView) -> None:
        self.found.setRowCount(len(view.collections))
        for i, row in enumerate(view.collections):
            for column, text in enumerate((collection_label(row.kind), row.name, row.where)):
                self.found.setItem(i, column, QTableWidgetItem(text))

    # -- results ------------------------------------------------------------------------------
    def show_found(self, view: MailboxSideView) -> None:
        self.set_busy(False)
        self._show_collections(view)
        kinds = {row.kind for row in view.collections}
        missing = [collection_label(k) for k in ("appointment", "task", "contact") if k not in kinds]
        text = tr("Found. Choose Use this mailbox to synchronize with it.")
        if view.side != "local" and missing:
            text += " " + tr("Not found: {what}; those items are not synchronized.").format(what=", ".join(missing))
        self.status.setText(text)

    def show_problem(self, message: str, fix: str = "") -> None:
        self.set_busy(False)
        self.progress.setVisible(False)
        self.status.setText(message + ("\n" + fix if fix else ""))

    def show_progress(self, value) -> None:
        stage, done, total = value
        self.progress.setVisible(True)
        self.progress.setRange(0, total or 0)
        if total:
            self.progress.setValue(done)
        self.status.setText(stage_label(stage))

    def show_connected(self, view: MailboxSideView, summary: SyncSummary | None) -> None:
        self.set_busy(False)
        self.progress.setVisible(False)
        self.password_edit.clear()
        self.set_view(view)
        if summary is None:
            self.status.setText(tr("This computer now synchronizes with this mailbox."))
        else:
            self.status.setText(tr("This computer now synchronizes with this mailbox. First synchronization: "
                                   "{came_in} into the mailbox, {went_out} into the organization.").format(
                came_in=_counts_text(summary.came_in), went_out=_counts_text(summary.went_out)))


class AddressSwitchDialog(QDialog):
    """The dry run of switching the contact address mode; needs confirmation."""

    def __init__(self, plan: AddressPlanView, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("addressSwitchDialog")
        self.plan = plan
        self.setWindowTitle(tr("Change contact addresses"))
        self.resize(760, 460)
        layout = QVBoxLayout(self)
        before = tr("the mailing address only") if plan.mailing_only_before else tr("all three addresses")
        after = tr("the mailing address only") if plan.mailing_only_after else tr("all three addresses")
        question = _selectable(QLabel(tr("Synchronize {after} instead of {before}?").format(
            after=after, before=before)))
        font = question.font()
        font.setBold(True)
        question.setFont(font)
        accessible(question, tr("Question"))
        layout.addWidget(question)
        lost = sum(1 for c in plan.changes if c.lost)
        contacts = len({c.contact for c in plan.changes})
        if plan.changes:
            text = tr("Existing contacts are remapped. Contacts that change: {contacts}; field values "
                      "that change: {fields}; values that would be lost: {lost} (for fields that "
                      "synchronize both ways the organization's value wins). Every change is listed "
                      "below.").format(fields=len(plan.changes), contacts=contacts, lost=lost)
        else:
            text = tr("No existing contact changes.")
        if plan.stop_syncing:
            n = len(plan.stop_syncing)
            text += "\n" + (tr("1 field pair stops synchronizing; its values stay as they are.") if n == 1
                            else tr("%n field pairs stop synchronizing; their values stay as they are.", "", n))
        text += "\n" + tr("A backup of both sides' values is taken first. Nothing changes until you "
                          "choose Switch; Cancel changes nothing.")
        self.explanation = _selectable(QLabel(text))
        accessible(self.explanation, tr("What will change"), text)
        layout.addWidget(self.explanation)
        self.table = QTableWidget(len(plan.changes), 5)
        self.table.setObjectName("addressChanges")
        self.table.setHorizontalHeaderLabels([tr("Contact"), tr("Where"), tr("Field"), tr("Now"),
                                              tr("Afterwards")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        for i, change in enumerate(plan.changes):
            where = tr("Mailbox") if change.side == "mailbox" else tr("Organization")
            new = change.new + ("  " + tr("(the old value is lost; kept in the backup)") if change.lost else "")
            for column, value in enumerate((change.contact, where, change.field, change.old or "—", new)):
                item = QTableWidgetItem(value)
                if change.lost:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(i, column, item)
        accessible(self.table, tr("Fields that would change"),
                   tr("Each contact field that would change, and its value now and afterwards."))
        layout.addWidget(self.table, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("&Switch"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)


class BundlePanel(QFrame):
    """"Save diagnostics bundle…" with the identities checkbox (inside the Diagnostics dialog)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("bundlePanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.save_button = QPushButton(tr("&Save diagnostics bundle…"))
        accessible(self.save_button, tr("Save diagnostics bundle"),
                   tr("Write a zip file for your helpdesk: versions, settings, connection tests and "
                      "recent logs, without passwords or tokens."))
        self.identities_box = QCheckBox(tr("&Include user names and addresses"))
        self.identities_box.setChecked(False)
        accessible(self.identities_box, tr("Include user names and addresses"),
                   tr("Unchecked, user names, tenant IDs and organization addresses are replaced by "
                      "placeholders."))
        row.addWidget(self.save_button)
        row.addWidget(self.identities_box)
        row.addStretch(1)
        layout.addLayout(row)
        self.status = _selectable(QLabel())
        self.status.setObjectName("bundleStatus")
        accessible(self.status, tr("Diagnostics bundle"))
        layout.addWidget(self.status)


def keep_connected_note() -> str:
    """The original's warning beside Keep me connected."""
    return tr("When it is off for an organization, nothing connects to it in the background. "
              "Opening it and synchronizing may then be slower.")


def keep_connected_summary(minutes: int, on: int, total: int) -> str:
    """The main window's one line about Keep me connected."""
    if total == 0:
        return tr("Every {minutes} min").format(minutes=minutes)
    if on == 0:
        return tr("Off: nothing connects in the background")
    if on == total:
        return tr("Every {minutes} min, all organizations").format(minutes=minutes)
    return tr("Every {minutes} min, {on} of {total} organizations").format(minutes=minutes, on=on, total=total)


class KeepConnectedDialog(QDialog):
    """Keep me connected: the interval and, per org, on or off (with the original's note)."""

    def __init__(self, minutes: int, rows, parent=None) -> None:
        from wizard.engine import keepalive

        super().__init__(parent)
        self.setObjectName("keepConnectedDialog")
        self.setWindowTitle(tr("Keep Me Connected"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = _selectable(QLabel(tr("While this app runs, the organizations ticked below have their "
                                      "status refreshed, and the synchronizing organization synchronizes, "
                                      "at this interval.")))
        accessible(intro, tr("About Keep me connected"), intro.text())
        layout.addWidget(intro)
        row = QHBoxLayout()
        caption = QLabel(tr("&Every:"))
        self.minutes = QSpinBox()
        self.minutes.setObjectName("keepMinutes")
        self.minutes.setRange(keepalive.MIN_MINUTES, keepalive.MAX_MINUTES)
        self.minutes.setValue(minutes)
        self.minutes.setSuffix(tr(" min"))
        accessible(self.minutes, tr("Interval in minutes"),
                   tr("How often, from 1 to 1440 minutes."))
        caption.setBuddy(self.minutes)
        row.addWidget(caption)
        row.addWidget(self.minutes)
        row.addStretch(1)
        layout.addLayout(row)
        self.orgs = QListWidget()
        self.orgs.setObjectName("keepOrgs")
        accessible(self.orgs, tr("Organizations kept connected"),
                   tr("Tick an organization to keep it connected; Space ticks the selected one."))
        self.rows = list(rows)
        for r in self.rows:
            item = QListWidgetItem(r.display_name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if r.keep_connected else Qt.CheckState.Unchecked)
            self.orgs.addItem(item)
        self.orgs.setMaximumHeight(max(60, min(len(self.rows), 8) * self.orgs.sizeHintForRow(0) + 8)
                                   if self.rows else 60)
        layout.addWidget(self.orgs)
        self.note = _selectable(QLabel(keep_connected_note()))
        accessible(self.note, tr("Note"), self.note.text())
        layout.addWidget(self.note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setDefault(True)
        layout.addWidget(self.buttons)
        self.minutes.setFocus()

    def changes(self) -> dict[str, bool]:
        """The orgs whose Keep me connected the user changed: key → on."""
        out = {}
        for i, r in enumerate(self.rows):
            on = self.orgs.item(i).checkState() == Qt.CheckState.Checked
            if on != r.keep_connected:
                out[r.key] = on
        return out
