"""Dialogs of the main window: properties, connection test, switching, diagnostics, sign-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wizard.gui.i18n import tr
from wizard.gui.models import StepListModel
from wizard.gui.tasks import CancelToken, TaskCancelled, TaskRunner
from wizard.gui.views import Credentials, DeviceCodePrompt, OrgRow, Services, StepReport, SwitchPlanView
from wizard.gui.widgets import accessible, error_box, fit_to_screen, format_when, scroll_body, step_table


def fix_label(action: str) -> tuple[str, str]:
    """(button text, tooltip) of a result's one-click fix (("", "") when there is none)."""
    from wizard.engine.errors import Action
    from wizard.gui.render import action_label

    tips = {"finish_switch": tr("Read every mailbox record again and change what is still to do."),
            "set_none_elsewhere": tr("Set appointments, contacts and tasks to None in your mailbox "
                                     "record of every organization but the synchronizing one."),
            "sign_in": tr("Sign in to this organization again."),
            "enter_password": tr("Sign in to this organization again with your password."),
            "enter_credentials": tr("Sign in to this organization again with your password."),
            "device_code": tr("Sign in to this organization again with a code on another device."),
            "test_again": tr("Run the connection test again."), "retry": tr("Run the connection test again."),
            "unlock_keyring": tr("Unlock the keyring, then run the connection test again."),
            "show_settings": tr("Show the synchronizing organization's Synchronization settings."),
            "diagnostics": tr("Collect facts for your helpdesk.")}
    try:
        text = action_label(Action(action))
    except ValueError:
        return "", ""
    return (text, tips.get(action, "")) if text and action in tips else ("", "")


class OrgDialog(QDialog):
    """A dialog about one org: its ``row``, and the ``services`` it calls on the ``runner``'s
    threads; ``title`` is its window title, with ``{name}`` for the org's display name."""

    def __init__(self, row: OrgRow, services: Services, runner: TaskRunner, parent=None, *,
                 name: str, title: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.row = row
        self.services = services
        self.runner = runner
        self.setWindowTitle(title.format(name=row.display_name))


class PropertiesDialog(OrgDialog):
    """Display name, saved credentials and "keep connected" of one org."""

    fix_requested = Signal(str)      # an error's fix that the main window does (Sign in…)

    def __init__(self, row: OrgRow, services: Services, runner: TaskRunner, parent=None) -> None:
        super().__init__(row, services, runner, parent, name="propertiesDialog",
                         title=tr("Properties of {name}"))
        self.result_row: OrgRow | None = None
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name_edit = QLineEdit(row.display_name)
        accessible(self.name_edit, tr("Display name"), tr("The name shown for this organization."))
        name_label = QLabel(tr("&Display name:"))
        name_label.setBuddy(self.name_edit)
        form.addRow(name_label, self.name_edit)
        for label, value in ((tr("Unique name:"), row.unique_name), (tr("URL:"), row.url),
                             (tr("User:"), row.user or tr("(not signed in)")),
                             (tr("Version:"), row.version or tr("unknown"))):
            field = QLabel(value)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            accessible(field, label.rstrip(":："), value)
            form.addRow(label, field)
        layout.addLayout(form)
        self.save_box = QCheckBox(tr("&Save credentials so I am not asked again"))
        self.save_box.setChecked(row.save_credentials)
        if row.auth_method != "ntlm":
            # Only Windows authentication has a password to keep; sign-ins are kept as tokens.
            self.save_box.setEnabled(False)
            self.save_box.setToolTip(tr("This organization signs you in with your work account; "
                                        "there is no password to save."))
        accessible(self.save_box, tr("Save credentials"),
                   tr("Keep the password in the system keyring. When unchecked, nothing is stored."))
        self.keep_box = QCheckBox(tr("&Keep me connected to this organization"))
        self.keep_box.setChecked(row.keep_connected)
        accessible(self.keep_box, tr("Keep connected"),
                   tr("While this app runs, check this organization in the background and, when it "
                      "is the synchronizing organization, synchronize it at the Keep me connected "
                      "interval."))
        from wizard.gui.sync_dialogs import keep_connected_note

        self.keep_note = QLabel(keep_connected_note())
        self.keep_note.setObjectName("keepNote")
        self.keep_note.setWordWrap(True)
        accessible(self.keep_note, tr("Note"), self.keep_note.text())
        self.forget_button = QPushButton(tr("&Forget saved credentials"))
        self.forget_button.setEnabled(row.has_saved_credentials)
        accessible(self.forget_button, tr("Forget saved credentials"),
                   tr("Delete the password saved for this organization from the keyring."))
        self.forget_button.clicked.connect(self._forget)
        layout.addWidget(self.save_box)
        layout.addWidget(self.keep_box)
        layout.addWidget(self.keep_note)
        layout.addWidget(self.forget_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setObjectName("propertiesError")
        accessible(self.error_label, tr("Problem"))
        self.error_label.setVisible(False)
        layout.addWidget(self.error_label)
        self.fix_button = QPushButton("")
        self.fix_button.setObjectName("propertiesFixButton")
        accessible(self.fix_button, tr("Fix the problem"))
        self.fix_button.setVisible(False)
        self.fix_button.clicked.connect(self._fix)
        layout.addWidget(self.fix_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.fix_action = ""
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        # A changed value makes a shown problem stale: it goes, and the dialog shrinks back.
        for box in (self.save_box, self.keep_box):
            box.toggled.connect(lambda _on: self.show_problem(""))
        self.name_edit.textEdited.connect(lambda _text: self.show_problem(""))
        runner.run_task(lambda task: services.keyring_state(), on_result=self._keyring_known,
                        on_error=lambda _exc: None)

    def show_problem(self, text: str, details: str = "", fix_text: str = "") -> None:
        """Show (or with "" clear) the problem and its fix button; the dialog fits it."""
        if not text and not self.error_label.text():
            return
        self.error_label.setText(text)
        self.error_label.setToolTip(details)
        self.error_label.setAccessibleDescription(text)
        self.error_label.setVisible(bool(text))
        self.fix_button.setText(fix_text)
        self.fix_button.setVisible(bool(fix_text))
        if not fix_text:
            self.fix_action = ""
        fit_to_screen(self)

    def _keyring_known(self, state) -> None:
        from shiboken6 import isValid

        if not isValid(self) or state.available or self.row.auth_method != "ntlm":
            return
        from wizard.gui.widgets import no_keyring_text

        self.save_box.setEnabled(False)
        self.save_box.setToolTip(no_keyring_text())
        self.save_box.setAccessibleDescription(no_keyring_text())
        self.show_problem(no_keyring_text())

    def _fix(self) -> None:
        action = self.fix_action
        self.show_problem("")
        self.fix_action = action
        if self.fix_action in ("retry", "unlock_keyring"):
            self._save()
            return
        self.fix_requested.emit(self.fix_action)
        self.reject()

    def _forget(self) -> None:
        self.forget_button.setEnabled(False)
        key = self.row.key
        self.runner.run_task(lambda task: self.services.forget_credentials(key),
                             on_error=lambda exc: error_box(self, exc))

    def _save(self) -> None:
        name = self.name_edit.text().strip()
        changes: _OrgChanges = {}
        if name != self.row.display_name:
            changes["display_name"] = name
        if self.save_box.isChecked() != self.row.save_credentials:
            changes["save_credentials"] = self.save_box.isChecked()
        if self.keep_box.isChecked() != self.row.keep_connected:
            changes["keep_connected"] = self.keep_box.isChecked()
        if not changes:
            self.accept()
            return
        self.buttons.setEnabled(False)
        key = self.row.key

        def done(row: OrgRow) -> None:
            self.result_row = row
            self.accept()

        def failed(exc: BaseException) -> None:
            from wizard.gui.render import render
            from wizard.gui.widgets import error_text

            self.buttons.setEnabled(True)
            message, fix, details = error_text(exc)
            action = render(exc)[2]
            fix_action = action.value if action is not None else ""
            text = fix_label(fix_action)[0] if fix_action else ""
            if fix_action in ("retry", "unlock_keyring"):
                text = tr("Try again")
            self.show_problem(" ".join(p for p in (message, fix) if p), details, text)
            self.fix_action = fix_action
            self.name_edit.setFocus()

        self.runner.run_task(lambda task: self.services.update(key, **changes),
                             on_result=done, on_error=failed)


class _OrgChanges(TypedDict, total=False):
    """What the properties dialog changed: the keyword arguments of ``Services.update``."""

    display_name: str
    save_credentials: bool
    keep_connected: bool


class TestConnectionDialog(OrgDialog):
    """Runs the engine's connection test and lists each step with its fix."""

    finished_test = Signal(list)
    fix_requested = Signal(str)      # a step's one-click fix: "finish_switch", "set_none_elsewhere"

    def __init__(self, row: OrgRow, services: Services, runner: TaskRunner, parent=None) -> None:
        super().__init__(row, services, runner, parent, name="testConnectionDialog",
                         title=tr("Test connection to {name}"))
        self.token = CancelToken()
        self.resize(900, 480)
        layout = QVBoxLayout(self)
        self.summary = QLabel(tr("Testing the connection…"))
        self.summary.setWordWrap(True)
        accessible(self.summary, tr("Test result"))
        layout.addWidget(self.summary)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        accessible(self.progress, tr("Progress"), tr("The test is running."))
        layout.addWidget(self.progress)
        self.model = StepListModel(self)
        self.view = step_table(self.model, self, name=tr("Connection test steps"))
        layout.addWidget(self.view)
        self.fix_button = QPushButton("")
        self.fix_button.setObjectName("stepFixButton")
        self.fix_button.setVisible(False)
        self.fix_button.clicked.connect(self._fix)
        layout.addWidget(self.fix_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.fix_action = ""
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self._cancel_or_close)
        layout.addWidget(self.buttons)
        self.steps: list[StepReport] | None = None

    def start(self) -> None:
        key = self.row.key
        self.runner.run_task(lambda task: self.services.test_connection(key, task.progress, task.cancel_token),
                             on_progress=self.model.report, on_result=self._done, on_error=self._failed,
                             cancel_token=self.token)

    def _done(self, steps) -> None:
        for step in steps or []:
            self.model.report(step)
        self.steps = self.model.steps()
        self._finish()

    def _failed(self, exc: BaseException) -> None:
        self.steps = self.model.steps()
        if isinstance(exc, TaskCancelled):
            self.summary.setText(tr("The test was cancelled."))
        else:
            self._finish()
            error_box(self, exc, title=tr("Connection test failed"))
        self._finish(summary=False)

    def _finish(self, summary: bool = True) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.progress.setVisible(False)
        if summary:
            failed = self.model.failed()
            warnings = [s for s in self.model.steps() if s.state == "warning"]
            if failed is not None:
                self.summary.setText(tr("The step \"{step}\" failed: {message}\nHow to fix it: {fix}").format(
                    step=failed.title, message=failed.message, fix=failed.fix or tr("see Details")))
            elif warnings:
                self.summary.setText(tr("Connected, with warnings. {message} {fix}").format(
                    message=warnings[0].message, fix=warnings[0].fix))
            else:
                self.summary.setText(tr("All steps passed. The organization is reachable."))
        self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        self.fix_button.setVisible(False)
        action = next((s.action for s in self.model.steps() if s.action and fix_label(s.action)[0]), "")
        if action:
            text, tip = fix_label(action)
            self.fix_action = action
            self.fix_button.setText(text)
            accessible(self.fix_button, text.replace("&", "").rstrip("…"), tip)
            self.fix_button.setVisible(True)
        # Enter does the fix when there is one, else closes; the focus follows.
        default = self.fix_button if action else self.buttons.button(QDialogButtonBox.StandardButton.Close)
        default.setDefault(True)
        default.setFocus()
        self.finished_test.emit(self.model.steps())

    def _fix(self) -> None:
        if self.fix_action in ("test_again", "retry", "unlock_keyring"):
            self.model.clear()
            self.steps = None
            self.progress.setRange(0, 0)
            self.progress.setVisible(True)
            self.fix_button.setVisible(False)
            self.summary.setText(tr("Testing the connection…"))
            self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Cancel)
            self.token = CancelToken()
            self.start()
            return
        self.fix_requested.emit(self.fix_action)
        self.accept()

    def _cancel_or_close(self) -> None:
        if self.steps is None:
            self.token.cancel()
        self.reject()


class SwitchDialog(QDialog):
    """"Do you want to change your synchronizing organization?" with the engine's plan: what
    changes here and in every org's mailbox record, the synchronization method, and the
    option "Sync items from this org only, even if the mailbox was set to sync with a
    different org". OK is the default button; Cancel changes nothing."""

    def __init__(self, plan: SwitchPlanView, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("switchDialog")
        self.plan = plan
        self.setWindowTitle(tr("Change synchronizing organization"))
        layout = QVBoxLayout(self)
        question = QLabel(tr("Do you want to change your synchronizing organization?"))
        font = question.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        question.setFont(font)
        question.setWordWrap(True)
        accessible(question, tr("Question"))
        layout.addWidget(question)
        outer = layout
        # The rest scrolls only when the screen is too small for it (Details can be long).
        self.scroll_area, layout = scroll_body(outer)
        self.plan_label = QLabel("")
        self.plan_label.setWordWrap(True)
        self.plan_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.plan_label)

        self.server_radio: QRadioButton | None = None
        self.computer_radio: QRadioButton | None = None
        if plan.orgs:
            group = QGroupBox(tr("How {name} synchronizes appointments, contacts and tasks").format(
                name=plan.to_name))
            accessible(group, tr("Synchronization method"))
            inner = QVBoxLayout(group)
            self.server_radio = QRadioButton(tr("&Server-side synchronization: Dynamics 365 synchronizes "
                                                "them with your Exchange mailbox"))
            accessible(self.server_radio, tr("Server-side synchronization"),
                       tr("Dynamics 365 synchronizes appointments, contacts and tasks with your "
                          "Exchange mailbox; this computer does not."))
            self.computer_radio = QRadioButton(tr("This &computer: this app synchronizes them with "
                                                  "the mailbox on this computer"))
            accessible(self.computer_radio, tr("This computer"),
                       tr("This app's synchronization engine synchronizes appointments, contacts and "
                          "tasks; the organization's record is set to Dynamics 365 for Outlook."))
            (self.computer_radio if plan.method == "computer" else self.server_radio).setChecked(True)
            inner.addWidget(self.server_radio)
            inner.addWidget(self.computer_radio)
            layout.addWidget(group)

        self.override_box: QCheckBox | None = None
        self.help_label: QLabel | None = None
        self.override_frame: QFrame | None = None
        if plan.conflict or plan.orgs:
            frame = QFrame()
            frame.setFrameShape(QFrame.Shape.StyledPanel)
            inner = QVBoxLayout(frame)
            if plan.conflict:
                text = tr("Your mailbox is set to synchronize with another organization, {other}. "
                          "As long as that is so, nothing will synchronize with {target}. If you are sure "
                          "this mailbox should synchronize with {target}, choose the option below.").format(
                    other=plan.stamp_org_name or tr("another organization"), target=plan.to_name)
            elif plan.override_suggested:
                text = tr("Your Exchange mailbox synchronizes with {other} now. To take it for {target}, "
                          "Test & Enable runs with the option below, as Microsoft advises when the "
                          "synchronizing organization changes.").format(
                    other=", ".join(h for h in plan.exchange_holders if h != plan.to_name), target=plan.to_name)
            else:
                text = tr("If Test & Enable says that your mailbox is configured with another "
                          "organization, choose the option below.")
            warn = QLabel(text)
            warn.setWordWrap(True)
            accessible(warn, tr("Mailbox set to another organization"), warn.text())
            inner.addWidget(warn)
            self.override_box = QCheckBox(tr("Sync items from this organization only, even if the "
                                             "mailbox was set to sync with a different organization"))
            accessible(self.override_box, tr("Sync from this organization only"),
                       tr("Rewrite the mailbox's record so it synchronizes with this organization."))
            # Ticked for the user only when it takes the Exchange mailbox from one of their own
            # orgs; a mailbox on this computer stamped with another org needs their own tick.
            self.override_box.setChecked(plan.override_suggested and not plan.conflict)
            inner.addWidget(self.override_box)
            self.help_button = QPushButton(tr("&When would I use this?"))
            self.help_button.setCheckable(True)
            accessible(self.help_button, tr("When would I use this?"), tr("Show when this option is the right choice."))
            inner.addWidget(self.help_button, 0, Qt.AlignmentFlag.AlignLeft)
            self.help_label = QLabel(tr(
                "Use this option in one of these situations:\n"
                "• An administrator of another organization set up the same mailbox and overwrote its record.\n"
                "• The mailbox's record is in an unknown state and synchronization keeps failing.\n"
                "• You were moved (migrated) from another organization to this one."))
            self.help_label.setWordWrap(True)
            self.help_label.setVisible(False)
            accessible(self.help_label, tr("When to use this option"), self.help_label.text())
            inner.addWidget(self.help_label)
            self.help_button.toggled.connect(self.help_label.setVisible)
            self.help_button.toggled.connect(lambda _on: self.fit())
            self.override_box.toggled.connect(lambda _on: self._show_plan())
            layout.addWidget(frame)
            self.override_frame = frame
        if self.server_radio is not None:
            self.server_radio.toggled.connect(lambda _on: self._show_plan())
        if plan.engine_text:
            self.details_button = QPushButton(tr("&Details"))
            self.details_button.setCheckable(True)
            accessible(self.details_button, tr("Details"), tr("Show the plan as the engine wrote it."))
            self.details_label = QLabel(plan.engine_text)
            self.details_label.setWordWrap(True)
            self.details_label.setVisible(False)
            self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            accessible(self.details_label, tr("Details"), plan.engine_text)
            self.details_button.toggled.connect(self.details_label.setVisible)
            self.details_button.toggled.connect(lambda _on: self.fit())
            layout.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignLeft)
            layout.addWidget(self.details_label)
        layout.addStretch(1)
        layout = outer
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setDefault(True)
        ok.setAutoDefault(True)
        layout.addWidget(self.buttons)
        self._show_plan()
        ok.setFocus()
        self.resize(660, 100)
        self.fit()

    def fit(self) -> None:
        """Height for the current width (word-wrapped labels need it asked this way), at most
        what the screen allows; the body scrolls beyond that."""
        fit_to_screen(self)

    @property
    def method(self) -> str:
        if self.computer_radio is not None and self.computer_radio.isChecked():
            return "computer"
        return "server" if self.server_radio is not None else self.plan.method

    @property
    def override(self) -> bool:
        return bool(self.override_box is not None and self.override_box.isChecked())

    def _show_plan(self) -> None:
        from wizard.gui.switch_dialogs import holder_line, org_line

        plan = self.plan
        lines = [tr("From: {name}").format(name=plan.from_name or tr("(none)")),
                 tr("To: {name}").format(name=plan.to_name)]
        if plan.already_primary:
            lines.append(tr("{name} already synchronizes with your mailbox.").format(name=plan.to_name))
        elif plan.from_name:
            lines.append(tr("{name} will stop synchronizing appointments, contacts and tasks with your "
                            "mailbox. You stay connected to it.").format(name=plan.from_name))
        if not plan.already_primary:
            lines.append(tr("{name} will start synchronizing appointments, contacts and tasks with your "
                            "mailbox.").format(name=plan.to_name))
        if plan.stamp_org_name is None:
            lines.append(tr("The mailbox on this computer is not set to synchronize with any organization "
                            "yet."))
        else:
            when = format_when(plan.stamp_last_sync) if plan.stamp_last_sync else tr("never")
            lines.append(tr("The mailbox on this computer is set to synchronize with {name} (last "
                            "synchronized: {when}).").format(name=plan.stamp_org_name, when=when))
        if plan.orgs:
            lines.append("")
            lines.append(tr("In your mailbox record of each organization:"))
            lines += ["• " + org_line(plan, org, self.method, self.override) for org in plan.orgs]
            lines.append(holder_line(plan.exchange_holders))
            target = next((o for o in plan.orgs if o.is_target), None)
            if self.method == "server" and target is not None and target.approval not in (None, 1):
                lines.append(tr("Your e-mail address {email} is not approved in {name} yet: an administrator "
                                "must approve it (Approve Email) before server-side synchronization "
                                "works.").format(email=target.email, name=target.name))
        if plan.pending_name:
            lines.append(tr("An earlier switch to {name} is not finished; this switch takes its place.").format(
                name=plan.pending_name))
        text = "\n".join(lines)
        self.plan_label.setText(text)
        accessible(self.plan_label, tr("What will change"), text)
        if self.override_frame is not None:
            self.override_frame.setVisible(plan.conflict or self.method == "server")
        if self.isVisible():
            self.fit()


class DiagnosticsDialog(QDialog):
    """Facts the engine reports (keyring backend, files, clouds); the helpdesk work extends it."""

    bundle_saved = Signal(str)      # path (tests wait on it)
    bundle_failed = Signal(str)

    def __init__(self, facts, parent=None, *, services: Services | None = None,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diagnosticsDialog")
        self.services = services
        self.runner = runner
        self.setMinimumWidth(560)
        self.setWindowTitle(tr("Diagnostics"))
        self.resize(640, 360)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("These facts help your helpdesk. They contain no passwords or tokens."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(len(facts), 2)
        self.table.setHorizontalHeaderLabels([tr("Item"), tr("Value")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setTabKeyNavigation(False)
        for i, (name, value) in enumerate(facts):
            self.table.setItem(i, 0, QTableWidgetItem(name))
            self.table.setItem(i, 1, QTableWidgetItem(value))
        accessible(self.table, tr("Diagnostic facts"))
        layout.addWidget(self.table)
        self.facts = list(facts)
        self.bundle_panel = None
        if services is not None and runner is not None:
            from wizard.gui.sync_dialogs import BundlePanel

            self.bundle_panel = BundlePanel(self)
            self.bundle_panel.save_button.clicked.connect(self.choose_bundle_file)
            layout.addWidget(self.bundle_panel)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton(tr("&Copy to clipboard"), QDialogButtonBox.ButtonRole.ActionRole)
        accessible(copy, tr("Copy to clipboard"), tr("Copy these facts as text."))
        copy.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(f"{k}: {v}" for k, v in self.facts))

    def choose_bundle_file(self) -> None:
        import time
        from pathlib import Path

        from PySide6.QtCore import QStandardPaths
        from PySide6.QtWidgets import QFileDialog

        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) \
            or str(Path.home())
        name = time.strftime("d365-wizard-diagnostics-%Y%m%d-%H%M%S.zip")
        dialog = QFileDialog(self, tr("Save diagnostics bundle"), str(Path(folder) / name),
                             tr("Zip files (*.zip)"))
        dialog.setObjectName("bundleFileDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("zip")
        dialog.fileSelected.connect(self.save_bundle)
        self.file_dialog = dialog
        dialog.open()

    def save_bundle(self, path: str) -> None:
        """Build the redacted bundle at ``path`` on a worker; say where it went."""
        panel, services, runner = self.bundle_panel, self.services, self.runner
        # The panel (and so its Save button) exists only when both were given.
        assert panel is not None and services is not None and runner is not None
        include = panel.identities_box.isChecked()
        panel.save_button.setEnabled(False)
        panel.status.setText(tr("Collecting diagnostics… (this tests each connection)"))

        from shiboken6 import isValid

        def done(result) -> None:
            if not isValid(self):
                return
            panel.save_button.setEnabled(True)
            panel.status.setText(tr("Saved to {path}. Send this file to your helpdesk; it contains no "
                                    "passwords or tokens.").format(path=result.path))
            self.bundle_saved.emit(result.path)

        def failed(exc) -> None:
            if not isValid(self):
                return
            panel.save_button.setEnabled(True)
            panel.status.setText("")
            error_box(self, exc, title=tr("The diagnostics bundle was not saved"))
            self.bundle_failed.emit(str(exc))

        runner.run_task(lambda task: services.save_diagnostics_bundle(
            path, include_identities=include, progress=task.progress),
            on_result=done, on_error=failed, on_progress=lambda _text: None)


def credential_fields(form: QFormLayout, username: str, placeholder: str,
                      code_help: str) -> tuple[QLineEdit, QLineEdit, QLineEdit, QWidget]:
    """The user name, password and verification code rows, added to ``form``: (user name,
    password, code, the code's label); ``code_help`` says what the code is."""
    user_edit = QLineEdit(username)
    user_edit.setPlaceholderText(placeholder)
    accessible(user_edit, tr("User name"))
    password_edit = QLineEdit()
    password_edit.setEchoMode(QLineEdit.EchoMode.Password)
    accessible(password_edit, tr("Password"))
    mfa_edit = QLineEdit()
    accessible(mfa_edit, tr("Verification code"), code_help)
    for text, widget in ((tr("&User name:"), user_edit), (tr("&Password:"), password_edit),
                         (tr("&Verification code:"), mfa_edit)):
        label = QLabel(text)
        label.setBuddy(widget)
        form.addRow(label, widget)
    return user_edit, password_edit, mfa_edit, form.labelForField(mfa_edit)


class SignInDialog(QDialog):
    """The in-app sign-in form (sandbox authority; also user name + password on-premises)."""

    def __init__(self, *, title: str, prompt: str, username: str = "", ask_mfa: bool = False,
                 parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        intro = QLabel(prompt)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.user_edit, self.password_edit, self.mfa_edit, self.mfa_label = credential_fields(
            form, username, tr("name@contoso.com or DOMAIN\\name"),
            tr("The code from your authenticator app, when your organization asks for one."))
        self.set_mfa_visible(ask_mfa)
        layout.addLayout(form)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        accessible(self.error_label, tr("Sign-in problem"))
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("&Sign in"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        (self.password_edit if username else self.user_edit).setFocus()

    def set_mfa_visible(self, visible: bool) -> None:
        self.mfa_edit.setVisible(visible)
        if self.mfa_label is not None:
            self.mfa_label.setVisible(visible)

    def show_problem(self, text: str, *, ask_mfa: bool = False) -> None:
        self.error_label.setText(text)
        if ask_mfa:
            self.set_mfa_visible(True)
            self.mfa_edit.setFocus()

    def credentials(self) -> Credentials:
        return Credentials(self.user_edit.text().strip(), self.password_edit.text(),
                           self.mfa_edit.text().strip())


class DeviceCodePanel(QWidget):
    """The device code shown large, with a Copy button and the page to open."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.instructions = QLabel()
        self.instructions.setWordWrap(True)
        self.instructions.setOpenExternalLinks(True)
        self.instructions.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        accessible(self.instructions, tr("Device sign-in instructions"))
        layout.addWidget(self.instructions)
        row = QHBoxLayout()
        self.code_label = QLabel()
        self.code_label.setObjectName("deviceCode")
        font = QFont(QFont().family())
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setFamily("monospace")
        font.setPointSize(26)
        font.setBold(True)
        self.code_label.setFont(font)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                                | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        accessible(self.code_label, tr("Device code"))
        row.addWidget(self.code_label)
        self.copy_button = QPushButton(tr("&Copy code"))
        accessible(self.copy_button, tr("Copy code"), tr("Copy the device code to the clipboard."))
        self.copy_button.clicked.connect(self.copy)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        layout.addLayout(row)

    def show_prompt(self, prompt: DeviceCodePrompt) -> None:
        self.code_label.setText(prompt.user_code)
        self.code_label.setAccessibleDescription(" ".join(prompt.user_code))
        self.instructions.setText(tr("On any device, open {url} and enter this code. "
                                     "This page continues when you have signed in.").format(
            url=f'<a href="{prompt.verification_uri}">{prompt.verification_uri}</a>'))

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code_label.text())


def sign_in_method_radios(sandbox_mode: bool) -> tuple[QRadioButton, QRadioButton, QRadioButton]:
    """The ways to sign in with a work account: (here, browser, code). "Here" (the in-app
    form) is for sandbox mode (the caller hides it otherwise), and then the one chosen."""
    here = QRadioButton(tr("Sign in &here (sandbox sign-in page)"))
    accessible(here, tr("Sign in here"), tr("Sign in inside this app with a user name and password."))
    browser = QRadioButton(tr("Sign in with my &web browser"))
    accessible(browser, tr("Sign in with my web browser"),
               tr("Opens your browser; come back here when you have signed in."))
    code = QRadioButton(tr("Sign in with a &code on another device"))
    accessible(code, tr("Sign in with a code"),
               tr("Shows a code to enter on any device; useful over the phone with your helpdesk."))
    (here if sandbox_mode else browser).setChecked(True)
    return here, browser, code


class BrowserAddressPanel(QWidget):
    """The browser sign-in's address, to copy into a browser by hand (always shown, since a
    launcher can claim success and show nothing), and the way out to a device code."""

    use_code = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("browserAddressPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.note = QLabel()
        self.note.setObjectName("browserNote")
        self.note.setWordWrap(True)
        accessible(self.note, tr("Browser sign-in"))
        layout.addWidget(self.note)
        row = QHBoxLayout()
        self.address = QLineEdit()
        self.address.setObjectName("signInAddress")
        self.address.setReadOnly(True)
        accessible(self.address, tr("Sign-in address"), tr("Open this address in a web browser to sign in."))
        row.addWidget(self.address, 1)
        self.copy_button = QPushButton(tr("Copy &address"))
        accessible(self.copy_button, tr("Copy address"), tr("Copy the sign-in address to the clipboard."))
        self.copy_button.clicked.connect(self.copy)
        row.addWidget(self.copy_button)
        layout.addLayout(row)
        self.code_button = QPushButton(tr("Sign in with a &code instead"))
        self.code_button.setObjectName("useDeviceCode")
        accessible(self.code_button, tr("Sign in with a code instead"),
                   tr("Stop waiting for the browser and show a code to enter on any device."))
        self.code_button.clicked.connect(self.use_code)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code_button)
        code_row.addStretch(1)
        layout.addLayout(code_row)

    def show_address(self, url: str, opened: bool) -> None:
        self.address.setText(url)
        self.address.setCursorPosition(0)
        if opened:
            self.note.setText(tr("Continue in your web browser. If no sign-in page appeared, open "
                                 "this address in a browser yourself:"))
        else:
            self.note.setText(tr("No web browser could be opened. Open this address in a web browser "
                                 "yourself, or sign in with a code on another device instead:"))
        self.note.setAccessibleDescription(self.note.text())
        self.setVisible(True)
        if not opened:
            self.copy_button.setFocus()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.address.text())


def add_sign_in_panels(layout: QVBoxLayout,
                       use_code: Callable[[], None]) -> tuple[DeviceCodePanel, BrowserAddressPanel]:
    """A sign-in's device-code and browser-address panels, hidden, added to ``layout``; the
    address panel's "Sign in with a code instead" calls ``use_code``."""
    device_panel = DeviceCodePanel()
    device_panel.setVisible(False)
    layout.addWidget(device_panel)
    address_panel = BrowserAddressPanel()
    address_panel.setVisible(False)
    address_panel.use_code.connect(use_code)
    layout.addWidget(address_panel)
    return device_panel, address_panel
