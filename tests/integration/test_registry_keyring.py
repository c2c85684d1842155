"""Removing an org deletes its secrets from the real keyring (private gnome-keyring)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wizard.engine.paths import AppPaths
from wizard.engine.secrets import ORG_SECRET_NAMES, open_secret_store, org_secret_key, service_name_for

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Pa55-word-for-fabrikam!"
REFRESH = "0.ARoAv4j5cvGGr0GRqy180BHbR" + "z" * 90

pytestmark = pytest.mark.keyring


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, D365_WIZARD_HOME=str(home), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "wizard.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_remove_deletes_that_orgs_secrets_only(private_keyring, wizard_home, leak_check):
    assert cli(wizard_home, "add", "https://contoso.crm.dynamics.com", "--no-connect",
               "--org-id", "aaaaaaaa-0000-0000-0000-000000000001").returncode == 0
    assert cli(wizard_home, "add", "http://crmsrv/fabrikam", "--no-connect").returncode == 0
    from wizard.engine.orgs import OrgRegistry  # read the keys the CLI generated
    from wizard.engine.stamp import MailboxStore

    paths = AppPaths.resolve(wizard_home)
    orgs = OrgRegistry(paths.registry_file, secrets=lambda: None,
                       mailbox=MailboxStore(paths.mailbox_db)).list()
    contoso, fabrikam = orgs
    store = open_secret_store(service_name_for(paths))
    assert store.available, store.unavailable_reason
    store.set(org_secret_key(fabrikam.key, "password"), PASSWORD)
    store.set(org_secret_key(fabrikam.key, "refresh_token"), REFRESH)
    store.set(org_secret_key(contoso.key, "refresh_token"), REFRESH + "c")

    proc = cli(wizard_home, "remove", "fabrikam", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stdout + proc.stderr
    for name in ORG_SECRET_NAMES:
        assert store.get(org_secret_key(fabrikam.key, name)) is None
    assert store.get(org_secret_key(contoso.key, "refresh_token")) == REFRESH + "c"
    remaining = [secret for _, secret in private_keyring.all_secrets()]
    assert PASSWORD not in remaining and REFRESH not in remaining
    leak_check(PASSWORD, REFRESH)
