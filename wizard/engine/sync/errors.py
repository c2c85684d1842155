"""The errors a synchronization run raises on purpose."""

from __future__ import annotations

from wizard.engine.errors import Action, WizardError
from wizard.engine.sync.orgside import OrgUnreachable


class SyncError(WizardError):
    code = "sync_error"


class SyncRunning(SyncError):
    code = "sync_running"
    template = "Another synchronization of this mailbox is running."
    fix_template = "Wait for it to finish, then synchronize again."


class NoSyncPrivilege(SyncError):
    """``org`` is the org's name, ``user`` the account (``user_template`` when known)."""

    code = "no_sync_privilege"
    template = ("Your account is not allowed to synchronize with Outlook in {org} (it lacks the "
                "“Sync to Outlook” privilege). Nothing was synchronized.")
    user_template = ("Your account ({user}) is not allowed to synchronize with Outlook in {org} (it "
                     "lacks the “Sync to Outlook” privilege). Nothing was synchronized.")
    fix_template = ("Ask your Dynamics 365 administrator to add the privilege to one of your "
                    "security roles.")

    def __init__(self, org_name: str, user: str = "") -> None:
        super().__init__(org=org_name, user=user)

    def templates(self) -> tuple[str | None, str | None]:
        return (self.user_template if self.params.get("user") else self.template), self.fix_template


class SyncCancelled(SyncError):
    code = "cancelled"
    template = "Synchronization was cancelled; nothing in your mailbox changed."
    fix_template = "Changes already sent to the organization are matched up at the next sync."


class MassDeletionRefused(SyncError):
    """Every ``kind`` item on ``side`` ("mailbox" or "organization") is gone; mirroring that
    would delete ``count`` items on the other side."""

    code = "mass_deletion"
    action = Action.CONFIRM_MASS_DELETE
    template = ("Every {kind} in the mailbox is gone, which would delete {count} {kind}s in the "
                "organization as well. Nothing was synchronized.")
    org_side_template = ("Every {kind} in the organization is gone, which would delete {count} "
                         "{kind}s in the mailbox as well. Nothing was synchronized.")
    fix_template = "If that is really what you want, run the sync again and confirm the deletion."

    def __init__(self, side: str, kind: str, count: int) -> None:
        self.side, self.kind, self.count = side, kind, count
        super().__init__(side=side, kind=kind, count=count)

    def templates(self) -> tuple[str | None, str | None]:
        return (self.template if self.side == "mailbox" else self.org_side_template), self.fix_template


class SyncOffline(OrgUnreachable):
    """``org`` cannot be reached; ``pending`` changes from the mailbox wait to be sent."""

    code = "org_unreachable"
    template = "{org} cannot be reached right now. Nothing from your mailbox is waiting to be sent."
    one_pending_template = ("{org} cannot be reached right now. 1 change from your mailbox is queued "
                            "and will be sent when it is back.")
    pending_template = ("{org} cannot be reached right now. {pending} changes from your mailbox are "
                        "queued and will be sent when it is back.")
    fix_template = "Check your network connection and synchronize again later."

    def __init__(self, org_name: str, pending: int, details: str | None = None) -> None:
        self.pending = pending
        super().__init__(org=org_name, pending=pending, details=details)

    def templates(self) -> tuple[str | None, str | None]:
        pending = self.params.get("pending") or 0
        text = self.template if not pending else (
            self.one_pending_template if pending == 1 else self.pending_template)
        return text, self.fix_template


# -- why a change was not sent (it stays queued; the report's ``not_sent``) -----------------
class NotSent(SyncError):
    """Why one item's change was not sent; not raised: a reason in the sync report."""

    code = "not_sent"


class ItemRefused(NotSent):
    """The organization refused the write: HTTP ``status``, its own words ``server_message``."""

    code = "item_refused"
    template = "the organization refused it (HTTP {status}): {server_message}"
    #: no words from the server
    bare_template = "the organization refused it (HTTP {status}):"

    def templates(self) -> tuple[str | None, str | None]:
        if not self.params.get("server_message"):
            return self.bare_template, self.fix_template
        return super().templates()


class ItemChangedAgain(NotSent):
    """The record kept changing while it was being sent (412/404, retries used up)."""

    code = "item_changed_again"
    template = "changed again; retried next time"

