"""The signed-in user's own ``mailbox`` record in one org: read it, write it conditionally.

Facts from Microsoft's mailbox entity reference (REFERENCE.md, "The user's mailbox record
and Test & Enable"): the record is user-owned, ``regardingobjectid`` is the user (found
through WhoAmI's ``UserId``); ``actdeliverymethod`` is 0 Dynamics 365 for Outlook, 1
Server-Side Synchronization, 2 None; ``actstatus``/``mailboxstatus`` 0 Not Run, 1 Success,
2 Failure; ``emailrouteraccessapproval`` 0 Empty, 1 Approved, 2 Pending Approval, 3
Rejected. Every write is a ``PATCH`` with ``If-Match`` on the ETag read before, and asks for
the new row back (``Prefer: return=representation``) so a later write can be conditional
on it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wizard.engine.dataverse import DataverseError

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.dataverse import DataverseClient

ACT_OUTLOOK, ACT_SERVER, ACT_NONE = 0, 1, 2
NOT_RUN, SUCCESS, FAILURE = 0, 1, 2
APPROVED = 1

FIELDS = ("mailboxid", "name", "emailaddress", "actdeliverymethod", "actstatus",
          "isactsyncorgflagset", "orgmarkedasprimaryforexchangesync",
          "emailrouteraccessapproval", "enabledforact", "mailboxstatus", "lastsyncerror",
          "lastsyncerrorcode", "lastsyncerroroccurredon", "lastsuccessfulsynccompletedon",
          "testemailconfigurationscheduled", "testmailboxaccesscompletedon")


class NoMailboxRecord(DataverseError):
    code = "no_mailbox"
    template = "{org} has no mailbox record for your user."
    fix_template = "An administrator of the organization can create it (Settings > Email > Mailboxes)."


@dataclass(frozen=True)
class MailboxRecord:
    mailbox_id: str
    etag: str | None
    name: str | None
    email: str | None
    method: int | None                   # actdeliverymethod
    status: int | None                   # actstatus
    override_flag: bool                  # isactsyncorgflagset
    holds_exchange: bool                 # orgmarkedasprimaryforexchangesync
    approval: int | None                 # emailrouteraccessapproval
    enabled_for_act: bool | None
    mailbox_status: int | None
    last_error: str | None
    last_error_code: int | None
    last_error_on: str | None
    last_success_on: str | None
    test_scheduled: bool
    test_completed_on: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "MailboxRecord":
        def integer(name: str) -> int | None:
            value = row.get(name)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        return cls(
            mailbox_id=str(row.get("mailboxid") or ""), etag=row.get("@odata.etag"),
            name=row.get("name"), email=row.get("emailaddress"),
            method=integer("actdeliverymethod"), status=integer("actstatus"),
            override_flag=bool(row.get("isactsyncorgflagset")),
            holds_exchange=bool(row.get("orgmarkedasprimaryforexchangesync")),
            approval=integer("emailrouteraccessapproval"),
            enabled_for_act=row.get("enabledforact"),
            mailbox_status=integer("mailboxstatus"), last_error=row.get("lastsyncerror"),
            last_error_code=integer("lastsyncerrorcode"),
            last_error_on=row.get("lastsyncerroroccurredon"),
            last_success_on=row.get("lastsuccessfulsynccompletedon"),
            test_scheduled=bool(row.get("testemailconfigurationscheduled")),
            test_completed_on=row.get("testmailboxaccesscompletedon"))

    @property
    def approved(self) -> bool:
        # Anything but Approved needs an administrator (Approve Email); a server that does
        # not return the column (older versions) is given the benefit of the doubt.
        return self.approval in (None, APPROVED)

    @property
    def configured_elsewhere(self) -> bool:
        """The last Test & Enable failed because another org holds the Exchange mailbox
        (the documented alert's words; the error code is not documented)."""
        return self.status == FAILURE and "another organization" in (self.last_error or "").lower()

    def to_dict(self) -> dict[str, Any]:
        return {"mailboxid": self.mailbox_id, "name": self.name, "emailaddress": self.email,
                "actdeliverymethod": self.method, "actstatus": self.status,
                "isactsyncorgflagset": self.override_flag,
                "orgmarkedasprimaryforexchangesync": self.holds_exchange,
                "emailrouteraccessapproval": self.approval,
                "enabledforact": self.enabled_for_act, "mailboxstatus": self.mailbox_status,
                "lastsyncerror": self.last_error, "lastsyncerrorcode": self.last_error_code,
                "lastsyncerroroccurredon": self.last_error_on,
                "lastsuccessfulsynccompletedon": self.last_success_on,
                "testemailconfigurationscheduled": self.test_scheduled,
                "testmailboxaccesscompletedon": self.test_completed_on}


def read_own_mailbox(client: "DataverseClient") -> tuple[dict[str, Any], MailboxRecord]:
    """WhoAmI, then the mailbox record whose ``regardingobjectid`` is that user."""
    who = client.whoami()
    user_id = str(who.get("UserId") or "")
    rows = list(client.list("mailboxes", select=FIELDS,
                            filter=f"_regardingobjectid_value eq {user_id}", top=1))
    if not rows:
        raise NoMailboxRecord(404, None, org=client.org_label)
    return who, MailboxRecord.from_row(rows[0])


def read_mailbox(client: "DataverseClient", mailbox_id: str) -> MailboxRecord:
    return MailboxRecord.from_row(client.get("mailboxes", mailbox_id, select=FIELDS))


def patch_mailbox(client: "DataverseClient", record: MailboxRecord,
                  values: dict[str, Any]) -> MailboxRecord:
    """``PATCH`` ``values`` if the record is still the one read (``If-Match``); returns the
    record as it is now. A changed record raises :class:`~wizard.engine.dataverse.
    PreconditionFailed` (412)."""
    response = client.request(
        "PATCH", f"mailboxes({record.mailbox_id})", json=values,
        params={"$select": ",".join(FIELDS)},
        headers={"If-Match": record.etag or "*", "Prefer": "return=representation"})
    if response.status_code == 200 and response.content:
        return MailboxRecord.from_row(client._json(response))
    return read_mailbox(client, record.mailbox_id)   # a server that answers 204 anyway
