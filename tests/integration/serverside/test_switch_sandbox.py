"""The switch of the synchronizing org on the servers, against the sandbox over HTTPS (real
msal, the real Web API app, the real registry): every org's mailbox record, Test & Enable,
and each failure path (403, 401, offline, 412, Not Run, unapproved, configured elsewhere)."""

from __future__ import annotations

import threading
import uuid

import pytest

from tests.integration.serverside.helpers import (
    ALICE,
    BOB,
    JP,
    NA,
    ORG_ID,
    box,
    key_of,
    marked_primary,
    signed_in_engine,
    synchronizing,
)
from wizard.engine.errors import Action
from wizard.engine.http import Cancelled
from wizard.engine.serverside.errors import (
    AddressNotApproved,
    ConfiguredElsewhere,
    MailboxSignInRequired,
    MailboxTestNotRun,
    MailboxUnreachable,
    MailboxWriteDenied,
    ServerSideSynchronizes,
    SwitchStale,
)

pytestmark = pytest.mark.sandbox


@pytest.fixture
def engine(sandbox, wizard_home):
    engine = signed_in_engine(sandbox, wizard_home)
    yield engine
    engine.session.close()


def mailbox_writes(sandbox, since=0):
    return sandbox.requests.writes("mailboxes", since=since)


def test_switch_sets_none_elsewhere_and_the_new_org_takes_the_mailbox(sandbox, engine):
    # The seed: both orgs on Server-Side Synchronization, the Exchange stamp with NA.
    assert synchronizing(sandbox) == [NA, JP] and marked_primary(sandbox) == [NA]
    plan = engine.switcher.plan(JP)
    text = "\n".join(plan.summary_lines())
    assert "“Contoso (North America)” (contosona): appointments, contacts and tasks → None " \
           "(was Server-Side Synchronization)." in text
    assert "Test & Enable again with “this org only” (takes your Exchange mailbox from " \
           "“Contoso (North America)” (contosona))" in text
    assert "Your Exchange mailbox synchronizes with “Contoso (North America)”" in text
    assert plan.method == "server" and plan.override_suggested
    mark = sandbox.requests.mark()
    result = engine.switcher.apply(plan)
    plan.close()
    assert result.complete and result.error is None, result.lines()
    assert result.test_enable.state == "success"
    assert result.holders == [(key_of(engine, JP), engine.registry.get(JP).label)]
    assert synchronizing(sandbox) == [JP] and marked_primary(sandbox) == [JP]
    assert box(sandbox, JP)["actstatus"] == 1
    primary = engine.registry.primary()
    assert primary.unique_name == JP and primary.sync_via == "server"
    assert engine.mailbox.stamp().org_id == ORG_ID[JP]
    assert engine.registry.switch_journal() is None
    assert engine.registry.exchange_holder()["keys"] == [key_of(engine, JP)]
    writes = mailbox_writes(sandbox, mark)
    assert [(w.org, w.method) for w in writes].count((NA, "PATCH")) == 1
    assert [(w.org, w.method) for w in writes].count((JP, "PATCH")) == 2  # method+flag, T&E


def test_a_plan_that_is_not_applied_writes_nothing(sandbox, engine):
    mark = sandbox.requests.mark()
    registry_file = engine.registry.path.read_bytes()
    plan = engine.switcher.plan(JP)
    plan.close()
    assert engine.registry.path.read_bytes() == registry_file  # not even the cached holder
    assert sandbox.requests.entries(since=mark)               # it did read
    assert mailbox_writes(sandbox, mark) == [] and sandbox.requests.writes(since=mark) == []
    cancelled = threading.Event()
    cancelled.set()
    plan = engine.switcher.plan(JP)
    with pytest.raises(Cancelled):
        engine.switcher.apply(plan, cancel=cancelled)
    assert sandbox.requests.writes(since=mark) == []
    assert engine.registry.primary().unique_name == NA and engine.registry.switch_journal() is None


def test_configured_elsewhere_without_the_option_then_with_it(sandbox, engine):
    """The Exchange stamp names an org that is not in the list (a migration): Test & Enable
    without "this org only" fails with the conflict explained, with it it succeeds."""
    sandbox.store.exchange.set_holder(ALICE, str(uuid.uuid4()))
    plan = engine.switcher.plan(JP)
    assert not plan.override_suggested and plan.holders == []
    result = engine.switcher.apply(plan)
    te = result.test_enable
    assert te.state == "elsewhere" and isinstance(te.error, ConfiguredElsewhere)
    assert "configured with another organization" in te.error.message
    assert "this org only" in te.error.fix
    assert result.complete       # the records are as planned; the mailbox was not taken
    assert marked_primary(sandbox) == []
    steps = {s.name: s for s in engine.connector.run_test(engine.registry.get(JP))}
    assert steps["mailbox"].status == "warning" and steps["mailbox"].code == "configured_elsewhere"
    plan = engine.switcher.plan(JP)
    result = engine.switcher.apply(plan, override=True)
    assert result.test_enable.state == "success" and marked_primary(sandbox) == [JP]
    assert synchronizing(sandbox) == [JP]


def test_a_user_without_the_privilege_gets_a_message_per_org(sandbox, wizard_home):
    engine = signed_in_engine(sandbox, wizard_home, user=BOB)
    plan = engine.switcher.plan(JP)
    result = engine.switcher.apply(plan)
    plan.close()
    assert not result.complete and result.error.code == "switch_incomplete"
    # Bob's records say None in both orgs: only the new org's record needs a write.
    failed = {o.key: o.error for o in result.outcomes if o.state == "failed"}
    assert set(failed) == {key_of(engine, JP)}
    err = failed[key_of(engine, JP)]
    assert isinstance(err, MailboxWriteDenied) and err.action is Action.CONTACT_ADMIN
    assert "An administrator of “Contoso (Japan)”" in err.fix and "Mailbox: Write" in err.fix
    assert "set Appointments, Contacts, and Tasks to Server-Side Synchronization and Test & " \
           "Enable the mailbox" in err.fix
    assert "prvWriteMailbox" in err.details        # Dataverse's own words, for Details
    assert result.test_enable.state == "not_requested"
    journal = engine.registry.switch_journal()
    assert journal["phase"] == "incomplete"
    assert journal["orgs"][key_of(engine, JP)]["state"] == "failed"
    assert journal["orgs"][key_of(engine, JP)]["error"]["code"] == "mailbox_write_denied"
    assert journal["orgs"][key_of(engine, NA)]["state"] == "unchanged"
    assert engine.registry.primary().unique_name == JP      # the choice is recorded
    steps = {s.name: s for s in engine.connector.run_test(engine.registry.get(JP))}
    assert steps["switch"].status == "warning" and steps["switch"].data["action"] == \
        "finish_switch"
    engine.session.close()


def test_401_while_writing_is_reported_and_finished_later(sandbox, engine):
    plan = engine.switcher.plan(JP)
    sandbox.faults.set("token_expired")
    result = engine.switcher.apply(plan)
    plan.close()
    sandbox.faults.clear("token_expired")
    assert not result.complete
    assert {type(o.error) for o in result.problems} == {MailboxSignInRequired}
    assert result.problems[0].error.action is Action.SIGN_IN
    assert synchronizing(sandbox) == [NA, JP]                    # nothing was written
    finished = engine.switcher.finish()
    assert finished.complete and finished.test_enable.state == "success"
    assert synchronizing(sandbox) == [JP] and marked_primary(sandbox) == [JP]
    assert engine.registry.switch_journal() is None


def test_an_offline_org_is_named_and_the_switch_finished_when_it_is_back(sandbox, engine):
    na_url = engine.registry.get(NA).base_url
    engine.registry.update(NA, base_url="https://127.0.0.1:9")   # nothing listens there
    plan = engine.switcher.plan(JP)
    assert [r.profile.unique_name for r in plan.unreachable] == [NA]
    assert any("could not be read" in line and "Contoso (North America)" in line
               for line in plan.summary_lines())
    result = engine.switcher.apply(plan)
    plan.close()
    assert not result.complete
    assert [(o.key, type(o.error)) for o in result.problems] == [
        (key_of(engine, NA), MailboxUnreachable)]
    # Nobody readable held the mailbox, so Test & Enable ran without "this org only".
    assert result.test_enable.state == "elsewhere"
    engine.registry.update(NA, base_url=na_url)
    finished = engine.switcher.finish()
    assert finished.complete, finished.lines()
    assert finished.test_enable.state == "success"   # NA now readable: it holds, so taken
    assert synchronizing(sandbox) == [JP] and marked_primary(sandbox) == [JP]


def test_a_record_changed_since_the_plan_changes_nothing(sandbox, engine):
    plan = engine.switcher.plan(JP)
    before = {o: dict(box(sandbox, o)) for o in (NA, JP)}
    sandbox.faults.set("mailbox_changed", count=1)     # one of the two writes meets a change
    with pytest.raises(SwitchStale) as caught:
        engine.switcher.apply(plan)
    plan.close()
    assert "Nothing was changed" in caught.value.fix
    for org in (NA, JP):
        after = box(sandbox, org)
        for column in ("actdeliverymethod", "isactsyncorgflagset",
                       "orgmarkedasprimaryforexchangesync", "testemailconfigurationscheduled"):
            assert after[column] == before[org][column], (org, column)
    assert engine.registry.primary().unique_name == NA
    assert engine.registry.switch_journal() is None


def test_test_and_enable_that_stays_not_run(sandbox, engine):
    sandbox.faults.set("test_enable_stuck")
    plan = engine.switcher.plan(JP)
    mark = sandbox.requests.mark()
    result = engine.switcher.apply(plan, polls=3)
    plan.close()
    te = result.test_enable
    assert te.state == "not_run" and te.polls == 3 and isinstance(te.error, MailboxTestNotRun)
    assert "has not run yet" in te.note.text and "later" in te.error.fix
    reads = [e for e in sandbox.requests.entries(since=mark)
             if e.org == JP and e.method == "GET" and e.entity_set == "mailboxes"]
    assert len(reads) == 3 + 1          # three checks, then the read-back
    assert result.complete and engine.registry.switch_journal() is None


def test_an_unapproved_address_is_an_administrators_step(sandbox, engine):
    row = box(sandbox, JP)
    sandbox.store.update(JP, "mailbox", row["mailboxid"], {"emailrouteraccessapproval": 2})
    plan = engine.switcher.plan(JP)
    assert any(n.code == "not_approved" for n in plan.notes())
    result = engine.switcher.apply(plan)
    plan.close()
    te = result.test_enable
    assert te.state == "not_approved" and isinstance(te.error, AddressNotApproved)
    assert te.error.action is Action.CONTACT_ADMIN and "administrator" in te.error.fix
    assert "Pending Approval" in te.error.message
    # The connection test of the synchronizing org warns (it does not fail) about the address.
    steps = {s.name: s for s in engine.connector.run_test(engine.registry.get(JP))}
    assert steps["mailbox"].status == "warning" and steps["mailbox"].code == "address_not_approved"
    assert isinstance(steps["mailbox"].text, AddressNotApproved)
    assert steps["stamp"].status != "skipped"       # a warning does not skip the steps after it


def test_this_computer_method_and_the_local_sync_gate(sandbox, engine):
    from wizard.engine.sync.run import open_synchronizer

    plan = engine.switcher.plan(JP, method="computer")
    mark = sandbox.requests.mark()
    result = engine.switcher.apply(plan)
    plan.close()
    assert result.complete and result.test_enable is None
    assert box(sandbox, JP)["actdeliverymethod"] == 0 and box(sandbox, NA)["actdeliverymethod"] == 2
    assert [w.org for w in mailbox_writes(sandbox, mark)].count(JP) == 1   # no Test & Enable
    assert engine.registry.primary().sync_via == "computer"
    sync, store = open_synchronizer(engine)        # the local engine may sync it
    store.close()
    plan = engine.switcher.plan(JP, method="server")
    engine.switcher.apply(plan, override=True)
    plan.close()
    with pytest.raises(ServerSideSynchronizes) as refused:
        open_synchronizer(engine)
    assert "server-side synchronization" in refused.value.message
    assert "This computer" in refused.value.fix
    sync, store = open_synchronizer(engine, settings_only=True)   # its settings still open
    store.close()


def test_status_and_the_one_click_none_elsewhere(sandbox, engine):
    report = engine.switcher.status()
    views = {v.read.profile.unique_name: v for v in report.orgs}
    assert views[JP].notes and views[JP].notes[0].code == "set_none"  # JP is not primary
    assert report.holders == [(key_of(engine, NA), engine.registry.get(NA).label)]
    steps = {s.name: s for s in engine.connector.run_test(engine.registry.get(JP))}
    assert steps["mailbox"].status == "warning" and steps["mailbox"].code == "not_none"
    assert steps["mailbox"].data["action"] == "set_none_elsewhere"
    outcomes = engine.switcher.set_none_elsewhere()
    assert [(o.key, o.state) for o in outcomes] == [(key_of(engine, JP), "done")]
    assert synchronizing(sandbox) == [NA]
    steps = {s.name: s for s in engine.connector.run_test(engine.registry.get(NA))}
    assert all(s.status == "passed" for s in steps.values()), \
        {n: (s.status, s.message) for n, s in steps.items() if s.status != "passed"}


def test_connection_test_of_the_synchronizing_org_on_none_fails_with_a_fix(sandbox, engine):
    row = box(sandbox, NA)
    sandbox.store.update(NA, "mailbox", row["mailboxid"], {"actdeliverymethod": 2})
    steps = {s.name: s for s in engine.connector.run_test(engine.registry.get(NA))}
    assert steps["mailbox"].status == "failed" and steps["mailbox"].code == "mailbox_not_syncing"
    assert "Choose it again" in steps["mailbox"].fix


def test_separate_test_and_enable_command(sandbox, engine):
    sandbox.store.exchange.set_holder(ALICE, str(uuid.uuid4()))
    outcome = engine.switcher.test_enable(NA)
    assert outcome.state == "elsewhere"
    outcome = engine.switcher.test_enable(NA, override=True)
    assert outcome.state == "success" and marked_primary(sandbox) == [NA]
