"""The org side of a sync over the Dataverse Web API (on ``DataverseClient.request()``).

- Reading uses change tracking: ``Prefer: odata.track-changes`` lists every row (paged with
  ``odata.maxpagesize``) and ends with ``@odata.deltaLink``; following that link later lists
  only rows changed since and ``$deletedEntity`` entries. An expired token (0x80044352)
  means a full read.
- Writing uses ``$batch``: each write is its own change set (so one refused write does not
  roll back the others) with ``Prefer: odata.continue-on-error``; updates and deletes carry
  ``If-Match: <etag>``; creates are upserts with the record id chosen up front and
  ``If-None-Match: *`` (412 = it already exists, e.g. created by an interrupted run).
- 429 Too Many Requests is honoured by the session (it waits exactly ``Retry-After``).
- Calendar: ``appointments`` (single appointments), ``recurringappointmentmasters`` (a series,
  shown as one mailbox appointment with an RRULE; its occurrences are skipped) and
  ``serviceappointments`` (service activities) all feed the mailbox calendar. Appointment
  attachments are ``activitymimeattachments`` rows, read and written only when the org's
  setting allows them.
- Regarding: an activity's ``regardingobjectid`` travels as ``TYPE:ID``. Reads ask for the
  ``Microsoft.Dynamics.CRM.lookuplogicalname`` annotation only (the lookup's table, never
  the record's name, which ``FormattedValue`` would carry); writes bind the per-target
  navigation property (``regardingobjectid_account_task@odata.bind: "/accounts(ID)"``) or
  set it to null to clear it.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from wizard.engine import jsoncodec

if TYPE_CHECKING:  # pragma: no cover
    import requests
from wizard.engine.dataverse import DataverseClient, DataverseError
from wizard.engine.errors import WizardError
from wizard.engine.itemtypes import utc_text
from wizard.engine.sync import filters as flt
from wizard.engine.sync.mapping import SyncSettings
from wizard.engine.sync.orgside import (
    ChangeBatch,
    DeltaTokenExpired,
    OnRows,
    OrgBusy,
    OrgRecord,
    OrgUnreachable,
    OrgUser,
    OrgWrite,
    WriteResult,
)

SYNC_TO_OUTLOOK = "prvSyncToOutlook"
EXPIRED_VERSION_STAMP = "0x80044352"
MAX_BATCH = 1000
PAGE_SIZE = 5000

ENTITY_SETS = {"contact": ("contacts",), "task": ("tasks",),
               "booking": ("bookableresourcebookings",), "email": ("emails",),
               "appointment": ("appointments", "recurringappointmentmasters",
                               "serviceappointments")}
# entity sets that share a kind (appointments): which one a record is in is remembered
_SHARED_KIND = frozenset(s for sets in ENTITY_SETS.values() if len(sets) > 1 for s in sets)
PRIMARY_KEY = {"contacts": "contactid", "bookableresourcebookings": "bookableresourcebookingid"}
ALWAYS = {"contacts": ["_ownerid_value", "_createdby_value", "modifiedon", "statecode"],
          "tasks": ["_ownerid_value", "_createdby_value", "modifiedon", "statecode"],
          "appointments": ["_ownerid_value", "_createdby_value", "modifiedon", "instancetypecode",
                           "seriesid", "activitytypecode"],
          "serviceappointments": ["_ownerid_value", "_createdby_value", "modifiedon",
                                  "activitytypecode"],
          "recurringappointmentmasters": ["_ownerid_value", "_createdby_value", "modifiedon",
                                          "starttime", "endtime", "recurrencepatterntype",
                                          "interval", "daysofweekmask", "occurrences",
                                          "patternenddate", "patternendtype"],
          # (regardingobjectid is read like any mapped lookup)
          "bookableresourcebookings": ["_ownerid_value", "_createdby_value", "modifiedon",
                                       "_resource_value"],
          "emails": ["_ownerid_value", "modifiedon"],
          "activitymimeattachments": ["activitymimeattachmentid", "_objectid_value",
                                      "objecttypecode"]}
# With appointment attachments on, the appointment token also follows the attachments'
# changes (an attachment added or removed in the org leaves its appointment unchanged) and
# remembers which appointment each attachment belongs to (a deletion names only its id).
ATTACHMENTS = "activitymimeattachments"
ATTACHMENT_OWNERS = "#attachment-appointments"
LOOKUPS = ("ownerid", "createdby", "modifiedby", "regardingobjectid", "parentcustomerid",
           "resource")
# The one annotation reads ask for: a lookup's table (so a regarding value is TYPE:ID).
LOGICAL_NAME = "Microsoft.Dynamics.CRM.lookuplogicalname"
ANNOTATIONS = f'odata.include-annotations="{LOGICAL_NAME}"'
_LOOKUP_ANNOTATIONS = tuple(f"_{name}_value@{LOGICAL_NAME}" for name in LOOKUPS)
REGARDING_SETS = {"account": "accounts", "contact": "contacts", "opportunity": "opportunities",
                  "lead": "leads", "incident": "incidents"}
# The activity table of each entity set that has a regarding lookup.
ACTIVITY_OF_SET = {"appointments": "appointment", "tasks": "task", "emails": "email",
                   "recurringappointmentmasters": "recurringappointmentmaster",
                   "serviceappointments": "serviceappointment"}
VIRTUAL = {"attachments", "recurrencepattern", "organizer"}
# A series' columns under the names the mailbox mapping uses for appointments.
MASTER_COLUMNS = {"scheduledstart": "starttime", "scheduledend": "endtime"}
UNREACHABLE_STATUS = {502, 503, 504}
# Columns that the secondary calendar tables have (they lack e.g. optional attendees).
LIMITED_COLUMNS = {
    "recurringappointmentmasters": {"subject", "description", "location", "isalldayevent",
                                    "prioritycode", "requiredattendees", "statecode",
                                    "statuscode", "starttime", "endtime", "regardingobjectid"},
    "serviceappointments": {"subject", "description", "location", "scheduledstart",
                            "scheduledend", "isalldayevent", "prioritycode", "statecode",
                            "statuscode", "regardingobjectid"},
}


def _pk(entity_set: str) -> str:
    return PRIMARY_KEY.get(entity_set, "activityid")


def _is_network(exc: BaseException) -> bool:
    from wizard.engine.http import NetworkError

    # A TLS failure is not an outage: the server answered with a certificate this computer
    # refuses (untrusted, intercepted, expired, wrong host). It is reported as what it is,
    # never as "cannot be reached, your changes are queued".
    if isinstance(exc, NetworkError):
        return exc.kind != "tls"
    return isinstance(exc, DataverseError) and exc.status in UNREACHABLE_STATUS


# Date-time columns that reach mailbox fields: stored as UTC whatever offset they carry.
_TIME_COLUMNS = ("scheduledstart", "scheduledend", "actualend", "starttime", "endtime")


class DataverseOrgSide:
    """:class:`~wizard.engine.sync.orgside.OrgSide` for one signed-in org."""

    streams_pages = True          # changes() hands a full read over page by page

    def __init__(self, client: DataverseClient | Callable[[], DataverseClient], *,
                 org_id: str | None = None, org_name: str = "the organization",
                 page_size: int = PAGE_SIZE) -> None:
        # A callable connects on first use, so an unreachable org is found by the sync
        # (which then reports what is queued) rather than before it.
        self._client = client if isinstance(client, DataverseClient) else None
        self._connect = None if isinstance(client, DataverseClient) else client
        self.page_size = page_size
        self.org_name = org_name
        self._org_id = org_id
        self._user: OrgUser | None = None
        self._where: dict[str, str] = {}        # record id -> entity set (calendar)
        self._settings: SyncSettings | None = None
        self._labels: dict[str, dict[str, str]] = {}     # entity -> column display names
        # True while an ``on_rows`` callback of changes() runs and the next page is already
        # being fetched (the caller may then do work that would otherwise wait for the end)
        self.next_page_on_its_way = False

    # -- plumbing --------------------------------------------------------------------------
    @property
    def client(self) -> DataverseClient:
        if self._client is None:
            assert self._connect is not None
            try:
                self._client = self._connect()
            except WizardError as exc:
                if _is_network(exc):
                    raise OrgUnreachable(org=self.org_name, details=str(exc)) from exc
                raise
        return self._client

    def _call(self, method: str, path: str, **kw: Any) -> requests.Response:
        try:
            return self.client.request(method, path, **kw)
        except WizardError as exc:
            if _is_network(exc):
                raise OrgUnreachable(org=self.org_name, details=str(exc)) from exc
            raise

    def _json(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        data: dict[str, Any] = jsoncodec.loads(self._call(method, path, **kw).content)  # an object
        return data

    @property
    def org_id(self) -> str:
        if self._org_id is None:
            self.whoami()
        assert self._org_id is not None
        return self._org_id

    # -- who and what ----------------------------------------------------------------------
    def whoami(self) -> OrgUser:
        if self._user is None:
            data = self._json("GET", "WhoAmI")
            self._org_id = self._org_id or data.get("OrganizationId")
            self._user = OrgUser(str(data["UserId"]).lower())
        return self._user

    # -- one round trip for what every run reads first ------------------------------------
    def _get_many(self, paths: dict[str, str]) -> dict[str, tuple[int, Any]]:
        """GET several paths in one ``$batch`` (no change sets: reads only)."""
        boundary = f"batch_{uuid.uuid4()}"
        parts = []
        for cid, path in paths.items():
            parts.append(
                f"--{boundary}\r\nContent-Type: application/http\r\n"
                f"Content-Transfer-Encoding: binary\r\nContent-ID: {cid}\r\n\r\n"
                f"GET {self.client.url(path)} HTTP/1.1\r\nAccept: application/json\r\n"
                f"Prefer: odata.maxpagesize={self.page_size},{ANNOTATIONS}\r\n\r\n")
        data = "".join(parts) + f"--{boundary}--\r\n"
        response = self._call("POST", "$batch", data=data.encode("utf-8"), headers={
            "Content-Type": f"multipart/mixed; boundary={boundary}",
            "Prefer": "odata.continue-on-error"})
        return parse_batch_response(response.headers.get("Content-Type", ""), response.content)

    def prefetch(self) -> None:
        """Read the user, privileges, settings, field mappings and filters in two requests."""
        self._prefetched = {}
        me = self.whoami().user_id
        cols = ",".join(SyncSettings.COLUMNS.values())
        select = "name,returnedtypecode,querytype,fetchxml,statecode"
        paths = {
            "privileges": f"systemusers({me})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges",
            "settings": f"organizations({self.org_id})?$select={cols}",
            "mappings": "syncattributemappings?$select=attributecrmname,attributeexchangename,"
                        "entitytypecode,syncdirection,defaultsyncdirection,allowedsyncdirection",
            "userqueries": f"userqueries?$select={select}&$filter=_ownerid_value eq {me} and "
                           "(querytype eq 256 or querytype eq 16)",
            "savedqueries": f"savedqueries?$select={select}&$filter=querytype eq 256",
        }
        try:
            answers = self._get_many({k: v.replace(" ", "%20") for k, v in paths.items()})
        except DataverseError:
            return                          # each piece is read on its own instead
        for key, (status, body) in answers.items():
            if status == 200 and isinstance(body, dict) and "@odata.nextLink" not in body:
                self._prefetched[key] = body

    def _take(self, key: str) -> Any:
        return getattr(self, "_prefetched", {}).pop(key, None)

    def changes_many(self, tokens: dict[str, str]) -> dict[str, ChangeBatch]:
        """Incremental deltas of several kinds in one ``$batch``; a kind whose answer is
        paged or refused is left out (the caller then reads it on its own)."""
        paths: dict[str, str] = {}
        # a token that follows attachments is read on its own (see changes())
        tokens = {k: t for k, t in tokens.items() if ATTACHMENTS not in json.loads(t)}
        for kind, token in tokens.items():
            for entity_set, link in json.loads(token).items():
                if link:
                    paths[f"{kind}|{entity_set}"] = link
        try:
            answers = self._get_many(paths)
        except DataverseError:
            return {}
        out: dict[str, ChangeBatch] = {}
        for kind, token in tokens.items():
            rows: list[OrgRecord] = []
            deleted: list[str] = []
            links: dict[str, str | None] = {}
            ok = True
            for entity_set, link in json.loads(token).items():
                status, body = answers.get(f"{kind}|{entity_set}", (0, None))
                if status != 200 or not isinstance(body, dict) or "@odata.nextLink" in body:
                    ok = False
                    break
                for row in body.get("value", []):
                    if "$deletedEntity" in str(row.get("@odata.context", "")) or \
                            row.get("reason") == "deleted":
                        deleted.append(str(row.get("id")).lower())
                    else:
                        rec = self._record(entity_set, row)
                        if rec is not None:
                            rows.append(rec)
                links[entity_set] = body.get("@odata.deltaLink", link)
            if not ok:
                continue
            if kind == "appointment" and self._settings and \
                    self._settings.appointment_attachments:
                for rec in rows:
                    if self._where.get(rec.id) == "appointments":
                        rec.data["attachments"] = self._attachments(rec.id)
            out[kind] = ChangeBatch(rows, deleted, json.dumps(links, sort_keys=True), False)
        return out

    def has_sync_privilege(self) -> bool:
        body = self._take("privileges")
        if body is not None:
            return any(str(p.get("PrivilegeName", "")).lower() == SYNC_TO_OUTLOOK.lower()
                       for p in body.get("RolePrivileges", []))
        user = self.whoami()
        data = self._json("GET", f"systemusers({user.user_id})/"
                                 "Microsoft.Dynamics.CRM.RetrieveUserPrivileges")
        return any(str(p.get("PrivilegeName", "")).lower() == SYNC_TO_OUTLOOK.lower()
                   for p in data.get("RolePrivileges", []))

    def settings(self) -> SyncSettings:
        cols = ",".join(SyncSettings.COLUMNS.values())
        row = self._take("settings") or self._json("GET", f"organizations({self.org_id})",
                                                   params={"$select": cols})
        self._settings = SyncSettings.from_org_row(row)
        return self._settings

    def update_settings(self, **changes: bool) -> SyncSettings:
        body = {SyncSettings.COLUMNS[k]: bool(v) for k, v in changes.items()}
        self._call("PATCH", f"organizations({self.org_id})", json=body,
                   headers={"If-Match": "*"})
        return self.settings()

    def attribute_mappings(self) -> list[dict[str, Any]]:
        rows = []
        body = self._take("mappings")
        if body is not None:
            return [{k: v for k, v in r.items() if not k.startswith("@")}
                    for r in body.get("value", [])]
        for row in self._pages("syncattributemappings", {
                "$select": "attributecrmname,attributeexchangename,entitytypecode,syncdirection,"
                           "defaultsyncdirection,allowedsyncdirection"}):
            rows.append({k: v for k, v in row.items() if not k.startswith("@")})
        return rows

    def attribute_labels(self, entity: str) -> dict[str, str]:
        """``entity``'s column display names ({logical name: label}) from the org's metadata,
        in the user's language as the org words them (``UserLocalizedLabel``); read once."""
        if entity not in self._labels:
            body = self._json("GET", f"EntityDefinitions(LogicalName='{entity}')/Attributes",
                              params={"$select": "LogicalName,DisplayName"})
            found: dict[str, str] = {}
            for row in body.get("value", []):
                label = ((row.get("DisplayName") or {}).get("UserLocalizedLabel") or {}).get("Label")
                if row.get("LogicalName") and label:
                    found[str(row["LogicalName"])] = str(label)
            self._labels[entity] = found
        return self._labels[entity]

    def filters(self) -> list[flt.SyncFilter]:
        me = self.whoami().user_id
        out: list[flt.SyncFilter] = []
        select = "name,returnedtypecode,querytype,fetchxml,statecode"
        mine, system = self._take("userqueries"), self._take("savedqueries")
        if mine is not None and system is not None:
            for scope, body in (("user", mine), ("system", system)):
                for row in body.get("value", []):
                    f = flt.from_userquery(row, scope=scope)
                    if f is not None:
                        out.append(f)
            return out
        for row in self._pages("userqueries", {
                "$select": select,
                "$filter": f"_ownerid_value eq {me} and (querytype eq 256 or querytype eq 16)"}):
            f = flt.from_userquery(row, scope="user")
            if f is not None:
                out.append(f)
        for row in self._pages("savedqueries", {"$select": select,
                                                "$filter": "querytype eq 256"}):
            f = flt.from_userquery(row, scope="system")
            if f is not None:
                out.append(f)
        return out

    # -- reading ---------------------------------------------------------------------------
    def _pages(self, path: str, params: Mapping[str, str] | None = None,
               headers: Mapping[str, str] | None = None) -> Iterator[dict[str, Any]]:
        url: str | None = path
        first = True
        hdrs = {"Prefer": f"odata.maxpagesize={self.page_size}", **(headers or {})}
        while url:
            page = self._json("GET", url, params=params if first else None, headers=hdrs)
            first = False
            yield from page.get("value", [])
            url = page.get("@odata.nextLink")

    def _select(self, entity_set: str, columns: list[str] | None) -> str | None:
        if columns is None:
            return None
        cols = list(ALWAYS.get(entity_set, []))
        for c in columns:
            if c in VIRTUAL:
                continue
            if entity_set == "recurringappointmentmasters":
                c = MASTER_COLUMNS.get(c, c)
            if entity_set in LIMITED_COLUMNS and c not in LIMITED_COLUMNS[entity_set]:
                continue
            if c in LOOKUPS:
                c = f"_{c}_value"
            if c not in cols:
                cols.append(c)
        return ",".join(cols)

    def _delta(self, entity_set: str, link: str | None, columns: list[str] | None,
               on_page: Callable[[list[dict[str, Any]]], None] | None = None
               ) -> tuple[list[dict[str, Any]], list[str], str | None]:
        """Rows, deleted ids and the new delta link of one entity set (the rows only
        without ``on_page``, which gets them page by page instead).

        Paging is pipelined: while ``on_page`` works on one page (or the rows of one page
        are sorted out), a single helper thread already asks for the next one, so the
        caller's work overlaps the org's. Requests still go out one at a time and in the
        same order; the helper is always joined before this returns or raises.
        """
        rows: list[dict[str, Any]] = []
        deleted: list[str] = []
        select = self._select(entity_set, columns)
        params = None if link else ({"$select": select} if select else None)
        headers = {"Prefer": f"odata.track-changes,odata.maxpagesize={self.page_size}"
                             + (f",{ANNOTATIONS}" if entity_set in ACTIVITY_OF_SET else "")}

        def get(url: str, params: Mapping[str, str] | None) -> dict[str, Any]:
            try:
                return self._json("GET", url, params=params, headers=headers)
            except DataverseError as exc:
                if exc.error_code == EXPIRED_VERSION_STAMP:
                    raise DeltaTokenExpired(details=str(exc)) from exc
                raise

        delta_link = None
        page: dict[str, Any] | None = get(link or entity_set, params)
        helper: ThreadPoolExecutor | None = None
        try:
            while page is not None:
                url = page.get("@odata.nextLink")
                following: Future[dict[str, Any]] | None = None
                if url:
                    if helper is None:
                        helper = ThreadPoolExecutor(1, thread_name_prefix="sync-page")
                    following = helper.submit(get, url, None)
                try:
                    fresh = []
                    for row in page.get("value", []):
                        if ("@odata.context" in row or "reason" in row) and (
                                "$deletedEntity" in str(row.get("@odata.context", ""))
                                or row.get("reason") == "deleted"):
                            deleted.append(str(row.get("id")).lower())
                        else:
                            fresh.append(row)
                    if on_page is None:       # else the caller keeps what it needs
                        rows += fresh
                    delta_link = page.get("@odata.deltaLink", delta_link)
                    if on_page is not None and fresh:
                        self.next_page_on_its_way = following is not None
                        try:
                            on_page(fresh)
                        finally:
                            self.next_page_on_its_way = False
                except BaseException:
                    if following is not None:
                        following.cancel()
                        wait([following])
                    raise
                page = following.result() if following is not None else None
        finally:
            if helper is not None:
                helper.shutdown(wait=True)
        return rows, deleted, delta_link

    def _record(self, entity_set: str, row: dict[str, Any]) -> OrgRecord | None:
        rid = str(row.get(_pk(entity_set))).lower()
        etag = row.pop("@odata.etag", "")
        data = row                     # decoded JSON we own: no copy (20,000 rows per read)
        for k in [k for k in row if k[0] == "@"] if "@odata.context" in row else ():
            del row[k]
        if entity_set == "appointments" and data.get("instancetypecode") == 2:
            return None                      # an occurrence: the series stands for it
        for column in _TIME_COLUMNS:         # Dataverse answers UTC; another server may not
            value = data.get(column)
            if isinstance(value, str) and value[-1:] != "Z" and len(value) > 10:
                data[column] = utc_text(value) or value
        if entity_set == "recurringappointmentmasters":
            data["scheduledstart"] = data.get("starttime")
            data["scheduledend"] = data.get("endtime")
            data["recurrencepattern"] = rrule_of(data)
        if entity_set == "serviceappointments":
            data["activitytypecode"] = "serviceappointment"
        _regarding_of(data, entity_set in ACTIVITY_OF_SET)
        if entity_set in _SHARED_KIND:       # the others are their kind's only entity set
            self._where[rid] = entity_set
        return OrgRecord(rid, etag, data)

    def changes(self, kind: str, token: str | None, columns: list[str] | None = None,
                on_rows: OnRows | None = None) -> ChangeBatch:
        """Changed rows since ``token`` (everything without one). ``on_rows`` sees the
        records page by page as they arrive (before this returns), so the caller can work
        on them while the next page is on its way."""
        sets = ENTITY_SETS[kind]
        links = json.loads(token) if token else {}
        full = not token
        rows: list[OrgRecord] = []
        deleted: list[str] = []
        new_links: dict[str, str | None] = {}
        # Appointment attachments are read after the rows, so those pages are handed
        # over only once they are complete.
        later = kind == "appointment" and bool(self._settings and
                                               self._settings.appointment_attachments)
        for entity_set in sets:
            def records(page: list[dict[str, Any]], entity_set: str = entity_set) -> None:
                recs = [rec for rec in map(lambda r: self._record(entity_set, r), page)
                        if rec is not None]
                if on_rows is not None and not later and recs:
                    kept = on_rows(recs)
                    rows.extend(recs if kept is None else kept)
                else:
                    rows.extend(recs)

            _, gone, link = self._delta(entity_set, links.get(entity_set), columns, records)
            deleted += gone
            new_links[entity_set] = link
        owners: dict[str, str] = {}
        if later:
            owners, touched, link = self._attachment_changes(links)
            new_links[ATTACHMENTS] = link
            read_again = touched - {rec.id for rec in rows} - set(deleted)
            for rec in rows:
                if self._where.get(rec.id) == "appointments":
                    rec.data["attachments"] = self._attachments(rec.id)
            for appointment_id in sorted(read_again):
                again = self.get(kind, appointment_id)      # reads its attachments too
                if again is not None:
                    rows.append(again)
            if on_rows is not None and rows:
                kept = on_rows(rows)
                if kept is not None:
                    rows = kept
        token_links: dict[str, Any] = dict(new_links)
        if later:
            token_links[ATTACHMENT_OWNERS] = owners
        return ChangeBatch(rows, deleted, json.dumps(token_links, sort_keys=True), full)

    def _attachment_changes(self, links: Mapping[str, Any]
                            ) -> tuple[dict[str, str], set[str], str | None]:
        """Appointment attachments changed since the token: (attachment id -> appointment id
        for every appointment attachment, the appointments whose attachments changed, the
        new delta link). Without a link (a full read) every appointment is read anyway."""
        link = links.get(ATTACHMENTS)
        owners = dict(links.get(ATTACHMENT_OWNERS) or {}) if link else {}
        raw, gone, new_link = self._delta(ATTACHMENTS, link, [])
        touched: set[str] = set()
        for row in raw:
            attachment_id = str(row.get("activitymimeattachmentid") or "").lower()
            appointment_id = str(row.get("_objectid_value") or "").lower()
            if row.get("objecttypecode") == "appointment" and attachment_id and appointment_id:
                owners[attachment_id] = appointment_id
                touched.add(appointment_id)
        for attachment_id in gone:
            appointment_id = owners.pop(attachment_id, None)
            if appointment_id:
                touched.add(appointment_id)
        return owners, (touched if link else set()), new_link

    def get(self, kind: str, record_id: str) -> OrgRecord | None:
        sets = ENTITY_SETS[kind]
        known = self._where.get(record_id.lower())
        for entity_set in ([known] if known else []) + [s for s in sets if s != known]:
            try:
                row = self._json("GET", f"{entity_set}({record_id})",
                                 headers={"Prefer": ANNOTATIONS})
            except DataverseError as exc:
                if exc.status == 404:
                    continue
                raise
            rec = self._record(entity_set, row)
            if rec is not None and kind == "appointment" and self._settings and \
                    self._settings.appointment_attachments and entity_set == "appointments":
                rec.data["attachments"] = self._attachments(rec.id)
            return rec
        return None

    def _attachments(self, appointment_id: str) -> list[dict[str, str]] | None:
        out = []
        for row in self._pages("activitymimeattachments", {
                "$select": "filename,mimetype,body",
                "$filter": f"_objectid_value eq {appointment_id}"}):
            out.append({"name": row.get("filename") or "attachment",
                        "content_type": row.get("mimetype") or "application/octet-stream",
                        "data": row.get("body") or ""})
        return sorted(out, key=lambda a: a["name"]) or None

    def _write_attachments(self, appointment_id: str, wanted: list[dict[str, str]] | None) -> None:
        existing: dict[str | None, dict[str, Any]] = {}
        for row in self._pages("activitymimeattachments", {
                "$select": "filename,mimetype,body",
                "$filter": f"_objectid_value eq {appointment_id}"}):
            existing[row.get("filename")] = row
        wanted_by_name: dict[str | None, dict[str, str]] = {a["name"]: a for a in wanted or ()}
        for name, row in existing.items():
            w = wanted_by_name.get(name)
            if w is None or w.get("data") != row.get("body"):
                self._call("DELETE", f"activitymimeattachments({row['activitymimeattachmentid']})")
        for name, a in wanted_by_name.items():
            have = existing.get(name)
            if have is None or a.get("data") != have.get("body"):
                self._call("POST", "activitymimeattachments", json={
                    "filename": name, "subject": name,
                    "mimetype": a.get("content_type") or "application/octet-stream",
                    "body": a.get("data", ""), "objecttypecode": "appointment",
                    "objectid_appointment@odata.bind": f"/appointments({appointment_id})"})

    # -- writing ---------------------------------------------------------------------------
    def write(self, writes: list[OrgWrite]) -> list[WriteResult]:
        results: list[WriteResult] = []
        for start in range(0, len(writes), MAX_BATCH):
            results += self._batch(writes[start:start + MAX_BATCH])
        return results

    def _request_of(self, w: OrgWrite) -> tuple[str, str, dict[str, str], dict[str, Any] | None,
                                                list[dict[str, str]] | None]:
        entity_set = self._where.get(w.record_id.lower()) or ENTITY_SETS[w.kind][0]
        body = dict(w.data or {})
        attachments = body.pop("attachments", None) if "attachments" in body else None
        for v in VIRTUAL:
            body.pop(v, None)
        if entity_set == "recurringappointmentmasters":
            body = {MASTER_COLUMNS.get(k, k): v for k, v in body.items()}
        if entity_set in LIMITED_COLUMNS:
            body = {k: v for k, v in body.items() if k in LIMITED_COLUMNS[entity_set]}
        if "regardingobjectid" in body:
            body.update(regarding_bind(ACTIVITY_OF_SET.get(entity_set, w.kind),
                                       body.pop("regardingobjectid"),
                                       was=(w.current or {}).get("regardingobjectid")))
        headers = {"Prefer": f"return=representation,{ANNOTATIONS}"}
        if w.op == "create":
            headers["If-None-Match"] = "*"
            return "PATCH", f"{entity_set}({w.record_id})", headers, body, attachments
        if w.if_match:
            headers["If-Match"] = w.if_match
        if w.op == "delete":
            return "DELETE", f"{entity_set}({w.record_id})", headers, None, None
        if not w.if_match:
            headers["If-Match"] = "*"
        return "PATCH", f"{entity_set}({w.record_id})", headers, body, attachments

    def _batch(self, writes: list[OrgWrite]) -> list[WriteResult]:
        boundary = f"batch_{uuid.uuid4()}"
        parts: list[str] = []
        pending_attachments: dict[int, list[dict[str, str]] | None] = {}
        for n, w in enumerate(writes, 1):
            method, path, headers, body, attachments = self._request_of(w)
            if "attachments" in (w.data or {}):
                pending_attachments[n] = attachments
            cs = f"changeset_{uuid.uuid4()}"
            lines = [f"{method} {self.client.url(path)} HTTP/1.1"]
            lines += [f"{k}: {v}" for k, v in headers.items()]
            payload = ""
            if body is not None:
                lines.append("Content-Type: application/json; type=entry")
                payload = json.dumps(body)
            parts.append(
                f"--{boundary}\r\nContent-Type: multipart/mixed; boundary={cs}\r\n\r\n"
                f"--{cs}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary"
                f"\r\nContent-ID: {n}\r\n\r\n" + "\r\n".join(lines) + "\r\n\r\n" + payload +
                f"\r\n--{cs}--\r\n")
        data = "".join(parts) + f"--{boundary}--\r\n"
        response = self._call("POST", "$batch", data=data.encode("utf-8"), headers={
            "Content-Type": f"multipart/mixed; boundary={boundary}",
            "Prefer": "odata.continue-on-error"})
        answers = parse_batch_response(response.headers.get("Content-Type", ""),
                                       response.content)
        results = []
        for n, w in enumerate(writes, 1):
            status, body = answers.get(str(n), (500, None))
            if status == 429 or status in UNREACHABLE_STATUS:
                raise OrgBusy(org=self.org_name)
            record = None
            if 200 <= status < 300 and isinstance(body, dict) and w.op != "delete":
                entity_set = self._where.get(w.record_id.lower()) or ENTITY_SETS[w.kind][0]
                record = self._record(entity_set, body)
                if n in pending_attachments and entity_set == "appointments":
                    self._write_attachments(w.record_id, pending_attachments[n])
                    fresh = self.get(w.kind, w.record_id)
                    record = fresh or record
            if 200 <= status < 300 and record is None and w.op != "delete":
                record = self.get(w.kind, w.record_id)
            error = None
            if status >= 300 and isinstance(body, dict):
                error = str(body.get("error", {}).get("message", ""))
            results.append(WriteResult(status, record, error))
        return results

    # -- Set Regarding ------------------------------------------------------------------------
    def readable_tables(self) -> set[str]:
        """The tables (lower-case schema names, e.g. ``account``) the user's security roles
        may read: ``prvRead<Table>`` in RetrieveUserPrivileges. An org lists privileges only
        for tables it has, so this also says which tables exist."""
        me = self.whoami().user_id
        body = getattr(self, "_prefetched", {}).get("privileges") or self._json(
            "GET", f"systemusers({me})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges")
        out = set()
        for p in body.get("RolePrivileges", []):
            name = str(p.get("PrivilegeName", ""))
            if name.startswith("prvRead"):
                out.add(name[len("prvRead"):].lower())
        return out

    def search_records(self, entity_set: str, key: str, name_column: str, text: str,
                       top: int) -> list[tuple[str, str]] | None:
        """``(id, name)`` of up to ``top`` rows whose name contains ``text``; None when the
        org refuses (403: the role cannot read the table; 404: no such table)."""
        quoted = text.replace("'", "''")
        try:
            page = self._json("GET", entity_set, params={
                "$select": f"{key},{name_column}", "$top": str(top),
                "$filter": f"contains({name_column},'{quoted}')",
                "$orderby": name_column})
        except DataverseError as exc:
            if exc.status in (403, 404):
                return None
            raise
        return [(str(r.get(key, "")).lower(), str(r.get(name_column) or ""))
                for r in page.get("value", []) if r.get(key)]

    def record_name(self, entity_set: str, key: str, name_column: str,
                    record_id: str) -> str | None:
        """One record's name (for display only), or None when it is gone or unreadable."""
        try:
            row = self._json("GET", f"{entity_set}({record_id})",
                             params={"$select": f"{key},{name_column}"})
        except DataverseError as exc:
            if exc.status in (403, 404):
                return None
            raise
        value = row.get(name_column)
        return str(value) if value is not None else None

    def email_matches(self, sender: str, recipients: list[str], subject: str) -> bool:
        addresses = [a for a in [sender, *recipients] if a and "@" in a][:20]
        if not addresses:
            return False
        clause = " or ".join(f"emailaddress1 eq '{a.replace(chr(39), chr(39) * 2)}'"
                             for a in addresses)
        page = self._json("GET", "contacts", params={"$select": "contactid", "$filter": clause,
                                                     "$top": "1"})
        return bool(page.get("value"))


def _regarding_of(data: dict[str, Any], activity: bool = True) -> None:
    """``regardingobjectid`` as ``TYPE:ID`` from the lookup and its table annotation; the
    lookups' annotations leave the row (nothing else of the record is kept)."""
    logical = None
    for key in _LOOKUP_ANNOTATIONS:
        value = data.pop(key, None)
        if key.startswith("_regardingobjectid_value@"):
            logical = value
    if not activity:
        return
    record_id = data.get("_regardingobjectid_value")
    if record_id and isinstance(logical, str) and logical in REGARDING_SETS:
        data["regardingobjectid"] = f"{logical}:{str(record_id).lower()}"
    elif "_regardingobjectid_value" in data:
        # empty, or a record of a table Set Regarding does not offer (a queue, a custom
        # table): the mailbox shows no regarding record and never sends one back
        data["regardingobjectid"] = None


def regarding_bind(activity: str, value: Any, was: Any = None) -> dict[str, Any]:
    """The ``@odata.bind`` body entry that sets (or, for None, clears) an activity's
    regarding record: ``regardingobjectid_<table>_<activity>``, as Dataverse names it.

    Microsoft documents disassociating as setting the single-valued navigation property to
    null ("Associate and disassociate table rows using the Web API"); a polymorphic lookup
    has one such property per table, so a clear names the table the org's record points to
    now (``was``, ``TYPE:ID``) and only falls back to the contact one when that is unknown.
    """
    from wizard.engine.itemtypes import parse_regarding

    parsed = parse_regarding(value) if isinstance(value, str) else None
    if parsed is None:
        previous = parse_regarding(was) if isinstance(was, str) else None
        table = previous[0] if previous is not None else "contact"
        return {f"regardingobjectid_{table}_{activity}@odata.bind": None}
    table, record_id = parsed
    return {f"regardingobjectid_{table}_{activity}@odata.bind":
            f"/{REGARDING_SETS[table]}({record_id})"}


_STATUS_LINE = re.compile(r"HTTP/1\.[01] (\d{3})")


def parse_batch_response(content_type: str, body: bytes) -> dict[str, tuple[int, Any]]:
    """Content-ID -> (status, JSON body) of every answer in a ``$batch`` response."""
    message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    out: dict[str, tuple[int, Any]] = {}

    def walk(part: Any) -> None:
        if part.is_multipart():
            for p in part.get_payload():
                walk(p)
            return
        payload = part.get_payload(decode=True) or b""
        text = payload.decode("utf-8", "replace").replace("\r\n", "\n")
        m = _STATUS_LINE.search(text)
        if not m:
            return
        _, _, resp_body = text[m.start():].partition("\n\n")
        parsed: Any = None
        resp_body = resp_body.strip()
        if resp_body:
            try:
                parsed = json.loads(resp_body)
            except ValueError:
                parsed = None
        cid = (part.get("Content-ID") or "").strip()
        out[cid or str(len(out) + 1)] = (int(m.group(1)), parsed)

    walk(message)
    return out


WEEKDAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")   # daysofweekmask bit 0 = Sunday


def rrule_of(master: Mapping[str, Any]) -> str | None:
    """An RFC 5545 RRULE for a ``recurringappointmentmaster`` row's pattern."""
    frequencies: dict[int | None, str] = {0: "DAILY", 1: "WEEKLY", 2: "MONTHLY", 3: "YEARLY"}
    freq = frequencies.get(master.get("recurrencepatterntype"))
    if freq is None:
        return None
    parts = [f"FREQ={freq}"]
    if master.get("interval") and int(master["interval"]) > 1:
        parts.append(f"INTERVAL={int(master['interval'])}")
    mask = int(master.get("daysofweekmask") or 0)
    if freq == "WEEKLY" and mask:
        parts.append("BYDAY=" + ",".join(d for i, d in enumerate(WEEKDAYS) if mask & (1 << i)))
    if master.get("occurrences") and master.get("patternendtype") in (2, None):
        parts.append(f"COUNT={int(master['occurrences'])}")
    elif master.get("patternenddate"):
        end = str(master["patternenddate"]).replace("-", "").replace(":", "")
        parts.append(f"UNTIL={end[:15]}Z" if "T" in end else f"UNTIL={end[:8]}")
    return ";".join(parts)
