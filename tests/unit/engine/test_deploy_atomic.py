"""A deployment is validated whole and applied in one registry write; the keyring changes
only after that write; secrets never reach a copied file; bad input files are refused."""

from __future__ import annotations

import errno
import json
import os
import stat

import pytest

from wizard.engine import fileio
from wizard.engine.context import Engine
from wizard.engine.deploy import DeploymentContainsSecret, DeploymentError, apply_deployment
from wizard.engine.orgs import OrgProfile
from wizard.engine.paths import AppPaths
from wizard.engine.secrets import MemorySecretStore, org_secret_key

NA = "https://contoso.crm.dynamics.com"
EU = "https://contosoeu.crm4.dynamics.com"
JP = "https://contosojp.crm7.dynamics.com"


class WatchingSecrets(MemorySecretStore):
    """Records, for every deletion, what the registry file said at that moment."""

    def __init__(self, registry_file):
        super().__init__()
        self.registry_file = registry_file
        self.seen_at_delete: list[list[str]] = []

    def delete_org(self, org_key):
        data = json.loads(self.registry_file.read_text())
        self.seen_at_delete.append([o["key"] for o in data["orgs"]])
        super().delete_org(org_key)


@pytest.fixture
def engine(wizard_home):
    paths = AppPaths.resolve(wizard_home)
    return Engine(paths, secret_store=WatchingSecrets(paths.registry_file))


def populated(engine):
    a, _ = engine.registry.add(OrgProfile(base_url=NA, display_name="Contoso Sales",
                                          org_id="aaaaaaaa-0000-0000-0000-000000000001"))
    b, _ = engine.registry.add(OrgProfile(base_url=EU, display_name="Contoso Europe"))
    for p in (a, b):
        engine.secrets.set(org_secret_key(p.key, "password"), f"pw-of-{p.display_name}")
    return a, b


def snapshot(engine):
    return engine.paths.registry_file.read_bytes(), dict(engine.secrets.items)


def write(tmp_path, data, name="deploy.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_replace_with_a_bad_entry_at_the_end_changes_nothing(engine, tmp_path):
    populated(engine)
    before = snapshot(engine)
    path = write(tmp_path, {"schema_version": 1, "replace": True, "orgs": [
        {"url": JP, "display_name": "Contoso Japan"},
        {"url": "https://fabrikam.crm.dynamics.com", "org_id": "not-a-guid"}]})
    with pytest.raises(DeploymentError, match="not an organization ID"):
        apply_deployment(engine, path)
    assert snapshot(engine) == before


def test_two_entries_for_one_listed_org_change_nothing(engine, tmp_path):
    populated(engine)
    before = snapshot(engine)
    path = write(tmp_path, {"schema_version": 1, "replace": True, "orgs": [
        {"url": NA},
        {"url": "https://other.crm.dynamics.com",
         "org_id": "aaaaaaaa-0000-0000-0000-000000000001"}]})
    with pytest.raises(DeploymentError, match="both describe"):
        apply_deployment(engine, path)
    assert snapshot(engine) == before


def test_a_full_disk_at_the_write_changes_nothing(engine, tmp_path, monkeypatch):
    populated(engine)
    before = snapshot(engine)
    path = write(tmp_path, {"schema_version": 1, "replace": True,
                            "orgs": [{"url": JP, "display_name": "Contoso Japan"}]})
    real_write = os.write

    def full(fd, data):
        if engine.paths.config_dir.samefile(os.path.dirname(os.readlink(f"/proc/self/fd/{fd}"))):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    if not os.path.exists("/proc/self/fd"):
        pytest.skip("needs /proc to tell which file is written")
    monkeypatch.setattr(fileio.os, "write", full)
    with pytest.raises(fileio.DiskFull):
        apply_deployment(engine, path)
    monkeypatch.undo()
    assert snapshot(engine) == before


def test_the_new_list_is_one_write_and_keyring_entries_go_after_it(engine, tmp_path):
    a, b = populated(engine)
    path = write(tmp_path, {"schema_version": 1, "replace": True,
                            "orgs": [{"url": JP, "display_name": "Contoso Japan"}]})
    report = apply_deployment(engine, path)
    assert [o.display_name for o in engine.registry.list()] == ["Contoso Japan"]
    assert report.count("removed") == 2 and report.removed_primary
    # every deletion happened when the file already held the new list only
    assert engine.secrets.seen_at_delete
    japan = engine.registry.list()[0].key
    assert all(seen == [japan] for seen in engine.secrets.seen_at_delete)
    assert engine.secrets.items == {}
    assert "pending_cleanup" not in json.loads(engine.paths.registry_file.read_text())


def test_a_cloud_file_with_a_secret_is_refused_and_not_copied(engine, tmp_path):
    cloud = {"name": "sovereign", "authority": "https://login.sovereign.example/tenant",
             "discovery_url": "https://disco.sovereign.example",
             "org_domains": ["crm.sovereign.example"], "client_secret": "s3cr3t-value"}
    (tmp_path / "sovereign.json").write_text(json.dumps(cloud))
    path = write(tmp_path, {"schema_version": 1, "orgs": [
        {"url": "https://contoso.crm.sovereign.example", "cloud_file": "sovereign.json"}]})
    with pytest.raises(DeploymentContainsSecret, match="client_secret"):
        apply_deployment(engine, path)
    assert not (engine.paths.config_dir / "clouds").exists()
    assert not engine.paths.registry_file.exists()


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_copied_cloud_files_are_private(engine, tmp_path):
    cloud = {"name": "sovereign", "authority": "https://login.sovereign.example/tenant",
             "discovery_url": "https://disco.sovereign.example",
             "org_domains": ["crm.sovereign.example"]}
    (tmp_path / "sovereign.json").write_text(json.dumps(cloud))
    path = write(tmp_path, {"schema_version": 1, "orgs": [
        {"url": "https://contoso.crm.sovereign.example", "cloud_file": "sovereign.json"}]})
    apply_deployment(engine, path)
    copy = engine.paths.config_dir / "clouds" / "sovereign.json"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(engine.paths.registry_file.stat().st_mode) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and devices")
@pytest.mark.parametrize("kind", ["fifo", "dev_zero_cloud", "deep", "not_utf8", "dup_key"])
def test_bad_input_files_are_refused_quickly(engine, tmp_path, kind):
    path = tmp_path / "deploy.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev_zero_cloud":
        path.write_text(json.dumps({"schema_version": 1, "orgs": [
            {"url": "https://contoso.crm.sovereign.example", "cloud_file": "/dev/zero"}]}))
    elif kind == "deep":
        path.write_text('{"schema_version": 1, "orgs": ' + "[" * 100000 + "]" * 100000 + "}")
    elif kind == "not_utf8":
        path.write_bytes(b'{"schema_version": 1, "orgs": [{"url": "\xff"}]}')
    else:
        path.write_text('{"schema_version": 1, "replace": false, "replace": true, "orgs": []}')
    with pytest.raises(DeploymentError) as info:
        apply_deployment(engine, path)
    assert str(path) in str(info.value) or "cloud file" in str(info.value)
    assert not engine.paths.registry_file.exists()
