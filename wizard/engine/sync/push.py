"""Pushing: the org writes of a run, in batches, each conditional on the ETag its merge used.

A 412 (the record changed since it was read) or 404 re-reads that record and plans the
pair again, up to ``MAX_RETRIES`` times. What is about to be sent is committed first
(``sync_sent``), so a run killed after its writes went out does not mistake those values
for someone else's at the next run.
"""

from __future__ import annotations

import logging
from dataclasses import fields

from wizard.engine.errors import ServerText
from wizard.engine.sync.errors import ItemRefused
from wizard.engine.sync.orgside import OrgWrite, WriteResult
from wizard.engine.sync.plan import include, plan_pair
from wizard.engine.sync.runstate import Action, Plan, SyncReport, SyncRun

log = logging.getLogger(__name__)

MAX_RETRIES = 3


def push(run: SyncRun, plans: list[Plan], report: SyncReport) -> None:
    pending = [p for p in plans if p.org_write is not None]
    total, done = len(pending), 0
    while pending:
        run.check_cancel()
        chunk, pending = pending[:run.sync.batch_size], pending[run.sync.batch_size:]
        writes = [p.org_write for p in chunk if p.org_write is not None]  # all of them
        record_sent(run, list(writes))
        results = run.org.write(writes)
        report.org_requests += 1
        retry = []
        for p, res in zip(chunk, results):
            if not apply_result(run, p, res):
                retry.append(p)
        for p in retry:
            replan_and_resend(run, p, report)
        done += len(chunk)
        run.sync.progress("sending changes", done, total)


def record_sent(run: SyncRun, writes: list[OrgWrite | None]) -> None:
    """Remember what is about to be sent, committed before it is sent."""
    sent = [(w.kind, w.record_id, w.data) for w in writes
            if w is not None and w.op in ("create", "update") and w.data]
    if sent:
        with run.side.transaction():
            run.status.record_sent(run.sent, sent)


def apply_result(run: SyncRun, p: Plan, res: WriteResult) -> bool:
    w = p.org_write
    assert w is not None
    if res.ok:
        if p.new_status is not None and res.record is not None:
            p.new_status.etag = res.record.etag
            p.new_status.owner_id = res.record.owner_id or p.new_status.owner_id
            if w.op == "update" and p.new_status.state == "linked":
                # Our own change may take the record out of the user's filters.
                ctx = run.channels[p.kind]
                p.new_status.in_filter = include(ctx, res.record.data)
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
    p.error = ItemRefused(status=res.status, server_message=ServerText((res.error or "").strip()))
    return True


def replan_and_resend(run: SyncRun, p: Plan, report: SyncReport) -> None:
    """The record changed (412) or vanished (404) under us: read it again and re-plan."""
    while True:
        p.attempts += 1
        if p.attempts > MAX_RETRIES:
            p.failed = True
            return
        row = run.org.get(p.kind, p.org_record_id)
        ctx = run.channel(p.kind)
        st = p.status
        if st is None and row is not None and p.item is not None:
            new = plan_pair(run, ctx, p.org_record_id, p.item, None, row, False)
        else:
            new = plan_pair(run, ctx, p.org_record_id, p.item, st, row, row is None)
        new.attempts = p.attempts
        for f in fields(Plan):
            setattr(p, f.name, getattr(new, f.name))
        if p.org_write is None:
            return
        record_sent(run, [p.org_write])
        res = run.org.write([p.org_write])[0]
        report.org_requests += 1
        if apply_result(run, p, res):
            return
