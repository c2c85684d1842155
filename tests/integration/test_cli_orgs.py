"""``d365-orgs list|add|remove|rename|use`` as real subprocesses (no TTY, like CI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wizard.engine.paths import AppPaths
from wizard.engine.stamp import MailboxStore

ROOT = Path(__file__).resolve().parents[2]
ID_A = "aaaaaaaa-0000-0000-0000-000000000001"
ID_B = "bbbbbbbb-0000-0000-0000-000000000002"
ID_X = "eeeeeeee-0000-0000-0000-00000000000e"


def run(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, D365_WIZARD_HOME=str(home), PYTHONPATH=str(ROOT))
    env.pop("PYTHON_KEYRING_BACKEND", None)
    return subprocess.run([sys.executable, "-m", "wizard.cli", *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=60)


def run_json(home: Path, *args: str) -> tuple[int, dict]:
    proc = run(home, *args, "--json")
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture
def home(wizard_home):
    return wizard_home


def add_two(home: Path) -> None:
    assert run(home, "add", "https://contoso.crm4.dynamics.com/main.aspx?appid=1&pagetype=x",
               "--no-connect", "--name", "Contoso Sales", "--org-id", ID_A).returncode == 0
    assert run(home, "add", "http://crmsrv:5555/Fabrikam/main.aspx", "--no-connect",
               "--org-id", ID_B).returncode == 0


def test_list_when_empty(home):
    proc = run(home, "list")
    assert proc.returncode == 0
    assert "No organizations yet" in proc.stdout and "d365-orgs add URL" in proc.stdout
    code, data = run_json(home, "list")
    assert code == 0 and data == {"orgs": [], "primary": None, "stamp": None, "warnings": []}


def test_add_list_and_readd(home, leak_check):
    proc = run(home, "add", "https://contoso.crm4.dynamics.com/main.aspx?appid=1", "--no-connect",
               "--name", "Contoso Sales", "--org-id", ID_A)
    assert proc.returncode == 0, proc.stderr
    assert "Added “Contoso Sales”" in proc.stdout and "synchronizes with your mailbox" in proc.stdout
    code, data = run_json(home, "add", "http://crmsrv:5555/Fabrikam", "--no-connect")
    assert code == 0 and data["created"] is True
    org = data["org"]
    assert (org["base_url"], org["kind"], org["display_name"], org["sync_method"]) == (
        "http://crmsrv:5555/fabrikam", "onprem", "fabrikam", "none")
    # the same org again (another address form): updated, not duplicated
    code, data = run_json(home, "add", "HTTPS://contoso.crm4.dynamics.com/", "--no-connect")
    assert code == 0 and data["created"] is False
    code, data = run_json(home, "list")
    assert [o["display_name"] for o in data["orgs"]] == ["Contoso Sales", "fabrikam"]
    assert [o["index"] for o in data["orgs"]] == [1, 2]
    assert data["orgs"][0]["primary"] is True and data["primary"] == data["orgs"][0]["key"]
    text = run(home, "list").stdout
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["#", "Name", "Unique"]
    assert lines[1].startswith("*") and "Contoso Sales" in lines[1] and "mailbox" in lines[1]
    assert not lines[2].startswith("*") and lines[2].rstrip().endswith("none")
    assert "Mailbox stamp: none" in text
    leak_check()


def test_add_without_no_connect_connects_and_fails_cleanly(home):
    # ``add`` connects (auth capability); this machine has no network, so it fails before
    # signing in and records nothing.
    code, data = run_json(home, "add", "https://contoso.crm.dynamics.com")
    assert code == 1
    assert data["error"]["code"] in ("dns_failed", "connection_refused", "timeout",
                                     "proxy_failed", "tls_failed")
    assert run_json(home, "list")[1]["orgs"] == []


def test_add_bad_url_json_error(home):
    code, data = run_json(home, "add", "ftp://contoso.crm.dynamics.com", "--no-connect")
    assert code == 1 and data["error"]["code"] == "invalid_url"
    assert data["error"]["message"]


def test_add_with_a_taken_name_is_refused_before_writing(home):
    add_two(home)
    code, data = run_json(home, "add", "https://northwind.crm.dynamics.com", "--no-connect",
                          "--name", "contoso sales")
    assert code == 1 and data["error"]["code"] == "invalid_name"
    assert len(run_json(home, "list")[1]["orgs"]) == 2


def test_rename(home):
    add_two(home)
    proc = run(home, "rename", "2", "Fabrikam On-Prem")
    assert proc.returncode == 0 and "Renamed “fabrikam” to “Fabrikam On-Prem”" in proc.stdout
    code, data = run_json(home, "rename", "fabrikam on-prem", "contoso SALES")
    assert code == 1 and data["error"]["code"] == "invalid_name"
    assert "already called" in data["error"]["message"]
    proc = run(home, "rename", "1", "Bad\tname")
    assert proc.returncode == 1 and proc.stderr.startswith("error: ") and "tab" in proc.stderr


def test_unknown_org_lists_what_exists(home):
    add_two(home)
    code, data = run_json(home, "use", "northwind")
    assert code == 1 and data["error"]["code"] == "org_not_found"
    assert "1. Contoso Sales" in data["error"]["message"]
    assert "2. fabrikam" in data["error"]["message"]


def test_use_without_yes_and_without_a_tty_changes_nothing(home):
    add_two(home)
    proc = run(home, "use", "fabrikam")
    assert proc.returncode == 1
    assert "--yes" in proc.stderr and "Nothing was changed" in proc.stderr
    assert "“fabrikam” will start synchronizing" in proc.stderr  # the plan was shown
    code, data = run_json(home, "use", "fabrikam")
    assert code == 1 and data["error"]["code"] == "confirmation_required"
    assert "--yes" in data["error"]["message"]
    assert run_json(home, "list")[1]["orgs"][0]["primary"] is True
    assert MailboxStore(AppPaths.resolve(home).mailbox_db).stamp() is None


def test_use_dry_run_shows_the_plan(home):
    add_two(home)
    code, data = run_json(home, "use", "2", "--dry-run")
    assert code == 0 and data["switched"] is False
    assert data["plan"]["from"]["display_name"] == "Contoso Sales"
    assert any("will stop synchronizing" in line for line in data["plan"]["summary"])
    assert run_json(home, "list")[1]["orgs"][0]["primary"] is True


def test_use_with_yes_switches_and_stamps(home, leak_check):
    """Orgs added without connecting: the list and the stamp switch, and the switch says it
    is not finished, because the orgs' mailbox records could not be read (nothing is sent
    for an org that was never connected)."""
    add_two(home)
    proc = run(home, "use", "fabrikam", "--yes")
    assert proc.returncode == 1, proc.stderr
    assert "“fabrikam” now synchronizes" in proc.stdout
    assert "“Contoso Sales” no longer does" in proc.stdout
    assert "has not been connected yet" in proc.stdout
    assert "d365-orgs use   (finishes the switch)" in proc.stdout
    code, data = run_json(home, "list")
    assert [o["sync_method"] for o in data["orgs"]] == ["none", "mailbox"]
    assert data["stamp"]["org_id"] == ID_B
    assert "Mailbox stamp: fabrikam, organization ID " + ID_B in run(home, "list").stdout
    code, data = run_json(home, "use", "fabrikam", "--yes")
    assert code == 1 and data["error"]["code"] == "switch_incomplete"
    assert data["primary"]["display_name"] == "fabrikam" and data["complete"] is False
    leak_check()


def test_use_with_a_foreign_stamp_needs_override(home):
    add_two(home)
    MailboxStore(AppPaths.resolve(home).ensure().mailbox_db).claim(ID_X, "Litware")
    code, data = run_json(home, "use", "2", "--yes")
    assert code == 1 and data["error"]["code"] == "stamp_conflict"
    assert "Litware" in data["error"]["message"]
    assert "Nothing was changed" in data["error"]["message"]
    assert "--override-stamp" in data["error"]["message"]
    code, data = run_json(home, "use", "2", "--yes", "--override-stamp")
    assert data["switched"] is True and data["stamp"]["org_id"] == ID_B
    assert code == 1 and data["error"]["code"] == "switch_incomplete"   # never connected


def test_use_an_org_without_an_id(home):
    run(home, "add", "https://contoso.crm.dynamics.com", "--no-connect")
    run(home, "add", "https://fabrikam.crm.dynamics.com", "--no-connect")
    code, data = run_json(home, "use", "2", "--yes")
    assert code == 1 and data["error"]["code"] == "switch_not_possible"


def test_remove_needs_yes_without_a_tty(home):
    add_two(home)
    code, data = run_json(home, "remove", "2")
    assert code == 1 and data["error"]["code"] == "confirmation_required"
    assert len(run_json(home, "list")[1]["orgs"]) == 2


def test_remove_the_primary_leaves_none(home, leak_check):
    add_two(home)
    run(home, "use", "1", "--yes")
    code, data = run_json(home, "remove", "Contoso Sales", "--yes")
    assert code == 0, data
    assert data["was_primary"] is True and data["stamp_released"] is True
    assert "no organization synchronizes" in data["message"]
    code, data = run_json(home, "list")
    assert [o["primary"] for o in data["orgs"]] == [False] and data["stamp"] is None
    assert "No organization synchronizes with your mailbox" in run(home, "list").stdout
    leak_check()


def test_a_damaged_registry_is_reported_once(home):
    add_two(home)
    registry_file = AppPaths.resolve(home).registry_file
    registry_file.write_text("{not json")
    proc = run(home, "list")
    assert proc.returncode == 0
    assert "warning: The organization list was damaged" in proc.stderr
    assert "No organizations yet" in proc.stdout
    assert list(registry_file.parent.glob("organizations.json.corrupt-*"))
    assert "damaged" not in run(home, "list").stderr


def test_a_damaged_registry_in_json_mode(home):
    add_two(home)
    AppPaths.resolve(home).registry_file.write_text("{not json")
    code, data = run_json(home, "list")
    assert code == 0 and data["orgs"] == []
    assert len(data["warnings"]) == 1 and "moved to" in data["warnings"][0]


def test_list_survives_a_damaged_mailbox_store(home):
    add_two(home)
    db = AppPaths.resolve(home).ensure().mailbox_db
    db.write_bytes(b"not a database at all" * 200)
    proc = run(home, "list")
    assert proc.returncode == 0
    assert "Contoso Sales" in proc.stdout
    assert "warning: The mailbox stamp could not be read" in proc.stderr
