"""``d365-orgs deploy --replace`` killed at a counted event (run with ``python -m``).

``python -m tests.integration.deploy_kill_worker`` imports the CLI once, then reads lines
``run HOME FILE N`` on stdin. For each it forks a child that runs ``d365-orgs --home HOME
deploy FILE --replace`` and SIGKILLs itself right before its N-th file-system event (a file
opened for writing, a rename, a removal, a folder made: counted by an audit hook, so kills
land on events, never on moments of the clock); ``N=0`` never kills. The zygote answers
``exit CODE EVENTS`` (``EVENTS``: how many events the child saw before it ended).

The keyring is a JSON file (``HOME/keyring.json``) written like any other file, so its
writes are events too and a kill can land between the registry write and the keyring's.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
from pathlib import Path

import wizard.cli
import wizard.engine.context  # noqa: F401 - warm imports before forking
import wizard.engine.deploy  # noqa: F401 - imported before the fork, so the child starts warm
import wizard.engine.orgs  # noqa: F401 - imported before the fork, so the child starts warm
from wizard.engine import secrets, storage
from wizard.engine.secrets import SecretStore

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class FileSecretStore(SecretStore):
    """A keyring that outlives a killed process: one JSON file, replaced atomically."""

    backend_name = "test.FileSecretStore"

    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> dict[str, str]:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}

    def _get(self, key: str) -> str | None:
        return self._load().get(key)

    def _set(self, key: str, value: str) -> None:
        data = self._load()
        data[key] = value
        storage.atomic_write_json(self.path, data)

    def _delete(self, key: str) -> None:
        data = self._load()
        if key in data:
            del data[key]
            storage.atomic_write_json(self.path, data)


def _is_write_event(event: str, args: tuple) -> bool:
    if event == "open":
        path, mode, flags = (list(args) + [None, None, None])[:3]
        if isinstance(path, int):
            return False
        if isinstance(mode, str) and any(c in mode for c in "wax+"):
            return True
        return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)
    return event in ("os.rename", "os.remove", "os.mkdir", "os.rmdir")


def run_child(home: str, file: str, kill_at: int, counter_fd: int) -> None:
    seen = 0

    def hook(event: str, args: tuple) -> None:
        nonlocal seen
        if not _is_write_event(event, args):
            return
        seen += 1
        os.write(counter_fd, b".")
        if kill_at and seen >= kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    store = FileSecretStore(Path(home) / "keyring.json")
    secrets.open_secret_store = lambda *a, **k: store  # what Engine.secrets calls
    sys.addaudithook(hook)
    out = io.StringIO()
    sys.stdout = sys.stderr = out
    code = wizard.cli.main(["--home", home, "--json", "deploy", file, "--replace"])
    os._exit(code)


def main() -> None:
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] != "run":
            continue
        home, file, kill_at = parts[1], parts[2], int(parts[3])
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            try:
                run_child(home, file, kill_at, write_end)
            finally:
                os._exit(70)
        os.close(write_end)
        events = 0
        while True:
            chunk = os.read(read_end, 4096)
            if not chunk:
                break
            events += len(chunk)
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        sys.stdout.write(f"exit {code} {events}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
