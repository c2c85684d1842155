"""The local mailbox store's *stamp*: which org this mailbox synchronizes with.

A mailbox synchronizes with one organization only. The stamp records that org's id
and name and the last successful sync. If the stamp names another org (another admin,
a migration, a second machine), nothing syncs until the user chooses the option
"Sync items from this org only, even if the mailbox was set to sync with a different
org" (``override=True``), which rewrites the stamp.

The store is one SQLite file under the data dir (``AppPaths.mailbox_db``), in WAL mode.
This module owns only the ``stamp`` table and the ``meta`` row ``stamp_schema``; the
sync engine keeps its item tables in the same file (``wizard/engine/mailstore.py``),
so tables are created with ``IF NOT EXISTS`` and ``PRAGMA user_version`` is left alone.
Each call opens and closes its own connection: the store is safe to share between
threads and processes, and holds no file open between calls.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from wizard.engine.errors import Action, ConfigError, WizardError
from wizard.engine.fileio import classify_sqlite_error, open_sqlite

STAMP_SCHEMA_VERSION = 1
WHAT = "the local mailbox"
BUSY_TIMEOUT_S = 30.0

OVERRIDE_OPTION = ("Sync items from this org only, even if the mailbox was set to sync "
                   "with a different org")


class MailboxError(WizardError):
    """The mailbox store could not be opened, read or written."""

    code = "mailbox_error"


class StampConflict(WizardError):
    """The mailbox is stamped with another org; ``other`` is that org's :class:`Stamp`.

    ``wanted_org_name`` names the org that wanted the mailbox (None: "this organization");
    ``not_switched`` is the label of an org that was therefore not made the synchronizing
    one (None: nothing was synchronized)."""

    code = "stamp_conflict"
    action = Action.OVERRIDE_STAMP
    _HEAD = "Your mailbox is set to synchronize with a different organization: “{org_name}” (organization ID {org_id})"
    template = _HEAD + ". Nothing was synchronized with this organization."
    named_template = _HEAD + ". Nothing was synchronized with “{wanted}”."
    not_switched_template = (_HEAD + ". Nothing was changed: {not_switched} was not made the "
                             "synchronizing organization.")
    since_template = _HEAD + ", last synchronized {last_sync}. Nothing was synchronized with this organization."
    since_named_template = _HEAD + ", last synchronized {last_sync}. Nothing was synchronized with “{wanted}”."
    since_not_switched_template = (_HEAD + ", last synchronized {last_sync}. Nothing was changed: "
                                   "{not_switched} was not made the synchronizing organization.")
    fix_template = ("To synchronize with this organization anyway, choose the option “" + OVERRIDE_OPTION
                    + "”. Items then come from this org only.")
    named_fix_template = ("To synchronize with “{wanted}” anyway, choose the option “" + OVERRIDE_OPTION
                          + "”. Items then come from this org only.")

    def __init__(self, other: "Stamp", wanted_org_name: str | None = None, *,
                 not_switched: str | None = None) -> None:
        self.other = other
        self.wanted_org_name = wanted_org_name
        super().__init__(org_name=other.org_name, org_id=other.org_id, wanted=wanted_org_name,
                         last_sync=format_time(other.last_sync) if other.last_sync else None,
                         not_switched=not_switched)

    def templates(self) -> tuple[str | None, str | None]:
        since = "since_" if self.params.get("last_sync") else ""
        named = bool(self.params.get("wanted"))
        which = "not_switched_" if self.params.get("not_switched") else ("named_" if named else "")
        message: str = getattr(self, f"{since}{which}template")
        fix = self.named_fix_template if named else self.fix_template
        return message, fix


class MailboxBusy(MailboxError):
    template = ("The mailbox store is busy: another d365-wizard process kept it locked for over "
                "{seconds} seconds.")
    fix_template = "Close other d365-wizard windows or commands and try again."


class NewerStampFormat(ConfigError):
    template = ("The mailbox store {path} was written by a newer version of d365-wizard (stamp "
                "format {found}; this version reads up to {supported}).")
    fix_template = "Update d365-wizard."


class StampMissing(WizardError):
    """``record_sync`` before any org claimed the mailbox."""

    code = "stamp_missing"
    action = Action.SWITCH_ORG
    template = ("Your mailbox is not set to synchronize with any organization yet, so the sync "
                "time was not recorded.")
    fix_template = "Choose the synchronizing organization first."


@dataclass(frozen=True)
class Stamp:
    """Which org the mailbox synchronizes with. Times are aware UTC datetimes."""

    org_id: str
    org_name: str
    last_sync: datetime | None = None
    claimed_at: datetime | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"org_id": self.org_id, "org_name": self.org_name,
                "last_sync": format_time(self.last_sync) if self.last_sync else None,
                "claimed_at": format_time(self.claimed_at) if self.claimed_at else None}


def format_time(when: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the second: ``2026-11-22T02:07:50Z``."""
    return when.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def to_datetime(when: datetime | float | int) -> datetime:
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (UTC) or epoch seconds")
        return when.astimezone(timezone.utc)
    return datetime.fromtimestamp(float(when), tz=timezone.utc)


class MailboxStore:
    """The stamp in the local mailbox store (SQLite at ``db_path``).

    ``clock`` returns epoch seconds (``time.time``); it stamps claims and default
    sync times so tests control time.
    """

    def __init__(self, db_path: str | Path, *, clock: Callable[[], float] = time.time) -> None:
        self.db_path = Path(db_path)
        self.clock = clock
        self._schema_ready = False

    # -- public API ----------------------------------------------------------------------
    def stamp(self) -> Stamp | None:
        """The current stamp, or ``None`` when no org has claimed the mailbox yet."""
        with self._connect() as conn:
            return self._read_stamp(conn)

    def claim(self, org_id: str, org_name: str, *, override: bool = False,
              replacing: str | None = None) -> Stamp:
        """Make ``org_id`` the mailbox's synchronizing org and return the new stamp.

        Claiming is free when the mailbox has no stamp, or the stamp already names
        ``org_id`` (the name is refreshed, the last sync time kept). A stamp naming a
        different org raises :class:`StampConflict` unless ``override`` is true, or the
        stamp names ``replacing`` (the org the caller is deliberately switching away
        from, e.g. the registry's current primary). The check and the write happen in
        one SQLite transaction.
        """
        if not org_id or not org_name:
            raise ValueError("claim() needs an org id and a name")
        now = to_datetime(self.clock())
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            current = self._read_stamp(conn)
            if current is not None and not _same_id(current.org_id, org_id):
                allowed = override or (replacing is not None
                                       and _same_id(current.org_id, replacing))
                if not allowed:
                    conn.execute("ROLLBACK")
                    raise StampConflict(current, org_name)
            if current is not None and _same_id(current.org_id, org_id):
                new = Stamp(org_id, org_name, current.last_sync, current.claimed_at or now)
            else:
                new = Stamp(org_id, org_name, None, now)
            self._write_stamp(conn, new)
            conn.execute("COMMIT")
        return new

    def record_sync(self, org_id: str, when: datetime | float | None = None) -> Stamp:
        """Record a successful sync of ``org_id`` at ``when`` (default: now).

        Refuses (:class:`StampConflict`) when the stamp names another org, and
        (:class:`StampMissing`) when no org has claimed the mailbox.
        """
        moment = to_datetime(self.clock() if when is None else when)
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            current = self._read_stamp(conn)
            if current is None:
                conn.execute("ROLLBACK")
                raise StampMissing()
            if not _same_id(current.org_id, org_id):
                conn.execute("ROLLBACK")
                raise StampConflict(current)
            new = Stamp(current.org_id, current.org_name, moment, current.claimed_at)
            self._write_stamp(conn, new)
            conn.execute("COMMIT")
        return new

    def release(self, org_id: str) -> bool:
        """Remove the stamp if it names ``org_id`` (that org stops synchronizing); returns
        whether it did. A stamp of another org is left alone."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            current = self._read_stamp(conn)
            if current is None or not _same_id(current.org_id, org_id):
                conn.execute("ROLLBACK")
                return False
            conn.execute("DELETE FROM stamp")
            conn.execute("COMMIT")
        return True

    def clear(self) -> Stamp | None:
        """Remove the stamp (no org synchronizes); returns the stamp that was removed."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            current = self._read_stamp(conn)
            conn.execute("DELETE FROM stamp")
            conn.execute("COMMIT")
        return current

    # -- internals ---------------------------------------------------------------------
    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # Errors are classified (fileio): a full disk, a read-only home, a folder or link
        # in the file's place, a busy or a damaged file each get their own message; an
        # empty or truncated file is reported, never re-created.
        conn = open_sqlite(self.db_path, what=WHAT, timeout=BUSY_TIMEOUT_S,
                           isolation_level=None)
        try:
            try:
                if not self._schema_ready:
                    self._ensure_schema(conn)
                yield conn
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise MailboxBusy(seconds=f"{BUSY_TIMEOUT_S:.0f}", details=str(exc)) from exc
                raise classify_sqlite_error(exc, self.db_path, what=WHAT) from exc
            except sqlite3.DatabaseError as exc:
                raise classify_sqlite_error(exc, self.db_path, what=WHAT,
                                            verb="read") from exc
        finally:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            conn.close()

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        if self._schema_present(conn):
            self._schema_ready = True
            return
        conn.execute("PRAGMA journal_mode=WAL")  # persistent: set once, when creating
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS stamp ("
            " id INTEGER PRIMARY KEY CHECK (id = 1),"
            " org_id TEXT NOT NULL,"
            " org_name TEXT NOT NULL,"
            " last_sync TEXT,"
            " claimed_at TEXT)")
        row = conn.execute("SELECT value FROM meta WHERE key = 'stamp_schema'").fetchone()
        if row is None:
            conn.execute("INSERT INTO meta (key, value) VALUES ('stamp_schema', ?)",
                         (str(STAMP_SCHEMA_VERSION),))
        elif int(row[0]) > STAMP_SCHEMA_VERSION:
            conn.execute("ROLLBACK")
            raise NewerStampFormat(path=str(self.db_path), found=row[0], supported=STAMP_SCHEMA_VERSION)
        conn.execute("COMMIT")
        self._schema_ready = True

    @staticmethod
    def _schema_present(conn: sqlite3.Connection) -> bool:
        """Read-only check, so opening an existing store writes nothing."""
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'stamp')")}
        if tables != {"meta", "stamp"}:
            return False
        row = conn.execute("SELECT value FROM meta WHERE key = 'stamp_schema'").fetchone()
        return row is not None and int(row[0]) == STAMP_SCHEMA_VERSION

    @staticmethod
    def _read_stamp(conn: sqlite3.Connection) -> Stamp | None:
        row = conn.execute(
            "SELECT org_id, org_name, last_sync, claimed_at FROM stamp WHERE id = 1").fetchone()
        if row is None:
            return None
        return Stamp(row[0], row[1], parse_time(row[2]), parse_time(row[3]))

    @staticmethod
    def _write_stamp(conn: sqlite3.Connection, stamp: Stamp) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO stamp (id, org_id, org_name, last_sync, claimed_at) "
            "VALUES (1, ?, ?, ?, ?)",
            (stamp.org_id, stamp.org_name,
             format_time(stamp.last_sync) if stamp.last_sync else None,
             format_time(stamp.claimed_at) if stamp.claimed_at else None))


def _same_id(a: str | None, b: str | None) -> bool:
    """Org ids are GUIDs: compare without case and braces."""
    if a is None or b is None:
        return False
    return a.strip("{} ").lower() == b.strip("{} ").lower()
