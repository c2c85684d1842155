"""The anonymised bundle replaces IP-address org hosts (and other non-loopback IPs) and the
home path; it is written private, never through a link."""

from __future__ import annotations

import logging
import os
import stat
import zipfile

import pytest

from wizard.engine.context import Engine
from wizard.engine.diagnostics import build_bundle
from wizard.engine.logs import setup_logging, shutdown_logging
from wizard.engine.orgs import OrgProfile
from wizard.engine.paths import AppPaths
from wizard.engine.secrets import MemorySecretStore


@pytest.fixture
def engine(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "os-home" / "alice"))
    home = tmp_path / "srv" / "profiles" / "alice-d365"        # outside the OS home
    monkeypatch.setenv("D365_WIZARD_HOME", str(home))
    engine = Engine(AppPaths.resolve(home), secret_store=MemorySecretStore())
    engine.registry.add(OrgProfile(base_url="https://10.20.30.40/contoso", kind="onprem",
                                   display_name="Contoso IP", unique_name="contoso"))
    engine.registry.add(OrgProfile(base_url="http://[fd00::5]/sales", kind="onprem",
                                   display_name="Sales v6", unique_name="sales"))
    engine.registry.add(OrgProfile(base_url="https://127.0.0.1:44361", kind="online",
                                   display_name="Sandbox NA", unique_name="contosona"))
    setup_logging(engine.paths)
    log = logging.getLogger("wizard.test")
    log.info("crm.contoso.local is at 10.20.30.40, 10.20.30.41 and fd00::5")
    log.info("GET https://10.20.30.40/contoso/api/data/v9.2/WhoAmI 200, version 9.2.24101.00185")
    log.info("GET https://127.0.0.1:44361/api/data/v9.2/WhoAmI 200")
    log.info("config at %s, cache at %s", engine.paths.config_dir, engine.paths.cache_dir)
    shutdown_logging()
    yield engine, home


def bundle_text(path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "\n".join(zf.read(n).decode("utf-8") for n in zf.namelist())


def test_ip_hosts_and_the_home_path_are_anonymised(engine, tmp_path):
    engine, home = engine
    out = tmp_path / "out" / "support.zip"
    build_bundle(engine, out, run_connection_tests=False)
    text = bundle_text(out)
    for leak in ("10.20.30.40", "10.20.30.41", "fd00::5", "127.0.0.1:44361",
                 str(home), "alice-d365", str(tmp_path / "os-home")):
        assert leak not in text, leak
    assert "192.0.2." in text and "2001:db8::" in text
    assert "9.2.24101.00185" in text          # versions are not addresses
    assert "<d365-wizard home>" in text


def test_with_consent_the_addresses_stay(engine, tmp_path):
    engine, home = engine
    out = tmp_path / "support.zip"
    build_bundle(engine, out, include_identities=True, run_connection_tests=False)
    assert "10.20.30.40" in bundle_text(out)


@pytest.mark.skipif(os.name != "posix", reason="modes and links")
def test_the_bundle_is_private_and_never_written_through_a_link(engine, tmp_path):
    engine, _ = engine
    out = tmp_path / "support.zip"
    build_bundle(engine, out, run_connection_tests=False)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    victim = tmp_path / "victim"
    victim.write_text("precious")
    link = tmp_path / "link.zip"
    link.symlink_to(victim)
    from wizard.engine.fileio import SymlinkRefused

    with pytest.raises(SymlinkRefused):
        build_bundle(engine, link, run_connection_tests=False)
    assert victim.read_text() == "precious"
