"""Which mailbox side "This computer" synchronizes with, and opening it.

The choice lives in ``<config>/mailbox.json`` (schema 1): ``{"side": "local"}``,
``{"side": "vdir", "path": ..., "folders": {kind: folder}}`` or ``{"side": "dav", "url":
..., "user": ..., "collections": {kind: {url, name, kinds}}}``. A DAV password is kept in
the keyring (``mailbox:dav:<user>@<url>``), never in the file. Each vdir folder and DAV
account has its own index and status file under ``<data>/sync/``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.engine.errors import Action, WizardError
from wizard.engine.paths import AppPaths
from wizard.engine.sync.mailside import SIDE_KINDS, LocalSide

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.sync.dav import DavClient, DavSide
    from wizard.engine.sync.vdir import VdirSide

SCHEMA_VERSION = 1


class MailboxSideError(WizardError):
    code = "mailbox_side"


class NoDavPassword(MailboxSideError):
    code = "dav_password_missing"
    template = "The password for {user} at {url} is not in the keyring."
    fix_template = "Connect the mailbox again and enter the password (or app password)."
    action = Action.ENTER_PASSWORD


class UnknownSide(MailboxSideError):
    code = "usage"
    template = "“{side}” is not a kind of mailbox; use local, vdir or dav."


@dataclass
class MailboxConfig:
    side: str = "local"
    path: str | None = None                     # vdir
    folders: dict[str, str] = field(default_factory=dict)
    url: str | None = None                      # dav
    user: str | None = None
    collections: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "side": self.side}
        if self.side == "vdir":
            out.update(path=self.path, folders=self.folders)
        elif self.side == "dav":
            out.update(url=self.url, user=self.user, collections=self.collections)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "MailboxConfig":
        side = d.get("side") or "local"
        if side not in SIDE_KINDS:
            raise UnknownSide(side=side)
        return cls(side, d.get("path"), dict(d.get("folders") or {}), d.get("url"),
                   d.get("user"), dict(d.get("collections") or {}))

    @property
    def target(self) -> str:
        return {"vdir": self.path or "", "dav": self.url or ""}.get(self.side, "")


def config_file(paths: AppPaths) -> Path:
    return paths.config_dir / "mailbox.json"


def load_config(paths: AppPaths) -> MailboxConfig:
    from wizard.engine.storage import read_versioned_json

    data = read_versioned_json(config_file(paths), schema_version=SCHEMA_VERSION,
                               kind="mailbox settings")
    return MailboxConfig.from_dict(data) if data else MailboxConfig()


def save_config(paths: AppPaths, config: MailboxConfig) -> None:
    from wizard.engine.storage import atomic_write_json, locked

    paths.ensure()
    with locked(config_file(paths)):
        atomic_write_json(config_file(paths), config.to_dict())


def index_path(paths: AppPaths, config: MailboxConfig) -> Path:
    digest = hashlib.sha256(f"{config.side}\0{config.target}\0{config.user or ''}".encode())
    return paths.data_dir / "sync" / f"{config.side}-{digest.hexdigest()[:16]}.sqlite3"


def password_key(url: str, user: str) -> str:
    return f"mailbox:dav:{user}@{url}"


def dav_client(engine: Any, url: str, user: str | None, password: str | None) -> DavClient:
    from wizard.engine.sync.dav import DavClient

    return DavClient(engine.session, url, user=user, password=password)


def open_side(engine: Any, config: MailboxConfig | None = None) -> LocalSide | VdirSide | DavSide:
    """The configured mailbox side, ready to use (close it when done)."""
    from wizard.engine.mailstore import SqliteMailStore

    config = config or load_config(engine.paths)
    engine.paths.ensure()
    if config.side == "local":
        return LocalSide(SqliteMailStore(engine.paths.mailbox_db, clock=engine.clock),
                         stamp_store=engine.mailbox)
    index = index_path(engine.paths, config)
    if config.side == "vdir":
        from wizard.engine.sync.vdir import VdirSide

        return VdirSide(Path(config.path or ""), index, folders=config.folders or None,
                        clock=engine.clock)
    from wizard.engine.sync.dav import DavSide, FoundCollection

    password = None
    if config.user:
        password = engine.secrets.get(password_key(config.url or "", config.user))
        if password is None:
            raise NoDavPassword(user=config.user, url=config.url)
    client = dav_client(engine, config.url or "", config.user, password)
    found = {kind: FoundCollection(c["url"], c.get("name", ""), tuple(c.get("kinds", ())),
                                   bool(c.get("sync_token")))
             for kind, c in config.collections.items()}
    return DavSide(client, found, index, clock=engine.clock)


@dataclass
class Connection:
    """The outcome of :func:`connect`: the new settings and what was found."""

    config: MailboxConfig
    collections: dict[str, dict[str, Any]]      # kind -> {url, name, kinds}
    items: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"side": self.config.side, "target": self.config.target,
                "user": self.config.user, "collections": self.collections, "items": self.items}


def probe(engine: Any, side: str, target: str | None = None, *, user: str | None = None,
          password: str | None = None) -> Connection:
    """Test a mailbox side without saving anything: the collections it would use."""
    if side not in SIDE_KINDS:
        raise UnknownSide(side=side)
    if side == "local":
        return Connection(MailboxConfig(), {k: {"name": f"the app's own {n}", "url": "",
                                                "kinds": [k]}
                                            for k, n in (("appointment", "calendar"),
                                                         ("task", "task list"),
                                                         ("contact", "address book"))})
    if side == "vdir":
        from wizard.engine.sync.vdir import VdirError, choose_folders

        root = Path(target or "").expanduser()
        if not target:
            raise VdirError(path="(none)", reason="no folder was given")
        if root.exists() and not root.is_dir():
            raise VdirError(path=str(root), reason="it is a file, not a folder")
        try:
            root.mkdir(parents=True, exist_ok=True)
            probe_file = root / ".d365-wizard-write-test"
            probe_file.write_bytes(b"")
            probe_file.unlink()
        except OSError as exc:
            raise VdirError(path=str(root), reason=exc.strerror or str(exc)) from exc
        folders = choose_folders(root)
        config = MailboxConfig("vdir", str(root.absolute()), folders)
        return Connection(config, {k: {"name": name, "url": str(root.absolute() / name),
                                       "kinds": [k]} for k, name in folders.items()})
    from wizard.engine.sync.dav import choose, discover

    client = dav_client(engine, target or "", user, password)
    chosen = choose(discover(client))
    config = MailboxConfig("dav", url=client.url, user=user,
                           collections={k: f.to_dict() for k, f in chosen.items()})
    return Connection(config, dict(config.collections))


def connect(engine: Any, side: str, target: str | None = None, *, user: str | None = None,
            password: str | None = None) -> Connection:
    """Test the side, keep the password in the keyring and make it the mailbox side."""
    connection = probe(engine, side, target, user=user, password=password)
    config = connection.config
    if config.side == "dav" and user and password is not None:
        engine.secrets.set(password_key(config.url or "", user), password)
    save_config(engine.paths, config)
    return connection
