"""A hypothesis state machine: random edits on both sides interleaved with syncs.

After every sync: a second sync has nothing to do (convergence), no org record is linked
to two mailbox items and no record the filters select is missing or doubled (no
duplicates), every edit made since the previous sync survives on both sides, except
where both sides changed the same field, which is a logged conflict the org wins
(no lost edits).
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from wizard.engine.mailstore import SqliteMailStore
from wizard.engine.sync import filters as flt
from wizard.engine.sync.engine import MassDeletionRefused, Synchronizer, SyncOffline
from wizard.engine.sync.orgside import MemoryOrg, MemoryOrgSide

ME, OTHER = "user-me", "user-other"
FIELDS = {"last_name": "lastname", "job_title": "jobtitle", "business_address_city": "address1_city"}
VALUES = st.sampled_from(["Ada", "Bo", "Cy", "Di", ""])
CITIES = st.sampled_from(["Oslo", "Rome", ""])
FILTERS = {
    "mine": [],
    "all": [flt.SyncFilter("contact", "All")],
    "oslo": [flt.SyncFilter("contact", "Oslo", flt.FilterGroup(
        "and", (flt.Condition("address1_city", "eq", ("Oslo",)),)))],
}


def _record_edit(edits: dict, base: dict, key: tuple[str, str], current: str,
                 value: str) -> None:
    """Note an edit of ``key`` from ``current`` to ``value``; an edit back to the value the
    field had at the last sync cancels the earlier ones."""
    if base.setdefault(key, current) == value:
        edits.pop(key, None)
    else:
        edits[key] = value


class SyncMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="syncsm-"))
        self.org = MemoryOrg()
        self.org.privileged = {ME}
        self.side = MemoryOrgSide(self.org, ME)
        counter = itertools.count(1)
        self.store = SqliteMailStore(self.dir / "mailbox.sqlite3",
                                     clock=lambda: float(next(counter)),
                                     id_factory=lambda: f"local-{next(counter):06d}")
        self.sync = Synchronizer(self.store, self.side,
                                 id_factory=lambda: f"00000000-0000-4000-8000-{next(counter):012d}")
        self._init_model()

    def _init_model(self) -> None:
        self.mb_edits: dict[tuple[str, str], str] = {}     # (local id, mailbox field) -> value
        self.org_edits: dict[tuple[str, str], str] = {}    # (record id, org field) -> value
        # The value a field had before its first edit since the last sync: an edit that puts
        # it back is no edit (the engine compares with the last synced state, not history).
        self.mb_base: dict[tuple[str, str], str] = {}
        self.org_base: dict[tuple[str, str], str] = {}
        self.untracked: dict[str, str] = {}                # record id -> owner, untracked here

    def teardown(self):
        self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers --------------------------------------------------------------------------
    def links(self) -> dict[str, str]:
        """org record id -> local id, from the status db."""
        return {rid: r.local_id for rid, r in self.sync.status.rows("contact").items()
                if r.state == "linked" and r.local_id}

    # -- org-side edits -------------------------------------------------------------------
    @rule(owner=st.sampled_from([ME, OTHER]), name=VALUES, city=CITIES)
    def org_create(self, owner, name, city):
        self.org.create("contact", {"lastname": name or "X", "address1_city": city}, owner=owner)

    @precondition(lambda self: self.org.tables["contact"])
    @rule(data=st.data(), field=st.sampled_from(sorted(FIELDS.values())), value=VALUES)
    def org_update(self, data, field, value):
        rid = data.draw(st.sampled_from(sorted(self.org.tables["contact"])))
        current = self.org.tables["contact"][rid].get(field) or ""
        if current != value:
            self.org.update("contact", rid, {field: value})
            _record_edit(self.org_edits, self.org_base, (rid, field), current, value)

    @precondition(lambda self: self.org.tables["contact"])
    @rule(data=st.data())
    def org_delete(self, data):
        rid = data.draw(st.sampled_from(sorted(self.org.tables["contact"])))
        self.org.delete("contact", rid)
        self.org_edits = {k: v for k, v in self.org_edits.items() if k[0] != rid}

    @precondition(lambda self: self.org.tables["contact"])
    @rule(data=st.data(), owner=st.sampled_from([ME, OTHER]))
    def org_reassign(self, data, owner):
        rid = data.draw(st.sampled_from(sorted(self.org.tables["contact"])))
        self.org.update("contact", rid, {"_ownerid_value": owner})

    @rule(name=st.sampled_from(sorted(FILTERS)))
    def change_filter(self, name):
        self.org.userqueries[ME] = FILTERS[name]

    # -- mailbox-side edits ---------------------------------------------------------------
    @rule(tracked=st.booleans(), name=VALUES, city=CITIES)
    def mb_create(self, tracked, name, city):
        self.store.add("contact", {"last_name": name or "Y", "business_address_city": city},
                       tracked=tracked)

    @precondition(lambda self: self.store.count("contact"))
    @rule(data=st.data(), field=st.sampled_from(sorted(FIELDS)), value=VALUES)
    def mb_update(self, data, field, value):
        item = data.draw(st.sampled_from(self.store.items("contact")))
        current = item.data.get(field) or ""
        if current != value:
            self.store.update(item.local_id, {field: value})
            _record_edit(self.mb_edits, self.mb_base, (item.local_id, field), current, value)

    @precondition(lambda self: self.store.count("contact"))
    @rule(data=st.data())
    def mb_delete(self, data):
        item = data.draw(st.sampled_from(self.store.items("contact")))
        self.store.delete(item.local_id)
        self.mb_edits = {k: v for k, v in self.mb_edits.items() if k[0] != item.local_id}

    @precondition(lambda self: self.store.count("contact"))
    @rule(data=st.data(), tracked=st.booleans())
    def mb_track(self, data, tracked):
        item = data.draw(st.sampled_from(self.store.items("contact")))
        self.store.set_tracked(item.local_id, tracked)

    @rule()
    def offline_attempt(self):
        self.side.online = False
        try:
            self.sync.run()
        except SyncOffline:
            pass
        else:
            raise AssertionError("a sync with the org unreachable must report it")
        finally:
            self.side.online = True

    # -- syncing --------------------------------------------------------------------------
    @rule()
    def synchronize(self):
        before_links = self.links()
        before_status = self.sync.status.rows("contact")
        try:
            report = self.sync.run()
        except MassDeletionRefused:
            report = self.sync.run(allow_mass_delete=True)
        conflicts = {(c.org_record_id, c.field) for c in report.conflicts}
        links = self.links()
        local_to_org = {v: k for k, v in {**before_links, **links}.items()}
        org_rows = self.org.tables["contact"]

        # no lost edits: mailbox edits
        for (lid, mfield), value in self.mb_edits.items():
            ofield = FIELDS[mfield]
            item = self.store.get(lid)
            rid = local_to_org.get(lid) or (item.org_record_id if item else None)
            conflicted = rid is not None and (rid, ofield) in conflicts
            expected = self.org_edits.get((rid, ofield), value) if conflicted else value
            if conflicted:
                assert self.org_edits.get((rid, ofield)) is not None
            if item is not None:
                assert (item.data.get(mfield) or "") == expected, (lid, mfield)
                if item.org_record_id and item.org_record_id in links:
                    assert (org_rows[item.org_record_id].get(ofield) or "") == expected
            elif rid is not None and rid in org_rows:
                # left the mailbox (filter) after its edits were sent
                assert (org_rows[rid].get(ofield) or "") == expected, (rid, ofield)
        # no lost edits: org edits
        org_to_local = {**before_links, **links}
        for (rid, ofield), value in self.org_edits.items():
            if rid not in org_rows:
                continue
            assert (org_rows[rid].get(ofield) or "") == value
            lid = links.get(rid)
            if lid is not None:
                item = self.store.get(lid)
                assert (item.data.get(_mb(ofield)) or "") == value, (rid, ofield)
        del org_to_local, before_status
        self.mb_edits.clear()
        self.org_edits.clear()
        self.mb_base.clear()
        self.org_base.clear()

        # converged: a second sync has nothing to do
        again = self.sync.run(allow_mass_delete=True)
        assert again.actions == [], [a.to_dict() for a in again.actions]
        assert again.conflicts == []
        self._synced_state_ok()

    @invariant()
    def no_duplicates(self):
        items = self.store.items("contact")
        linked = [i.org_record_id for i in items if i.org_record_id]
        assert len(linked) == len(set(linked))
        rows = self.sync.status.rows("contact")
        local_ids = [r.local_id for r in rows.values() if r.state == "linked"]
        assert len(local_ids) == len(set(local_ids))

    def _synced_state_ok(self):
        """Everything the filters select is in the mailbox exactly once."""
        rows = self.sync.status.rows("contact")
        by_org = {i.org_record_id: i for i in self.store.items("contact") if i.org_record_id}
        for rid, row in self.org.tables["contact"].items():
            ctx_filters = flt.filters_for(self.org.userqueries.get(ME, []), "contact")
            wanted = flt.matches_any(ctx_filters, "contact", row, ME)
            st_row = rows.get(rid)
            if wanted and not (st_row and st_row.state == "excluded"):
                assert rid in by_org, rid
            if rid in by_org:
                item = by_org[rid]
                for mfield, ofield in FIELDS.items():
                    assert (item.data.get(mfield) or "") == (row.get(ofield) or "")

    @rule()
    def sync_and_check_membership(self):
        try:
            self.sync.run()
        except MassDeletionRefused:
            self.sync.run(allow_mass_delete=True)
        self.mb_edits.clear()
        self.org_edits.clear()
        self.mb_base.clear()
        self.org_base.clear()
        self._synced_state_ok()


def _mb(ofield: str) -> str:
    return {v: k for k, v in FIELDS.items()}[ofield]


SyncMachine.TestCase.settings = settings(
    max_examples=75, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_sync_state_machine = SyncMachine.TestCase


class VdirSyncMachine(SyncMachine):
    """The same machine over the vdir side: the mailbox is a folder of .vcf files."""

    def __init__(self):
        from wizard.engine.sync.vdir import VdirSide

        RuleBasedStateMachine.__init__(self)
        self.dir = Path(tempfile.mkdtemp(prefix="syncsm-vdir-"))
        self.org = MemoryOrg()
        self.org.privileged = {ME}
        self.side = MemoryOrgSide(self.org, ME)
        counter = itertools.count(1)
        self.store = VdirSide(self.dir / "vdir", self.dir / "index.sqlite3",
                              clock=lambda: float(next(counter)))
        self.sync = Synchronizer(self.store, self.side,
                                 id_factory=lambda: f"00000000-0000-4000-8000-{next(counter):012d}")
        self._init_model()


VdirSyncMachine.TestCase.settings = settings(
    max_examples=20, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_vdir_sync_state_machine = VdirSyncMachine.TestCase


def test_an_edit_put_back_is_no_edit():
    """Found by the machine: a mailbox field set and cleared again since the last sync is
    unchanged, so the org's edit of it arrives without a conflict (and the other way)."""
    machine = SyncMachine()
    try:
        machine.org_create(owner=ME, name="Ada", city="Oslo")
        machine.synchronize()
        [item] = machine.store.items("contact")
        rid = item.org_record_id
        machine.store.update(item.local_id, {"job_title": "Bo"})
        machine.store.update(item.local_id, {"job_title": ""})
        machine.org.update("contact", rid, {"jobtitle": "Ada"})
        report = machine.sync.run()
        assert report.conflicts == []
        assert machine.store.get(item.local_id).data.get("job_title") == "Ada"
        machine.store.update(item.local_id, {"last_name": "Cy"})
        machine.org.update("contact", rid, {"address1_city": "Rome"})
        machine.org.update("contact", rid, {"address1_city": "Oslo"})
        report = machine.sync.run()
        assert report.conflicts == []
        assert machine.org.tables["contact"][rid]["lastname"] == "Cy"
        assert machine.org.tables["contact"][rid]["address1_city"] == "Oslo"
    finally:
        machine.teardown()
