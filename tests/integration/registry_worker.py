"""Processes for the registry crash and concurrency tests (run with ``python -m``).

``zygote HOME SEED``: imports the engine once, then, for every line ``fork`` on stdin,
forks a writer child that changes the registry in a loop (add, switch, remove) and prints
``child PID``. ``wait N`` answers ``ready`` once the child has started its N-th operation.
The test kills that child with SIGKILL whenever it likes and then sends ``reap``; the zygote
answers with one JSON line: the operations the child started and finished
(``[["s", op, name], ["d", op, name], ...]``) and how it ended. Forking from one warm process
keeps hundreds of kills cheap; the zygote is single-threaded, so forking is safe.

``adder HOME PREFIX COUNT``: adds COUNT orgs named PREFIX-0... one by one, then exits.
``switcher HOME COUNT``: switches the synchronizing org COUNT times among existing orgs.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import traceback
import uuid
from pathlib import Path

from wizard.engine.orgs import OrgProfile, OrgRegistry
from wizard.engine.stamp import MailboxStore

MAX_ORGS = 40
NAMESPACE = uuid.UUID("6f1c3f2e-6d1d-4c33-9b64-6a1c1d1f0a11")


class NoSecrets:
    """The crash test is about the registry file; the keyring is not involved."""

    def delete_org(self, org_key: str) -> None:
        pass


def open_registry(home: Path) -> OrgRegistry:
    config, data = home / "config", home / "data"
    return OrgRegistry(config / "organizations.json", secrets=NoSecrets(),
                       mailbox=MailboxStore(data / "mailbox.sqlite3"))


def profile(name: str) -> OrgProfile:
    return OrgProfile(base_url=f"https://{name}.crm.dynamics.com", display_name=name,
                      unique_name=name, org_id=str(uuid.uuid5(NAMESPACE, name)))


def writer_loop(home: Path, out_fd: int, seed: int) -> None:
    rng = random.Random(seed)
    registry = open_registry(home)

    def say(*parts: str) -> None:
        os.write(out_fd, (json.dumps(parts) + "\n").encode())

    while True:
        orgs = registry.list()
        roll = rng.random()
        if len(orgs) < 3 or (roll < 0.45 and len(orgs) < MAX_ORGS):
            used = {p.display_name for p in orgs}
            n = 0
            while f"org-{n}" in used:
                n += 1
            name = f"org-{n}"
            say("s", "add", name)
            registry.add(profile(name))
            say("d", "add", name)
        elif roll < 0.9:
            name = rng.choice(orgs).display_name
            plan = registry.plan_switch(name)
            if not plan.changes_anything:
                continue
            say("s", "switch", name)
            registry.apply(plan)
            say("d", "switch", name)
        else:
            name = rng.choice(orgs).display_name
            say("s", "remove", name)
            registry.remove(name)
            say("d", "remove", name)


def zygote(home: Path, seed: int) -> None:
    rng = random.Random(seed)
    child = None
    read_fd = -1
    buffer = b""
    for line in sys.stdin:
        command, *arg = line.split()
        if command == "fork":
            read_fd, write_fd = os.pipe()
            child_seed = rng.randrange(2**32)
            buffer = b""
            child = os.fork()
            if child == 0:  # the writer
                os.close(read_fd)
                code = 0
                try:
                    writer_loop(home, write_fd, child_seed)
                except BaseException:  # noqa: BLE001 - reported to the test, then exit
                    os.write(write_fd, (json.dumps(["E", traceback.format_exc()]) + "\n").encode())
                    code = 3
                os._exit(code)
            os.close(write_fd)
            print(f"child {child}", flush=True)
        elif command == "wait" and child is not None:
            # until the child has started operation N (so a kill lands in real work,
            # however slow the machine is)
            wanted = int(arg[0])
            while buffer.count(b'["s"') < wanted:
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    break
                buffer += chunk
            print("ready", flush=True)
        elif command == "reap" and child is not None:
            _, status = os.waitpid(child, 0)
            while True:
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    break
                buffer += chunk
            os.close(read_fd)
            events = [json.loads(x) for x in buffer.decode().splitlines() if x]
            killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
            print(json.dumps({"events": events, "killed": killed}), flush=True)
            child = None
        elif command == "quit":
            break


def adder(home: Path, prefix: str, count: int) -> None:
    registry = open_registry(home)
    for i in range(count):
        registry.add(profile(f"{prefix}-{i}"))


def switcher(home: Path, count: int) -> None:
    registry = open_registry(home)
    rng = random.Random(count)
    for _ in range(count):
        orgs = registry.list()
        if orgs:
            registry.apply(registry.plan_switch(rng.choice(orgs).key))


if __name__ == "__main__":
    mode, home_arg, *rest = sys.argv[1:]
    home_path = Path(home_arg)
    if mode == "zygote":
        zygote(home_path, int(rest[0]))
    elif mode == "adder":
        adder(home_path, rest[0], int(rest[1]))
    elif mode == "switcher":
        switcher(home_path, int(rest[0]))
    else:
        raise SystemExit(f"unknown mode {mode}")
