"""The organization registry's rules: add/update, rename, get, remove, the primary switch."""

from __future__ import annotations

import json
import os

import pytest

from wizard.engine.errors import ConfigError, CorruptConfig
from wizard.engine.orgs import (
    AmbiguousOrg,
    DuplicateOrg,
    InvalidDisplayName,
    InvalidProfile,
    OrgNotFound,
    OrgProfile,
    OrgRegistry,
    StalePlan,
    SwitchNotPossible,
    check_display_name,
    normalize_base_url,
)
from wizard.engine.stamp import MailboxStore, StampConflict

ID_A = "aaaaaaaa-0000-0000-0000-000000000001"
ID_B = "bbbbbbbb-0000-0000-0000-000000000002"
ID_C = "cccccccc-0000-0000-0000-000000000003"
ID_X = "eeeeeeee-0000-0000-0000-00000000000e"


class RecordingSecrets:
    """Stands in for the keyring-backed SecretStore: records what was deleted."""

    def __init__(self, fail: bool = False) -> None:
        self.deleted: list[str] = []
        self.fail = fail

    def delete_org(self, org_key: str) -> None:
        if self.fail:
            raise RuntimeError("keyring is locked")
        self.deleted.append(org_key)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def secrets():
    return RecordingSecrets()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def mailbox(tmp_path, clock):
    return MailboxStore(tmp_path / "mailbox.sqlite3", clock=clock)


@pytest.fixture
def registry(tmp_path, secrets, mailbox, clock):
    return OrgRegistry(tmp_path / "config" / "organizations.json", secrets=secrets,
                       mailbox=mailbox, clock=clock)


def contoso(**kw) -> OrgProfile:
    return OrgProfile(**{"base_url": "https://contoso.crm4.dynamics.com", "org_id": ID_A,
                         "unique_name": "contososales", "display_name": "Contoso Sales", **kw})


def fabrikam(**kw) -> OrgProfile:
    return OrgProfile(**{"base_url": "https://crm.fabrikam.local/fabrikam", "org_id": ID_B,
                         "unique_name": "fabrikam", "display_name": "Fabrikam", "kind": "onprem",
                         "auth_method": "ntlm", **kw})


def northwind(**kw) -> OrgProfile:
    return OrgProfile(**{"base_url": "https://northwind.crm.dynamics.com", "org_id": ID_C,
                         "unique_name": "northwind", "display_name": "Northwind", **kw})


def three(registry) -> tuple[OrgProfile, OrgProfile, OrgProfile]:
    return registry.add(contoso())[0], registry.add(fabrikam())[0], registry.add(northwind())[0]


# -- add --------------------------------------------------------------------------------------
def test_empty_registry(registry):
    assert registry.list() == []
    assert registry.primary() is None
    assert registry.load_warning is None


def test_first_org_becomes_primary_others_none(registry):
    a, created = registry.add(contoso())
    b, _ = registry.add(fabrikam())
    assert created and a.sync_method == "mailbox" and a.is_primary
    assert b.sync_method == "none"
    assert registry.primary().key == a.key
    assert [p.key for p in registry.list()] == [a.key, b.key]


def test_add_ignores_a_requested_sync_method(registry):
    registry.add(contoso())
    b, _ = registry.add(fabrikam(sync_method="mailbox"))
    assert b.sync_method == "none"
    assert [p.display_name for p in registry.list() if p.is_primary] == ["Contoso Sales"]


def test_add_sets_added_time_from_the_clock(registry):
    a, _ = registry.add(contoso())
    assert a.added_at == "2027-01-15T08:00:00Z"


def test_readding_the_same_org_id_updates_instead_of_duplicating(registry, clock):
    a, _ = registry.add(contoso())
    clock.now += 100
    again, created = registry.add(OrgProfile(base_url="https://contoso.crm4.dynamics.com",
                                             org_id=ID_A.upper(), display_name="Other name",
                                             version="9.2.25", user="ada@contoso.example"))
    assert not created
    assert len(registry.list()) == 1
    assert again.key == a.key
    assert again.display_name == "Contoso Sales"       # the user's name is kept
    assert again.added_at == a.added_at
    assert again.sync_method == "mailbox"
    assert (again.version, again.user) == ("9.2.25", "ada@contoso.example")
    assert again.unique_name == "contososales"           # None does not erase


@pytest.mark.parametrize("url", [
    "https://contoso.crm4.dynamics.com/", "HTTPS://CONTOSO.crm4.Dynamics.com",
    "https://contoso.crm4.dynamics.com:443", "https://contoso.crm4.dynamics.com.//",
])
def test_readding_the_same_normalized_url_updates(registry, url):
    a, _ = registry.add(OrgProfile(base_url="https://contoso.crm4.dynamics.com"))
    again, created = registry.add(OrgProfile(base_url=url, org_id=ID_A))
    assert not created and again.key == a.key and again.org_id == ID_A
    assert len(registry.list()) == 1


def test_same_url_with_a_new_org_id_updates_the_entry(registry):
    a, _ = registry.add(contoso())
    again, created = registry.add(contoso(org_id=ID_X, display_name="Contoso after reset"))
    assert not created and again.key == a.key and again.org_id == ID_X
    assert len(registry.list()) == 1


def test_org_id_moved_to_a_new_url_updates_the_url(registry):
    a, _ = registry.add(contoso())
    again, created = registry.add(OrgProfile(base_url="https://contoso-new.crm4.dynamics.com",
                                             org_id=ID_A))
    assert not created and again.key == a.key
    assert registry.get(1).base_url == "https://contoso-new.crm4.dynamics.com"


def test_new_org_with_a_taken_name_gets_a_numbered_name(registry):
    registry.add(contoso())
    b, _ = registry.add(fabrikam(display_name="contoso sales"))
    c, _ = registry.add(northwind(display_name="Contoso Sales"))
    assert b.display_name == "contoso sales (2)"
    assert c.display_name == "contoso sales (3)".replace("contoso sales", "Contoso Sales")


def test_new_org_without_a_name_is_named_from_what_is_known(registry):
    a, _ = registry.add(OrgProfile(base_url="https://contoso.crm.dynamics.com"))
    b, _ = registry.add(OrgProfile(base_url="https://x.crm.dynamics.com", unique_name="unq"))
    c, _ = registry.add(OrgProfile(base_url="https://y.crm.dynamics.com", display_name="\t\n"))
    assert a.display_name == "contoso.crm.dynamics.com"
    assert b.display_name == "unq"
    assert c.display_name == "y.crm.dynamics.com"


def test_add_stores_a_copy(registry):
    original = contoso()
    stored, _ = registry.add(original)
    stored.display_name = "mutated"
    original.display_name = "mutated too"
    assert registry.get(1).display_name == "Contoso Sales"


@pytest.mark.parametrize("change, words", [
    ({"base_url": ""}, "address"),
    ({"base_url": "ftp://contoso.example"}, "not an organization address"),
    ({"base_url": "https://user:pw@contoso.crm.dynamics.com"}, "password"),
    ({"kind": "cloudy"}, "kind"),
    ({"org_id": "not-a-guid"}, "not an organization ID"),
    ({"auth_method": "kerberos"}, "sign-in method"),
    ({"extra": {"refresh_token": "x"}}, "keyring"),
    ({"extra": {"Password": "x"}}, "keyring"),
    ({"user": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.sig"}, "token"),
    ({"extra": {"note": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.sig"}}, "token"),
])
def test_add_refuses_bad_fields_and_secrets(registry, change, words):
    with pytest.raises(InvalidProfile, match=words):
        registry.add(contoso(**change))
    assert registry.list() == []


def test_file_is_versioned_json_with_private_permissions(registry):
    registry.add(contoso())
    data = json.loads(registry.path.read_text())
    assert data["schema_version"] == 1
    assert data["orgs"][0]["unique_name"] == "contososales"
    if os.name == "posix":
        assert registry.path.stat().st_mode & 0o777 == 0o600


def test_unknown_fields_from_a_newer_version_survive(registry):
    registry.add(contoso())
    data = json.loads(registry.path.read_text())
    data["orgs"][0]["future_field"] = 42
    registry.path.write_text(json.dumps(data))
    registry.rename(1, "Still here")
    assert registry.get(1).extra["future_field"] == 42


# -- get ----------------------------------------------------------------------------------------
def test_get_by_every_kind_of_reference(registry):
    a, b, c = three(registry)
    assert registry.get(a.key).key == a.key
    assert registry.get(ID_B).key == b.key
    assert registry.get("{" + ID_B.upper() + "}").key == b.key
    assert registry.get("NORTHWIND").key == c.key
    assert registry.get("contoso sales").key == a.key
    assert registry.get("  Fabrikam ").key == b.key
    assert registry.get(2).key == b.key
    assert registry.get("3").key == c.key
    assert registry.get("https://CONTOSO.crm4.dynamics.com/").key == a.key


@pytest.mark.parametrize("ref", ["nope", 0, 4, "4", "", True])
def test_get_missing_lists_what_exists(registry, ref):
    three(registry)
    with pytest.raises(OrgNotFound) as info:
        registry.get(ref)
    text = str(info.value)
    assert "1. Contoso Sales (contososales)" in text and "3. Northwind" in text
    assert info.value.code == "org_not_found"


def test_get_on_an_empty_registry_says_so(registry):
    with pytest.raises(OrgNotFound, match="No organizations have been added yet"):
        registry.get(1)


def test_get_ambiguous_reference_lists_the_candidates(registry):
    registry.add(contoso())
    registry.add(fabrikam(display_name="contososales"))  # display name = another's unique name
    with pytest.raises(AmbiguousOrg) as info:
        registry.get("ContosoSales")
    assert "1. Contoso Sales" in str(info.value) and "2. contososales" in str(info.value)
    assert info.value.code == "ambiguous_org"


# -- rename -------------------------------------------------------------------------------------
def test_rename_trims_and_keeps_everything_else(registry):
    a, _ = registry.add(contoso())
    renamed = registry.rename("contoso sales", "  Contoso (EU)  ")
    assert renamed.display_name == "Contoso (EU)"
    assert renamed.key == a.key and renamed.sync_method == "mailbox"
    assert registry.get("contoso (eu)").key == a.key


def test_rename_to_a_different_case_of_its_own_name_is_allowed(registry):
    registry.add(contoso())
    assert registry.rename(1, "CONTOSO SALES").display_name == "CONTOSO SALES"


@pytest.mark.parametrize("name, words", [
    ("", "cannot be empty"),
    ("   ", "cannot be empty"),
    ("x" * 101, "101 characters long; the limit is 100"),
    ("Contoso\nSales", "line break"),
    ("Contoso\tSales", "tab"),
    ("Con\u200btoso", "control character"),
    ("42", "only digits"),
    ("fabrikam", "already called “Fabrikam”"),
])
def test_rename_rules_give_clear_errors(registry, name, words):
    registry.add(contoso())
    registry.add(fabrikam())
    with pytest.raises(InvalidDisplayName, match=words) as info:
        registry.rename(1, name)
    assert info.value.code == "invalid_name"
    assert registry.get(1).display_name == "Contoso Sales"


def test_names_of_exactly_100_characters_and_unicode_are_fine(registry):
    registry.add(contoso())
    assert registry.rename(1, "é" * 100).display_name == "é" * 100
    assert registry.rename(1, "Contoso 東京 2").display_name == "Contoso 東京 2"


def test_check_display_name_is_usable_by_a_wizard_page():
    assert check_display_name(" A ") == "A"
    with pytest.raises(InvalidDisplayName):
        check_display_name("a", existing=[OrgProfile(base_url="https://x.example",
                                                     display_name="A")])


# -- update -------------------------------------------------------------------------------------
def test_update_changes_fields(registry):
    registry.add(contoso())
    p = registry.update(1, user="ada@contoso.example", save_credentials=True, version="9.2.1")
    assert (p.user, p.save_credentials, p.version) == ("ada@contoso.example", True, "9.2.1")
    assert registry.get(1).user == "ada@contoso.example"


def test_mark_connected_uses_the_clock(registry, clock):
    registry.add(contoso())
    clock.now += 60
    assert registry.mark_connected(1).last_connected_at == "2027-01-15T08:01:00Z"


@pytest.mark.parametrize("field", ["key", "sync_method", "added_at"])
def test_update_refuses_managed_fields(registry, field):
    registry.add(contoso())
    with pytest.raises(InvalidProfile, match=field):
        registry.update(1, **{field: "x"})


def test_update_refuses_unknown_fields_and_duplicates(registry):
    three(registry)
    with pytest.raises(InvalidProfile, match="Unknown"):
        registry.update(1, colour="blue")
    with pytest.raises(DuplicateOrg):
        registry.update(1, org_id=ID_B)
    with pytest.raises(DuplicateOrg):
        registry.update(1, base_url="https://northwind.crm.dynamics.com/")
    with pytest.raises(InvalidDisplayName):
        registry.update(1, display_name="northwind")


# -- remove -------------------------------------------------------------------------------------
def test_remove_deletes_keyring_entries_and_tokens(registry, secrets):
    cleaned = []
    registry.token_cleanup = cleaned.append
    a, b, _ = three(registry)
    result = registry.remove("fabrikam")
    assert secrets.deleted == [b.key]
    assert [p.key for p in cleaned] == [b.key]
    assert not result.was_primary and result.problems == ()
    assert result.message == "Removed “Fabrikam”."
    assert [p.display_name for p in registry.list()] == ["Contoso Sales", "Northwind"]
    assert registry.primary().key == a.key


def test_removing_the_primary_leaves_none_and_says_so(registry, mailbox):
    a, b, c = three(registry)
    registry.apply(registry.plan_switch(1))  # stamp the mailbox with Contoso
    result = registry.remove(1)
    assert result.was_primary and result.stamp_released
    assert "no organization synchronizes" in result.message
    assert "Choose one to synchronize." in result.message and "d365-orgs" not in result.message
    assert registry.primary() is None
    assert all(p.sync_method == "none" for p in registry.list())
    assert mailbox.stamp() is None
    registry.add(OrgProfile(base_url="https://new.crm.dynamics.com"))  # not first: not promoted
    assert registry.primary() is None


def test_removing_the_primary_keeps_a_stamp_of_another_org(registry, mailbox):
    registry.add(contoso())
    mailbox.claim(ID_X, "Somebody else's org")
    result = registry.remove(1)
    assert result.was_primary and not result.stamp_released
    assert mailbox.stamp().org_id == ID_X


def test_after_removing_every_org_the_next_one_added_is_first_again(registry):
    registry.add(contoso())
    registry.remove(1)
    b, _ = registry.add(fabrikam())
    assert b.is_primary


def test_cleanup_failures_are_reported_but_the_org_is_removed(tmp_path, mailbox, clock):
    def broken_cleanup(profile):
        raise OSError("token cache is read-only")

    registry = OrgRegistry(tmp_path / "o.json", secrets=RecordingSecrets(fail=True),
                           mailbox=mailbox, clock=clock, token_cleanup=broken_cleanup)
    registry.add(contoso())
    result = registry.remove(1)
    assert registry.list() == []
    assert len(result.problems) == 2
    assert "keyring is locked" in result.problems[0]
    assert "read-only" in result.problems[1]


def test_secret_store_may_be_given_lazily(tmp_path, mailbox, clock, secrets):
    opened = []

    def open_store():
        opened.append(1)
        return secrets

    registry = OrgRegistry(tmp_path / "o.json", secrets=open_store, mailbox=mailbox, clock=clock)
    a, _ = registry.add(contoso())
    registry.list()
    assert opened == []
    registry.remove(1)
    assert opened == [1] and secrets.deleted == [a.key]


def test_remove_missing_org_changes_nothing(registry, secrets):
    registry.add(contoso())
    with pytest.raises(OrgNotFound):
        registry.remove("nope")
    assert len(registry.list()) == 1 and secrets.deleted == []


# -- switching the synchronizing org ------------------------------------------------------------
def test_plan_describes_the_switch_and_changes_nothing(registry, mailbox):
    three(registry)
    before = registry.path.read_bytes()
    plan = registry.plan_switch("fabrikam")
    assert plan.from_org.display_name == "Contoso Sales"
    assert plan.to_org.display_name == "Fabrikam"
    assert plan.stamp is None and not plan.stamp_conflict and not plan.already_primary
    lines = plan.summary_lines()
    assert lines[0].startswith("“Contoso Sales” (contososales) will stop synchronizing")
    assert "synchronization method becomes None" in lines[0]
    assert lines[1] == ("“Fabrikam” will start synchronizing appointments, contacts and tasks "
                        "with your mailbox.")
    assert "not set to synchronize with any organization yet" in lines[2]
    assert registry.path.read_bytes() == before
    assert mailbox.stamp() is None


def test_apply_switches_in_one_write_and_claims_the_stamp(registry, mailbox):
    a, b, c = three(registry)
    result = registry.apply(registry.plan_switch("fabrikam"))
    assert [(p.display_name, p.sync_method) for p in registry.list()] == [
        ("Contoso Sales", "none"), ("Fabrikam", "mailbox"), ("Northwind", "none")]
    assert mailbox.stamp().org_id == ID_B and mailbox.stamp().org_name == "Fabrikam"
    assert result.primary.key == b.key and result.previous.key == a.key
    assert "“Fabrikam” now synchronizes" in result.message
    assert "“Contoso Sales” (contososales) no longer does" in result.message


def test_switch_away_from_a_primary_that_stamped_the_mailbox_needs_no_override(registry, mailbox):
    three(registry)
    registry.apply(registry.plan_switch(1))
    mailbox.record_sync(ID_A)
    plan = registry.plan_switch(3)
    assert not plan.stamp_conflict
    assert "Your mailbox is set to synchronize with “Contoso Sales” (contososales)" in \
        plan.stamp_text
    assert "It will record “Northwind” instead." in plan.stamp_text
    registry.apply(plan)
    assert mailbox.stamp().org_id == ID_C and mailbox.stamp().last_sync is None


def test_a_foreign_stamp_is_a_conflict_until_overridden(registry, mailbox):
    three(registry)
    mailbox.claim(ID_X, "Litware (old tenant)")
    plan = registry.plan_switch(2)
    assert plan.stamp_conflict and plan.needs_override
    text = "\n".join(plan.summary_lines())
    assert "Litware (old tenant)" in text and "not in your list" in text
    assert "even if the mailbox was set to sync with a different org" in text
    with pytest.raises(StampConflict, match="Litware"):
        registry.apply(plan)
    assert registry.primary().display_name == "Contoso Sales"   # nothing changed
    assert mailbox.stamp().org_id == ID_X
    registry.apply(plan, override=True)
    assert registry.primary().display_name == "Fabrikam"
    assert mailbox.stamp().org_id == ID_B


def test_reclaiming_the_mailbox_for_the_current_primary(registry, mailbox):
    three(registry)
    mailbox.claim(ID_X, "Litware")
    plan = registry.plan_switch(1)
    assert plan.already_primary and plan.stamp_conflict and plan.changes_anything
    assert plan.stops is None and "take your mailbox back" in plan.starts
    registry.apply(plan, override=True)
    assert mailbox.stamp().org_id == ID_A


def test_plan_for_the_current_primary_with_its_own_stamp_changes_nothing(registry, mailbox):
    three(registry)
    registry.apply(registry.plan_switch(1))
    plan = registry.plan_switch(1)
    assert plan.already_primary and not plan.changes_anything
    assert plan.summary_lines()[0].startswith("“Contoso Sales” (contososales) already synchronizes")


def test_a_plan_made_before_another_switch_is_stale(registry):
    three(registry)
    plan = registry.plan_switch(2)
    registry.apply(registry.plan_switch(3))
    with pytest.raises(StalePlan, match="changed after this plan was shown"):
        registry.apply(plan)
    assert registry.primary().display_name == "Northwind"


def test_a_plan_made_before_the_stamp_changed_is_stale(registry, mailbox):
    three(registry)
    plan = registry.plan_switch(2)
    mailbox.claim(ID_X, "Litware")
    with pytest.raises(StalePlan):
        registry.apply(plan, override=True)
    assert mailbox.stamp().org_id == ID_X
    assert registry.primary().display_name == "Contoso Sales"


def test_a_plan_for_a_removed_org_is_stale(registry):
    three(registry)
    plan = registry.plan_switch(2)
    registry.remove(2)
    with pytest.raises(StalePlan, match="removed"):
        registry.apply(plan)


def test_unrelated_changes_do_not_make_a_plan_stale(registry, mailbox):
    three(registry)
    registry.apply(registry.plan_switch(1))
    plan = registry.plan_switch(2)
    registry.rename(3, "Northwind Traders")
    registry.mark_connected(1)
    mailbox.record_sync(ID_A)
    registry.add(OrgProfile(base_url="https://another.crm.dynamics.com"))
    registry.apply(plan)
    assert registry.primary().display_name == "Fabrikam"


def test_switch_needs_a_known_org_id(registry):
    registry.add(contoso())
    registry.add(OrgProfile(base_url="https://crmsrv/unknownorg", kind="onprem"))
    with pytest.raises(SwitchNotPossible, match="organization ID is not known"):
        registry.plan_switch(2)


def test_switch_when_no_org_synchronizes(registry, mailbox):
    three(registry)
    registry.remove(1)
    plan = registry.plan_switch("northwind")
    assert plan.from_org is None and plan.stops is None
    registry.apply(plan)
    assert registry.primary().display_name == "Northwind"


class Crash(BaseException):
    """Stands in for the process dying (not an Exception: nothing may catch it)."""


def test_a_switch_interrupted_before_the_stamp_is_finished_by_the_next_reader(
        registry, mailbox, secrets, clock, monkeypatch):
    three(registry)
    registry.apply(registry.plan_switch(1))
    plan = registry.plan_switch(2)

    def die(*args, **kw):
        raise Crash()

    monkeypatch.setattr(mailbox, "claim", die)
    with pytest.raises(Crash):
        registry.apply(plan)
    monkeypatch.undo()
    assert mailbox.stamp().org_id == ID_A                     # the stamp was not written yet
    assert "pending_stamp" in json.loads(registry.path.read_text())
    fresh = OrgRegistry(registry.path, secrets=secrets, mailbox=mailbox, clock=clock)
    assert fresh.primary().display_name == "Fabrikam"
    assert mailbox.stamp().org_id == ID_B                     # finished by that read
    assert "pending_stamp" not in json.loads(registry.path.read_text())
    assert not fresh.plan_switch(3).stamp_conflict


def test_a_removal_interrupted_before_the_release_is_finished_by_the_next_change(
        registry, mailbox, monkeypatch):
    three(registry)
    registry.apply(registry.plan_switch(1))
    monkeypatch.setattr(mailbox, "release", lambda org_id: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        registry.remove(1)
    monkeypatch.undo()
    assert mailbox.stamp().org_id == ID_A
    registry.rename(1, "Fabrikam Prod")
    assert mailbox.stamp() is None


def test_a_stamp_change_that_cannot_be_written_stays_pending(registry, mailbox, monkeypatch):
    from wizard.engine.stamp import MailboxError

    three(registry)
    plan = registry.plan_switch(2)

    def unavailable(*args, **kw):
        raise MailboxError("disk full")

    monkeypatch.setattr(mailbox, "claim", unavailable)
    with pytest.raises(MailboxError):
        registry.apply(plan)
    assert registry.primary().display_name == "Fabrikam"    # reads still work
    assert mailbox.stamp() is None
    monkeypatch.undo()
    registry.list()
    assert mailbox.stamp().org_id == ID_B


def test_a_stamp_written_by_someone_else_meanwhile_is_not_overwritten(registry, mailbox,
                                                                      monkeypatch):
    three(registry)
    plan = registry.plan_switch(2)
    real_claim = mailbox.claim

    def someone_else_first(org_id, org_name, **kw):
        real_claim(ID_X, "Litware")
        return real_claim(org_id, org_name, **kw)

    monkeypatch.setattr(mailbox, "claim", someone_else_first)
    with pytest.raises(StampConflict, match="Litware"):
        registry.apply(plan)
    monkeypatch.undo()
    assert mailbox.stamp().org_id == ID_X
    assert "pending_stamp" not in json.loads(registry.path.read_text())
    replan = registry.plan_switch(2)
    assert replan.already_primary and replan.stamp_conflict


def test_plan_to_dict_is_json(registry):
    three(registry)
    data = json.loads(json.dumps(registry.plan_switch(2).to_dict()))
    assert data["to"]["display_name"] == "Fabrikam" and data["summary"]


# -- damaged and newer files --------------------------------------------------------------------
def test_corrupt_file_is_moved_aside_and_the_user_is_told(registry, tmp_path, secrets, mailbox,
                                                          clock):
    registry.add(contoso())
    registry.path.write_text('{"schema_version": 1, "orgs": [')
    assert registry.list() == []
    warning = registry.load_warning
    assert isinstance(warning, CorruptConfig)
    moved = list(registry.path.parent.glob("organizations.json.corrupt-*"))
    assert len(moved) == 1 and moved[0].read_text() == '{"schema_version": 1, "orgs": ['
    assert str(moved[0]) in str(warning) and warning.moved_to == str(moved[0])
    # another process sees the warning too, and the registry keeps working
    other = OrgRegistry(registry.path, secrets=secrets, mailbox=mailbox, clock=clock)
    assert other.load_warning is not None
    b, _ = other.add(fabrikam())
    assert b.is_primary
    assert registry.load_warning is not None
    registry.dismiss_load_warning()
    assert other.load_warning is None
    assert [p.display_name for p in other.list()] == ["Fabrikam"]


def test_corrupt_file_found_by_a_mutation(registry):
    registry.path.parent.mkdir(parents=True, exist_ok=True)
    registry.path.write_bytes(b"\x00\xff garbage")
    a, created = registry.add(contoso())
    assert created and a.is_primary
    assert registry.load_warning is not None


def test_a_file_from_a_newer_version_is_refused_not_moved(registry):
    registry.path.parent.mkdir(parents=True, exist_ok=True)
    registry.path.write_text('{"schema_version": 99, "orgs": []}')
    with pytest.raises(ConfigError, match="newer version"):
        registry.list()
    with pytest.raises(ConfigError, match="newer version"):
        registry.add(contoso())
    assert registry.path.read_text() == '{"schema_version": 99, "orgs": []}'


def test_normalize_base_url():
    assert normalize_base_url("HTTPS://Contoso.CRM.dynamics.com:443/") == \
        "https://contoso.crm.dynamics.com"
    assert normalize_base_url("http://srv:80/Org/") == "http://srv/org"
    assert normalize_base_url("https://srv:5555/Org") == "https://srv:5555/org"


def test_remove_with_the_memory_secret_store(tmp_path, mailbox, clock):
    from wizard.engine.secrets import MemorySecretStore, org_secret_key

    store = MemorySecretStore()
    registry = OrgRegistry(tmp_path / "o.json", secrets=store, mailbox=mailbox, clock=clock)
    a, b, _ = three(registry)
    store.set(org_secret_key(b.key, "password"), "hunter2-hunter2")
    store.set(org_secret_key(a.key, "password"), "other-password")
    registry.remove(b.key)
    assert store.get(org_secret_key(b.key, "password")) is None
    assert store.get(org_secret_key(a.key, "password")) == "other-password"
    assert "hunter2" not in registry.path.read_text()


def test_org_ids_are_stored_in_one_form(registry):
    a, _ = registry.add(contoso(org_id="{" + ID_A.upper() + "}"))
    assert a.org_id == ID_A
