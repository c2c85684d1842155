"""The server-side plan without a network: what is written per org for each method and
option, when Test & Enable runs, and what the journal says is left."""

from __future__ import annotations

import pytest

from wizard.engine.orgs import OrgProfile, OrgRegistry
from wizard.engine.secrets import MemorySecretStore
from wizard.engine.serverside import journal as jr
from wizard.engine.serverside.errors import MailboxUnreachable, ServerSideSynchronizes
from wizard.engine.serverside.records import MailboxRecord
from wizard.engine.serverside.switch import OrgRead, ServerSwitchPlan, check_local_sync
from wizard.engine.stamp import MailboxStore

ID_A = "aaaaaaaa-0000-4000-8000-000000000001"
ID_B = "bbbbbbbb-0000-4000-8000-000000000002"
ID_C = "cccccccc-0000-4000-8000-000000000003"


@pytest.fixture
def registry(tmp_path):
    reg = OrgRegistry(tmp_path / "orgs.json", secrets=MemorySecretStore(),
                      mailbox=MailboxStore(tmp_path / "mailbox.sqlite3"))
    for name, org_id in (("alpha", ID_A), ("beta", ID_B), ("gamma", ID_C)):
        reg.add(OrgProfile(base_url=f"https://{name}.crm.dynamics.com", display_name=name,
                           unique_name=name, org_id=org_id))
    return reg


def record(method=1, holds=False, status=0, approval=1, etag='W/"1"'):
    return MailboxRecord.from_row({
        "mailboxid": "11111111-0000-4000-8000-000000000001", "@odata.etag": etag,
        "emailaddress": "a@example.com", "actdeliverymethod": method, "actstatus": status,
        "orgmarkedasprimaryforexchangesync": holds, "emailrouteraccessapproval": approval})


def plan_for(registry, target, records):
    local = registry.plan_switch(target)
    reads = {}
    for p in registry.list():
        rec = records.get(p.unique_name)
        reads[p.key] = OrgRead(p, rec, error=None if rec else MailboxUnreachable(
            org=p.label, reason="offline"))
    takes = any(r.record and r.record.holds_exchange and r.key != local.to_org.key
                for r in reads.values())
    return ServerSwitchPlan(local, "server", takes, reads, [p.key for p in registry.list()])


def wants(plan, method=None, override=None):
    return {c.label.split("”")[0].strip("“"): c.want for c in plan.changes(method, override)}


def test_others_to_none_and_the_target_takes_the_mailbox_from_a_listed_holder(registry):
    plan = plan_for(registry, "beta", {"alpha": record(1, holds=True, status=1),
                                       "beta": record(1), "gamma": record(2)})
    assert plan.override_suggested
    assert wants(plan) == {"alpha": {"actdeliverymethod": 2},
                           "beta": {"isactsyncorgflagset": True}, "gamma": {}}
    assert plan.tests_and_enables()
    text = "\n".join(n.text for n in plan.notes())
    assert "“alpha”: appointments, contacts and tasks → None (was Server-Side Synchronization)" \
        in text
    assert "takes your Exchange mailbox from “alpha”" in text and "“gamma”: appointments, " \
        "contacts and tasks stay None." in text


def test_without_the_option_no_flag_is_written(registry):
    plan = plan_for(registry, "beta", {"alpha": record(1, holds=True), "beta": record(0),
                                       "gamma": record(1)})
    assert wants(plan, override=False)["beta"] == {"actdeliverymethod": 1}
    assert wants(plan, override=True)["beta"] == {"actdeliverymethod": 1,
                                                  "isactsyncorgflagset": True}


def test_this_computer_sets_outlook_and_runs_no_test(registry):
    plan = plan_for(registry, "beta", {"alpha": record(1, holds=True), "beta": record(1),
                                       "gamma": record(1)})
    assert wants(plan, "computer") == {"alpha": {"actdeliverymethod": 2},
                                       "beta": {"actdeliverymethod": 0},
                                       "gamma": {"actdeliverymethod": 2}}
    assert not plan.tests_and_enables("computer")


def test_a_holder_already_on_server_side_sync_is_not_tested_again(registry):
    registry.mailbox.claim(ID_A, "alpha")
    plan = plan_for(registry, "alpha", {"alpha": record(1, holds=True, status=1),
                                        "beta": record(2), "gamma": record(2)})
    assert not plan.override_suggested and not plan.tests_and_enables()
    assert plan.changes()[0].note.code == "holds_already"
    assert not plan.changes_anything()


def test_unreachable_orgs_are_named_and_not_written(registry):
    plan = plan_for(registry, "beta", {"beta": record(1), "gamma": record(1)})
    change = plan.changes()[0]
    assert change.want == {} and change.problem is not None and change.note.code == "unreachable"
    assert any(n.code == "holder_unknown" for n in plan.notes())


def test_an_unapproved_address_is_named_in_the_plan(registry):
    plan = plan_for(registry, "beta", {"alpha": record(2), "beta": record(1, approval=2),
                                       "gamma": record(2)})
    note = next(n for n in plan.notes() if n.code == "not_approved")
    assert "Pending Approval" in note.text and "administrator" in note.text


def test_the_journal_summary_names_what_is_left():
    journal = jr.new_journal(target_key="k", target_label="“beta”", method="server",
                             override=False, started_at="2026-01-01T00:00:00Z", orgs={
                                 "a": {"label": "“alpha”", "state": "failed",
                                       "error": {"message": "HTTP 403"}},
                                 "b": {"label": "“beta”", "state": "done"}})
    assert jr.summary(journal) == "not changed yet: “alpha” (HTTP 403)."
    assert [k for k, _ in jr.open_orgs(journal)] == ["a"]


def test_the_local_sync_gate(registry):
    profile = registry.primary()
    check_local_sync(profile)                         # not chosen: this computer syncs
    profile.sync_via = "server"
    with pytest.raises(ServerSideSynchronizes):
        check_local_sync(profile)


def test_old_organization_lists_load_and_keep_working(tmp_path):
    import json

    path = tmp_path / "orgs.json"
    path.write_text(json.dumps({"schema_version": 1, "orgs": [
        {"base_url": "https://alpha.crm.dynamics.com", "display_name": "alpha", "key": "k1",
         "org_id": ID_A, "sync_method": "mailbox"}]}))
    reg = OrgRegistry(path, secrets=MemorySecretStore(),
                      mailbox=MailboxStore(tmp_path / "mailbox.sqlite3"))
    profile = reg.primary()
    assert profile.sync_via is None and not profile.synchronizes_on_server
    assert reg.switch_journal() is None
