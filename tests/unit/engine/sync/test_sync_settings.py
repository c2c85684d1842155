"""The Synchronization settings as both front ends read and change them (one engine rule)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from wizard.engine.sync.errors import NoSyncPrivilege
from wizard.engine.sync.filters import OFFLINE_QUERYTYPE, SyncFilter, mine
from wizard.engine.sync.orgside import MemoryOrg, MemoryOrgSide
from wizard.engine.sync.settings import OrgSyncSettings

USER = "5e7a0001-0000-4000-8000-000000000001"


class Store:
    closed = False

    def close(self) -> None:
        self.closed = True


def open_settings(org: MemoryOrg) -> tuple[OrgSyncSettings, Store]:
    store = Store()
    sync = SimpleNamespace(org=MemoryOrgSide(org, USER))
    return OrgSyncSettings(None, sync, store, "Contoso Sales"), store  # type: ignore[arg-type]  # no engine needed here


def test_view_shows_settings_fields_and_the_filters_in_force():
    org = MemoryOrg()
    org.privileged.add(USER)
    org.userqueries[USER] = [mine("contact", "My offline contacts", querytype=OFFLINE_QUERYTYPE)]
    settings, store = open_settings(org)
    with settings:
        view = settings.view()
    assert store.closed
    assert view.can_edit and view.display_name == "Contoso Sales"
    assert set(view.fields) == {"contact", "appointment", "task"} and view.fields["contact"]
    shown = view.filters_in_force
    assert any(f.offline and f.name == "My offline contacts" for f in shown)
    # No sync filter of its own for any record type: the built-in defaults are in force.
    assert {f.entity for f in shown if f.default} == {"contact", "appointment", "task"}


def test_a_change_needs_the_privilege_and_changes_nothing_without_it():
    org = MemoryOrg()
    settings, _ = open_settings(org)
    assert not settings.view().can_edit
    with pytest.raises(NoSyncPrivilege):
        settings.change(assigned_tasks=True)
    with pytest.raises(NoSyncPrivilege):
        settings.plan_addresses(False)
    assert not settings.view().settings.assigned_tasks
    org.privileged.add(USER)
    assert settings.change(assigned_tasks=True).assigned_tasks


def test_the_address_switch_cannot_bypass_its_dry_run():
    org = MemoryOrg()
    org.privileged.add(USER)
    settings, _ = open_settings(org)
    with pytest.raises(ValueError):
        settings.change(mailing_address_only=False)


def test_inactive_filters_are_listed_but_not_in_force():
    org = MemoryOrg()
    old = mine("contact", "Old contacts")
    org.userqueries[USER] = [SyncFilter(**{**old.__dict__, "active": False})]
    settings, _ = open_settings(org)
    view = settings.view()
    assert [f.name for f in view.filters] == ["Old contacts"]
    assert "Old contacts" not in [f.name for f in view.filters_in_force]
