"""The engine's wiring: one object that the CLI and the GUI build and pass around.

Collaborators are created lazily (so ``d365-wizard`` paints its first window before
msal, keyring or requests are imported) and can be injected for tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.engine.clouds import BUILTIN_CLOUDS, Cloud, get_cloud, load_cloud_file
from wizard.engine.paths import AppPaths

if TYPE_CHECKING:  # pragma: no cover
    import requests

    from wizard.engine.auth import Authenticator
    from wizard.engine.connect import Connector
    from wizard.engine.orgs import OrgProfile, OrgRegistry
    from wizard.engine.secrets import SecretStore
    from wizard.engine.serverside import MailboxSwitcher
    from wizard.engine.stamp import MailboxStore
    from wizard.engine.token_cache import EncryptedTokenCache


class Engine:
    def __init__(self, paths: AppPaths, *, cloud_files: Iterable[str | Path] = (),
                 ca_bundle: str | None = None, secret_store: "SecretStore | None" = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.paths = paths
        self.ca_bundle = ca_bundle
        self.clock = clock
        self.custom_clouds: dict[str, Cloud] = {}
        for f in cloud_files:
            cloud = load_cloud_file(f)
            self.custom_clouds[cloud.name] = cloud
        if secret_store is not None:
            self.__dict__["secrets"] = secret_store

    @classmethod
    def from_options(cls, home: str | None = None, **kw: Any) -> "Engine":
        return cls(AppPaths.resolve(home), **kw)

    # -- clouds -----------------------------------------------------------------------
    @property
    def clouds(self) -> dict[str, Cloud]:
        return {**BUILTIN_CLOUDS, **self.custom_clouds}

    def cloud(self, name: str) -> Cloud:
        return get_cloud(name, self.custom_clouds)

    # -- collaborators ----------------------------------------------------------------
    @cached_property
    def secrets(self) -> "SecretStore":
        from wizard.engine.secrets import open_secret_store, service_name_for

        return open_secret_store(service_name_for(self.paths))

    @cached_property
    def registry(self) -> "OrgRegistry":
        from wizard.engine.orgs import OrgRegistry

        # The keyring is opened only when an org is removed: listing must not wait on D-Bus.
        return OrgRegistry(self.paths.registry_file, secrets=lambda: self.secrets,
                           mailbox=self.mailbox, clock=self.clock,
                           token_cleanup=self.drop_org_tokens)

    @cached_property
    def mailbox(self) -> "MailboxStore":
        from wizard.engine.stamp import MailboxStore

        return MailboxStore(self.paths.mailbox_db, clock=self.clock)

    # -- sign-in and HTTP ----------------------------------------------------------------
    @property
    def ca_bundles(self) -> list[str]:
        """--ca-bundle plus every loaded cloud file's CA bundle."""
        out = [self.ca_bundle] if self.ca_bundle else []
        out += [c.ca_bundle for c in self.custom_clouds.values() if c.ca_bundle]
        return out

    @cached_property
    def session(self) -> "requests.Session":
        from wizard.engine.http import make_session

        return make_session(ca_bundles=self.ca_bundles, clock=self.clock)

    @cached_property
    def token_cache(self) -> "EncryptedTokenCache":
        from wizard.engine.token_cache import EncryptedTokenCache

        return EncryptedTokenCache(self.paths.token_cache_file, self.secrets)

    @cached_property
    def authenticator(self) -> "Authenticator":
        from wizard.engine.auth import Authenticator

        return Authenticator(session=self.session, cache=self.token_cache, clock=self.clock)

    @cached_property
    def connector(self) -> "Connector":
        from wizard.engine.connect import Connector

        return Connector(session=self.session, authenticator=self.authenticator,
                         secrets=self.secrets, clouds=self.clouds, registry=self.registry,
                         mailbox=self.mailbox)

    @cached_property
    def switcher(self) -> "MailboxSwitcher":
        """The switch on the servers: every org's mailbox record and Test & Enable."""
        from wizard.engine.serverside import MailboxSwitcher

        return MailboxSwitcher(registry=self.registry, connector=self.connector,
                               clock=self.clock)

    def drop_org_tokens(self, profile: OrgProfile) -> None:
        """Registry hook: an org was removed; forget its account's cached tokens."""
        authority = (profile.extra or {}).get("authority")
        if not authority or not profile.user:
            return
        others = [p for p in self.registry.list()
                  if p.key != profile.key and p.user == profile.user
                  and (p.extra or {}).get("authority") == authority]
        if others:
            return  # the same account still serves another org
        cloud = self.clouds.get(profile.cloud) if profile.cloud else None
        self.authenticator.sign_out(authority, username=profile.user,
                                    client_id=cloud.client_id if cloud else None)

