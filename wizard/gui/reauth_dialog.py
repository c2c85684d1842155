""""Sign in…" on an org already in the list: sign in to that org again, nothing else.

The address is shown, not editable; the ways to sign in are the org's own: its password for
Windows authentication, or (for a work account) the in-app form in sandbox mode, the web
browser, or a code on another device. The engine signs in (never with the cached sign-in),
updates the org's record and saved password, and the dialog runs the connection test again
with that sign-in, step by step.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from wizard.engine.errors import Action
from wizard.gui.dialogs import OrgDialog, add_sign_in_panels, credential_fields, sign_in_method_radios
from wizard.gui.i18n import tr
from wizard.gui.models import StepListModel
from wizard.gui.render import render
from wizard.gui.tasks import CancelToken, TaskCancelled, TaskRunner
from wizard.gui.views import Credentials, KeyringState, OrgRow, Services, StepReport
from wizard.gui.widgets import accessible, error_text, no_keyring_text, step_table


class ReauthDialog(OrgDialog):
    """Sign in to one org again, then test its connection."""

    signed_in = Signal(object)       # the updated OrgRow
    sign_in_ended = Signal()         # the sign-in (and its test) ended, either way (tests wait on it)

    def __init__(self, row: OrgRow, services: Services, runner: TaskRunner, parent=None) -> None:
        super().__init__(row, services, runner, parent, name="reauthDialog", title=tr("Sign in to {name}"))
        self.token: CancelToken | None = None
        self.result_row: OrgRow | None = None
        self.windows_auth = row.auth_method == "ntlm"
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("Sign in to {name} again. Nothing else about the organization changes.").format(
            name=row.display_name))
        intro.setWordWrap(True)
        accessible(intro, tr("About this dialog"))
        layout.addWidget(intro)
        info = QFormLayout()
        self.address = QLabel(row.url)
        self.address.setObjectName("reauthAddress")
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                             | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        accessible(self.address, tr("Address"), row.url)
        info.addRow(tr("Address:"), self.address)
        layout.addLayout(info)

        self.form_radio, self.browser_radio, self.device_radio = sign_in_method_radios(services.sandbox_mode)
        self.methods = QButtonGroup(self)
        for radio in (self.form_radio, self.browser_radio, self.device_radio):
            self.methods.addButton(radio)
            layout.addWidget(radio)
            radio.setVisible(not self.windows_auth)
        self.form_radio.setVisible(not self.windows_auth and services.sandbox_mode)
        self.methods.buttonToggled.connect(lambda *_: self._method_changed())

        self.credentials = QWidget()
        form = QFormLayout(self.credentials)
        form.setContentsMargins(24 if not self.windows_auth else 0, 0, 0, 0)
        self.user_edit, self.password_edit, self.mfa_edit, self.mfa_label = credential_fields(
            form, row.user or "", tr("DOMAIN\\name") if self.windows_auth else "name@example.com",
            tr("The code from your authenticator app, if asked."))
        self._set_mfa_visible(False)
        layout.addWidget(self.credentials)
        self.save_box = QCheckBox(tr("&Save credentials in the system keyring"))
        self.save_box.setChecked(row.save_credentials)
        accessible(self.save_box, tr("Save credentials"),
                   tr("When unchecked, nothing is stored and you are asked again next time."))
        self.save_box.setVisible(self.windows_auth)
        layout.addWidget(self.save_box)

        self.device_panel, self.address_panel = add_sign_in_panels(layout, self._use_code)
        self.status = QLabel("")
        self.status.setObjectName("reauthStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        accessible(self.status, tr("Sign-in status"))
        layout.addWidget(self.status)
        self.model = StepListModel(self)
        self.steps_view = step_table(self.model, self, name=tr("Connection test steps"))
        self.steps_view.setVisible(False)
        self.steps_view.setMinimumHeight(300)
        layout.addWidget(self.steps_view, 1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText(tr("&Sign in"))
        accessible(self.sign_in_button, tr("Sign in"), tr("Start signing in."))
        self.buttons.accepted.connect(self.sign_in)
        self.buttons.rejected.connect(self._cancel_or_close)
        layout.addWidget(self.buttons)
        self.keyring: KeyringState | None = None
        self._method_changed()
        if self.windows_auth:
            runner.run_task(lambda task: services.keyring_state(), on_result=self._keyring_known,
                            on_error=lambda _exc: None)
        self._first_focus: QWidget | None = (self.password_edit if (self.windows_auth and row.user) else
                             self.user_edit if self.windows_auth else self.sign_in_button)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._first_focus is not None:
            self._first_focus.setFocus()
            self._first_focus = None

    # -- choices ------------------------------------------------------------------------
    def method(self) -> str:
        if self.windows_auth:
            return "password"
        if self.form_radio.isChecked():
            return "form"
        return "device_code" if self.device_radio.isChecked() else "browser"

    def _method_changed(self) -> None:
        self.credentials.setVisible(self.method() in ("password", "form"))

    def _set_mfa_visible(self, visible: bool) -> None:
        self.mfa_edit.setVisible(visible)
        if self.mfa_label is not None:
            self.mfa_label.setVisible(visible)

    def _keyring_known(self, state: KeyringState) -> None:
        from shiboken6 import isValid

        if not isValid(self):
            return
        self.keyring = state
        if not state.available:
            self.save_box.setChecked(False)
            self.save_box.setEnabled(False)
            self.save_box.setToolTip(no_keyring_text())
            self.save_box.setAccessibleDescription(no_keyring_text())

    def _busy(self, busy: bool) -> None:
        for widget in (self.form_radio, self.browser_radio, self.device_radio, self.credentials,
                       self.save_box, self.sign_in_button):
            widget.setEnabled(not busy and (widget is not self.save_box or self.keyring is None
                                            or self.keyring.available))

    # -- signing in ---------------------------------------------------------------------
    def sign_in(self) -> None:
        method = self.method()
        credentials = None
        if method in ("password", "form"):
            if not (self.user_edit.text().strip() and self.password_edit.text()):
                self.status.setText(tr("Enter your user name and password."))
                (self.user_edit if not self.user_edit.text().strip() else self.password_edit).setFocus()
                return
            credentials = Credentials(self.user_edit.text().strip(), self.password_edit.text(),
                                      self.mfa_edit.text().strip())
        save = self.windows_auth and self.save_box.isChecked() and self.save_box.isEnabled()
        self.model.clear()
        self.steps_view.setVisible(False)
        self.device_panel.setVisible(False)
        self.address_panel.setVisible(False)
        self.status.setText({"browser": tr("Continue in your web browser…"),
                             "device_code": tr("Asking for a code…")}.get(method, tr("Signing in…")))
        self._busy(True)
        token = self.token = CancelToken()
        services, key = self.services, self.row.key

        def work(task):
            return services.sign_in_org(
                key, method=method, credentials=credentials, save_password=save,
                report=lambda step: task.progress(("step", step)), cancel=task.cancel_token,
                on_device_code=lambda prompt: task.progress(("code", prompt)),
                on_address=lambda url, opened: task.progress(("address", (url, opened))))

        def current(handler):
            # A later sign-in (or Cancel) replaced this one: drop what it still delivers.
            def deliver(value) -> None:
                if token is self.token:
                    handler(value)
            return deliver

        self.runner.run_task(work, on_progress=current(self._progress), on_result=current(self._done),
                             on_error=current(self._failed), cancel_token=token)

    def _progress(self, value) -> None:
        kind, payload = value
        if kind == "code":
            self.device_panel.show_prompt(payload)
            self.device_panel.setVisible(True)
            self.status.setText(tr("Waiting for you to sign in on the other device…"))
        elif kind == "address":
            self.address_panel.show_address(*payload)
        else:
            if not self.steps_view.isVisible():
                self.status.setText(tr("Signed in. Testing the connection…"))
                self.device_panel.setVisible(False)
                self.address_panel.setVisible(False)
                self.steps_view.setVisible(True)
            self.model.report(payload)

    def _done(self, value) -> None:
        row, steps = value
        self.token = None
        self.result_row = row
        for step in steps:
            self.model.report(step)
        self.steps_view.setVisible(True)
        self.device_panel.setVisible(False)
        self.address_panel.setVisible(False)
        self.resize(max(self.width(), 900), max(self.height(), self.sizeHint().height()))
        failed: StepReport | None = self.model.failed()
        who = tr("Signed in as {user}.").format(user=row.user or "")
        if failed is not None:
            self.status.setText(who + " " + tr("The step \"{step}\" failed: {message}\nHow to fix it: {fix}").format(
                step=failed.title, message=failed.message, fix=failed.fix or tr("see Details")))
        else:
            self.status.setText(who + " " + tr("All steps passed. The organization is reachable."))
        self.status.setAccessibleDescription(self.status.text())
        self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setFocus()
        self.signed_in.emit(row)
        self.sign_in_ended.emit()

    def _failed(self, exc: BaseException) -> None:
        self.token = None
        self._busy(False)
        self.device_panel.setVisible(False)
        if isinstance(exc, TaskCancelled):
            self.status.setText(tr("Signing in was stopped."))
            self.sign_in_ended.emit()
            return
        message, fix, details = error_text(exc)
        self.status.setText(tr("Sign-in failed: {message} {fix}").format(message=message, fix=fix))
        self.status.setToolTip(details)
        self.status.setAccessibleDescription(self.status.text())
        action = render(exc)[2]
        code = getattr(exc, "code", "")
        if code == "mfa_required" and self.method() == "form":
            self._set_mfa_visible(True)
            self.mfa_edit.setFocus()
        elif action in (Action.ENTER_PASSWORD, Action.ENTER_CREDENTIALS) or code == "bad_password":
            self.password_edit.selectAll()
            self.password_edit.setFocus()
        elif action is Action.DEVICE_CODE:
            self.address_panel.setVisible(True)
            self.address_panel.code_button.setFocus()
        self.sign_in_ended.emit()

    def _use_code(self) -> None:
        if self.token is not None:
            self.token.cancel()
            self.token = None
        self.address_panel.setVisible(False)
        self.device_radio.setChecked(True)
        self.sign_in()

    def _cancel_or_close(self) -> None:
        if self.token is not None:
            self.token.cancel()
            self.token = None
        self.reject()
