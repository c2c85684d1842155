"""The engine's wiring: one object that the CLI and the GUI build and pass around.

Collaborators are created lazily (so ``d365-wizard`` paints its first window before
msal, keyring or requests are imported) and can be injected for tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.engine.clouds import BUILTIN_CLOUDS, Cloud, get_cloud, load_cloud_file
from wizard.engine.paths import AppPaths

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.orgs import OrgRegistry
    from wizard.engine.secrets import SecretStore
    from wizard.engine.mailbox import MailboxStore


class Engine:
    def __init__(self, paths: AppPaths, *, cloud_files: list[str | Path] = (),
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

    # -- collaborators (each module's owner fills its own) ----------------------------
    @cached_property
    def secrets(self) -> "SecretStore":
        from wizard.engine.secrets import open_secret_store

        return open_secret_store()

    @cached_property
    def registry(self) -> "OrgRegistry":
        from wizard.engine.orgs import OrgRegistry

        # The keyring is opened only when an org is removed: listing must not wait on D-Bus.
        return OrgRegistry(self.paths.registry_file, secrets=lambda: self.secrets,
                           mailbox=self.mailbox, clock=self.clock)

    @cached_property
    def mailbox(self) -> "MailboxStore":
        from wizard.engine.mailbox import MailboxStore

        return MailboxStore(self.paths.mailbox_db, clock=self.clock)
