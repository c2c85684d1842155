"""d365-orgs sync / mailbox / settings as subprocesses, signed in to the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import vobject

from tests.fixtures.leaks import assert_no_secrets_under
from wizard.engine.stamp import MailboxStore
from wizard.sandbox import seed

pytestmark = [pytest.mark.sandbox, pytest.mark.keyring, pytest.mark.slow]

ALICE = f"alice@{seed.TENANT_DOMAIN}"
BOB = f"bob@{seed.TENANT_DOMAIN}"
PW = seed.PRACTICE_PASSWORD
ORG = "contosojp"


def run(sb, *argv, stdin=None, status=0):
    cmd = [sys.executable, "-m", "wizard.cli", "--cloud-file", str(sb.cloud_file), "--json",
           *argv]
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=180,
                          env=dict(os.environ),
                          stdin=None if stdin is not None else subprocess.DEVNULL)
    out = json.loads(proc.stdout) if proc.stdout.strip() else None
    assert proc.returncode == status, (proc.stdout, proc.stderr)
    return out


def sign_in(sb, user, org=ORG):
    run(sb, "signin", "--user", user, "--password-stdin", stdin=PW + "\n")
    run(sb, "add", "--online", "--pick", org)


def test_sync_mailbox_and_settings_from_the_command_line(sb, private_keyring, wizard_home,
                                                         tmp_path):
    sign_in(sb, ALICE)
    dry = run(sb, "sync", "--dry-run")
    assert dry["dry_run"] and dry["counts"]["mailbox-create"] > 0
    assert run(sb, "mailbox", "list")["items"] == []
    first = run(sb, "sync")
    assert first["counts"]["mailbox-create"] == dry["counts"]["mailbox-create"]
    assert run(sb, "sync")["counts"] == {}
    added = run(sb, "mailbox", "add", "--folder", "contacts", "--set", "first_name=Cli",
                "--set", "last_name=Person", "--track")
    assert run(sb, "sync")["counts"] == {"org-create": 1}
    rid = next(i for i in run(sb, "mailbox", "list", "--folder", "contacts")["items"]
               if i["local_id"] == added["local_id"])["org_record_id"]
    assert sb.store.get(ORG, "contact", rid)["lastname"] == "Person"
    run(sb, "mailbox", "edit", added["local_id"][:10], "--set", "job_title=Tester")
    assert run(sb, "sync")["counts"] == {"org-update": 1}
    assert sb.store.get(ORG, "contact", rid)["jobtitle"] == "Tester"
    run(sb, "mailbox", "untrack", added["local_id"])
    assert run(sb, "sync")["counts"] == {"org-delete": 1}
    assert sb.store.find(ORG, "contact", rid) is None

    shown = run(sb, "settings", "show")
    assert shown["settings"]["contact_addresses"] == "mailing" and shown["can_edit"]
    assert any(m["org_field"] == "description" for m in shown["fields"]["contact"])
    asked = run(sb, "settings", "set", "contact-addresses", "all", status=2)
    assert asked["applied"] is False and asked["plan"]["contacts"]
    assert run(sb, "settings", "show")["settings"]["contact_addresses"] == "mailing"
    done = run(sb, "settings", "set", "contact-addresses", "all", "--yes")
    assert done["applied"] and os.path.exists(done["backup"])
    assert run(sb, "settings", "show")["settings"]["contact_addresses"] == "all"
    run(sb, "settings", "set", "assigned-tasks", "on")
    assert "Prepare the quote" in {i["title"] for i in run(sb, "sync")["actions"]}
    out = tmp_path / "contacts.vcf"
    exported = run(sb, "mailbox", "export", "--folder", "contacts", "--out", str(out))
    cards = list(vobject.readComponents(out.read_text()))
    assert len(cards) == exported["items"] > 0
    ics = tmp_path / "calendar.ics"
    run(sb, "mailbox", "export", "--folder", "calendar", "--out", str(ics))
    assert "RRULE:FREQ=WEEKLY" in ics.read_text()
    assert_no_secrets_under(wizard_home, [PW])


def test_stamp_gate_and_non_synchronizing_org(sb, private_keyring, wizard_home):
    sign_in(sb, ALICE)
    run(sb, "add", sb.org_urls["contosona"], "--user", ALICE)
    err = run(sb, "sync", "--org", "contosona", status=1)
    assert err["error"]["code"] == "not_synchronizing_org"
    MailboxStore(wizard_home / "data" / "mailbox.sqlite3").claim(
        "0b0b0b0b-0000-4000-8000-000000000000", "Someone Else's Org", override=True)
    err = run(sb, "sync", status=1)
    assert err["error"]["code"] == "stamp_conflict"
    assert "Someone Else's Org" in err["error"]["message"]
    assert run(sb, "mailbox", "list")["items"] == []
    run(sb, "sync", "--override-stamp")
    stamp = MailboxStore(wizard_home / "data" / "mailbox.sqlite3").stamp()
    assert stamp.org_id == seed.org_by_name(ORG).org_id and stamp.last_sync


def test_user_without_the_privilege_is_refused(sb, private_keyring, wizard_home):
    sign_in(sb, BOB)
    err = run(sb, "sync", status=1)
    assert err["error"]["code"] == "no_sync_privilege"
    assert "Sync to Outlook" in err["error"]["message"]
    assert run(sb, "mailbox", "list")["items"] == []
    err = run(sb, "settings", "set", "assigned-tasks", "on", status=1)
    assert err["error"]["code"] == "no_sync_privilege"
