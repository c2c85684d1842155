"""Crash safety of the registry: SIGKILL at random moments, and processes writing at once.

The writer children add, switch and remove orgs in a loop and report each operation as
it starts and finishes; the test kills them with SIGKILL at random moments, hundreds of
times. After every kill the registry file must parse and hold either the content before
the operation in flight or the content after it, never a mix; exactly one org (or none,
after the primary was removed) synchronizes; and once the registry has been read again,
the mailbox stamp agrees with it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.registry_worker import open_registry, profile

ROOT = Path(__file__).resolve().parents[2]
KILLS = 300

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="the crash test forks writers (POSIX)"),
]


def worker(*args: str, **kw) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "tests.integration.registry_worker", *args],
                            cwd=ROOT, env=env, text=True, **kw)


def apply_op(model: list[list[str]], op: str, name: str) -> list[list[str]]:
    model = [list(x) for x in model]
    if op == "add":
        model.append([name, "none" if model else "mailbox"])
    elif op == "switch":
        for entry in model:
            entry[1] = "mailbox" if entry[0] == name else "none"
    elif op == "remove":
        model = [entry for entry in model if entry[0] != name]
    return model


def check_stamp_agrees(home: Path) -> None:
    registry = open_registry(home)
    orgs = registry.list()  # finishes a stamp change the killed writer left pending
    assert registry.load_warning is None
    primaries = [p for p in orgs if p.is_primary]
    assert len(primaries) <= 1
    stamp = registry.mailbox.stamp()
    if stamp is not None:
        assert primaries and stamp.org_id == primaries[0].org_id, (stamp, primaries)


def test_sigkill_during_writes_leaves_old_or_new_content(tmp_path):
    home = tmp_path / "home"
    registry_file = home / "config" / "organizations.json"
    rng = random.Random(20261122)
    zygote = worker("zygote", str(home), "7", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    model: list[list[str]] = []
    killed_mid_operation = 0
    operations_done = 0
    try:
        for round_no in range(KILLS):
            zygote.stdin.write("fork\n")
            zygote.stdin.flush()
            line = zygote.stdout.readline()
            assert line.startswith("child "), line
            pid = int(line.split()[1])
            # let it start a few operations, then kill it at a random moment of the current
            # one (or a little later): operations take milliseconds, so the kill lands
            # before, inside or after the temp-file write, the fsync or the rename
            zygote.stdin.write(f"wait {rng.randint(1, 2)}\n")
            zygote.stdin.flush()
            assert zygote.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0, 0.012))
            os.kill(pid, signal.SIGKILL)
            zygote.stdin.write("reap\n")
            zygote.stdin.flush()
            report = json.loads(zygote.stdout.readline())
            errors = [e[1] for e in report["events"] if e[0] == "E"]
            assert not errors, f"writer failed in round {round_no}:\n{errors[0]}"
            assert report["killed"], f"round {round_no}: the writer ended by itself"

            in_flight = None
            for kind, op, name in report["events"]:
                if kind == "s":
                    in_flight = (op, name)
                else:
                    assert in_flight == (op, name)
                    model = apply_op(model, op, name)
                    operations_done += 1
                    in_flight = None
            candidates = [model]
            if in_flight is not None:
                killed_mid_operation += 1
                candidates.append(apply_op(model, *in_flight))

            if registry_file.exists():  # read raw first: a damaged file must never exist
                data = json.loads(registry_file.read_bytes())
                assert data["schema_version"] == 1
                actual = [[o["display_name"], o["sync_method"]] for o in data["orgs"]]
            else:
                actual = []
            assert actual in candidates, (
                f"round {round_no}: registry holds neither the old nor the new content\n"
                f"actual={actual}\ncandidates={candidates}")
            assert sum(1 for _, method in actual if method == "mailbox") <= 1
            model = actual
            check_stamp_agrees(home)
        zygote.stdin.write("quit\n")
        zygote.stdin.flush()
        assert zygote.wait(timeout=30) == 0
    finally:
        if zygote.poll() is None:
            zygote.kill()
            zygote.wait()
        zygote.stdin.close()
        zygote.stdout.close()
    assert not list(registry_file.parent.glob("*.corrupt-*"))
    open_registry(home).add(profile("after-the-storm"))  # sweeps killed writers' temp files
    assert not list(registry_file.parent.glob(".organizations.json.*.tmp"))
    # the test did what it claims: most kills hit a running operation, and work got done
    assert killed_mid_operation > KILLS // 2, killed_mid_operation
    assert operations_done >= KILLS // 4, operations_done


def test_two_processes_adding_at_once_lose_nothing(tmp_path):
    home = tmp_path / "home"
    procs = [worker("adder", str(home), prefix, "50") for prefix in ("left", "right")]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    orgs = open_registry(home).list()
    names = sorted(p.display_name for p in orgs)
    expected = sorted([f"left-{i}" for i in range(50)] + [f"right-{i}" for i in range(50)])
    assert names == expected
    assert len({p.key for p in orgs}) == 100
    assert sum(p.is_primary for p in orgs) == 1
    assert orgs[0].is_primary  # the first one added, whichever process added it


def test_switching_while_another_process_adds(tmp_path):
    home = tmp_path / "home"
    assert worker("adder", str(home), "seed", "3").wait(timeout=60) == 0
    procs = [worker("adder", str(home), "more", "40"), worker("switcher", str(home), "40")]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    registry = open_registry(home)
    orgs = registry.list()
    assert len(orgs) == 43
    primaries = [p for p in orgs if p.is_primary]
    assert len(primaries) == 1
    assert registry.mailbox.stamp().org_id == primaries[0].org_id
