"""Crash-safe, versioned JSON files shared by several processes.

Writes go to a temp file in the same directory, are fsynced, then renamed over the
target (atomic on POSIX and Windows), all under a cross-process lock file. A file that
cannot be parsed is moved aside (``name.corrupt-<timestamp>``) and reported with
:class:`CorruptConfig`; it is never silently reset.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from filelock import FileLock

from wizard.engine.errors import ConfigError, CorruptConfig

LOCK_TIMEOUT_S = 30.0


def lock_for(path: Path) -> FileLock:
    return FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with lock_for(path):
            yield
    except TimeoutError as exc:  # filelock.Timeout subclasses TimeoutError
        raise ConfigError(
            f"Another d365-wizard process has kept {path.name} locked for over "
            f"{LOCK_TIMEOUT_S:.0f} seconds.",
            fix="Close other d365-wizard windows or commands and try again.",
        ) from exc


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` so a reader sees the old or the new content, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_bytes(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"))


def move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, target)
    return target


def read_versioned_json(path: Path, *, schema_version: int, kind: str,
                        migrate: Callable[[dict[str, Any]], dict[str, Any]] | None = None
                        ) -> dict[str, Any] | None:
    """Load ``{"schema_version": N, ...}``; ``None`` when the file does not exist.

    A file that is not valid JSON or not an object is moved aside and
    :class:`CorruptConfig` is raised, naming where it went. A file from a newer
    version of the app is refused (not moved) so an upgrade can be undone.
    Call with the lock held when the result will be written back.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"Could not read the {kind} file {path}: {exc.strerror}.") from exc
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("schema_version"), int):
            raise ValueError("not a versioned object")
    except ValueError as exc:
        moved = move_aside(path)
        raise CorruptConfig(
            f"The {kind} file was damaged and could not be read. It was moved to {moved} "
            f"and a new, empty one will be used.",
            fix="If you need the old content, send that file to your helpdesk.",
            details=str(exc), moved_to=str(moved),
        ) from exc
    version = data["schema_version"]
    if version > schema_version:
        raise ConfigError(
            f"The {kind} file {path} was written by a newer version of d365-wizard "
            f"(format {version}; this version reads up to {schema_version}).",
            fix="Update d365-wizard, or remove the file to start over.",
        )
    if version < schema_version and migrate is not None:
        data = migrate(data)
    return data
