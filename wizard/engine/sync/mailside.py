"""The mailbox side of a sync: one protocol, three implementations.

- ``local`` (:class:`LocalSide`): the app's own SQLite store
  (:class:`~wizard.engine.mailstore.SqliteMailStore`), the embedded default.
- ``vdir`` (:class:`~wizard.engine.sync.vdir.VdirSide`): a folder per collection, one
  ``.ics``/``.vcf`` file per item, as vdirsyncer, khal, khard and todoman read and write.
- ``dav`` (:class:`~wizard.engine.sync.dav.DavSide`): a CalDAV calendar and task list and a
  CardDAV address book on a server.

Every side keeps an *item index* with the same shape (``mail_items``: local id, kind,
content, tracked flag, linked org record, content hash, and the write sequence a sync asks
"what changed since" of). The local store is its own index. The vdir and DAV sides keep
an index of their folder or collection in a SQLite file of their own
(:mod:`~wizard.engine.sync.remote`), brought up to date by :meth:`MailboxSide.refresh`
at the start of a run; their writes go to the folder or server first (conditional on the
item's ETag) and then into the index.

The sync's status database (:mod:`~wizard.engine.sync.status`) belongs to neither side.
It lives in the SQLite file the side names (:attr:`MailboxSide.status_conn`): the local
store's own file, so a sync's mailbox writes, status rows and tokens commit in one
transaction as before; for vdir and DAV the index file in the app's data folder, never the
user's folder or server.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, cast

from wizard.engine.mailstore import KINDS, MailItem, SqliteMailStore

SIDE_KINDS = ("local", "vdir", "dav")


def uid_key(value: str | None) -> str:
    """A UID or an org record id as the sync compares them: without braces or case, so
    the UID the app gives an item from the org (its record id, lowercase, no braces) and
    the record id itself (``{AB12…}``) are one key."""
    return (value or "").strip().strip("{}").lower()


class MailboxSide(Protocol):
    """What the sync engine needs of a mailbox. Item reads may take an SQL condition on
    the side's index (``mail_items m``)."""

    name: str                      # local | vdir | dav
    stamp_store: Any               # the mailbox stamp (MailboxStore-like) or None

    @property
    def kinds(self) -> tuple[str, ...]: ...        # the item kinds it holds (vdir and DAV hold no e-mail)
    @property
    def lock_path(self) -> Path: ...               # one synchronization at a time per mailbox
    @property
    def status_conn(self) -> sqlite3.Connection: ...

    def describe(self) -> str: ...
    def refresh(self, progress: Callable[[str, int, int], None] | None = None) -> None: ...
    def close(self) -> None: ...

    # reading (the index)
    def heads(self, kind: str, where: str = "", params: tuple[Any, ...] = (), *,
              since_seq: int | None = None, by_kind: bool = True) -> list[MailItem]: ...
    def items(self, kind: str | None = None) -> list[MailItem]: ...
    def get(self, local_id: str) -> MailItem | None: ...
    def require(self, ref: str) -> MailItem: ...
    def count(self, kind: str) -> int: ...
    def awaiting_record_ids(self) -> list[tuple[str, str]]: ...
    def uids(self, kind: str) -> dict[str, str]: ...
    def max_seq(self) -> int: ...
    def reserve_seq(self, n: int) -> int: ...
    def changed_since(self, seq: int) -> list[str]: ...
    def deleted_since(self, kind: str, seq: int) -> list[str]: ...
    def new_ids(self, n: int) -> list[str]: ...
    def meta_get(self, key: str) -> str | None: ...
    def meta_set(self, key: str, value: str) -> None: ...

    # writing
    def transaction(self) -> contextlib.AbstractContextManager[Any]: ...
    def bulk_transaction(self, cache_size: int) -> contextlib.AbstractContextManager[Any]: ...
    def add(self, kind: str, data: dict[str, Any], *, tracked: bool = False,
            origin: str = "mailbox", org_record_id: str | None = None,
            local_id: str | None = None, hash: str | None = None) -> MailItem: ...
    def add_many(self, rows: list[tuple[Any, ...]], now: float,
                 progress: Callable[[str, int, int], None] | None = None) -> None: ...
    def update(self, local_id: str, data: dict[str, Any], *, replace: bool = False,
               expect_counter: int | None = None) -> MailItem: ...
    def delete(self, local_id: str, *, expect_counter: int | None = None) -> None: ...
    def set_tracked(self, local_id: str, tracked: bool) -> MailItem: ...
    def link(self, local_id: str, org_record_id: str | None, *,
             origin: str | None = None) -> None: ...
    def unlink_all(self, local_ids: list[str]) -> None: ...
    def touch(self, local_ids: list[str]) -> None: ...
    def mark_deleted(self, local_id: str, kind: str) -> None: ...
    def prune_tombstones(self, seq: int) -> None: ...
    def staging(self) -> Any: ...


class _Indexed(Protocol):
    @property
    def conn(self) -> sqlite3.Connection: ...


class IndexQueries:
    """The index queries every side answers the same way (its ``mail_items`` table)."""

    def awaiting_record_ids(self: _Indexed) -> list[tuple[str, str]]:
        """(local id, kind) of tracked items that have no org record yet, oldest first."""
        return [tuple(r) for r in self.conn.execute(
            "SELECT local_id, kind FROM mail_items WHERE tracked=1 AND org_record_id IS NULL"
            " ORDER BY created_at, local_id")]


class LocalSide(IndexQueries):
    """The embedded mailbox: a :class:`SqliteMailStore`, which is its own index."""

    name = "local"
    kinds = KINDS

    def __init__(self, store: SqliteMailStore, *, stamp_store: Any = None) -> None:
        self.store = store
        self.stamp_store = stamp_store

    # -- what the protocol adds to the store ------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.conn

    @property
    def status_conn(self) -> sqlite3.Connection:
        return self.store.conn

    @property
    def lock_path(self) -> Path:
        return Path(str(self.store.db_path) + ".sync.lock")

    @property
    def db_path(self) -> Path:
        return self.store.db_path

    def describe(self) -> str:
        return str(self.store.db_path)

    def refresh(self, progress: Callable[[str, int, int], None] | None = None) -> None:
        """The store is its own index: nothing to bring up to date."""

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "LocalSide":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def staging(self) -> Any:
        from wizard.engine.sync.staging import Staging

        return Staging(self.store.conn)

    def uids(self, kind: str) -> dict[str, str]:
        """local id -> UID of the items of ``kind`` that name no org record. The store
        keeps no UID of its own: an item is named by its local id (which is also what a
        mailbox export writes as its UID)."""
        return {r[0]: r[0] for r in self.store.conn.execute(
            "SELECT local_id FROM mail_items WHERE kind=? AND org_record_id IS NULL", (kind,))}

    def add_many(self, rows: list[tuple[Any, ...]], now: float,
                 progress: Callable[[str, int, int], None] | None = None) -> None:
        """Insert new items in bulk: ``rows`` are (local id, kind, content JSON, tracked,
        org record id, origin, change counter, hash, seq). ``progress`` hears
        ("writing the mailbox", done, total) once they are in."""
        self.store.conn.executemany(
            "INSERT INTO mail_items (local_id, kind, data, tracked, org_record_id, origin,"
            " change_counter, hash, created_at, modified_at, seq)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(*row[:8], now, now, row[8]) for row in rows])
        if progress is not None:
            progress("writing the mailbox", len(rows), len(rows))

    def unlink_all(self, local_ids: list[str]) -> None:
        """Items of a previous org: no longer linked or tracked, now the user's own."""
        self.store.conn.executemany(
            "UPDATE mail_items SET org_record_id=NULL, tracked=0, origin='mailbox',"
            " change_counter=change_counter+1 WHERE local_id=?", [(i,) for i in local_ids])

    # -- the store's own API ----------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.store.transaction() as conn:
            yield conn

    @contextlib.contextmanager
    def bulk_transaction(self, cache_size: int) -> Iterator[sqlite3.Connection]:
        with self.store.bulk_transaction(cache_size) as conn:
            yield conn

    def heads(self, kind: str, where: str = "", params: tuple[Any, ...] = (), *,
              since_seq: int | None = None, by_kind: bool = True) -> list[MailItem]:
        return self.store.heads(kind, where, params, since_seq=since_seq, by_kind=by_kind)

    def items(self, kind: str | None = None) -> list[MailItem]:
        return self.store.items(kind)

    def get(self, local_id: str) -> MailItem | None:
        return self.store.get(local_id)

    def require(self, ref: str) -> MailItem:
        return self.store.require(ref)

    def count(self, kind: str) -> int:
        return self.store.count(kind)

    def max_seq(self) -> int:
        return self.store.max_seq()

    def reserve_seq(self, n: int) -> int:
        return self.store.reserve_seq(n)

    def changed_since(self, seq: int) -> list[str]:
        return self.store.changed_since(seq)

    def deleted_since(self, kind: str, seq: int) -> list[str]:
        return self.store.deleted_since(kind, seq)

    def new_ids(self, n: int) -> list[str]:
        return self.store.new_ids(n)

    def meta_get(self, key: str) -> str | None:
        return self.store.meta_get(key)

    def meta_set(self, key: str, value: str) -> None:
        self.store.meta_set(key, value)

    def add(self, kind: str, data: dict[str, Any], *, tracked: bool = False,
            origin: str = "mailbox", org_record_id: str | None = None,
            local_id: str | None = None, hash: str | None = None) -> MailItem:
        return self.store.add(kind, data, tracked=tracked, origin=origin,
                              org_record_id=org_record_id, local_id=local_id, hash=hash)

    def update(self, local_id: str, data: dict[str, Any], *, replace: bool = False,
               expect_counter: int | None = None) -> MailItem:
        return self.store.update(local_id, data, replace=replace, expect_counter=expect_counter)

    def delete(self, local_id: str, *, expect_counter: int | None = None) -> None:
        self.store.delete(local_id, expect_counter=expect_counter)

    def set_tracked(self, local_id: str, tracked: bool) -> MailItem:
        return self.store.set_tracked(local_id, tracked)

    def link(self, local_id: str, org_record_id: str | None, *,
             origin: str | None = None) -> None:
        self.store.link(local_id, org_record_id, origin=origin)

    def touch(self, local_ids: list[str]) -> None:
        self.store.touch(local_ids)

    def mark_deleted(self, local_id: str, kind: str) -> None:
        self.store.mark_deleted(local_id, kind)

    def prune_tombstones(self, seq: int) -> None:
        self.store.prune_tombstones(seq)

    def export(self, folder: str, out: Path) -> int:
        return self.store.export(folder, out)

    @property
    def export_skipped(self) -> list[tuple[str, str, list[str]]]:
        """Items the last export left out because a value has the wrong type."""
        return self.store.export_skipped

    def check(self, item: MailItem) -> list[str]:
        """What is wrong with a stored item (see :meth:`SqliteMailStore.check`)."""
        return self.store.check(item)


def as_side(mailbox: MailboxSide | SqliteMailStore) -> MailboxSide:
    """A side for ``mailbox``: a side as it is, a bare store wrapped in :class:`LocalSide`."""
    if isinstance(mailbox, SqliteMailStore) and not hasattr(mailbox, "status_conn"):
        return LocalSide(mailbox)
    return cast(MailboxSide, mailbox)  # a side (a store with a status_conn is a remote side)
