"""Log files are never written or read through a planted link; a home that belongs to
another user is warned about."""

from __future__ import annotations

import os

import pytest

from wizard.engine import fileio
from wizard.engine.logs import recent_log_text, setup_logging, shutdown_logging
from wizard.engine.paths import AppPaths

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symbolic links and uids")


@pytest.fixture
def paths(tmp_path):
    yield AppPaths.resolve(tmp_path / "home")
    shutdown_logging()


def test_a_planted_link_in_place_of_the_log_is_not_followed(paths, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    paths.log_dir.mkdir(parents=True)
    (paths.log_dir / "d365-orgs.log").symlink_to(victim)
    setup = setup_logging(paths, name="d365-orgs")
    import logging
    logging.getLogger("wizard").warning("a line that must not land in the victim")
    shutdown_logging()
    assert victim.read_text() == "precious\n"
    assert setup.log_file is None and "symbolic link" in setup.problem


def test_the_bundle_never_reads_a_linked_log(paths, tmp_path):
    secret = tmp_path / "elsewhere.log"
    secret.write_text("someone else's data\n")
    paths.log_dir.mkdir(parents=True)
    (paths.log_dir / "d365-orgs.log").symlink_to(secret)
    (paths.log_dir / "d365-wizard.log").write_text("our own line\n")
    logs = recent_log_text(paths)
    assert list(logs) == ["d365-wizard.log"]


def test_a_home_owned_by_another_user_is_warned_about(paths, monkeypatch, capsys):
    paths.ensure()
    other = os.getuid() + 4242
    monkeypatch.setattr(fileio.os, "getuid", lambda: other)
    setup = setup_logging(paths, name="d365-orgs")
    assert setup.warnings and "belongs to another user" in setup.warnings[0]
    from wizard.cli import main

    monkeypatch.setenv("D365_WIZARD_HOME", str(paths.config_dir.parent))
    assert main(["list"]) == 0
    assert "belongs to another user" in capsys.readouterr().err
