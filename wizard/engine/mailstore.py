"""The local mailbox: Calendar, Contacts, Tasks and an e-mail folder, shaped like Outlook's.

The embedded default keeps items in the same SQLite file as the stamp
(``AppPaths.mailbox_db``), in its own tables (``mail_items``) with its own schema row
(``meta.mailstore_schema``). Each item has a local id, a change counter and a content
hash (what the sync engine compares), a ``tracked`` flag (whether the item is linked to
the organization) and the id of the linked org record.

Other mailboxes (Exchange via Microsoft Graph, CalDAV/CardDAV) can be added behind the
:class:`Mailbox` protocol. Export uses ``icalendar`` (.ics) and ``vobject`` (.vcf) so
users can open their data anywhere.

Item shapes (``data`` keys; every key optional):

- contact: ``first_name, last_name, full_name, job_title, company, department, email1,
  email2, email3, business_phone, business_phone2, home_phone, mobile_phone, other_phone,
  business_fax, web_page, birthday, notes`` and per address ``business_address_*``,
  ``home_address_*``, ``other_address_*`` with ``street, city, state, postal_code,
  country``; ``mailing_address`` names which of the three is the mailing address
  (``business`` by default).
- appointment: ``subject, start, end`` (ISO 8601 UTC), ``all_day, location, body,
  organizer, required_attendees, optional_attendees`` (lists of e-mail addresses),
  ``recurrence`` (an RFC 5545 RRULE or null), ``attachments`` (list of
  ``{name, content_type, data}`` with base64 data), ``importance, show_as``,
  ``is_service_activity, is_resource_booking``.
- task: ``subject, start, due, completed_on, priority`` (low/normal/high), ``status``
  (not_started/in_progress/completed/waiting/deferred), ``percent_complete, body, owner,
  assignee``.
- email: ``sender, to, cc`` (lists), ``subject, body, received_at``.

Every field has a type (:mod:`wizard.engine.itemtypes`): ``add``/``update`` refuse a value
of the wrong type or an unknown field before anything is stored, validate dates, and store
times with a UTC offset as UTC. Rows an older version stored with wrong types are still
read (``title`` never fails); :meth:`SqliteMailStore.check` names what is wrong, listing
reports it and export skips such items, saying so. Opening a file that is empty,
truncated or not a database is reported (:mod:`wizard.engine.fileio`), never re-created.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, Self

from wizard.engine import jsoncodec
from wizard.engine.errors import Action, ConfigError, NotFound, WizardError
from wizard.engine.fileio import classify_sqlite_error, open_sqlite
from wizard.engine.itemtypes import clean_item, item_problems

log = logging.getLogger(__name__)

MAILSTORE_SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0

KINDS = ("contact", "appointment", "task", "email")
FOLDERS = {"contacts": "contact", "calendar": "appointment", "tasks": "task", "inbox": "email"}
FOLDER_OF_KIND = {v: k for k, v in FOLDERS.items()}
ADDRESS_PARTS = ("street", "city", "state", "postal_code", "country")
ADDRESS_KINDS = ("business", "home", "other")


class MailStoreError(WizardError):
    code = "mailstore_error"


class NewerItemFormat(ConfigError):
    template = "The local mailbox {path} was written by a newer d365-wizard (item format {found})."
    fix_template = "Update d365-wizard."


class NoSuchItem(NotFound):
    """No item has the id ``ref`` (an internal lookup: no fix to offer)."""

    template = "No mailbox item '{ref}'."


class ItemNotFound(NotFound):
    """``ref`` is what was asked for (an item id or the start of one)."""

    action = Action.LIST_ITEMS
    template = "No mailbox item '{ref}'."
    fix_template = "Look the item ids up in the mailbox list."


class ItemAmbiguous(ItemNotFound):
    template = "'{ref}' matches {count} mailbox items."


class FolderNotExportable(MailStoreError):
    template = "The '{folder}' folder cannot be exported."
    fix_template = "Choose calendar, contacts or tasks."


class UnknownItemType(MailStoreError):
    template = "Unknown item type '{kind}'."
    fix_template = "Use one of: {choices}."


def content_json(data: dict[str, Any]) -> str:
    """The canonical JSON of an item's content (sorted keys, no spaces)."""
    return jsoncodec.canonical(data)


def _new_local_id() -> str:
    return uuid.uuid4().hex


def content_hash(data: dict[str, Any], raw: str | None = None) -> str:
    """A stable hash of an item's content (key order and JSON spacing do not matter)."""
    raw = content_json(data) if raw is None else raw
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


@dataclass
class MailItem:
    local_id: str
    kind: str
    data: dict[str, Any]
    tracked: bool = False
    org_record_id: str | None = None
    origin: str = "mailbox"          # "mailbox": the user made it; "org": brought by a filter
    change_counter: int = 1
    hash: str = ""
    created_at: float = 0.0
    modified_at: float = 0.0
    booking: bool = False            # set by heads(): a resource booking in the calendar
    problems: list[str] = field(default_factory=list)   # set when the stored row is unreadable

    @property
    def folder(self) -> str:
        return FOLDER_OF_KIND[self.kind]

    @property
    def title(self) -> str:
        # Never fails, whatever an older version stored (a number as a name, a list ...).
        d = self.data if isinstance(self.data, dict) else {}

        def text(key: str) -> str:
            value = d.get(key)
            return value if isinstance(value, str) else ("" if value is None else str(value))

        if self.kind == "contact":
            name = text("full_name") or " ".join(
                p for p in (text("first_name"), text("last_name")) if p)
            return name or text("email1") or "(no name)"
        return text("subject") or "(no subject)"

    def to_dict(self) -> dict[str, Any]:
        out = {"local_id": self.local_id, "kind": self.kind, "folder": self.folder,
               "title": self.title, "tracked": self.tracked,
               "org_record_id": self.org_record_id, "origin": self.origin,
               "change_counter": self.change_counter, "hash": self.hash, "data": self.data}
        if self.problems:
            out["problems"] = list(self.problems)
        return out


class Mailbox(Protocol):
    """A mailbox the app and the sync engine work with. ``SqliteMailStore`` is the embedded one.

    Besides these item operations the sync engine relies on a write sequence
    (:meth:`SqliteMailStore.max_seq`, ``heads(kind, "seq > ?")``, ``deleted_since``) and on
    committing its status rows in the same transaction as its item writes
    (``transaction()`` and ``conn``); a mailbox kept elsewhere (Exchange, CalDAV) provides
    those through a local SQLite status/cache file of the same shape.
    """

    def items(self, kind: str) -> list[MailItem]: ...
    def heads(self, kind: str, where: str = "", params: tuple[Any, ...] = ()) -> list[MailItem]:
        """Items without their content (``data`` is None): what a sync compares first.

        ``where`` narrows the rows (an SQL condition on ``mail_items m``)."""
        ...

    def get(self, local_id: str) -> MailItem | None: ...
    def add(self, kind: str, data: dict[str, Any], *, tracked: bool = False,
            origin: str = "mailbox", org_record_id: str | None = None) -> MailItem: ...
    def update(self, local_id: str, data: dict[str, Any], *, replace: bool = False) -> MailItem: ...
    def delete(self, local_id: str) -> None: ...
    def set_tracked(self, local_id: str, tracked: bool) -> MailItem: ...
    def link(self, local_id: str, org_record_id: str | None) -> None: ...


class SqliteMailStore:
    """The embedded mailbox in SQLite (WAL). One connection per store object.

    Writes made inside :meth:`transaction` commit together (the sync engine commits its
    status rows in the same transaction); writes outside it commit at once.
    """

    def __init__(self, db_path: str | Path, *, clock: Callable[[], float] = time.time,
                 id_factory: Callable[[], str] = _new_local_id) -> None:
        self.db_path = Path(db_path)
        self.clock = clock
        self.id_factory = id_factory
        self.conn = open_sqlite(self.db_path, what="the local mailbox", timeout=BUSY_TIMEOUT_S,
                                isolation_level=None, check_same_thread=False)
        self._depth = 0
        self._checkpointer: threading.Thread | None = None
        self.export_skipped: list[tuple[str, str, list[str]]] = []
        try:
            self._ensure_schema()
        except sqlite3.Error as exc:
            self.conn.close()
            raise classify_sqlite_error(exc, self.db_path, what="the local mailbox") from exc
        except BaseException:
            self.conn.close()
            raise

    # -- lifecycle ---------------------------------------------------------------------
    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.join()
        self.conn.close()

    @contextlib.contextmanager
    def bulk_transaction(self, cache_size: int) -> Iterator[sqlite3.Connection]:
        """One big transaction (an initial sync writes 20 MB). While it runs, the page
        cache is ``cache_size`` (SQLite's convention: negative is KiB), so its pages are not
        written out and read back mid-way. Afterwards the write-ahead log is copied into
        the database on a thread and connection of its own, as SQLite's documentation
        suggests for applications that must not wait for it (https://sqlite.org/wal.html,
        "Automatic Checkpoint"), instead of inside the COMMIT. Durability is unchanged:
        the COMMIT is the same; only the copy comes later. close() waits for it."""
        c = self.conn
        cache = c.execute("PRAGMA cache_size").fetchone()[0]
        auto = c.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        c.execute(f"PRAGMA cache_size={int(cache_size)}")
        c.execute("PRAGMA wal_autocheckpoint=0")
        try:
            with self.transaction() as conn:
                yield conn
        finally:
            c.execute(f"PRAGMA cache_size={int(cache)}")
            c.execute(f"PRAGMA wal_autocheckpoint={int(auto)}")
        if self._checkpointer is None or not self._checkpointer.is_alive():
            self._checkpointer = threading.Thread(target=self._checkpoint, daemon=True,
                                                  name="mailbox-checkpoint")
            self._checkpointer.start()

    def _checkpoint(self) -> None:
        try:
            with contextlib.closing(sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_S,
                                                    isolation_level=None)) as conn:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:        # the next commit past 1000 pages does it instead
            log.info("checkpoint of %s after a bulk transaction failed: %s", self.db_path, exc)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ensure_schema(self) -> None:
        c = self.conn
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("PRAGMA synchronous=NORMAL")
        with self.transaction():
            c.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            c.execute(
                "CREATE TABLE IF NOT EXISTS mail_items ("
                " local_id TEXT PRIMARY KEY, kind TEXT NOT NULL, data TEXT NOT NULL,"
                " tracked INTEGER NOT NULL DEFAULT 0, org_record_id TEXT,"
                " origin TEXT NOT NULL DEFAULT 'mailbox',"
                " change_counter INTEGER NOT NULL DEFAULT 1, hash TEXT NOT NULL,"
                " created_at REAL NOT NULL, modified_at REAL NOT NULL)")
            c.execute("CREATE INDEX IF NOT EXISTS mail_items_kind ON mail_items(kind)")
            # Every write gets the next number of one sequence (deletions leave a tombstone
            # with theirs): a sync asks "what changed since number N" instead of comparing
            # every item.
            c.execute("CREATE TABLE IF NOT EXISTS mail_seq (id INTEGER PRIMARY KEY"
                      " CHECK (id = 1), value INTEGER NOT NULL)")
            c.execute("INSERT OR IGNORE INTO mail_seq (id, value) VALUES (1, 0)")
            c.execute("CREATE TABLE IF NOT EXISTS mail_tombstones (local_id TEXT PRIMARY KEY,"
                      " kind TEXT NOT NULL, seq INTEGER NOT NULL)")
            cols = [r[1] for r in c.execute("PRAGMA table_info(mail_items)")]
            if "seq" not in cols:
                c.execute("ALTER TABLE mail_items ADD COLUMN seq INTEGER NOT NULL DEFAULT 0")
            c.execute("CREATE INDEX IF NOT EXISTS mail_items_seq ON mail_items(seq)")
            bump = ("UPDATE mail_seq SET value = value + 1 WHERE id = 1; "
                    "UPDATE mail_items SET seq = (SELECT value FROM mail_seq WHERE id = 1) "
                    "WHERE local_id = NEW.local_id;")
            # A bulk insert numbers its rows itself (seq > 0) and moves the sequence once.
            c.execute(f"CREATE TRIGGER IF NOT EXISTS mail_items_ins AFTER INSERT ON mail_items"
                      f" WHEN NEW.seq = 0 BEGIN {bump} END")
            c.execute("CREATE TRIGGER IF NOT EXISTS mail_items_upd AFTER UPDATE OF data, tracked,"
                      " org_record_id, origin, hash, change_counter ON mail_items"
                      f" BEGIN {bump} END")
            c.execute("CREATE TRIGGER IF NOT EXISTS mail_items_del AFTER DELETE ON mail_items"
                      " BEGIN UPDATE mail_seq SET value = value + 1 WHERE id = 1;"
                      " INSERT OR REPLACE INTO mail_tombstones (local_id, kind, seq) VALUES"
                      " (OLD.local_id, OLD.kind, (SELECT value FROM mail_seq WHERE id = 1)); END")
            c.execute("CREATE INDEX IF NOT EXISTS mail_items_org ON mail_items(org_record_id)")
            row = c.execute("SELECT value FROM meta WHERE key='mailstore_schema'").fetchone()
            if row is None:
                c.execute("INSERT INTO meta(key, value) VALUES ('mailstore_schema', ?)",
                          (str(MAILSTORE_SCHEMA_VERSION),))
            elif int(row[0]) > MAILSTORE_SCHEMA_VERSION:
                raise NewerItemFormat(path=str(self.db_path), found=row[0])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One SQLite transaction (nested calls join the outer one)."""
        if self._depth == 0:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise classify_sqlite_error(exc, self.db_path, what="the local mailbox") from exc
        self._depth += 1
        try:
            yield self.conn
        except BaseException as exc:
            self._depth -= 1
            if self._depth == 0:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):   # disk full, read-only, damaged ...
                    raise classify_sqlite_error(exc, self.db_path,
                                                what="the local mailbox") from exc
            raise
        self._depth -= 1
        if self._depth == 0:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
                raise classify_sqlite_error(exc, self.db_path, what="the local mailbox") from exc

    # -- meta ---------------------------------------------------------------------------
    def meta_get(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def meta_set(self, key: str, value: str) -> None:
        with self.transaction():
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # -- reading ------------------------------------------------------------------------
    _COLS = ("local_id, kind, data, tracked, org_record_id, origin, change_counter, hash, "
             "created_at, modified_at")

    @staticmethod
    def _row(row: tuple[Any, ...]) -> MailItem:
        try:
            data = json.loads(row[2])
        except (TypeError, ValueError):
            data = None
        item = MailItem(row[0], row[1], data if isinstance(data, dict) else {}, bool(row[3]),
                        row[4], row[5], row[6], row[7], row[8], row[9])
        if not isinstance(data, dict):
            item.problems = ["its stored content is not readable"]
        return item

    def check(self, item: MailItem) -> list[str]:
        """What is wrong with a stored item (rows from an older version may hold values of
        the wrong type): listing shows it, export skips it, and both say so."""
        return item.problems or item_problems(item.kind, item.data)

    def items(self, kind: str | None = None) -> list[MailItem]:
        if kind is None:
            rows = self.conn.execute(f"SELECT {self._COLS} FROM mail_items ORDER BY created_at, local_id")
        else:
            _check_kind(kind)
            rows = self.conn.execute(
                f"SELECT {self._COLS} FROM mail_items WHERE kind=? ORDER BY created_at, local_id",
                (kind,))
        return [self._row(r) for r in rows]

    def heads(self, kind: str, where: str = "", params: tuple[Any, ...] = (), *,
              since_seq: int | None = None, by_kind: bool = True) -> list[MailItem]:
        """Items without their content (``data`` is None): what a sync compares first.

        ``where`` narrows the rows (an SQL condition on ``mail_items m``); ``since_seq``
        keeps only items written after that number of the write sequence (read through
        its index: an incremental sync looks at a handful among 10,000s). ``by_kind=False``
        lets SQLite find the rows through the indexes ``where`` uses instead."""
        _check_kind(kind)
        source, cond = "mail_items m", "kind=?" if by_kind else "+kind=?"
        if since_seq is not None:
            source, cond = "mail_items m INDEXED BY mail_items_seq", "seq > ? AND kind=?"
            params = (since_seq, kind, *params)
        else:
            params = (kind, *params)
        rows = self.conn.execute(
            "SELECT local_id, kind, json_extract(data, '$.is_resource_booking'), tracked,"
            " org_record_id, origin, change_counter, hash, created_at, modified_at"
            f" FROM {source} WHERE {cond} {('AND (' + where + ')') if where else ''}"
            " ORDER BY created_at, local_id", params)
        out = []
        for r in rows:
            item = MailItem(r[0], r[1], None, bool(r[3]), r[4], r[5], r[6], r[7], r[8], r[9])  # type: ignore[arg-type] # sqlite row values are the declared column types
            item.booking = bool(r[2])
            out.append(item)
        return out

    def new_ids(self, n: int) -> list[str]:
        """``n`` new local ids (random ones in bulk: an initial sync needs 10,000s), in
        ascending order: a bulk insert then fills the id indexes in order (a tenth faster)."""
        if self.id_factory is not _new_local_id:
            return [self.id_factory() for _ in range(n)]
        raw = bytearray(os.urandom(16 * n))           # n random (version 4) UUIDs at once
        raw[6::16] = bytes(b & 0x0F | 0x40 for b in raw[6::16])
        raw[8::16] = bytes(b & 0x3F | 0x80 for b in raw[8::16])
        text = raw.hex()
        return sorted(text[i:i + 32] for i in range(0, 32 * n, 32))

    def max_seq(self) -> int:
        seq: int = self.conn.execute("SELECT value FROM mail_seq WHERE id = 1").fetchone()[0]
        return seq

    def reserve_seq(self, n: int) -> int:
        """Take ``n`` numbers of the write sequence; returns the first."""
        first = self.max_seq() + 1
        self.conn.execute("UPDATE mail_seq SET value = value + ? WHERE id = 1", (n,))
        return first

    def deleted_since(self, kind: str, seq: int) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT local_id FROM mail_tombstones WHERE kind=? AND seq>?", (kind, seq))]

    def changed_since(self, seq: int) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT local_id FROM mail_items WHERE seq>?", (seq,))]

    def touch(self, local_ids: list[str]) -> None:
        """Mark items as changed (a sync saw them change while it ran)."""
        for local_id in local_ids:
            self.conn.execute("UPDATE mail_items SET change_counter = change_counter"
                              " WHERE local_id=?", (local_id,))

    def mark_deleted(self, local_id: str, kind: str) -> None:
        """Record (again) that an item was deleted, as a new change."""
        seq = self.reserve_seq(1)
        self.conn.execute("INSERT OR REPLACE INTO mail_tombstones (local_id, kind, seq)"
                          " VALUES (?,?,?)", (local_id, kind, seq))

    def prune_tombstones(self, seq: int) -> None:
        self.conn.execute("DELETE FROM mail_tombstones WHERE seq<=?", (seq,))

    def get(self, local_id: str) -> MailItem | None:
        row = self.conn.execute(f"SELECT {self._COLS} FROM mail_items WHERE local_id=?",
                                (local_id,)).fetchone()
        return self._row(row) if row else None

    def require(self, ref: str) -> MailItem:
        """An item by local id or a unique prefix of it (for the CLI)."""
        item = self.get(ref)
        if item:
            return item
        rows = self.conn.execute(f"SELECT {self._COLS} FROM mail_items WHERE local_id LIKE ?",
                                 (ref + "%",)).fetchall()
        if len(rows) == 1:
            return self._row(rows[0])
        raise (ItemAmbiguous(ref=ref, count=len(rows)) if rows else ItemNotFound(ref=ref))

    def by_org_id(self, org_record_id: str) -> list[MailItem]:
        rows = self.conn.execute(f"SELECT {self._COLS} FROM mail_items WHERE org_record_id=?",
                                 (org_record_id,))
        return [self._row(r) for r in rows]

    def count(self, kind: str) -> int:
        n: int = self.conn.execute("SELECT COUNT(*) FROM mail_items WHERE kind=?",
                                   (kind,)).fetchone()[0]
        return n

    # -- writing ------------------------------------------------------------------------
    def add(self, kind: str, data: dict[str, Any], *, tracked: bool = False,
            origin: str = "mailbox", org_record_id: str | None = None,
            local_id: str | None = None, hash: str | None = None) -> MailItem:
        _check_kind(kind)
        cleaned = clean_item(kind, data)          # typed fields: refused before storing
        now = self.clock()
        item = MailItem(local_id or self.id_factory(), kind, cleaned, tracked,
                        org_record_id, origin, 1, "", now, now)
        raw = content_json(item.data)
        item.hash = hash or content_hash(item.data, raw)
        with self.transaction():
            self.conn.execute(
                f"INSERT INTO mail_items ({self._COLS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (item.local_id, kind, raw, int(tracked),
                 org_record_id, origin, 1, item.hash, now, now))
        return item

    def update(self, local_id: str, data: dict[str, Any], *, replace: bool = False,
               expect_counter: int | None = None) -> MailItem:
        """Change an item's fields (``replace`` swaps the whole content).

        With ``expect_counter`` the write is conditional: it raises :class:`ItemChanged`
        when someone else changed the item since it was read (the mailbox's ETag).
        """
        with self.transaction():
            item = self.get(local_id)
            if item is None:
                raise NoSuchItem(ref=local_id)
            if expect_counter is not None and item.change_counter != expect_counter:
                raise ItemChanged(local_id)
            new = dict(data) if replace else {**item.data, **data}
            new = clean_item(item.kind, new, changed=None if replace else set(data))
            raw = content_json(new)
            h = content_hash(new, raw)
            if h == item.hash:
                return item
            item.data, item.hash = new, h
            item.change_counter += 1
            item.modified_at = self.clock()
            self.conn.execute(
                "UPDATE mail_items SET data=?, hash=?, change_counter=?, modified_at=? "
                "WHERE local_id=?",
                (raw, h, item.change_counter, item.modified_at,
                 local_id))
        return item

    def delete(self, local_id: str, *, expect_counter: int | None = None) -> None:
        with self.transaction():
            if expect_counter is not None:
                item = self.get(local_id)
                if item is not None and item.change_counter != expect_counter:
                    raise ItemChanged(local_id)
            self.conn.execute("DELETE FROM mail_items WHERE local_id=?", (local_id,))

    def set_tracked(self, local_id: str, tracked: bool) -> MailItem:
        with self.transaction():
            item = self.get(local_id)
            if item is None:
                raise NoSuchItem(ref=local_id)
            if item.tracked != tracked:
                item.tracked = tracked
                item.change_counter += 1
                item.modified_at = self.clock()
                self.conn.execute(
                    "UPDATE mail_items SET tracked=?, change_counter=?, modified_at=? "
                    "WHERE local_id=?",
                    (int(tracked), item.change_counter, item.modified_at, local_id))
        return item

    def link(self, local_id: str, org_record_id: str | None, *, origin: str | None = None) -> None:
        with self.transaction():
            if origin is None:
                self.conn.execute("UPDATE mail_items SET org_record_id=? WHERE local_id=?",
                                  (org_record_id, local_id))
            else:
                self.conn.execute(
                    "UPDATE mail_items SET org_record_id=?, origin=? WHERE local_id=?",
                    (org_record_id, origin, local_id))

    # -- export -------------------------------------------------------------------------
    def export(self, folder: str, out: Path) -> int:
        """Write a folder to ``out`` (.ics for calendar/tasks, .vcf for contacts)."""
        from wizard.engine import mailexport

        kind = FOLDERS.get(folder)
        if kind not in ("appointment", "task", "contact"):
            raise FolderNotExportable(folder=folder)
        items, skipped = [], []
        for item in self.items(kind):
            problems = self.check(item)
            if problems:
                skipped.append((item, problems))
            else:
                items.append(item)
        payload = mailexport.contacts_to_vcf(items) if kind == "contact" else mailexport.items_to_ics(items)
        from wizard.engine.storage import atomic_write_bytes

        atomic_write_bytes(Path(out), payload, what="the export file")
        self.export_skipped = [(i.local_id, i.title, p) for i, p in skipped]
        return len(items)


class ItemChanged(MailStoreError):
    """A conditional mailbox write found the item changed since it was read."""

    code = "item_changed"

    template = "Mailbox item {local_id} changed while synchronizing; it is picked up by the next sync."

    def __init__(self, local_id: str) -> None:
        super().__init__(local_id=local_id)
        self.local_id = local_id


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise UnknownItemType(kind=kind, choices=", ".join(KINDS))


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Empty values are absent values: ``""`` and ``None`` and ``[]`` drop out."""
    return {k: v for k, v in data.items() if v not in (None, "", [])}
