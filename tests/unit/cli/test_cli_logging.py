"""The d365-orgs entry point writes its redacted log file under the home's log dir."""

from __future__ import annotations

import subprocess
import sys


def test_cli_run_writes_log_file(wizard_home):
    proc = subprocess.run([sys.executable, "-m", "wizard.cli", "--verbose", "export-deployment"],
                          capture_output=True, text=True, timeout=60)
    log = wizard_home / "logs" / "d365-orgs.log"
    assert log.is_file(), proc.stderr
    assert "starting (d365-orgs" in log.read_text()
    assert "starting (d365-orgs" in proc.stderr  # --verbose echoes the log to stderr
