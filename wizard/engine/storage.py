"""Crash-safe, versioned JSON files shared by several processes.

Writes go to a temp file in the same directory, are fsynced, then renamed over the
target (atomic on POSIX and Windows), all under a cross-process lock file; the files are
private (0600) and never written through a link (:mod:`wizard.engine.fileio` does both).
A file that cannot be parsed, or parses but fails its schema, is moved aside
(``name.corrupt-<timestamp>``) and reported with :class:`CorruptConfig`; it is never
silently reset.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from filelock import FileLock

from wizard.engine.errors import ConfigError, CorruptConfig
from wizard.engine.fileio import (
    FileNotFound,
    FileProblem,
    InvalidJson,
    NotUtf8,
    check_target,
    classify_os_error,
    decode_text,
    ensure_private_dir,
    parse_json,
    read_input,
    write_private,
)

LOCK_TIMEOUT_S = 30.0


def lock_for(path: Path) -> FileLock:
    return FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """The cross-process lock of ``path`` (the file ``<path>.lock``).

    A folder or a symbolic link where the lock file should be is refused with a plain
    message (it is never followed: opening a link to another file would truncate it).
    """
    lock_path = Path(str(path) + ".lock")
    ensure_private_dir(path.parent, what=f"the folder of {path.name}")
    check_target(lock_path, what="a lock file")
    try:
        with lock_for(path):
            yield
    except TimeoutError as exc:  # filelock.Timeout subclasses TimeoutError
        raise FileLocked(name=path.name, seconds=f"{LOCK_TIMEOUT_S:.0f}") from exc
    except FileProblem:
        raise
    except OSError as exc:
        raise classify_os_error(exc, lock_path, verb="lock", what="a lock file") from exc


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = 0o600,
                       what: str = "the file") -> None:
    """Replace ``path`` with ``data`` so a reader sees the old or the new content, never a
    mix; private to the user (see :func:`wizard.engine.fileio.write_private`)."""
    write_private(path, data, what=what, mode=mode & 0o600 or 0o600)


def atomic_write_json(path: Path, data: Any, *, what: str = "the file") -> None:
    atomic_write_bytes(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"),
                       what=what)


def move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    try:
        os.replace(path, target)
    except OSError as exc:
        raise classify_os_error(exc, path, verb="move aside", what="the damaged file") from exc
    return target


class FileLocked(ConfigError):
    template = "Another d365-wizard process has kept {name} locked for over {seconds} seconds."
    fix_template = "Close other d365-wizard windows or commands and try again."


class StateFileMovedAside(CorruptConfig):
    """``kind`` names the file (registry, sync settings…), ``reason`` why it was unreadable."""

    template = ("The {kind} file was damaged and could not be read ({reason}). It was moved to "
                "{moved_to} and a new, empty one will be used.")
    fix_template = "If you need the old content, send that file to your helpdesk."


class NewerStateFormat(ConfigError):
    template = ("The {kind} file {path} was written by a newer version of d365-wizard (format "
                "{found}; this version reads up to {supported}).")
    fix_template = "Update d365-wizard, or remove the file to start over."


class SchemaError(ValueError):
    """A file that parses but does not hold what it should; the text says what is wrong."""


MAX_STATE_BYTES = 64_000_000


def read_versioned_json(path: Path, *, schema_version: int, kind: str,
                        migrate: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
                        validate: Callable[[dict[str, Any]], None] | None = None
                        ) -> dict[str, Any] | None:
    """Load ``{"schema_version": N, ...}``; ``None`` when the file does not exist.

    A file that is not valid JSON, not an object, or that ``validate`` rejects (raising
    :class:`SchemaError` / ``ValueError``) is moved aside and :class:`CorruptConfig` is
    raised, naming where it went. A file from a newer version of the app is refused (not
    moved) so an upgrade can be undone. A link or folder in the file's place, or a disk
    error, raises the classified :class:`~wizard.engine.fileio.FileProblem` (nothing is
    moved). Call with the lock held when the result will be written back.
    """
    try:
        raw = read_input(path, what=f"the {kind} file", max_bytes=MAX_STATE_BYTES,
                         private=True)
    except FileNotFound:
        return None
    try:
        parsed = parse_json(decode_text(raw, path=path, what=f"the {kind} file"), path=path,
                            what=f"the {kind} file", max_depth=64)
        if not isinstance(parsed, dict) or not isinstance(parsed.get("schema_version"), int) \
                or isinstance(parsed.get("schema_version"), bool):
            raise SchemaError("it is not a versioned object")
        data: dict[str, Any] = parsed
        version = data["schema_version"]
        if version <= schema_version:
            if version < schema_version and migrate is not None:
                data = migrate(data)
            if validate is not None:
                validate(data)
    except (FileProblem, ValueError) as exc:
        if isinstance(exc, FileProblem) and not isinstance(exc, (InvalidJson, NotUtf8)):
            raise
        moved = move_aside(path)
        reason = exc.message if isinstance(exc, FileProblem) else str(exc)
        raise StateFileMovedAside(kind=kind, moved_to=str(moved), reason=reason, details=reason) from exc
    version = data["schema_version"]
    if version > schema_version:
        raise NewerStateFormat(kind=kind, path=str(path), found=version, supported=schema_version)
    return data
