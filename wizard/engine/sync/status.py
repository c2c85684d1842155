"""The sync status database (in the style of vdirsyncer's): one row per linked pair.

Each row remembers, for an org record and the mailbox item it is linked to, what both
sides looked like after the last successful sync: the org record's ETag, the mailbox
item's content hash, and the synchronized field values (``base``) that the three-way
merge compares against. A row in state ``excluded`` marks an org record the user removed
from the mailbox without being allowed to delete it in the org (it is not pulled back).

The database belongs to neither side of the sync. It lives in the SQLite file the
mailbox side names (:attr:`~wizard.engine.sync.mailside.MailboxSide.status_conn`): the
local store's own file, so that mailbox writes, status rows and the delta token of one
sync commit in a single transaction; for a vdir folder or a DAV account, the file in the
app's data folder that also keeps the index of that folder or collection.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from wizard.engine import jsoncodec

STATUS_SCHEMA_VERSION = 1


class StatusRow:
    """One pair's state after the last sync. ``base`` is decoded from JSON on first use
    (an incremental run over 20,000 unchanged pairs never needs it)."""

    __slots__ = ("kind", "org_record_id", "local_id", "state", "etag", "local_hash", "_base",
                 "_base_json", "owner_id", "in_filter")

    def __init__(self, kind: str, org_record_id: str, local_id: str | None,
                 state: str = "linked", etag: str | None = None, local_hash: str | None = None,
                 base: dict[str, Any] | None = None, owner_id: str | None = None,
                 in_filter: bool = True, *, base_json: str | None = None) -> None:
        self.kind, self.org_record_id, self.local_id = kind, org_record_id, local_id
        self.state, self.etag, self.local_hash = state, etag, local_hash
        self._base = base if base is not None or base_json is not None else {}
        self._base_json = base_json
        self.owner_id, self.in_filter = owner_id, in_filter

    @property
    def base(self) -> dict[str, Any]:
        if self._base is None:
            self._base = json.loads(self._base_json or "{}")
        return self._base

    @base.setter
    def base(self, value: dict[str, Any]) -> None:
        self._base, self._base_json = value, None

    def copy(self, **changes: Any) -> "StatusRow":
        new = StatusRow(self.kind, self.org_record_id, self.local_id, self.state, self.etag,
                        self.local_hash, self._base, self.owner_id, self.in_filter,
                        base_json=self._base_json)
        for k, v in changes.items():
            setattr(new, k, v)
        return new

    def base_json(self) -> str:
        if self._base is None and self._base_json is not None:
            return self._base_json
        return jsoncodec.canonical(self._base)


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
        # Values sent to the org by a run that has not committed yet: a run killed after
        # its writes went out leaves them here, so the next run knows the org's new values
        # came from this mailbox and does not take a newer mailbox edit for a conflict.
        c.execute(
            "CREATE TABLE IF NOT EXISTS sync_sent ("
            " org_id TEXT NOT NULL, kind TEXT NOT NULL, org_record_id TEXT NOT NULL,"
            " sent TEXT NOT NULL, PRIMARY KEY (org_id, kind, org_record_id))")
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
            out[r[1]] = StatusRow(r[0], r[1], r[2], r[3], r[4], r[5], None, r[7], bool(r[8]),
                                  base_json=r[6])
        return out

    _COLS = ("s.kind, s.org_record_id, s.local_id, s.state, s.etag, s.local_hash, s.base,"
             " s.owner_id, s.in_filter")

    def _rows(self, sql: str, params: tuple[Any, ...]) -> dict[str, StatusRow]:
        return {r[1]: StatusRow(r[0], r[1], r[2], r[3], r[4], r[5], None, r[7], bool(r[8]),
                                base_json=r[6])
                for r in self.conn.execute(sql, params)}

    def rows_for(self, kind: str, org_record_ids: list[str]) -> dict[str, StatusRow]:
        return self._rows_where_in(kind, "org_record_id", org_record_ids)

    def rows_by_local(self, kind: str, local_ids: list[str]) -> dict[str, StatusRow]:
        return self._rows_where_in(kind, "local_id", local_ids)

    def _rows_where_in(self, kind: str, column: str, values: list[str]) -> dict[str, StatusRow]:
        """The rows whose ``column`` is one of ``values`` (500 parameters a query)."""
        out: dict[str, StatusRow] = {}
        for start in range(0, len(values), 500):
            chunk = values[start:start + 500]
            out.update(self._rows(
                f"SELECT {self._COLS} FROM sync_status s WHERE s.org_id=? AND s.kind=? AND"
                f" s.{column} IN ({','.join('?' * len(chunk))})", (self.org_id, kind, *chunk)))
        return out

    def watermark(self) -> int | None:
        token, _ = self.token("_mailbox")
        return int(token) if token else None

    def set_watermark(self, seq: int) -> None:
        self.set_token("_mailbox", str(seq), "")

    def dirty_rows(self, kind: str) -> dict[str, StatusRow]:
        """Linked rows whose mailbox item is gone, changed, untracked or relinked."""
        return self._rows(
            f"SELECT {self._COLS} FROM sync_status s LEFT JOIN mail_items m"
            " ON m.local_id = s.local_id WHERE s.org_id=? AND s.kind=? AND s.state='linked' AND"
            " (m.local_id IS NULL OR m.hash IS NOT s.local_hash OR m.tracked=0 OR"
            " m.org_record_id IS NOT s.org_record_id OR (s.in_filter=0 AND m.origin='org'))",
            (self.org_id, kind))

    def count_linked(self, kind: str) -> int:
        count: int = self.conn.execute("SELECT COUNT(*) FROM sync_status WHERE org_id=? AND kind=?"
                                       " AND state='linked'", (self.org_id, kind)).fetchone()[0]
        return count

    def put(self, row: StatusRow) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO sync_status (org_id, kind, org_record_id, local_id, state,"
            " etag, local_hash, base, owner_id, in_filter) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (self.org_id, row.kind, row.org_record_id, row.local_id, row.state, row.etag,
             row.local_hash, row.base_json(), row.owner_id,
             int(row.in_filter)))

    def put_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """Rows in bulk: (org id, kind, org record id, local id, state, etag, local hash,
        base JSON, owner id, in filter)."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO sync_status (org_id, kind, org_record_id, local_id, state,"
            " etag, local_hash, base, owner_id, in_filter) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)

    def links_to_other_orgs(self) -> list[str]:
        """Local ids of items linked to an org other than this one (a previous one)."""
        return [r[0] for r in self.conn.execute(
            "SELECT local_id FROM sync_status WHERE org_id<>? AND local_id IS NOT NULL",
            (self.org_id,))]

    def has_other_orgs(self) -> bool:
        return self.conn.execute("SELECT 1 FROM sync_status WHERE org_id<>? LIMIT 1",
                                 (self.org_id,)).fetchone() is not None

    def drop(self, kind: str, org_record_id: str) -> None:
        self.conn.execute("DELETE FROM sync_status WHERE org_id=? AND kind=? AND org_record_id=?",
                          (self.org_id, kind, org_record_id))

    def linked_local_ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute(
            "SELECT local_id FROM sync_status WHERE org_id=? AND state='linked'", (self.org_id,))
            if r[0]}

    def forget_org(self) -> None:
        """Another org now synchronizes this mailbox: its status starts afresh."""
        for table in ("sync_status", "sync_tokens", "offline_records", "sync_sent"):
            self.conn.execute(f"DELETE FROM {table} WHERE org_id<>?", (self.org_id,))

    # -- values sent but not yet committed -------------------------------------------------
    def sent_values(self) -> dict[tuple[str, str], dict[str, list[Any]]]:
        """(kind, org record id) -> column -> every value sent since the pair's last commit."""
        return {(kind, rid): json.loads(sent) for kind, rid, sent in self.conn.execute(
            "SELECT kind, org_record_id, sent FROM sync_sent WHERE org_id=?", (self.org_id,))}

    def record_sent(self, known: dict[tuple[str, str], dict[str, list[Any]]],
                    writes: list[tuple[str, str, dict[str, Any]]]) -> None:
        """Add the values of ``writes`` (kind, record id, columns) to ``known`` and store
        the entries they touch (the caller commits before sending)."""
        rows = []
        for kind, rid, data in writes:
            entry = known.setdefault((kind, rid), {})
            for column, value in data.items():
                value = json.loads(json.dumps(value, default=str))
                values = entry.setdefault(column, [])
                if value not in values:
                    values.append(value)
            rows.append((self.org_id, kind, rid, json.dumps(entry, sort_keys=True)))
        self.conn.executemany("INSERT OR REPLACE INTO sync_sent VALUES (?,?,?,?)", rows)

    def clear_sent(self, pairs: list[tuple[str, str]]) -> None:
        self.conn.executemany("DELETE FROM sync_sent WHERE org_id=? AND kind=? AND"
                              " org_record_id=?", [(self.org_id, k, r) for k, r in pairs])

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

    def offline_put_many(self, kind: str, rows: list[tuple[str, dict[str, Any]]]) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO offline_records VALUES (?,?,?,?)",
                              [(self.org_id, kind, rid, json.dumps(data, default=str))
                               for rid, data in rows])

    def offline_drop(self, kind: str, record_id: str) -> None:
        self.conn.execute("DELETE FROM offline_records WHERE org_id=? AND kind=? AND"
                          " org_record_id=?", (self.org_id, kind, record_id))

    def offline_clear(self, kind: str) -> None:
        self.conn.execute("DELETE FROM offline_records WHERE org_id=? AND kind=?",
                          (self.org_id, kind))

    def set_offline_mirrors_mailbox(self, kind: str, same: bool) -> None:
        key = f"offline_mirrors_mailbox:{self.org_id}:{kind}"
        if same:
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, '1')", (key,))
        else:
            self.conn.execute("DELETE FROM meta WHERE key=?", (key,))

    def offline_records(self, kind: str) -> list[dict[str, Any]]:
        """Org records kept for offline use (the offline filters' selection)."""
        key = f"offline_mirrors_mailbox:{self.org_id}:{kind}"
        if self.conn.execute("SELECT 1 FROM meta WHERE key=?", (key,)).fetchone():
            return [{"id": rid, **row.base} for rid, row in sorted(self.rows(kind).items())
                    if row.state == "linked" and row.in_filter]
        return [json.loads(r[0]) for r in self.conn.execute(
            "SELECT data FROM offline_records WHERE org_id=? AND kind=? ORDER BY org_record_id",
            (self.org_id, kind))]
