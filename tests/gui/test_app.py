"""``d365-wizard`` starts, runs the sandbox in-process with its own profile, and quits."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.sandbox
def test_sandbox_mode_starts_and_quits(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("D365_WIZARD_HOME", None)
    done = subprocess.run([sys.executable, "-m", "wizard", "--sandbox", "--home", str(home), "--lang", "ja",
                           "--quit-after", "3000"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (home / "sandbox-profile" / "config").is_dir()        # practice orgs live apart
    assert (home / "data" / "sandbox").is_dir()                  # the sandbox's CA and ports
    assert "Traceback" not in done.stderr


def test_version():
    done = subprocess.run([sys.executable, "-m", "wizard", "--version"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and "d365-wizard" in done.stdout
