"""The sync engine end to end against the sandbox's Dataverse Web API, one rule per test.

The module runs its own sandbox (its data changes here), with the Japan org, so nothing
leaks into other tests.
"""

from __future__ import annotations

import json
import socket

import pytest

from wizard.engine.dataverse import DataverseClient
from wizard.engine.http import make_session
from wizard.engine.mailstore import SqliteMailStore
from wizard.engine.stamp import MailboxStore, StampConflict
from wizard.engine.sync.addresses import apply_address_switch, plan_address_switch
from wizard.engine.sync.engine import NoSyncPrivilege, Synchronizer, SyncOffline
from wizard.engine.sync.staging import attached
from wizard.engine.sync.webapi import DataverseOrgSide
from wizard.sandbox import seed

pytestmark = pytest.mark.sandbox

ORG = "contosojp"
ALICE = seed.user_by_upn(f"alice@{seed.TENANT_DOMAIN}")
BOB = seed.user_by_upn(f"bob@{seed.TENANT_DOMAIN}")


class Env:
    def __init__(self, sb, tmp_path, user=ALICE, url=None):
        self.sb = sb
        self.url = url or sb.org_urls[ORG]
        self.session = make_session(ca_bundles=[sb.ca_file])
        token_url = sb.org_urls[ORG]
        client = DataverseClient(self.session, self.url,
                                 lambda: "Bearer " + sb.token(user.upn, token_url))
        self.side = DataverseOrgSide(client, org_id=seed.org_by_name(ORG).org_id,
                                     org_name="Contoso (Japan)")
        self.store = SqliteMailStore(tmp_path / "mailbox.sqlite3")
        self.stamp = MailboxStore(tmp_path / "mailbox.sqlite3")
        self.sync = Synchronizer(self.store, self.side, stamp_store=self.stamp)

    @property
    def data(self):
        return self.sb.store

    def rows(self, entity):
        return self.data.rows(ORG, entity)

    def titles(self, kind):
        return sorted(i.title for i in self.store.items(kind))

    def close(self):
        self.store.close()
        self.session.close()


@pytest.fixture
def env(sb, tmp_path):
    e = Env(sb, tmp_path)
    settings_before = dict(e.data.organization_row(ORG))
    yield e
    e.close()
    org_id = seed.org_by_name(ORG).org_id
    e.data.update(ORG, "organization", org_id, {
        k: settings_before[k] for k in ("isappointmentattachmentsyncenabled",
                                        "isassignedtaskssyncenabled",
                                        "iscontactmailingaddresssyncenabled",
                                        "isresourcebookingexchangesyncenabled")})


def set_org(env, **values):
    env.data.update(ORG, "organization", seed.org_by_name(ORG).org_id, values)


def test_initial_and_incremental_sync(env):
    report = env.sync.run()
    mine = [r for r in env.rows("contact") if r["_ownerid_value"] == ALICE.systemuser_id]
    contacts = env.store.items("contact")
    assert len(contacts) == len(mine) > 0
    assert {c.org_record_id for c in contacts} == {r["contactid"] for r in mine}
    calendar = {i.title: i for i in env.store.items("appointment")}
    # the series is one item with its pattern; the service activity is flagged
    assert calendar["Weekly pipeline review"].data["recurrence"].startswith("FREQ=WEEKLY")
    assert calendar["Boiler maintenance visit"].data.get("is_service_activity")
    assert "Lunch with a customer" not in calendar            # owned by someone else
    assert "Prepare the quote" not in env.titles("task")      # assigned away: setting off
    assert report.full["contact"] is True
    stamp = env.stamp.stamp()
    assert stamp.org_id == seed.org_by_name(ORG).org_id and stamp.last_sync is not None
    quiet = env.sync.run()
    assert quiet.actions == [] and quiet.fetched["contact"] == 0
    target = contacts[0]
    env.data.update(ORG, "contact", target.org_record_id, {"jobtitle": "Chief Buyer"})
    again = env.sync.run()
    assert again.full["contact"] is False and again.fetched["contact"] == 1
    assert env.store.get(target.local_id).data["job_title"] == "Chief Buyer"


def test_two_way_edits_and_logged_conflict(env):
    env.sync.run()
    item = env.store.items("contact")[1]
    env.store.update(item.local_id, {"mobile_phone": "+1 555 0100", "last_name": "Mailboxson"})
    env.data.update(ORG, "contact", item.org_record_id, {"lastname": "Orgson"})
    report = env.sync.run()
    row = env.data.get(ORG, "contact", item.org_record_id)
    assert row["mobilephone"] == "+1 555 0100"
    assert row["lastname"] == "Orgson"
    assert env.store.get(item.local_id).data["last_name"] == "Orgson"
    assert [(c.field, c.mailbox_value, c.winner) for c in report.conflicts] == [
        ("lastname", "Mailboxson", "org")]
    assert env.sync.status.conflicts()[0]["mailbox_value"] == "Mailboxson"
    assert env.sync.run().actions == []


def test_tracking_and_untracking_by_owner_and_non_owner(env):
    env.sync.run()
    mine = env.store.add("contact", {"first_name": "Tracked", "last_name": "Owned"})
    theirs = env.store.add("contact", {"first_name": "Tracked", "last_name": "Given"})
    env.sync.run()
    assert not any(r["lastname"] in ("Owned", "Given") for r in env.rows("contact"))
    env.store.set_tracked(mine.local_id, True)
    env.store.set_tracked(theirs.local_id, True)
    env.sync.run()
    mine_id = env.store.get(mine.local_id).org_record_id
    theirs_id = env.store.get(theirs.local_id).org_record_id
    assert env.data.get(ORG, "contact", mine_id)["_ownerid_value"] == ALICE.systemuser_id
    env.data.update(ORG, "contact", theirs_id, {"_ownerid_value": BOB.systemuser_id})
    env.sync.run()
    env.store.set_tracked(mine.local_id, False)
    env.store.set_tracked(theirs.local_id, False)
    report = env.sync.run()
    assert env.data.find(ORG, "contact", mine_id) is None           # owner: deleted
    assert env.data.find(ORG, "contact", theirs_id) is not None     # not owner: kept
    assert {a.op for a in report.actions} == {"org-delete", "unlink"}
    assert env.store.get(mine.local_id) is not None                 # the mailbox keeps both
    assert env.sync.run().actions == []


def test_record_leaving_the_filter_leaves_the_mailbox_only(env):
    env.sync.run()
    item = env.store.items("contact")[0]
    env.data.update(ORG, "contact", item.org_record_id, {"_ownerid_value": BOB.systemuser_id})
    env.sync.run()
    assert env.store.get(item.local_id) is None
    assert env.data.find(ORG, "contact", item.org_record_id) is not None
    env.data.update(ORG, "contact", item.org_record_id, {"_ownerid_value": ALICE.systemuser_id})
    env.sync.run()
    assert item.org_record_id in {i.org_record_id for i in env.store.items("contact")}


def test_stamp_gate_and_override(env):
    env.stamp.claim("a1b2c3d4-0001-4000-8000-000000000001", "Contoso (North America)")
    with pytest.raises(StampConflict, match="North America"):
        env.sync.run()
    assert env.store.items() == []
    env.sync.run(override_stamp=True)
    assert env.stamp.stamp().org_id == seed.org_by_name(ORG).org_id
    assert env.store.items("contact")


def test_user_without_privilege_gets_a_clear_refusal(sb, tmp_path):
    bob = Env(sb, tmp_path, user=BOB)
    try:
        with pytest.raises(NoSyncPrivilege, match="Sync to Outlook"):
            bob.sync.run()
        assert bob.store.items() == [] and bob.stamp.stamp() is None
    finally:
        bob.close()


def test_offline_edits_queue_and_are_pushed_when_the_org_returns(env, sb, tmp_path):
    env.sync.run()
    item = env.store.items("contact")[0]
    env.store.update(item.local_id, {"job_title": "Queued"})
    new = env.store.add("contact", {"last_name": "Offline-made"}, tracked=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    offline = Env(sb, tmp_path / "unused", url=f"https://127.0.0.1:{dead_port}")
    offline.store.close()
    offline.sync = Synchronizer(env.store, offline.side, stamp_store=env.stamp)
    try:
        with pytest.raises(SyncOffline) as err:
            offline.sync.run()
    finally:
        offline.session.close()
    assert err.value.pending == 2 and "queued" in str(err.value)
    env.sync.run()
    assert env.data.get(ORG, "contact", item.org_record_id)["jobtitle"] == "Queued"
    assert env.data.get(ORG, "contact", env.store.get(new.local_id).org_record_id)


def test_appointment_attachments_setting(env):
    env.sync.run()
    assert all("attachments" not in i.data for i in env.store.items("appointment"))
    set_org(env, isappointmentattachmentsyncenabled=True)
    env.sync.run()
    cal = {i.title: i for i in env.store.items("appointment")}
    names = [a["name"] for a in cal["Quarterly business review"].data["attachments"]]
    assert names == ["agenda.txt", "figures.csv"]
    assert "attachments" not in cal["Weekly pipeline review"].data      # recurring: never
    assert "attachments" not in cal["Boiler maintenance visit"].data    # service: never
    # a mailbox attachment reaches the org
    qbr = cal["Quarterly business review"]
    atts = qbr.data["attachments"] + [{"name": "notes.txt", "content_type": "text/plain",
                                       "data": "aGVsbG8="}]
    env.store.update(qbr.local_id, {"attachments": atts})
    env.sync.run()
    org_atts = [r["filename"] for r in env.rows("activitymimeattachment")
                if r["_objectid_value"] == qbr.org_record_id]
    assert sorted(org_atts) == ["agenda.txt", "figures.csv", "notes.txt"]


def test_assigned_tasks_setting(env):
    env.sync.run()
    assert "Prepare the quote" not in env.titles("task")
    set_org(env, isassignedtaskssyncenabled=True)
    env.sync.run()
    assert "Prepare the quote" in env.titles("task")
    set_org(env, isassignedtaskssyncenabled=False)
    env.sync.run()
    assert "Prepare the quote" not in env.titles("task")


def test_resource_bookings_setting(env):
    env.sync.run()
    assert not [t for t in env.titles("appointment") if t.startswith("Installation job")]
    set_org(env, isresourcebookingexchangesyncenabled=True)
    env.sync.run()
    jobs = [i for i in env.store.items("appointment") if i.data.get("is_resource_booking")]
    assert sorted(i.title for i in jobs) == ["Installation job 1", "Installation job 2"]
    set_org(env, isresourcebookingexchangesyncenabled=False)
    env.sync.run()
    assert not [i for i in env.store.items("appointment") if i.data.get("is_resource_booking")]


def test_contact_notes_can_be_kept_private(env):
    mapping = next(r for r in env.rows("syncattributemapping")
                   if r["entitytypecode"] == "contact" and r["attributecrmname"] == "description")
    env.data.update(ORG, "syncattributemapping", mapping["syncattributemappingid"],
                    {"syncdirection": 0})
    try:
        env.sync.run()
        noted = [r for r in env.rows("contact") if r.get("description")
                 and r["_ownerid_value"] == ALICE.systemuser_id]
        assert noted
        items = {i.org_record_id: i for i in env.store.items("contact")}
        assert all("notes" not in items[r["contactid"]].data for r in noted)
        target = items[noted[0]["contactid"]]
        env.store.update(target.local_id, {"notes": "private to me"})
        env.sync.run()
        assert env.data.get(ORG, "contact", target.org_record_id)["description"] == \
            noted[0]["description"]
    finally:
        env.data.update(ORG, "syncattributemapping", mapping["syncattributemappingid"],
                        {"syncdirection": 3})


def test_contact_address_switch_dry_run_backup_and_remap(env, tmp_path):
    env.sync.run()
    with_home = [r for r in env.rows("contact") if r.get("address2_line1")
                 and r["_ownerid_value"] == ALICE.systemuser_id]
    assert with_home
    items = {i.org_record_id: i for i in env.store.items("contact")}
    # one mailbox contact has its own, different Home address: it will be lost
    victim = items[with_home[0]["contactid"]]
    env.store.update(victim.local_id, {"home_address_street": "1 Private Lane"})
    env.sync.run()
    before = dict(env.data.organization_row(ORG))
    plan = plan_address_switch(env.sync, mailing_only=False)
    assert env.data.organization_row(ORG)["iscontactmailingaddresssyncenabled"] == \
        before["iscontactmailingaddresssyncenabled"]          # the dry run changed nothing
    by_id = {c.org_record_id: c for c in plan.contacts}
    assert set(by_id) >= {r["contactid"] for r in with_home}
    lost = [ch for ch in by_id[victim.org_record_id].changes if ch.lost]
    assert [(ch.field, ch.old) for ch in lost] == [("home_address_street", "1 Private Lane")]
    backup = apply_address_switch(env.sync, plan, tmp_path / "backups")
    saved = json.loads(backup.read_text())
    assert saved["mailbox"][victim.local_id]["home_address_street"] == "1 Private Lane"
    assert env.data.organization_row(ORG)["iscontactmailingaddresssyncenabled"] is False
    home = env.store.get(victim.local_id).data
    assert home["home_address_street"] == with_home[0]["address2_line1"]
    assert env.sync.run().actions == []


def test_offline_filters_keep_records_for_offline_use(env):
    env.sync.run()
    kept = env.sync.status.offline_records("contact")
    mine = [r for r in env.rows("contact") if r["_ownerid_value"] == ALICE.systemuser_id]
    assert {r["id"] for r in kept} == {r["contactid"] for r in mine}


def test_service_protection_429_is_waited_out(env):
    env.sb.faults.set("throttle", 1, count=2)      # the next two requests get 429, Retry-After 1
    try:
        report = env.sync.run()
    finally:
        env.sb.faults.reset()
    assert report.counts()["mailbox-create"] > 0
    assert env.sync.run().actions == []


def test_switching_orgs_never_pushes_the_previous_orgs_items(env, sb):
    """Switched with `d365-orgs use` (the stamp moves before the next sync): the items
    linked to the previous org stay in the mailbox, untracked, and none of them is
    created in the new org."""
    na = seed.org_by_name("contosona")
    na_url = sb.org_urls["contosona"]
    na_client = DataverseClient(env.session, na_url,
                                lambda: "Bearer " + sb.token(ALICE.upn, na_url))
    na_side = DataverseOrgSide(na_client, org_id=na.org_id, org_name=na.friendly_name)
    Synchronizer(env.store, na_side, stamp_store=env.stamp).run()
    from_na = {i.local_id for i in env.store.items() if i.tracked}
    assert from_na
    jp_before = {kind: len(env.rows(kind)) for kind in ("contact", "task", "appointment")}
    # What the registry's switch does: claim the stamp for the new org first.
    env.stamp.claim(seed.org_by_name(ORG).org_id, "Contoso (Japan)", override=True)

    report = env.sync.run()

    assert [(a.op, a.title) for a in report.actions if a.op.startswith("org-")] == []
    assert {kind: len(env.rows(kind)) for kind in jp_before} == jp_before
    kept = {i.local_id: i for i in env.store.items()}
    assert from_na <= set(kept)
    assert all(not kept[i].tracked and kept[i].org_record_id is None for i in from_na)
    assert any("no longer tracked" in n for n in report.notices)


def test_an_attachment_changed_alone_in_the_org_reaches_the_mailbox(env):
    set_org(env, isappointmentattachmentsyncenabled=True)
    env.sync.run()
    qbr = next(i for i in env.store.items("appointment")
               if i.title == "Quarterly business review")

    def names():
        return [a["name"] for a in env.store.get(qbr.local_id).data["attachments"]]

    before = names()
    added = env.data.create(ORG, "activitymimeattachment", {
        "filename": "minutes.txt", "subject": "minutes.txt", "mimetype": "text/plain",
        "body": "bWludXRlcw==", "objecttypecode": "appointment",
        "_objectid_value": qbr.org_record_id})
    report = env.sync.run()                 # the appointment itself did not change
    assert report.full["appointment"] is False
    assert names() == sorted(before + ["minutes.txt"])
    env.data.delete(ORG, "activitymimeattachment", added["activitymimeattachmentid"])
    env.sync.run()
    assert names() == before
    assert env.sync.run().actions == []


def test_email_tracking_and_untracking_against_the_org(env):
    from wizard.engine.sync.engine import EMAIL_NOTICE

    env.sync.run()
    known = next(r for r in env.rows("contact") if r.get("emailaddress1")
                 and r["_ownerid_value"] == ALICE.systemuser_id)
    sent: list[str] = []
    client = env.side.client
    real_request = client.request

    def recording(method, path, **kw):
        sent.append(f"{method} {path} {kw.get('params')} {kw.get('json')} {kw.get('data')}")
        return real_request(method, path, **kw)

    client.request = recording
    mine = env.store.add("email", {"sender": known["emailaddress1"], "to": [ALICE.upn],
                                   "subject": "Your quote", "body": "Body of the quote"},
                         tracked=True)
    given = env.store.add("email", {"sender": ALICE.upn, "to": [known["emailaddress1"]],
                                    "subject": "Follow-up", "body": "Body of the follow-up"},
                          tracked=True)
    stranger = env.store.add("email", {"sender": "nobody@unknown.example", "to": [ALICE.upn],
                                       "subject": "Lottery", "body": "Private body"},
                             tracked=True)
    report = env.sync.run()
    assert EMAIL_NOTICE in report.notices                     # said the first time
    emails = {r["subject"]: r for r in env.rows("email")}
    assert emails["Your quote"]["sender"] == known["emailaddress1"]
    assert emails["Your quote"]["description"] == "Body of the quote"
    assert emails["Follow-up"]["torecipients"] == known["emailaddress1"]
    assert "Lottery" not in emails
    assert not env.store.get(stranger.local_id).tracked
    assert [a.op for a in report.actions if a.local_id == stranger.local_id] == ["not-tracked"]
    # deciding used only sender, recipients and subject; an untracked body never left
    assert not any("Private body" in s for s in sent)
    assert EMAIL_NOTICE not in env.sync.run().notices         # only the first time
    assert env.sync.run().actions == []

    mine_id = env.store.get(mine.local_id).org_record_id
    given_id = env.store.get(given.local_id).org_record_id
    env.data.update(ORG, "email", given_id, {"_ownerid_value": BOB.systemuser_id})
    env.store.set_tracked(mine.local_id, False)
    env.store.set_tracked(given.local_id, False)
    env.sync.run()
    assert env.data.find(ORG, "email", mine_id) is None       # the user's own: deleted
    assert env.data.find(ORG, "email", given_id) is not None  # someone else's: kept
    assert env.store.get(mine.local_id) is not None and env.store.get(given.local_id)
    client.request = real_request


def test_an_initial_sync_in_small_pages_matches_one_in_large_pages(env, sb, tmp_path,
                                                                   monkeypatch):
    """Small pages exercise the pipelined path: new items staged in TEMP tables while the
    next page is fetched, the last page planned while SQLite copies them (plan.stage,
    commit.late_creates). The mailbox and status must equal a run in one page."""
    from wizard.engine.sync import plan

    staged = []
    real_stage = plan.stage

    def stage(run, plans):
        done = real_stage(run, plans)
        staged.extend(run.staged)
        return done

    monkeypatch.setattr(plan, "stage", stage)
    env.sync.run()
    staged.clear()
    small = Env(sb, tmp_path / "small")
    small.side.page_size = 2
    try:
        small.sync.run()
        assert staged, "the small pages were not staged"

        def content(e):
            return sorted((i.kind, i.org_record_id, i.hash, json.dumps(i.data, sort_keys=True))
                          for i in e.store.items())

        assert content(small) == content(env)
        rows = small.sync.status.rows("contact")
        items = {i.local_id: i for i in small.store.items("contact")}
        assert {st.local_id for st in rows.values()} == set(items)
        assert all(items[st.local_id].hash == st.local_hash for st in rows.values())
        seqs = [r[0] for r in small.store.conn.execute("SELECT seq FROM mail_items")]
        assert len(set(seqs)) == len(seqs) and 0 not in seqs
        assert not attached(small.store.conn)
        assert small.sync.run().actions == []            # nothing left to do
    finally:
        small.close()


def test_a_cancelled_initial_sync_leaves_the_mailbox_untouched(env):
    """Cancelled after the contacts were fetched, planned and staged: nothing changes."""
    import threading

    from wizard.engine.sync.engine import SyncCancelled

    env.side.page_size = 2
    cancel = threading.Event()
    env.sync.cancel = cancel
    env.sync.progress = lambda stage, done, total: (
        cancel.set() if stage == "reading appointments" else None)
    with pytest.raises(SyncCancelled):
        env.sync.run()
    assert env.store.items() == [] and env.sync.status.rows("contact") == {}
    assert not attached(env.store.conn)
    env.sync.cancel = None
    env.sync.run()
    assert len(env.store.items("contact")) > 0
