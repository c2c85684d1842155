"""The organization's Synchronization settings, as both front ends read and change them.

:class:`OrgSyncSettings` is the one place that decides what a settings page shows (the
settings, the synchronized fields with their directions, the filters in force, whether the
user may edit) and what a change is allowed to do: every change needs the Sync-to-Outlook
privilege (:class:`~wizard.engine.sync.errors.NoSyncPrivilege` otherwise), and switching the
contact addresses goes through a dry run and a backup (:mod:`wizard.engine.sync.addresses`).
``d365-orgs settings`` and the GUI's Synchronization settings dialog both call it::

    with OrgSyncSettings.open(engine) as settings:
        view = settings.view()
        settings.change(assigned_tasks=True)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.engine.sync import filters as flt
from wizard.engine.sync.addresses import AddressSwitchPlan, apply_address_switch, plan_address_switch
from wizard.engine.sync.errors import NoSyncPrivilege
from wizard.engine.sync.mapping import FieldMapping, SyncSettings, effective_mappings

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.context import Engine
    from wizard.engine.sync.engine import Synchronizer

KINDS = ("contact", "appointment", "task")


@dataclass(frozen=True)
class FilterInForce:
    """A filter that decides what synchronizes: the org's own (active) or a built-in default
    for a record type the org has none for."""

    name: str
    entity: str
    scope: str                           # "system" or "user"
    offline: bool = False
    default: bool = False


@dataclass(frozen=True)
class SettingsView:
    org_name: str                        # the org side's label
    display_name: str                    # the name the user gave the org
    can_edit: bool                       # the user has the Sync-to-Outlook privilege
    settings: SyncSettings
    fields: dict[str, list[FieldMapping]]
    filters: list[flt.SyncFilter]        # as the org keeps them (active or not)

    @property
    def filters_in_force(self) -> tuple[FilterInForce, ...]:
        shown = [FilterInForce(f.name, f.entity, f.scope, f.querytype == flt.OFFLINE_QUERYTYPE)
                 for f in self.filters if f.active]
        for default in flt.DEFAULT_SYNC_FILTERS:
            if not any(f.active and f.entity == default.entity and f.querytype == flt.SYNC_QUERYTYPE
                       for f in self.filters):
                shown.append(FilterInForce(default.name, default.entity, default.scope, False, True))
        return tuple(shown)


class OrgSyncSettings:
    """The synchronizing org's (or ``org_ref``'s) settings over one signed-in connection."""

    def __init__(self, engine: Engine, sync: Synchronizer, store: Any, display_name: str) -> None:
        self.engine = engine
        self.sync = sync
        self._store = store
        self.display_name = display_name

    @classmethod
    def open(cls, engine: Engine, org_ref: str | None = None) -> OrgSyncSettings:
        from wizard.engine.sync.run import open_synchronizer, synchronizing_profile

        profile = synchronizing_profile(engine, org_ref)
        sync, store = open_synchronizer(engine, org_ref=org_ref, settings_only=True)
        return cls(engine, sync, store, profile.display_name)

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> OrgSyncSettings:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def org_name(self) -> str:
        return str(self.sync.org.org_name)

    def may_edit(self) -> bool:
        return bool(self.sync.org.has_sync_privilege())

    def require_privilege(self) -> None:
        """Raise :class:`NoSyncPrivilege` unless the user may change the settings."""
        if not self.may_edit():
            raise NoSyncPrivilege(self.org_name)

    def view(self) -> SettingsView:
        org = self.sync.org
        settings = org.settings()
        rows = org.attribute_mappings()
        filters = org.filters()
        fields = {kind: list(effective_mappings(kind, settings, rows)) for kind in KINDS}
        return SettingsView(self.org_name, self.display_name, self.may_edit(), settings, fields,
                            list(filters))

    def change(self, **changes: bool) -> SyncSettings:
        """Change on/off settings (not the contact addresses: :meth:`plan_addresses`)."""
        self.require_privilege()
        if "mailing_address_only" in changes:
            raise ValueError("the contact addresses switch needs plan_addresses() first")
        return self.sync.org.update_settings(**changes) if changes else self.sync.org.settings()

    def plan_addresses(self, mailing_only: bool) -> AddressSwitchPlan:
        """The dry run of switching the contact addresses: every field that would change."""
        self.require_privilege()
        return plan_address_switch(self.sync, mailing_only)

    def switch_addresses(self, plan: AddressSwitchPlan, other_changes: dict[str, bool] | None = None
                         ) -> Path:
        """Back up, apply ``other_changes``, switch and remap. Returns the backup file."""
        self.require_privilege()
        if other_changes:
            self.sync.org.update_settings(**other_changes)
        return apply_address_switch(self.sync, plan, self.engine.paths.data_dir / "backups",
                                    clock=self.engine.clock)
