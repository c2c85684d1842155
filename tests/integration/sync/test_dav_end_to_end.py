"""End to end on real parts: the sandbox org -> a real Radicale (TLS, a user) -> edited by an
independent DAV client -> back to the org, all through ``d365-orgs`` subprocesses, the
password in the real keyring. And the plain errors of ``mailbox connect``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.fixtures.leaks import assert_no_secrets_under
from tests.fixtures.radicale import USERS
from wizard.engine import calcard
from wizard.sandbox import seed

pytestmark = [pytest.mark.sandbox, pytest.mark.keyring, pytest.mark.slow]

ALICE = seed.user_by_upn(f"alice@{seed.TENANT_DOMAIN}")
PW = seed.PRACTICE_PASSWORD
ORG = "contosojp"


def cli(sb, radicale, *argv, stdin=None, status=0, ca=True):
    cmd = [sys.executable, "-m", "wizard.cli", "--cloud-file", str(sb.cloud_file), "--json"]
    if ca:
        cmd += ["--ca-bundle", str(radicale.ca_file)]
    proc = subprocess.run([*cmd, *argv], input=stdin, capture_output=True, text=True,
                          timeout=180, env=dict(os.environ),
                          stdin=None if stdin is not None else subprocess.DEVNULL)
    out = json.loads(proc.stdout) if proc.stdout.strip() else None
    assert proc.returncode == status, (proc.stdout, proc.stderr)
    return out


def mine(sb, kind):
    key = "contactid" if kind == "contact" else "activityid"
    return {r[key]: r for r in sb.store.rows(ORG, kind)
            if r.get("_ownerid_value") == ALICE.systemuser_id}


def test_org_to_radicale_edited_elsewhere_and_back(sb, radicale, private_keyring, wizard_home):
    cli(sb, radicale, "signin", "--user", ALICE.upn, "--password-stdin", stdin=PW + "\n")
    cli(sb, radicale, "add", "--online", "--pick", ORG)
    password = USERS["ann"]
    found = cli(sb, radicale, "mailbox", "connect", "dav", radicale.url, "--user", "ann",
                "--password-stdin", stdin=password + "\n")
    assert {k: c["name"] for k, c in found["collections"].items()} == {
        "appointment": "Calendar", "task": "Tasks", "contact": "Contacts"}
    shown = cli(sb, radicale, "mailbox", "show")
    assert shown["side"] == "dav" and shown["stamp"] is None

    first = cli(sb, radicale, "sync")
    assert first["counts"]["mailbox-create"] > 0 and "org-create" not in first["counts"]
    dav = radicale.client("ann")
    cards = dav.items("contacts")
    contacts = mine(sb, "contact")
    assert len(cards) == len(contacts) > 0
    names = {calcard.parse(t).data.get("last_name") for t in cards.values()}
    assert {r.get("lastname") for r in contacts.values()} <= names
    assert cli(sb, radicale, "sync")["counts"] == {}
    assert cli(sb, radicale, "mailbox", "show")["stamp"]["org_id"] == seed.org_by_name(ORG).org_id

    # another program edits a contact, adds its own, and deletes a task
    name, text = next(iter(sorted(cards.items())))
    rid = calcard.parse(text).meta.org_record_id
    assert rid in contacts
    edited = calcard.parse(text)
    new = calcard.serialize("contact", {**edited.data, "job_title": "Edited in Radicale"},
                            uid=edited.uid, base=text.replace(
                                "END:VCARD", "CATEGORIES:Golf\r\nEND:VCARD"))
    assert dav.put("contacts", name, new, dav.get("contacts", name)[1]).status_code == 204
    dav.put("contacts", "own.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:own\r\nFN:My Friend\r\n"
                                   "N:Friend;My;;;\r\nEND:VCARD\r\n")
    tasks = dav.items("tasks")
    gone_name, gone_text = next(iter(sorted(tasks.items())))
    gone_rid = calcard.parse(gone_text).meta.org_record_id
    dav.delete("tasks", gone_name)
    back = cli(sb, radicale, "sync")
    assert back["counts"].get("org-update") == 1
    assert sb.store.get(ORG, "contact", rid)["jobtitle"] == "Edited in Radicale"
    assert not any(r.get("lastname") == "Friend" for r in sb.store.rows(ORG, "contact"))
    task_rows = {r["activityid"]: r for r in sb.store.rows(ORG, "task")}
    if gone_rid in mine(sb, "task") or gone_rid not in task_rows:
        assert gone_rid not in task_rows                        # the user's own: deleted
    assert "CATEGORIES:Golf" in dav.get("contacts", name)[0]    # the user's category stays

    # the org changes; a conflict on one field goes to the org
    sb.store.update(ORG, "contact", rid, {"mobilephone": "+81 90 0000 1111"})
    text, etag = dav.get("contacts", name)
    p = calcard.parse(text)
    dav.put("contacts", name, calcard.serialize("contact", {**p.data, "job_title": "Mine"},
                                                uid=p.uid, base=text), etag)
    sb.store.update(ORG, "contact", rid, {"jobtitle": "Theirs"})
    third = cli(sb, radicale, "sync")
    assert [c["field"] for c in third["conflicts"]] == ["jobtitle"]
    after = calcard.parse(dav.get("contacts", name)[0]).data
    assert after["mobile_phone"] == "+81 90 0000 1111" and after["job_title"] == "Theirs"
    assert cli(sb, radicale, "sync")["counts"] == {}

    # the org deletes: the item leaves the address book
    sb.store.delete(ORG, "contact", rid)
    assert cli(sb, radicale, "sync")["counts"] == {"mailbox-delete": 1}
    assert name not in dav.names("contacts") and "own.vcf" in dav.names("contacts")
    assert_no_secrets_under(wizard_home, [password, PW])


@pytest.mark.parametrize("case", ["wrong password", "no such collection", "not a DAV server",
                                  "untrusted certificate", "other user's collection",
                                  "sign-in without a password"])
def test_connect_errors_are_plain(sb, radicale, private_keyring, wizard_home, case):
    url, user, password, ca = radicale.url, "ann", USERS["ann"], True
    code = {"wrong password": "dav_auth_failed", "no such collection": "dav_not_found",
            "not a DAV server": "not_dav_server", "untrusted certificate": "tls_untrusted",
            "other user's collection": "dav_forbidden",
            "sign-in without a password": "dav_auth_unsupported"}[case]
    if case == "wrong password":
        password = "not-it"
    elif case == "no such collection":
        url = radicale.collection_url("nothing-here")
    elif case == "not a DAV server":
        url = sb.discovery_url
    elif case == "sign-in without a password":
        url = sb.org_urls[ORG]                          # Dataverse: Bearer tokens only
    elif case == "untrusted certificate":
        ca = False
    else:
        url = radicale.collection_url("calendar", "bob")
    err = cli(sb, radicale, "mailbox", "connect", "dav", url, "--user", user,
              "--password-stdin", stdin=password + "\n", status=1, ca=ca)
    assert err["error"]["code"] == code, err
    assert "Traceback" not in err["error"]["message"]
    assert cli(sb, radicale, "mailbox", "show")["side"] == "local"    # nothing changed
