"""The server side of switching the synchronizing org: its words, and the progress/result
dialog while the mailbox records change and Test & Enable runs.

The engine hands facts (codes, method numbers, names); every sentence here goes through
``tr``. The prompt itself is :class:`wizard.gui.dialogs.SwitchDialog`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QProgressBar, QPushButton, QVBoxLayout

from wizard.gui.i18n import tr
from wizard.gui.views import OrgChangeView, OrgOutcomeView, SwitchPlanView, SwitchResultView
from wizard.gui.widgets import accessible, fit_to_screen, scroll_body


def method_name(value: int | None) -> str:
    return {0: tr("Dynamics 365 for Outlook"), 1: tr("Server-Side Synchronization"),
            2: tr("None")}.get(value, tr("not set"))  # type: ignore[arg-type] # dict.get with an int key from the record


def _names(names) -> str:
    return tr(", ").join(names)


def org_line(plan: SwitchPlanView, org: OrgChangeView, method: str, override: bool) -> str:
    """One org's line of the prompt for the chosen method and option."""
    if not org.reachable:
        return tr("{name}: could not be read ({problem}). Its record is changed as soon as it "
                  "can be reached; until then the switch is not finished.").format(
            name=org.name, problem=org.problem or tr("not connected"))
    was = method_name(org.current_method)
    if not org.is_target:
        if org.current_method == 2:
            return tr("{name}: appointments, contacts and tasks stay None.").format(name=org.name)
        return tr("{name}: appointments, contacts and tasks → None (was {was}).").format(
            name=org.name, was=was)
    if method == "computer":
        if org.current_method == 0:
            return tr("{name}: appointments, contacts and tasks stay with this computer.").format(
                name=org.name)
        return tr("{name}: appointments, contacts and tasks → this computer (Dynamics 365 for "
                  "Outlook; was {was}).").format(name=org.name, was=was)
    takes = [h for h in plan.exchange_holders if h != org.name]
    if not override and org.current_method == 1 and org.holds_exchange and org.tested_ok:
        return tr("{name}: stays on Server-Side Synchronization; it holds your Exchange mailbox "
                  "already.").format(name=org.name)
    if override and takes:
        return tr("{name}: Server-Side Synchronization, Test & Enable with “this org only” (takes "
                  "your Exchange mailbox from {holders}).").format(name=org.name,
                                                                  holders=_names(takes))
    if override:
        return tr("{name}: Server-Side Synchronization, Test & Enable with “this org only”.").format(
            name=org.name)
    return tr("{name}: Server-Side Synchronization, then Test & Enable.").format(name=org.name)


def holder_line(holders) -> str:
    if holders:
        return tr("Your Exchange mailbox synchronizes with {names}.").format(names=_names(holders))
    return tr("None of your organizations holds your Exchange mailbox.")


def progress_text(code: str, params: dict) -> str:
    org = _plain(str(params.get("org", "")))
    texts = {
        "reading": tr("Reading your mailbox records in the organizations…"),
        "writing": tr("Changing the mailbox records…"),
        "test_enable": tr("Test & Enable in {org}…").format(org=org),
        "waiting": tr("Waiting for the result of Test & Enable in {org} (check {n} of {total})…").format(
            org=org, n=params.get("n", "?"), total=params.get("total", "?")),
        "reading_back": tr("Reading the mailbox records back…"),
        "rolling_back": tr("A record changed meanwhile: undoing the changes already made…"),
    }
    return texts.get(code, tr("Working…"))


def outcome_line(o: OrgOutcomeView) -> str:
    if o.state == "done":
        return tr("{name}: set to {method}.").format(name=o.name, method=method_name(o.new_method))
    if o.state == "unchanged":
        return tr("{name}: already as planned.").format(name=o.name)
    if o.code == "mailbox_write_denied":
        if o.want_method == 1:
            what = tr("Server-Side Synchronization, then Test & Enable")
            if o.want_override:
                what = tr("Server-Side Synchronization, then Test & Enable with “this org only”")
        else:
            what = method_name(o.want_method)
        return tr("{name}: not changed: your security roles do not allow you to change your mailbox "
                  "record there. An administrator of {name} must add the privilege to change "
                  "mailbox records (Mailbox: Write) to one of your roles, or set it for you: "
                  "{what}.").format(name=o.name, what=what)
    if o.code == "signin_required":
        return tr("{name}: not changed: the organization did not accept your sign-in. Sign in to it "
                  "again; the switch is finished afterwards.").format(name=o.name)
    if o.code in ("org_unreachable", "not_connected"):
        return tr("{name}: not changed: it could not be reached ({message}). The switch is finished "
                  "when it can be reached again.").format(name=o.name, message=o.message)
    text = tr("{name}: not changed. {message}").format(name=o.name, message=o.message)
    if o.fix:
        text += "\n    " + o.fix
    return text


def test_enable_line(result: SwitchResultView) -> str:
    name = result.target_name
    state = result.test_enable
    if state is None:
        return ""
    texts = {
        "success": tr("Test & Enable in {name} succeeded: it synchronizes appointments, contacts "
                      "and tasks with your Exchange mailbox."),
        "elsewhere": tr("Test & Enable in {name} failed: your Exchange mailbox is configured with "
                        "another organization. If {name} should synchronize, choose Synchronize "
                        "again and tick “Sync items from this organization only, even if the "
                        "mailbox was set to sync with a different organization”."),
        "not_approved": tr("Server-side synchronization in {name} cannot start yet: your e-mail "
                           "address is not approved. An administrator approves it (Approve Email "
                           "in your mailbox record); this is not a fault of this computer."),
        "failure": tr("Test & Enable in {name} failed: {message}"),
        "not_run": tr("Test & Enable in {name} has not run yet. Dynamics 365 runs it in the "
                      "background, which can take several minutes; test the connection later to "
                      "see the result."),
        "cancelled": tr("You stopped waiting for Test & Enable in {name}; it still runs on the "
                        "server. Test the connection later to see the result."),
        "not_requested": tr("Test & Enable in {name} was not run because its mailbox record "
                            "could not be changed."),
    }
    return texts.get(state, texts["failure"]).format(name=name, message=result.test_enable_message)


def result_text(result: SwitchResultView) -> str:
    lines = [outcome_line(o) for o in result.orgs]
    if not result.complete:
        lines = [line + "\n" for line in lines]        # a paragraph per org with a problem
    te = test_enable_line(result)
    if te:
        lines.append(te)
    lines.append(holder_line(result.holders))
    if result.complete:
        lines.append(tr("{name} is now your synchronizing organization; the other organizations are "
                        "set to None.").format(name=result.target_name))
    else:
        failed = [o.name for o in result.orgs if o.state in ("failed", "unreachable")]
        lines.append(tr("The switch to {name} is not finished: {orgs} could not be changed. When the "
                        "problems are fixed, choose Finish the switch in Test Connection; the app "
                        "also offers it when it starts.").format(name=result.target_name,
                                                                 orgs=_names(failed)))
    return "\n".join(lines)


def _plain(label: str) -> str:
    text = label.strip()
    if text.startswith("“") and "”" in text:
        return text[1:text.index("”")]
    return text


class SwitchProgressDialog(QDialog):
    """Progress while the records change and Test & Enable runs; then the result.

    Cancel before the result stops waiting for Test & Enable (the writes are never cut in
    half); Close afterwards.
    """

    cancel_requested = Signal()
    result_shown = Signal()          # tests wait on it

    def __init__(self, target_name: str, parent=None, *, title: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("switchProgressDialog")
        self.setWindowTitle(title or tr("Changing the synchronizing organization"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        self.heading = QLabel(tr("Making {name} your synchronizing organization…").format(name=target_name))
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        accessible(self.heading, tr("What is happening"))
        layout.addWidget(self.heading)
        self.status_label = QLabel(tr("Reading your mailbox records in the organizations…"))
        self.status_label.setWordWrap(True)
        accessible(self.status_label, tr("Current step"))
        layout.addWidget(self.status_label)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        accessible(self.bar, tr("Progress"), tr("The switch is running."))
        layout.addWidget(self.bar)
        # The result and its Details scroll only when the screen is too small for them.
        self.scroll_area, body = scroll_body(layout)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setVisible(False)
        accessible(self.result_label, tr("Result"))
        body.addWidget(self.result_label)
        self.details_button = QPushButton(tr("&Details"))
        self.details_button.setCheckable(True)
        self.details_button.setVisible(False)
        accessible(self.details_button, tr("Details"), tr("Show the result as the engine wrote it."))
        self.details_label = QLabel("")
        self.details_label.setWordWrap(True)
        self.details_label.setVisible(False)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        accessible(self.details_label, tr("Details"))
        self.details_button.toggled.connect(self.details_label.setVisible)
        self.details_button.toggled.connect(lambda _on: self.fit())
        body.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignLeft)
        body.addWidget(self.details_label)
        body.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self._cancel_or_close)
        layout.addWidget(self.buttons)
        self.switch_result: SwitchResultView | None = None   # not self.result: that is QDialog.result()
        self.cancelling = False

    def show_progress(self, value) -> None:
        code, params = value
        self.status_label.setText(progress_text(code, params))

    def show_result(self, result: SwitchResultView | None) -> None:
        self.switch_result = result
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.bar.setVisible(False)
        self.status_label.setVisible(False)
        if result is None:
            self.heading.setText(tr("There was nothing to finish."))
            text = ""
        else:
            ok = result.complete and result.test_enable in (None, "success")
            self.heading.setText(tr("Done.") if ok else tr("Done, with problems to look at."))
            text = result_text(result)
            self.details_label.setText(result.engine_text)
            accessible(self.details_label, tr("Details"), result.engine_text)
            self.details_button.setVisible(bool(result.engine_text))
        self.result_label.setText(text)
        accessible(self.result_label, tr("Result"), text)
        self.result_label.setVisible(bool(text))
        self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        close.setFocus()
        self.fit()
        self.result_shown.emit()

    def fit(self) -> None:
        """Tall enough for the word-wrapped result (and Details, when shown) at this width."""
        fit_to_screen(self, max(self.width(), 620))

    def _cancel_or_close(self) -> None:
        if self.switch_result is None and not self.cancelling:
            self.cancelling = True
            self.status_label.setText(tr("Stopping after the current step…"))
            self.cancel_requested.emit()
            return
        self.reject()
