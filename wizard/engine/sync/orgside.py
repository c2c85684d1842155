"""The organization's side of a sync: what the engine needs, and an in-memory implementation.

:class:`OrgSide` is implemented by :class:`MemoryOrgSide` (fast property tests, and a
file-backed variant for the crash tests) and by
:class:`wizard.engine.sync.webapi.DataverseOrgSide` (the Dataverse Web API).

Kinds: ``contact``, ``appointment``, ``task``, ``booking`` (bookable resource bookings),
``email``. Rows carry Dataverse column names; the owner is ``_ownerid_value`` and the
creator ``_createdby_value``.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from wizard.engine.errors import WizardError
from wizard.engine.sync.filters import SyncFilter
from wizard.engine.sync.mapping import SyncSettings

KIND_ENTITY_SETS = {"contact": "contacts", "appointment": "appointments", "task": "tasks",
                    "booking": "bookableresourcebookings", "email": "emails"}


class OrgSideError(WizardError):
    code = "org_error"


class OrgUnreachable(OrgSideError):
    """``org`` (its name) cannot be reached."""

    code = "org_unreachable"
    template = "{org} cannot be reached."


class OrgUnreachableChangesKept(OrgUnreachable):
    fix_template = "Your changes are kept and sent when it can be reached."


class OrgBusy(OrgUnreachable):
    template = "{org} is busy; try again shortly."


class DeltaTokenExpired(OrgSideError):
    code = "delta_token_expired"
    template = "The change-tracking token expired."


@dataclass(slots=True)
class OrgRecord:
    id: str
    etag: str
    data: dict[str, Any]

    @property
    def owner_id(self) -> str | None:
        return self.data.get("_ownerid_value")


@dataclass
class ChangeBatch:
    rows: list[OrgRecord]
    deleted: list[str]
    token: str | None
    full: bool
    # records handed to ``on_rows`` that the caller took over (not in ``rows``)
    streamed: int = 0


# a page of a full read handed over -> the records the batch keeps (None: all of them)
OnRows = Callable[[list[OrgRecord]], "list[OrgRecord] | None"]


@dataclass
class OrgWrite:
    op: str                          # create | update | delete
    kind: str
    record_id: str
    data: dict[str, Any] | None = None
    if_match: str | None = None      # update/delete: the ETag we merged against
    # update: the org's values now of the fields ``data`` changes, so that a cleared lookup
    # is cleared through the navigation property of the table it points to today
    current: dict[str, Any] | None = None


@dataclass
class WriteResult:
    status: int                      # 200/201/204 ok, 404 gone, 412 changed / exists
    record: OrgRecord | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class OrgUser:
    user_id: str
    name: str = ""


class OrgSide(Protocol):
    """What the engine needs of an org. Besides the reads and writes, a side says whether
    it hands a full read over page by page (``streams_pages``: ``changes`` then calls
    ``on_rows`` with each page, and ``next_page_on_its_way`` is true while the next one
    is being fetched; ``on_rows`` returns the page's records the batch must still hold,
    None for all, and the side keeps no others), and may fetch ahead (``prefetch``: the first requests of a run at
    once; ``changes_many``: several incremental deltas in one round trip, ``{}`` when it
    cannot)."""

    org_name: str
    streams_pages: bool
    next_page_on_its_way: bool

    @property
    def org_id(self) -> str: ...

    def prefetch(self) -> None: ...
    def changes_many(self, tokens: dict[str, str]) -> dict[str, ChangeBatch]: ...
    def whoami(self) -> OrgUser: ...
    def has_sync_privilege(self) -> bool: ...
    def settings(self) -> SyncSettings: ...
    def update_settings(self, **changes: bool) -> SyncSettings: ...
    def attribute_mappings(self) -> list[dict[str, Any]]: ...
    def attribute_labels(self, entity: str) -> dict[str, str]: ...
    def filters(self) -> list[SyncFilter]: ...
    def changes(self, kind: str, token: str | None, columns: list[str] | None = None,
                on_rows: OnRows | None = None) -> ChangeBatch: ...
    def get(self, kind: str, record_id: str) -> OrgRecord | None: ...
    def write(self, writes: list[OrgWrite]) -> list[WriteResult]: ...
    def email_matches(self, sender: str, recipients: list[str], subject: str) -> bool: ...


# ------------------------------------------------------------------ in-memory implementation

@dataclass
class MemoryOrg:
    """One org's data; several :class:`MemoryOrgSide` objects (users) can share it."""

    org_id: str = "a1b2c3d4-0001-4000-8000-000000000001"
    org_name: str = "Contoso (North America)"
    tables: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {k: {} for k in KIND_ENTITY_SETS})
    versions: dict[str, int] = field(default_factory=dict)      # record id -> version
    log: list[tuple[int, str, str]] = field(default_factory=list)  # (version, kind, id)
    version: int = 0
    settings_row: dict[str, bool] = field(default_factory=dict)
    mapping_rows: list[dict[str, Any]] = field(default_factory=list)
    userqueries: dict[str, list[SyncFilter]] = field(default_factory=dict)  # user id -> filters
    privileged: set[str] = field(default_factory=set)
    min_token: int = 0            # tokens older than this are expired
    next_id: int = 0
    #: entity -> {column: display name}, as the org's metadata words them
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    # -- edits made "in the org" (by tests, or by other users) ---------------------------
    def _bump(self, kind: str, rid: str) -> None:
        self.version += 1
        self.versions[rid] = self.version
        self.log.append((self.version, kind, rid))

    def create(self, kind: str, data: dict[str, Any], *, owner: str,
               record_id: str | None = None, creator: str | None = None) -> str:
        if record_id is None:
            self.next_id += 1
            record_id = str(uuid.UUID(int=(0xA1 << 120) + self.next_id))
        rid = record_id
        row = {k: v for k, v in data.items() if v not in (None, "", [])}
        row["_ownerid_value"] = owner
        row["_createdby_value"] = creator or owner
        self.tables[kind][rid] = row
        self._bump(kind, rid)
        return rid

    def update(self, kind: str, rid: str, changes: dict[str, Any]) -> None:
        row = self.tables[kind][rid]
        new = {**row, **changes}
        new = {k: v for k, v in new.items() if v not in (None, "", [])}
        if new != row:
            self.tables[kind][rid] = new
            self._bump(kind, rid)

    def delete(self, kind: str, rid: str) -> None:
        if self.tables[kind].pop(rid, None) is not None:
            self._bump(kind, rid)

    def etag(self, rid: str) -> str:
        return f'W/"{self.versions[rid]}"'

    def record(self, kind: str, rid: str) -> OrgRecord | None:
        row = self.tables[kind].get(rid)
        if row is None:
            return None
        return OrgRecord(rid, self.etag(rid), copy.deepcopy(row))

    # -- persistence (the crash test runs the org in another process) --------------------
    def to_json(self) -> dict[str, Any]:
        return {"org_id": self.org_id, "org_name": self.org_name, "tables": self.tables,
                "versions": self.versions, "log": self.log, "version": self.version,
                "settings_row": self.settings_row, "mapping_rows": self.mapping_rows,
                "privileged": sorted(self.privileged), "min_token": self.min_token,
                "next_id": self.next_id,
                "userqueries": {u: [f.to_dict() for f in fs] for u, fs in self.userqueries.items()}}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "MemoryOrg":
        from wizard.engine.sync.filters import from_userquery

        org = cls(d["org_id"], d["org_name"], d["tables"], d["versions"],
                  [tuple(x) for x in d["log"]], d["version"], d["settings_row"],
                  d["mapping_rows"], {}, set(d["privileged"]), d["min_token"],
                  d.get("next_id", 0))
        for user, fs in d.get("userqueries", {}).items():
            loaded = (from_userquery({"fetchxml": f["fetchxml"], "name": f["name"],
                                      "querytype": f["querytype"]}, scope=f["scope"]) for f in fs)
            org.userqueries[user] = [q for q in loaded if q is not None]
        return org


class MemoryOrgSide:
    """The org as seen by one user, straight from a :class:`MemoryOrg`."""

    streams_pages = False
    next_page_on_its_way = False

    def __init__(self, org: MemoryOrg, user_id: str, *, user_name: str = "") -> None:
        self.org = org
        self.user = OrgUser(user_id, user_name)
        self.online = True
        self.calls: list[str] = []

    @property
    def org_id(self) -> str:
        return self.org.org_id

    @property
    def org_name(self) -> str:
        return self.org.org_name

    def _check(self, what: str) -> None:
        self.calls.append(what)
        if not self.online:
            raise OrgUnreachableChangesKept(org=self.org.org_name)

    def prefetch(self) -> None:
        """Nothing to fetch ahead: the data is in memory."""

    def changes_many(self, tokens: dict[str, str]) -> dict[str, ChangeBatch]:
        return {}

    def whoami(self) -> OrgUser:
        self._check("whoami")
        return self.user

    def has_sync_privilege(self) -> bool:
        self._check("privileges")
        return self.user.user_id in self.org.privileged

    def settings(self) -> SyncSettings:
        self._check("settings")
        return SyncSettings.from_org_row({SyncSettings.COLUMNS[k]: v
                                          for k, v in self.org.settings_row.items()})

    def update_settings(self, **changes: bool) -> SyncSettings:
        self._check("update_settings")
        self.org.settings_row.update(changes)
        return self.settings()

    def attribute_mappings(self) -> list[dict[str, Any]]:
        self._check("mappings")
        return list(self.org.mapping_rows)

    def attribute_labels(self, entity: str) -> dict[str, str]:
        self._check("labels")
        return dict(self.org.labels.get(entity, {}))

    def filters(self) -> list[SyncFilter]:
        self._check("filters")
        return list(self.org.userqueries.get(self.user.user_id, []))

    def changes(self, kind: str, token: str | None, columns: list[str] | None = None,
                on_rows: OnRows | None = None) -> ChangeBatch:
        self._check(f"changes:{kind}")
        table = self.org.tables[kind]
        if token is None:
            rows = [self.org.record(kind, rid) for rid in sorted(table)]
            return ChangeBatch([r for r in rows if r], [], str(self.org.version), True)
        since = int(token)
        if since < self.org.min_token:
            raise DeltaTokenExpired()
        touched = sorted({rid for v, k, rid in self.org.log if v > since and k == kind})
        rows = [self.org.record(kind, rid) for rid in touched if rid in table]
        deleted = [rid for rid in touched if rid not in table]
        return ChangeBatch([r for r in rows if r], deleted, str(self.org.version), False)

    def get(self, kind: str, record_id: str) -> OrgRecord | None:
        self._check(f"get:{kind}")
        return self.org.record(kind, record_id)

    def write(self, writes: list[OrgWrite]) -> list[WriteResult]:
        self._check("batch")
        out = []
        for w in writes:
            table = self.org.tables[w.kind]
            if w.op == "create":
                if w.record_id in table:
                    out.append(WriteResult(412, error="exists"))
                    continue
                self.org.create(w.kind, w.data or {}, owner=self.user.user_id,
                                record_id=w.record_id)
                out.append(WriteResult(201, self.org.record(w.kind, w.record_id)))
                continue
            if w.record_id not in table:
                out.append(WriteResult(404, error="not found"))
                continue
            if w.if_match and w.if_match != self.org.etag(w.record_id):
                out.append(WriteResult(412, error="changed"))
                continue
            if w.op == "update":
                self.org.update(w.kind, w.record_id, w.data or {})
                out.append(WriteResult(200, self.org.record(w.kind, w.record_id)))
            else:
                self.org.delete(w.kind, w.record_id)
                out.append(WriteResult(204))
        return out

    def email_matches(self, sender: str, recipients: list[str], subject: str) -> bool:
        self._check("email_matches")
        addresses = {a.lower() for a in [sender, *recipients] if a}
        for row in self.org.tables["contact"].values():
            for col in ("emailaddress1", "emailaddress2", "emailaddress3"):
                if str(row.get(col, "")).lower() in addresses:
                    return True
        return False


class FileOrgSide(MemoryOrgSide):
    """A :class:`MemoryOrgSide` whose org lives in a JSON file, saved after every write.

    Used by the crash test, where the org must outlive the killed sync process.
    """

    def __init__(self, path: Path, user_id: str) -> None:
        self.path = Path(path)
        from wizard.engine.fileio import read_json

        super().__init__(MemoryOrg.from_json(read_json(self.path, what="the org file",
                                                       max_bytes=256_000_000,
                                                       max_depth=64)), user_id)

    def write(self, writes: list[OrgWrite]) -> list[WriteResult]:
        out = []
        for w in writes:          # one write at a time, each saved: the org commits per request
            out += super().write([w])
            self.save()
        return out

    def save(self) -> None:
        from wizard.engine.storage import atomic_write_json

        atomic_write_json(self.path, self.org.to_json())


def records(batch: Iterable[OrgRecord]) -> dict[str, OrgRecord]:
    return {r.id: r for r in batch}
