"""The vdir mailbox side: a folder per collection, one ``.ics`` or ``.vcf`` file per item.

The layout vdirsyncer's filesystem storage, khal, khard and todoman read and write: the
folder the user chooses holds one folder per collection (``calendar``, ``tasks``,
``contacts`` unless it already has others), each item a file named by a safe form of its
``UID``. A file's ETag is its modification time, size and inode; files are written to a
hidden temporary file and renamed into place (a new item is linked into place, so an
existing file is never overwritten by a create). The mailbox stamp is the file
``.d365-wizard-stamp.json`` in the chosen folder (a file, not a collection: vdirsyncer
and khal ignore it).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wizard.engine import calcard
from wizard.engine.errors import WizardError
from wizard.engine.sync.remote import Gone, Listing, PreconditionFailed, RemoteSide, safe_name
from wizard.engine.sync.stamps import FileStamp

STAMP_FILE = ".d365-wizard-stamp.json"
DEFAULT_FOLDERS = {"appointment": "calendar", "task": "tasks", "contact": "contacts"}


class VdirError(WizardError):
    code = "vdir_error"
    template = "The folder {path} cannot be used as a mailbox: {reason}"
    fix_template = "Choose a folder you can write to."


def etag_of(stat: os.stat_result) -> str:
    return f"{stat.st_mtime_ns}-{stat.st_size}-{stat.st_ino}"


class VdirCollection:
    """One folder of ``.ics`` or ``.vcf`` files."""

    def __init__(self, path: Path, kinds: tuple[str, ...]) -> None:
        self.path = Path(path)
        self.kinds = kinds
        self.key = self.path.name
        self.ext = calcard.file_extension(kinds[0])

    def listing(self, token: str | None, known: dict[str, str | None]) -> Listing:
        changed: dict[str, str | None] = {}
        try:
            with os.scandir(self.path) as entries:
                for entry in entries:
                    if (entry.name.startswith(".") or not entry.name.endswith(self.ext)
                            or not entry.is_file()):
                        continue
                    changed[entry.name] = etag_of(entry.stat())
        except FileNotFoundError:
            self.path.mkdir(parents=True, exist_ok=True)
        return Listing(changed, [], None, True)

    def read(self, hrefs: list[str]) -> dict[str, tuple[str, str | None]]:
        out: dict[str, tuple[str, str | None]] = {}
        for href in hrefs:
            path = self.path / href
            try:
                with open(path, "rb") as fh:
                    raw = fh.read()
                    etag = etag_of(os.fstat(fh.fileno()))
            except FileNotFoundError:
                continue
            out[href] = (raw.decode("utf-8", "replace"), etag)
        return out

    def href_for(self, uid: str, kind: str) -> str:
        return (safe_name(uid) or str(uuid.uuid4())) + self.ext

    def _temp(self, raw: str) -> str:
        self.path.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".d365-", suffix=".tmp", dir=self.path)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        return tmp

    def create(self, href: str, raw: str) -> str | None:
        tmp = self._temp(raw)
        final = self.path / href
        try:
            os.link(tmp, final)                # fails if the file exists: never overwrites
        except FileExistsError:
            raise PreconditionFailed(href=href) from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return etag_of(os.stat(final))

    def update(self, href: str, raw: str, etag: str) -> str | None:
        final = self.path / href
        try:
            current = etag_of(os.stat(final))
        except FileNotFoundError:
            raise Gone(href=href) from None
        if etag != "*" and current != etag:
            raise PreconditionFailed(href=href)
        tmp = self._temp(raw)
        try:
            os.replace(tmp, final)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return etag_of(os.stat(final))

    def delete(self, href: str, etag: str | None) -> None:
        final = self.path / href
        try:
            current = etag_of(os.stat(final))
        except FileNotFoundError:
            raise Gone(href=href) from None
        if etag is not None and current != etag:
            raise PreconditionFailed(href=href)
        final.unlink()


def choose_folders(root: Path) -> dict[str, str]:
    """Which subfolder holds which kind: existing collections (by their files), else the
    defaults."""
    found: dict[str, str] = {}
    if root.is_dir():
        for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for f in sub.iterdir():
                if f.name.endswith(".vcf"):
                    found.setdefault("contact", sub.name)
                    break
                if f.name.endswith(".ics"):
                    head = f.read_text("utf-8", "replace")[:4096].upper()
                    if "BEGIN:VTODO" in head:
                        found.setdefault("task", sub.name)
                    else:
                        found.setdefault("appointment", sub.name)
                    break
    for kind, name in DEFAULT_FOLDERS.items():
        if kind not in found and name not in found.values():
            found[kind] = name
    return found


class VdirSide(RemoteSide):
    name = "vdir"

    def __init__(self, root: str | Path, index_path: str | Path, *,
                 folders: dict[str, str] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.root = Path(root).expanduser()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise VdirError(path=str(self.root), reason=exc.strerror or str(exc)) from exc
        self.folders = folders or choose_folders(self.root)
        collections: dict[str, Any] = {
            kind: VdirCollection(self.root / name, (kind,)) for kind, name in self.folders.items()}
        super().__init__(index_path, collections, stamp_store=FileStamp(self.root / STAMP_FILE,
                                                                         clock=clock),
                         clock=clock)

    def describe(self) -> str:
        return str(self.root)
