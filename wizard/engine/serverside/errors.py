"""Errors of the server-side switch. Each one composes its text from ``params`` (``org`` is the
org's label) and says what the user can do next with an :class:`~wizard.engine.errors.Action`."""

from __future__ import annotations

from typing import Any

from wizard.engine.errors import Action, ErrorMessage, WizardError
from wizard.engine.orgs import StalePlan


class ServerSideError(WizardError):
    code = "server_side_error"
    template = "{org} refused the change of your mailbox record: {reason}"
    fix_template = "Try again later; if it keeps happening, send the details to your helpdesk."
    action = Action.DIAGNOSTICS


class MailboxWriteDenied(ServerSideError):
    """403: the user's security roles do not let them change their mailbox record."""

    code = "mailbox_write_denied"
    template = "You may not change your mailbox record in {org} (HTTP 403: missing privilege)."
    fix_template = ("An administrator of {org} must either add the privilege to change "
                    "mailbox records (Mailbox: Write, Core Records tab of a security role) to "
                    "one of your roles, or make the change in your mailbox record themselves "
                    "(Settings > Email > Mailboxes): {what}")
    action = Action.CONTACT_ADMIN


class MailboxSignInRequired(ServerSideError):
    code = "signin_required"
    template = "{org} did not accept your sign-in, so your mailbox record there was not read " \
               "or changed."
    fix_template = "Sign in to {org} again; the switch is finished afterwards."
    action = Action.SIGN_IN


class NeverConnected(ServerSideError):
    code = "not_connected"
    template = "{org} has not been connected yet, so your mailbox record there cannot be read."
    fix_template = ("Connect to it once (test the connection or sign in); the switch is "
                    "finished afterwards.")
    action = Action.SIGN_IN


class MailboxUnreachable(ServerSideError):
    code = "org_unreachable"
    template = "{org} could not be reached: {reason}"
    fix_template = ("Check the network connection (and VPN); the switch is finished when {org} "
                    "can be reached again.")
    action = Action.RETRY


class SwitchStale(StalePlan):
    """412: a mailbox record changed after the plan was read. Nothing stays changed."""

    template = ("Your mailbox record in {org} was changed by someone else after the plan was "
                "shown, so the switch was not carried out.")
    fix_template = "Nothing was changed. Review the new plan and confirm again."


class SwitchIncomplete(WizardError):
    code = "switch_incomplete"
    template = ("The switch to {org} is not finished. Not changed ({count} in all): {orgs}.")
    fix_template = ("Fix what each organization's message says, then finish the switch; until "
                    "then more than one organization may synchronize with your Exchange "
                    "mailbox.")
    action = Action.FINISH_SWITCH


class RollbackIncomplete(WizardError):
    code = "switch_incomplete"
    template = ("The switch to {org} had to be undone because a mailbox record changed, but "
                "{orgs} could not be set back yet.")
    fix_template = "The change is undone when the organizations can be reached again."
    action = Action.FINISH_SWITCH


class MailboxTestFailed(WizardError):
    code = "test_enable_failed"
    template = "Test & Enable in {org} failed: {error}"
    #: ``error`` given but empty: the mailbox record holds no reason
    no_reason_template = "Test & Enable in {org} failed: no reason was recorded."
    fix_template = ("Open the mailbox record's alerts in {org} (Settings > Email > Mailboxes) "
                    "or send the details to your administrator.")
    action = Action.CONTACT_ADMIN

    def templates(self) -> tuple[str | None, str | None]:
        if "error" in self.params and not self.params["error"]:
            return self.no_reason_template, self.fix_template
        return super().templates()


class ConfiguredElsewhere(MailboxTestFailed):
    """The documented failure: the Exchange mailbox is stamped with another org."""

    code = "configured_elsewhere"
    template = ("Test & Enable in {org} failed: your Exchange mailbox is configured with "
                "another organization.")
    fix_template = ("If {org} should synchronize, switch to it again with the option “Sync "
                    "items with Exchange from this org only, even if Exchange was set to "
                    "sync with a different org”; the other organizations are set to None.")
    action = Action.FINISH_SWITCH


class AddressNotApproved(MailboxTestFailed):
    code = "address_not_approved"
    template = ("Server-side synchronization in {org} cannot start yet: your e-mail address "
                "{email} is “{state}”, not approved.")
    fix_template = ("This is an administrator's step, not a fault of this computer: an "
                    "administrator of {org} approves the address (Approve Email in your "
                    "mailbox record); then switch again or run Test & Enable.")
    action = Action.CONTACT_ADMIN


class MailboxTestNotRun(MailboxTestFailed):
    code = "test_enable_not_run"
    template = "Test & Enable in {org} has not run yet (waited {seconds} seconds)."
    fix_template = ("Dynamics 365 runs it in the background, which can take several minutes. "
                    "Check the mailbox status later.")
    action = Action.RETRY


class NotServerSide(WizardError):
    code = "not_server_side"
    template = ("Your mailbox record in {org} is set to {method}, so Test & Enable would not "
                "synchronize appointments, contacts and tasks there.")
    fix_template = "Switch to {org} with the method Server-side synchronization instead."
    action = Action.CHOOSE_ORG


class ServerSideSynchronizes(WizardError):
    """The local sync engine's gate: the org's own server-side synchronization does it."""

    code = "server_side_sync"
    template = ("{org} synchronizes appointments, contacts and tasks through its server-side "
                "synchronization with your Exchange mailbox, so this computer does not "
                "synchronize them.")
    fix_template = ("To synchronize them on this computer instead, switch to {org} again and "
                    "choose the synchronization method This computer.")
    action = Action.CHOOSE_ORG


def classify(exc: BaseException, org: str, what: Any = "") -> WizardError:
    """A request's failure as the per-org error the user can act on."""
    from wizard.engine.dataverse import AccessDenied, DataverseError, OrgDisabled, PreconditionFailed, SignInRequired
    from wizard.engine.http import Cancelled
    from wizard.engine.signin_errors import SignInError

    details = getattr(exc, "details", None) or str(exc)
    kw: dict[str, Any] = {"org": org, "details": details}
    if isinstance(exc, Cancelled):
        return exc
    if isinstance(exc, PreconditionFailed):
        return SwitchStale(**kw)
    if isinstance(exc, OrgDisabled):
        return MailboxUnreachable(reason=ErrorMessage(exc), **kw)
    if isinstance(exc, AccessDenied):
        return MailboxWriteDenied(what=what, **kw)
    if isinstance(exc, (SignInRequired, SignInError)):
        return MailboxSignInRequired(**kw)
    if isinstance(exc, DataverseError):
        return ServerSideError(reason=ErrorMessage(exc), **kw)
    if isinstance(exc, WizardError):
        # Network, TLS, proxy, Windows credentials, a busy server: not reachable now.
        return MailboxUnreachable(reason=ErrorMessage(exc), **kw)
    return MailboxUnreachable(reason=f"{type(exc).__name__}: {exc}", **kw)


# -- what the connection test finds in the records ------------------------------------------
class RecordCheck(WizardError):
    """A finding of the connection test; ``severity`` "warning" does not fail the test."""

    severity = "failed"


class RecordSaysNone(RecordCheck):
    code = "mailbox_not_syncing"
    template = ("{org} is your synchronizing organization, but its mailbox record says None "
                "for appointments, contacts and tasks, so nothing synchronizes them.")
    fix_template = ("Choose it again as the synchronizing organization: that sets the method "
                    "in its mailbox record (and runs Test & Enable for server-side "
                    "synchronization).")
    action = Action.FINISH_SWITCH


class MethodMismatch(RecordCheck):
    severity = "warning"
    code = "method_mismatch"
    template = ("{org}'s mailbox record says {method}, but you chose server-side "
                "synchronization for it.")
    #: ``via`` "computer": the user chose this computer (Dynamics 365 for Outlook)
    computer_template = "{org}'s mailbox record says {method}, but you chose this computer for it."
    fix_template = ("Choose it again as the synchronizing organization with the method you "
                    "want: that sets its mailbox record.")
    action = Action.FINISH_SWITCH

    def templates(self) -> tuple[str | None, str | None]:
        if self.params.get("via") == "computer":
            return self.computer_template, self.fix_template
        return super().templates()


class StillSynchronizing(RecordCheck):
    severity = "warning"
    code = "not_none"
    template = ("{org} is not your synchronizing organization, but its mailbox record still "
                "says {method}: its server-side synchronization could take your Exchange "
                "mailbox (for example when an administrator runs Test & Enable there).")
    fix_template = ("Set the method to None in the other organizations, as Microsoft advises "
                    "for every organization that is not the primary one.")
    action = Action.SET_NONE_ELSEWHERE


class NotHolding(RecordCheck):
    severity = "warning"
    code = "not_holding"
    template = ("{org} does not hold your Exchange mailbox, so its server-side "
                "synchronization does not synchronize appointments, contacts and tasks.")
    #: ``holders``: the orgs last seen holding it (their names, comma-separated)
    holders_template = ("{org} does not hold your Exchange mailbox (last seen with {holders}), "
                        "so its server-side synchronization does not synchronize "
                        "appointments, contacts and tasks.")
    fix_template = ("Choose it again as the synchronizing organization with the option “Sync "
                    "items with Exchange from this org only, even if Exchange was set to sync "
                    "with a different org”.")
    action = Action.FINISH_SWITCH

    def templates(self) -> tuple[str | None, str | None]:
        if self.params.get("holders"):
            return self.holders_template, self.fix_template
        return super().templates()


class HoldsButNotPrimary(RecordCheck):
    severity = "warning"
    code = "holds_exchange"
    template = ("{org} holds your Exchange mailbox, but it is not your synchronizing "
                "organization.")
    fix_template = ("Switch again to the organization that should synchronize, with the option "
                    "“Sync items with Exchange from this org only, even if Exchange was set to "
                    "sync with a different org”.")
    action = Action.FINISH_SWITCH


class SwitchPending(RecordCheck):
    severity = "warning"
    code = "switch_incomplete"
    template = "An earlier switch to {org} is not finished: {what}"
    fix_template = "Finish the switch; it reads every mailbox record again first."
    action = Action.FINISH_SWITCH
