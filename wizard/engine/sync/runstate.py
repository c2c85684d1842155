"""What one synchronization run holds: its report, its per-channel contexts, its plans.

:class:`SyncRun` is made by :meth:`Synchronizer.run <wizard.engine.sync.engine.Synchronizer.run>`
and handed to the planning (:mod:`~wizard.engine.sync.plan`), pushing
(:mod:`~wizard.engine.sync.push`) and committing (:mod:`~wizard.engine.sync.commit`)
steps; nothing of a run outlives it on the :class:`Synchronizer`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from wizard.engine.mailstore import MailItem
from wizard.engine.sync import filters as flt
from wizard.engine.sync.mapping import FieldMapping, SyncSettings
from wizard.engine.sync.orgside import ChangeBatch, OrgRecord, OrgWrite
from wizard.engine.sync.status import Conflict, StatusRow

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.sync.engine import Synchronizer
    from wizard.engine.sync.mailside import MailboxSide
    from wizard.engine.sync.orgside import OrgSide
    from wizard.engine.sync.staging import Staging
    from wizard.engine.sync.status import StatusDB

CHANNELS = ("contact", "appointment", "task", "booking", "email")
MAILBOX_KIND = {"contact": "contact", "appointment": "appointment", "task": "task",
                "booking": "appointment", "email": "email"}
# A report lists at most this many "new in the mailbox" actions one by one (an initial
# sync makes 10,000s); the rest are counted.
LISTED_CREATES = 500


@dataclass(slots=True)            # an initial sync makes one per record
class Action:
    kind: str
    op: str
    title: str
    local_id: str | None = None
    org_record_id: str | None = None
    fields: list[str] = field(default_factory=list)
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# Past LISTED_CREATES, a run's plans share one untitled "new in the mailbox" action per
# kind (the report only counts those), instead of one each.
UNLISTED_CREATE = {kind: Action(kind, "mailbox-create", "") for kind in CHANNELS}


@dataclass
class SyncReport:
    org_id: str
    org_name: str
    dry_run: bool = False
    actions: list[Action] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    #: each notice as (code, params), for a front end that words it itself (same order)
    notice_codes: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    fetched: dict[str, int] = field(default_factory=dict)
    full: dict[str, bool] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    #: each skipped item as (title, reason), for a front end that words the reason itself
    #: (same order; the reason is a :class:`~wizard.engine.sync.errors.NotSent`)
    not_sent: list[tuple[str, Any]] = field(default_factory=list)
    org_requests: int = 0
    # actions counted but not listed (see LISTED_CREATES), by operation
    unlisted: dict[str, int] = field(default_factory=dict)

    listed_creates: int = 0

    def add(self, actions: list[Action]) -> None:
        """Add a plan's actions; past LISTED_CREATES new mailbox items, only count them."""
        for a in actions:
            if a.op == "mailbox-create":
                if self.listed_creates >= LISTED_CREATES or a is UNLISTED_CREATE.get(a.kind):
                    self.unlisted[a.op] = self.unlisted.get(a.op, 0) + 1
                    continue
                self.listed_creates += 1
            self.actions.append(a)

    def notice(self, code: str, text: str, **params: str) -> None:
        """A notice for the user: ``text`` in English, ``code`` and ``params`` for a front end."""
        self.notices.append(text)
        self.notice_codes.append((code, params))

    def skip(self, what: str, reason: Any) -> None:
        """An item whose change was not sent: ``reason`` a ``NotSent`` error."""
        self.skipped.append(f"{what}: {reason.message}")
        self.not_sent.append((what, reason))

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = dict(self.unlisted)
        for a in self.actions:
            out[a.op] = out.get(a.op, 0) + 1
        return out

    @property
    def writes(self) -> int:
        return sum(n for op, n in self.counts().items() if op != "info")

    def to_dict(self) -> dict[str, Any]:
        return {"org_id": self.org_id, "org_name": self.org_name, "dry_run": self.dry_run,
                "counts": self.counts(), "actions": [a.to_dict() for a in self.actions],
                "unlisted": dict(self.unlisted),
                "conflicts": [c.to_dict() for c in self.conflicts], "notices": self.notices,
                "fetched": self.fetched, "full": self.full, "skipped": self.skipped}


@dataclass
class Channel:
    """One kind of item (contacts, appointments, …) in one run."""

    kind: str
    user_id: str
    settings: SyncSettings
    mapping_rows: list[dict[str, Any]]
    filters: list[flt.SyncFilter]
    full: bool = False
    maps_cache: dict[tuple[Any, ...], list[FieldMapping]] = field(default_factory=dict)
    sync_filters: list[flt.SyncFilter] | None = None
    matches: Callable[[dict[str, Any]], bool] | None = None
    # per mapping list: (org column, mailbox field, converter or None, flows to the mailbox)
    create_specs: dict[int, tuple[list[FieldMapping], list[tuple[Any, ...]]]] = field(
        default_factory=dict)


@dataclass(slots=True)
class Plan:
    """What one pair needs: an org write, a mailbox write, and the status row afterwards."""

    kind: str
    org_record_id: str
    item: MailItem | None
    status: StatusRow | None
    org_write: OrgWrite | None = None
    mailbox_op: str | None = None          # create | update | delete | unlink
    mailbox_data: dict[str, Any] | None = None
    mailbox_origin: str = "org"
    mailbox_json: str | None = None
    base_json: str | None = None
    new_status: StatusRow | None = None
    drop_status: bool = False
    # the item was matched by its UID (or its place) after losing X-D365-ORGRECORDID:
    # the commit links it again, which writes the property back into the item
    adopt: bool = False
    actions: list[Action] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    attempts: int = 0
    failed: bool = False
    error: Any = None                   # why it failed: a sync ``NotSent`` error


DEFERRED = Plan("", "", None, None)        # in ``early``: planned at commit time


@dataclass
class SyncRun:
    """The state of one run (see the module docstring)."""

    sync: "Synchronizer"
    report: SyncReport
    dry_run: bool
    staging: "Staging | None" = None
    # org record id -> local id of the new mailbox items in the TEMP tables (their plans
    # are not kept: see plan.changes), and the local ids staged but planned again since
    staged: dict[str, str] = field(default_factory=dict)
    replaced: list[str] = field(default_factory=list)
    deferred: list[tuple[Channel, OrgRecord]] = field(default_factory=list)
    sent: dict[tuple[str, str], dict[str, list[Any]]] = field(default_factory=dict)
    start_seq: int = 0
    rebased: list[str] = field(default_factory=list)   # local ids: looked at again next run
    channels: dict[str, Channel] = field(default_factory=dict)
    prefetched: dict[str, ChangeBatch] = field(default_factory=dict)
    preloaded: tuple[dict[str, StatusRow], list[MailItem]] | None = None
    user_id: str = ""
    titled_creates: int = 0        # "new in the mailbox" actions made with a title
    settings: SyncSettings | None = None
    mapping_rows: list[dict[str, Any]] = field(default_factory=list)
    filters: list[flt.SyncFilter] = field(default_factory=list)

    @property
    def side(self) -> "MailboxSide":
        return self.sync.store

    @property
    def org(self) -> "OrgSide":
        return self.sync.org

    @property
    def status(self) -> "StatusDB":
        return self.sync.status

    def channel(self, kind: str) -> Channel:
        return self.channels[kind]

    def check_cancel(self) -> None:
        self.sync.check_cancel()
