"""``deploy --replace`` killed at every kind of moment leaves the old list or the new one,
and the keyring agrees with the list once the registry has been read again.

Kill points are counted file-system events of the real CLI process (see
``deploy_kill_worker``), never moments of the clock.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NA = "https://contoso.crm.dynamics.com"
EU = "https://contosoeu.crm4.dynamics.com"
JP = "https://contosojp.crm7.dynamics.com"
ID_NA = "aaaaaaaa-0000-0000-0000-000000000001"
KILL_POINTS = 24

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="the kill test forks (POSIX)"),
]


def open_registry(home: Path):
    from tests.integration.deploy_kill_worker import FileSecretStore
    from wizard.engine.orgs import OrgRegistry
    from wizard.engine.stamp import MailboxStore

    return OrgRegistry(home / "config" / "organizations.json",
                       secrets=FileSecretStore(home / "keyring.json"),
                       mailbox=MailboxStore(home / "data" / "mailbox.sqlite3"))


def make_template(base: Path) -> tuple[Path, dict[str, str]]:
    from wizard.engine.orgs import OrgProfile
    from wizard.engine.secrets import org_secret_key

    home = base / "template"
    registry = open_registry(home)
    a, _ = registry.add(OrgProfile(base_url=NA, display_name="Contoso Sales", org_id=ID_NA))
    b, _ = registry.add(OrgProfile(base_url=EU, display_name="Contoso Europe"))
    registry.mailbox.claim(ID_NA, "Contoso Sales")
    for p in (a, b):
        registry._secret_store().set(org_secret_key(p.key, "password"), "pw-" + p.key)
    return home, {"Contoso Sales": a.key, "Contoso Europe": b.key}


def test_kill_at_counted_events_leaves_old_or_new_list_and_a_consistent_keyring(tmp_path):
    from wizard.engine.secrets import org_secret_key

    template, keys = make_template(tmp_path)
    deployment = tmp_path / "deploy.json"
    deployment.write_text(json.dumps({"schema_version": 1, "orgs": [
        {"url": EU, "display_name": "Contoso Europe"},
        {"url": JP, "display_name": "Contoso Japan"}]}))
    old_names = ["Contoso Sales", "Contoso Europe"]
    new_names = ["Contoso Europe", "Contoso Japan"]

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("D365_WIZARD_HOME", None)
    zygote = subprocess.Popen([sys.executable, "-m", "tests.integration.deploy_kill_worker"],
                              cwd=ROOT, env=env, text=True, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE)

    def run(home: Path, kill_at: int) -> tuple[int, int]:
        zygote.stdin.write(f"run {home} {deployment} {kill_at}\n")
        zygote.stdin.flush()
        word, code, events = zygote.stdout.readline().split()
        assert word == "exit"
        return int(code), int(events)

    try:
        clean = tmp_path / "clean"
        shutil.copytree(template, clean)
        code, total = run(clean, 0)
        assert code == 0, "an uninterrupted deploy succeeds"
        assert [p.display_name for p in open_registry(clean).list()] == new_names
        assert total >= 4

        rng = random.Random(20261203)
        points = sorted(set(rng.sample(range(1, total + 1), min(KILL_POINTS, total)))
                        | {1, total})
        outcomes = {"old": 0, "new": 0}
        for n in points:
            home = tmp_path / f"kill-{n}"
            shutil.copytree(template, home)
            code, _ = run(home, n)
            assert code == -9, f"the child was to be killed at event {n}"
            registry = open_registry(home)
            names = [p.display_name for p in registry.list()]   # finishes pending work
            assert names in (old_names, new_names), (n, names)
            assert registry.load_warning is None
            store = json.loads((home / "keyring.json").read_text())
            if names == old_names:
                outcomes["old"] += 1
                assert store == {org_secret_key(k, "password"): "pw-" + k
                                 for k in keys.values()}, n
                assert registry.mailbox.stamp().org_id == ID_NA
            else:
                outcomes["new"] += 1
                europe = keys["Contoso Europe"]
                assert store == {org_secret_key(europe, "password"): "pw-" + europe}, n
                assert registry.mailbox.stamp() is None, "the removed primary's stamp goes"
            state = json.loads(registry.path.read_text())
            assert "pending_cleanup" not in state and "pending_stamp" not in state
        assert outcomes["old"] and outcomes["new"], outcomes
        print(f"{total} events; kills at {len(points)} of them: {outcomes}")
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=30)
        zygote.stdout.close()
