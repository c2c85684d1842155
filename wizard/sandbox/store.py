"""The sandbox's Dataverse data: per-org entity tables, row versions, change tracking, atomic writes.

`DataStore.seeded(contacts=N)` builds the same data on every run from `wizard.sandbox.seed`
(orgs, users) plus sample records; an org's tables are generated the first time the org is used,
so a store for five orgs with 20,000 contacts each costs only what is touched.

Conventions (mirroring Dataverse; inferred details are marked):
- Rows are plain dicts keyed by logical column names; lookups are stored as `_<name>_value`.
  Every row carries its primary key (`contactid`; `activityid` for activities such as
  appointments and tasks, exactly as Dataverse names it), `createdon`, `modifiedon` (ISO 8601
  UTC strings) and `versionnumber`. User-owned tables also carry `_ownerid_value`.
- `versionnumber` is a per-org counter that increases with every write (Dataverse's rowversion);
  the ETag is `W/"<versionnumber>"`.
- Change tracking: a delta token is `<version>!<MM/dd/yyyy HH:mm:ss>` like Dataverse's
  (`919042!08/22/2017 08:10:44`). Deleted rows leave tombstones. A token older than the org's
  `expirechangetrackingindays` (default 7) is refused with ExpiredVersionStamp (0x80044352).
- Recurring appointments: the series is a `recurringappointmentmaster` row (pattern fields);
  its expanded occurrences are `appointment` rows with `instancetypecode` 2 ("Recurring
  Instance") and `seriesid` = the master's `activityid`. Non-recurring appointments have
  `instancetypecode` 0.
- Attachments of appointments are `activitymimeattachment` rows whose `_objectid_value` is the
  appointment's `activityid` and `objecttypecode` is "appointment".
"""

from __future__ import annotations

import base64
import bisect
import contextlib
import datetime as dt
import functools
import hashlib
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from wizard.sandbox import seed
from wizard.sandbox.sandbox_error import SandboxError

Row = dict[str, Any]
Clock = Callable[[], dt.datetime]

_NAMESPACE = uuid.UUID("9d7b8e0c-3a41-4f5e-8c1d-2b6a7f0e4d31")
SEED_EPOCH = dt.datetime(2025, 1, 6, 8, 0, 0, tzinfo=dt.timezone.utc)
_SEED_EPOCH_NAIVE = SEED_EPOCH.replace(tzinfo=None)
DEFAULT_SAMPLE_CONTACTS = 24
GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# Dataverse error codes used by the store (hex as the Web API writes them).
OBJECT_DOES_NOT_EXIST = "0x80040217"
CONCURRENCY_VERSION_MISMATCH = "0x80060882"
DUPLICATE_RECORD = "0x80040237"
EXPIRED_VERSION_STAMP = "0x80044352"
INVALID_ARGUMENT = "0x80040203"
PAYLOAD_ERROR = "0x80048d19"


class StoreError(SandboxError):
    """A request the service refuses, in Dataverse's terms (status, hex code, message)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def to_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


_NAMESPACE_BYTES = _NAMESPACE.bytes


def deterministic_id(*parts: object) -> str:
    """uuid5(_NAMESPACE, "a:b:c") without building UUID objects (seeding makes thousands)."""
    digest = bytearray(hashlib.sha1(
        _NAMESPACE_BYTES + ":".join(str(p) for p in parts).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# --------------------------------------------------------------------------- schema

@dataclass(frozen=True)
class EntityInfo:
    logical_name: str
    entity_set: str
    primary_id: str
    primary_name: str
    object_type_code: int
    columns: tuple[str, ...]                 # plain columns (no lookups, no system columns)
    lookups: Mapping[str, tuple[str, ...]]   # lookup base name -> target logical names
    user_owned: bool = True
    change_tracking: bool = True
    display_name: str = ""

    @property
    def metadata_id(self) -> str:
        return deterministic_id("entitymetadata", self.logical_name)

    @property
    def schema_name(self) -> str:
        return self.logical_name.capitalize() if self.logical_name.islower() else self.logical_name

    @functools.cached_property
    def all_columns(self) -> tuple[str, ...]:
        system = ("createdon", "modifiedon", "versionnumber")
        look = tuple(f"_{name}_value" for name in self.lookups)
        return (self.primary_id, *self.columns, *look, *system)


_ADDRESS_PARTS = ("line1", "line2", "line3", "city", "stateorprovince", "postalcode", "country",
                  "telephone1", "addresstypecode", "name")
_ADDRESS_COLUMNS = tuple(f"address{n}_{p}" for n in (1, 2, 3) for p in _ADDRESS_PARTS)
_AUDIT = {"createdby": ("systemuser",), "modifiedby": ("systemuser",)}
_OWNER = {"ownerid": ("systemuser", "team")}
_ACTIVITY_COLUMNS = ("subject", "description", "statecode", "statuscode", "prioritycode",
                     "activitytypecode", "isregularactivity")
# What an activity can be regarding (the records "Set Regarding" offers), as in Dataverse's
# regardingobjectid_<target>_<activity> navigation properties.
REGARDING_TARGETS = ("account", "contact", "opportunity", "lead", "incident")
_REGARDING = {"regardingobjectid": REGARDING_TARGETS}

ENTITIES: dict[str, EntityInfo] = {e.logical_name: e for e in (
    EntityInfo("organization", "organizations", "organizationid", "name", 1019,
               ("name", "isappointmentattachmentsyncenabled", "isassignedtaskssyncenabled",
                "iscontactmailingaddresssyncenabled", "isresourcebookingexchangesyncenabled",
                "expirechangetrackingindays", "languagecode", "maxappointmentdurationdays",
                "minoutlooksyncinterval", "isexternalsearchindexenabled"),
               {}, user_owned=False, display_name="Organization"),
    EntityInfo("systemuser", "systemusers", "systemuserid", "fullname", 8,
               ("domainname", "fullname", "firstname", "lastname", "internalemailaddress",
                "isdisabled", "azureactivedirectoryobjectid", "accessmode", "title"),
               {"businessunitid": ("businessunit",), **_AUDIT}, user_owned=False,
               display_name="User"),
    EntityInfo("mailbox", "mailboxes", "mailboxid", "name", 9606,
               ("name", "emailaddress", "actdeliverymethod", "incomingemaildeliverymethod",
                "outgoingemaildeliverymethod", "orgmarkedasprimaryforexchangesync",
                "isactsyncorgflagset", "actstatus", "isforwardmailbox", "enabledforact",
                "incomingemailstatus", "outgoingemailstatus", "mailboxstatus",
                "emailrouteraccessapproval", "isemailaddressapprovedbyo365admin",
                "testemailconfigurationscheduled", "testmailboxaccesscompletedon",
                "lastsyncerror", "lastsyncerrorcode", "lastsyncerroroccurredon",
                "lastsuccessfulsynccompletedon"),
               {**_OWNER, "regardingobjectid": ("systemuser", "queue"), **_AUDIT},
               display_name="Mailbox"),
    EntityInfo("contact", "contacts", "contactid", "fullname", 2,
               ("firstname", "lastname", "fullname", "middlename", "salutation", "jobtitle",
                "department", "emailaddress1", "emailaddress2", "telephone1", "telephone2",
                "mobilephone", "fax", "birthdate", "description", "statecode", "statuscode",
                "donotemail", *_ADDRESS_COLUMNS),
               {**_OWNER, "parentcustomerid": ("account", "contact"), **_AUDIT},
               display_name="Contact"),
    EntityInfo("account", "accounts", "accountid", "name", 1,
               ("name", "accountnumber", "emailaddress1", "telephone1", "websiteurl",
                "address1_city", "address1_country", "statecode", "statuscode"),
               {**_OWNER, "primarycontactid": ("contact",), **_AUDIT},
               display_name="Account"),
    EntityInfo("opportunity", "opportunities", "opportunityid", "name", 3,
               ("name", "description", "estimatedvalue", "estimatedclosedate", "statecode",
                "statuscode"),
               {**_OWNER, "parentaccountid": ("account",), "parentcontactid": ("contact",),
                **_AUDIT},
               display_name="Opportunity"),
    EntityInfo("lead", "leads", "leadid", "fullname", 4,
               ("firstname", "lastname", "fullname", "companyname", "subject", "emailaddress1",
                "telephone1", "statecode", "statuscode"),
               {**_OWNER, **_AUDIT}, display_name="Lead"),
    EntityInfo("incident", "incidents", "incidentid", "title", 112,
               ("title", "ticketnumber", "description", "prioritycode", "statecode",
                "statuscode"),
               {**_OWNER, "customerid": ("account", "contact"), **_AUDIT},
               display_name="Case"),
    EntityInfo("appointment", "appointments", "activityid", "subject", 4201,
               (*_ACTIVITY_COLUMNS, "location", "scheduledstart", "scheduledend",
                "scheduleddurationminutes", "isalldayevent", "instancetypecode", "seriesid",
                "originalstartdate", "requiredattendees", "optionalattendees",
                "globalobjectid", "outlookownerapptid"),
               {**_OWNER, **_REGARDING, **_AUDIT},
               display_name="Appointment"),
    EntityInfo("recurringappointmentmaster", "recurringappointmentmasters", "activityid",
               "subject", 4251,
               (*_ACTIVITY_COLUMNS, "location", "starttime", "endtime", "duration",
                "isalldayevent", "patternstartdate", "patternenddate", "patternendtype",
                "recurrencepatterntype", "interval", "daysofweekmask", "occurrences",
                "instancetypecode", "requiredattendees", "globalobjectid"),
               {**_OWNER, **_REGARDING, **_AUDIT},
               display_name="Recurring Appointment"),
    EntityInfo("serviceappointment", "serviceappointments", "activityid", "subject", 4214,
               (*_ACTIVITY_COLUMNS, "location", "scheduledstart", "scheduledend",
                "scheduleddurationminutes", "isalldayevent"),
               {**_OWNER, **_REGARDING, "serviceid": ("service",),
                **_AUDIT},
               display_name="Service Activity"),
    EntityInfo("task", "tasks", "activityid", "subject", 4212,
               (*_ACTIVITY_COLUMNS, "scheduledstart", "scheduledend", "percentcomplete",
                "actualdurationminutes", "actualend", "category"),
               {**_OWNER, **_REGARDING, **_AUDIT},
               display_name="Task"),
    # E-mail activities (tracked messages): sender and torecipients are the addresses as
    # text, directioncode true for outgoing, false for received.
    EntityInfo("email", "emails", "activityid", "subject", 4202,
               (*_ACTIVITY_COLUMNS, "sender", "torecipients", "ccrecipients", "directioncode",
                "messageid", "actualend"),
               {**_OWNER, **_REGARDING, **_AUDIT},
               display_name="Email"),
    EntityInfo("activitymimeattachment", "activitymimeattachments", "activitymimeattachmentid",
               "filename", 1001,
               ("filename", "mimetype", "body", "filesize", "subject", "attachmentnumber",
                "objecttypecode"),
               {"objectid": ("appointment", "email", "recurringappointmentmaster"), **_AUDIT},
               user_owned=False, display_name="Attachment"),
    EntityInfo("bookableresourcebooking", "bookableresourcebookings", "bookableresourcebookingid",
               "name", 1150,
               ("name", "starttime", "endtime", "duration", "bookingtype", "statecode",
                "statuscode"),
               {**_OWNER, "resource": ("bookableresource",),
                "bookingstatus": ("bookingstatus",), **_AUDIT},
               display_name="Bookable Resource Booking"),
    EntityInfo("syncattributemappingprofile", "syncattributemappingprofiles",
               "syncattributemappingprofileid", "name", 1401,
               ("name", "description", "issystem", "statecode"),
               {**_OWNER, **_AUDIT}, display_name="Sync Attribute Mapping Profile"),
    EntityInfo("syncattributemapping", "syncattributemappings", "syncattributemappingid",
               "attributecrmname", 1400,
               ("attributecrmname", "attributeexchangename", "entitytypecode", "syncdirection",
                "defaultsyncdirection", "allowedsyncdirection", "iscomputed", "componentstate"),
               {"syncattributemappingprofileid": ("syncattributemappingprofile",),
                "parentsyncattributemappingid": ("syncattributemapping",), **_AUDIT},
               user_owned=False, display_name="Sync Attribute Mapping"),
    EntityInfo("userquery", "userqueries", "userqueryid", "name", 4230,
               ("name", "description", "returnedtypecode", "querytype", "fetchxml",
                "layoutxml", "statecode", "statuscode"),
               {**_OWNER, **_AUDIT}, display_name="Saved View"),
    EntityInfo("savedquery", "savedqueries", "savedqueryid", "name", 1039,
               ("name", "description", "returnedtypecode", "querytype", "fetchxml",
                "layoutxml", "isdefault", "statecode", "statuscode", "iscustomizable"),
               {**_AUDIT}, user_owned=False, display_name="View"),
)}

ENTITY_SETS: dict[str, EntityInfo] = {e.entity_set: e for e in ENTITIES.values()}


def entity_by_set(entity_set: str) -> EntityInfo | None:
    return ENTITY_SETS.get(entity_set)


# --------------------------------------------------------------------------- defaults

OUTLOOK_FILTER, OFFLINE_FILTER = 256, 16
OUTLOOK_TEMPLATE, OFFLINE_TEMPLATE = 131072, 8192
FILTER_TYPE_OF_TEMPLATE = {OUTLOOK_TEMPLATE: OUTLOOK_FILTER, OFFLINE_TEMPLATE: OFFLINE_FILTER}

# Dynamics 365's default synchronized fields (direction: 0 none, 1 to Exchange, 2 to Dynamics
# 365, 3 both ways). The field list follows the "Synchronized fields" page of the
# Synchronization settings; where Microsoft does not document a default, two-way is assumed
# (inferred). Contact Notes (description <-> Body) is two-way by default and may be set to None
# to keep notes private.
DEFAULT_SYNC_MAPPINGS: dict[str, tuple[tuple[str, str, int, int], ...]] = {
    # (crm attribute, exchange property, default direction, allowed directions bitmask-ish)
    "contact": (
        ("firstname", "GivenName", 3, 3), ("lastname", "Surname", 3, 3),
        ("middlename", "MiddleName", 3, 3), ("salutation", "Title", 3, 3),
        ("jobtitle", "JobTitle", 3, 3), ("department", "Department", 3, 3),
        ("emailaddress1", "EmailAddress1", 3, 3), ("emailaddress2", "EmailAddress2", 3, 3),
        ("telephone1", "BusinessPhone", 3, 3), ("telephone2", "HomePhone", 3, 3),
        ("mobilephone", "MobilePhone", 3, 3), ("fax", "BusinessFax", 3, 3),
        ("birthdate", "Birthday", 3, 3), ("description", "Body", 3, 3),
        ("parentcustomerid", "CompanyName", 1, 1),
        *((f"address1_{p}", f"BusinessAddress{p.capitalize()}", 3, 3) for p in
           ("line1", "line2", "line3", "city", "stateorprovince", "postalcode", "country")),
        *((f"address2_{p}", f"HomeAddress{p.capitalize()}", 3, 3) for p in
           ("line1", "line2", "line3", "city", "stateorprovince", "postalcode", "country")),
        *((f"address3_{p}", f"OtherAddress{p.capitalize()}", 3, 3) for p in
           ("line1", "line2", "line3", "city", "stateorprovince", "postalcode", "country")),
    ),
    "appointment": (
        ("subject", "Subject", 3, 3), ("location", "Location", 3, 3),
        ("scheduledstart", "Start", 3, 3), ("scheduledend", "End", 3, 3),
        ("isalldayevent", "IsAllDayEvent", 3, 3), ("description", "Body", 3, 3),
        ("prioritycode", "Importance", 3, 3), ("requiredattendees", "RequiredAttendees", 3, 3),
        ("optionalattendees", "OptionalAttendees", 3, 3), ("regardingobjectid", "Regarding", 1, 1),
    ),
    "task": (
        ("subject", "Subject", 3, 3), ("description", "Body", 3, 3),
        ("scheduledend", "DueDate", 3, 3), ("scheduledstart", "StartDate", 3, 3),
        ("prioritycode", "Importance", 3, 3), ("percentcomplete", "PercentComplete", 3, 3),
        ("actualdurationminutes", "ActualWork", 3, 3), ("statecode", "Status", 3, 3),
        ("regardingobjectid", "Regarding", 1, 1),
    ),
}

_FIRST = ("Ada", "Ben", "Cleo", "Dmitri", "Eva", "Farid", "Grace", "Hiro", "Ines", "Jonas",
          "Kemi", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
          "Uma", "Viktor", "Wen", "Yara", "Zoe")
_LAST = ("Abbott", "Berg", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Hoffmann",
         "Ito", "Jansen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov",
         "Quint", "Rossi", "Schmidt", "Tanaka", "Ueda", "Varga", "Weber", "Young", "Zhang")
_CITIES = (("Seattle", "WA", "98101", "United States"), ("Redmond", "WA", "98052", "United States"),
           ("Toronto", "ON", "M5H 2N2", "Canada"), ("London", "", "EC1A 1BB", "United Kingdom"),
           ("Tokyo", "", "100-0005", "Japan"), ("Berlin", "", "10115", "Germany"))


# --------------------------------------------------------------------------- per-org data

@dataclass
class OrgData:
    org: seed.Org
    tables: dict[str, dict[str, Row]] = field(default_factory=dict)
    tombstones: dict[str, dict[str, int]] = field(default_factory=dict)  # entity -> id -> version
    version: int = 0
    _sorted_ids: dict[str, list[str]] = field(default_factory=dict)
    # Per table, (version, id) of every write in version order: deltas read only the tail.
    changelog: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def next_version(self) -> int:
        self.version += 1
        return self.version

    def sorted_ids(self, entity: str) -> list[str]:
        ids = self._sorted_ids.get(entity)
        if ids is None:
            ids = self._sorted_ids[entity] = sorted(self.tables[entity])
        return ids

    def keys_changed(self, entity: str) -> None:
        self._sorted_ids.pop(entity, None)


def _user_rows_for(org: seed.Org) -> list[seed.User]:
    return [u for u in seed.USERS if seed.is_member(u, org)]


class DataStore:
    """Thread-safe in-memory Dataverse data for every sandbox org."""

    def __init__(self, *, contacts: int = DEFAULT_SAMPLE_CONTACTS,
                 clock: Clock | None = None, orgs: tuple[seed.Org, ...] = seed.ORGS) -> None:
        self.contacts_per_org = max(0, int(contacts))
        self.clock: Clock = clock or _utcnow
        self._orgs = {o.unique_name: o for o in orgs}
        self._data: dict[str, OrgData] = {}
        self._lock = threading.RLock()
        self._journal: list[Callable[[], None]] | None = None
        from wizard.sandbox.exchange import ExchangeMailboxes

        self.exchange = ExchangeMailboxes(self)

    @classmethod
    def seeded(cls, contacts: int | None = None, *, clock: Clock | None = None,
               orgs: tuple[seed.Org, ...] | None = None) -> "DataStore":
        return cls(contacts=DEFAULT_SAMPLE_CONTACTS if contacts is None else contacts, clock=clock,
                   orgs=orgs if orgs is not None else seed.ORGS)

    # ------------------------------------------------------------------ access

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def org_names(self) -> tuple[str, ...]:
        return tuple(self._orgs)

    def org_info(self, org_name: str) -> seed.Org:
        return self._orgs[org_name]

    def built_orgs(self) -> tuple[str, ...]:
        """The orgs whose tables exist already (an org is built on first use)."""
        with self._lock:
            return tuple(self._data)

    def org_data(self, org_name: str) -> OrgData:
        with self._lock:
            data = self._data.get(org_name)
            if data is None:
                org = self._orgs.get(org_name)
                if org is None:
                    raise KeyError(org_name)
                data = _SeedBuilder(org, self.contacts_per_org, self.exchange.holder).build()
                self.exchange.remember_seed(org_name, data)
                self._data[org_name] = data
            return data

    def organization_row(self, org_name: str) -> Row:
        with self._lock:
            table = self.org_data(org_name).tables["organization"]
            return dict(next(iter(table.values())))

    def current_version(self, org_name: str) -> int:
        with self._lock:
            return self.org_data(org_name).version

    def rows(self, org_name: str, entity: str) -> list[Row]:
        """A snapshot (shallow copies) of every row of a table, in primary-key order."""
        return [dict(r) for r in self.snapshot(org_name, entity)]

    def snapshot(self, org_name: str, entity: str, *, after_id: str | None = None) -> list[Row]:
        """Every row (after `after_id`), in primary-key order, WITHOUT copying.

        Stored rows are never mutated in place (a write replaces the dict), so the list stays a
        consistent snapshot; callers must treat the rows as read-only.
        """
        with self._lock:
            data = self.org_data(org_name)
            ids = data.sorted_ids(entity)
            table = data.tables[entity]
            start = bisect.bisect_right(ids, after_id) if after_id else 0
            return [table[k] for k in ids[start:]]

    def get(self, org_name: str, entity: str, row_id: str) -> Row:
        with self._lock:
            row = self.org_data(org_name).tables[entity].get(_norm_id(row_id))
            if row is None:
                raise not_found(entity, row_id)
            return dict(row)

    def find(self, org_name: str, entity: str, row_id: str) -> Row | None:
        with self._lock:
            row = self.org_data(org_name).tables[entity].get(_norm_id(row_id))
            return dict(row) if row is not None else None

    # ------------------------------------------------------------------ writes

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """All writes inside succeed together or are undone together (a batch change set)."""
        with self._lock:
            if self._journal is not None:        # nested: the outer block owns the journal
                yield
                return
            self._journal = []
            try:
                yield
            except BaseException:
                for undo in reversed(self._journal):
                    undo()
                raise
            finally:
                self._journal = None

    def _remember(self, undo: Callable[[], None]) -> None:
        if self._journal is not None:
            self._journal.append(undo)

    def _put(self, data: OrgData, entity: str, row_id: str, row: Row | None) -> None:
        table = data.tables[entity]
        tombs = data.tombstones.setdefault(entity, {})
        old_row = table.get(row_id)
        old_tomb = tombs.get(row_id)

        def undo() -> None:
            data.keys_changed(entity)
            if old_row is None:
                table.pop(row_id, None)
            else:
                table[row_id] = old_row
            if old_tomb is None:
                tombs.pop(row_id, None)
            else:
                tombs[row_id] = old_tomb

        self._remember(undo)
        if row is None or old_row is None:
            data.keys_changed(entity)
        if row is None:
            table.pop(row_id, None)
            tombs[row_id] = version = data.next_version()
        else:
            table[row_id] = row
            tombs.pop(row_id, None)
            version = row["versionnumber"]
        # A rolled-back write leaves its log entry; readers check the current state anyway.
        data.changelog.setdefault(entity, []).append((version, row_id))

    def create(self, org_name: str, entity: str, values: Mapping[str, Any], *,
               user_id: str | None = None, row_id: str | None = None) -> Row:
        info = ENTITIES[entity]
        with self._lock:
            data = self.org_data(org_name)
            new_id = _norm_id(row_id or values.get(info.primary_id) or str(uuid.uuid4()))
            if not GUID_RE.match(new_id):
                raise StoreError(400, INVALID_ARGUMENT,
                                     f"Invalid value '{new_id}' for {info.primary_id}.")
            if new_id in data.tables[entity]:
                raise StoreError(412, DUPLICATE_RECORD,
                                     "A record with matching key values already exists.")
            now = iso(self.clock())
            row: Row = {c: None for c in info.all_columns}
            row.update(_initial_values(info))
            row.update({k: v for k, v in values.items() if k != info.primary_id})
            row[info.primary_id] = new_id
            if info.user_owned and row.get("_ownerid_value") is None:
                row["_ownerid_value"] = user_id
            if "createdby" in info.lookups:
                row["_createdby_value"] = user_id
                row["_modifiedby_value"] = user_id
            _apply_computed(info, row, values)
            row["createdon"] = now
            row["modifiedon"] = now
            row["versionnumber"] = data.next_version()
            self._put(data, entity, new_id, row)
            return dict(row)

    def update(self, org_name: str, entity: str, row_id: str, values: Mapping[str, Any], *,
               user_id: str | None = None, if_match: str | None = None) -> Row:
        info = ENTITIES[entity]
        with self._lock:
            data = self.org_data(org_name)
            key, current = _matching(data, entity, row_id, if_match)
            if entity == "mailbox":
                self.exchange.note_write()      # reset() brings the seeded records back
            row = dict(current)
            row.update({k: v for k, v in values.items() if k != info.primary_id})
            _apply_computed(info, row, values)
            if "modifiedby" in info.lookups and user_id:
                row["_modifiedby_value"] = user_id
            row["modifiedon"] = iso(self.clock())
            row["versionnumber"] = data.next_version()
            self._put(data, entity, key, row)
            return dict(row)

    def delete(self, org_name: str, entity: str, row_id: str, *,
               if_match: str | None = None) -> None:
        with self._lock:
            data = self.org_data(org_name)
            key, _current = _matching(data, entity, row_id, if_match)
            self._put(data, entity, key, None)
            if entity in ("appointment", "recurringappointmentmaster"):
                # Attachments go with their activity (cascade delete), like Dataverse.
                for att_id, att in list(data.tables["activitymimeattachment"].items()):
                    if att.get("_objectid_value") == key:
                        self._put(data, "activitymimeattachment", att_id, None)

    # ------------------------------------------------------------------ change tracking

    def delta_token(self, org_name: str, version: int | None = None) -> str:
        with self._lock:
            v = self.org_data(org_name).version if version is None else version
        return f"{v}!{self.clock().astimezone(dt.timezone.utc):%m/%d/%Y %H:%M:%S}"

    def parse_delta_token(self, org_name: str, token: str) -> int:
        m = re.fullmatch(r"(\d{1,18})!(\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2})", token or "")
        if m is None:
            raise StoreError(400, "0x80060888", f"The delta token '{token}' is not valid.")
        version = int(m.group(1))
        try:
            issued = dt.datetime.strptime(m.group(2), "%m/%d/%Y %H:%M:%S").replace(
                tzinfo=dt.timezone.utc)
        except ValueError:
            raise StoreError(400, "0x80060888",
                                 f"The delta token '{token}' is not valid.") from None
        org_row = self.organization_row(org_name)
        days = org_row.get("expirechangetrackingindays") or 7
        if self.clock() - issued > dt.timedelta(days=int(days)) or version > self.current_version(
                org_name):
            raise StoreError(400, EXPIRED_VERSION_STAMP,
                                 "Version stamp associated with the client has expired. "
                                 "Please perform a full sync.")
        return version

    def changes_since(self, org_name: str, entity: str,
                      version: int) -> tuple[list[Row], list[str], int]:
        """(new or updated rows by version, deleted ids, current version) after `version`.

        The rows are the stored dicts themselves (see `snapshot`): read-only for callers.
        """
        with self._lock:
            data = self.org_data(org_name)
            log = data.changelog.get(entity, [])
            start = bisect.bisect_right(log, (version, "\uffff"))
            table = data.tables[entity]
            tombs = data.tombstones.get(entity, {})
            changed: dict[str, Row] = {}
            deleted: dict[str, int] = {}
            for _, row_id in log[start:]:
                row = table.get(row_id)
                if row is not None and row["versionnumber"] > version:
                    changed[row_id] = row
                elif row is None and tombs.get(row_id, 0) > version:
                    deleted[row_id] = tombs[row_id]
            rows = sorted(changed.values(), key=lambda r: r["versionnumber"])
            gone = sorted(deleted, key=deleted.__getitem__)
            return rows, gone, data.version


def _norm_id(value: Any) -> str:
    text = str(value).strip().strip("{}").lower()
    return text


def _matching(data: OrgData, entity: str, row_id: str, if_match: str | None) -> tuple[str, Row]:
    """The row an update or delete names (its key and itself), checked against If-Match."""
    key = _norm_id(row_id)
    current = data.tables[entity].get(key)
    if current is None:
        raise not_found(entity, row_id)
    check_etag(current, if_match)
    return key, current


def not_found(entity: str, row_id: str) -> StoreError:
    return StoreError(404, OBJECT_DOES_NOT_EXIST,
                          f"{entity} With Id = {_norm_id(row_id)} Does Not Exist")


def etag_of(row: Mapping[str, Any]) -> str:
    return f'W/"{row["versionnumber"]}"'


def _etag_value(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def check_etag(row: Mapping[str, Any], if_match: str | None) -> None:
    if if_match is None:
        return
    wanted = {_etag_value(t) for t in if_match.split(",")}
    if "*" in wanted or _etag_value(etag_of(row)) in wanted:
        return
    raise StoreError(412, CONCURRENCY_VERSION_MISMATCH,
                         "The version of the existing record doesn't match the RowVersion "
                         "property provided.")


def _initial_values(info: EntityInfo) -> dict[str, Any]:
    if info.logical_name in ("contact", "task", "appointment", "serviceappointment",
                             "account", "opportunity", "lead", "incident",
                             "recurringappointmentmaster", "bookableresourcebooking", "email",
                             "userquery", "savedquery", "syncattributemappingprofile"):
        out: dict[str, Any] = {"statecode": 0}
        if "statuscode" in info.columns:
            out["statuscode"] = 1
        if info.logical_name in ("task", "appointment", "serviceappointment",
                                 "recurringappointmentmaster", "email"):
            out["activitytypecode"] = info.logical_name
            out["isregularactivity"] = True
            out["prioritycode"] = 1
        if info.logical_name == "appointment":
            out["instancetypecode"] = 0
            out["isalldayevent"] = False
        if info.logical_name == "contact":
            out["donotemail"] = False
        return out
    return {}


def _apply_computed(info: EntityInfo, row: Row, changed: Mapping[str, Any]) -> None:
    if info.logical_name in ("contact", "lead") and ("firstname" in changed or "lastname" in changed):
        row["fullname"] = " ".join(p for p in (row.get("firstname"), row.get("lastname")) if p)


# --------------------------------------------------------------------------- seeding

class _SeedBuilder:
    """Builds one org's tables; every id and timestamp derives from the org and a counter."""

    def __init__(self, org: seed.Org, contacts: int,
                 holder_of: Callable[[str], str | None] = lambda address: None) -> None:
        self.org = org
        self.contacts = contacts
        self.holder_of = holder_of     # address -> OrgID its Exchange mailbox is stamped with
        self.data = OrgData(org, tables={e: {} for e in ENTITIES})
        self.users = _user_rows_for(org)
        self.minute = 0

    def _id(self, *parts: object) -> str:
        return deterministic_id(self.org.unique_name, *parts)

    def _stamp(self) -> str:
        self.minute += 1
        return (_SEED_EPOCH_NAIVE + dt.timedelta(minutes=self.minute)).isoformat() + "Z"

    def add(self, entity: str, row_id: str, values: Mapping[str, Any],
            owner: str | None = None) -> Row:
        info = ENTITIES[entity]
        row: Row = dict.fromkeys(info.all_columns)
        row.update(_initial_values(info))
        row.update(values)
        row[info.primary_id] = row_id
        admin = self.users[0].systemuser_id if self.users else None
        if info.user_owned:
            row["_ownerid_value"] = owner or admin
        if "createdby" in info.lookups:
            row["_createdby_value"] = row.get("_createdby_value") or owner or admin
            row["_modifiedby_value"] = row.get("_modifiedby_value") or owner or admin
        _apply_computed(info, row, values)
        stamp = self._stamp()
        row["createdon"] = stamp
        row["modifiedon"] = stamp
        row["versionnumber"] = self.data.next_version()
        self.data.tables[entity][row_id] = row
        self.data.changelog.setdefault(entity, []).append((row["versionnumber"], row_id))
        return row

    def build(self) -> OrgData:
        org = self.org
        self.add("organization", org.org_id, {
            "name": org.friendly_name,
            "isappointmentattachmentsyncenabled": False,
            "isassignedtaskssyncenabled": False,
            "iscontactmailingaddresssyncenabled": True,
            "isresourcebookingexchangesyncenabled": False,
            "expirechangetrackingindays": 7,
            "languagecode": 1033,
            "maxappointmentdurationdays": 14,
            "minoutlooksyncinterval": 15,
            "isexternalsearchindexenabled": False,
        })
        self._users_and_mailboxes()
        self._contacts()
        self._sales_records()
        self._activities()
        self._bookings()
        self._emails()
        self._sync_mappings()
        self._queries()
        return self.data

    def _users_and_mailboxes(self) -> None:
        bu = self._id("businessunit")
        for u in self.users:
            first, _, last = u.display_name.partition(" ")
            domain = u.upn if self.org.kind == "online" else u.ntlm_name
            self.add("systemuser", u.systemuser_id, {
                "domainname": domain, "fullname": u.display_name, "firstname": first,
                "lastname": last, "internalemailaddress": u.upn, "isdisabled": u.disabled,
                "azureactivedirectoryobjectid": u.object_id, "accessmode": 0,
                "title": None, "_businessunitid_value": bu,
            }, owner=u.systemuser_id)
        for n, u in enumerate(self.users):
            # Alice's mailbox record says Server-Side Synchronization in every org; her
            # Exchange mailbox is stamped with the North America org (see
            # wizard/sandbox/exchange.py), the only record where Test & Enable has run.
            # Bob's mailbox syncs nothing; the others vary.
            method = {0: 1, 1: 2}.get(n, 1 if n % 2 == 0 else 0)
            holds = self.holder_of(u.upn) == self.org.org_id
            self.add("mailbox", self._id("mailbox", u.systemuser_id), {
                "name": u.display_name, "emailaddress": u.upn,
                "actdeliverymethod": method, "incomingemaildeliverymethod": 2,
                "outgoingemaildeliverymethod": 2,
                "orgmarkedasprimaryforexchangesync": holds,
                "isactsyncorgflagset": False, "actstatus": 1 if holds else 0,
                "incomingemailstatus": 1 if holds else 0,
                "outgoingemailstatus": 1 if holds else 0, "mailboxstatus": 1 if holds else 0,
                "emailrouteraccessapproval": 1, "isemailaddressapprovedbyo365admin": True,
                "testemailconfigurationscheduled": False,
                "testmailboxaccesscompletedon": iso(SEED_EPOCH) if holds else None,
                "lastsuccessfulsynccompletedon": iso(SEED_EPOCH) if holds else None,
                "isforwardmailbox": False, "enabledforact": method != 2,
                "_regardingobjectid_value": u.systemuser_id,
            }, owner=u.systemuser_id)

    def _owner_for(self, i: int) -> str | None:
        if not self.users:
            return None
        # Two of every three records belong to the first user (Alice), the rest rotate.
        if i % 3 != 2 or len(self.users) == 1:
            return self.users[0].systemuser_id
        return self.users[1 + (i // 3) % (len(self.users) - 1)].systemuser_id

    def _contacts(self) -> None:
        # The hot path of seeding (20,000 rows in well under a few seconds): rows are built
        # from one template instead of going through add().
        info = ENTITIES["contact"]
        template: Row = dict.fromkeys(info.all_columns)
        template.update(_initial_values(info))
        table = self.data.tables["contact"]
        log = self.data.changelog.setdefault("contact", [])
        org_prefix = f"{self.org.unique_name}:contact:"
        ns = _NAMESPACE_BYTES
        jobs = ("Buyer", "Engineer", "Director", "Consultant")
        for i in range(self.contacts):
            first = _FIRST[i % len(_FIRST)]
            last = _LAST[(i // len(_FIRST) + i * 7) % len(_LAST)]
            city, state, postal, country = _CITIES[i % len(_CITIES)]
            digest = bytearray(hashlib.sha1(ns + (org_prefix + str(i)).encode()).digest()[:16])
            digest[6] = (digest[6] & 0x0F) | 0x50
            digest[8] = (digest[8] & 0x3F) | 0x80
            h = digest.hex()
            row_id = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
            owner = self._owner_for(i)
            row = template.copy()
            row["contactid"] = row_id
            row["firstname"] = first
            row["lastname"] = last
            row["fullname"] = f"{first} {last}"
            row["jobtitle"] = jobs[i % 4]
            row["emailaddress1"] = f"{first.lower()}.{last.lower()}{i}@example.com"
            row["telephone1"] = f"+1 425 555 {i % 10000:04d}"
            if i % 2 == 0:
                row["mobilephone"] = f"+1 206 555 {(i * 7) % 10000:04d}"
            row["birthdate"] = f"{1960 + i % 40}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            if i % 5 == 0:
                row["description"] = f"Met at the {('spring', 'autumn')[i % 2]} fair."
            row["address1_line1"] = f"{100 + i} Main Street"
            row["address1_city"] = city
            row["address1_stateorprovince"] = state
            row["address1_postalcode"] = postal
            row["address1_country"] = country
            row["address1_addresstypecode"] = 1
            if i % 4 == 0:
                row["address2_line1"] = f"{i % 90 + 1} Elm Road"
                row["address2_city"] = city
                row["address2_postalcode"] = postal
                row["address2_country"] = country
            if i % 8 == 0:
                row["address3_line1"] = f"PO Box {1000 + i}"
                row["address3_city"] = city
                row["address3_country"] = country
            row["_ownerid_value"] = row["_createdby_value"] = row["_modifiedby_value"] = owner
            row["createdon"] = row["modifiedon"] = self._stamp()
            version = self.data.next_version()
            row["versionnumber"] = version
            table[row_id] = row
            log.append((version, row_id))

    def _sales_records(self) -> None:
        """A few accounts, opportunities, leads and cases: what activities can be regarding."""
        for n, (name, city) in enumerate((("Fabrikam", "Seattle"), ("Adventure Works", "Toronto"),
                                          ("Northwind Traders", "London"),
                                          ("Tailspin Toys", "Tokyo"))):
            owner = self._owner_for(n)
            account = self._id("account", n)
            self.add("account", account, {
                "name": name, "accountnumber": f"AC-{1000 + n}", "address1_city": city,
                "emailaddress1": f"info@{name.split()[0].lower()}.example",
                "telephone1": f"+1 425 555 {100 + n:04d}",
                "_primarycontactid_value": self._id("contact", n) if n < self.contacts else None,
            }, owner=owner)
            self.add("opportunity", self._id("opportunity", n), {
                "name": f"{name}: {('renewal', 'new licences', 'support plan', 'pilot')[n]}",
                "estimatedvalue": 10000.0 * (n + 1), "_parentaccountid_value": account,
            }, owner=owner)
            self.add("incident", self._id("incident", n), {
                "title": f"{('Login fails', 'Invoice missing', 'Slow reports', 'Broken sync')[n]}"
                         f" at {name}",
                "ticketnumber": f"CAS-{1000 + n:05d}", "prioritycode": 1 + n % 3,
                "_customerid_value": account,
            }, owner=owner)
        for n, (first, last, company) in enumerate((("Mia", "Lund", "Litware"),
                                                    ("Noah", "Keller", "Proseware"),
                                                    ("Sara", "Ota", "Wingtip"))):
            self.add("lead", self._id("lead", n), {
                "firstname": first, "lastname": last, "companyname": company,
                "subject": f"Interested in a demo ({company})",
                "emailaddress1": f"{first.lower()}@{company.lower()}.example",
            }, owner=self._owner_for(n))

    def _activities(self) -> None:
        if not self.users:
            return
        alice = self.users[0].systemuser_id
        other = self.users[1].systemuser_id if len(self.users) > 1 else alice
        first_contact = self._id("contact", 0) if self.contacts else None
        day = dt.datetime(2025, 2, 3, 9, 0, tzinfo=dt.timezone.utc)   # a Monday

        master = self._id("recurring", "weekly")
        self.add("recurringappointmentmaster", master, {
            "subject": "Weekly pipeline review", "location": "Teams",
            "starttime": iso(day), "endtime": iso(day + dt.timedelta(minutes=30)),
            "duration": 30, "isalldayevent": False,
            "patternstartdate": iso(day), "patternenddate": iso(day + dt.timedelta(weeks=9)),
            "patternendtype": 2, "recurrencepatterntype": 1, "interval": 1,
            "daysofweekmask": 2, "occurrences": 10, "instancetypecode": 1,
            "requiredattendees": "alice@contoso.example; bob@contoso.example",
            "globalobjectid": self._id("goid", "weekly"),
        }, owner=alice)
        for week in range(3):
            start = day + dt.timedelta(weeks=week)
            self.add("appointment", self._id("recurring", "weekly", week), {
                "subject": "Weekly pipeline review", "location": "Teams",
                "scheduledstart": iso(start), "scheduledend": iso(start + dt.timedelta(minutes=30)),
                "scheduleddurationminutes": 30, "instancetypecode": 2, "seriesid": master,
                "originalstartdate": iso(start),
            }, owner=alice)

        with_attachments = self._id("appointment", "quarterly")
        self.add("appointment", with_attachments, {
            "subject": "Quarterly business review", "location": "Building 4, room 1021",
            "scheduledstart": iso(day + dt.timedelta(days=2, hours=5)),
            "scheduledend": iso(day + dt.timedelta(days=2, hours=6)),
            "scheduleddurationminutes": 60, "description": "Agenda and figures attached.",
            "_regardingobjectid_value": first_contact,
            "requiredattendees": "alice@contoso.example",
        }, owner=alice)
        for n, (name, mime, text) in enumerate((
                ("agenda.txt", "text/plain", "1. Pipeline\n2. Renewals\n3. Next quarter\n"),
                ("figures.csv", "text/csv", "quarter,revenue\nQ1,120\nQ2,135\n"))):
            body = text.encode()
            self.add("activitymimeattachment", self._id("attachment", n), {
                "filename": name, "mimetype": mime, "subject": name,
                "body": base64.b64encode(body).decode("ascii"), "filesize": len(body),
                "attachmentnumber": n + 1, "objecttypecode": "appointment",
                "_objectid_value": with_attachments,
            })
        self.add("appointment", self._id("appointment", "lunch"), {
            "subject": "Lunch with a customer", "location": "Café Lumen",
            "scheduledstart": iso(day + dt.timedelta(days=3, hours=3)),
            "scheduledend": iso(day + dt.timedelta(days=3, hours=4)),
            "scheduleddurationminutes": 60,
        }, owner=other)
        self.add("serviceappointment", self._id("serviceappointment", "boiler"), {
            "subject": "Boiler maintenance visit", "location": "Customer site",
            "scheduledstart": iso(day + dt.timedelta(days=4)),
            "scheduledend": iso(day + dt.timedelta(days=4, hours=2)),
            "scheduleddurationminutes": 120, "isalldayevent": False,
        }, owner=alice)

        self.add("task", self._id("task", "callback"), {
            "subject": "Call back about the renewal", "prioritycode": 2,
            "scheduledend": iso(day + dt.timedelta(days=1)), "percentcomplete": 0,
            "_regardingobjectid_value": first_contact,
        }, owner=alice)
        # Assigned: Alice created it, another user owns it.
        self.add("task", self._id("task", "assigned"), {
            "subject": "Prepare the quote", "prioritycode": 1,
            "scheduledend": iso(day + dt.timedelta(days=5)), "percentcomplete": 25,
            "_createdby_value": alice, "_modifiedby_value": alice,
        }, owner=other)
        self.add("task", self._id("task", "done"), {
            "subject": "Send the brochure", "prioritycode": 0, "statecode": 1, "statuscode": 5,
            "scheduledend": iso(day - dt.timedelta(days=2)), "percentcomplete": 100,
            "actualend": iso(day - dt.timedelta(days=2)),
        }, owner=alice)

    def _bookings(self) -> None:
        if not self.users:
            return
        alice = self.users[0].systemuser_id
        day = dt.datetime(2025, 2, 10, 13, 0, tzinfo=dt.timezone.utc)
        for n in range(2):
            start = day + dt.timedelta(days=n)
            self.add("bookableresourcebooking", self._id("booking", n), {
                "name": f"Installation job {n + 1}", "starttime": iso(start),
                "endtime": iso(start + dt.timedelta(hours=3)), "duration": 180,
                "bookingtype": 1, "_resource_value": self._id("bookableresource", "alice"),
                "_bookingstatus_value": self._id("bookingstatus", "committed"),
            }, owner=alice)

    def _emails(self) -> None:
        """One tracked, received e-mail from the first contact (regarding that contact)."""
        if not self.users or not self.contacts:
            return
        alice = self.users[0]
        contact = self.data.tables["contact"][self._id("contact", 0)]
        self.add("email", self._id("email", "welcome"), {
            "subject": "Welcome aboard", "description": "Thanks for the meeting.",
            "sender": contact["emailaddress1"], "torecipients": alice.upn,
            "directioncode": False, "_regardingobjectid_value": contact["contactid"],
        }, owner=alice.systemuser_id)

    def _sync_mappings(self) -> None:
        profile = self._id("syncprofile", "default")
        self.add("syncattributemappingprofile", profile, {
            "name": "Default Profile", "issystem": True,
            "description": "Default synchronization field mappings",
        })
        for entity, rows in DEFAULT_SYNC_MAPPINGS.items():
            for crm, exchange, direction, allowed in rows:
                self.add("syncattributemapping", self._id("syncmap", entity, crm), {
                    "attributecrmname": crm, "attributeexchangename": exchange,
                    "entitytypecode": entity, "syncdirection": direction,
                    "defaultsyncdirection": direction, "allowedsyncdirection": allowed,
                    "iscomputed": False, "componentstate": 0,
                    "_syncattributemappingprofileid_value": profile,
                })

    def _queries(self) -> None:
        # Templates (savedquery 131072 Outlook, 8192 offline) and every user's own filters
        # instantiated from them (userquery 256 Outlook, 16 offline). Org-wide "system filters"
        # (savedquery 256) start empty, as in a new organization (inferred).
        for entity, name in (("contact", "My Contacts"), ("appointment", "My Appointments"),
                             ("task", "My Tasks")):
            for template_type in (OUTLOOK_TEMPLATE, OFFLINE_TEMPLATE):
                self.add("savedquery", self._id("savedquery", template_type, entity), {
                    "name": name, "returnedtypecode": entity, "querytype": template_type,
                    "fetchxml": my_records_fetch(entity), "isdefault": True,
                    "iscustomizable": True,
                    "description": f"Default {'Outlook' if template_type == OUTLOOK_TEMPLATE else 'offline'} "
                                   f"filter template: {name.lower()}.",
                })
            for u in self.users:
                for filter_type in FILTER_TYPE_OF_TEMPLATE.values():
                    self.add("userquery", self._id("userquery", filter_type, entity,
                                                   u.systemuser_id), {
                        "name": name, "returnedtypecode": entity, "querytype": filter_type,
                        "fetchxml": my_records_fetch(entity),
                    }, owner=u.systemuser_id)


def my_records_fetch(entity: str) -> str:
    return (f'<fetch version="1.0" mapping="logical"><entity name="{entity}"><all-attributes/>'
            '<filter type="and"><condition attribute="ownerid" operator="eq-userid"/></filter>'
            '</entity></fetch>')
