"""Where the app keeps its files.

``D365_WIZARD_HOME=DIR`` (or ``--home DIR``) puts config, data, cache and logs under
DIR; otherwise platformdirs' per-user directories for the app name are used.
The machine-wide deployment file lives in the site config dir.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from wizard import APP_NAME

HOME_ENV = "D365_WIZARD_HOME"


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path
    site_config_dir: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> "AppPaths":
        """``home`` (from ``--home``) wins over ``D365_WIZARD_HOME``, which wins over platformdirs."""
        home = home or os.environ.get(HOME_ENV) or None
        if home:
            root = Path(home).expanduser().absolute()
            return cls(root / "config", root / "data", root / "cache", root / "logs",
                       root / "site-config")
        import platformdirs

        return cls(
            Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.site_config_dir(APP_NAME, appauthor=False)),
        )

    @property
    def registry_file(self) -> Path:
        return self.config_dir / "organizations.json"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def mailbox_db(self) -> Path:
        return self.data_dir / "mailbox.sqlite3"

    @property
    def token_cache_file(self) -> Path:
        return self.cache_dir / "msal_token_cache.bin"

    @property
    def sandbox_dir(self) -> Path:
        return self.data_dir / "sandbox"

    @property
    def site_deployment_file(self) -> Path:
        return self.site_config_dir / "deployment.json"

    def ensure(self) -> "AppPaths":
        """Create the folders (0700). A file in the way, a read-only disk and the like raise
        :class:`~wizard.engine.fileio.FileProblem` with a plain message."""
        from wizard.engine.fileio import ensure_private_dir

        for d in (self.config_dir, self.data_dir, self.cache_dir, self.log_dir):
            ensure_private_dir(d, what="a d365-wizard folder")
        return self
