"""``d365-orgs use``, ``mailbox status`` and ``mailbox test-enable`` as subprocesses against the
sandbox, and a switch killed with SIGKILL right after each of its writes reached the server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid

import pytest

from tests.integration.serverside.helpers import ALICE, JP, NA, ORG_ID, box, marked_primary, synchronizing
from wizard.sandbox import seed

pytestmark = [pytest.mark.sandbox, pytest.mark.keyring, pytest.mark.slow]


def command(sandbox, *argv):
    return [sys.executable, "-m", "wizard.cli", "--cloud-file", str(sandbox.cloud_file),
            "--json", *argv]


def run(sandbox, *argv, stdin=None, status=0):
    proc = subprocess.run(command(sandbox, *argv), input=stdin, capture_output=True, text=True,
                          timeout=180, env=dict(os.environ),
                          stdin=None if stdin is not None else subprocess.DEVNULL)
    out = json.loads(proc.stdout) if proc.stdout.strip() else None
    assert proc.returncode == status, (proc.stdout, proc.stderr)
    return out


@pytest.fixture
def signed_in(sandbox, private_keyring, wizard_home):
    run(sandbox, "signin", "--user", ALICE, "--password-stdin",
        stdin=seed.PRACTICE_PASSWORD + "\n")
    run(sandbox, "add", "--online", "--pick", NA, "--pick", JP)
    return wizard_home


def registry_state(home) -> dict:
    from wizard.engine.paths import AppPaths

    return json.loads(AppPaths.resolve(home).registry_file.read_text())


def test_use_switches_every_record_and_without_yes_writes_nothing(sandbox, signed_in):
    mark = sandbox.requests.mark()
    refused = run(sandbox, "use", JP, status=1)         # no terminal, no --yes
    assert refused["error"]["code"] == "confirmation_required"
    assert sandbox.requests.writes(since=mark) == []    # read the records, wrote nothing
    assert synchronizing(sandbox) == [NA, JP]

    dry = run(sandbox, "use", JP, "--dry-run")
    assert dry["plan"]["exchange_holders"] and dry["plan"]["override_suggested"] is True
    assert any("→ None (was Server-Side Synchronization)" in line
               for line in dry["plan"]["summary"])

    done = run(sandbox, "use", JP, "--yes")
    assert done["complete"] is True and done["test_enable"]["state"] == "success"
    assert synchronizing(sandbox) == [JP] and marked_primary(sandbox) == [JP]
    state = registry_state(signed_in)
    assert [o["unique_name"] for o in state["orgs"] if o["sync_method"] == "mailbox"] == [JP]
    assert "switch" not in state

    status = run(sandbox, "mailbox", "status")
    assert [o["record"]["actdeliverymethod"] for o in status["orgs"]] == [2, 1]
    assert status["exchange_holders"] == [o["key"] for o in state["orgs"]
                                          if o["unique_name"] == JP]
    again = run(sandbox, "use", JP, "--yes")
    assert again["switched"] is False                  # nothing to change any more
    listed = subprocess.run([a for a in command(sandbox, "list") if a != "--json"],
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert "mailbox (server-side)" in listed.stdout
    assert "Exchange mailbox: synchronizes with Contoso (Japan)" in listed.stdout


def test_human_output_and_the_conflict_explained(sandbox, signed_in):
    sandbox.store.exchange.set_holder(ALICE, str(uuid.uuid4()))     # a migrated user
    proc = subprocess.run([a for a in command(sandbox, "use", JP, "--yes") if a != "--json"],
                          capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert proc.returncode == 1, proc.stderr
    assert "configured with another organization" in proc.stdout
    assert "Run: d365-orgs use contosojp --override-stamp" in proc.stdout
    assert "Traceback" not in proc.stderr
    out = run(sandbox, "mailbox", "test-enable", JP, status=1)
    assert out["error"]["code"] == "configured_elsewhere"
    out = run(sandbox, "mailbox", "test-enable", JP, "--override-stamp")
    assert out["state"] == "success" and marked_primary(sandbox) == [JP]


def test_test_enable_not_run_is_a_plain_message(sandbox, signed_in):
    sandbox.faults.set("test_enable_stuck")
    out = run(sandbox, "use", JP, "--yes", "--wait", "0")
    assert out["test_enable"]["state"] == "not_run" and out["test_enable"]["polls"] == 1
    assert "has not run yet" in out["message"]


def _kill_at_write(sandbox, proc: subprocess.Popen, n: int) -> threading.Event:
    """Kill ``proc`` right after the sandbox has processed its ``n``-th mailbox write (the
    hook runs before the answer is sent): the write is done, the client never learns it."""
    killed = threading.Event()
    count = [0]
    lock = threading.Lock()

    def hook(entry) -> None:
        if entry.is_write and entry.entity_set == "mailboxes":
            with lock:
                count[0] += 1
                hit = count[0] == n
            if hit:
                os.kill(proc.pid, signal.SIGKILL)
                killed.set()

    sandbox.requests.on_request.append(hook)
    return killed


@pytest.mark.parametrize("kill_at", [1, 2, 3])
def test_sigkill_at_each_write_then_the_next_command_finishes(sandbox, signed_in, kill_at):
    """A switch NA -> JP writes three times (NA to None and JP's "this org only" in
    parallel, then JP's Test & Enable). Killed after write ``kill_at``: ``test`` reports the
    unfinished switch and ``use`` (no ORG) finishes it; then exactly one org synchronizes."""
    proc = subprocess.Popen(command(sandbox, "use", JP, "--yes"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    killed = _kill_at_write(sandbox, proc, kill_at)
    proc.communicate(timeout=180)
    assert killed.is_set() and proc.returncode == -signal.SIGKILL
    sandbox.requests.on_request.clear()
    journal = registry_state(signed_in).get("switch")
    assert journal is not None and journal["target_label"].startswith("“Contoso (Japan)”")

    test = run(sandbox, "test", JP, status=0)
    step = next(s for s in test["steps"] if s["name"] == "switch")
    assert step["status"] == "warning" and step["data"]["action"] == "finish_switch"

    finished = run(sandbox, "use", "--yes")
    assert finished["complete"] is True, finished
    assert synchronizing(sandbox) == [JP] and marked_primary(sandbox) == [JP]
    assert box(sandbox, JP)["actstatus"] == 1
    state = registry_state(signed_in)
    assert [o["unique_name"] for o in state["orgs"] if o["sync_method"] == "mailbox"] == [JP]
    assert "switch" not in state
    from wizard.engine.paths import AppPaths
    from wizard.engine.stamp import MailboxStore

    assert MailboxStore(AppPaths.resolve(signed_in).mailbox_db).stamp().org_id == ORG_ID[JP]
