"""Set Regarding end to end: d365-orgs as subprocesses, the real sandbox over HTTPS, the real
keyring. The org's activity gets the regarding record at the next sync; the local databases
hold its type and id only, never its name or any other of its fields."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.integration.sync.test_cli_sync import ALICE, ORG, run, sign_in
from wizard.sandbox.store import deterministic_id

pytestmark = [pytest.mark.sandbox, pytest.mark.keyring, pytest.mark.slow]


def account_id(n: int) -> str:
    return deterministic_id(ORG, "account", n)


def task_row(sb, org_record_id):
    return sb.store.get(ORG, "task", org_record_id)


def org_id_of(sb, local_id):
    return next(i for i in run(sb, "mailbox", "list", "--folder", "tasks")["items"]
                if i["local_id"] == local_id)["org_record_id"]


def sqlite_text(home: Path) -> str:
    """Everything in every SQLite database (and write-ahead log) under ``home``."""
    out = []
    for path in home.rglob("*"):
        if not path.is_file():
            continue
        head = path.read_bytes()[:16]
        if head == b"SQLite format 3\x00":
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
                out += list(conn.iterdump())
        if path.name.endswith("-wal") or head == b"SQLite format 3\x00":
            out.append(path.read_bytes().decode("utf-8", "replace"))
    assert out, f"no SQLite file under {home}"
    return "\n".join(out)


def test_set_regarding_reaches_the_org_and_stores_ids_only(sb, private_keyring, wizard_home):
    sign_in(sb, ALICE)
    run(sb, "sync")
    task = run(sb, "mailbox", "add", "--folder", "tasks", "--set", "subject=Call the customer")
    fabrikam = account_id(0)
    assert sb.store.get(ORG, "account", fabrikam)["name"] == "Fabrikam"

    # Searching online: "Fabrikam" is an account, an opportunity and a case; the exact name wins.
    tracked = run(sb, "mailbox", "track", task["local_id"], "--regarding-search", "Fabrikam")
    assert tracked["tracked"] and tracked["offline"] is False
    assert tracked["regarding"] == {"type": "account", "id": fabrikam,
                                    "value": f"account:{fabrikam}", "name": "Fabrikam"}
    assert tracked["data"]["regarding"] == f"account:{fabrikam}"
    assert run(sb, "sync")["counts"] == {"org-create": 1}
    rid = org_id_of(sb, task["local_id"])
    assert task_row(sb, rid)["_regardingobjectid_value"] == fabrikam

    shown = run(sb, "mailbox", "regarding", task["local_id"])
    assert shown["regarding"]["name"] == "Fabrikam" and shown["offline"] is False

    # Nothing of the account but its id and table is kept on this computer.
    text = sqlite_text(wizard_home)
    assert f"account:{fabrikam}" in text
    account = sb.store.get(ORG, "account", fabrikam)
    for value in ("Fabrikam", account["emailaddress1"], account["telephone1"],
                  account["accountnumber"]):
        assert value not in text, value

    # Changed in the org: the mailbox follows at the next sync.
    contact = deterministic_id(ORG, "contact", 3)
    sb.store.update(ORG, "task", rid, {"_regardingobjectid_value": contact})
    assert run(sb, "sync")["counts"] == {"mailbox-update": 1}
    shown = run(sb, "mailbox", "regarding", task["local_id"])
    assert shown["regarding"]["value"] == f"contact:{contact}"
    assert shown["regarding"]["name"] == sb.store.get(ORG, "contact", contact)["fullname"]

    # Both sides change it: a conflict like any field's (the org wins by default).
    run(sb, "mailbox", "regarding", task["local_id"], "--set", f"account:{account_id(1)}")
    sb.store.update(ORG, "task", rid, {"_regardingobjectid_value": account_id(2)})
    report = run(sb, "sync")
    assert [c["field"] for c in report["conflicts"]] in (["regarding"], ["regardingobjectid"])
    assert task_row(sb, rid)["_regardingobjectid_value"] == account_id(2)
    assert run(sb, "mailbox", "regarding", task["local_id"])["regarding"]["value"] == \
        f"account:{account_id(2)}"

    # Cleared in the mailbox: cleared in the org.
    cleared = run(sb, "mailbox", "regarding", task["local_id"], "--clear")
    assert cleared["regarding"] is None and "regarding" not in cleared["item"]["data"]
    assert run(sb, "sync")["counts"] == {"org-update": 1}
    assert task_row(sb, rid)["_regardingobjectid_value"] is None


def test_offline_search_queues_and_sends_later(sb, private_keyring, wizard_home):
    sign_in(sb, ALICE)
    run(sb, "sync")
    task = run(sb, "mailbox", "add", "--folder", "tasks", "--set", "subject=Offline",
               "--track")
    run(sb, "sync")
    rid = org_id_of(sb, task["local_id"])
    contact = deterministic_id(ORG, "contact", 0)
    name = sb.store.get(ORG, "contact", contact)["fullname"]
    sb.faults.set("drop_connection")
    try:
        found = run(sb, "mailbox", "regarding", task["local_id"], "--search", name)
        assert found["offline"] is True
        assert found["regarding"]["value"] == f"contact:{contact}"
        # the sync cannot reach the org either: the change stays queued
        run(sb, "sync", status=1)
    finally:
        sb.faults.clear("drop_connection")
    assert task_row(sb, rid)["_regardingobjectid_value"] is None
    report = run(sb, "sync")
    assert [(a["op"], a["fields"]) for a in report["actions"]
            if a["op"].startswith("org-")] == [("org-update", ["regardingobjectid"])]
    assert task_row(sb, rid)["_regardingobjectid_value"] == contact


def test_refusals_carry_codes(sb, private_keyring, wizard_home):
    sign_in(sb, ALICE)
    run(sb, "sync")
    task = run(sb, "mailbox", "add", "--folder", "tasks", "--set", "subject=Refusals")
    contact = next(i for i in run(sb, "mailbox", "list", "--folder", "contacts")["items"])
    out = run(sb, "mailbox", "regarding", contact["local_id"], "--set",
              f"account:{account_id(0)}", status=1)
    assert out["error"]["code"] == "regarding_not_activity"
    out = run(sb, "mailbox", "track", task["local_id"], "--regarding", "queue:123", status=1)
    assert out["error"]["code"] == "invalid_regarding"
    out = run(sb, "mailbox", "regarding", task["local_id"], "--search", "zzz-nothing", status=1)
    assert out["error"]["code"] == "regarding_no_match"
    out = run(sb, "mailbox", "regarding", task["local_id"], "--search", "at", status=1)
    assert out["error"]["code"] == "regarding_ambiguous"
    sb.faults.set("read_denied", "lead")
    try:
        out = run(sb, "mailbox", "regarding", task["local_id"], "--search", "Noah",
                  "--type", "lead", status=1)
        assert out["error"]["code"] == "regarding_type_unavailable"
        # without --type the unreadable table is simply not searched
        out = run(sb, "mailbox", "regarding", task["local_id"], "--search", "Noah", status=1)
        assert out["error"]["code"] == "regarding_no_match"
    finally:
        sb.faults.clear("read_denied")
    found = run(sb, "mailbox", "regarding", task["local_id"], "--search", "Noah")
    assert found["regarding"]["type"] == "lead" and found["regarding"]["name"] == "Noah Keller"
    assert run(sb, "mailbox", "list", "--folder", "tasks")["items"][-1]["tracked"] is True
