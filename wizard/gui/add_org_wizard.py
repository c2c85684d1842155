"""The Add Organization wizard.

Pages check their input in ``validatePage`` and keep what they learn on the wizard; nothing
is saved until Finish: ``accept()`` commits through the engine (on a worker) and only then
closes (the shape of Picard's ``setupwizard``).
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)
from shiboken6 import isValid

from wizard.engine.errors import Action
from wizard.gui.dialogs import SignInDialog, add_sign_in_panels, sign_in_method_radios
from wizard.gui.i18n import tr
from wizard.gui.icons import icon
from wizard.gui.models import DiscoveredOrgModel, StepListModel, place_label
from wizard.gui.render import action_label, render
from wizard.gui.tasks import CancelToken, TaskCancelled, TaskRunner
from wizard.gui.views import (
    Account,
    AuthProbe,
    ConnectedOrg,
    Credentials,
    DiscoveredOrg,
    KeyringState,
    Services,
    StepReport,
    UrlFacts,
)
from wizard.gui.widgets import accessible, error_box, error_text, no_keyring_text, row_table, step_table

PAGE_START, PAGE_DETECT, PAGE_CREDENTIALS, PAGE_SIGN_IN, PAGE_PICK, PAGE_CONNECT, PAGE_SUMMARY = range(7)


def _kind_label(kind: str) -> str:
    return {"online": tr("Dynamics 365 (online)"), "onprem": tr("On-premises"),
            "ifd": tr("Internet-facing deployment (IFD)")}.get(kind, kind)


def _method_label(method: str) -> str:
    return {"oauth": tr("Microsoft Entra ID sign-in"), "ntlm": tr("Windows authentication (user name and password)"),
            "adfs": tr("Claims-based sign-in (AD FS)")}.get(method, method)


class WizardPage(QWizardPage):
    """A page of the wizard ``w``, named ``name`` (its object name), with its title and
    subtitle."""

    def __init__(self, wizard: "AddOrgWizard", name: str, title: str, subtitle: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.w = wizard
        self.setTitle(title)
        self.setSubTitle(subtitle)


class StartPage(WizardPage):
    def __init__(self, wizard: "AddOrgWizard") -> None:
        super().__init__(wizard, "startPage", tr("Add an organization"),
                         tr("Paste the address of your organization, or sign in to Dynamics 365 (online) "
                            "and choose from your organizations."))
        layout = QVBoxLayout(self)
        self.url_radio = QRadioButton(tr("Server &URL"))
        accessible(self.url_radio, tr("Server URL"), tr("Add an organization by its address."))
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText(tr("For example https://contoso.crm.dynamics.com or https://server/orgname"))
        accessible(self.url_edit, tr("Server URL"),
                   tr("Any address of the organization, copied from your browser, works."))
        self.feedback = QLabel(" ")
        self.feedback.setObjectName("urlFeedback")
        self.feedback.setWordWrap(True)
        self.feedback.setTextFormat(Qt.TextFormat.PlainText)
        accessible(self.feedback, tr("What the address means"))
        self.online_radio = QRadioButton(tr("Dynamics 365 (&online): sign in and choose from your organizations"))
        accessible(self.online_radio, tr("Dynamics 365 (online)"),
                   tr("Sign in and pick from the organizations you belong to."))
        self.cloud_combo = QComboBox()
        for name, label in wizard.services.clouds():
            self.cloud_combo.addItem(label, name)
        accessible(self.cloud_combo, tr("Cloud"), tr("Where your organization is hosted."))
        sandbox_index = self.cloud_combo.findData("sandbox")
        if wizard.services.sandbox_mode and sandbox_index >= 0:
            self.cloud_combo.setCurrentIndex(sandbox_index)
        self.group = QButtonGroup(self)
        self.group.addButton(self.url_radio)
        self.group.addButton(self.online_radio)
        self.url_radio.setChecked(True)
        layout.addWidget(self.url_radio)
        indent = QVBoxLayout()
        indent.setContentsMargins(24, 0, 0, 8)
        indent.addWidget(self.url_edit)
        indent.addWidget(self.feedback)
        layout.addLayout(indent)
        layout.addWidget(self.online_radio)
        cloud_row = QHBoxLayout()
        cloud_row.setContentsMargins(24, 0, 0, 0)
        cloud_label = QLabel(tr("&Cloud:"))
        cloud_label.setBuddy(self.cloud_combo)
        cloud_row.addWidget(cloud_label)
        cloud_row.addWidget(self.cloud_combo, 1)
        layout.addLayout(cloud_row)
        layout.addStretch(1)
        self.url_edit.textChanged.connect(self._url_changed)
        self.url_edit.textChanged.connect(lambda _t: self.url_radio.setChecked(True))
        self.group.buttonToggled.connect(lambda *_: self._update())
        self.facts: UrlFacts | None = None
        self._update()

    def initializePage(self) -> None:
        # The address is what most people paste: the cursor waits there, visibly. (After
        # the wizard's own focus change, which picks the first radio button.)
        QTimer.singleShot(0, self, lambda: self.url_edit.setFocus(Qt.FocusReason.TabFocusReason))

    def _url_changed(self, text: str) -> None:
        self.facts = None
        if not text.strip():
            self.feedback.setText(" ")
        else:
            try:
                self.facts = self.w.services.parse_url(text)
            except ValueError as exc:
                message, fix, _details = error_text(exc)
                self.feedback.setText("✖ " + " ".join(p for p in (message, fix) if p))
            else:
                f = self.facts
                parts = [tr("Found: {url}").format(url=f.base_url), _kind_label(f.kind)]
                if f.org_name:
                    parts.append(tr("organization {name}").format(name=f.org_name))
                if f.cloud or f.region:
                    parts.append(place_label("online", f.cloud, f.region))
                self.feedback.setText("✔ " + ", ".join(parts))
        self.feedback.setAccessibleDescription(self.feedback.text())
        self.completeChanged.emit()

    def _update(self) -> None:
        by_url = self.url_radio.isChecked()
        self.url_edit.setEnabled(by_url)
        self.cloud_combo.setEnabled(not by_url)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.online_radio.isChecked() or self.facts is not None

    def validatePage(self) -> bool:
        if self.online_radio.isChecked():
            self.w.mode = "online"
            self.w.cloud = self.cloud_combo.currentData()
            self.w.url_facts = None
            return True
        if self.facts is None:
            return False
        self.w.mode = "url"
        self.w.url_facts = self.facts
        self.w.cloud = self.facts.cloud
        return True

    def nextId(self) -> int:
        return PAGE_SIGN_IN if self.online_radio.isChecked() else PAGE_DETECT


class BusyPage(WizardPage):
    """A page that runs one task while it is shown; Back cancels it."""

    def __init__(self, wizard: "AddOrgWizard", name: str, title: str, subtitle: str) -> None:
        super().__init__(wizard, name, title, subtitle)
        self.token: CancelToken | None = None
        self.busy = False

    def start(self, fn, on_result, on_error=None, on_progress=None) -> None:
        self.stop()
        self.token = CancelToken()
        self.busy = True
        self.completeChanged.emit()
        token = self.token

        def result(value):
            if token is not self.token:
                return
            self.busy = False
            on_result(value)
            self.completeChanged.emit()
            self.w.page_ready.emit(self.objectName())

        def error(exc):
            if token is not self.token:
                return
            self.busy = False
            if not isinstance(exc, TaskCancelled):
                (on_error or (lambda e: error_box(self, e)))(exc)
            self.completeChanged.emit()
            self.w.page_ready.emit(self.objectName())

        self.w.runner.run_task(fn, on_result=result, on_error=error, on_progress=on_progress, cancel_token=token)

    def stop(self) -> None:
        if self.token is not None:
            self.token.cancel()
        self.token = None
        self.busy = False

    def cleanupPage(self) -> None:
        self.stop()
        super().cleanupPage()


class DetectPage(BusyPage):
    def __init__(self, wizard: "AddOrgWizard") -> None:
        super().__init__(wizard, "detectPage", tr("Finding out how to sign in"),
                         tr("Asking the organization how it signs you in. This takes a moment."))
        layout = QVBoxLayout(self)
        self.label = QLabel()
        self.label.setWordWrap(True)
        accessible(self.label, tr("Detection result"))
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        accessible(self.progress, tr("Progress"))
        layout.addWidget(self.label)
        layout.addWidget(self.progress)
        layout.addStretch(1)
        self.probe: AuthProbe | None = None

    def initializePage(self) -> None:
        facts = self.w.url_facts
        assert facts is not None  # this page follows the start page only when it set the address
        self.probe = None
        self.label.setText(tr("Contacting {url}…").format(url=facts.base_url))
        self.progress.setVisible(True)
        services = self.w.services
        self.start(lambda task: services.probe_url(facts.base_url, task.cancel_token), self._found, self._failed)

    def _found(self, probe: AuthProbe) -> None:
        self.probe = probe
        self.w.probe = probe
        self.progress.setVisible(False)
        self.label.setText(tr("{url} uses {method}.").format(url=probe.url, method=_method_label(probe.method)))
        self.label.setAccessibleDescription(self.label.text())

    def _failed(self, exc: BaseException) -> None:
        self.progress.setVisible(False)
        message, fix, _ = error_text(exc)
        facts = self.w.url_facts
        assert facts is not None  # as in initializePage
        typed = self.w.start_page.url_edit.text().strip() or facts.base_url
        self.label.setText(tr("Could not reach the organization at “{typed}”: {message}\n{fix}\n"
                              "Go Back to correct the address.").format(typed=typed, message=message, fix=fix))
        self.label.setAccessibleDescription(self.label.text())

    def isComplete(self) -> bool:
        return self.probe is not None and not self.busy

    def nextId(self) -> int:
        if self.probe is not None and self.probe.needs_credentials:
            return PAGE_CREDENTIALS
        return PAGE_SIGN_IN


class CredentialsPage(WizardPage):
    def __init__(self, wizard: "AddOrgWizard") -> None:
        super().__init__(wizard, "credentialsPage", tr("Enter your credentials"),
                         tr("This organization uses Windows authentication."))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.user_edit = QLineEdit()
        self.user_edit.setPlaceholderText(tr("DOMAIN\\name"))
        accessible(self.user_edit, tr("User name"))
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        accessible(self.password_edit, tr("Password"))
        for text, widget in ((tr("&User name:"), self.user_edit), (tr("&Password:"), self.password_edit)):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        layout.addLayout(form)
        self.save_box = QCheckBox(tr("&Save credentials in the system keyring"))
        accessible(self.save_box, tr("Save credentials"),
                   tr("When unchecked, nothing is stored and you are asked again next time."))
        layout.addWidget(self.save_box)
        self.keyring_note = QLabel(tr("When this is unchecked, nothing is stored."))
        self.keyring_note.setObjectName("keyringNote")
        self.keyring_note.setWordWrap(True)
        accessible(self.keyring_note, tr("About saving credentials"))
        layout.addWidget(self.keyring_note)
        layout.addStretch(1)
        self.user_edit.textChanged.connect(lambda _t: self.completeChanged.emit())
        self.password_edit.textChanged.connect(lambda _t: self.completeChanged.emit())

    def show_keyring(self, state: KeyringState) -> None:
        """No secure keyring: the box is off and disabled, and the note says why."""
        if state.available:
            self.save_box.setEnabled(True)
            self.keyring_note.setText(tr("When this is unchecked, nothing is stored."))
            self.keyring_note.setToolTip("")
            return
        self.save_box.setChecked(False)
        self.save_box.setEnabled(False)
        self.keyring_note.setText(no_keyring_text())
        self.keyring_note.setToolTip(state.reason)
        self.keyring_note.setAccessibleDescription(self.keyring_note.text())
        self.save_box.setAccessibleDescription(self.keyring_note.text())

    def isComplete(self) -> bool:
        return bool(self.user_edit.text().strip() and self.password_edit.text())

    def validatePage(self) -> bool:
        self.w.credentials = Credentials(self.user_edit.text().strip(), self.password_edit.text())
        self.w.save_credentials = self.save_box.isChecked() and self.save_box.isEnabled()
        return True

    def nextId(self) -> int:
        return PAGE_CONNECT


class SignInPage(BusyPage):
    def __init__(self, wizard: "AddOrgWizard") -> None:
        super().__init__(wizard, "signInPage", tr("Sign in"),
                         tr("Sign in with your work account."))
        layout = QVBoxLayout(self)
        self.form_radio, self.browser_radio, self.device_radio = sign_in_method_radios(wizard.services.sandbox_mode)
        group = QButtonGroup(self)
        for radio in (self.form_radio, self.browser_radio, self.device_radio):
            group.addButton(radio)
            layout.addWidget(radio)
        self.form_radio.setVisible(wizard.services.sandbox_mode)
        self.sign_in_button = QPushButton(icon("sign-in"), tr("&Sign in"))
        accessible(self.sign_in_button, tr("Sign in"), tr("Start signing in."))
        self.sign_in_button.clicked.connect(self.sign_in)
        row = QHBoxLayout()
        row.addWidget(self.sign_in_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.stop_button = QPushButton(tr("S&top"))
        self.stop_button.setObjectName("stopSignIn")
        accessible(self.stop_button, tr("Stop signing in"), tr("Stop waiting for the sign-in."))
        self.stop_button.setVisible(False)
        self.stop_button.clicked.connect(self._stop_clicked)
        row.insertWidget(1, self.stop_button)
        self.device_panel, self.address_panel = add_sign_in_panels(layout, self._use_code)
        self.status = QLabel()
        self.status.setObjectName("signInStatus")
        self.status.setWordWrap(True)
        accessible(self.status, tr("Sign-in status"))
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.dialog: SignInDialog | None = None

    def initializePage(self) -> None:
        self.w.account = None
        self.status.setText("")
        self.device_panel.setVisible(False)
        self.address_panel.setVisible(False)
        self.stop_button.setVisible(False)

    def _stop_clicked(self) -> None:
        self.stop()
        self.stop_button.setVisible(False)
        self.status.setText(tr("Signing in was stopped."))
        self.completeChanged.emit()

    def _use_code(self) -> None:
        self.stop()
        self.address_panel.setVisible(False)
        self.device_radio.setChecked(True)
        self.sign_in()

    def _browser_address(self, value) -> None:
        url, opened = value
        self.address_panel.show_address(url, opened)
        self.status.setText(tr("Waiting for you to sign in…"))
        self.w.page_ready.emit("browserAddress")

    def sign_in(self) -> None:
        self.w.account = None
        self.completeChanged.emit()
        cloud = self.w.cloud or (self.w.probe.cloud if self.w.probe else None)
        probe = self.w.probe if self.w.mode == "url" else None
        services = self.w.services
        if self.form_radio.isChecked():
            self._form_sign_in(cloud, probe)
        elif self.device_radio.isChecked():
            self.status.setText(tr("Asking for a code…"))

            def started(value) -> None:
                prompt, flow = value
                self.device_panel.show_prompt(prompt)
                self.device_panel.setVisible(True)
                self.status.setText(tr("Waiting for you to sign in on the other device…"))
                self.w.page_ready.emit("deviceCode")
                self.start(lambda task: services.finish_device_code(flow, task.cancel_token),
                           self._signed_in, self._failed)

            self.start(lambda task: services.start_device_code(cloud, probe), started, self._failed)
        else:
            self.status.setText(tr("Continue in your web browser…"))
            self.start(lambda task: services.sign_in_browser(cloud, probe, task.cancel_token,
                                                             lambda url, opened: task.progress((url, opened))),
                       self._signed_in, self._failed, on_progress=self._browser_address)
        self.stop_button.setVisible(True)

    def _form_sign_in(self, cloud: str | None, probe, *, problem: str = "", ask_mfa: bool = False,
                      username: str = "") -> None:
        dialog = SignInDialog(title=tr("Sign in"), prompt=tr("Sign in to your organization's account."),
                              username=username, ask_mfa=ask_mfa, parent=self)
        if problem:
            dialog.show_problem(problem, ask_mfa=ask_mfa)
        self.dialog = dialog
        services = self.w.services

        def submitted() -> None:
            creds = dialog.credentials()
            self.status.setText(tr("Signing in as {user}…").format(user=creds.username))

            def failed(exc: BaseException) -> None:
                message, fix, _ = error_text(exc)
                mfa = getattr(exc, "code", "") in ("mfa_required", "interaction_required") or "AADSTS50076" in message
                self.status.setText(" ".join(p for p in (message, fix) if p))
                self._form_sign_in(cloud, probe, problem=" ".join(p for p in (message, fix) if p),
                                   ask_mfa=mfa or bool(creds.mfa_code), username=creds.username)

            self.start(lambda task: services.sign_in_with_password(cloud, probe, creds), self._signed_in, failed)

        dialog.accepted.connect(submitted)
        dialog.open()
        self.w.page_ready.emit("signInDialog")

    def _signed_in(self, account: Account) -> None:
        self.w.account = account
        self.stop_button.setVisible(False)
        self.address_panel.setVisible(False)
        self.device_panel.setVisible(False)
        self.status.setText(tr("Signed in as {user}.").format(user=account.username))
        self.status.setAccessibleDescription(self.status.text())

    def _failed(self, exc: BaseException) -> None:
        message, fix, _ = error_text(exc)
        self.stop_button.setVisible(False)
        self.device_panel.setVisible(False)
        if render(exc)[2] is Action.DEVICE_CODE:    # the browser failed: the code is the way out
            self.address_panel.setVisible(True)
            self.address_panel.code_button.setFocus()
        else:
            self.address_panel.setVisible(False)
        self.status.setText(tr("Sign-in failed: {message} {fix}").format(message=message, fix=fix))
        self.status.setAccessibleDescription(self.status.text())

    def isComplete(self) -> bool:
        return self.w.account is not None and not self.busy

    def nextId(self) -> int:
        return PAGE_PICK if self.w.mode == "online" else PAGE_CONNECT


class _CheckedRowsProxy(QSortFilterProxyModel):
    """The picker's filter, also painting a check box in the first column that shows
    whether the row is selected (the selection stays the one truth: a click or Space
    toggles it, and the box follows)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.selection: QItemSelectionModel | None = None

    def watch(self, selection: QItemSelectionModel) -> None:
        self.selection = selection
        selection.selectionChanged.connect(self._repaint)

    def _repaint(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        for part in (selected, deselected):
            for index in part.indexes():
                if index.column() == 0:
                    self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.CheckStateRole and index.isValid() and index.column() == 0:
            source = self.mapToSource(index)
            if not (self.sourceModel().flags(source) & Qt.ItemFlag.ItemIsEnabled):
                return None
            chosen = self.selection is not None and self.selection.isRowSelected(index.row(), index.parent())
            return Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked
        return super().data(index, role)


class PickOrgsPage(BusyPage):
    def __init__(self, wizard: "AddOrgWizard") -> None:
        super().__init__(wizard, "pickPage", tr("Choose organizations"),
                         tr("Select one or more organizations to add. Disabled organizations cannot be added."))
        layout = QVBoxLayout(self)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search by name, unique name or URL"))
        self.search.setClearButtonEnabled(True)
        accessible(self.search, tr("Search organizations"))
        search_label = QLabel(tr("&Search:"))
        search_label.setBuddy(self.search)
        row = QHBoxLayout()
        row.addWidget(search_label)
        row.addWidget(self.search, 1)
        layout.addLayout(row)
        self.model = DiscoveredOrgModel(self)
        self.proxy = _CheckedRowsProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = row_table("discoveredOrgs", self.proxy, QAbstractItemView.SelectionMode.MultiSelection)
        accessible(self.view, tr("Your organizations"), tr("Press Space to select or clear an organization."))
        self.proxy.watch(self.view.selectionModel())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.completeChanged.emit())
        layout.addWidget(self.view, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        accessible(self.status, tr("Status"))
        layout.addWidget(self.status)
        self.loaded = False

    def initializePage(self) -> None:
        self.loaded = False
        self.model.set_orgs([])
        self.status.setText(tr("Finding your organizations…"))
        account = self.w.account
        assert account is not None  # the sign-in page completes only once signed in
        services = self.w.services
        self.start(lambda task: services.discover(account), self._found,
                   lambda exc: self.status.setText(" ".join(p for p in error_text(exc)[:2] if p)))

    def _found(self, orgs: list[DiscoveredOrg]) -> None:
        self.loaded = True
        self.model.set_orgs(orgs)
        enabled = [o for o in orgs if o.enabled]
        if not orgs:
            self.status.setText(tr("You do not belong to any organization in this cloud."))
        else:
            self.status.setText(tr("1 organization found.") if len(orgs) == 1
                                else tr("%n organizations found.", "", len(orgs)))
        if len(enabled) == 1:
            row = self.proxy.mapFromSource(self.model.index(orgs.index(enabled[0]), 0)).row()
            self.view.selectRow(row)
        self.view.setFocus()

    def selected_orgs(self) -> list[DiscoveredOrg]:
        rows = sorted({self.proxy.mapToSource(i).row() for i in self.view.selectionModel().selectedRows()})
        return [o for o in (self.model.org_at(r) for r in rows) if o is not None and o.enabled]

    def select_unique_names(self, names) -> None:
        """Add the orgs with these unique names to the selection (one selection change)."""
        selection = QItemSelection()
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            org = self.model.org_at(self.proxy.mapToSource(index).row())
            if org is not None and org.unique_name in names and org.enabled:
                selection.select(index, index)
        flags = QItemSelectionModel.SelectionFlag
        self.view.selectionModel().select(selection, flags.Select | flags.Rows)

    def isComplete(self) -> bool:
        return self.loaded and bool(self.selected_orgs())

    def validatePage(self) -> bool:
        self.w.targets = self.selected_orgs()
        return bool(self.w.targets)

    def nextId(self) -> int:
        return PAGE_CONNECT


class ConnectPage(BusyPage):
    def __init__(self, wizard: "AddOrgWizard") -> None:
        super().__init__(wizard, "connectPage", tr("Connecting"),
                         tr("Checking each step of the connection."))
        layout = QVBoxLayout(self)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        accessible(self.progress, tr("Progress"))
        layout.addWidget(self.progress)
        self.model = StepListModel(self)
        self.view = step_table(self.model, self, name=tr("Connection steps"))
        layout.addWidget(self.view, 1)
        self.result_label = QLabel()
        self.result_label.setObjectName("connectResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        accessible(self.result_label, tr("Connection result"))
        layout.addWidget(self.result_label)
        self.stop_button = QPushButton(tr("S&top"))
        accessible(self.stop_button, tr("Stop connecting"),
                   tr("Cancel connecting; you can go Back and change your input."))
        self.stop_button.clicked.connect(self._stop_clicked)
        # The failed step's fix as a button that does it (Enter the password…, Sign in…).
        self.fix_button = QPushButton("")
        self.fix_button.setObjectName("connectFixButton")
        accessible(self.fix_button, tr("Fix the problem"))
        self.fix_button.setVisible(False)
        self.fix_button.clicked.connect(self._fix_clicked)
        self.fix_action = ""
        row = QHBoxLayout()
        row.addWidget(self.stop_button)
        row.addWidget(self.fix_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.connected: list[ConnectedOrg] = []
        self.failure: StepReport | None = None

    def initializePage(self) -> None:
        self.connected = []
        self.failure = None
        self.fix_action = ""
        self.fix_button.setVisible(False)
        self.model.clear()
        self.result_label.setText("")
        self.progress.setVisible(True)
        self.stop_button.setEnabled(True)
        services = self.w.services
        w = self.w
        mode, targets, account, probe, creds = w.mode, list(w.targets), w.account, w.probe, w.credentials
        multiple = mode == "online" and len(targets) > 1

        def work(task):
            out = []
            if mode == "online":
                for org in targets:
                    def report(step: StepReport, org=org):
                        if multiple:
                            step = StepReport(f"{org.unique_name}:{step.step_id}",
                                              f"{org.friendly_name}: {step.title}", step.state, step.message,
                                              step.fix, step.seconds)
                        task.progress(step)
                    out.append(services.connect_online(account, org, report, task.cancel_token))
                    task.check()
            else:
                out.append(services.connect_url(probe, account=account, credentials=creds,
                                                report=task.progress, cancel=task.cancel_token))
            return out

        self.start(work, self._done, self._failed, on_progress=self.model.report)

    def _done(self, connected: list[ConnectedOrg]) -> None:
        self.connected = connected
        self.w.connected = connected
        self.progress.setVisible(False)
        self.stop_button.setEnabled(False)
        self.result_label.setText(tr("Connected. Choose Next to review."))

    def _failed(self, exc: BaseException) -> None:
        self.progress.setVisible(False)
        self.stop_button.setEnabled(False)
        message, fix, details = error_text(exc)
        failed = self.model.failed()
        self.failure = failed or StepReport("connect", tr("Connect"), "failed", message, fix)
        self.result_label.setText(tr("The step \"{step}\" failed: {message}\nHow to fix it: {fix}\n"
                                     "Choose Back to correct your input.").format(
            step=self.failure.title, message=message, fix=fix or self.failure.fix or tr("see Details")))
        self.result_label.setToolTip(details)
        self.result_label.setAccessibleDescription(self.result_label.text())
        action = self.failure.action or getattr(render(exc)[2], "value", "")
        target = self._fix_target(action)
        if target is not None:
            self.fix_action = action
            text = action_label(Action(action))
            self.fix_button.setText(text)
            accessible(self.fix_button, text.replace("&", "").rstrip("…"),
                       tr("Go back to the page where you can correct it."))
            self.fix_button.setVisible(True)
            self.fix_button.setFocus()

    def _fix_target(self, action: str) -> int | None:
        """The page where the user can do what ``action`` asks (None: no button)."""
        pages = {"enter_password": PAGE_CREDENTIALS, "enter_credentials": PAGE_CREDENTIALS,
                 "sign_in": PAGE_SIGN_IN}
        target = pages.get(action)
        if target is not None and target in self.w.visitedIds():
            return target
        if action in ("test_again", "retry"):
            return PAGE_CONNECT
        return None

    def _fix_clicked(self) -> None:
        target = self._fix_target(self.fix_action)
        if target is None:
            return
        if target == PAGE_CONNECT:
            self.initializePage()
            return
        while self.w.currentId() != target and self.w.currentId() != PAGE_START:
            self.w.back()
        page = self.w.currentPage()
        if isinstance(page, CredentialsPage):
            page.password_edit.selectAll()
            page.password_edit.setFocus()

    def _stop_clicked(self) -> None:
        self.stop()
        self.progress.setVisible(False)
        self.stop_button.setEnabled(False)
        self.result_label.setText(tr("Stopped. Choose Back to change your input, or Cancel to close."))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return bool(self.connected) and not self.busy

    def nextId(self) -> int:
        return PAGE_SUMMARY


class SummaryPage(WizardPage):
    def __init__(self, wizard: "AddOrgWizard") -> None:
        super().__init__(wizard, "summaryPage", tr("Ready to add"),
                         tr("Choose Finish to save. Nothing has been saved yet."))
        self.setFinalPage(True)
        layout = QVBoxLayout(self)
        self.label = QLabel()
        self.label.setObjectName("summaryText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        accessible(self.label, tr("Summary"))
        layout.addWidget(self.label)
        # Several new orgs and none synchronizes yet: the user picks which one will.
        self.primary_row = QWidget()
        primary_layout = QHBoxLayout(self.primary_row)
        primary_layout.setContentsMargins(0, 0, 0, 0)
        self.primary_combo = QComboBox()
        self.primary_combo.setObjectName("primaryChoice")
        accessible(self.primary_combo, tr("Synchronizing organization"),
                   tr("The organization that synchronizes appointments, contacts and tasks with your mailbox."))
        primary_label = QLabel(tr("S&ynchronizing organization:"))
        primary_label.setBuddy(self.primary_combo)
        primary_layout.addWidget(primary_label)
        primary_layout.addWidget(self.primary_combo, 1)
        self.primary_row.setVisible(False)
        layout.addWidget(self.primary_row)
        self.error_label = QLabel()
        self.error_label.setObjectName("summaryProblem")
        self.error_label.setWordWrap(True)
        accessible(self.error_label, tr("Problem"))
        layout.addWidget(self.error_label)
        # When the keyring fails while saving, the user can still add the org without it.
        self.without_saving_button = QPushButton(tr("Add &without saving credentials"))
        self.without_saving_button.setObjectName("addWithoutSaving")
        accessible(self.without_saving_button, tr("Add without saving credentials"),
                   tr("Add the organization now; you are asked for the password next time."))
        self.without_saving_button.setVisible(False)
        self.without_saving_button.clicked.connect(self._without_saving)
        row = QHBoxLayout()
        row.addWidget(self.without_saving_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)

    def _without_saving(self) -> None:
        self.w.save_credentials = False
        self.without_saving_button.setVisible(False)
        self.initializePage()
        self.w.accept()

    def initializePage(self) -> None:
        lines = []
        for org in self.w.connected:
            lines.append(tr("• {name} ({url}), signed in as {user}").format(
                name=org.display_name, url=org.url, user=org.user or tr("(none)")))
            existing = self.w.existing_row(org)
            if existing is not None:
                lines.append("    " + tr("Already in your list as {name}; it will be updated.").format(
                    name=existing.display_name))
            for warning in org.warnings:
                lines.append("    " + tr("Warning: {text}").format(text=warning))
        several = self.w.first_org and len(self.w.connected) > 1
        if several and self.primary_combo.count() != len(self.w.connected):
            self.primary_combo.clear()
            for index, org in enumerate(self.w.connected):
                self.primary_combo.addItem(org.display_name, index)
        self.primary_row.setVisible(several)
        if self.w.first_org and len(self.w.connected) == 1:
            lines.append("")
            lines.append(tr("{name} will become your synchronizing organization.").format(
                name=self.w.connected[0].display_name))
        no_keyring = self.w.keyring is not None and not self.w.keyring.available
        if self.w.mode == "url" and self.w.credentials is not None:
            if no_keyring:
                lines.append(tr("Your credentials will not be saved: this computer has no secure keyring."))
            else:
                lines.append(tr("Your credentials will be saved in the system keyring.") if self.w.save_credentials
                             else tr("Your credentials will not be saved."))
        elif no_keyring:
            lines.append(tr("This computer has no secure keyring: your sign-in is kept only until you "
                            "close the app."))
        self.label.setText("\n".join(lines))
        self.label.setAccessibleDescription(self.label.text())

    def nextId(self) -> int:
        return -1


class AddOrgWizard(QWizard):
    committed = Signal(list)         # OrgRows saved by Finish
    page_ready = Signal(str)         # a page finished background work (tests wait on it)
    commit_failed = Signal(object)

    def __init__(self, services: Services, runner: TaskRunner, parent=None, *, first_org: bool | None = None,
                 initial_url: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addOrgWizard")
        self.services = services
        self.runner = runner
        self.mode = "url"
        self.cloud: str | None = None
        self.url_facts: UrlFacts | None = None
        self.probe: AuthProbe | None = None
        self.account: Account | None = None
        self.credentials: Credentials | None = None
        self.save_credentials = False
        self.targets: list[DiscoveredOrg] = []
        self.connected: list[ConnectedOrg] = []
        self.committing = False
        self.keyring: KeyringState | None = None
        if first_org is None:
            model = getattr(parent, "model", None)
            first_org = model is None or model.primary() is None
        self.first_org = first_org
        self.setWindowTitle(tr("Add Organization"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.resize(880, 620)
        self.start_page = StartPage(self)
        self.credentials_page = CredentialsPage(self)
        self.summary_page = SummaryPage(self)
        self.pages: dict[int, QWizardPage] = {
            PAGE_START: self.start_page, PAGE_DETECT: DetectPage(self), PAGE_CREDENTIALS: self.credentials_page,
            PAGE_SIGN_IN: SignInPage(self), PAGE_PICK: PickOrgsPage(self), PAGE_CONNECT: ConnectPage(self),
            PAGE_SUMMARY: self.summary_page,
        }
        for page_id, page in self.pages.items():
            self.setPage(page_id, page)
        self.setStartId(PAGE_START)
        if initial_url:
            self.start_page.url_edit.setText(initial_url)
        for which, text in ((QWizard.WizardButton.BackButton, tr("< &Back")),
                            (QWizard.WizardButton.NextButton, tr("&Next >")),
                            (QWizard.WizardButton.FinishButton, tr("&Finish")),
                            (QWizard.WizardButton.CancelButton, tr("Cancel"))):
            self.setButtonText(which, text)
            accessible(self.button(which), text.replace("&", "").strip("<> "))
        runner.run_task(lambda task: services.keyring_state(), on_result=self._keyring_known,
                        on_error=lambda _exc: None)

    def existing_row(self, org: ConnectedOrg):
        """The row of the list this org already is (Finish updates it), if any."""
        model = getattr(self.parent(), "model", None)
        rows = model.rows() if model is not None and hasattr(model, "rows") else []
        url = org.url.rstrip("/").lower()
        return next((r for r in rows if r.url.rstrip("/").lower() == url), None)

    def _keyring_known(self, state: KeyringState) -> None:
        if not isValid(self):
            return
        self.keyring = state
        self.credentials_page.show_keyring(state)
        if self.currentId() == PAGE_SUMMARY:
            self.summary_page.initializePage()

    def accept(self) -> None:
        """Finish: save through the engine on a worker; close only when it worked."""
        if self.committing:
            return
        self.committing = True
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        connected = list(self.connected)
        summary_page = self.summary_page
        if summary_page.primary_row.isVisible() and summary_page.primary_combo.currentIndex() > 0:
            # The first org saved becomes the synchronizing org: save the chosen one first.
            connected.insert(0, connected.pop(summary_page.primary_combo.currentData()))
        save = self.save_credentials and (self.keyring is None or self.keyring.available)
        services = self.services
        summary = self.summary_page
        summary.error_label.setText("")

        def saved(rows) -> None:
            self.committing = False
            self.committed.emit(rows)
            QWizard.accept(self)

        def failed(exc: BaseException) -> None:
            self.committing = False
            self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
            summary.error_label.setText(" ".join(p for p in error_text(exc)[:2] if p))
            summary.without_saving_button.setVisible(
                save and str(getattr(exc, "code", "")).startswith("keyring_"))
            self.commit_failed.emit(exc)
            error_box(self, exc, title=tr("The organization was not added"))

        self.runner.run_task(lambda task: services.commit(connected, save_credentials=save),
                             on_result=saved, on_error=failed)

    def reject(self) -> None:
        for page in self.pages.values():
            if isinstance(page, BusyPage):
                page.stop()
        super().reject()
