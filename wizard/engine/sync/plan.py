"""Planning: what each pair of an org record and a mailbox item needs.

For each channel (contacts, appointments, tasks, bookings, e-mail) the org's changes are
fetched (a full read the first time, when the delta token expired, or when filters,
settings or mappings changed), the status rows and mailbox items they concern are loaded,
and every pair gets a :class:`~wizard.engine.sync.runstate.Plan`: a three-way merge
against the status row's ``base`` with the field directions of the mapping table.
Records entering the user's sync filters come into the mailbox; records leaving them
leave the mailbox only. Untracked or deleted items delete the org's copy only when the
user owns it; otherwise the record is excluded. :func:`guard` refuses to mirror a side
that was emptied.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from wizard.engine.mailstore import MailItem, content_hash, content_json
from wizard.engine.sync import filters as flt
from wizard.engine.sync.errors import MassDeletionRefused
from wizard.engine.sync.mailside import uid_key
from wizard.engine.sync.mapping import (
    BOTH,
    ENTITY_OF_KIND,
    NONE,
    TO_MAILBOX,
    TO_ORG,
    FieldMapping,
    _identity,
    _recurring_or_service,
    effective_mappings,
)
from wizard.engine.sync.orgside import ChangeBatch, DeltaTokenExpired, OrgRecord, OrgWrite
from wizard.engine.sync.runstate import (
    DEFERRED,
    LISTED_CREATES,
    MAILBOX_KIND,
    UNLISTED_CREATE,
    Action,
    Channel,
    Plan,
    SyncReport,
    SyncRun,
)
from wizard.engine.sync.status import Conflict, StatusRow

log = logging.getLogger(__name__)

_EMPTY_TYPES = (str, list, dict)


def same_id(a: str | None, b: str | None) -> bool:
    return bool(a and b and a.strip("{}").lower() == b.strip("{}").lower())


def _norm(v: Any) -> Any:
    return None if v in ("", [], {}) else v


def _base_as_row(base: dict[str, Any]) -> dict[str, Any]:
    return dict(base)


def org_title(kind: str, data: dict[str, Any]) -> str:
    if kind == "contact":
        first, last = data.get("firstname"), data.get("lastname")
        name = f"{first} {last}" if first and last else str(first or last or "")
        return name or data.get("fullname") or data.get("emailaddress1") or "(no name)"
    return data.get("subject") or data.get("name") or "(no subject)"


def channel_items(run: SyncRun, channel: str) -> list[MailItem]:
    """The channel's items without content (see :func:`full_item`)."""
    items = run.side.heads(MAILBOX_KIND[channel])
    if MAILBOX_KIND[channel] == "appointment":
        booking = channel == "booking"
        items = [i for i in items if i.booking == booking]
    return items


def full_item(run: SyncRun, item: MailItem | None) -> MailItem | None:
    if item is None or item.data is not None:
        return item
    return run.side.get(item.local_id)


def uid_candidates(run: SyncRun, kind: str, items: list[MailItem]) -> dict[str, MailItem]:
    """The items among ``items`` that name no org record, by their UID (:func:`uid_key`).

    As vdirsyncer pairs items by their UID when its status knows nothing of them, an item
    that lost ``X-D365-ORGRECORDID`` (another program dropped it, or an earlier install
    whose status is gone wrote it) is matched to the org record its UID names (the app
    names an item from the org after its record) before anything is created. Items with
    an unrelated UID stay as they are. The oldest item wins a UID two items share."""
    unnamed = [i for i in items if not i.org_record_id]
    if not unnamed:
        return {}
    uids = run.side.uids(MAILBOX_KIND[kind])
    out: dict[str, MailItem] = {}
    for item in unnamed:
        key = uid_key(uids.get(item.local_id))
        if key:
            out.setdefault(key, item)
    return out


def adopted(run: SyncRun, item: MailItem | None, rid: str, named_after: bool) -> MailItem | None:
    """``item`` read in full and seen as linked to ``rid`` and tracked, as it was before
    it lost its properties (``named_after``: its UID is the record's, so it came from the
    org)."""
    full = full_item(run, item)
    if full is None:
        return None
    return dataclasses.replace(full, tracked=True, org_record_id=rid,
                               origin="org" if named_after else full.origin)


def channel_signature(ctx: Channel) -> str:
    entity = ENTITY_OF_KIND[ctx.kind]
    parts = {
        "user": ctx.user_id.lower(), "settings": ctx.settings.to_dict(),
        "mappings": sorted(json.dumps(r, sort_keys=True, default=str)
                            for r in ctx.mapping_rows),
        "filters": sorted(flt.to_fetchxml(f) + str(f.querytype) for f in ctx.filters
                          if f.entity == entity),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


def prefetch_deltas(run: SyncRun) -> None:
    """Ask for every incremental delta in one round trip when the org side can."""
    wanted = {}
    for kind, ctx in run.channels.items():
        if kind in ("email",) or (kind == "booking" and not ctx.settings.resource_bookings):
            continue
        token, signature = run.status.token(kind)
        if token and signature == channel_signature(ctx):
            wanted[kind] = token
    if len(wanted) > 1:
        run.prefetched = run.org.changes_many(wanted)


def fetch(run: SyncRun, ctx: Channel, report: SyncReport,
           early: dict[str, tuple[OrgRecord, Plan | None]] | None = None) -> ChangeBatch:
    token, signature = run.status.token(ctx.kind)
    if signature != channel_signature(ctx):
        token = None
    columns = columns_of(ctx)
    batch = run.prefetched.pop(ctx.kind, None) if token else None
    try:
        if batch is None:
            batch = changes(run, ctx, token, columns, early)
    except DeltaTokenExpired:
        batch = changes(run, ctx, None, columns, early)
    report.fetched[ctx.kind] = len(batch.rows) + batch.streamed + len(batch.deleted)
    report.full[ctx.kind] = batch.full
    return batch


def changes(run: SyncRun, ctx: Channel, token: str | None, columns: list[str],
             early: dict[str, tuple[OrgRecord, Plan | None]] | None) -> ChangeBatch:
    """The org's changes. A full read of an org side that hands over rows page by page
    plans the records new to the mailbox as they arrive (while the next page is on its
    way); ``early`` keeps those plans for :func:`plan_channel`.

    Memory stays bounded however many records the org holds: a new record whose mailbox
    item is staged (see :func:`stage`), or that stays out of the mailbox, is not kept
    (neither its row nor its plan; the TEMP tables hold what the commit needs), so a
    run holds about one page of rows plus the pairs the mailbox already links."""
    if token is not None or early is None or not run.org.streams_pages:
        return run.org.changes(ctx.kind, token, columns)
    statuses, items = load(run, ctx.kind, ChangeBatch([], [], None, True))
    linked = set(statuses) | {i.org_record_id for i in items if i.org_record_id}
    named = set(uid_candidates(run, ctx.kind, items))     # matched by UID in plan_channel
    run.preloaded = (statuses, items)
    # Offline filters that differ from the sync filters read every row at the commit.
    keep_all = offline_needs_rows(ctx)
    streamed = 0

    def plan(records: list[OrgRecord]) -> list[OrgRecord] | None:
        nonlocal streamed
        if run.staged and not run.org.next_page_on_its_way:
            # A last page, with rows already staged: its new records are planned
            # during the commit, while SQLite copies the staged rows (see commit.late_creates).
            for row in records:
                if row.id not in linked and not (named and uid_key(row.id) in named):
                    unstage(run, row.id)
                    early[row.id] = (row, DEFERRED)
            return None
        kept: list[OrgRecord] = []
        creates: list[tuple[OrgRecord, Plan]] = []
        for row in records:
            if row.id in linked or (named and uid_key(row.id) in named):
                kept.append(row)
                continue
            unstage(run, row.id)                 # handed over again (changed while paged)
            p = plan_new_record(run, ctx, row)
            if p is not None and p.mailbox_op == "create":
                creates.append((row, p))
            elif keep_all:
                kept.append(row)
        if run.org.next_page_on_its_way and stage(run, [p for _, p in creates]):
            if keep_all:
                kept += [row for row, _ in creates]
        else:
            for row, p in creates:
                early[row.id] = (row, p)
                kept.append(row)
        streamed += len(records) - len(kept)
        return kept

    batch = run.org.changes(ctx.kind, None, columns, on_rows=plan)
    batch.streamed = streamed
    return batch


def unstage(run: SyncRun, org_record_id: str) -> None:
    """Forget the staged mailbox item of a record planned again (it is dropped from the
    TEMP tables at the commit)."""
    local_id = run.staged.pop(org_record_id, None)
    if local_id is not None:
        run.replaced.append(local_id)


def stage(run: SyncRun, plans: list[Plan]) -> bool:
    """Write new mailbox items into the TEMP tables (see :mod:`~wizard.engine.sync.staging`),
    done while the next page is on its way, so the commit after the last page only copies
    them; their actions go to the report now, and the plans are let go. False when there
    is no staging (the caller keeps the plans and commits them directly)."""
    if run.staging is None or run.staging.failed:
        return False
    if not plans:
        return True
    from wizard.engine.sync.commit import create_rows

    try:
        run.staging.add(*create_rows(run, plans))
    except sqlite3.Error as exc:         # staging only saves time: commit these directly
        log.warning("staging new mailbox items failed (%s); inserting them at the end",
                    exc)
        run.staging.failed = True
        return False
    for p in plans:
        assert p.new_status is not None and p.new_status.local_id is not None
        unstage(run, p.org_record_id)    # twice on one page: the later one stays
        run.staged[p.org_record_id] = p.new_status.local_id
        run.report.add(p.actions)
    return True


def offline_needs_rows(ctx: Channel) -> bool:
    """Whether the commit stores org rows for offline use (offline filters that select
    other records than the sync filters; see :func:`commit.keep_offline`)."""
    entity = ENTITY_OF_KIND[ctx.kind]
    offline = flt.filters_for(ctx.filters, entity, flt.OFFLINE_QUERYTYPE)
    if not offline:
        return False
    synced = flt.filters_for(ctx.filters, entity)
    return sorted(map(flt.to_fetchxml, offline)) != sorted(map(flt.to_fetchxml, synced))


def columns_of(ctx: Channel) -> list[str]:
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


def include(ctx: Channel, row: dict[str, Any]) -> bool:
    """Whether an org record belongs in the mailbox (the user's sync filters)."""
    me = ctx.user_id
    if ctx.kind == "booking":
        return same_id(row.get("_ownerid_value"), me) or same_id(row.get("_resource_userid_value"), me)
    if ctx.kind == "email":
        return True
    if ctx.matches is None:
        entity = ENTITY_OF_KIND[ctx.kind]
        ctx.sync_filters = flt.filters_for(ctx.filters, entity)
        ctx.matches = flt.compile_filters(ctx.sync_filters, entity, me)
    if ctx.matches(row):
        return True
    return bool(ctx.kind == "task" and ctx.settings.assigned_tasks
                and same_id(row.get("_createdby_value"), me) and not same_id(row.get("_ownerid_value"), me))


def maps_for(ctx: Channel, item: MailItem | None,
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


def plan_channel(run: SyncRun, ctx: Channel, report: SyncReport  # noqa: C901 - sync internals in flux (issue 15b); split with that work
                  ) -> tuple[list[Plan], ChangeBatch | None]:
    kind = ctx.kind
    plans: list[Plan] = []
    if kind == "booking" and not ctx.settings.resource_bookings:
        statuses, items = run.status.rows(kind), channel_items(run, kind)
        by_id = {i.local_id: i for i in items}
        for st in statuses.values():
            item = full_item(run, by_id.get(st.local_id or ""))
            p = Plan(kind, st.org_record_id, item, st, drop_status=True)
            if item is not None:
                p.mailbox_op = "delete"
                p.actions.append(Action(kind, "mailbox-delete", item.title, item.local_id,
                                        st.org_record_id,
                                        reason="resource bookings no longer synchronize"))
            plans.append(p)
        return plans, None
    early: dict[str, tuple[OrgRecord, Plan | None]] = {}
    run.preloaded = None
    batch = ChangeBatch([], [], None, False) if kind == "email" else fetch(run, ctx, report, early)
    ctx.full = batch.full
    if batch.full and run.preloaded is not None:
        statuses, items = run.preloaded
    else:
        statuses, items = load(run, kind, batch)
    run.preloaded = None
    rows = {r.id: r for r in batch.rows}
    deleted = set(batch.deleted)
    if batch.full:
        deleted |= {rid for rid, st in statuses.items() if rid not in rows}
    items_by_local = {i.local_id: i for i in items}
    items_by_org: dict[str, MailItem] = {}
    for i in items:
        if i.org_record_id:
            items_by_org.setdefault(i.org_record_id, i)

    # Items that lost their record id: the one still in a pair's place is that pair's;
    # an unknown one is matched by its UID (see uid_candidates), before any create.
    named = uid_candidates(run, kind, items)
    placed = {st.local_id for st in statuses.values() if st.local_id}
    taken: set[str] = set()

    def unknown_named(rid: str) -> MailItem | None:
        cand = named.get(uid_key(rid)) if named else None
        if cand is None or cand.local_id in placed or cand.local_id in taken:
            return None
        return cand

    for rid, st in statuses.items():
        item = items_by_local.get(st.local_id or "")
        adopt = False
        if item is not None and item.org_record_id != rid:
            adopt = st.state == "linked" and not item.org_record_id
            if not adopt:
                item = None
        if item is None and st.state == "linked":
            item = unknown_named(rid)
            adopt = item is not None
        if adopt and item is not None:
            taken.add(item.local_id)
            item = adopted(run, item, rid, named.get(uid_key(rid)) is item)
        p = plan_pair(run, ctx, rid, item, st, rows.get(rid), rid in deleted)
        p.adopt = adopt and item is not None
        plans.append(p)
    for rid, row in rows.items():
        if rid in statuses:
            continue
        item = items_by_org.get(rid)
        adopt = False
        if item is None:
            item = unknown_named(rid)
            adopt = item is not None and include(ctx, row.data)
            if not adopt:
                item = None
        done = early.get(rid)
        if done is not None and done[0] is row and item is None:
            if done[1] is DEFERRED:
                run.deferred.append((ctx, row))
            elif done[1] is not None:
                plans.append(done[1])
            continue
        if adopt and item is not None:
            taken.add(item.local_id)
            item = adopted(run, item, rid, True)
        p = plan_pair(run, ctx, rid, item, None, row, False)
        p.adopt = adopt and item is not None
        plans.append(p)
    for rid, item in items_by_org.items():
        if rid in statuses or rid in rows:
            continue
        plans.append(plan_pair(run, ctx, rid, item, None, None, rid in deleted))
    for item in items:
        if item.tracked and not item.org_record_id and item.local_id not in taken:  # dry run
            full = full_item(run, item)
            if full is None:                              # gone since it was listed
                continue
            item = full
            p = Plan(kind, "(new)", item, None)
            p.actions.append(Action(kind, "org-create", item.title, item.local_id,
                                    reason="tracked in the mailbox"))
            plans.append(p)
    return [p for p in plans if p is not None], batch


def load(run: SyncRun, kind: str, batch: ChangeBatch) -> tuple[dict[str, StatusRow], list[MailItem]]:
    """Status rows and item heads a run must look at.

    A full read needs everything; an incremental one only the pairs the delta names,
    the pairs whose mailbox item changed (found in SQL), and items without a pair.
    """
    if batch.full:
        return run.status.rows(kind), channel_items(run, kind)
    ids = [r.id for r in batch.rows] + list(batch.deleted)
    statuses = run.status.rows_for(kind, ids)
    mb_kind = MAILBOX_KIND[kind]
    mark = run.status.watermark()
    if mark is not None:            # items written since the last sync, and deletions
        items = {i.local_id: i for i in run.side.heads(mb_kind, since_seq=mark)}
        touched = list(items) + run.side.deleted_since(mb_kind, mark)
        statuses.update(run.status.rows_by_local(kind, touched))
    else:
        statuses.update(run.status.dirty_rows(kind))
        items = {i.local_id: i for i in run.side.heads(
            mb_kind, "NOT EXISTS (SELECT 1 FROM sync_status s WHERE s.org_id=? AND"
                     " s.kind=? AND s.local_id=m.local_id)", (run.status.org_id, kind))}
    wanted = [st.local_id for st in statuses.values() if st.local_id] + ids
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for i in run.side.heads(mb_kind, f"local_id IN ({marks}) OR org_record_id IN"
                                           f" ({marks})", (*chunk, *chunk), by_kind=False):
            items[i.local_id] = i
    booking = kind == "booking"
    found = [i for i in items.values() if mb_kind != "appointment" or i.booking == booking]
    return statuses, sorted(found, key=lambda i: (i.created_at, i.local_id))


def plan_pair(run: SyncRun, ctx: Channel, rid: str, item: MailItem | None, st: StatusRow | None,  # noqa: C901 - vdirsyncer's per-item decision table, kept whole; split with issue 15b
               row: OrgRecord | None, org_deleted: bool) -> Plan:
    kind, me = ctx.kind, ctx.user_id
    if (st is not None and st.state == "linked" and item is not None and item.tracked
            and row is None and not org_deleted and not ctx.full
            and item.hash == st.local_hash and (st.in_filter or item.origin != "org")):
        return Plan(kind, rid, item, st)          # unchanged on both sides
    item = full_item(run, item)
    p = Plan(kind, rid, item, st)

    def act(op: str, reason: str = "", fields: list[str] | None = None) -> None:
        title = item.title if item else org_title(
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
            elif row is not None and row.etag != st.etag and include(ctx, row.data):
                act("mailbox-create", "deleted in the mailbox but changed in the org: restored")
                plan_mailbox_create(ctx, p, row)
            elif same_id(owner, me):
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
            elif same_id(owner, me):
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
        in_filter = include(ctx, row.data) if row is not None else st.in_filter
        leaving = not in_filter and item.origin == "org"
        if not local_changed and not org_changed and ctx.full and not leaving:
            # Settings or mappings may have changed what is synchronized.
            org_changed = set(st.base) != {m.org_field for m in maps_for(
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
        merged = plan_merge(run, ctx, p, item, org_view, sent_base(run, p, st.base, row),
                                  etag, owner, in_filter, act)
        if row is not None:
            in_filter = include(ctx, {**org_view, **merged})
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
            maps = maps_for(ctx, item, None)
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
        merged = plan_merge(run, ctx, p, item, row.data, sent_base(run, p, {}, row),
                                  row.etag, row.owner_id, True, act)
        if p.new_status is not None:
            p.new_status.in_filter = include(ctx, {**row.data, **merged})
        return p
    if row is not None:                    # new in the org, not in the mailbox
        return plan_new_record(run, ctx, row) or p
    return p


def plan_new_record(run: SyncRun, ctx: Channel, row: OrgRecord) -> Plan | None:
    """The plan for an org record with no status row and no mailbox item (most records
    of an initial sync, which call this directly, skipping ``_plan_pair``'s checks);
    None when the record stays out of the mailbox (nothing to do)."""
    if not include(ctx, row.data):
        return None
    p = Plan(ctx.kind, row.id, None, None)
    if run.titled_creates < LISTED_CREATES:
        run.titled_creates += 1
        p.actions.append(Action(ctx.kind, "mailbox-create", org_title(ctx.kind, row.data),
                                None, row.id, [], "matches your synchronization filters"))
    else:                              # the report only counts these (an initial sync)
        p.actions.append(UNLISTED_CREATE[ctx.kind])
    plan_mailbox_create(ctx, p, row)
    return p


def sent_base(run: SyncRun, p: Plan, base: dict[str, Any], row: OrgRecord | None
               ) -> dict[str, Any]:
    """The merge base, with the org's values that this mailbox sent in a run that did
    not get to commit (so they are not mistaken for someone else's changes)."""
    sent = run.sent.get((p.kind, p.org_record_id))
    if not sent or row is None:
        return base
    adopted = dict(base)
    for column, values in sent.items():
        value = _norm(row.data.get(column))
        if value in values:
            adopted[column] = value
    return adopted


def plan_mailbox_create(ctx: Channel, p: Plan, row: OrgRecord) -> None:
    maps = maps_for(ctx, None, row.data)
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


def plan_merge(run: SyncRun, ctx: Channel, p: Plan, item: MailItem, org_data: dict[str, Any],
                base: dict[str, Any], etag: str | None, owner: str | None,
                in_filter: bool, act: Callable[..., None]) -> dict[str, Any]:
    """Three-way merge of one pair; returns the changes planned for the org record."""
    maps = maps_for(ctx, item, org_data)
    org_changes: dict[str, Any] = {}
    mb_changes: dict[str, Any] = {}
    new_base: dict[str, Any] = {}
    for m in maps:
        k = m.org_field
        b = base.get(k)
        mv = m.org_value(item.data)
        ov = _norm(org_data.get(k))
        if m.direction == TO_MAILBOX:
            if (ov != b or k not in base) and \
                    m.mailbox_value(org_data) != _norm(item.data.get(m.mailbox_field)):
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
                c.winner = run.sync.resolver(c)
                p.conflicts.append(c)
                if c.winner == "mailbox":
                    org_changes[k] = mv
                    new_base[k] = mv
                else:
                    mb_changes[m.mailbox_field] = m.mailbox_value(org_data)
                    new_base[k] = ov
    if org_changes:
        p.org_write = OrgWrite("update", ctx.kind, p.org_record_id, org_changes,
                               if_match=etag,
                               current={k: _norm(org_data.get(k)) for k in org_changes})
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


def guard(run: SyncRun, ctx: Channel, plans: list[Plan], batch: ChangeBatch | None,
           allow: bool) -> None:
    if allow:
        return
    statuses = [p for p in plans if p.status is not None and p.status.state == "linked"]
    gone = sum(1 for p in statuses if p.item is None)
    emptied = batch is not None and batch.full and not batch.rows and not batch.streamed
    if not gone and not emptied:
        return
    total = run.status.count_linked(ctx.kind)
    if total < 2:
        return
    org_deletes = sum(1 for p in statuses if p.org_write is not None
                      and p.org_write.op == "delete")
    if gone == total and org_deletes and not channel_items(run, ctx.kind):
        raise MassDeletionRefused("mailbox", ctx.kind, org_deletes)
    if emptied:
        mb_deletes = sum(1 for p in statuses if p.mailbox_op == "delete")
        if mb_deletes == total:
            raise MassDeletionRefused("organization", ctx.kind, mb_deletes)
