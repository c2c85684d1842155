"""Committing: the mailbox writes, status rows and delta tokens of a run.

On the local side they commit in one SQLite transaction. On the vdir and DAV sides the
items are written to the folder or server (each conditional on its ETag) inside the
transaction of their index, which also holds the status rows: a run killed half-way
leaves items that the next run finds again by their org record id, never duplicates.
A mailbox item edited while the sync ran is rebased, never overwritten.
"""

from __future__ import annotations

import threading
from typing import Any

from wizard.engine.mailstore import ItemChanged, MailItem, content_json
from wizard.engine.sync import filters as flt
from wizard.engine.sync.mapping import ENTITY_OF_KIND, SyncSettings
from wizard.engine.sync.orgside import ChangeBatch
from wizard.engine.sync.plan import channel_signature, offline_needs_rows, plan_new_record
from wizard.engine.sync.runstate import MAILBOX_KIND, Channel, Plan, SyncReport, SyncRun
from wizard.engine.sync.staging import Staging

BULK_CREATES = 1000             # this many new mailbox items commit with a bigger cache
BULK_CACHE_KIB = -32768         # (negative: KiB, SQLite's convention)
MAX_REBASES = 3


def commit(run: SyncRun, plans: list[Plan], batches: dict[str, ChangeBatch], user_id: str,
            settings: SyncSettings, mapping_rows: list[dict[str, Any]],
            filters: list[flt.SyncFilter], report: SyncReport) -> None:
    bulk = len(run.staged) + sum(1 for p in plans if p.mailbox_op == "create") >= BULK_CREATES
    with (run.side.bulk_transaction(BULK_CACHE_KIB) if bulk
          else run.side.transaction()):
        commit_all(run, plans, batches, user_id, settings, mapping_rows, filters, report)


def commit_all(run: SyncRun, plans: list[Plan], batches: dict[str, ChangeBatch], user_id: str,
                settings: SyncSettings, mapping_rows: list[dict[str, Any]],
                filters: list[flt.SyncFilter], report: SyncReport) -> None:
    # Items the user changed while this run worked are looked at again next time.
    meanwhile = run.side.changed_since(run.start_seq)
    creates = [p for p in plans if not p.failed and p.mailbox_op == "create"]
    commit_creates(run, creates, report)
    for p in plans:
        if p.failed or p.mailbox_op == "create":
            continue
        commit_plan(run, p)
    for channel, batch in batches.items():
        ctx = Channel(channel, user_id, settings, mapping_rows, filters, batch.full)
        keep_offline(run, ctx, batch)
        run.status.set_token(channel, batch.token, channel_signature(ctx))
    for c in report.conflicts:
        run.status.log_conflict(c, run.sync.clock())
    if run.sent:
        run.status.clear_sent([key for p in plans if not p.failed
                                and (key := (p.kind, p.org_record_id)) in run.sent])
    failed = [p.item.local_id for p in plans if p.failed and p.item is not None]
    gone = [(p.status.local_id, MAILBOX_KIND[p.kind]) for p in plans
            if p.failed and p.item is None and p.status is not None
            and p.status.local_id]
    end = run.side.max_seq()
    run.status.set_watermark(end)
    run.side.prune_tombstones(end)
    run.side.touch(meanwhile + failed + run.rebased)
    for local_id, kind in gone:          # a deletion the org refused: try again
        run.side.mark_deleted(local_id, kind)


def create_rows(run: SyncRun, plans: list[Plan]
                ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Mailbox rows (``staging.ITEM_COLUMNS``) and status rows of new items; gives
    each its local id (in ``new_status.local_id``)."""
    item_rows, status_rows = [], []
    local_ids = run.side.new_ids(len(plans))
    org_id = run.status.org_id
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


def commit_creates(run: SyncRun, plans: list[Plan], report: SyncReport) -> None:
    """New mailbox items and their status rows, in bulk (an initial sync makes 10,000s):
    those staged during the fetch are copied, the rest inserted."""
    now = run.sync.clock()
    staging = run.staging
    if staging is not None and run.staged:
        if run.replaced:                          # planned again after staging
            staging.drop(run.replaced)
        late = late_creates(run, staging, run.side.reserve_seq(staging.span), now)
    else:
        late = plan_deferred(run)
    for p in late:
        report.add(p.actions)
    plans = plans + [p for p in late if p.mailbox_op == "create"]
    if not plans:
        return
    item_rows, status_rows = create_rows(run, plans)
    seq = run.side.reserve_seq(len(plans))
    run.side.add_many([(*row, seq + n) for n, row in enumerate(item_rows)], now,
                      run.sync.progress)
    run.status.put_rows(status_rows)


def plan_deferred(run: SyncRun) -> list[Plan]:
    deferred, run.deferred = run.deferred, []
    return [p for ctx, row in deferred if (p := plan_new_record(run, ctx, row))]


def late_creates(run: SyncRun, staging: Staging, first_seq: int, now: float) -> list[Plan]:
    """Plan the deferred new records (those of a last page, see plan.changes) while another
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
        late = plan_deferred(run)
    finally:
        copier.join()
    if failure:
        raise failure[0]
    return late


def commit_plan(run: SyncRun, p: Plan) -> None:  # noqa: C901 - one transaction's steps in order; sync internals in flux (issue 15b)
    if p.mailbox_op is None and p.new_status is None and not p.drop_status and not p.adopt:
        return
    item = p.item
    current = run.side.get(item.local_id) if item is not None else None
    changed_meanwhile = item is not None and (
        current is None or current.change_counter != item.change_counter)
    if p.mailbox_op == "create":
        data = p.mailbox_data or {}
        new = run.side.add(MAILBOX_KIND[p.kind], data, tracked=True, origin=p.mailbox_origin,
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
            _rebase(run, p, item, current)
        else:
            try:
                new = run.side.update(item.local_id, p.mailbox_data or {},
                                      expect_counter=item.change_counter)
            except ItemChanged:          # a side kept elsewhere changed under us
                _rebase(run, p, item)
            else:
                if p.new_status:
                    p.new_status.local_hash = new.hash
    elif p.mailbox_op == "delete" and item is not None:
        if current is not None and changed_meanwhile:
            run.side.link(item.local_id, None, origin="mailbox")
            run.side.set_tracked(item.local_id, False)
        else:
            try:
                run.side.delete(item.local_id, expect_counter=item.change_counter)
            except ItemChanged:          # edited meanwhile: kept, no longer tracked
                run.side.link(item.local_id, None, origin="mailbox")
                run.side.set_tracked(item.local_id, False)
    elif p.mailbox_op == "unlink" and item is not None and current is not None:
        run.side.link(item.local_id, None, origin="mailbox")
        if current.tracked:
            run.side.set_tracked(item.local_id, False)
    elif p.mailbox_op is None and changed_meanwhile and p.new_status is not None:
        p.new_status.local_hash = None
    if p.adopt and item is not None and p.mailbox_op in (None, "update"):
        relink(run, item.local_id, p.org_record_id, item.origin)
    if p.new_status is not None:
        run.status.put(p.new_status)
    elif p.drop_status:
        run.status.drop(p.kind, p.org_record_id)


def relink(run: SyncRun, local_id: str, org_record_id: str, origin: str) -> None:
    """Link an item matched by its UID (or its place) again: a vdir or DAV item gets its
    ``X-D365-`` properties back with this write."""
    current = run.side.get(local_id)
    if current is None or current.org_record_id not in (None, org_record_id):
        return
    try:
        run.side.link(local_id, org_record_id, origin=origin)
        if not current.tracked:
            run.side.set_tracked(local_id, True)
    except ItemChanged:      # changed again meanwhile: matched again by the next run
        pass


def keep_offline(run: SyncRun, ctx: Channel, batch: ChangeBatch) -> None:
    """Offline filters choose which org records are kept for offline use."""
    entity = ENTITY_OF_KIND[ctx.kind]
    offline = flt.filters_for(ctx.filters, entity, flt.OFFLINE_QUERYTYPE)
    same = not offline_needs_rows(ctx)
    # When the offline filters select what the mailbox already holds, the mailbox's
    # copies serve offline use; nothing is stored twice.
    run.status.set_offline_mirrors_mailbox(ctx.kind, same)
    if same:
        run.status.offline_clear(ctx.kind)
        return
    if batch.full:
        run.status.offline_clear(ctx.kind)
    for rid in batch.deleted:
        run.status.offline_drop(ctx.kind, rid)
    keep, drop = [], []
    for row in batch.rows:
        if flt.matches_any(offline, entity, row.data, ctx.user_id):
            keep.append((row.id, {"id": row.id, **row.data}))
        elif not batch.full:
            drop.append(row.id)
    run.status.offline_put_many(ctx.kind, keep)
    for rid in drop:
        run.status.offline_drop(ctx.kind, rid)


def _rebase(run: SyncRun, p: Plan, item: MailItem, current: MailItem | None = None) -> None:
    """The item changed while the run worked: apply the org's changes only to fields
    the user did not touch, and look at the pair again next time."""
    for _ in range(MAX_REBASES):
        current = current or run.side.get(item.local_id)
        if current is None:
            break
        rebased = {f: v for f, v in (p.mailbox_data or {}).items()
                   if current.data.get(f) == item.data.get(f)}
        try:
            run.side.update(item.local_id, rebased, expect_counter=current.change_counter)
            break
        except ItemChanged:
            current = None
    if p.new_status:
        p.new_status.local_hash = None
    run.rebased.append(item.local_id)
