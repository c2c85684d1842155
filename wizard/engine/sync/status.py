"""The sync status database (in the style of vdirsyncer's): one row per linked pair.

Each row remembers, for an org record and the mailbox item it is linked to, what both
sides looked like after the last successful sync: the org record's ETag, the mailbox
item's content hash, and the synchronized field values (``base``) that the three-way
merge compares against. A row in state ``excluded`` marks an org record the user removed
from the mailbox without being allowed to delete it in the org (it is not pulled back).

The rows live in the mailbox's SQLite file so that mailbox writes, status rows and the
delta token of one sync commit in a single transaction.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

STATUS_SCHEMA_VERSION = 1


@dataclass
class StatusRow:
    kind: str
    org_record_id: str
    local_id: str | None
    state: str = "linked"             # linked | excluded
    etag: str | None = None
    local_hash: str | None = None
    base: dict[str, Any] = field(default_factory=dict)
    owner_id: str | None = None
    in_filter: bool = True


@dataclass
class Conflict:
    kind: str
    org_record_id: str
    local_id: str | None
    field: str
    base: Any
    mailbox_value: Any
    org_value: Any
    winner: str = "org"
    mailbox_modified: float | None = None
    org_modified: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class StatusDB:
    def __init__(self, conn: sqlite3.Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id.lower()
        self._ensure_schema()

    def _ensure_schema(self) -> None:
        c = self.conn
        c.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        c.execute(
            "CREATE TABLE IF NOT EXISTS sync_status ("
            " org_id TEXT NOT NULL, kind TEXT NOT NULL, org_record_id TEXT NOT NULL,"
            " local_id TEXT, state TEXT NOT NULL, etag TEXT, local_hash TEXT,"
            " base TEXT NOT NULL, owner_id TEXT, in_filter INTEGER NOT NULL DEFAULT 1,"
            " PRIMARY KEY (org_id, kind, org_record_id))")
        c.execute("CREATE INDEX IF NOT EXISTS sync_status_local ON sync_status(local_id)")
        c.execute(
            "CREATE TABLE IF NOT EXISTS sync_tokens ("
            " org_id TEXT NOT NULL, kind TEXT NOT NULL, token TEXT, signature TEXT,"
            " PRIMARY KEY (org_id, kind))")
        c.execute(
            "CREATE TABLE IF NOT EXISTS sync_conflicts ("
            " id INTEGER PRIMARY KEY AUTOINCREMENT, org_id TEXT NOT NULL, at REAL NOT NULL,"
            " detail TEXT NOT NULL)")
        c.execute(
            "CREATE TABLE IF NOT EXISTS offline_records ("
            " org_id TEXT NOT NULL, kind TEXT NOT NULL, org_record_id TEXT NOT NULL,"
            " data TEXT NOT NULL, PRIMARY KEY (org_id, kind, org_record_id))")
        c.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('syncstatus_schema', ?)",
                  (str(STATUS_SCHEMA_VERSION),))

    # -- rows ----------------------------------------------------------------------------
    def rows(self, kind: str) -> dict[str, StatusRow]:
        out = {}
        for r in self.conn.execute(
                "SELECT kind, org_record_id, local_id, state, etag, local_hash, base, owner_id,"
                " in_filter FROM sync_status WHERE org_id=? AND kind=?", (self.org_id, kind)):
            out[r[1]] = StatusRow(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7],
                                  bool(r[8]))
        return out

    def put(self, row: StatusRow) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO sync_status (org_id, kind, org_record_id, local_id, state,"
            " etag, local_hash, base, owner_id, in_filter) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (self.org_id, row.kind, row.org_record_id, row.local_id, row.state, row.etag,
             row.local_hash, json.dumps(row.base, sort_keys=True, default=str), row.owner_id,
             int(row.in_filter)))

    def drop(self, kind: str, org_record_id: str) -> None:
        self.conn.execute("DELETE FROM sync_status WHERE org_id=? AND kind=? AND org_record_id=?",
                          (self.org_id, kind, org_record_id))

    def linked_local_ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute(
            "SELECT local_id FROM sync_status WHERE org_id=? AND state='linked'", (self.org_id,))
            if r[0]}

    def forget_org(self) -> None:
        """Another org now synchronizes this mailbox: its status starts afresh."""
        for table in ("sync_status", "sync_tokens", "offline_records"):
            self.conn.execute(f"DELETE FROM {table} WHERE org_id<>?", (self.org_id,))

    # -- delta tokens --------------------------------------------------------------------
    def token(self, kind: str) -> tuple[str | None, str | None]:
        r = self.conn.execute("SELECT token, signature FROM sync_tokens WHERE org_id=? AND kind=?",
                              (self.org_id, kind)).fetchone()
        return (r[0], r[1]) if r else (None, None)

    def set_token(self, kind: str, token: str | None, signature: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO sync_tokens (org_id, kind, token, signature)"
                          " VALUES (?,?,?,?)", (self.org_id, kind, token, signature))

    # -- conflicts -----------------------------------------------------------------------
    def log_conflict(self, conflict: Conflict, at: float) -> None:
        self.conn.execute("INSERT INTO sync_conflicts (org_id, at, detail) VALUES (?,?,?)",
                          (self.org_id, at, json.dumps(conflict.to_dict(), default=str)))

    def conflicts(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT at, detail FROM sync_conflicts WHERE org_id=? ORDER BY id DESC LIMIT ?",
            (self.org_id, limit))
        return [{"at": at, **json.loads(detail)} for at, detail in rows]

    # -- offline cache -------------------------------------------------------------------
    def offline_put(self, kind: str, record_id: str, data: dict[str, Any]) -> None:
        self.conn.execute("INSERT OR REPLACE INTO offline_records VALUES (?,?,?,?)",
                          (self.org_id, kind, record_id, json.dumps(data, default=str)))

    def offline_drop(self, kind: str, record_id: str) -> None:
        self.conn.execute("DELETE FROM offline_records WHERE org_id=? AND kind=? AND"
                          " org_record_id=?", (self.org_id, kind, record_id))

    def offline_clear(self, kind: str) -> None:
        self.conn.execute("DELETE FROM offline_records WHERE org_id=? AND kind=?",
                          (self.org_id, kind))

    def offline_records(self, kind: str) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self.conn.execute(
            "SELECT data FROM offline_records WHERE org_id=? AND kind=? ORDER BY org_record_id",
            (self.org_id, kind))]
