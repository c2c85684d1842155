"""A mailbox side whose items live outside the app: a vdir folder or a DAV account.

The side keeps an *index* of its collections in a SQLite file in the app's data folder:
the item table of :class:`~wizard.engine.mailstore.SqliteMailStore` (the shape the engine
reads: content, tracked flag, linked org record, content hash, write sequence), and per
item its place in the collection (``href``), its ``ETag``, its ``UID`` and what its text
said when last read (``parsed``). The sync's status rows live in the same file.

:meth:`RemoteSide.refresh` brings the index up to date: changed and new items are read
(``sync-collection`` or a listing of ETags, then ``multiget``; the folder's file times),
and their changes applied to the index as *differences between two readings of the
item's text*, so what the serializer cannot express exactly never shows up as an edit.
Writes (:meth:`add`, :meth:`update`, :meth:`delete`, tracking and linking) go to the
collection first, conditional on the ETag (``If-None-Match: *`` to create, ``If-Match``
to change), then into the index. A conditional write that fails (someone changed the
item meanwhile: HTTP 412) re-reads the item and raises
:class:`~wizard.engine.mailstore.ItemChanged`, which the engine answers by rebasing.

The first sync against a collection that already holds items (another computer's, a
previous mailbox side's, a run killed half-way) matches them by the org record they name
(``X-D365-ORGRECORDID``) and, for items that lost that property (another program dropped
it, or an earlier install wrote them), by their ``UID``: an item that came from the org
is named after its record (see :meth:`RemoteSide.uids` and
:func:`~wizard.engine.sync.plan.uid_candidates`). Only then is anything created.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from wizard.engine import calcard
from wizard.engine.errors import WizardError
from wizard.engine.itemtypes import clean_item, item_problems
from wizard.engine.mailstore import ItemChanged, MailItem, NoSuchItem, SqliteMailStore, content_hash, content_json
from wizard.engine.sync.mailside import IndexQueries, uid_key

log = logging.getLogger(__name__)

SAFE_UID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-+")
READ_CHUNK = 200                  # items per multiget
REMOTE_KINDS = ("contact", "appointment", "task")


class RemoteError(WizardError):
    code = "mailbox_side_error"


class PreconditionFailed(RemoteError):
    """The item changed (or exists already) on the other side: HTTP 412."""

    code = "precondition_failed"
    template = "{href} changed while it was being written."


class NoCollection(RemoteError):
    code = "no_collection"
    template = "This mailbox has no collection for {kind}s."
    fix_template = "Connect a mailbox that has one, or create one in it and connect again."


class Gone(RemoteError):
    code = "item_gone"
    template = "{href} no longer exists."


@dataclass
class Listing:
    """A collection's changes: ``changed`` href -> ETag (None: unknown, read it),
    ``deleted`` hrefs, the next ``token``, and whether it is ``full`` (every item)."""

    changed: dict[str, str | None]
    deleted: list[str]
    token: str | None
    full: bool


class Collection(Protocol):
    """One calendar, task list or address book of a remote side."""

    key: str                         # stable name of the collection in the index
    kinds: tuple[str, ...]           # item kinds it holds

    def listing(self, token: str | None, known: dict[str, str | None]) -> Listing: ...
    def read(self, hrefs: list[str]) -> dict[str, tuple[str, str | None]]: ...
    def create(self, href: str, raw: str) -> str | None: ...
    def update(self, href: str, raw: str, etag: str) -> str | None: ...
    def delete(self, href: str, etag: str | None) -> None: ...
    def href_for(self, uid: str, kind: str) -> str: ...


def safe_name(uid: str) -> str | None:
    """``uid`` when it is safe as a file or resource name (vdirsyncer's rule), else None."""
    return uid if uid and len(uid) <= 200 and not set(uid) - SAFE_UID_CHARS else None


class RemoteSide(IndexQueries, SqliteMailStore):
    """The common part of the vdir and DAV sides (see the module docstring)."""

    name = "remote"
    kinds: tuple[str, ...] = REMOTE_KINDS
    parallel_writes = 1

    def __init__(self, index_path: str | Path, collections: dict[str, Collection], *,
                 stamp_store: Any = None, clock: Callable[[], float] = time.time) -> None:
        SqliteMailStore.__init__(self, index_path, clock=clock)
        self.collections = collections          # item kind -> its collection
        # only the kinds it has a collection for synchronize (no task list: no tasks)
        self.kinds = tuple(k for k in REMOTE_KINDS if k in collections)
        self.stamp_store = stamp_store
        self.skipped: list[str] = []            # items that could not be read
        with SqliteMailStore.transaction(self):
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS remote_items (local_id TEXT PRIMARY KEY,"
                " collection TEXT NOT NULL, href TEXT NOT NULL, etag TEXT, uid TEXT,"
                " parsed TEXT NOT NULL, UNIQUE (collection, href))")
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS remote_tokens (collection TEXT PRIMARY KEY,"
                " token TEXT)")

    # -- protocol extras --------------------------------------------------------------
    @property
    def status_conn(self) -> sqlite3.Connection:
        return self.conn

    @property
    def lock_path(self) -> Path:
        return Path(str(self.db_path) + ".sync.lock")

    def describe(self) -> str:  # pragma: no cover - subclasses say where
        return str(self.db_path)

    def staging(self) -> None:
        """Items are written to the collection one by one: nothing to stage."""
        return None

    def _collection(self, kind: str) -> Collection:
        try:
            return self.collections[kind]
        except KeyError:
            raise NoCollection(kind=kind) from None

    def _distinct(self) -> list[Collection]:
        seen: dict[str, Collection] = {}
        for c in self.collections.values():
            seen.setdefault(c.key, c)
        return list(seen.values())

    # -- reading the collections into the index -----------------------------------------
    def refresh(self, progress: Callable[[str, int, int], None] | None = None) -> None:
        """Bring the index up to date with every collection."""
        progress = progress or (lambda stage, done, total: None)
        self.skipped = []
        for coll in self._distinct():
            progress("reading the mailbox", 0, 0)
            known = self._known(coll.key)
            token = self._token(coll.key)
            listing = coll.listing(token, {h: e for h, (_, e) in known.items()})
            changed = {h: e for h, e in listing.changed.items()
                       if h not in known or e is None or known[h][1] != e}
            deleted = set(listing.deleted)
            if listing.full:
                deleted |= set(known) - set(listing.changed)
            hrefs = sorted(changed)
            done = 0
            for start in range(0, len(hrefs), READ_CHUNK):
                chunk = hrefs[start:start + READ_CHUNK]
                texts = coll.read(chunk)
                with SqliteMailStore.transaction(self):
                    for href in chunk:
                        if href not in texts:          # gone between listing and reading
                            deleted.add(href)
                            continue
                        raw, etag = texts[href]
                        self._absorb(coll, href, raw, etag, known.get(href))
                done += len(chunk)
                progress("reading the mailbox", done, len(hrefs))
            with SqliteMailStore.transaction(self):
                for href in deleted:
                    if href in known:
                        self._forget(known[href][0])
                self.conn.execute("INSERT OR REPLACE INTO remote_tokens VALUES (?,?)",
                                  (coll.key, listing.token))

    def uids(self, kind: str) -> dict[str, str]:
        """local id -> ``UID`` of the items of ``kind`` that name no org record."""
        return {r[0]: r[1] for r in self.conn.execute(
            "SELECT m.local_id, r.uid FROM mail_items m JOIN remote_items r"
            " ON r.local_id = m.local_id WHERE m.kind=? AND m.org_record_id IS NULL"
            " AND r.uid IS NOT NULL AND r.uid <> ''", (kind,))}

    def _known(self, key: str) -> dict[str, tuple[str, str | None]]:
        return {href: (lid, etag) for lid, href, etag in self.conn.execute(
            "SELECT local_id, href, etag FROM remote_items WHERE collection=?", (key,))}

    def _token(self, key: str) -> str | None:
        row = self.conn.execute("SELECT token FROM remote_tokens WHERE collection=?",
                                (key,)).fetchone()
        return row[0] if row else None

    def _place(self, local_id: str) -> tuple[str, str, str | None, str, dict[str, Any]]:
        row = self.conn.execute("SELECT collection, href, etag, uid, parsed FROM remote_items"
                                " WHERE local_id=?", (local_id,)).fetchone()
        if row is None:
            raise NoSuchItem(ref=local_id)
        return row[0], row[1], row[2], row[3] or "", json.loads(row[4])

    def _absorb(self, coll: Collection, href: str, raw: str, etag: str | None,
                known: tuple[str, str | None] | None) -> None:
        """One item read from the collection, into the index."""
        try:
            parsed = calcard.parse(raw, what=href)
        except calcard.ItemFormatError as exc:
            log.warning("skipped %s: %s", href, exc)
            self.skipped.append(href)
            return
        if parsed.kind not in coll.kinds:
            return
        problems = item_problems(parsed.kind, parsed.data)
        if problems:                     # a value of the wrong kind: skip this one item
            log.warning("skipped %s: %s", href, "; ".join(problems))
            self.skipped.append(href)
            return
        reading = {"data": parsed.data, "meta": parsed.meta.__dict__}
        if known is None:
            added = SqliteMailStore.add(self, parsed.kind, parsed.data,
                                        tracked=parsed.meta.tracked, origin=parsed.meta.origin,
                                        org_record_id=parsed.meta.org_record_id)
            self.conn.execute("INSERT OR REPLACE INTO remote_items VALUES (?,?,?,?,?,?)",
                              (added.local_id, coll.key, href, etag, parsed.uid,
                               json.dumps(reading)))
            return
        local_id = known[0]
        item = self.get(local_id)
        _, _, _, _, before = self._place(local_id)
        if item is not None:
            old = before.get("data", {})
            new = dict(item.data)
            for k in set(old) | set(parsed.data):
                if old.get(k) != parsed.data.get(k):
                    new[k] = parsed.data.get(k)
            SqliteMailStore.update(self, local_id, new, replace=True)
            old_meta = before.get("meta", {})
            meta = parsed.meta.__dict__
            if old_meta.get("tracked") != meta["tracked"]:
                SqliteMailStore.set_tracked(self, local_id, meta["tracked"])
            if (old_meta.get("org_record_id") != meta["org_record_id"]
                    or old_meta.get("origin") != meta["origin"]):
                SqliteMailStore.link(self, local_id, meta["org_record_id"],
                                     origin=meta["origin"])
        self.conn.execute("UPDATE remote_items SET etag=?, uid=?, parsed=? WHERE local_id=?",
                          (etag, parsed.uid, json.dumps(reading), local_id))

    def _forget(self, local_id: str) -> None:
        self.conn.execute("DELETE FROM remote_items WHERE local_id=?", (local_id,))
        SqliteMailStore.delete(self, local_id)

    def _reread(self, local_id: str) -> None:
        """Read one item again after a failed conditional write (it changed or vanished)."""
        key, href, _, _, _ = self._place(local_id)
        coll = next(c for c in self._distinct() if c.key == key)
        texts = coll.read([href])
        with SqliteMailStore.transaction(self):
            if href in texts:
                self._absorb(coll, href, *texts[href], (local_id, None))
            else:
                self._forget(local_id)

    # -- writing --------------------------------------------------------------------------
    def _text(self, kind: str, data: dict[str, Any], uid: str, meta: calcard.ItemMeta,
              base: str | None) -> str:
        return calcard.serialize(kind, data, uid=uid, meta=meta, base=base,
                                 vcard_version=getattr(self, "vcard_version", "3.0"))

    def _new_place(self, kind: str, org_record_id: str | None, origin: str) -> tuple[str, str]:
        """(uid, href) of a new item: an item that came from the org is named after its
        record, so any computer finds it again."""
        coll = self._collection(kind)
        uid = uid_key(org_record_id) if org_record_id and origin == "org" else str(uuid.uuid4())
        return uid, coll.href_for(uid, kind)

    def _create_remote(self, kind: str, data: dict[str, Any], meta: calcard.ItemMeta
                       ) -> tuple[str, str, str | None, str, dict[str, Any]]:
        """Write a new item; (href, uid, etag, collection key, reading)."""
        coll = self._collection(kind)
        uid, href = self._new_place(kind, meta.org_record_id, meta.origin)
        raw = self._text(kind, data, uid, meta, None)
        try:
            etag = coll.create(href, raw)
        except PreconditionFailed:
            # Already there (a run killed after writing it, another computer): take it
            # over with our content, conditional on what is there now.
            texts = coll.read([href])
            if href not in texts:
                raise
            current, current_etag = texts[href]
            raw = self._text(kind, data, uid, meta, current)
            etag = coll.update(href, raw, current_etag or "*")
        reading = {"data": calcard.parse(raw).data, "meta": meta.__dict__}
        if etag is None:                       # the server changed it: read it back
            texts = coll.read([href])
            if href in texts:
                raw, etag = texts[href]
                reading["data"] = calcard.parse(raw).data
        return href, uid, etag, coll.key, reading

    def add(self, kind: str, data: dict[str, Any], *, tracked: bool = False,
            origin: str = "mailbox", org_record_id: str | None = None,
            local_id: str | None = None, hash: str | None = None) -> MailItem:
        data = clean_item(kind, data)       # typed fields, checked before the remote write
        meta = calcard.ItemMeta(tracked, org_record_id, origin)
        href, uid, etag, key, reading = self._create_remote(kind, data, meta)
        with SqliteMailStore.transaction(self):
            item = SqliteMailStore.add(self, kind, data, tracked=tracked, origin=origin,
                                       org_record_id=org_record_id, local_id=local_id,
                                       hash=hash)
            self.conn.execute("INSERT OR REPLACE INTO remote_items VALUES (?,?,?,?,?,?)",
                              (item.local_id, key, href, etag, uid, json.dumps(reading)))
        return item

    def add_many(self, rows: list[tuple[Any, ...]], now: float,
                 progress: Callable[[str, int, int], None] | None = None) -> None:
        """New items in bulk (rows as :meth:`LocalSide.add_many`): written to the
        collection (``parallel_writes`` at a time), then indexed. ``progress`` hears
        ("writing the mailbox", done, total) as each item reaches the folder or server."""
        total, written, lock = len(rows), [0], threading.Lock()

        def write(row: tuple[Any, ...]) -> tuple[str, str, str | None, str, dict[str, Any]]:
            local_id, kind, data_json, tracked, rid, origin = row[:6]
            place = self._create_remote(kind, json.loads(data_json),
                                        calcard.ItemMeta(bool(tracked), rid, origin))
            if progress is not None:
                with lock:
                    written[0] += 1
                    done = written[0]
                progress("writing the mailbox", done, total)
            return place

        if self.parallel_writes > 1 and len(rows) > 1:
            with ThreadPoolExecutor(self.parallel_writes, thread_name_prefix="mailbox-put") as ex:
                places = list(ex.map(write, rows))
        else:
            places = [write(row) for row in rows]
        self.conn.executemany(
            "INSERT INTO mail_items (local_id, kind, data, tracked, org_record_id, origin,"
            " change_counter, hash, created_at, modified_at, seq)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(*row[:8], now, now, row[8]) for row in rows])
        self.conn.executemany(
            "INSERT OR REPLACE INTO remote_items VALUES (?,?,?,?,?,?)",
            [(row[0], key, href, etag, uid, json.dumps(reading))
             for row, (href, uid, etag, key, reading) in zip(rows, places)])

    def _rewrite(self, local_id: str, kind: str, data: dict[str, Any],
                 meta: calcard.ItemMeta) -> None:
        """Write an item's new content or app properties, conditional on its ETag."""
        key, href, etag, uid, _ = self._place(local_id)
        coll = next(c for c in self._distinct() if c.key == key)
        texts = coll.read([href])
        if href not in texts:
            self._reread(local_id)
            raise ItemChanged(local_id)
        current, current_etag = texts[href]
        if etag is not None and current_etag is not None and current_etag != etag:
            self._reread(local_id)
            raise ItemChanged(local_id)
        raw = self._text(kind, data, uid, meta, current)
        try:
            new_etag = coll.update(href, raw, current_etag or etag or "*")
        except (PreconditionFailed, Gone):
            self._reread(local_id)
            raise ItemChanged(local_id) from None
        reading = {"data": calcard.parse(raw).data, "meta": meta.__dict__}
        if new_etag is None:
            texts = coll.read([href])
            if href in texts:
                raw, new_etag = texts[href]
                reading["data"] = calcard.parse(raw).data
        self.conn.execute("UPDATE remote_items SET etag=?, parsed=? WHERE local_id=?",
                          (new_etag, json.dumps(reading), local_id))

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A transaction whose re-reads are kept when a conditional write fails: the
        ItemChanged is raised after the commit (in an outer transaction, the engine's
        commit, it goes up at once and the outer transaction keeps them)."""
        changed: list[ItemChanged] = []
        with SqliteMailStore.transaction(self):
            try:
                yield
            except ItemChanged as exc:
                if self._depth > 1:
                    raise
                changed.append(exc)
        if changed:
            raise changed[0]

    def _meta_of(self, item: MailItem) -> calcard.ItemMeta:
        return calcard.ItemMeta(item.tracked, item.org_record_id, item.origin)

    def update(self, local_id: str, data: dict[str, Any], *, replace: bool = False,
               expect_counter: int | None = None) -> MailItem:
        with self._writing():
            item = self.get(local_id)
            if item is None:
                raise NoSuchItem(ref=local_id)
            if expect_counter is not None and item.change_counter != expect_counter:
                raise ItemChanged(local_id)
            new = clean_item(item.kind, dict(data) if replace else {**item.data, **data},
                             changed=None if replace else set(data))
            if content_hash(new, content_json(new)) == item.hash:
                return item
            self._rewrite(local_id, item.kind, new, self._meta_of(item))
            return SqliteMailStore.update(self, local_id, new, replace=True)

    def delete(self, local_id: str, *, expect_counter: int | None = None) -> None:
        with self._writing():
            item = self.get(local_id)
            if item is None:
                return
            if expect_counter is not None and item.change_counter != expect_counter:
                raise ItemChanged(local_id)
            key, href, etag, _, _ = self._place(local_id)
            coll = next(c for c in self._distinct() if c.key == key)
            try:
                coll.delete(href, etag)
            except PreconditionFailed:
                self._reread(local_id)
                raise ItemChanged(local_id) from None
            except Gone:
                pass
            self._forget(local_id)

    def set_tracked(self, local_id: str, tracked: bool) -> MailItem:
        with self._writing():
            item = self.get(local_id)
            if item is None:
                raise NoSuchItem(ref=local_id)
            if item.tracked != tracked:
                self._rewrite(local_id, item.kind, item.data,
                              calcard.ItemMeta(tracked, item.org_record_id, item.origin))
                item = SqliteMailStore.set_tracked(self, local_id, tracked)
            return item

    def link(self, local_id: str, org_record_id: str | None, *,
             origin: str | None = None) -> None:
        with self._writing():
            item = self.get(local_id)
            if item is None:
                return
            origin = origin or item.origin
            if item.org_record_id != org_record_id or item.origin != origin:
                self._rewrite(local_id, item.kind, item.data,
                              calcard.ItemMeta(item.tracked, org_record_id, origin))
                SqliteMailStore.link(self, local_id, org_record_id, origin=origin)

    def unlink_all(self, local_ids: list[str]) -> None:
        for local_id in local_ids:
            item = self.get(local_id)
            if item is None:
                continue
            with contextlib.suppress(ItemChanged):
                self._rewrite(local_id, item.kind, item.data,
                              calcard.ItemMeta(False, None, "mailbox"))
            self.conn.execute("UPDATE mail_items SET org_record_id=NULL, tracked=0,"
                              " origin='mailbox', change_counter=change_counter+1"
                              " WHERE local_id=?", (local_id,))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with SqliteMailStore.transaction(self) as conn:
            yield conn

    def href_of(self, local_id: str) -> str:
        return self._place(local_id)[1]
