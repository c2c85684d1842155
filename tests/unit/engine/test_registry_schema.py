"""A registry file that parses but holds the wrong content is moved aside and reported,
never dropped silently and overwritten; links and folders in the way are refused."""

from __future__ import annotations

import json
import os

import pytest

from wizard.engine.errors import CorruptConfig
from wizard.engine.fileio import FileProblem, PathIsDirectory, SymlinkRefused
from wizard.engine.orgs import OrgProfile, OrgRegistry
from wizard.engine.stamp import MailboxStore

ID_A = "aaaaaaaa-0000-0000-0000-000000000001"
ID_B = "bbbbbbbb-0000-0000-0000-000000000002"


class NoSecrets:
    def delete_org(self, org_key: str) -> None:
        pass


@pytest.fixture
def registry(tmp_path):
    return OrgRegistry(tmp_path / "config" / "organizations.json", secrets=NoSecrets(),
                       mailbox=MailboxStore(tmp_path / "data" / "mailbox.sqlite3"))


def entry(name: str, org_id: str, **kw) -> dict:
    return {"base_url": f"https://{name}.crm.dynamics.com", "display_name": name,
            "key": f"{name}0000000000000000000000000000"[:32], "org_id": org_id,
            "sync_method": "none", **kw}


BAD_CONTENT = {
    "orgs is not a list": {"schema_version": 1, "orgs": "x"},
    "an entry without base_url": {"schema_version": 1, "orgs": [
        {"display_name": "Contoso", "key": "k1"}]},
    "an entry that is not an object": {"schema_version": 1, "orgs": [42]},
    "two synchronizing orgs": {"schema_version": 1, "orgs": [
        entry("contoso", ID_A, sync_method="mailbox"), entry("fabrikam", ID_B,
                                                               sync_method="mailbox")]},
    "duplicate keys": {"schema_version": 1, "orgs": [
        entry("contoso", ID_A), {**entry("fabrikam", ID_B), "key": entry("contoso", ID_A)["key"]}]},
    "the same org twice": {"schema_version": 1, "orgs": [
        entry("contoso", ID_A), {**entry("fabrikam", ID_B), "org_id": ID_A}]},
    "a wrong type": {"schema_version": 1, "orgs": [{**entry("contoso", ID_A),
                                                    "keep_connected": "yes"}]},
    "an unknown sync method": {"schema_version": 1, "orgs": [{**entry("contoso", ID_A),
                                                              "sync_method": "both"}]},
    "an org id that is not one": {"schema_version": 1, "orgs": [entry("contoso", "x")]},
    "a key that cannot name keyring entries": {"schema_version": 1, "orgs": [
        {**entry("contoso", ID_A), "key": "a:b"}]},
}


@pytest.mark.parametrize("what", sorted(BAD_CONTENT))
def test_wrong_content_is_moved_aside_and_reported(registry, what):
    text = json.dumps(BAD_CONTENT[what])
    registry.path.parent.mkdir(parents=True)
    registry.path.write_text(text)
    assert registry.list() == []
    warning = registry.load_warning
    assert isinstance(warning, CorruptConfig)
    moved = list(registry.path.parent.glob("organizations.json.corrupt-*"))
    assert len(moved) == 1 and moved[0].read_text() == text      # nothing lost
    assert warning.details                                      # says what was wrong
    # the next write does not overwrite the user's old content
    registry.add(OrgProfile(base_url="https://northwind.crm.dynamics.com",
                            display_name="Northwind"))
    assert moved[0].read_text() == text
    assert registry.load_warning is not None


def test_duplicate_json_keys_are_not_last_wins(registry):
    registry.path.parent.mkdir(parents=True)
    one = json.dumps([entry("contoso", ID_A)])
    registry.path.write_text('{"schema_version": 1, "orgs": [], "orgs": ' + one + "}")
    assert registry.list() == []
    assert registry.load_warning is not None
    assert "twice" in registry.load_warning.details


def test_a_valid_file_still_loads(registry):
    registry.path.parent.mkdir(parents=True)
    registry.path.write_text(json.dumps({"schema_version": 1, "orgs": [
        entry("contoso", ID_A, sync_method="mailbox"), entry("fabrikam", ID_B)]}))
    assert [p.display_name for p in registry.list()] == ["contoso", "fabrikam"]
    assert registry.load_warning is None


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_link_in_place_of_the_registry_is_refused_and_never_written_through(registry,
                                                                              tmp_path):
    victim = tmp_path / "victim.json"
    victim.write_text('{"schema_version": 1, "orgs": []}')
    registry.path.parent.mkdir(parents=True)
    registry.path.symlink_to(victim)
    with pytest.raises(SymlinkRefused):
        registry.list()
    with pytest.raises(SymlinkRefused):
        registry.add(OrgProfile(base_url="https://contoso.crm.dynamics.com"))
    assert victim.read_text() == '{"schema_version": 1, "orgs": []}'
    assert registry.path.is_symlink()


def test_a_folder_in_place_of_the_registry(registry):
    registry.path.mkdir(parents=True)
    with pytest.raises(PathIsDirectory):
        registry.list()
    with pytest.raises(FileProblem):
        registry.add(OrgProfile(base_url="https://contoso.crm.dynamics.com"))


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
@pytest.mark.parametrize("kind", ["folder", "link"])
def test_a_folder_or_link_where_the_lock_should_be(registry, tmp_path, kind):
    lock = registry.path.with_name("organizations.json.lock")
    registry.path.parent.mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    if kind == "folder":
        lock.mkdir()
    else:
        lock.symlink_to(victim)
    with pytest.raises(FileProblem) as info:
        registry.add(OrgProfile(base_url="https://contoso.crm.dynamics.com"))
    assert info.value.code in ("path_is_directory", "symlink_refused")
    assert victim.read_text() == "precious"
    assert not registry.path.exists()
