"""The synchronization algorithm: the mailbox and the synchronizing org, item by item.

One run:

1. **Gates.** The org must be reachable (else the run stops and the mailbox's unsent
   changes stay queued), the user must hold the Sync-to-Outlook privilege (else a plain
   refusal before anything is written), and the mailbox stamp must name this org (or the
   caller chose the override, which rewrites the stamp).
2. **Prepare.** Tracked mailbox items that have no org record yet get their record id
   now, committed before anything is sent: a create that is interrupted is found again
   by that id (``If-None-Match: *`` create, 412 = it already exists) instead of being
   duplicated.
3. **Fetch.** Changed org rows since the last delta token (a full listing the first time,
   when the token expired, or when filters, settings or mappings changed).
4. **Plan.** A three-way merge per linked pair against the status row (``base``), with
   the field directions of the mapping table; conflicts on two-way fields go to the
   resolver and are logged. Records entering the user's sync filters come into the
   mailbox; records leaving them leave the mailbox only. Untracked or deleted items
   delete the org's copy only when the user owns it; otherwise the record is excluded.
5. **Guard.** A side that was emptied is not mirrored without ``allow_mass_delete``.
6. **Push.** Org writes go out in batches, each conditional on the ETag the merge used;
   a 412 re-reads that record and merges again.
7. **Commit.** Mailbox writes, status rows and delta tokens in one SQLite transaction.
   A mailbox item edited while the sync ran is rebased, never overwritten.
"""

from __future__ import annotations

import gc
import hashlib
import inspect
import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from wizard.engine.errors import WizardError
from wizard.engine.mailstore import MailItem, SqliteMailStore, content_hash, content_json
from wizard.engine.sync import filters as flt
from wizard.engine.sync.conflicts import Resolver, org_wins
from wizard.engine.sync.mapping import (BOTH, NONE, TO_MAILBOX, TO_ORG, ENTITY_OF_KIND,
                                        FieldMapping, SyncSettings, _identity,
                                        _recurring_or_service,
                                        effective_mappings)
from wizard.engine.sync.orgside import (ChangeBatch, DeltaTokenExpired, OrgRecord, OrgSide,
                                        OrgUnreachable, OrgWrite, WriteResult)
from wizard.engine.sync.staging import Staging
from wizard.engine.sync.status import Conflict, StatusDB, StatusRow

log = logging.getLogger(__name__)

CHANNELS = ("contact", "appointment", "task", "booking", "email")
MAILBOX_KIND = {"contact": "contact", "appointment": "appointment", "task": "task",
                "booking": "appointment", "email": "email"}
BATCH_SIZE = 500
BULK_CREATES = 1000             # this many new mailbox items commit with a bigger cache
BULK_CACHE_KIB = -32768         # (negative: KiB, SQLite's convention)
MAX_RETRIES = 3
EMAIL_NOTICE = ("To decide whether an e-mail can be tracked, only its sender, recipients and "
                "subject are sent to the organization. The rest of the message is sent only "
                "once it is tracked.")
EMAIL_NOTICE_KEY = "email_tracking_notice_shown"


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
                "deletion (d365-orgs sync --allow-mass-delete).")


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


@dataclass
class SyncReport:
    org_id: str
    org_name: str
    dry_run: bool = False
    actions: list[Action] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    fetched: dict[str, int] = field(default_factory=dict)
    full: dict[str, bool] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    org_requests: int = 0

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for a in self.actions:
            out[a.op] = out.get(a.op, 0) + 1
        return out

    @property
    def writes(self) -> int:
        return sum(1 for a in self.actions if a.op not in ("info",))

    def to_dict(self) -> dict[str, Any]:
        return {"org_id": self.org_id, "org_name": self.org_name, "dry_run": self.dry_run,
                "counts": self.counts(), "actions": [a.to_dict() for a in self.actions],
                "conflicts": [c.to_dict() for c in self.conflicts], "notices": self.notices,
                "fetched": self.fetched, "full": self.full, "skipped": self.skipped}


@dataclass
class _Ctx:
    kind: str
    user_id: str
    settings: SyncSettings
    mapping_rows: list[dict[str, Any]]
    filters: list[flt.SyncFilter]
    full: bool = False
    maps_cache: dict[tuple, list[FieldMapping]] = field(default_factory=dict)
    sync_filters: list[flt.SyncFilter] | None = None
    matches: Callable[[dict[str, Any]], bool] | None = None
    # per mapping list: (org column, mailbox field, converter or None, flows to the mailbox)
    create_specs: dict[int, tuple[list[FieldMapping], list[tuple]]] = field(
        default_factory=dict)


@dataclass(slots=True)
class _Plan:
    """What one pair needs: an org write, a mailbox write, and the status row afterwards."""

    kind: str
    org_record_id: str
    item: MailItem | None
    status: StatusRow | None
    org_write: OrgWrite | None = None
    mailbox_op: str | None = None          # create | update | delete | unlink | untrack-unlink
    mailbox_data: dict[str, Any] | None = None
    mailbox_origin: str = "org"
    mailbox_json: str | None = None
    base_json: str | None = None
    new_status: StatusRow | None = None
    drop_status: bool = False
    actions: list[Action] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    attempts: int = 0
    failed: bool = False
    error: str | None = None
    staged: bool = False                   # its mailbox create is in the TEMP tables


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and a.strip("{}").lower() == b.strip("{}").lower()


class Synchronizer:
    def __init__(self, store: SqliteMailStore, org: OrgSide, *, stamp_store: Any = None,
                 resolver: Resolver = org_wins, clock: Callable[[], float] = time.time,
                 progress: Callable[[str, int, int], None] | None = None,
                 batch_size: int = BATCH_SIZE,
                 id_factory: Callable[[], str] = lambda: str(uuid.uuid4()),
                 cancel: Any = None) -> None:
        self.id_factory = id_factory
        # A threading.Event (the GUI's Cancel button): checked between steps; a cancelled
        # run commits nothing.
        self.cancel = cancel
        self.store = store
        self.org = org
        self.stamp_store = stamp_store
        self.resolver = resolver
        self.clock = clock
        self.progress = progress or (lambda stage, done, total: None)
        self.batch_size = batch_size
        self.status = StatusDB(store.conn, org.org_id)

    # ------------------------------------------------------------------ public entry
    def pending_changes(self) -> int:
        """Mailbox changes not yet sent to the org (the offline queue)."""
        n = 0
        for channel in CHANNELS:
            rows = self.status.rows(channel)
            by_local = {r.local_id: r for r in rows.values() if r.state == "linked"}
            for item in self._items(channel):
                st = by_local.pop(item.local_id, None)
                if st is None:
                    n += int(item.tracked)
                elif not item.tracked or item.hash != st.local_hash:
                    n += 1
            n += len(by_local)      # linked items deleted from the mailbox
        return n

    def run(self, *, dry_run: bool = False, override_stamp: bool = False,
            allow_mass_delete: bool = False) -> SyncReport:
        """One synchronization (see the module docstring). One at a time per mailbox."""
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.store.db_path) + ".sync.lock", timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise SyncError("Another synchronization of this mailbox is running.",
                            fix="Wait for it to finish, then synchronize again.",
                            code="sync_running") from None
        # The cyclic garbage collector is paused for the run: an initial sync makes a few
        # objects per record (10,000s, none of them in cycles) and the collector would
        # otherwise walk the growing heap again and again (a fifth of the run's time).
        paused = gc.isenabled()
        if paused:
            gc.disable()
        self._staging = None if dry_run else Staging(self.store.conn)
        self._staged: list[_Plan] = []
        self._to_stage: list[_Plan] = []
        self._deferred: list[tuple[_Ctx, OrgRecord]] = []
        try:
            return self._run(dry_run, override_stamp, allow_mass_delete)
        finally:
            if self._staging is not None:
                self._staging.close()
                self._staging = None
            if paused:
                gc.enable()
            lock.release()

    def _run(self, dry_run: bool, override_stamp: bool, allow_mass_delete: bool) -> SyncReport:
        report = SyncReport(self.org.org_id, self.org.org_name, dry_run)
        try:
            prefetch = getattr(self.org, "prefetch", None)
            if prefetch is not None:
                prefetch()
            user = self.org.whoami()
            if not self.org.has_sync_privilege():
                raise NoSyncPrivilege(self.org.org_name, user.name or user.user_id)
            self._stamp_gate(override_stamp, dry_run, report)
            settings = self.org.settings()
            mapping_rows = self.org.attribute_mappings()
            filters = self.org.filters()
            if not dry_run:
                self._prepare(report, filters)
            self._sent = self.status.sent_values()
            self._start_seq = self.store.max_seq()
            plans: list[_Plan] = []
            batches: dict[str, ChangeBatch] = {}
            self._ctx_cache = {c: _Ctx(c, user.user_id, settings, mapping_rows, filters)
                               for c in CHANNELS}
            self._prefetched: dict[str, ChangeBatch] = {}
            self._prefetch_deltas()
            for channel in CHANNELS:
                self._check_cancel()
                ctx = self._ctx_cache[channel]
                self.progress(f"reading {channel}s", 0, 0)
                channel_plans, batch = self._plan_channel(ctx, report)
                self._guard(ctx, channel_plans, batch, allow_mass_delete)
                plans += channel_plans
                if batch is not None:
                    batches[channel] = batch
        except OrgUnreachable as exc:
            if isinstance(exc, SyncOffline):
                raise
            raise SyncOffline(self.org.org_name, self.pending_changes(),
                              details=exc.details or str(exc)) from exc

        self._check_cancel()
        if not dry_run:
            try:
                self._push(plans, report)
            except OrgUnreachable as exc:
                raise SyncOffline(self.org.org_name, self.pending_changes(),
                                  details=exc.details or str(exc)) from exc
        for p in plans:
            if not p.failed:
                report.actions += p.actions
                report.conflicts += p.conflicts
            else:
                what = p.item.title if p.item is not None else p.org_record_id
                report.skipped.append(f"{what}: {p.error or 'changed again; retried next time'}")
        if dry_run:
            return report
        self._check_cancel()
        self._commit(plans, batches, user.user_id, settings, mapping_rows, filters, report)
        if self.stamp_store is not None:
            self.stamp_store.record_sync(self.org.org_id, self.clock())
        for c in report.conflicts:
            log.warning("sync conflict on %s %s field %s: mailbox %r, org %r -> %s wins",
                        c.kind, c.org_record_id, c.field, c.mailbox_value, c.org_value, c.winner)
        return report

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise SyncCancelled()

    # ------------------------------------------------------------------ gates
    def _stamp_gate(self, override: bool, dry_run: bool, report: SyncReport) -> None:
        if self.stamp_store is None:
            return
        from wizard.engine.mailbox import StampConflict

        current = self.stamp_store.stamp()
        if current is not None and not _same(current.org_id, self.org.org_id) and not override:
            raise StampConflict(current, self.org.org_name)
        if dry_run:
            return
        self.stamp_store.claim(self.org.org_id, self.org.org_name, override=override)
        # Links to another org must go whether the stamp moved just now or earlier (a
        # switch with `d365-orgs use` or the GUI claims the stamp before any sync): an
        # item still linked to the old org would otherwise be pushed into this one.
        if current is not None and not _same(current.org_id, self.org.org_id):
            previous = current.org_name
        elif self._links_to_other_orgs():
            previous = "the previous synchronizing organization"
        else:
            return
        report.notices.append(
            f"The mailbox now synchronizes with {self.org.org_name} instead of {previous}; "
            f"items from {previous} are kept but no longer tracked.")
        self._forget_other_orgs()

    def _links_to_other_orgs(self) -> bool:
        return self.store.conn.execute(
            "SELECT 1 FROM sync_status WHERE org_id<>? LIMIT 1",
            (self.status.org_id,)).fetchone() is not None

    def _forget_other_orgs(self) -> None:
        conn = self.store.conn
        with self.store.transaction():
            rows = conn.execute("SELECT local_id FROM sync_status WHERE org_id<>?",
                                (self.status.org_id,)).fetchall()
            for (local_id,) in rows:
                if local_id:
                    conn.execute("UPDATE mail_items SET org_record_id=NULL, tracked=0,"
                                 " origin='mailbox', change_counter=change_counter+1"
                                 " WHERE local_id=?", (local_id,))
            self.status.forget_org()

    # ------------------------------------------------------------------ prepare
    def _items(self, channel: str) -> list[MailItem]:
        """The channel's items without content (see :meth:`_full`)."""
        items = self.store.heads(MAILBOX_KIND[channel])
        if MAILBOX_KIND[channel] == "appointment":
            booking = channel == "booking"
            items = [i for i in items if i.booking == booking]
        return items

    def _full(self, item: MailItem | None) -> MailItem | None:
        if item is None or item.data is not None:
            return item
        return self.store.get(item.local_id)

    def _prepare(self, report: SyncReport, filters: list[flt.SyncFilter]) -> None:
        """Give tracked items their org record id before anything is sent."""
        waiting = self.store.conn.execute(
            "SELECT local_id, kind FROM mail_items WHERE tracked=1 AND org_record_id IS NULL"
            " ORDER BY created_at, local_id").fetchall()
        if not waiting:
            return
        with self.store.transaction():
            for local_id, kind in waiting:
                if kind != "email":
                    self.store.link(local_id, self.id_factory(), origin="mailbox")
            for local_id, kind in waiting:
                if kind != "email":
                    continue
                item = self.store.get(local_id)
                if item is None:
                    continue
                if self.store.meta_get(EMAIL_NOTICE_KEY) is None:
                    report.notices.append(EMAIL_NOTICE)
                    self.store.meta_set(EMAIL_NOTICE_KEY, str(self.clock()))
                d = item.data
                to = list(d.get("to") or []) + list(d.get("cc") or [])
                if self.org.email_matches(d.get("sender", ""), to, d.get("subject", "")):
                    self.store.link(item.local_id, self.id_factory(), origin="mailbox")
                else:
                    self.store.set_tracked(item.local_id, False)
                    report.actions.append(Action(
                        "email", "not-tracked", item.title, item.local_id,
                        reason="nothing in the organization matches its sender or recipients"))

    # ------------------------------------------------------------------ planning
    def _signature(self, ctx: _Ctx) -> str:
        entity = ENTITY_OF_KIND[ctx.kind]
        parts = {
            "user": ctx.user_id.lower(), "settings": ctx.settings.to_dict(),
            "mappings": sorted((json.dumps(r, sort_keys=True, default=str)
                                for r in ctx.mapping_rows)),
            "filters": sorted(flt.to_fetchxml(f) + str(f.querytype) for f in ctx.filters
                              if f.entity == entity),
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]

    def _prefetch_deltas(self) -> None:
        """Ask for every incremental delta in one round trip when the org side can."""
        many = getattr(self.org, "changes_many", None)
        if many is None:
            return
        wanted = {}
        for kind, ctx in self._ctx_cache.items():
            if kind in ("email",) or (kind == "booking" and not ctx.settings.resource_bookings):
                continue
            token, signature = self.status.token(kind)
            if token and signature == self._signature(ctx):
                wanted[kind] = token
        if len(wanted) > 1:
            self._prefetched = many(wanted)

    def _fetch(self, ctx: _Ctx, report: SyncReport,
               early: dict[str, tuple[OrgRecord, _Plan | None]] | None = None) -> ChangeBatch:
        token, signature = self.status.token(ctx.kind)
        if signature != self._signature(ctx):
            token = None
        columns = self._columns(ctx)
        batch = self._prefetched.pop(ctx.kind, None) if token else None
        try:
            if batch is None:
                batch = self._changes(ctx, token, columns, early)
        except DeltaTokenExpired:
            batch = self._changes(ctx, None, columns, early)
        report.fetched[ctx.kind] = len(batch.rows) + len(batch.deleted)
        report.full[ctx.kind] = batch.full
        return batch

    def _changes(self, ctx: _Ctx, token: str | None, columns: list[str],
                 early: dict[str, tuple[OrgRecord, _Plan | None]] | None) -> ChangeBatch:
        """The org's changes. A full read of an org side that hands over rows page by page
        plans the records new to the mailbox as they arrive (while the next page is on its
        way); ``early`` keeps those plans for :meth:`_plan_channel`."""
        streams = "on_rows" in inspect.signature(self.org.changes).parameters
        if token is not None or early is None or not streams:
            return self.org.changes(ctx.kind, token, columns)
        statuses, items = self._load(ctx.kind, ChangeBatch([], [], None, True))
        linked = set(statuses) | {i.org_record_id for i in items if i.org_record_id}
        self._preloaded = (statuses, items)

        def plan(records: list[OrgRecord]) -> None:
            if self._staged and not getattr(self.org, "next_page_on_its_way", False):
                # A last page, with rows already staged: its new records are planned
                # during the commit, while SQLite copies the staged rows (see _late_creates).
                for row in records:
                    if row.id not in linked:
                        early[row.id] = (row, _DEFERRED)
                return
            for row in records:
                if row.id not in linked:
                    p = self._plan_new_record(ctx, row)
                    early[row.id] = (row, p)
                    if p is not None and p.mailbox_op == "create":
                        self._to_stage.append(p)
            if getattr(self.org, "next_page_on_its_way", False):
                self._stage()

        return self.org.changes(ctx.kind, None, columns, on_rows=plan)

    def _stage(self) -> None:
        """Write the new mailbox items planned so far into the TEMP tables (see
        :mod:`~wizard.engine.sync.staging`): done while the next page is on its way, so
        the commit after the last page only copies them."""
        plans, self._to_stage = self._to_stage, []
        if self._staging is None or not plans:
            return
        try:
            self._staging.add(*self._create_rows(plans))
        except sqlite3.Error as exc:         # staging only saves time: commit them directly
            log.warning("staging new mailbox items failed (%s); inserting them at the end",
                        exc)
            for p in self._staged:
                p.staged = False
            self._staged = []
            self._staging.close()
            self._staging = None
            return
        for p in plans:
            p.staged = True
            p.mailbox_json = p.base_json = None        # the TEMP tables hold them now
        self._staged += plans

    def _columns(self, ctx: _Ctx) -> list[str]:
        """The org columns a run reads: every mapped field (in either address mode) and
        every column the user's filters look at."""
        from dataclasses import replace

        cols: set[str] = set()
        for mailing_only in (True, False):
            s = replace(ctx.settings, mailing_address_only=mailing_only)
            cols |= {m.org_field for m in effective_mappings(ctx.kind, s, ctx.mapping_rows)}
        entity = ENTITY_OF_KIND[ctx.kind]

        def walk(group: flt.FilterGroup) -> None:
            for c in group.conditions:
                cols.add(c.attribute)
            for g in group.groups:
                walk(g)

        for f in ctx.filters:
            if f.entity == entity:
                walk(f.where)
        return sorted(cols)

    def include(self, ctx: _Ctx, row: dict[str, Any]) -> bool:
        """Whether an org record belongs in the mailbox (the user's sync filters)."""
        me = ctx.user_id
        if ctx.kind == "booking":
            return _same(row.get("_ownerid_value"), me) or _same(row.get("_resource_userid_value"), me)
        if ctx.kind == "email":
            return True
        if ctx.matches is None:
            entity = ENTITY_OF_KIND[ctx.kind]
            ctx.sync_filters = flt.filters_for(ctx.filters, entity)
            ctx.matches = flt.compile_filters(ctx.sync_filters, entity, me)
        if ctx.matches(row):
            return True
        if (ctx.kind == "task" and ctx.settings.assigned_tasks
                and _same(row.get("_createdby_value"), me)
                and not _same(row.get("_ownerid_value"), me)):
            return True
        return False

    def maps_for(self, ctx: _Ctx, item: MailItem | None,
                 org_data: dict[str, Any] | None) -> list[FieldMapping]:
        slot = (item.data.get("mailing_address") if item else None) or "business"
        special = ctx.kind == "appointment" and _recurring_or_service(
            org_data, item.data if item else None)
        key = (ctx.kind, slot, special)
        cache = ctx.maps_cache
        if key not in cache:
            maps = effective_mappings(ctx.kind, ctx.settings, ctx.mapping_rows,
                                      mailing_slot=slot, org_record=org_data,
                                      mailbox_data=item.data if item else None)
            cache[key] = [m for m in maps if m.direction != NONE]
        return cache[key]

    def _plan_channel(self, ctx: _Ctx, report: SyncReport
                      ) -> tuple[list[_Plan], ChangeBatch | None]:
        kind = ctx.kind
        plans: list[_Plan] = []
        if kind == "booking" and not ctx.settings.resource_bookings:
            statuses, items = self.status.rows(kind), self._items(kind)
            by_id = {i.local_id: i for i in items}
            for st in statuses.values():
                item = self._full(by_id.get(st.local_id or ""))
                p = _Plan(kind, st.org_record_id, item, st, drop_status=True)
                if item is not None:
                    p.mailbox_op = "delete"
                    p.actions.append(Action(kind, "mailbox-delete", item.title, item.local_id,
                                            st.org_record_id,
                                            reason="resource bookings no longer synchronize"))
                plans.append(p)
            return plans, None
        early: dict[str, tuple[OrgRecord, _Plan | None]] = {}
        self._preloaded = None
        if kind == "email":
            batch = ChangeBatch([], [], None, False)
        else:
            batch = self._fetch(ctx, report, early)
        ctx.full = batch.full
        if batch.full and self._preloaded is not None:
            statuses, items = self._preloaded
        else:
            statuses, items = self._load(kind, batch)
        self._preloaded = None
        rows = {r.id: r for r in batch.rows}
        deleted = set(batch.deleted)
        if batch.full:
            deleted |= {rid for rid, st in statuses.items() if rid not in rows}
        items_by_local = {i.local_id: i for i in items}
        items_by_org: dict[str, MailItem] = {}
        for i in items:
            if i.org_record_id:
                items_by_org.setdefault(i.org_record_id, i)

        for rid, st in statuses.items():
            item = items_by_local.get(st.local_id or "")
            if item is not None and item.org_record_id != rid:
                item = None
            plans.append(self._plan_pair(ctx, rid, item, st, rows.get(rid), rid in deleted))
        for rid, row in rows.items():
            if rid in statuses:
                continue
            done = early.get(rid)
            if done is not None and done[0] is row and rid not in items_by_org:
                if done[1] is _DEFERRED:
                    self._deferred.append((ctx, row))
                else:
                    plans.append(done[1])
                continue
            plans.append(self._plan_pair(ctx, rid, items_by_org.get(rid), None, row, False))
        for rid, item in items_by_org.items():
            if rid in statuses or rid in rows:
                continue
            plans.append(self._plan_pair(ctx, rid, item, None, None, rid in deleted))
        for item in items:
            if item.tracked and not item.org_record_id:      # only in a dry run
                item = self._full(item)
                p = _Plan(kind, "(new)", item, None)
                p.actions.append(Action(kind, "org-create", item.title, item.local_id,
                                        reason="tracked in the mailbox"))
                plans.append(p)
        return [p for p in plans if p is not None], batch

    def _load(self, kind: str, batch: ChangeBatch) -> tuple[dict[str, StatusRow], list[MailItem]]:
        """Status rows and item heads a run must look at.

        A full read needs everything; an incremental one only the pairs the delta names,
        the pairs whose mailbox item changed (found in SQL), and items without a pair.
        """
        if batch.full:
            return self.status.rows(kind), self._items(kind)
        ids = [r.id for r in batch.rows] + list(batch.deleted)
        statuses = self.status.rows_for(kind, ids)
        mb_kind = MAILBOX_KIND[kind]
        mark = self.status.watermark()
        if mark is not None:            # items written since the last sync, and deletions
            items = {i.local_id: i for i in self.store.heads(mb_kind, since_seq=mark)}
            touched = list(items) + self.store.deleted_since(mb_kind, mark)
            statuses.update(self.status.rows_by_local(kind, touched))
        else:
            statuses.update(self.status.dirty_rows(kind))
            items = {i.local_id: i for i in self.store.heads(
                mb_kind, "NOT EXISTS (SELECT 1 FROM sync_status s WHERE s.org_id=? AND"
                         " s.kind=? AND s.local_id=m.local_id)", (self.status.org_id, kind))}
        wanted = [st.local_id for st in statuses.values() if st.local_id] + ids
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for i in self.store.heads(mb_kind, f"local_id IN ({marks}) OR org_record_id IN"
                                               f" ({marks})", (*chunk, *chunk), by_kind=False):
                items[i.local_id] = i
        booking = kind == "booking"
        found = [i for i in items.values() if mb_kind != "appointment" or i.booking == booking]
        return statuses, sorted(found, key=lambda i: (i.created_at, i.local_id))

    def _plan_pair(self, ctx: _Ctx, rid: str, item: MailItem | None, st: StatusRow | None,
                   row: OrgRecord | None, org_deleted: bool) -> _Plan:
        kind, me = ctx.kind, ctx.user_id
        if (st is not None and st.state == "linked" and item is not None and item.tracked
                and row is None and not org_deleted and not ctx.full
                and item.hash == st.local_hash and (st.in_filter or item.origin != "org")):
            return _Plan(kind, rid, item, st)          # unchanged on both sides
        item = self._full(item)
        p = _Plan(kind, rid, item, st)

        def act(op: str, reason: str = "", fields: list[str] | None = None) -> None:
            title = item.title if item else _org_title(
                kind, row.data if row else (st.base if st else {}))
            p.actions.append(Action(kind, op, title, item.local_id if item else None, rid,
                                    fields or [], reason))

        if st is not None and st.state == "excluded":
            if org_deleted:
                p.drop_status = True
            return p

        if st is not None:
            owner = (row.owner_id if row else None) or st.owner_id
            etag = row.etag if row else st.etag
            if item is None:                                  # deleted in the mailbox
                if org_deleted:
                    p.drop_status = True
                elif row is not None and row.etag != st.etag and self.include(ctx, row.data):
                    act("mailbox-create", "deleted in the mailbox but changed in the org: restored")
                    self._plan_mailbox_create(ctx, p, row)
                elif _same(owner, me):
                    p.org_write = OrgWrite("delete", kind, rid, if_match=etag)
                    p.drop_status = True
                    act("org-delete", "deleted in the mailbox; you own it")
                else:
                    p.new_status = StatusRow(kind, rid, None, "excluded", etag, None, {}, owner,
                                             False)
                    act("exclude", "deleted in the mailbox; owned by someone else, so the "
                                   "org's copy stays")
                return p
            if not item.tracked:                              # untracked
                p.mailbox_op = "unlink"
                p.drop_status = True
                if org_deleted:
                    act("unlink", "untracked; already gone from the org")
                elif _same(owner, me):
                    p.org_write = OrgWrite("delete", kind, rid, if_match=etag)
                    act("org-delete", "untracked; you own it, so the org's copy is deleted")
                else:
                    p.drop_status = False
                    p.new_status = StatusRow(kind, rid, None, "excluded", etag, None, {}, owner,
                                             False)
                    act("unlink", "untracked; owned by someone else, so the org's copy stays")
                return p
            if org_deleted:
                local_changed = item.hash != st.local_hash
                p.drop_status = True
                if item.origin == "org" and not local_changed:
                    p.mailbox_op = "delete"
                    act("mailbox-delete", "deleted in the org")
                else:
                    p.mailbox_op = "unlink"
                    act("unlink", "deleted in the org; your copy is kept, no longer tracked")
                return p
            local_changed = item.hash != st.local_hash
            org_changed = row is not None and (row.etag != st.etag or (
                # attachments live in rows of their own: the record's ETag misses them
                "attachments" in row.data and "attachments" in st.base
                and _norm(row.data["attachments"]) != st.base["attachments"]))
            in_filter = self.include(ctx, row.data) if row is not None else st.in_filter
            leaving = not in_filter and item.origin == "org"
            if not local_changed and not org_changed and ctx.full and not leaving:
                # Settings or mappings may have changed what is synchronized.
                org_changed = set(st.base) != {m.org_field for m in self.maps_for(
                    ctx, item, row.data if row is not None else st.base)}
            if not local_changed and not org_changed:
                if leaving:
                    p.mailbox_op = "delete"
                    p.drop_status = True
                    act("mailbox-delete", "no longer matches your synchronization filters "
                                          "(the org's record stays)")
                elif row is not None and (st.in_filter != in_filter or owner != st.owner_id):
                    p.new_status = st.copy(in_filter=in_filter, owner_id=owner)
                return p
            org_view = row.data if row is not None else _base_as_row(st.base)
            merged = self._plan_merge(ctx, p, item, org_view, self._sent_base(p, st.base, row),
                                      etag, owner, in_filter, act)
            if row is not None:
                in_filter = self.include(ctx, {**org_view, **merged})
                if p.new_status is not None:
                    p.new_status.in_filter = in_filter
            leaving = not in_filter and item.origin == "org"
            if leaving:
                p.mailbox_op = "delete"
                p.mailbox_data = None
                p.drop_status = True
                p.new_status = None
                act("mailbox-delete", "no longer matches your synchronization filters "
                                      "(the org's record stays)")
            return p

        # -- no status row yet
        if item is not None:
            if row is None and org_deleted:
                p.mailbox_op = "unlink"
                act("unlink", "its org record was deleted before the first sync finished")
                return p
            if not item.tracked:
                p.mailbox_op = "unlink"
                if row is not None:
                    p.org_write = OrgWrite("delete", kind, rid, if_match=row.etag)
                    act("org-delete", "untracked before its first sync finished")
                return p
            if row is None:                                    # a create to send
                maps = self.maps_for(ctx, item, None)
                data = {m.org_field: m.org_value(item.data) for m in maps
                        if m.direction in (TO_ORG, BOTH)}
                data = {k: v for k, v in data.items() if v is not None}
                p.org_write = OrgWrite("create", kind, rid, data)
                base = {m.org_field: (data.get(m.org_field) if m.direction in (TO_ORG, BOTH)
                                      else None) for m in maps}
                p.new_status = StatusRow(kind, rid, item.local_id, "linked", None, item.hash,
                                         base, me, True)
                act("org-create", "tracked in the mailbox")
                return p
            merged = self._plan_merge(ctx, p, item, row.data, self._sent_base(p, {}, row),
                                      row.etag, row.owner_id, True, act)
            if p.new_status is not None:
                p.new_status.in_filter = self.include(ctx, {**row.data, **merged})
            return p
        if row is not None:                    # new in the org, not in the mailbox
            return self._plan_new_record(ctx, row) or p
        return p

    def _plan_new_record(self, ctx: _Ctx, row: OrgRecord) -> _Plan | None:
        """The plan for an org record with no status row and no mailbox item (most records
        of an initial sync, which call this directly, skipping ``_plan_pair``'s checks);
        None when the record stays out of the mailbox (nothing to do)."""
        if not self.include(ctx, row.data):
            return None
        p = _Plan(ctx.kind, row.id, None, None)
        p.actions.append(Action(ctx.kind, "mailbox-create", _org_title(ctx.kind, row.data),
                                None, row.id, [], "matches your synchronization filters"))
        self._plan_mailbox_create(ctx, p, row)
        return p

    def _sent_base(self, p: _Plan, base: dict[str, Any], row: OrgRecord | None
                   ) -> dict[str, Any]:
        """The merge base, with the org's values that this mailbox sent in a run that did
        not get to commit (so they are not mistaken for someone else's changes)."""
        sent = self._sent.get((p.kind, p.org_record_id))
        if not sent or row is None:
            return base
        adopted = dict(base)
        for column, values in sent.items():
            value = _norm(row.data.get(column))
            if value in values:
                adopted[column] = value
        return adopted

    def _plan_mailbox_create(self, ctx: _Ctx, p: _Plan, row: OrgRecord) -> None:
        maps = self.maps_for(ctx, None, row.data)
        cached = ctx.create_specs.get(id(maps))
        if cached is None or cached[0] is not maps:
            spec = [(m.org_field, m.mailbox_field,
                     None if m.to_mailbox is _identity else m.to_mailbox,
                     m.direction != TO_ORG) for m in sorted(maps, key=lambda m: m.org_field)]
            cached = ctx.create_specs[id(maps)] = (maps, spec)
        get = row.data.get
        org = row.data
        data: dict[str, Any] = {}
        base: dict[str, Any] = {}
        empty = _EMPTY_TYPES
        for column, mailbox_field, convert, inward in cached[1]:   # an initial sync's hot loop
            v = get(column)
            if v is None or (not v and type(v) in empty):
                base[column] = None
                continue
            base[column] = v
            if inward:
                if convert is not None:
                    v = convert(v)
                    if v is None or (not v and type(v) in (str, list)):
                        continue
                data[mailbox_field] = v
        if ctx.kind == "booking":
            data["is_resource_booking"] = True
        if ctx.kind == "appointment" and org.get("activitytypecode") == "serviceappointment":
            data["is_service_activity"] = True
        p.mailbox_op = "create"
        p.mailbox_data = data
        p.mailbox_origin = "org"
        p.mailbox_json = content_json(data)
        p.new_status = StatusRow(ctx.kind, row.id, None, "linked", row.etag,
                                 content_hash(data, p.mailbox_json), base, row.owner_id, True)
        # encoded now: during a full read this runs while the next page is on its way
        p.base_json = p.new_status.base_json()

    def _plan_merge(self, ctx: _Ctx, p: _Plan, item: MailItem, org_data: dict[str, Any],
                    base: dict[str, Any], etag: str | None, owner: str | None,
                    in_filter: bool, act: Callable[..., None]) -> dict[str, Any]:
        """Three-way merge of one pair; returns the changes planned for the org record."""
        maps = self.maps_for(ctx, item, org_data)
        org_changes: dict[str, Any] = {}
        mb_changes: dict[str, Any] = {}
        new_base: dict[str, Any] = {}
        for m in maps:
            k = m.org_field
            b = base.get(k)
            mv = m.org_value(item.data)
            ov = _norm(org_data.get(k))
            if m.direction == TO_MAILBOX:
                if ov != b or k not in base:
                    if m.mailbox_value(org_data) != _norm(item.data.get(m.mailbox_field)):
                        mb_changes[m.mailbox_field] = m.mailbox_value(org_data)
                new_base[k] = ov
            elif m.direction == TO_ORG:
                if mv != b or k not in base:
                    if mv != ov:
                        org_changes[k] = mv
                    new_base[k] = mv
                else:
                    new_base[k] = b
            else:
                if mv == ov:
                    new_base[k] = mv
                    continue
                m_changed, o_changed = mv != b, ov != b
                if m_changed and not o_changed:
                    org_changes[k] = mv
                    new_base[k] = mv
                elif o_changed and not m_changed:
                    mb_changes[m.mailbox_field] = m.mailbox_value(org_data)
                    new_base[k] = ov
                else:
                    c = Conflict(ctx.kind, p.org_record_id, item.local_id, k, b, mv, ov,
                                 mailbox_modified=item.modified_at,
                                 org_modified=org_data.get("modifiedon"))
                    c.winner = self.resolver(c)
                    p.conflicts.append(c)
                    if c.winner == "mailbox":
                        org_changes[k] = mv
                        new_base[k] = mv
                    else:
                        mb_changes[m.mailbox_field] = m.mailbox_value(org_data)
                        new_base[k] = ov
        if org_changes:
            p.org_write = OrgWrite("update", ctx.kind, p.org_record_id, org_changes,
                                   if_match=etag)
            act("org-update", "changed in the mailbox", sorted(org_changes))
        new_data = {**item.data, **mb_changes}
        new_data = {k: v for k, v in new_data.items() if v not in (None, "", [])}
        if mb_changes and content_hash(new_data) != item.hash:
            p.mailbox_op = "update"
            p.mailbox_data = mb_changes
            act("mailbox-update", "changed in the org", sorted(mb_changes))
        p.new_status = StatusRow(ctx.kind, p.org_record_id, item.local_id, "linked", etag,
                                 content_hash(new_data), new_base, owner, in_filter)
        return org_changes

    # ------------------------------------------------------------------ guard
    def _guard(self, ctx: _Ctx, plans: list[_Plan], batch: ChangeBatch | None,
               allow: bool) -> None:
        if allow:
            return
        statuses = [p for p in plans if p.status is not None and p.status.state == "linked"]
        gone = sum(1 for p in statuses if p.item is None)
        if not gone and not (batch is not None and batch.full and not batch.rows):
            return
        total = self.status.count_linked(ctx.kind)
        if total < 2:
            return
        org_deletes = sum(1 for p in statuses if p.org_write is not None
                          and p.org_write.op == "delete")
        if gone == total and org_deletes and not self._items(ctx.kind):
            raise MassDeletionRefused("mailbox", ctx.kind, org_deletes)
        if batch is not None and batch.full and not batch.rows:
            mb_deletes = sum(1 for p in statuses if p.mailbox_op == "delete")
            if mb_deletes == total:
                raise MassDeletionRefused("organization", ctx.kind, mb_deletes)

    # ------------------------------------------------------------------ push
    def _push(self, plans: list[_Plan], report: SyncReport) -> None:
        pending = [p for p in plans if p.org_write is not None]
        total, done = len(pending), 0
        while pending:
            self._check_cancel()
            chunk, pending = pending[:self.batch_size], pending[self.batch_size:]
            self._record_sent([p.org_write for p in chunk])
            results = self.org.write([p.org_write for p in chunk])
            report.org_requests += 1
            retry = []
            for p, res in zip(chunk, results):
                if not self._apply_result(p, res):
                    retry.append(p)
            for p in retry:
                self._retry(p, report)
            done += len(chunk)
            self.progress("sending changes", done, total)

    def _record_sent(self, writes: list[OrgWrite | None]) -> None:
        """Remember what is about to be sent, committed before it is sent."""
        sent = [(w.kind, w.record_id, w.data) for w in writes
                if w is not None and w.op in ("create", "update") and w.data]
        if sent:
            with self.store.transaction():
                self.status.record_sent(self._sent, sent)

    def _apply_result(self, p: _Plan, res: WriteResult) -> bool:
        w = p.org_write
        assert w is not None
        if res.ok:
            if p.new_status is not None and res.record is not None:
                p.new_status.etag = res.record.etag
                p.new_status.owner_id = res.record.owner_id or p.new_status.owner_id
                if w.op == "update" and p.new_status.state == "linked":
                    # Our own change may take the record out of the user's filters.
                    ctx = self._ctx_cache[p.kind]
                    p.new_status.in_filter = self.include(ctx, res.record.data)
                    if (not p.new_status.in_filter and p.item is not None
                            and p.item.origin == "org"):
                        p.mailbox_op, p.mailbox_data = "delete", None
                        p.new_status, p.drop_status = None, True
                        p.actions.append(Action(p.kind, "mailbox-delete", p.item.title,
                                                p.item.local_id, p.org_record_id, [],
                                                "no longer matches your synchronization "
                                                "filters (the org's record stays)"))
            return True
        if w.op == "delete" and res.status == 404:
            return True
        if res.status in (404, 412):
            return False
        log.warning("the org refused %s of %s %s: %s", w.op, w.kind, w.record_id, res.error)
        p.failed = True
        p.error = f"the organization refused it (HTTP {res.status}): {res.error or ''}".strip()
        return True

    def _retry(self, p: _Plan, report: SyncReport) -> None:
        """The record changed (412) or vanished (404) under us: read it again and re-plan."""
        while True:
            p.attempts += 1
            if p.attempts > MAX_RETRIES:
                p.failed = True
                return
            row = self.org.get(p.kind, p.org_record_id)
            ctx = self._ctx_for(p.kind)
            st = p.status
            if st is None and row is not None and p.item is not None:
                new = self._plan_pair(ctx, p.org_record_id, p.item, None, row, False)
            else:
                new = self._plan_pair(ctx, p.org_record_id, p.item, st, row, row is None)
            new.attempts = p.attempts
            for f in fields(_Plan):
                setattr(p, f.name, getattr(new, f.name))
            if p.org_write is None:
                return
            self._record_sent([p.org_write])
            res = self.org.write([p.org_write])[0]
            report.org_requests += 1
            if self._apply_result(p, res):
                return

    def _ctx_for(self, kind: str) -> _Ctx:
        return self._ctx_cache[kind]

    # ------------------------------------------------------------------ commit
    def _commit(self, plans: list[_Plan], batches: dict[str, ChangeBatch], user_id: str,
                settings: SyncSettings, mapping_rows: list[dict[str, Any]],
                filters: list[flt.SyncFilter], report: SyncReport) -> None:
        bulk = sum(1 for p in plans if p.mailbox_op == "create") >= BULK_CREATES
        with (self.store.bulk_transaction(BULK_CACHE_KIB) if bulk
              else self.store.transaction()):
            self._commit_all(plans, batches, user_id, settings, mapping_rows, filters, report)

    def _commit_all(self, plans: list[_Plan], batches: dict[str, ChangeBatch], user_id: str,
                    settings: SyncSettings, mapping_rows: list[dict[str, Any]],
                    filters: list[flt.SyncFilter], report: SyncReport) -> None:
        # Items the user changed while this run worked are looked at again next time.
        meanwhile = self.store.changed_since(self._start_seq)
        creates = [p for p in plans if not p.failed and p.mailbox_op == "create"]
        self._commit_creates(creates, report)
        for p in plans:
            if p.failed or p.mailbox_op == "create":
                continue
            self._commit_plan(p)
        for channel, batch in batches.items():
            ctx = _Ctx(channel, user_id, settings, mapping_rows, filters, batch.full)
            self._offline(ctx, batch)
            self.status.set_token(channel, batch.token, self._signature(ctx))
        for c in report.conflicts:
            self.status.log_conflict(c, self.clock())
        if self._sent:
            self.status.clear_sent([key for p in plans if not p.failed
                                    and (key := (p.kind, p.org_record_id)) in self._sent])
        failed = [p.item.local_id for p in plans if p.failed and p.item is not None]
        gone = [(p.status.local_id, MAILBOX_KIND[p.kind]) for p in plans
                if p.failed and p.item is None and p.status is not None
                and p.status.local_id]
        end = self.store.max_seq()
        self.status.set_watermark(end)
        self.store.prune_tombstones(end)
        self.store.touch(meanwhile + failed)
        for local_id, kind in gone:          # a deletion the org refused: try again
            self.store.mark_deleted(local_id, kind)

    def _create_rows(self, plans: list[_Plan]) -> tuple[list[tuple], list[tuple]]:
        """Mailbox rows (``staging.ITEM_COLUMNS``) and status rows of new items; gives
        each its local id."""
        item_rows, status_rows = [], []
        local_ids = self.store.new_ids(len(plans))
        org_id = self.status.org_id
        for p, local_id in zip(plans, local_ids):
            st = p.new_status
            assert st is not None
            st.local_id = local_id
            item_rows.append((local_id, MAILBOX_KIND[p.kind],
                              p.mailbox_json or content_json(p.mailbox_data or {}), 1,
                              p.org_record_id, p.mailbox_origin, 1, st.local_hash))
            status_rows.append((org_id, st.kind, st.org_record_id, local_id, st.state,
                                st.etag, st.local_hash, p.base_json or st.base_json(),
                                st.owner_id, int(st.in_filter)))
        return item_rows, status_rows

    def _commit_creates(self, plans: list[_Plan], report: SyncReport) -> None:
        """New mailbox items and their status rows, in bulk (an initial sync makes 10,000s):
        those staged during the fetch are copied, the rest inserted."""
        now = self.clock()
        staging = self._staging
        if staging is not None and self._staged:
            kept = {id(p) for p in plans if p.staged}
            replaced = [p.new_status.local_id for p in self._staged if id(p) not in kept]
            if replaced:                              # planned again after staging
                staging.drop([i for i in replaced if i])
            late = self._late_creates(staging, self.store.reserve_seq(staging.span), now)
        else:
            late = self._plan_deferred()
        for p in late:
            report.actions += p.actions
        plans = [p for p in plans if not p.staged] + [p for p in late
                                                      if p.mailbox_op == "create"]
        if not plans:
            return
        item_rows, status_rows = self._create_rows(plans)
        seq = self.store.reserve_seq(len(plans))
        self.store.conn.executemany(
            "INSERT INTO mail_items (local_id, kind, data, tracked, org_record_id, origin,"
            " change_counter, hash, created_at, modified_at, seq)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(*row, now, now, seq + n) for n, row in enumerate(item_rows)])
        self.status.conn.executemany(
            "INSERT OR REPLACE INTO sync_status (org_id, kind, org_record_id, local_id, state,"
            " etag, local_hash, base, owner_id, in_filter) VALUES (?,?,?,?,?,?,?,?,?,?)",
            status_rows)

    def _plan_deferred(self) -> list[_Plan]:
        deferred, self._deferred = self._deferred, []
        return [p for ctx, row in deferred if (p := self._plan_new_record(ctx, row))]

    def _late_creates(self, staging: Staging, first_seq: int, now: float) -> list[_Plan]:
        """Plan the deferred new records (those of a last page, see _changes) while another
        thread has SQLite copy the staged rows into the mailbox: the copy runs in C without
        the GIL, on the same connection (which this thread leaves alone meanwhile) and in
        the commit's transaction, so the two overlap instead of adding up."""
        failure: list[BaseException] = []

        def copy() -> None:
            try:
                staging.copy_into(first_seq, now)
            except BaseException as exc:     # raised again below, in the caller's thread
                failure.append(exc)

        copier = threading.Thread(target=copy, name="sync-copy")
        copier.start()
        try:
            late = self._plan_deferred()
        finally:
            copier.join()
        if failure:
            raise failure[0]
        return late

    def _commit_plan(self, p: _Plan) -> None:
        if p.mailbox_op is None and p.new_status is None and not p.drop_status:
            return
        item = p.item
        current = self.store.get(item.local_id) if item is not None else None
        changed_meanwhile = item is not None and (
            current is None or current.change_counter != item.change_counter)
        if p.mailbox_op == "create":
            data = p.mailbox_data or {}
            new = self.store.add(MAILBOX_KIND[p.kind], data, tracked=True, origin=p.mailbox_origin,
                                 org_record_id=p.org_record_id,
                                 hash=p.new_status.local_hash if p.new_status else None)
            if p.new_status is not None:
                p.new_status.local_id = new.local_id
                p.new_status.local_hash = new.hash
        elif p.mailbox_op == "update" and item is not None:
            if current is None:
                if p.new_status:
                    p.new_status.local_hash = None
            elif changed_meanwhile:
                # Rebase: apply the org's changes only to fields the user did not touch.
                rebased = {f: v for f, v in (p.mailbox_data or {}).items()
                           if current.data.get(f) == item.data.get(f)}
                self.store.update(item.local_id, rebased)
                if p.new_status:
                    p.new_status.local_hash = None
            else:
                new = self.store.update(item.local_id, p.mailbox_data or {},
                                        expect_counter=item.change_counter)
                if p.new_status:
                    p.new_status.local_hash = new.hash
        elif p.mailbox_op == "delete" and item is not None:
            if current is not None and changed_meanwhile:
                self.store.link(item.local_id, None, origin="mailbox")
                self.store.set_tracked(item.local_id, False)
            else:
                self.store.delete(item.local_id)
        elif p.mailbox_op == "unlink" and item is not None and current is not None:
            self.store.link(item.local_id, None, origin="mailbox")
            if current.tracked:
                self.store.set_tracked(item.local_id, False)
        elif p.mailbox_op is None and changed_meanwhile and p.new_status is not None:
            p.new_status.local_hash = None
        if p.new_status is not None:
            self.status.put(p.new_status)
        elif p.drop_status:
            self.status.drop(p.kind, p.org_record_id)

    def _offline(self, ctx: _Ctx, batch: ChangeBatch) -> None:
        """Offline filters choose which org records are kept for offline use."""
        entity = ENTITY_OF_KIND[ctx.kind]
        offline = flt.filters_for(ctx.filters, entity, flt.OFFLINE_QUERYTYPE)
        synced = flt.filters_for(ctx.filters, entity)
        same = not offline or sorted(map(flt.to_fetchxml, offline)) == sorted(
            map(flt.to_fetchxml, synced))
        # When the offline filters select what the mailbox already holds, the mailbox's
        # copies serve offline use; nothing is stored twice.
        self.status.set_offline_mirrors_mailbox(ctx.kind, same)
        if same:
            self.status.offline_clear(ctx.kind)
            return
        if batch.full:
            self.status.offline_clear(ctx.kind)
        for rid in batch.deleted:
            self.status.offline_drop(ctx.kind, rid)
        keep, drop = [], []
        for row in batch.rows:
            if flt.matches_any(offline, entity, row.data, ctx.user_id):
                keep.append((row.id, {"id": row.id, **row.data}))
            elif not batch.full:
                drop.append(row.id)
        self.status.offline_put_many(ctx.kind, keep)
        for rid in drop:
            self.status.offline_drop(ctx.kind, rid)

    # the retry path needs the channel contexts of this run
    _ctx_cache: dict[str, _Ctx]
    _sent: dict[tuple[str, str], dict[str, list[Any]]] = {}
    _preloaded: tuple[dict[str, StatusRow], list[MailItem]] | None = None


def _norm(v: Any) -> Any:
    return None if v in ("", [], {}) else v


_EMPTY_TYPES = (str, list, dict)
_DEFERRED = _Plan("", "", None, None)        # in ``early``: planned at commit time



def _base_as_row(base: dict[str, Any]) -> dict[str, Any]:
    return dict(base)


def _org_title(kind: str, data: dict[str, Any]) -> str:
    if kind == "contact":
        first, last = data.get("firstname"), data.get("lastname")
        name = f"{first} {last}" if first and last else str(first or last or "")
        return name or data.get("fullname") or data.get("emailaddress1") or "(no name)"
    return data.get("subject") or data.get("name") or "(no subject)"
