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


def _deployment(path, display_name="Contoso Sales"):
    import json

    path.write_text(json.dumps({"schema_version": 1, "orgs": [
        {"url": "https://contoso.crm4.dynamics.com", "display_name": display_name, "primary": True}]}))
    return path


def test_deploy_applies_without_a_window_and_prints_the_report(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "D365_WIZARD_HOME": str(home)}
    file = _deployment(tmp_path / "deployment.json")
    first = subprocess.run([sys.executable, "-m", "wizard", "--deploy", str(file)], env=env,
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "1 added" in first.stdout and "Contoso Sales" in first.stdout
    again = subprocess.run([sys.executable, "-m", "wizard", "--deploy", str(file)], env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "1 unchanged" in again.stdout        # idempotent
    assert (home / "logs" / "d365-wizard.log").is_file()
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 1, "orgs": [{"url": "x", "password": "hunter2"}]}')
    bad = subprocess.run([sys.executable, "-m", "wizard", "--deploy", str(broken)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and bad.stderr.startswith("error:") and "hunter2" not in bad.stderr + bad.stdout


def test_start_sets_up_logging_and_applies_the_site_deployment(wizard_home):
    """The services factory (run on a worker at start): log file, machine-wide file once."""
    from wizard.engine.logs import shutdown_logging
    from wizard.gui.app import parse_args, services_factory

    site = wizard_home / "site-config"
    site.mkdir(parents=True)
    _deployment(site / "deployment.json", "Pushed by IT")
    try:
        services = services_factory(parse_args(["--verbose"]))()
        try:
            assert [o.display_name for o in services.list_orgs()] == ["Pushed by IT"]
            assert services.startup_notes and "1 added" in services.startup_notes[0]
        finally:
            services.close()
        again = services_factory(parse_args([]))()
        try:
            assert again.startup_notes == []                       # unchanged file: not applied again
        finally:
            again.close()
        assert (wizard_home / "logs" / "d365-wizard.log").is_file()
    finally:
        shutdown_logging()
