"""The package's contracts that everything else leans on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wizard.engine.errors import CorruptConfig
from wizard.engine.paths import AppPaths
from wizard.engine.storage import atomic_write_json, read_versioned_json

ROOT = Path(__file__).resolve().parents[2]


def test_home_env_puts_every_dir_under_it(tmp_path, monkeypatch):
    monkeypatch.setenv("D365_WIZARD_HOME", str(tmp_path))
    paths = AppPaths.resolve()
    for d in (paths.config_dir, paths.data_dir, paths.cache_dir, paths.log_dir):
        assert tmp_path in d.parents


def test_home_option_beats_env(tmp_path, monkeypatch):
    monkeypatch.setenv("D365_WIZARD_HOME", str(tmp_path / "env"))
    assert (tmp_path / "opt") in AppPaths.resolve(tmp_path / "opt").config_dir.parents


def test_corrupt_file_is_moved_aside_not_reset(tmp_path):
    f = tmp_path / "organizations.json"
    f.write_text("{not json")
    with pytest.raises(CorruptConfig) as info:
        read_versioned_json(f, schema_version=1, kind="organization list")
    assert not f.exists()
    assert Path(info.value.moved_to).read_text() == "{not json"
    assert "moved to" in str(info.value)


def test_atomic_write_round_trips(tmp_path):
    f = tmp_path / "x.json"
    atomic_write_json(f, {"schema_version": 1, "a": [1, 2]})
    assert read_versioned_json(f, schema_version=1, kind="x") == {"schema_version": 1, "a": [1, 2]}
    assert list(tmp_path.iterdir()) == [f]


def test_cli_version_and_help_start():
    out = subprocess.run([sys.executable, "-m", "wizard.cli", "--version"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.startswith("d365-orgs ")


def test_gui_placeholder_starts_and_quits():
    out = subprocess.run([sys.executable, "-m", "wizard", "--quit-after", "50"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr


def test_keyring_fixture_round_trips(private_keyring):
    backend = private_keyring.backend()
    backend.set_password("d365-wizard-test", "alice", "s3cret")
    assert backend.get_password("d365-wizard-test", "alice") == "s3cret"
    assert any(s == "s3cret" for _, s in private_keyring.all_secrets())
