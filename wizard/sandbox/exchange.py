"""Server-side synchronization in the sandbox: one Exchange mailbox per address, shared by
every sandbox org, and Test & Enable as Microsoft's pages describe it.

What the documents say (REFERENCE.md, "The user's mailbox record and Test & Enable"; the
mailbox entity reference; "When would I want to use this check box?"; the server-side
synchronization troubleshooting page):

- An Exchange mailbox synchronizes appointments, contacts and tasks with one organization
  and stores that organization's ID (the *stamp*). Here that is :attr:`ExchangeMailboxes`'s
  map from address to OrgID, shared by all orgs of the store.
- Test & Enable is scheduled by setting ``testemailconfigurationscheduled`` on the mailbox
  record. It runs in the background: in the sandbox, when the org's mailbox records are
  next read (no timer, so tests count reads, not seconds). The fault
  ``test_enable_stuck`` keeps it from ever running ("Not Run").
- In an org whose ``actdeliverymethod`` is Server-Side Synchronization (1), Test & Enable
  takes the mailbox when it is free, already this org's, or ``isactsyncorgflagset`` is set;
  otherwise ``actstatus`` becomes Failure with the documented alert that the address "is
  configured with another organization".
- A mailbox whose e-mail address is not approved (``emailrouteraccessapproval`` other than
  1) fails Test & Enable with the approval alert.
- ``orgmarkedasprimaryforexchangesync`` follows the stamp: true in the one org that holds
  the mailbox, false everywhere else, so only one org ever has it.

Inferred (Microsoft's pages do not say): ``isactsyncorgflagset`` is cleared once the test
has run (the check box belongs to one Test & Enable); the previous holder's record, if it
is still on Server-Side Synchronization, shows the "configured with another organization"
failure as soon as another org takes the mailbox (Dynamics notices on its next cycle);
``lastsyncerrorcode`` values are sandbox placeholders.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from wizard.sandbox import seed

if TYPE_CHECKING:  # pragma: no cover
    from wizard.sandbox.faults import Faults
    from wizard.sandbox.store import DataStore, OrgData

ACT_SERVER_SIDE = 1
NOT_RUN, SUCCESS, FAILURE = 0, 1, 2
APPROVED = 1

# Sandbox placeholders for lastsyncerrorcode (inferred: Microsoft does not list them).
CONFIGURED_ELSEWHERE_CODE = -2147098001
NOT_APPROVED_CODE = -2147098002

CONFIGURED_ELSEWHERE = (
    "Appointments, contacts, and tasks can't be synchronized because the email address of "
    "the mailbox {name} is configured with another organization. The best practice is to "
    "overwrite the configuration when you test and enable the mailbox in your primary "
    "organization. Also, change the synchronization method for your mailbox in non-primary "
    "organizations to None.")
NOT_APPROVED = (
    "Appointments, contacts, and tasks can't be synchronized because the email address of "
    "the mailbox {name} is not approved. Approve the email address, and then test and enable "
    "the mailbox.")

# Columns only the service sets (the sandbox refuses them in a write so that a client that
# tries is caught): the stamp's flag follows the Exchange mailbox, MailboxStatus is
# read-only in the entity reference.
SERVICE_COLUMNS = frozenset(("orgmarkedasprimaryforexchangesync", "mailboxstatus"))

# Seed: Alice's Exchange mailbox synchronizes with Contoso (North America).
DEFAULT_STAMPS: Mapping[str, str] = {
    f"alice@{seed.TENANT_DOMAIN}": seed.ORGS[0].org_id,
}


class ExchangeMailboxes:
    """The Exchange side of every sandbox org (thread-safe through the store's lock)."""

    def __init__(self, store: "DataStore") -> None:
        self.store = store
        self.faults: "Faults | None" = None      # the sandbox sets its switchboard here
        self._stamps: dict[str, str | None] = dict(DEFAULT_STAMPS)
        self._seed_rows: dict[tuple[str, str], dict[str, Any]] = {}
        self._dirty = False
        self._lock = threading.RLock()

    # -- the stamp -----------------------------------------------------------------------
    def holder(self, address: str | None) -> str | None:
        """The OrgID the Exchange mailbox at ``address`` synchronizes with, or None."""
        if not address:
            return None
        with self._lock:
            return self._stamps.get(address.strip().lower())

    def set_holder(self, address: str, org_id: str | None) -> None:
        """Stamp the mailbox (practice scenarios and tests: "another admin did it")."""
        with self.store.lock:
            self._dirty = True
            self._take(address.strip().lower(), org_id)

    def _take(self, address: str, org_id: str | None) -> None:
        previous = self._stamps.get(address)
        self._stamps[address] = org_id
        for org_name in self.store.built_orgs():
            org = self.store.org_info(org_name)
            for row in self._rows_for(org_name, address):
                holds = org_id is not None and org.org_id == org_id
                changes: dict[str, Any] = {}
                if bool(row.get("orgmarkedasprimaryforexchangesync")) != holds:
                    changes["orgmarkedasprimaryforexchangesync"] = holds
                if (not holds and previous is not None and previous == org.org_id
                        and row.get("actdeliverymethod") == ACT_SERVER_SIDE
                        and row.get("actstatus") == SUCCESS):
                    changes.update(self._failure(row, CONFIGURED_ELSEWHERE,
                                                 CONFIGURED_ELSEWHERE_CODE))
                if changes:
                    self.store.update(org_name, "mailbox", row["mailboxid"], changes)

    def _rows_for(self, org_name: str, address: str) -> list[dict[str, Any]]:
        return [r for r in self.store.snapshot(org_name, "mailbox")
                if (r.get("emailaddress") or "").strip().lower() == address]

    # -- Test & Enable -------------------------------------------------------------------
    def run_scheduled(self, org_name: str) -> None:
        """Run the Test & Enable of every mailbox of ``org_name`` that has one scheduled
        (called before the org's mailbox records are read)."""
        if self.faults is not None and self.faults.get("test_enable_stuck"):
            return
        with self.store.lock:
            for row in self.store.snapshot(org_name, "mailbox"):
                if row.get("testemailconfigurationscheduled"):
                    self._run_test(org_name, row)

    def _run_test(self, org_name: str, row: Mapping[str, Any]) -> None:
        self._dirty = True
        org = self.store.org_info(org_name)
        now = _now(self.store)
        approved = row.get("emailrouteraccessapproval") == APPROVED
        changes: dict[str, Any] = {"testemailconfigurationscheduled": False,
                                   "testmailboxaccesscompletedon": now,
                                   "isactsyncorgflagset": False}
        for column, method_column in (("incomingemailstatus", "incomingemaildeliverymethod"),
                                      ("outgoingemailstatus", "outgoingemaildeliverymethod")):
            changes[column] = (SUCCESS if approved else FAILURE) if row.get(method_column) == 2 \
                else NOT_RUN
        take = False
        if row.get("actdeliverymethod") != ACT_SERVER_SIDE:
            changes["actstatus"] = NOT_RUN
        elif not approved:
            changes.update(self._failure(row, NOT_APPROVED, NOT_APPROVED_CODE))
        else:
            address = (row.get("emailaddress") or "").strip().lower()
            holder = self._stamps.get(address)
            if holder is None or holder == org.org_id or row.get("isactsyncorgflagset"):
                take = True
                changes.update({"actstatus": SUCCESS, "enabledforact": True,
                                "lastsuccessfulsynccompletedon": now, "lastsyncerror": None,
                                "lastsyncerrorcode": None, "lastsyncerroroccurredon": None})
            else:
                changes.update(self._failure(row, CONFIGURED_ELSEWHERE,
                                             CONFIGURED_ELSEWHERE_CODE))
        statuses = [changes.get(c, row.get(c)) for c in ("incomingemailstatus",
                                                         "outgoingemailstatus", "actstatus")]
        changes["mailboxstatus"] = FAILURE if FAILURE in statuses else (
            SUCCESS if SUCCESS in statuses else NOT_RUN)
        self.store.update(org_name, "mailbox", row["mailboxid"], changes)
        if take:
            self._take((row.get("emailaddress") or "").strip().lower(), org.org_id)

    def _failure(self, row: Mapping[str, Any], text: str, code: int) -> dict[str, Any]:
        return {"actstatus": FAILURE, "lastsyncerror": text.format(name=row.get("name") or ""),
                "lastsyncerrorcode": code, "lastsyncerroroccurredon": _now(self.store)}

    # -- writes and resets ---------------------------------------------------------------
    def note_write(self) -> None:
        self._dirty = True

    def remember_seed(self, org_name: str, data: "OrgData") -> None:
        """Keep the org's mailbox rows as seeded with the default stamps (what ``reset``
        brings back, whatever the stamps were when the org was first used)."""
        from wizard.sandbox.store import _SeedBuilder

        builder = _SeedBuilder(data.org, 0, lambda address: DEFAULT_STAMPS.get(address.lower()))
        builder._users_and_mailboxes()
        with self._lock:
            for row_id, row in builder.data.tables["mailbox"].items():
                self._seed_rows[(org_name, row_id)] = dict(row)

    def reset(self) -> None:
        """Seeded stamps and mailbox records back (the sandbox fixture, between tests)."""
        with self.store.lock:
            if not self._dirty:
                return
            self._stamps = dict(DEFAULT_STAMPS)
            built = set(self.store.built_orgs())
            for (org_name, row_id), seeded in self._seed_rows.items():
                if org_name not in built:
                    continue
                current = self.store.find(org_name, "mailbox", row_id)
                if current is None:
                    continue
                changes = {k: v for k, v in seeded.items()
                           if k not in ("versionnumber", "modifiedon", "createdon")
                           and current.get(k) != v}
                if changes:
                    self.store.update(org_name, "mailbox", row_id, changes)
            self._dirty = False


def _now(store: "DataStore") -> str:
    from wizard.sandbox.store import iso

    return iso(store.clock())
