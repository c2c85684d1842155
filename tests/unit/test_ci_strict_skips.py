"""Under CI=true a skip is turned into a failure (the conftest hook), elsewhere it stays a skip."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("ci", "expected"), [("true", "1 failed"), ("", "1 skipped")])
def test_skip_is_a_failure_only_in_ci(tmp_path, ci, expected):
    probe = ROOT / "tests" / "unit" / f"_probe_skip_{tmp_path.name}_test.py"
    probe.write_text("import pytest\n\ndef test_needs_tool():\n    pytest.skip('tool missing')\n")
    try:
        out = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(probe)],
            capture_output=True, text=True, cwd=ROOT, env={**_env(), "CI": ci}, timeout=120)
    finally:
        probe.unlink()
    assert expected in out.stdout, out.stdout


def _env():
    import os

    return dict(os.environ)
