"""Wiring a sync for the app: the synchronizing org from the registry, signed in silently."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wizard.engine.errors import Action, WizardError
from wizard.engine.sync.conflicts import DEFAULT_RESOLVER, RESOLVERS
from wizard.engine.sync.engine import Synchronizer

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.context import Engine
    from wizard.engine.dataverse import DataverseClient
    from wizard.engine.orgs import OrgProfile


class NotSynchronizingOrg(WizardError):
    code = "not_synchronizing_org"
    action = Action.SWITCH_ORG
    template = "No organization synchronizes with your mailbox yet."
    fix_template = "Choose one (its synchronization method becomes Mailbox)."


class OtherOrgSynchronizes(NotSynchronizingOrg):
    """``org`` was asked for, ``primary`` synchronizes; ``org_ref`` names ``org`` for a command."""

    template = ("{org} does not synchronize with your mailbox (its synchronization method is None); "
                "{primary} does. Nothing was synchronized.")
    fix_template = "To synchronize with {org} instead, make it the synchronizing organization first."


class PrimaryNeverConnected(NotSynchronizingOrg):
    action = Action.TEST_AGAIN
    template = "{org} has not been connected yet, so its organization ID is unknown."
    fix_template = "Test its connection once while online."


def synchronizing_profile(engine: Engine, org_ref: str | None = None) -> OrgProfile:
    """The registry's primary org; another org is refused (only one org syncs)."""
    registry = engine.registry
    primary = registry.primary()
    wanted = registry.get(org_ref) if org_ref else None
    if primary is None:
        raise NotSynchronizingOrg()
    if wanted is not None and wanted.key != primary.key:
        raise OtherOrgSynchronizes(org=wanted.label, primary=primary.label,
                                   org_ref=wanted.unique_name or wanted.key)
    if not primary.org_id:
        raise PrimaryNeverConnected(org=primary.label, org_ref=primary.key)
    return primary


def open_synchronizer(engine: Engine, *, org_ref: str | None = None,
                      resolver: str = DEFAULT_RESOLVER,
                      progress: Callable[[str, int, int], None] | None = None,
                      cancel: Any = None,
                      settings_only: bool = False) -> tuple[Synchronizer, Any]:
    """A :class:`Synchronizer` for the synchronizing org (signed in silently on first use)
    and the mailbox side it uses (the configured one: see :mod:`~wizard.engine.sync.sides`;
    close it when done). ``cancel``: a threading.Event.

    An org whose appointments, contacts and tasks synchronize through its own server-side
    synchronization is refused (:class:`~wizard.engine.serverside.errors.
    ServerSideSynchronizes`) unless ``settings_only`` (its Synchronization settings apply to
    server-side synchronization too)."""
    from wizard.engine.connect import SignInOptions
    from wizard.engine.serverside import check_local_sync
    from wizard.engine.sync.sides import open_side
    from wizard.engine.sync.webapi import DataverseOrgSide

    profile = synchronizing_profile(engine, org_ref)
    if not settings_only:
        check_local_sync(profile)
    engine.paths.ensure()

    def connect() -> DataverseClient:
        return engine.connector.connect(profile, SignInOptions(method="silent")).client

    side = DataverseOrgSide(connect, org_id=profile.org_id, org_name=profile.label)
    store = open_side(engine)
    sync = Synchronizer(store, side, stamp_store=store.stamp_store or engine.mailbox,
                        resolver=RESOLVERS[resolver], clock=engine.clock, progress=progress,
                        cancel=cancel)
    return sync, store
