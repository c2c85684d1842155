"""The mailbox stamp kept with a mailbox side that lives outside the app.

The local store keeps its stamp in its SQLite file (:class:`wizard.engine.stamp.MailboxStore`).
A vdir folder keeps it in a file of the folder, a CalDAV/CardDAV account in a property of
its collection: every computer that syncs the same folder or account reads the same
stamp, so two computers synchronizing one calendar with two different orgs are told so,
exactly as with the local stamp. The rules (claim, override, record a sync) are those of
:class:`~wizard.engine.stamp.MailboxStore`; only where the stamp is stored differs.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from wizard.engine.stamp import (
    Stamp,
    StampConflict,
    StampMissingNoAction,
    _same_id,
    format_time,
    parse_time,
    to_datetime,
)

STAMP_FORMAT = 1


def stamp_to_json(stamp: Stamp) -> str:
    return json.dumps({"format": STAMP_FORMAT, "app": "d365-wizard", **stamp.to_dict()},
                      sort_keys=True)


def stamp_from_json(text: str | bytes | None) -> Stamp | None:
    if not text:
        return None
    try:
        d = json.loads(text)
        if not isinstance(d, dict) or not d.get("org_id") or not d.get("org_name"):
            return None
        return Stamp(str(d["org_id"]), str(d["org_name"]), parse_time(d.get("last_sync")),
                     parse_time(d.get("claimed_at")))
    except (ValueError, TypeError):
        return None


class StampChanged(Exception):
    """Raised by ``_write`` when the stamp changed since ``_read`` (a conditional write
    refused: HTTP 412): the change is decided again on what is there now."""


# a stamp changed under us this many times in a row is left as the other computer wrote it
STAMP_RETRIES = 5


class StampKeeper:
    """claim / record_sync / release / clear over ``_read`` and ``_write`` (subclasses),
    each inside ``_locked``. A ``_write`` may be conditional on what ``_read`` saw and
    raise :class:`StampChanged`: the change is then decided again on a fresh read, so two
    computers claiming one mailbox for two orgs at once get one claim and one
    :class:`~wizard.engine.stamp.StampConflict`."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock

    # -- for subclasses -------------------------------------------------------------
    def _read(self) -> Stamp | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _write(self, stamp: Stamp | None) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        yield

    def _change(self, decide: Callable[[Stamp | None], tuple[bool, Stamp | None, Any]]) -> Any:
        """``decide(current)`` -> (write?, the stamp to write, the result); it raises
        to refuse. Decided again while the write finds the stamp changed."""
        for _ in range(STAMP_RETRIES):
            with self._locked():
                write, new, result = decide(self._read())
                if not write:
                    return result
                try:
                    self._write(new)
                except StampChanged:
                    continue
                return result
        with self._locked():                     # another computer keeps writing: its stamp
            return decide(self._read())[2]       # stands (decide still refuses a conflict)

    # -- the MailboxStore API -------------------------------------------------------
    def stamp(self) -> Stamp | None:
        return self._read()

    def claim(self, org_id: str, org_name: str, *, override: bool = False,
              replacing: str | None = None) -> Stamp:
        if not org_id or not org_name:
            raise ValueError("claim() needs an org id and a name")
        now = to_datetime(self.clock())

        def decide(current: Stamp | None) -> tuple[bool, Stamp | None, Stamp]:
            if current is not None and not _same_id(current.org_id, org_id) and not (
                    override or (replacing is not None and _same_id(current.org_id, replacing))):
                raise StampConflict(current, org_name)
            if current is not None and _same_id(current.org_id, org_id):
                new = Stamp(org_id, org_name, current.last_sync, current.claimed_at or now)
            else:
                new = Stamp(org_id, org_name, None, now)
            return new != current, new, new

        result: Stamp = self._change(decide)
        return result

    def record_sync(self, org_id: str, when: Any = None) -> Stamp:
        moment = to_datetime(self.clock() if when is None else when)

        def decide(current: Stamp | None) -> tuple[bool, Stamp | None, Stamp]:
            if current is None:
                raise StampMissingNoAction()
            if not _same_id(current.org_id, org_id):
                raise StampConflict(current)
            new = Stamp(current.org_id, current.org_name, moment, current.claimed_at)
            return True, new, new

        result: Stamp = self._change(decide)
        return result

    def release(self, org_id: str) -> bool:
        def decide(current: Stamp | None) -> tuple[bool, Stamp | None, bool]:
            mine = current is not None and _same_id(current.org_id, org_id)
            return mine, None, mine

        released: bool = self._change(decide)
        return released

    def clear(self) -> Stamp | None:
        def decide(current: Stamp | None) -> tuple[bool, Stamp | None, Stamp | None]:
            return current is not None, None, current

        cleared: Stamp | None = self._change(decide)
        return cleared


class FileStamp(StampKeeper):
    """The stamp as a small JSON file (a vdir folder's ``.d365-wizard-stamp.json``)."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock=clock)
        self.path = Path(path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        from wizard.engine.storage import locked

        with locked(self.path):
            yield

    def _read(self) -> Stamp | None:
        try:
            return stamp_from_json(self.path.read_bytes())
        except FileNotFoundError:
            return None

    def _write(self, stamp: Stamp | None) -> None:
        from wizard.engine.storage import atomic_write_bytes

        if stamp is None:
            self.path.unlink(missing_ok=True)
        else:
            atomic_write_bytes(self.path, stamp_to_json(stamp).encode(), mode=0o644)


__all__ = ["FileStamp", "StampChanged", "StampKeeper", "format_time", "stamp_from_json", "stamp_to_json"]
