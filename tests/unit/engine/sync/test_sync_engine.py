"""The sync algorithm against the in-memory org side: each rule, one scenario at a time."""

from __future__ import annotations

import pytest

from wizard.engine.mailstore import SqliteMailStore
from wizard.engine.sync import filters as flt
from wizard.engine.sync.conflicts import mailbox_wins
from wizard.engine.sync.engine import EMAIL_NOTICE, MassDeletionRefused, NoSyncPrivilege, Synchronizer, SyncOffline
from wizard.engine.sync.orgside import MemoryOrg, MemoryOrgSide

ME = "5e7a0001-0000-4000-8000-000000000001"
OTHER = "5e7a0002-0000-4000-8000-000000000002"


class World:
    def __init__(self, tmp_path, **sync_kw):
        self.org = MemoryOrg()
        self.org.privileged = {ME}
        self.side = MemoryOrgSide(self.org, ME)
        self.store = SqliteMailStore(tmp_path / "mailbox.sqlite3")
        self.sync = Synchronizer(self.store, self.side, **sync_kw)

    def run(self, **kw):
        return self.sync.run(**kw)

    def close(self):
        self.store.close()


@pytest.fixture
def w(tmp_path):
    world = World(tmp_path)
    yield world
    world.close()


def contacts(w):
    return w.store.items("contact")


def test_my_contacts_come_into_the_mailbox_and_others_do_not(w):
    mine = w.org.create("contact", {"firstname": "Ann", "lastname": "Lee",
                                    "emailaddress1": "ann@x.example"}, owner=ME)
    w.org.create("contact", {"firstname": "Someone", "lastname": "Else"}, owner=OTHER)
    report = w.run()
    [item] = contacts(w)
    assert item.org_record_id == mine and item.tracked and item.origin == "org"
    assert item.data == {"first_name": "Ann", "last_name": "Lee", "email1": "ann@x.example"}
    assert report.counts() == {"mailbox-create": 1}
    assert w.run().actions == []           # converged


def test_edits_flow_both_ways_and_second_run_is_quiet(w):
    rid = w.org.create("contact", {"firstname": "Ann", "lastname": "Lee"}, owner=ME)
    w.run()
    [item] = contacts(w)
    w.store.update(item.local_id, {"job_title": "CEO"})
    w.org.update("contact", rid, {"lastname": "Lee-Smith"})
    w.run()
    assert w.org.tables["contact"][rid]["jobtitle"] == "CEO"
    assert w.store.get(item.local_id).data["last_name"] == "Lee-Smith"
    assert w.run().actions == []


def test_incremental_run_uses_the_delta_token(w):
    for i in range(5):
        w.org.create("contact", {"lastname": f"C{i}"}, owner=ME)
    first = w.run()
    assert first.full["contact"] is True and first.fetched["contact"] == 5
    rid = next(iter(w.org.tables["contact"]))
    w.org.update("contact", rid, {"lastname": "Changed"})
    second = w.run()
    assert second.full["contact"] is False and second.fetched["contact"] == 1


def test_conflict_default_org_wins_and_is_logged(w):
    rid = w.org.create("contact", {"lastname": "Lee"}, owner=ME)
    w.run()
    [item] = contacts(w)
    w.store.update(item.local_id, {"last_name": "Mailbox"})
    w.org.update("contact", rid, {"lastname": "Org"})
    report = w.run()
    assert [c.field for c in report.conflicts] == ["lastname"]
    assert report.conflicts[0].mailbox_value == "Mailbox"
    assert w.store.get(item.local_id).data["last_name"] == "Org"
    assert w.org.tables["contact"][rid]["lastname"] == "Org"
    assert w.sync.status.conflicts()[0]["mailbox_value"] == "Mailbox"


def test_pluggable_resolver(tmp_path):
    w = World(tmp_path, resolver=mailbox_wins)
    rid = w.org.create("contact", {"lastname": "Lee"}, owner=ME)
    w.run()
    [item] = contacts(w)
    w.store.update(item.local_id, {"last_name": "Mailbox"})
    w.org.update("contact", rid, {"lastname": "Org"})
    w.run()
    assert w.org.tables["contact"][rid]["lastname"] == "Mailbox"
    w.close()


def test_untracked_mailbox_items_stay_local_and_tracking_sends_them(w):
    item = w.store.add("contact", {"first_name": "Local", "last_name": "Only"})
    w.run()
    assert w.org.tables["contact"] == {}
    w.store.set_tracked(item.local_id, True)
    w.run()
    [(rid, row)] = w.org.tables["contact"].items()
    assert row["lastname"] == "Only" and row["_ownerid_value"] == ME
    assert w.store.get(item.local_id).org_record_id == rid
    assert w.run().actions == []


def test_untrack_deletes_org_copy_only_for_owner(w):
    mine = w.org.create("contact", {"lastname": "Mine"}, owner=ME)
    theirs = w.org.create("contact", {"lastname": "Theirs"}, owner=OTHER)
    w.org.userqueries[ME] = [flt.SyncFilter("contact", "All contacts")]
    w.run()
    assert len(contacts(w)) == 2
    for item in contacts(w):
        w.store.set_tracked(item.local_id, False)
    w.run()
    assert mine not in w.org.tables["contact"]
    assert theirs in w.org.tables["contact"]
    # both copies stay in the mailbox, untracked; the excluded record is not pulled back
    assert sorted(i.data["last_name"] for i in contacts(w)) == ["Mine", "Theirs"]
    assert all(not i.tracked and i.org_record_id is None for i in contacts(w))
    assert w.run().actions == []


def test_record_leaving_the_filter_leaves_the_mailbox_only(w):
    rid = w.org.create("contact", {"lastname": "Lee"}, owner=ME)
    w.run()
    w.org.update("contact", rid, {"_ownerid_value": OTHER})
    report = w.run()
    assert contacts(w) == []
    assert rid in w.org.tables["contact"]
    assert report.counts() == {"mailbox-delete": 1}


def test_filter_change_triggers_a_full_read(w):
    w.org.create("contact", {"lastname": "Seattle", "address1_city": "Seattle"}, owner=OTHER)
    w.run()
    assert contacts(w) == []
    w.org.userqueries[ME] = [flt.SyncFilter("contact", "Seattle", flt.FilterGroup(
        "and", (flt.Condition("address1_city", "eq", ("Seattle",)),)))]
    report = w.run()
    assert report.full["contact"] is True
    assert [i.data["last_name"] for i in contacts(w)] == ["Seattle"]


def test_notes_kept_private_by_org_mapping(w):
    w.org.mapping_rows = [{"attributecrmname": "description", "attributeexchangename": "Body",
                           "syncdirection": 0, "entitytypecode": "contact"}]
    rid = w.org.create("contact", {"lastname": "Lee", "description": "org note"}, owner=ME)
    w.run()
    [item] = contacts(w)
    assert "notes" not in item.data
    w.store.update(item.local_id, {"notes": "my private note"})
    w.run()
    assert w.org.tables["contact"][rid]["description"] == "org note"


def test_no_privilege_refuses_before_writing(w):
    w.org.privileged = set()
    w.org.create("contact", {"lastname": "Lee"}, owner=ME)
    with pytest.raises(NoSyncPrivilege, match="Sync to Outlook"):
        w.run()
    assert contacts(w) == []


def test_offline_queues_and_pushes_later(w):
    rid = w.org.create("contact", {"lastname": "Lee"}, owner=ME)
    w.run()
    [item] = contacts(w)
    w.side.online = False
    w.store.update(item.local_id, {"job_title": "CTO"})
    new = w.store.add("contact", {"last_name": "New"}, tracked=True)
    with pytest.raises(SyncOffline) as err:
        w.run()
    assert err.value.pending == 2 and "2 changes" in str(err.value)
    w.side.online = True
    w.run()
    assert w.org.tables["contact"][rid]["jobtitle"] == "CTO"
    assert w.store.get(new.local_id).org_record_id in w.org.tables["contact"]


def test_mass_deletion_guard(w):
    for i in range(3):
        w.org.create("contact", {"lastname": f"C{i}"}, owner=ME)
    w.run()
    for item in contacts(w):
        w.store.delete(item.local_id)
    with pytest.raises(MassDeletionRefused):
        w.run()
    assert len(w.org.tables["contact"]) == 3
    w.run(allow_mass_delete=True)
    assert w.org.tables["contact"] == {}


def test_org_emptied_is_not_mirrored_without_confirmation(w):
    ids = [w.org.create("contact", {"lastname": f"C{i}"}, owner=ME) for i in range(3)]
    w.run()
    for rid in ids:
        w.org.delete("contact", rid)
    w.org.min_token = w.org.version + 1       # token expired -> full read of an empty table
    with pytest.raises(MassDeletionRefused):
        w.run()
    assert len(contacts(w)) == 3
    w.run(allow_mass_delete=True)
    assert contacts(w) == []


def test_etag_conflict_on_push_rereads_and_merges(w):
    rid = w.org.create("contact", {"lastname": "Lee"}, owner=ME)
    w.run()
    [item] = contacts(w)
    w.store.update(item.local_id, {"job_title": "CEO"})
    real_write = w.side.write
    state = {"n": 0}

    def racing_write(writes):
        if state["n"] == 0:          # someone edits the record between our read and write
            w.org.update("contact", rid, {"firstname": "Racer"})
        state["n"] += 1
        return real_write(writes)

    w.side.write = racing_write
    w.run()
    row = w.org.tables["contact"][rid]
    assert row["jobtitle"] == "CEO" and row["firstname"] == "Racer"
    assert w.store.get(item.local_id).data["first_name"] == "Racer"
    w.side.write = real_write
    assert w.run().actions == []


def test_assigned_tasks_setting(w):
    assigned = w.org.create("task", {"subject": "For Bob"}, owner=OTHER, creator=ME)
    w.run()
    assert w.store.items("task") == []
    w.org.settings_row["assigned_tasks"] = True
    w.run()
    [t] = w.store.items("task")
    assert t.org_record_id == assigned


def test_resource_bookings_setting(w):
    w.org.create("booking", {"name": "Install", "starttime": "2026-01-01T09:00:00Z",
                             "endtime": "2026-01-01T10:00:00Z"}, owner=ME)
    w.run()
    assert w.store.items("appointment") == []
    w.org.settings_row["resource_bookings"] = True
    w.run()
    [b] = w.store.items("appointment")
    assert b.data["is_resource_booking"] and b.data["subject"] == "Install"
    w.org.settings_row["resource_bookings"] = False
    w.run()
    assert w.store.items("appointment") == []


def test_appointment_attachments_setting(w):
    att = [{"name": "a.txt", "content_type": "text/plain", "data": "aGk="}]
    single = w.org.create("appointment", {"subject": "One", "attachments": att}, owner=ME)
    w.org.create("appointment", {"subject": "Weekly", "attachments": att,
                                 "recurrencepattern": "FREQ=WEEKLY"}, owner=ME)
    w.org.create("appointment", {"subject": "Service", "attachments": att,
                                 "activitytypecode": "serviceappointment"}, owner=ME)
    w.run()
    assert all("attachments" not in i.data for i in w.store.items("appointment"))
    w.org.settings_row["appointment_attachments"] = True
    w.run()
    by_subject = {i.data["subject"]: i for i in w.store.items("appointment")}
    assert by_subject["One"].data["attachments"] == att
    assert "attachments" not in by_subject["Weekly"].data
    assert "attachments" not in by_subject["Service"].data
    assert single


def test_email_tracking_sends_only_headers_to_decide(w):
    w.org.create("contact", {"lastname": "Lee", "emailaddress1": "ann@x.example"}, owner=ME)
    seen = []
    real = w.side.email_matches

    def spy(sender, recipients, subject):
        seen.append((sender, recipients, subject))
        return real(sender, recipients, subject)

    w.side.email_matches = spy
    hit = w.store.add("email", {"sender": "ann@x.example", "to": ["me@contoso.example"],
                                "subject": "Hello", "body": "secret body"}, tracked=True)
    miss = w.store.add("email", {"sender": "nobody@y.example", "to": ["me@contoso.example"],
                                 "subject": "Spam", "body": "x"}, tracked=True)
    report = w.run()
    assert EMAIL_NOTICE in report.notices
    assert ("ann@x.example", ["me@contoso.example"], "Hello") in seen
    assert not any("secret body" in str(s) for s in seen)
    [(rid, row)] = w.org.tables["email"].items()
    assert row["subject"] == "Hello" and row["description"] == "secret body"
    assert not w.store.get(miss.local_id).tracked
    assert w.store.get(hit.local_id).org_record_id == rid
    w.store.add("email", {"sender": "ann@x.example", "subject": "Again"}, tracked=True)
    assert EMAIL_NOTICE not in w.run().notices


def test_offline_filters_keep_records_for_offline_use(w):
    w.org.userqueries[ME] = [flt.SyncFilter("contact", "Offline Seattle", flt.FilterGroup(
        "and", (flt.Condition("address1_city", "eq", ("Seattle",)),)),
        querytype=flt.OFFLINE_QUERYTYPE)]
    w.org.create("contact", {"lastname": "S", "address1_city": "Seattle"}, owner=OTHER)
    w.org.create("contact", {"lastname": "P", "address1_city": "Paris"}, owner=ME)
    w.run()
    assert [r["lastname"] for r in w.sync.status.offline_records("contact")] == ["S"]
    assert [i.data["last_name"] for i in contacts(w)] == ["P"]   # default sync filter


def test_dry_run_writes_nothing(w):
    w.org.create("contact", {"lastname": "Lee"}, owner=ME)
    w.store.add("contact", {"last_name": "Local"}, tracked=True)
    report = w.run(dry_run=True)
    assert report.counts() == {"mailbox-create": 1, "org-create": 1}
    assert len(contacts(w)) == 1 and len(w.org.tables["contact"]) == 1


def test_deleting_in_org_keeps_user_created_items(w):
    item = w.store.add("contact", {"last_name": "Mine"}, tracked=True)
    w.run()
    rid = w.store.get(item.local_id).org_record_id
    w.org.delete("contact", rid)
    w.run()
    kept = w.store.get(item.local_id)
    assert kept is not None and not kept.tracked and kept.org_record_id is None


def test_one_sync_at_a_time(w, tmp_path):
    from filelock import FileLock

    from wizard.engine.sync.engine import SyncError

    with FileLock(str(w.store.db_path) + ".sync.lock"), pytest.raises(SyncError, match="Another synchronization"):
        w.run()
    w.run()


def test_cancel_commits_nothing_and_the_next_run_converges(tmp_path):
    import threading

    from wizard.engine.sync.engine import SyncCancelled

    cancel = threading.Event()
    w = World(tmp_path, cancel=cancel, batch_size=1)
    for i in range(3):
        w.store.add("contact", {"last_name": f"L{i}"}, tracked=True)
    w.org.create("contact", {"lastname": "Org"}, owner=ME)
    real = w.side.write

    def write_then_cancel(writes):
        cancel.set()                      # the user presses Cancel after the first batch
        return real(writes)

    w.side.write = write_then_cancel
    with pytest.raises(SyncCancelled):
        w.run()
    assert len(w.org.tables["contact"]) == 2              # one create went out
    assert [i.data["last_name"] for i in contacts(w)] == ["L0", "L1", "L2"]   # mailbox untouched
    w.side.write = real
    cancel.clear()
    w.run()
    assert sorted(r["lastname"] for r in w.org.tables["contact"].values()) == [
        "L0", "L1", "L2", "Org"]
    assert len(contacts(w)) == 4
    assert w.run().actions == []
    w.close()


def test_a_refused_write_stays_queued_and_is_reported(w):
    from wizard.engine.sync.orgside import WriteResult

    item = w.store.add("contact", {"last_name": "Refused"}, tracked=True)
    real = w.side.write
    w.side.write = lambda writes: [WriteResult(400, error="payload error") for _ in writes]
    report = w.run()
    assert report.skipped and "payload error" in report.skipped[0]
    assert w.org.tables["contact"] == {}
    w.side.write = real
    w.run()
    assert w.store.get(item.local_id).org_record_id in w.org.tables["contact"]


def test_a_refused_deletion_is_tried_again(w):
    from wizard.engine.sync.orgside import WriteResult

    rid = w.org.create("contact", {"lastname": "Mine"}, owner=ME)
    w.org.create("contact", {"lastname": "Other"}, owner=ME)
    w.run()
    item = next(i for i in contacts(w) if i.org_record_id == rid)
    w.store.delete(item.local_id)
    real = w.side.write
    w.side.write = lambda writes: [WriteResult(403, error="no delete right") for _ in writes]
    assert w.run().skipped
    assert rid in w.org.tables["contact"]
    w.side.write = real
    w.run()
    assert rid not in w.org.tables["contact"]


def _interrupt_after_push(w):
    """The next run sends its writes, then stops before committing (like a kill would)."""
    import threading

    from wizard.engine.sync.engine import SyncCancelled

    w.sync.cancel = threading.Event()
    real = w.side.write

    def write_then_stop(writes):
        results = real(writes)
        w.sync.cancel.set()
        return results

    w.side.write = write_then_stop
    with pytest.raises(SyncCancelled):
        w.run()
    w.side.write = real
    w.sync.cancel = None


def test_an_edit_after_an_interrupted_update_is_not_taken_for_a_conflict(w):
    rid = w.org.create("contact", {"lastname": "Lee"}, owner=ME)
    w.run()
    [item] = contacts(w)
    w.store.update(item.local_id, {"job_title": "Buyer"})
    _interrupt_after_push(w)
    assert w.org.tables["contact"][rid]["jobtitle"] == "Buyer"    # sent, not committed
    _edit_again_and_see_it_win(w, item.local_id, rid)


def _edit_again_and_see_it_win(w, local_id: str, rid: str) -> None:
    """A mailbox edit after the interrupted run reaches the org, with no conflict."""
    w.store.update(local_id, {"job_title": "Chief Buyer"})
    report = w.run()
    assert report.conflicts == []
    assert w.store.get(local_id).data["job_title"] == "Chief Buyer"
    assert w.org.tables["contact"][rid]["jobtitle"] == "Chief Buyer"
    assert w.run().actions == []


def test_an_edit_after_an_interrupted_create_is_not_taken_for_a_conflict(w):
    item = w.store.add("contact", {"last_name": "New", "job_title": "Buyer"}, tracked=True)
    _interrupt_after_push(w)
    rid = w.store.get(item.local_id).org_record_id
    assert w.org.tables["contact"][rid]["jobtitle"] == "Buyer"
    _edit_again_and_see_it_win(w, item.local_id, rid)


def test_an_org_change_after_an_interrupted_update_still_counts_as_a_conflict(w):
    rid = w.org.create("contact", {"lastname": "Lee"}, owner=ME)
    w.run()
    [item] = contacts(w)
    w.store.update(item.local_id, {"job_title": "Buyer"})
    _interrupt_after_push(w)
    w.org.update("contact", rid, {"jobtitle": "Seller"})          # someone else, afterwards
    w.store.update(item.local_id, {"job_title": "Chief Buyer"})
    report = w.run()
    assert [(c.field, c.mailbox_value, c.org_value) for c in report.conflicts] == [
        ("jobtitle", "Chief Buyer", "Seller")]
    assert w.store.get(item.local_id).data["job_title"] == "Seller"  # the org wins


def test_compiled_filters_agree_with_the_filters():
    rows = [{"_ownerid_value": v, "statecode": s} for v in
            (ME, ME.upper(), "{" + ME + "}", OTHER, None, "") for s in (0, 1, None)]
    other_state = flt.SyncFilter("contact", "Active", flt.FilterGroup(
        "and", (flt.Condition("statecode", "eq", (0,)),)))
    for filters in ([], [flt.mine("contact", "My Contacts")], [other_state],
                    [flt.mine("contact", "Mine"), other_state],
                    [flt.mine("task", "My Tasks")]):
        chosen = flt.filters_for(filters, "contact")
        compiled = flt.compile_filters(chosen, "contact", ME)
        for row in rows:
            assert compiled(row) == flt.matches_any(chosen, "contact", row, ME), (filters, row)


class PagedOrgSide(MemoryOrgSide):
    """A full read handed over in pages of two, like DataverseOrgSide's (``on_rows`` with
    ``next_page_on_its_way``); ``repeat`` hands one record over again on the last page, as
    a server may when a record changes while it is being paged."""

    repeat: str | None = None
    streams_pages = True

    def changes(self, kind, token, columns=None, on_rows=None):
        batch = super().changes(kind, token, columns)
        if token is not None or on_rows is None:
            return batch
        rows = list(batch.rows)
        if self.repeat and kind == "contact":
            again = self.org.record(kind, self.repeat)
            rows.append(again)
        pages = [rows[i:i + 2] for i in range(0, len(rows), 2)]
        held = []
        for n, page in enumerate(pages):
            self.next_page_on_its_way = n + 1 < len(pages)
            kept = on_rows(page)
            held += page if kept is None else kept
        self.next_page_on_its_way = False
        return type(batch)(held, batch.deleted, batch.token, batch.full)


def test_a_record_handed_over_twice_while_paging_becomes_one_item(tmp_path, monkeypatch):
    from wizard.engine.sync import plan

    staged = []
    real_stage = plan.stage

    def stage(run, plans):
        done = real_stage(run, plans)
        staged[:] = run.staged
        return done

    monkeypatch.setattr(plan, "stage", stage)
    w = World(tmp_path)
    try:
        w.side = w.sync.org = PagedOrgSide(w.org, ME)
        ids = [w.org.create("contact", {"firstname": "Ann", "lastname": f"Lee {n}"},
                            owner=ME) for n in range(7)]
        w.side.repeat = ids[0]
        w.org.update("contact", ids[0], {"jobtitle": "CEO"})
        w.run()
        assert staged and staged[0] == ids[0]
        items = contacts(w)
        assert sorted(i.org_record_id for i in items) == sorted(ids)   # no duplicate
        [first] = [i for i in items if i.org_record_id == ids[0]]
        assert first.data["job_title"] == "CEO"
        rows = w.sync.status.rows("contact")
        assert {st.local_id for st in rows.values()} == {i.local_id for i in items}
        assert w.run().actions == []
    finally:
        w.close()


def _paged_world(tmp_path, n, owner=ME):
    w = World(tmp_path)
    w.side = w.sync.org = PagedOrgSide(w.org, ME)
    ids = [w.org.create("contact", {"firstname": "Ann", "lastname": f"Lee {i}"}, owner=owner)
           for i in range(n)]
    return w, ids


def test_a_full_read_keeps_only_the_rows_it_still_needs(tmp_path, monkeypatch):
    """Staged new records are let go page by page (memory stays bounded as the org grows):
    the batch keeps only the last page, which is planned at the commit."""
    held = []
    real = PagedOrgSide.changes

    def changes(self, kind, token, columns=None, on_rows=None):
        batch = real(self, kind, token, columns, on_rows)
        if kind == "contact":
            held.append(len(batch.rows))
        return batch

    monkeypatch.setattr(PagedOrgSide, "changes", changes)
    w, ids = _paged_world(tmp_path, 9)
    try:
        report = w.run()
        assert held == [1]                       # pages of two: 4 staged, the fifth kept
        assert report.fetched["contact"] == 9 and report.counts() == {"mailbox-create": 9}
        assert sorted(i.org_record_id for i in contacts(w)) == sorted(ids)
        assert w.run().actions == []
    finally:
        w.close()


def test_staging_that_fails_half_way_still_creates_every_item_once(tmp_path, monkeypatch):
    import sqlite3

    from wizard.engine.sync.staging import Staging

    calls = []
    real_add = Staging.add

    def add(self, items, statuses):
        calls.append(len(items))
        if len(calls) == 2:
            raise sqlite3.OperationalError("database or disk is full")
        real_add(self, items, statuses)

    monkeypatch.setattr(Staging, "add", add)
    w, ids = _paged_world(tmp_path, 9)
    try:
        report = w.run()
        assert len(calls) == 2                   # no staging after the failure
        assert report.counts() == {"mailbox-create": 9}
        assert sorted(i.org_record_id for i in contacts(w)) == sorted(ids)   # no duplicate
        rows = w.sync.status.rows("contact")
        assert {st.local_id for st in rows.values()} == {i.local_id for i in contacts(w)}
        assert w.run().actions == []
    finally:
        w.close()


def test_a_full_read_whose_rows_were_all_let_go_is_not_an_emptied_org(tmp_path):
    """Rows handed over and let go (here: none matches the filters) still count: the
    org was not emptied, so its deletions are mirrored without the mass-deletion guard."""
    w, old = _paged_world(tmp_path, 3)
    try:
        w.run()
        for rid in old:
            w.org.delete("contact", rid)
        for i in range(4):
            w.org.create("contact", {"lastname": f"Theirs {i}"}, owner=OTHER)
        w.sync.status.set_token("contact", None, "")          # the next read is a full one
        report = w.run()
        assert report.full["contact"] is True and report.fetched["contact"] == 4
        assert report.counts() == {"mailbox-delete": 3} and contacts(w) == []
    finally:
        w.close()


def test_staging_adds_all_rows_or_none(tmp_path):
    import sqlite3

    from wizard.engine.sync.staging import Staging

    store = SqliteMailStore(tmp_path / "m.sqlite3")
    try:
        staging = Staging(store.conn)
        staging.add([("a", "contact", "{}", 1, "r-a", "org", 1, "h")],
                    [("o", "contact", "r-a", "a", "linked", None, "h", "{}", None, 1)])
        with pytest.raises(sqlite3.Error):
            staging.add([("b", "contact", "{}", 1, "r-b", "org", 1, "h")],
                        [("o", "contact", "r-b")])             # a short status row
        assert staging.count == 1
        assert store.conn.execute("SELECT local_id FROM sync_staging.staged_items").fetchall() == [("a",)]
        assert store.conn.execute("SELECT count(*) FROM sync_staging.staged_status").fetchone() == (1,)
        staging.close()
    finally:
        store.close()
