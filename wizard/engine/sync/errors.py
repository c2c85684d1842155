"""The errors a synchronization run raises on purpose."""

from __future__ import annotations

from wizard.engine.errors import Action, WizardError
from wizard.engine.sync.orgside import OrgUnreachable


class SyncError(WizardError):
    code = "sync_error"


class NoSyncPrivilege(SyncError):
    code = "no_sync_privilege"

    def __init__(self, org_name: str, user: str = "") -> None:
        who = f"Your account ({user})" if user else "Your account"
        super().__init__(
            f"{who} is not allowed to synchronize with Outlook in {org_name} (it lacks the "
            "“Sync to Outlook” privilege). Nothing was synchronized.",
            fix="Ask your Dynamics 365 administrator to add the privilege to one of your "
                "security roles.")


class SyncCancelled(SyncError):
    code = "cancelled"

    def __init__(self) -> None:
        super().__init__("Synchronization was cancelled; nothing in your mailbox changed.",
                         fix="Changes already sent to the organization are matched up at "
                             "the next sync.")


class MassDeletionRefused(SyncError):
    code = "mass_deletion"

    def __init__(self, side: str, kind: str, count: int) -> None:
        self.side, self.kind, self.count = side, kind, count
        other = "organization" if side == "mailbox" else "mailbox"
        super().__init__(
            f"Every {kind} in the {side} is gone, which would delete {count} "
            f"{kind}s in the {other} as well. Nothing was synchronized.",
            fix="If that is really what you want, run the sync again and confirm the "
                "deletion.", action=Action.CONFIRM_MASS_DELETE)


class SyncOffline(OrgUnreachable):
    code = "org_unreachable"

    def __init__(self, org_name: str, pending: int, details: str | None = None) -> None:
        self.pending = pending
        queued = (f"{pending} change{'s' if pending != 1 else ''} from your mailbox "
                  f"{'are' if pending != 1 else 'is'} queued and will be sent when it is back."
                  if pending else "Nothing from your mailbox is waiting to be sent.")
        super().__init__(f"{org_name} cannot be reached right now. {queued}",
                         fix="Check your network connection and synchronize again later.",
                         details=details)
