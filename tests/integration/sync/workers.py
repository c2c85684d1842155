"""Crash tests' sync workers: a real subprocess, given its secret on stdin, that says
``ready`` before it starts (the tests SIGKILL it at counted points)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_REPO = Path(__file__).parents[3]


def spawn_worker(script: Path, args: list[str], secret: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(_REPO))
    proc = subprocess.Popen([sys.executable, str(script), *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(secret + "\n")
    proc.stdin.close()
    proc.stdin = None
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
    return proc


def finish(proc: subprocess.Popen) -> None:
    """Wait for a worker left to run to its end; it must succeed."""
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
