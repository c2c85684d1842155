"""The synchronization algorithm: a mailbox side and the synchronizing org, item by item.

Two sides and a status, as in vdirsyncer: the org side (:mod:`~wizard.engine.sync.orgside`),
a mailbox side (:mod:`~wizard.engine.sync.mailside`: the local store, a vdir folder or a
CalDAV/CardDAV account) and the status database (:mod:`~wizard.engine.sync.status`)
apart from both. This module runs the steps; the state of one run is a
:class:`~wizard.engine.sync.runstate.SyncRun`, and planning, pushing and committing are
in :mod:`~wizard.engine.sync.plan`, :mod:`~wizard.engine.sync.push` and
:mod:`~wizard.engine.sync.commit`.

One run:

0. **Refresh.** A mailbox kept elsewhere (vdir, DAV) brings its index up to date
   (the folder's listing, the collection's ``sync-collection`` report).
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
7. **Commit.** Mailbox writes, status rows and delta tokens in one SQLite transaction
   (vdir and DAV: their items are written inside the transaction of their index).
   A mailbox item edited while the sync ran is rebased, never overwritten.
"""

from __future__ import annotations

import gc
import logging
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from wizard.engine.mailstore import SqliteMailStore
from wizard.engine.sync.commit import BULK_CACHE_KIB, BULK_CREATES, commit
from wizard.engine.sync.conflicts import Resolver, org_wins
from wizard.engine.sync.errors import (
    ItemChangedAgain,
    MassDeletionRefused,
    NoSyncPrivilege,
    SyncCancelled,
    SyncError,
    SyncOffline,
    SyncRunning,
)
from wizard.engine.sync.mailside import MailboxSide, as_side, uid_key
from wizard.engine.sync.orgside import ChangeBatch, OrgSide, OrgUnreachable
from wizard.engine.sync.plan import channel_items, guard, plan_channel, prefetch_deltas, same_id
from wizard.engine.sync.push import MAX_RETRIES, push
from wizard.engine.sync.runstate import CHANNELS, MAILBOX_KIND, Action, Channel, Plan, SyncReport, SyncRun
from wizard.engine.sync.status import StatusDB

__all__ = ["Synchronizer", "SyncReport", "Action", "SyncError", "NoSyncPrivilege",
           "SyncCancelled", "MassDeletionRefused", "SyncOffline", "CHANNELS", "MAILBOX_KIND",
           "BATCH_SIZE", "BULK_CREATES", "BULK_CACHE_KIB", "MAX_RETRIES", "EMAIL_NOTICE"]

log = logging.getLogger(__name__)

BATCH_SIZE = 500
SWITCH_INTERVAL = 0.001        # seconds; see Synchronizer.run
EMAIL_NOTICE = ("To decide whether an e-mail can be tracked, only its sender, recipients and "
                "subject are sent to the organization. The rest of the message is sent only "
                "once it is tracked.")
EMAIL_NOTICE_KEY = "email_tracking_notice_shown"


def _is_guid(text: str) -> bool:
    """A record id as Dataverse writes one (``8-4-4-4-12`` hex digits, lowercase)."""
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


class Synchronizer:
    """Synchronizes one mailbox side with one org side. ``store``: a
    :class:`~wizard.engine.sync.mailside.MailboxSide` (a bare
    :class:`~wizard.engine.mailstore.SqliteMailStore` is taken as the local side)."""

    def __init__(self, store: MailboxSide | SqliteMailStore, org: OrgSide, *,
                 stamp_store: Any = None, resolver: Resolver = org_wins,
                 clock: Callable[[], float] = time.time,
                 progress: Callable[[str, int, int], None] | None = None,
                 batch_size: int = BATCH_SIZE,
                 id_factory: Callable[[], str] = lambda: str(uuid.uuid4()),
                 cancel: Any = None) -> None:
        self.id_factory = id_factory
        # A threading.Event (the GUI's Cancel button): checked between steps; a cancelled
        # run commits nothing.
        self.cancel = cancel
        self.store: MailboxSide = as_side(store)
        self.org = org
        self.stamp_store = stamp_store
        self.resolver = resolver
        self.clock = clock
        self.progress = progress or (lambda stage, done, total: None)
        self.batch_size = batch_size
        self.status = StatusDB(self.store.status_conn, org.org_id)

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels this mailbox side holds (vdir and DAV keep no e-mail)."""
        return tuple(c for c in CHANNELS if MAILBOX_KIND[c] in self.store.kinds)

    # ------------------------------------------------------------------ public entry
    def pending_changes(self) -> int:
        """Mailbox changes not yet sent to the org (the offline queue)."""
        n = 0
        run = SyncRun(self, SyncReport(self.org.org_id, self.org.org_name), True)
        for channel in self.channels:
            rows = self.status.rows(channel)
            by_local = {r.local_id: r for r in rows.values() if r.state == "linked"}
            for item in channel_items(run, channel):
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

        lock = FileLock(str(self.store.lock_path), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise SyncRunning() from None
        # The cyclic garbage collector is paused for the run: an initial sync makes a few
        # objects per record (10,000s, none of them in cycles) and the collector would
        # otherwise walk the growing heap again and again (a fifth of the run's time).
        paused = gc.isenabled()
        if paused:
            gc.disable()
        # While a page is planned, a helper thread reads the next one (webapi._delta);
        # each of its socket reads must take the GIL back from the planning, which keeps
        # it for a whole thread switch interval (5 ms by default). At 1 ms (the GUI's own
        # setting, wizard.gui.runtime) the reads keep pace. Restored afterwards.
        interval = sys.getswitchinterval()
        if interval > SWITCH_INTERVAL:
            sys.setswitchinterval(SWITCH_INTERVAL)
        run = SyncRun(self, SyncReport(self.org.org_id, self.org.org_name, dry_run), dry_run)
        try:
            self.store.refresh(self.progress)
            run.staging = None if dry_run else self.store.staging()
            return self._run(run, override_stamp, allow_mass_delete)
        finally:
            if run.staging is not None:
                run.staging.close()
                run.staging = None
            if paused:
                gc.enable()
            if interval > SWITCH_INTERVAL:
                sys.setswitchinterval(interval)
            lock.release()

    def _run(self, run: SyncRun, override_stamp: bool, allow_mass_delete: bool) -> SyncReport:
        report, dry_run = run.report, run.dry_run
        plans: list[Plan] = []
        batches: dict[str, ChangeBatch] = {}
        try:
            self.org.prefetch()
            user = self.org.whoami()
            if not self.org.has_sync_privilege():
                raise NoSyncPrivilege(self.org.org_name, user.name or user.user_id)
            self._stamp_gate(override_stamp, dry_run, report)
            run.user_id = user.user_id
            run.settings = settings = self.org.settings()
            run.mapping_rows = mapping_rows = self.org.attribute_mappings()
            run.filters = filters = self.org.filters()
            if not dry_run:
                self._prepare(report)
            run.sent = self.status.sent_values()
            run.start_seq = self.store.max_seq()
            run.channels = {c: Channel(c, user.user_id, settings, mapping_rows, filters)
                            for c in self.channels}
            prefetch_deltas(run)
            for channel in self.channels:
                self.check_cancel()
                ctx = run.channels[channel]
                self.progress(f"reading {channel}s", 0, 0)
                channel_plans, batch = plan_channel(run, ctx, report)
                guard(run, ctx, channel_plans, batch, allow_mass_delete)
                plans += channel_plans
                if batch is not None:
                    batches[channel] = batch
        except OrgUnreachable as exc:
            if isinstance(exc, SyncOffline):
                raise
            raise SyncOffline(self.org.org_name, self.pending_changes(),
                              details=exc.details or str(exc)) from exc

        self.check_cancel()
        if not dry_run:
            try:
                push(run, plans, report)
            except OrgUnreachable as exc:
                raise SyncOffline(self.org.org_name, self.pending_changes(),
                                  details=exc.details or str(exc)) from exc
        for p in plans:
            if not p.failed:
                report.add(p.actions)
                report.conflicts += p.conflicts
            else:
                what = p.item.title if p.item is not None else p.org_record_id
                report.skip(what, p.error or ItemChangedAgain())
        if dry_run:
            return report
        self.check_cancel()
        commit(run, plans, batches, user.user_id, settings, mapping_rows, filters, report)
        if self.stamp_store is not None:
            self.stamp_store.record_sync(self.org.org_id, self.clock())
        for c in report.conflicts:
            log.warning("sync conflict on %s %s field %s: mailbox %r, org %r -> %s wins",
                        c.kind, c.org_record_id, c.field, c.mailbox_value, c.org_value, c.winner)
        return report

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise SyncCancelled()

    # ------------------------------------------------------------------ gates
    def _stamp_gate(self, override: bool, dry_run: bool, report: SyncReport) -> None:
        if self.stamp_store is None:
            return
        from wizard.engine.stamp import StampConflict

        current = self.stamp_store.stamp()
        if current is not None and not same_id(current.org_id, self.org.org_id) and not override:
            raise StampConflict(current, self.org.org_name)
        if dry_run:
            return
        self.stamp_store.claim(self.org.org_id, self.org.org_name, override=override)
        # Links to another org must go whether the stamp moved just now or earlier (a
        # switch with `d365-orgs use` or the GUI claims the stamp before any sync): an
        # item still linked to the old org would otherwise be pushed into this one.
        if current is not None and not same_id(current.org_id, self.org.org_id):
            previous, named = current.org_name, {"previous": current.org_name}
        elif self.status.has_other_orgs():
            previous, named = "the previous synchronizing organization", {}
        else:
            return
        report.notice("org_changed",
                      f"The mailbox now synchronizes with {self.org.org_name} instead of {previous}; "
                      f"items from {previous} are kept but no longer tracked.",
                      org=self.org.org_name, **named)
        with self.store.transaction():
            self.store.unlink_all(self.status.links_to_other_orgs())
            self.status.forget_org()

    # ------------------------------------------------------------------ prepare
    def _named_after_records(self, waiting: list[tuple[str, str]]) -> dict[str, str]:
        """local id -> org record id of tracked items from the org that lost
        ``X-D365-ORGRECORDID`` but kept their UID, which is their record's id (see
        :func:`~wizard.engine.sync.plan.uid_candidates`): they get that id back, not a
        new record."""
        out: dict[str, str] = {}
        for kind in {k for _, k in waiting if k != "email"}:
            uids = self.store.uids(kind)
            for local_id, k in waiting:
                key = uid_key(uids.get(local_id))
                if k != kind or not key or not _is_guid(key):
                    continue
                item = self.store.get(local_id)
                if item is not None and item.origin == "org":
                    out[local_id] = key
        return out

    def _prepare(self, report: SyncReport) -> None:
        """Give tracked items their org record id before anything is sent."""
        waiting = self.store.awaiting_record_ids()
        if not waiting:
            return
        named = self._named_after_records(waiting)
        with self.store.transaction():
            for local_id, kind in waiting:
                if local_id in named:
                    self.store.link(local_id, named[local_id], origin="org")
                elif kind != "email":
                    self.store.link(local_id, self.id_factory(), origin="mailbox")
            for local_id, kind in waiting:
                if kind != "email":
                    continue
                item = self.store.get(local_id)
                if item is None:
                    continue
                if self.store.meta_get(EMAIL_NOTICE_KEY) is None:
                    report.notice("email_tracking", EMAIL_NOTICE)
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
