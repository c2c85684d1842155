"""New mailbox items of an initial sync, written ahead into staging tables.

An initial sync creates 10,000s of mailbox items, and inserting them was most of the
commit, which can only start after the last page has arrived. So while the next page is
being fetched, the items planned from the current one are written into the tables of a
private temporary database attached to the mailbox's connection (``ATTACH ''``): it
takes no lock on the mailbox, is seen by no other connection, and disappears with the
connection. It is kept in a file (SQLite's unnamed temporary file, deleted when closed),
not in memory: the run then lets the staged plans go, so its memory does not grow with
the number of new items (100,000 contacts: under 50 MB instead of 300). Each ``add`` is
one savepoint: all rows or none. The commit then copies them into the mailbox with one
``INSERT ... SELECT`` per table, inside its single transaction; SQLite does that copy in
C at about half the cost of inserting the rows from Python. ``close`` detaches that
database, which only deletes its file: dropping the tables instead (as TEMP tables
had to be) walked every page of them, a tenth of a 20,000-contact sync. A run that
fails, is cancelled or is killed leaves the mailbox as it was: the staged rows were
never part of it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

ITEM_COLUMNS = ("local_id", "kind", "data", "tracked", "org_record_id", "origin",
                "change_counter", "hash")
SCHEMA = "sync_staging"       # the attached temporary database
STATUS_COLUMNS = ("org_id", "kind", "org_record_id", "local_id", "state", "etag",
                  "local_hash", "base", "owner_id", "in_filter")


def attached(conn: sqlite3.Connection) -> bool:
    """Whether the staging database is attached to ``conn`` (it is only during a run)."""
    return any(r[1] == SCHEMA for r in conn.execute("PRAGMA database_list"))


class Staging:
    """The staging tables of one run. ``add`` stages rows; ``copy_into`` moves them into the
    mailbox (call it inside the commit's transaction); ``close`` drops them."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.count = 0          # rows staged and not dropped
        self.span = 0           # sequence numbers the copy needs (dropped rows leave gaps)
        self.failed = False     # an add failed: the run stages nothing more
        self._ready = False

    def _create(self) -> None:
        c = self.conn
        c.execute("PRAGMA temp_store=FILE")          # bounded memory (see above)
        if not attached(c):
            c.execute(f"ATTACH DATABASE '' AS {SCHEMA}")
        c.execute(f"DROP TABLE IF EXISTS {SCHEMA}.staged_items")
        c.execute(f"DROP TABLE IF EXISTS {SCHEMA}.staged_status")
        c.execute(f"CREATE TABLE {SCHEMA}.staged_items (ord INTEGER PRIMARY KEY,"
                  f" {', '.join(ITEM_COLUMNS)})")
        c.execute(f"CREATE TABLE {SCHEMA}.staged_status ({', '.join(STATUS_COLUMNS)})")
        self._ready = True

    def add(self, items: list[tuple[Any, ...]], statuses: list[tuple[Any, ...]]) -> None:
        """Stage mailbox rows (``ITEM_COLUMNS``) and their status rows (``STATUS_COLUMNS``),
        all or none (one savepoint: a failure leaves the rows staged before)."""
        if not self._ready:
            self._create()
        c = self.conn
        c.execute("SAVEPOINT staging")
        try:
            marks = ",".join("?" * len(ITEM_COLUMNS))
            c.executemany(f"INSERT INTO {SCHEMA}.staged_items ({', '.join(ITEM_COLUMNS)})"
                          f" VALUES ({marks})", items)
            marks = ",".join("?" * len(STATUS_COLUMNS))
            c.executemany(f"INSERT INTO {SCHEMA}.staged_status VALUES ({marks})", statuses)
        except BaseException:
            c.execute("ROLLBACK TO staging")
            c.execute("RELEASE staging")
            raise
        c.execute("RELEASE staging")
        self.count += len(items)
        self.span += len(items)

    def drop(self, local_ids: list[str]) -> None:
        """Unstage the rows of these items (plans the run replaced after staging them)."""
        for start in range(0, len(local_ids), 500):
            chunk = local_ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            self.conn.execute(f"DELETE FROM {SCHEMA}.staged_items WHERE local_id IN ({marks})",
                              chunk)
            self.conn.execute(f"DELETE FROM {SCHEMA}.staged_status WHERE local_id IN ({marks})",
                              chunk)
        self.count -= len(local_ids)

    def copy_into(self, first_seq: int, now: float) -> None:
        """Insert the staged rows into the mailbox; item ``n`` (1-based, in staging order)
        gets sequence number ``first_seq + n - 1`` (reserve :attr:`span` numbers)."""
        if not self.count:
            return
        cols = ", ".join(ITEM_COLUMNS)
        self.conn.execute(
            f"INSERT INTO main.mail_items ({cols}, created_at, modified_at, seq)"
            f" SELECT {cols}, ?, ?, ? + ord - 1 FROM {SCHEMA}.staged_items ORDER BY ord",
            (now, now, first_seq))
        cols = ", ".join(STATUS_COLUMNS)
        self.conn.execute(f"INSERT OR REPLACE INTO main.sync_status ({cols})"
                          f" SELECT {cols} FROM {SCHEMA}.staged_status")

    def close(self) -> None:
        if self._ready:
            try:
                self.conn.execute(f"DETACH DATABASE {SCHEMA}")
            except sqlite3.Error:           # in a transaction: dropped instead
                self.conn.execute(f"DROP TABLE IF EXISTS {SCHEMA}.staged_items")
                self.conn.execute(f"DROP TABLE IF EXISTS {SCHEMA}.staged_status")
            self._ready = False
        self.count = self.span = 0
