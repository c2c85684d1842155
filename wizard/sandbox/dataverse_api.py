"""The sandbox's Dataverse Web API v9.2 for one org, as a WSGI app (werkzeug).

`create_webapi_app(org, store, base_url)` serves `<base_url>/api/data/v9.2/...`. The sandbox core
mounts it (for on-premises orgs under a path prefix via SCRIPT_NAME), authenticates the caller
and puts the `seed.User` into `environ["sandbox.user"]`; without one this app answers 401.

What it speaks, and where it follows Microsoft's documentation, is described in
wizard/sandbox/README.md ("The sandbox's Web API").
"""

from __future__ import annotations

import base64
import binascii
import datetime
import email.message
import email.parser
import email.policy
import json
import logging
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote, unquote, urlencode, urlsplit

from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from wizard.sandbox import fetchxml, odata, seed
from wizard.sandbox.exchange import SERVICE_COLUMNS
from wizard.sandbox.odata import ODataError
from wizard.sandbox.org_auth import ORG_DISABLED_CODE, ORG_DISABLED_MESSAGE
from wizard.sandbox.sandbox_error import SandboxError
from wizard.sandbox.store import (
    ENTITIES,
    ENTITY_SETS,
    FILTER_TYPE_OF_TEMPLATE,
    GUID_RE,
    OFFLINE_FILTER,
    OUTLOOK_FILTER,
    PAYLOAD_ERROR,
    REGARDING_TARGETS,
    DataStore,
    EntityInfo,
    StoreError,
    deterministic_id,
    etag_of,
    not_found,
)

_log = logging.getLogger(__name__)

API_PREFIX = "/api/data/v9.2/"
JSON_TYPE = "application/json; odata.metadata=minimal"
MAX_PAGE_SIZE = 5000
MAX_BATCH_REQUESTS = 1000
COUNT_LIMIT = 5000

PRIVILEGE_DENIED = "0x80040220"
USER_DISABLED = "0x80040225"            # inferred code; message as Dataverse writes it
USER_NOT_MEMBER = "0x80072560"          # inferred
RESOURCE_NOT_FOUND = "0x8006088a"
UNKNOWN_PROPERTY = odata.UNKNOWN_PROPERTY_CODE
UNSPECIFIED = "0x80040216"
QUERY_ERROR = odata.SYNTAX_ERROR_CODE

_READ_ONLY = frozenset(("createdon", "modifiedon", "versionnumber"))
_SUPPORTED_OPTIONS = frozenset(("$select", "$filter", "$orderby", "$top", "$count", "$expand",
                                "$skiptoken", "$deltatoken"))


def _view_column(info: EntityInfo, name: str) -> str:
    """A FetchXML attribute name as the Web API column (lookups become _<name>_value)."""
    if name in info.lookups:
        return f"_{name}_value"
    if name not in info.all_columns:
        raise ODataError(f"'{info.logical_name}' entity doesn't contain attribute with "
                         f"Name = '{name}'.", code="0x80041103")
    return name
_KEY_RE = re.compile(r"^(?P<set>[A-Za-z_][A-Za-z0-9_]*)(?:\((?P<key>[^()]*)\))?"
                     r"(?:/(?P<rest>.*))?$")


class WebApiError(SandboxError):
    def __init__(self, status: int, code: str, message: str,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})


def _error_response(status: int, code: str, message: str,
                    headers: Mapping[str, str] | None = None) -> Response:
    resp = _json_response({"error": {"code": code, "message": message}}, status)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def _json_response(payload: Any, status: int = 200) -> Response:
    resp = Response(json.dumps(payload, ensure_ascii=False), status=status)
    resp.headers["Content-Type"] = JSON_TYPE
    resp.headers["OData-Version"] = "4.0"
    return resp


def _empty(status: int = 204) -> Response:
    resp = Response(status=status)
    resp.headers["OData-Version"] = "4.0"
    del resp.headers["Content-Type"]
    return resp


@dataclass
class Prefer:
    max_page_size: int | None = None
    track_changes: bool = False
    return_representation: bool = False
    annotations: str | None = None
    continue_on_error: bool = False

    @classmethod
    def parse(cls, header: str | None) -> "Prefer":
        out = cls()
        for part in (header or "").split(","):
            item = part.strip()
            name, _, value = item.partition("=")
            name = name.strip().lower()
            value = value.strip().strip('"')
            if name == "odata.maxpagesize":
                try:
                    out.max_page_size = int(value)
                except ValueError:
                    raise WebApiError(400, "0x80060888",
                                    f"Invalid Prefer header value '{item}'.") from None
            elif name == "odata.track-changes":
                out.track_changes = True
            elif name == "return" and value == "representation":
                out.return_representation = True
            elif name == "odata.include-annotations":
                out.annotations = value
            elif name == "odata.continue-on-error":
                out.continue_on_error = True
        return out

    def wants(self, annotation: str) -> bool:
        """Whether ``odata.include-annotations`` asks for this annotation: ``*``, its exact
        name, or a namespace wildcard (``Microsoft.Dynamics.CRM.*``); ``-`` excludes."""
        for pattern in (self.annotations or "").split(" "):
            pattern = pattern.strip()
            if pattern == "*" or pattern == annotation or (
                    pattern.endswith(".*") and annotation.startswith(pattern[:-1])):
                return True
        return False


def create_webapi_app(org: seed.Org, store: DataStore, base_url: str) -> "WebApiApp":
    return WebApiApp(org, store, base_url)


class WebApiApp:
    """One org's `/api/data/v9.2/` (see module docstring)."""

    def __init__(self, org: seed.Org, store: DataStore, base_url: str) -> None:
        self.org = org
        self.store = store
        self.base_url = base_url.rstrip("/")
        self.api_root = self.base_url + API_PREFIX
        self.business_unit_id = store_bu_id(org)

    # ------------------------------------------------------------------ WSGI

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self.dispatch(request)
        response.headers.setdefault("x-ms-service-request-id", str(uuid.uuid4()))
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        try:
            return self._dispatch(request)
        except WebApiError as e:
            return _error_response(e.status, e.code, e.message, e.headers)
        except (ODataError, StoreError) as e:
            return _error_response(e.status, e.code, e.message)
        except Exception:       # a sandbox bug: answer like the service would, keep the trace
            _log.exception("Web API request failed: %s %s", request.method, request.path)
            return _error_response(500, UNSPECIFIED, "An unexpected error occurred.")

    def _dispatch(self, request: Request) -> Response:
        path = request.path
        if not path.startswith(API_PREFIX):
            if path.rstrip("/") == API_PREFIX.rstrip("/"):
                path = API_PREFIX
            else:
                raise WebApiError(404, "", "No HTTP resource was found that matches the request "
                                         f"URI '{request.url}'.")
        user = self._authorize(request)
        rest = path[len(API_PREFIX):]
        method = request.method.upper()
        if rest in ("", "/"):
            return self._service_document()
        if rest == "$metadata":
            return self._metadata()
        if rest == "$batch":
            if method != "POST":
                raise _no_resource(request)
            return self._batch(request, user)
        name = rest.split("(", 1)[0].split("/", 1)[0]
        if name in ("WhoAmI", "RetrieveVersion", "RetrieveCurrentOrganization",
                    "RetrieveUserPrivileges"):
            if method != "GET":
                raise _no_resource(request)
            return self._function(name, rest, request, user)
        if name == "ResetUserFilters":
            if method != "POST":
                raise _no_resource(request)
            return self._reset_user_filters(request, user)
        if name == "EntityDefinitions":
            if method != "GET":
                raise WebApiError(405, "0x80060888", "The sandbox's metadata is read-only.")
            return self._entity_definitions(rest, request)
        return self._entity_set(rest, request, user)

    # ------------------------------------------------------------------ auth

    def _authorize(self, request: Request) -> seed.User:
        user = request.environ.get("sandbox.user")
        if not isinstance(user, seed.User):
            raise WebApiError(401, "", "The user is not authenticated. Sign in and send the "
                                     "access token as 'Authorization: Bearer <token>'.")
        if not seed.is_member(user, self.org):
            raise WebApiError(403, USER_NOT_MEMBER,
                            f"The user {user.upn} is not a member of the organization "
                            f"{self.org.unique_name}.")
        if user.disabled:
            raise WebApiError(403, USER_DISABLED,
                            f"The user with SystemUserId={user.systemuser_id} in "
                            f"OrganizationContext={self.org.org_id} is disabled. Disabled users "
                            "cannot access the system. Consider enabling this user. Also, users "
                            "are disabled if they don't have a license assigned to them.")
        if self.org.state != 0:
            raise WebApiError(403, ORG_DISABLED_CODE, ORG_DISABLED_MESSAGE)
        return user

    # ------------------------------------------------------------------ documents

    def _service_document(self) -> Response:
        value = [{"name": e.entity_set, "kind": "EntitySet", "url": e.entity_set}
                 for e in ENTITIES.values()]
        value.append({"name": "EntityDefinitions", "kind": "EntitySet",
                      "url": "EntityDefinitions"})
        return _json_response({"@odata.context": self.api_root + "$metadata", "value": value})

    def _metadata(self) -> Response:
        types = []
        for e in ENTITIES.values():
            props = "".join(f'<Property Name="{c}" />' for c in e.all_columns)
            types.append(f'<EntityType Name="{e.logical_name}"><Key><PropertyRef '
                         f'Name="{e.primary_id}" /></Key>{props}</EntityType>')
        sets = "".join(f'<EntitySet Name="{e.entity_set}" '
                       f'EntityType="Microsoft.Dynamics.CRM.{e.logical_name}" />'
                       for e in ENTITIES.values())
        xml = ('<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" '
               'xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>'
               '<Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" '
               'xmlns="http://docs.oasis-open.org/odata/ns/edm">' + "".join(types) +
               f'<EntityContainer Name="System">{sets}</EntityContainer></Schema>'
               '</edmx:DataServices></edmx:Edmx>')
        resp = Response(xml, content_type="application/xml")
        resp.headers["OData-Version"] = "4.0"
        return resp

    # ------------------------------------------------------------------ functions

    def _context(self, fragment: str) -> str:
        return f"{self.api_root}$metadata#{fragment}"

    def _function(self, name: str, rest: str, request: Request, user: seed.User) -> Response:
        args = _function_args(rest, name, request.args)
        if name == "WhoAmI":
            return _json_response({
                "@odata.context": self._context("Microsoft.Dynamics.CRM.WhoAmIResponse"),
                "BusinessUnitId": self.business_unit_id,
                "UserId": user.systemuser_id,
                "OrganizationId": self.org.org_id,
            })
        if name == "RetrieveVersion":
            return _json_response({
                "@odata.context": self._context("Microsoft.Dynamics.CRM.RetrieveVersionResponse"),
                "Version": self.org.version,
            })
        if name == "RetrieveCurrentOrganization":
            access = args.get("AccessType")
            if access is None:
                raise WebApiError(400, "0x80040203",
                                "The parameter 'AccessType' of RetrieveCurrentOrganization is "
                                "required, e.g. (AccessType=@p1)?@p1=Microsoft.Dynamics.CRM."
                                "EndpointAccessType'Default'.")
            m = re.fullmatch(r"(?:Microsoft\.Dynamics\.CRM\.EndpointAccessType)?'(\w+)'", access)
            if m is None or m.group(1) not in ("Default", "Internet", "Intranet"):
                raise WebApiError(400, "0x80060888",
                                f"The value '{access}' is not a valid EndpointAccessType.")
            return _json_response({
                "@odata.context": self._context(
                    "Microsoft.Dynamics.CRM.RetrieveCurrentOrganizationResponse"),
                "Detail": self._organization_detail(),
            })
        # RetrieveUserPrivileges(UserId=@p1) (the bound form is routed via systemusers).
        target = args.get("UserId")
        if target is None:
            raise WebApiError(400, "0x80040203", "The parameter 'UserId' is required.")
        return self._user_privileges(target.strip("'"))

    def _organization_detail(self) -> dict[str, Any]:
        org = self.org
        service_host = self.base_url
        return {
            "OrganizationId": org.org_id,
            "FriendlyName": org.friendly_name,
            "OrganizationVersion": org.version,
            "EnvironmentId": org.environment_id,
            "DatacenterId": org.datacenter_id if org.kind == "online" else "",
            "Geo": org.geo,
            "TenantId": seed.TENANT_ID if org.kind == "online" else "",
            "UrlName": org.url_name,
            "UniqueName": org.unique_name,
            "State": "Enabled" if org.state == 0 else "Disabled",
            "Endpoints": {
                "Count": 3,
                "IsReadOnly": False,
                "Keys": ["WebApplication", "OrganizationService", "OrganizationDataService"],
                "Values": [
                    self.base_url + "/",
                    service_host + "/XRMServices/2011/Organization.svc",
                    service_host + "/XRMServices/2011/OrganizationData.svc",
                ],
            },
        }

    def _user_privileges(self, user_id: str) -> Response:
        target = self.store.find(self.org.unique_name, "systemuser", user_id)
        if target is None:
            raise not_found("systemuser", user_id)
        seed_user = next((u for u in seed.USERS if u.systemuser_id == target["systemuserid"]),
                         None)
        names = ["prvReadContact", "prvWriteContact", "prvCreateContact", "prvDeleteContact",
                 "prvReadActivity", "prvWriteActivity", "prvCreateActivity", "prvDeleteActivity",
                 "prvReadUserQuery", "prvWriteUserQuery", "prvCreateUserQuery",
                 "prvReadSavedQuery", "prvReadMailbox", "prvReadOrganization",
                 "prvReadSyncAttributeMapping"]
        unreadable = self._unreadable(seed_user)
        names += [f"{p}{ENTITIES[t].schema_name}" for t in REGARDING_TARGETS
                  if t not in unreadable for p in ("prvRead", "prvAppendTo")]
        if seed_user is not None and seed_user.sync_privilege:
            names += ["prvSyncToOutlook", "prvGoOffline", "prvUseOfficeApps",
                      "prvWriteOrganization", "prvWriteSyncAttributeMapping",
                      "prvWriteMailbox"]
        privileges = [{
            "Depth": "Global" if n.startswith(("prvRead", "prvSync", "prvGo", "prvUse"))
            else "Basic",
            "PrivilegeId": _privilege_id(n),
            "BusinessUnitId": self.business_unit_id,
            "PrivilegeName": n,
            # Documented members of the RolePrivilege complex type; no record filters here.
            "RecordFilterId": None,
            "RecordFilterUniqueName": None,
        } for n in names]
        return _json_response({
            "@odata.context": self._context(
                "Microsoft.Dynamics.CRM.RetrieveUserPrivilegesResponse"),
            "RolePrivileges": privileges,
        })

    # ------------------------------------------------------------------ EntityDefinitions

    def _entity_definitions(self, rest: str, request: Request) -> Response:
        m = re.fullmatch(r"EntityDefinitions(?:\((?P<key>[^)]*)\))?(?:/(?P<sub>.*))?", rest)
        if m is None:
            raise _not_found_segment(rest)
        key, sub = m.group("key"), m.group("sub")
        if key is None:
            if sub:
                raise _not_found_segment(sub)
            rows = [_entity_definition(e) for e in ENTITIES.values()]
            return self._metadata_collection("EntityDefinitions", rows, request)
        info = _definition_by_key(key)
        if sub is None:
            row = _entity_definition(info)
            select = request.args.get("$select")
            if select:
                names = odata.parse_select(select)
                row = {k: row[k] for k in names if k in row}
            return _json_response({"@odata.context": self._context(
                "EntityDefinitions/$entity"), **row})
        attrs = [_attribute_definition(info, c) for c in info.all_columns]
        if sub == "Attributes":
            return self._metadata_collection(
                f"EntityDefinitions('{info.metadata_id}')/Attributes", attrs, request)
        if sub == "Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata":
            picks = [a for a in attrs if a["AttributeType"] == "Picklist"]
            return _json_response({"@odata.context": self._context(
                f"EntityDefinitions('{info.metadata_id}')/Attributes/"
                "Microsoft.Dynamics.CRM.PicklistAttributeMetadata"),
                "value": [{**a, "OptionSet": {"Options": _options(a["LogicalName"])}}
                          for a in picks]})
        am = re.fullmatch(r"Attributes\(LogicalName='([^']*)'\)", sub)
        if am is not None:
            for a in attrs:
                if a["LogicalName"] == am.group(1):
                    return _json_response({"@odata.context": self._context(
                        "EntityDefinitions/Attributes/$entity"), **a})
            raise WebApiError(404, "0x80040217",
                            f"Could not find attribute '{am.group(1)}' on entity "
                            f"'{info.logical_name}'.")
        raise _not_found_segment(sub)

    def _metadata_collection(self, context: str, rows: list[dict[str, Any]],
                             request: Request) -> Response:
        flt = request.args.get("$filter")
        if flt:
            expr = odata.parse_filter(flt)
            rows = [r for r in rows if odata.evaluate(expr, r, case_sensitive=False)]
        select = request.args.get("$select")
        ctx = context
        if select:
            names = odata.parse_select(select)
            rows = [{k: r[k] for k in names if k in r} for r in rows]
            ctx = f"{context}({','.join(names)})"
        return _json_response({"@odata.context": self._context(ctx), "value": rows})

    # ------------------------------------------------------------------ entity sets

    def _entity_set(self, rest: str, request: Request, user: seed.User) -> Response:  # noqa: C901 - one branch per HTTP method and query option
        m = _KEY_RE.match(rest)
        if m is None:
            raise _not_found_segment(rest)
        info = ENTITY_SETS.get(m.group("set"))
        if info is None:
            raise _not_found_segment(m.group("set"))
        key, sub = m.group("key"), m.group("rest")
        method = request.method.upper()
        self._check_read(info, user)
        if key is None:
            if sub == "$count" and method == "GET":
                return self._count(info, request, user)
            if sub in ("Microsoft.Dynamics.CRM.CreateMultiple",
                       "Microsoft.Dynamics.CRM.UpdateMultiple") and method == "POST":
                return self._multiple(info, sub.rsplit(".", 1)[1], request, user)
            if sub:
                raise _not_found_segment(sub)
            if method == "GET":
                return self._list(info, request, user)
            if method == "POST":
                return self._create(info, request, user)
            raise _no_resource(request)
        row_id = _parse_key(info, key)
        if sub:
            if (info.logical_name == "systemuser" and method == "GET" and sub in (
                    "Microsoft.Dynamics.CRM.RetrieveUserPrivileges()",
                    "Microsoft.Dynamics.CRM.RetrieveUserPrivileges")):
                return self._user_privileges(row_id)
            if (info.logical_name == "systemuser" and method == "POST"
                    and sub == "Microsoft.Dynamics.CRM.InstantiateFilters"):
                return self._instantiate_filters(row_id, request, user)
            ref = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)/\$ref", sub)
            if ref is not None and method == "DELETE":
                return self._remove_reference(info, row_id, ref.group(1), request, user)
            raise _not_found_segment(sub)
        if method == "GET":
            return self._retrieve(info, row_id, request)
        if method == "PATCH":
            return self._upsert(info, row_id, request, user)
        if method == "DELETE":
            self._check_write(info, user)
            self.store.delete(self.org.unique_name, info.logical_name, row_id,
                              if_match=request.headers.get("If-Match"))
            return _empty()
        raise _no_resource(request)

    # --- reading

    def _retrieve(self, info: EntityInfo, row_id: str, request: Request) -> Response:
        _reject_unsupported_options(request.args, allowed={"$select", "$expand"})
        if info.logical_name == "mailbox":
            self.store.exchange.run_scheduled(self.org.unique_name)
        prefer = Prefer.parse(request.headers.get("Prefer"))
        select = self._select(info, request.args.get("$select"))
        expand = _parse_expand(info, request.args.get("$expand"))
        row = self.store.get(self.org.unique_name, info.logical_name, row_id)
        etag = etag_of(row)
        inm = request.headers.get("If-None-Match")
        if inm and not prefer.annotations and not expand and \
                etag in [t.strip() for t in inm.split(",")]:
            resp = _empty(304)
            resp.headers["Content-Type"] = JSON_TYPE
            return resp
        ctx = f"{info.entity_set}{_select_context(select, expand)}/$entity"
        body = {"@odata.context": self._context(ctx),
                **self._shape(info, row, select, prefer, expand)}
        resp = _json_response(body)
        resp.headers["ETag"] = etag
        if prefer.annotations:
            resp.headers["Preference-Applied"] = f'odata.include-annotations="{prefer.annotations}"'
        return resp

    def _select(self, info: EntityInfo, text: str | None) -> list[str] | None:
        if not text:
            return None
        names = odata.parse_select(text)
        odata.check_properties(names, info.all_columns, info.logical_name)
        return names

    def _shape(self, info: EntityInfo, row: Mapping[str, Any], select: list[str] | None,
               prefer: Prefer, expand: "list[_Expansion] | None" = None) -> dict[str, Any]:
        out: dict[str, Any] = {"@odata.etag": etag_of(row)}
        names = select if select is not None else list(info.all_columns)
        for name in names:
            value = row.get(name)
            out[name] = value
            if prefer.annotations and value is not None:
                if name.startswith("_") and name.endswith("_value"):
                    self._annotate_lookup(info, name, value, out, prefer)
                elif not prefer.wants(_FORMATTED):
                    continue
                elif isinstance(value, bool):
                    out[f"{name}@OData.Community.Display.V1.FormattedValue"] = \
                        "Yes" if value else "No"
                elif name in _PICKLISTS:
                    label = dict(_PICKLISTS[name]).get(value)
                    if label is not None:
                        out[f"{name}@OData.Community.Display.V1.FormattedValue"] = label
        if info.primary_id not in out:
            out[info.primary_id] = row[info.primary_id]
        for item in expand or ():
            target_id = row.get(f"_{item.base}_value")
            related = None
            for target in item.targets:
                if target_id is not None:
                    related = self.store.find(self.org.unique_name, target.logical_name,
                                              target_id)
                if related is not None:
                    out[item.nav] = self._shape(target, related, item.select, prefer)
                    break
            else:
                out[item.nav] = None
        return out

    def _annotate_lookup(self, info: EntityInfo, name: str, value: Any,
                         out: dict[str, Any], prefer: Prefer) -> None:
        if value is None:
            return
        base = name[1:-len("_value")]
        for target in info.lookups.get(base, ()):
            target_info = ENTITIES.get(target)
            if target_info is None:
                continue
            found = self.store.find(self.org.unique_name, target, value)
            if found is not None:
                annotations = {
                    _FORMATTED: found.get(target_info.primary_name),
                    _NAV: _nav_name(info, base, target),
                    _LOGICAL: target,
                }
                for key, text in annotations.items():
                    if prefer.wants(key):
                        out[f"{name}@{key}"] = text
                return

    def _count(self, info: EntityInfo, request: Request, user: seed.User) -> Response:
        if info.logical_name == "mailbox":
            self.store.exchange.run_scheduled(self.org.unique_name)
        user_id = user.systemuser_id
        token = request.args.get("$deltatoken")
        if token is not None:
            # The number of changes (new, updated and deleted rows) since a delta token.
            org = self.org.unique_name
            since = self.store.parse_delta_token(org, token)
            changed, deleted, _ = self.store.changes_since(org, info.logical_name, since)
            resp = Response(str(len(changed) + len(deleted)), content_type="text/plain")
            resp.headers["OData-Version"] = "4.0"
            return resp
        rows = self.store.snapshot(self.org.unique_name, info.logical_name)
        flt = request.args.get("$filter")
        if flt:
            pred = odata.compile_filter(flt, properties=info.all_columns,
                                        type_name=info.logical_name, user_id=user_id)
            rows = [r for r in rows if pred(r)]
        resp = Response(str(min(len(rows), COUNT_LIMIT)), content_type="text/plain")
        resp.headers["OData-Version"] = "4.0"
        return resp

    def _list(self, info: EntityInfo, request: Request, user: seed.User) -> Response:  # noqa: C901 - one branch per OData query option
        args = request.args
        if info.logical_name == "mailbox":
            self.store.exchange.run_scheduled(self.org.unique_name)
        _reject_unsupported_options(args, allowed=_SUPPORTED_OPTIONS)
        view = self._view(info, args, user)
        prefer = Prefer.parse(request.headers.get("Prefer"))
        applied: list[str] = []
        page_size = MAX_PAGE_SIZE
        if prefer.max_page_size is not None:
            page_size = max(1, min(prefer.max_page_size, MAX_PAGE_SIZE))
            applied.append(f"odata.maxpagesize={prefer.max_page_size}")
        select = self._select(info, args.get("$select"))
        if args.get("$expand") and (prefer.track_changes or args.get("$deltatoken")):
            raise _tracking_refuses("$expand")
        expand = _parse_expand(info, args.get("$expand"))
        tracking = prefer.track_changes or "$deltatoken" in args
        cookie = _PagingCookie.parse(args.get("$skiptoken")) if "$skiptoken" in args else None
        if cookie is not None and cookie.tracking:
            tracking = True
        if view is not None:
            if tracking:
                raise _tracking_refuses("fetchXml")
            for option in ("$filter", "$orderby", "$top", "$select"):
                if option in args:
                    raise WebApiError(400, QUERY_ERROR,
                                    f"The query parameter {option} cannot be combined with "
                                    "savedQuery, userQuery or fetchXml.")
            if view.attributes is not None:
                select = self._select(info, ",".join(_view_column(info, a)
                                                     for a in view.attributes))
        if tracking:
            for option in ("$filter", "$orderby", "$top"):
                if option in args:
                    raise _tracking_refuses(option)
            if prefer.track_changes:
                applied.append("odata.track-changes")
        if prefer.annotations:
            applied.append(f'odata.include-annotations="{prefer.annotations}"')
        if cookie is not None and prefer.max_page_size is None and cookie.page_size:
            page_size = cookie.page_size

        select_ctx = _select_context(select, expand)
        if tracking:
            body = self._tracked_page(info, args, select, prefer, page_size, cookie, select_ctx)
        else:
            body = self._plain_page(info, args, select, prefer, page_size, cookie, select_ctx,
                                    view=view, user=user, expand=expand)
        resp = _json_response(body)
        if applied:
            resp.headers["Preference-Applied"] = ",".join(applied)
        return resp

    def _plain_page(self, info: EntityInfo, args: Any, select: list[str] | None,
                    prefer: Prefer, page_size: int, cookie: "_PagingCookie | None",
                    select_ctx: str, *, view: "fetchxml.Fetch | None" = None,
                    user: seed.User | None = None,
                    expand: "list[_Expansion] | None" = None) -> dict[str, Any]:
        user_id = user.systemuser_id if user is not None else None
        flt = args.get("$filter")
        orderby = args.get("$orderby")
        plain_keyset = not (flt or orderby or view or "$top" in args or "$count" in args)
        # Rows come sorted by primary key; a plain listing jumps straight to the next page.
        rows: Sequence[Mapping[str, Any]] = self.store.snapshot(
            self.org.unique_name, info.logical_name,
            after_id=cookie.last_id if cookie and plain_keyset else None)
        if flt:
            pred = odata.compile_filter(flt, properties=info.all_columns,
                                        type_name=info.logical_name, user_id=user_id)
            rows = [r for r in rows if pred(r)]
        if view is not None:
            rows = [r for r in rows if view.matches(r, user_id=user_id)]
        total = len(rows)
        keys = odata.parse_orderby(orderby) if orderby else []
        if view is not None:
            keys = [(_view_column(info, name), desc) for name, desc in view.orders]
        top = odata.parse_top(args["$top"]) if "$top" in args else (
            view.top if view is not None else None)
        keyset = not keys and top is None
        if keys:
            odata.check_properties([k for k, _ in keys], info.all_columns, info.logical_name)
            rows = odata.sort_rows(rows, keys + [(info.primary_id, False)])
        if top is not None:
            rows = rows[:top]
        page_number = cookie.page_number if cookie else 1
        if keyset:
            if cookie is not None and cookie.last_id and not plain_keyset:
                rows = [r for r in rows if r[info.primary_id] > cookie.last_id]
            page, more = rows[:page_size], len(rows) > page_size
        else:
            offset = cookie.offset if cookie else 0
            page, more = rows[offset:offset + page_size], len(rows) > offset + page_size
        body: dict[str, Any] = {"@odata.context": self._context(info.entity_set + select_ctx)}
        if args.get("$count") is not None and odata.parse_count(args["$count"]):
            body["@odata.count"] = min(total, COUNT_LIMIT)
            if total > COUNT_LIMIT:
                body["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"] = True
        body["value"] = [self._shape(info, r, select, prefer, expand) for r in page]
        if more:
            nxt = _PagingCookie(page_number=page_number + 1, page_size=page_size,
                                last_id=page[-1][info.primary_id] if page else "",
                                offset=(cookie.offset if cookie else 0) + len(page))
            body["@odata.nextLink"] = self._link(info, args, "$skiptoken", nxt.render())
        return body

    def _tracked_page(self, info: EntityInfo, args: Any, select: list[str] | None,
                      prefer: Prefer, page_size: int, cookie: "_PagingCookie | None",
                      select_ctx: str) -> dict[str, Any]:
        org = self.org.unique_name
        if cookie is not None:
            since, tomb_since, last = cookie.since, cookie.tomb_since, cookie.last_version
            is_delta = cookie.delta
        elif "$deltatoken" in args:
            since = self.store.parse_delta_token(org, args["$deltatoken"])
            tomb_since, last, is_delta = since, since, True
        else:
            # Initial sync: every row, plus deletes that happen while the client pages.
            since, tomb_since, last, is_delta = 0, self.store.current_version(org), 0, False
        with self.store.lock:
            changed, _, current = self.store.changes_since(org, info.logical_name, max(since, last))
            _, deleted_all, _ = self.store.changes_since(org, info.logical_name,
                                                         max(tomb_since, last))
            tombs = self.store.org_data(org).tombstones.get(info.logical_name, {})
            stream: list[tuple[int, str, Any]] = [(r["versionnumber"], "row", r) for r in changed]
            stream += [(tombs[i], "deleted", i) for i in deleted_all if i in tombs]
            stream.sort(key=lambda item: item[0])
            page, more = stream[:page_size], len(stream) > page_size
            token = None if more else self.store.delta_token(org, current)
        values: list[dict[str, Any]] = []
        for _, kind, item in page:
            if kind == "row":
                values.append(self._shape(info, item, select, prefer))
            else:
                values.append({"@odata.context": self._context(
                    f"{info.entity_set}/$deletedEntity"), "id": item, "reason": "deleted"})
        suffix = "/$delta" if is_delta else ""
        body: dict[str, Any] = {
            "@odata.context": self._context(info.entity_set + select_ctx + suffix),
            "value": values,
        }
        if more:
            nxt = _PagingCookie(page_number=(cookie.page_number if cookie else 1) + 1,
                                page_size=page_size, tracking=True, delta=is_delta,
                                since=since, tomb_since=tomb_since, last_version=page[-1][0])
            body["@odata.nextLink"] = self._link(info, args, "$skiptoken", nxt.render(),
                                                 drop=("$deltatoken",))
        else:
            body["@odata.deltaLink"] = self._link(info, args, "$deltatoken", token or "",
                                                  drop=("$skiptoken",))
        return body

    def _link(self, info: EntityInfo, args: Any, name: str, value: str,
              drop: tuple[str, ...] = ()) -> str:
        kept = [(k, v) for k, v in args.items(multi=True)
                if k not in (name, "$skiptoken", *drop)]
        query = urlencode(kept, quote_via=quote, safe="$,()'")
        token = f"{name}={quote(value, safe='')}"
        return f"{self.api_root}{info.entity_set}?" + (f"{query}&{token}" if query else token)

    def _view(self, info: EntityInfo, args: Any, user: seed.User) -> "fetchxml.Fetch | None":
        """The FetchXML of `savedQuery=`, `userQuery=` or `fetchXml=`, parsed; None without."""
        given = [k for k in ("savedQuery", "userQuery", "fetchXml") if k in args]
        if not given:
            return None
        if len(given) > 1:
            raise WebApiError(400, QUERY_ERROR, "Use only one of savedQuery, userQuery and fetchXml.")
        kind = given[0]
        if kind == "fetchXml":
            view = fetchxml.parse_fetch(args["fetchXml"])
        else:
            entity = "savedquery" if kind == "savedQuery" else "userquery"
            row = self.store.get(self.org.unique_name, entity, _parse_key(ENTITIES[entity],
                                                                          args[kind]))
            if row.get("returnedtypecode") != info.logical_name:
                raise WebApiError(400, "0x80040203",
                                f"The {entity} {row[ENTITIES[entity].primary_id]} returns "
                                f"{row.get('returnedtypecode')} rows, not {info.logical_name}.")
            view = fetchxml.parse_fetch(row.get("fetchxml") or "")
        if view.entity != info.logical_name:
            raise WebApiError(400, "0x80040203",
                            f"The FetchXML queries '{view.entity}', not '{info.logical_name}'.")
        for name in (view.attributes or []):
            _view_column(info, name)
        return view

    def _reset_user_filters(self, request: Request, user: seed.User) -> Response:
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
        except ValueError:
            body = None
        query_type = body.get("QueryType") if isinstance(body, dict) else None
        if query_type not in (OUTLOOK_FILTER, OFFLINE_FILTER):
            raise WebApiError(400, "0x80040203",
                            "ResetUserFilters needs {\"QueryType\": 256} (Outlook filters) or "
                            "{\"QueryType\": 16} (offline filters).")
        template_type = {v: k for k, v in FILTER_TYPE_OF_TEMPLATE.items()}[query_type]
        org = self.org.unique_name
        with self.store.atomic():
            for row in self.store.rows(org, "userquery"):
                if row["_ownerid_value"] == user.systemuser_id and row["querytype"] == query_type:
                    self.store.delete(org, "userquery", row["userqueryid"])
            for template in self.store.rows(org, "savedquery"):
                if template["querytype"] == template_type:
                    self._user_filter_from(template, user.systemuser_id, user.systemuser_id)
        return _empty()

    def _user_filter_from(self, template: Mapping[str, Any], owner: str,
                          acting: str) -> dict[str, Any]:
        return self.store.create(self.org.unique_name, "userquery", {
            "name": template["name"], "description": template.get("description"),
            "returnedtypecode": template["returnedtypecode"],
            "querytype": FILTER_TYPE_OF_TEMPLATE[template["querytype"]],
            "fetchxml": template["fetchxml"], "layoutxml": template.get("layoutxml"),
            "_ownerid_value": owner,
        }, user_id=acting)

    def _instantiate_filters(self, user_id: str, request: Request, user: seed.User) -> Response:
        target = self.store.get(self.org.unique_name, "systemuser", user_id)
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
        except ValueError:
            body = None
        templates = body.get("TemplateCollection") if isinstance(body, dict) else None
        if not isinstance(templates, list) or not templates:
            raise WebApiError(400, "0x80040203",
                            "InstantiateFilters needs a TemplateCollection of savedquery "
                            "templates, e.g. [{\"@odata.type\": \"Microsoft.Dynamics.CRM."
                            "savedquery\", \"savedqueryid\": \"<id>\"}].")
        created = []
        with self.store.atomic():
            for item in templates:
                sq_id = item.get("savedqueryid") if isinstance(item, dict) else None
                if not isinstance(sq_id, str):
                    raise WebApiError(400, "0x80040203", "Each template needs a savedqueryid.")
                template = self.store.get(self.org.unique_name, "savedquery",
                                          _parse_key(ENTITIES["savedquery"], sq_id))
                if template["querytype"] not in FILTER_TYPE_OF_TEMPLATE:
                    raise WebApiError(400, "0x80040203",
                                    f"The savedquery {sq_id} is not an Outlook or offline "
                                    "filter template (querytype 131072 or 8192).")
                created.append(self._user_filter_from(template, target["systemuserid"],
                                                      user.systemuser_id))
        info = ENTITIES["userquery"]
        prefer = Prefer()
        return _json_response({
            "@odata.context": self._context("Microsoft.Dynamics.CRM.InstantiateFiltersResponse"),
            "EntityCollection": [{"@odata.type": "#Microsoft.Dynamics.CRM.userquery",
                                  **self._shape(info, r, None, prefer)} for r in created],
        })

    # --- writing

    def _remove_reference(self, info: EntityInfo, row_id: str, nav: str, request: Request,
                          user: seed.User) -> Response:
        """`DELETE <set>(<id>)/<lookup>/$ref` empties a single-valued lookup."""
        base = _lookup_base(info, nav)
        if base is None:
            raise _not_found_segment(nav)
        self._check_write(info, user)
        self.store.update(self.org.unique_name, info.logical_name, row_id,
                          {f"_{base}_value": None}, user_id=user.systemuser_id,
                          if_match=request.headers.get("If-Match"))
        return _empty()

    def _multiple(self, info: EntityInfo, action: str, request: Request,
                  user: seed.User) -> Response:
        """CreateMultiple / UpdateMultiple: all targets in one transaction."""
        self._check_write(info, user)
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
        except ValueError:
            body = None
        targets = body.get("Targets") if isinstance(body, dict) else None
        if not isinstance(targets, list) or not targets or \
                not all(isinstance(t, dict) for t in targets):
            raise WebApiError(400, "0x80040203",
                            f"{action} needs {{\"Targets\": [{{...}}, ...]}} with one object per "
                            "record.")
        org = self.org.unique_name
        ids: list[str] = []
        with self.store.atomic():
            for target in targets:
                values = self._to_columns(info, target, user)
                if action == "CreateMultiple":
                    row = self.store.create(org, info.logical_name, values,
                                            user_id=user.systemuser_id)
                else:
                    row_id = values.pop(info.primary_id, None)
                    if not isinstance(row_id, str):
                        raise WebApiError(400, "0x80040203",
                                        f"Each UpdateMultiple target needs its "
                                        f"{info.primary_id}.")
                    row = self.store.update(org, info.logical_name, row_id, values,
                                            user_id=user.systemuser_id)
                ids.append(row[info.primary_id])
        if action == "UpdateMultiple":
            return _empty()
        return _json_response({
            "@odata.context": self._context("Microsoft.Dynamics.CRM.CreateMultipleResponse"),
            "Ids": ids,
        })

    def _unreadable(self, user: seed.User | None) -> set[str]:
        """The tables this user's security role cannot read (seed data, or the fault)."""
        out = set(user.unreadable) if user is not None else set()
        faults = self.store.exchange.faults
        denied = faults.get("read_denied") if faults is not None else None
        if isinstance(denied, str):
            out.update(t.strip() for t in denied.split(",") if t.strip())
        return out

    def _check_read(self, info: EntityInfo, user: seed.User, *,
                    privilege: str = "prvRead") -> None:
        if info.logical_name not in self._unreadable(user):
            return
        name = f"{privilege}{info.schema_name}"
        raise WebApiError(403, PRIVILEGE_DENIED,
                          f"Principal user (Id={user.systemuser_id}, type=8, roleCount=1, "
                          f"privilegeCount=0, accessMode=0), is missing {name} privilege "
                          f"(Id={_privilege_id(name)}) on OTC={info.object_type_code} for "
                          f"entity '{info.logical_name}'.")

    def _check_write(self, info: EntityInfo, user: seed.User) -> None:
        # The sandbox's administrators are the users with the Sync-to-Outlook privilege.
        if info.logical_name in ("organization", "syncattributemapping", "savedquery") and \
                not user.sync_privilege:
            privilege = {"organization": "prvWriteOrganization",
                         "syncattributemapping": "prvWriteSyncAttributeMapping",
                         "savedquery": "prvWriteQuery"}[info.logical_name]
            raise WebApiError(403, PRIVILEGE_DENIED,
                            f"Principal user (Id={user.systemuser_id}, type=8) is missing "
                            f"{privilege} privilege.")
        if info.logical_name == "mailbox":
            faults = self.store.exchange.faults
            denied = faults.get("mailbox_write_denied") if faults is not None else None
            if not user.sync_privilege or denied is True or denied == user.upn.lower():
                # A security role without Mailbox: Write (the sandbox's non-administrators).
                raise WebApiError(403, PRIVILEGE_DENIED,
                                f"Principal user (Id={user.systemuser_id}, type=8, "
                                f"roleCount=1, privilegeCount=0, accessMode=0), is missing "
                                f"prvWriteMailbox privilege "
                                f"(Id={_privilege_id('prvWriteMailbox')}) on OTC=9606 for "
                                f"entity 'mailbox'.")
        if info.logical_name == "systemuser":
            raise WebApiError(403, PRIVILEGE_DENIED,
                            f"Principal user (Id={user.systemuser_id}, type=8) is missing "
                            f"prvWrite{info.logical_name.capitalize()} privilege.")

    def _payload(self, info: EntityInfo, request: Request,
                 user: seed.User | None = None) -> dict[str, Any]:
        try:
            data = json.loads(request.get_data(as_text=True) or "{}")
        except ValueError as e:
            raise StoreError(400, PAYLOAD_ERROR,
                                 f"Error identified in Payload provided by the user for Entity "
                                 f":'{info.entity_set}': the body is not valid JSON ({e}).") \
                from None
        if not isinstance(data, dict):
            raise StoreError(400, PAYLOAD_ERROR,
                                 f"Error identified in Payload provided by the user for Entity "
                                 f":'{info.entity_set}': expected a JSON object.")
        return self._to_columns(info, data, user)

    def _to_columns(self, info: EntityInfo, data: Mapping[str, Any],
                    user: seed.User | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        writable = set(info.columns) | {info.primary_id}
        for key, value in data.items():
            if key.startswith("@odata.") or key in _READ_ONLY:
                continue
            if key.endswith("@odata.bind"):
                nav = key[:-len("@odata.bind")]
                base = _lookup_base(info, nav)
                if base is None:
                    raise _undeclared(info, nav)
                out[f"_{base}_value"] = None if value is None else self._bind_target(
                    info, base, value, nav=nav, user=user)
                continue
            if "@" in key:
                continue                    # instance annotations in a payload are ignored
            if info.logical_name == "mailbox" and key in SERVICE_COLUMNS:
                raise StoreError(
                    400, PAYLOAD_ERROR,
                    f"The sandbox sets '{key}' itself (it follows the Exchange mailbox and "
                    "Test & Enable); it cannot be written.")
            if key not in writable:
                if key.startswith("_") and key.endswith("_value"):
                    raise StoreError(
                        400, PAYLOAD_ERROR,
                        f"Error identified in Payload provided by the user for Entity "
                        f":'{info.entity_set}'. The lookup property '{key}' is read-only: set "
                        f"'{key[1:-6]}@odata.bind' to '/<entityset>(<id>)' instead.")
                raise _undeclared(info, key)
            _check_value(info, key, value)
            out[key] = value
        return out

    def _bind_target(self, info: EntityInfo, base: str, value: Any, *, nav: str = "",
                     user: seed.User | None = None) -> str:
        text = str(value)
        path = urlsplit(text).path if "://" in text else text
        m = re.search(r"/?([A-Za-z_][A-Za-z0-9_]*)\(\{?([0-9a-fA-F-]{36})\}?\)$", path)
        if m is None:
            raise StoreError(400, "0x80060888",
                                 f"The value '{text}' of '{base}@odata.bind' is not a URI of a "
                                 "single record, e.g. /systemusers(<id>).")
        target = ENTITY_SETS.get(m.group(1))
        if target is None:
            raise _not_found_segment(m.group(1))
        if target.logical_name not in info.lookups.get(base, ()):
            raise StoreError(400, "0x80060888",
                                 f"'{base}' cannot refer to a {target.logical_name}.")
        named = _nav_target(info, base, nav)
        if named is not None and named != target.logical_name:
            # regardingobjectid_account_task bound to /contacts(...): Dataverse refuses it.
            raise StoreError(400, "0x80060888",
                             f"The navigation property '{nav}' refers to a {named}, not to the "
                             f"{target.logical_name} '{text}'.")
        if user is not None:
            # Linking a record needs Append To on it; the sandbox ties that to Read.
            self._check_read(target, user, privilege="prvAppendTo")
        row_id = m.group(2).lower()
        if self.store.find(self.org.unique_name, target.logical_name, row_id) is None and \
                target.logical_name in ENTITIES:
            raise not_found(target.logical_name, row_id)
        return row_id

    def _created_headers(self, info: EntityInfo, row: Mapping[str, Any]) -> dict[str, str]:
        url = f"{self.api_root}{info.entity_set}({row[info.primary_id]})"
        return {"OData-EntityId": url}

    def _create(self, info: EntityInfo, request: Request, user: seed.User) -> Response:
        self._check_write(info, user)
        prefer = Prefer.parse(request.headers.get("Prefer"))
        values = self._payload(info, request, user)
        row = self.store.create(self.org.unique_name, info.logical_name, values,
                                user_id=user.systemuser_id)
        return self._write_response(info, row, request, prefer, created=True)

    def _write_response(self, info: EntityInfo, row: Mapping[str, Any], request: Request,
                        prefer: Prefer, *, created: bool) -> Response:
        if prefer.return_representation:
            select = self._select(info, request.args.get("$select"))
            ctx = f"{info.entity_set}({','.join(select)})/$entity" if select else \
                f"{info.entity_set}/$entity"
            resp = _json_response({"@odata.context": self._context(ctx),
                                   **self._shape(info, row, select, prefer)},
                                  201 if created else 200)
            resp.headers["Preference-Applied"] = "return=representation"
        else:
            resp = _empty(204)
        resp.headers["ETag"] = etag_of(row)
        for k, v in self._created_headers(info, row).items():
            resp.headers[k] = v
        return resp

    def _upsert(self, info: EntityInfo, row_id: str, request: Request,
                user: seed.User) -> Response:
        self._check_write(info, user)
        prefer = Prefer.parse(request.headers.get("Prefer"))
        values = self._payload(info, request, user)
        org = self.org.unique_name
        if_match = request.headers.get("If-Match")
        if_none_match = request.headers.get("If-None-Match")
        with self.store.lock:
            existing = self.store.find(org, info.logical_name, row_id)
            if info.logical_name == "mailbox" and existing is not None:
                self.store.exchange.note_write()
                faults = self.store.exchange.faults
                if faults is not None and faults.take("mailbox_changed"):
                    # Someone else (an administrator) changed the record just now.
                    self.store.update(org, "mailbox", row_id, {"name": existing["name"]})
            if existing is None:
                if if_match is not None:
                    raise not_found(info.logical_name, row_id)
                row = self.store.create(org, info.logical_name, values,
                                        user_id=user.systemuser_id, row_id=row_id)
                return self._write_response(info, row, request, prefer, created=True)
            if if_none_match is not None and if_none_match.strip() == "*":
                raise StoreError(412, "0x80040237",
                                     "A record with matching key values already exists.")
            row = self.store.update(org, info.logical_name, row_id, values,
                                    user_id=user.systemuser_id, if_match=if_match)
        return self._write_response(info, row, request, prefer, created=False)

    # ------------------------------------------------------------------ $batch

    def _batch(self, request: Request, user: seed.User) -> Response:
        content_type = request.headers.get("Content-Type", "")
        if not content_type.lower().startswith("multipart/mixed") or "boundary" not in \
                content_type:
            raise WebApiError(400, "0x80060888",
                            "The batch request must have a 'Content-Type' header of "
                            "'multipart/mixed; boundary=batch_<id>'.")
        raw = request.get_data()
        message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw)
        if not message.is_multipart():
            raise WebApiError(400, "0x80060888", "The batch request body is not multipart.")
        parts = cast(list[email.message.Message], message.get_payload())   # multipart: its parts
        count = sum(len(p.get_payload()) if p.is_multipart() else 1 for p in parts)
        if count > MAX_BATCH_REQUESTS:
            raise WebApiError(400, "0x80060888",
                            f"Number of requests in a batch request exceeded the limit of "
                            f"{MAX_BATCH_REQUESTS}.")
        prefer = Prefer.parse(request.headers.get("Prefer"))
        outputs: list[str] = []
        failed_status: int | None = None
        for part in parts:
            if part.is_multipart():
                text, error = self._changeset(part, request, user)
            else:
                if part.get("Content-Type", "").split(";")[0].strip() != "application/http":
                    raise WebApiError(400, "0x80060888",
                                    "Each batch item must have 'Content-Type: application/http'.")
                response = self._batch_item(part, request, user, references={}, in_changeset=False)
                text = _batch_part(response, part.get("Content-ID"))
                error = response.status_code if response.status_code >= 400 else None
            outputs.append(text)
            if error is not None and not prefer.continue_on_error:
                # Processing stops at the first failure and the whole batch answers 400 (the
                # documented example; Microsoft's SDK accepts exactly 200/202/207/400 here);
                # the failing item's own status is inside the body.
                failed_status = 400
                break
        boundary = f"batchresponse_{uuid.uuid4()}"
        body = "".join(f"--{boundary}\r\n{o}" for o in outputs) + f"--{boundary}--\r\n"
        resp = Response(body.encode("utf-8"), status=failed_status or 200)
        resp.headers["Content-Type"] = f"multipart/mixed; boundary={boundary}"
        resp.headers["OData-Version"] = "4.0"
        if prefer.continue_on_error:
            resp.headers["Preference-Applied"] = "odata.continue-on-error"
        return resp

    def _changeset(self, part: Any, request: Request, user: seed.User) -> tuple[str, int | None]:
        references: dict[str, str] = {}
        responses: list[tuple[Response, str | None]] = []

        class _RollBack(Exception):
            pass

        failure: tuple[Response, str | None] | None = None
        try:
            with self.store.atomic():
                for item in part.get_payload():
                    content_id = item.get("Content-ID")
                    response = self._batch_item(item, request, user, references=references,
                                                in_changeset=True)
                    if response.status_code >= 400:
                        failure = (response, content_id)
                        raise _RollBack()
                    responses.append((response, content_id))
                    location = response.headers.get("OData-EntityId")
                    if content_id and location:
                        references[content_id.strip()] = location
        except _RollBack:
            assert failure is not None
            return _batch_part(*failure), failure[0].status_code
        boundary = f"changesetresponse_{uuid.uuid4()}"
        inner = "".join(f"--{boundary}\r\n{_batch_part(r, cid)}" for r, cid in responses)
        text = (f"Content-Type: multipart/mixed; boundary={boundary}\r\n\r\n"
                f"{inner}--{boundary}--\r\n")
        return text, None

    def _batch_item(self, part: Any, request: Request, user: seed.User, *,
                    references: Mapping[str, str], in_changeset: bool) -> Response:
        payload = part.get_payload(decode=True) or b""
        head, _, body = payload.replace(b"\r\n", b"\n").partition(b"\n\n")
        lines = head.decode("utf-8", "replace").split("\n")
        request_line = lines[0].strip().split(" ")
        if request_line and request_line[-1].startswith("HTTP/"):
            request_line = request_line[:-1]
        if len(request_line) < 2:
            return _error_response(400, "0x80060888", "A batch item has no request line.")
        method, target = request_line[0].upper(), " ".join(request_line[1:]).strip()
        headers = Headers()
        for line in lines[1:]:
            if ":" in line:
                k, _, v = line.partition(":")
                headers.add(k.strip(), v.strip())
        if in_changeset and method == "GET":
            return _error_response(400, "0x80060888",
                                   "GET requests are not allowed in a change set.")
        body = body.rstrip(b"\n")
        try:
            target = self._resolve_reference(target, references)
            body = self._resolve_body_references(body, references)
            path, query = self._batch_path(target)
        except WebApiError as e:
            return _error_response(e.status, e.code, e.message)
        script_name = request.environ.get("SCRIPT_NAME", "")
        builder = EnvironBuilder(path=path, query_string=query, method=method,
                                 headers=headers, data=body,
                                 base_url=request.host_url.rstrip("/") + script_name)
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        environ["sandbox.user"] = user
        return self.dispatch(Request(environ))

    def _resolve_reference(self, target: str, references: Mapping[str, str]) -> str:
        if not target.startswith("$"):
            return target
        name, sep, rest = target[1:].partition("/")
        if name not in references:
            raise WebApiError(400, "0x80060888",
                            f"Content-ID Reference: '${name}' does not exist in the batch "
                            "context.")
        return references[name] + (sep + rest if sep else "")

    def _resolve_body_references(self, body: bytes, references: Mapping[str, str]) -> bytes:
        if b'"$' not in body:
            return body
        try:
            data = json.loads(body)
        except ValueError:
            return body
        if not isinstance(data, dict):
            return body
        changed = False
        for k, v in list(data.items()):
            if isinstance(v, str) and v.startswith("$") and k.endswith("@odata.bind"):
                data[k] = self._resolve_reference(v, references)
                changed = True
        return json.dumps(data).encode() if changed else body

    def _batch_path(self, target: str) -> tuple[str, str]:
        """A batch item's URL (absolute, absolute path or relative) -> (path, query)."""
        parts = urlsplit(target)
        path = unquote(parts.path)
        base_path = urlsplit(self.base_url).path.rstrip("/")
        if parts.scheme:
            if not target.startswith(self.base_url):
                raise WebApiError(400, "0x80060888",
                                f"The batch item URL '{target}' does not belong to this "
                                "organization.")
            path = path[len(base_path):]
        elif path.startswith("/"):
            if base_path and path.startswith(base_path + "/"):
                path = path[len(base_path):]
        else:
            path = API_PREFIX + path
        if not path.startswith(API_PREFIX):
            raise WebApiError(404, "", f"No HTTP resource was found that matches the request URI "
                                     f"'{target}'.")
        return path, parts.query


# --------------------------------------------------------------------------- helpers

def store_bu_id(org: seed.Org) -> str:
    return deterministic_id(org.unique_name, "businessunit")


def _privilege_id(name: str) -> str:
    return deterministic_id("privilege", name)


def _no_resource(request: Request) -> WebApiError:
    return WebApiError(404, "", f"No HTTP resource was found that matches the request URI "
                              f"'{request.url}'.")


def _not_found_segment(segment: str) -> WebApiError:
    return WebApiError(404, RESOURCE_NOT_FOUND, f"Resource not found for the segment '{segment}'.")


@dataclass(frozen=True)
class _Expansion:
    nav: str                            # as written, e.g. "ownerid", "regardingobjectid_contact_task"
    base: str                           # the lookup, e.g. "regardingobjectid"
    targets: tuple[EntityInfo, ...]     # tables the related row may live in
    select: list[str] | None


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts]


def _parse_expand(info: EntityInfo, text: str | None) -> list[_Expansion]:
    """`$expand` for single-valued lookups (`ownerid($select=fullname)`); nothing else."""
    if not text:
        return []
    out = []
    for item in _split_top_level(text):
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?", item, flags=re.DOTALL)
        if m is None:
            raise WebApiError(400, QUERY_ERROR, f"Syntax error in $expand at '{item}'.")
        nav, options = m.group(1), m.group(2)
        base = _lookup_base(info, nav)
        if base is None:
            raise WebApiError(400, UNKNOWN_PROPERTY,
                            f"Could not find a property named '{nav}' on type "
                            f"'Microsoft.Dynamics.CRM.{info.logical_name}'. (The sandbox expands "
                            "single-valued lookups only.)")
        suffix = nav[len(base) + 1:] if nav != base else ""
        names = [t for t in info.lookups[base] if t in ENTITIES]
        if suffix:
            names = [t for t in names if suffix == t or suffix.startswith(t + "_")]
        targets = tuple(ENTITIES[t] for t in names)
        if not targets:
            raise WebApiError(400, UNKNOWN_PROPERTY,
                            f"The navigation property '{nav}' does not lead to a table the "
                            "sandbox serves.")
        select = None
        if options:
            for option in options.split(";"):
                key, _, value = option.partition("=")
                if key.strip() != "$select":
                    raise WebApiError(400, QUERY_ERROR,
                                    f"The sandbox supports only $select inside $expand, not "
                                    f"'{key.strip()}'.")
                select = odata.parse_select(value)
                for target in targets:
                    odata.check_properties(select, target.all_columns, target.logical_name)
        out.append(_Expansion(nav, base, targets, select))
    return out


def _select_context(select: list[str] | None, expand: list[_Expansion]) -> str:
    parts = list(select or [])
    for item in expand:
        parts.append(f"{item.nav}({','.join(item.select)})" if item.select else f"{item.nav}()")
    return f"({','.join(parts)})" if parts else ""


def _tracking_refuses(option: str) -> WebApiError:
    return WebApiError(400, QUERY_ERROR,
                     f'The "{option}" query parameter isn\'t supported when Change Tracking '
                     "is enabled.")


def _undeclared(info: EntityInfo, name: str) -> StoreError:
    return StoreError(
        400, PAYLOAD_ERROR,
        f"Error identified in Payload provided by the user for Entity :'{info.entity_set}', "
        "For more information on this error please follow this help link "
        "https://go.microsoft.com/fwlink/?linkid=2195293  ----> InnerException : "
        f"Microsoft.OData.ODataException: The property '{name}' does not exist on type "
        f"'Microsoft.Dynamics.CRM.{info.logical_name}'. Make sure to only use property names "
        "that are defined by the type or mark the type as open type.")


def _reject_unsupported_options(args: Any, *, allowed: Iterable[str]) -> None:
    allowed_set = set(allowed)
    for key in args:
        if key.startswith("$") and key not in allowed_set:
            if key == "$skip":
                raise WebApiError(400, QUERY_ERROR,
                                "The query parameter $skip is not supported. Use "
                                "Prefer: odata.maxpagesize and follow @odata.nextLink.")
            raise WebApiError(400, QUERY_ERROR, f"The query parameter {key} is not supported.")


def _parse_key(info: EntityInfo, key: str) -> str:
    text = key.strip().strip("{}")
    if text.startswith(f"{info.primary_id}="):
        text = text.split("=", 1)[1].strip().strip("{}")
    if not GUID_RE.match(text):
        raise WebApiError(400, QUERY_ERROR,
                        f"Bad Request - Error in query syntax: the key '{key}' is not a GUID "
                        "(alternate keys are not supported by the sandbox).")
    return text.lower()


_FORMATTED = "OData.Community.Display.V1.FormattedValue"
_NAV = "Microsoft.Dynamics.CRM.associatednavigationproperty"
_LOGICAL = "Microsoft.Dynamics.CRM.lookuplogicalname"


def _nav_name(info: EntityInfo, base: str, target: str) -> str:
    """A polymorphic lookup's navigation property per target, as Dataverse names them:
    ``regardingobjectid_account_task``; a single-target lookup's is its own name."""
    if base == "regardingobjectid":
        return f"{base}_{target}_{info.logical_name}"
    if len(info.lookups.get(base, ())) > 1:
        return f"{base}_{target}"
    return base


def _nav_target(info: EntityInfo, base: str, nav: str) -> str | None:
    """The target a per-target navigation property names (None: the plain lookup name)."""
    if not nav or nav == base:
        return None
    for target in info.lookups.get(base, ()):
        if nav in (f"{base}_{target}", f"{base}_{target}_{info.logical_name}"):
            return target
    raise _undeclared(info, nav)


def _lookup_base(info: EntityInfo, nav: str) -> str | None:
    if nav in info.lookups:
        return nav
    for base in sorted(info.lookups, key=len, reverse=True):
        if nav.startswith(base + "_"):
            return base
    return None


def _function_args(rest: str, name: str, query: Any) -> dict[str, str]:
    m = re.fullmatch(re.escape(name) + r"(?:\((?P<args>.*)\))?", rest)
    if m is None:
        raise _not_found_segment(rest)
    out: dict[str, str] = {}
    text = m.group("args") or ""
    for piece in filter(None, (p.strip() for p in text.split(","))):
        k, _, v = piece.partition("=")
        v = v.strip()
        if v.startswith("@"):
            alias = query.get(v)
            if alias is None:
                raise WebApiError(400, QUERY_ERROR,
                                f"The parameter alias '{v}' has no value in the query string.")
            v = alias
        out[k.strip()] = v
    return out


def _entity_definition(info: EntityInfo) -> dict[str, Any]:
    label = {"Label": info.display_name, "LanguageCode": 1033}
    return {
        "MetadataId": info.metadata_id,
        "LogicalName": info.logical_name,
        "SchemaName": info.schema_name,
        "EntitySetName": info.entity_set,
        "LogicalCollectionName": info.entity_set,
        "PrimaryIdAttribute": info.primary_id,
        "PrimaryNameAttribute": info.primary_name,
        "ObjectTypeCode": info.object_type_code,
        "OwnershipType": "UserOwned" if info.user_owned else "OrganizationOwned",
        "ChangeTrackingEnabled": info.change_tracking,
        "IsOptimisticConcurrencyEnabled": True,
        "IsCustomEntity": False,
        "IsActivity": info.primary_id == "activityid",
        "DisplayName": {"LocalizedLabels": [label], "UserLocalizedLabel": label},
    }


def _definition_by_key(key: str) -> EntityInfo:
    m = re.fullmatch(r"LogicalName='([^']*)'", key)
    for info in ENTITIES.values():
        if (m and info.logical_name == m.group(1)) or info.metadata_id == key.strip("{}").lower():
            return info
    raise WebApiError(404, "0x80040217",
                    f"Could not find an entity with key {key}.")


_PICKLISTS: dict[str, list[tuple[int, str]]] = {
    "prioritycode": [(0, "Low"), (1, "Normal"), (2, "High")],
    "actdeliverymethod": [(0, "Microsoft Dynamics 365 for Outlook"),
                          (1, "Server-Side Synchronization"), (2, "None")],
    **{status: [(0, "Not Run"), (1, "Success"), (2, "Failure")]
       for status in ("actstatus", "incomingemailstatus", "outgoingemailstatus", "mailboxstatus")},
    "emailrouteraccessapproval": [(0, "Empty"), (1, "Approved"), (2, "Pending Approval"),
                                  (3, "Rejected")],
    "address1_addresstypecode": [(1, "Bill To"), (2, "Ship To"), (3, "Primary"), (4, "Other")],
    "address2_addresstypecode": [(1, "Default Value")],
    "address3_addresstypecode": [(1, "Default Value")],
    "recurrencepatterntype": [(0, "Daily"), (1, "Weekly"), (2, "Monthly"), (3, "Yearly")],
    "syncdirection": [(0, "None"), (1, "ToExchange"), (2, "ToCRM"), (3, "Bidirectional")],
    "defaultsyncdirection": [(0, "None"), (1, "ToExchange"), (2, "ToCRM"), (3, "Bidirectional")],
    "instancetypecode": [(0, "Not Recurring"), (1, "Recurring Master"),
                         (2, "Recurring Instance"), (3, "Recurring Exception"),
                         (4, "Recurring Future Exception")],
}


def _options(name: str) -> list[dict[str, Any]]:
    return [{"Value": v, "Label": {"LocalizedLabels": [{"Label": t, "LanguageCode": 1033}],
                                   "UserLocalizedLabel": {"Label": t, "LanguageCode": 1033}}}
            for v, t in _PICKLISTS.get(name, [])]


_TYPE_OVERRIDES = {
    "seriesid": "Uniqueidentifier", "azureactivedirectoryobjectid": "Uniqueidentifier",
    "orgmarkedasprimaryforexchangesync": "Boolean", "testemailconfigurationscheduled": "Boolean",
    "incomingemailstatus": "Picklist", "outgoingemailstatus": "Picklist",
    "mailboxstatus": "Picklist", "emailrouteraccessapproval": "Picklist",
    "lastsyncerrorcode": "Integer", "testmailboxaccesscompletedon": "DateTime",
    "lastsyncerroroccurredon": "DateTime", "lastsuccessfulsynccompletedon": "DateTime",
    "actstatus": "Picklist", "incomingemaildeliverymethod": "Picklist",
    "outgoingemaildeliverymethod": "Picklist", "patternendtype": "Picklist",
    "componentstate": "Picklist", "maxappointmentdurationdays": "Integer",
    "minoutlooksyncinterval": "Integer", "outlookownerapptid": "Integer",
}

# Maximum lengths Dataverse enforces on common text columns (a validation error beyond them).
_MAX_LENGTH = {
    "subject": 200, "firstname": 50, "lastname": 50, "middlename": 50, "fullname": 160,
    "emailaddress1": 100, "emailaddress2": 100, "emailaddress": 100, "jobtitle": 100,
    "department": 100, "telephone1": 50, "telephone2": 50, "mobilephone": 50, "fax": 50,
    "location": 200, "name": 200, "salutation": 100, "filename": 255, "lastsyncerror": 2048,
    **{f"address{n}_{p}": size for n in (1, 2, 3) for p, size in (
        ("line1", 250), ("line2", 250), ("line3", 250), ("city", 80),
        ("stateorprovince", 50), ("postalcode", 20), ("country", 80), ("telephone1", 50),
        ("name", 200))},
}
_DEFAULT_MAX = {"String": 4000, "Memo": 1_048_576}
_EDM = {"String": "Edm.String", "Memo": "Edm.String", "Boolean": "Edm.Boolean",
        "Integer": "Edm.Int32", "Picklist": "Edm.Int32", "State": "Edm.Int32",
        "Status": "Edm.Int32", "DateTime": "Edm.DateTimeOffset",
        "Uniqueidentifier": "Edm.Guid"}


def _check_value(info: EntityInfo, column: str, value: Any) -> None:
    """Refuse a value of the wrong kind or length the way Dataverse does."""
    if value is None:
        return
    kind = _attribute_type(info, column)
    ok = True
    if kind == "Boolean":
        ok = isinstance(value, bool)
    elif kind in ("Integer", "Picklist", "State", "Status"):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "DateTime":
        ok = isinstance(value, str) and _is_datetime(value)
    elif kind == "Uniqueidentifier":
        ok = isinstance(value, str) and GUID_RE.match(value.strip("{}")) is not None
    elif kind in ("String", "Memo"):
        ok = isinstance(value, str)
    if not ok:
        raise StoreError(
            400, PAYLOAD_ERROR,
            f"Error identified in Payload provided by the user for Entity :'{info.entity_set}', "
            "For more information on this error please follow this help link "
            "https://go.microsoft.com/fwlink/?linkid=2195293  ----> InnerException : "
            f"Microsoft.OData.ODataException: Cannot convert the literal "
            f"'{json.dumps(value)}' to the expected type '{_EDM.get(kind, kind)}'.")
    if kind in ("String", "Memo"):
        limit = _MAX_LENGTH.get(column, _DEFAULT_MAX[kind])
        if len(value) > limit:
            raise StoreError(
                400, "0x80044331",
                f"A validation error occurred.  The length of the '{column}' attribute of the "
                f"'{info.logical_name}' entity exceeded the maximum allowed length of "
                f"'{limit}'.")


def _is_datetime(text: str) -> bool:
    try:
        if "T" in text:
            odata.parse_datetime(text)
        else:
            datetime.date.fromisoformat(text)
    except (ODataError, ValueError):
        return False
    return True


def _attribute_type(info: EntityInfo, column: str) -> str:
    if column == info.primary_id:
        return "Uniqueidentifier"
    if column in _TYPE_OVERRIDES:
        return _TYPE_OVERRIDES[column]
    if column.startswith("_") and column.endswith("_value"):
        return "Owner" if column == "_ownerid_value" else "Lookup"
    if column in _PICKLISTS:
        return "Picklist"
    if column == "statecode":
        return "State"
    if column == "statuscode":
        return "Status"
    if column in ("createdon", "modifiedon") or column.endswith(("start", "end", "date")) or \
            column in ("birthdate", "starttime", "endtime", "actualend"):
        return "DateTime"
    if column == "versionnumber":
        return "BigInt"
    if column.startswith(("is", "donot")) or column in ("enabledforact",):
        return "Boolean"
    if column in ("percentcomplete", "duration", "interval", "occurrences", "daysofweekmask",
                  "filesize", "attachmentnumber", "querytype", "languagecode",
                  "expirechangetrackingindays", "scheduleddurationminutes",
                  "actualdurationminutes", "accessmode", "bookingtype", "allowedsyncdirection"):
        return "Integer"
    if column in ("description", "fetchxml", "layoutxml", "body"):
        return "Memo"
    return "String"


# Display names as a Dataverse org in English shows them (the org's metadata; the engine
# shows these instead of logical names). A column not listed gets its logical name in title case.
_ADDRESS_PART_LABELS = {"line1": "Street 1", "line2": "Street 2", "line3": "Street 3",
                        "city": "City", "stateorprovince": "State/Province",
                        "postalcode": "ZIP/Postal Code", "country": "Country/Region",
                        "telephone1": "Telephone 1", "addresstypecode": "Address Type",
                        "name": "Name"}
_COLUMN_LABELS: dict[str, str] = {
    "firstname": "First Name", "lastname": "Last Name", "fullname": "Full Name",
    "middlename": "Middle Name", "salutation": "Salutation", "jobtitle": "Job Title",
    "department": "Department", "emailaddress1": "Email", "emailaddress2": "Email Address 2",
    "emailaddress3": "Email Address 3", "telephone1": "Business Phone", "telephone2": "Home Phone",
    "telephone3": "Telephone 3", "mobilephone": "Mobile Phone", "fax": "Fax",
    "birthdate": "Birthday", "description": "Description", "statecode": "Status",
    "statuscode": "Status Reason", "donotemail": "Do not allow Emails", "subject": "Subject",
    "location": "Location", "prioritycode": "Priority", "isalldayevent": "All Day Event",
    "requiredattendees": "Required Attendees", "optionalattendees": "Optional Attendees",
    "percentcomplete": "Percent Complete", "actualdurationminutes": "Actual Duration",
    "actualend": "Actual End", "category": "Category", "createdon": "Created On",
    "modifiedon": "Modified On", "ownerid": "Owner", "regardingobjectid": "Regarding",
    "parentcustomerid": "Company Name", "websiteurl": "Website",
    **{f"address{n}_{part}": f"Address {n}: {label}"
       for n in (1, 2, 3) for part, label in _ADDRESS_PART_LABELS.items()},
}
_ENTITY_COLUMN_LABELS: dict[tuple[str, str], str] = {
    ("appointment", "scheduledstart"): "Start Time", ("appointment", "scheduledend"): "End Time",
    ("task", "scheduledstart"): "Start Date", ("task", "scheduledend"): "Due Date",
}


def _column_label(entity: str, logical: str) -> dict[str, Any]:
    text = (_ENTITY_COLUMN_LABELS.get((entity, logical)) or _COLUMN_LABELS.get(logical)
            or logical.replace("_", " ").title())
    label = {"Label": text, "LanguageCode": 1033}
    return {"LocalizedLabels": [label], "UserLocalizedLabel": label}


def _attribute_definition(info: EntityInfo, column: str) -> dict[str, Any]:
    kind = _attribute_type(info, column)
    logical = column[1:-6] if column.startswith("_") and column.endswith("_value") else column
    return {
        "DisplayName": _column_label(info.logical_name, logical),
        "@odata.type": f"#Microsoft.Dynamics.CRM.{kind}AttributeMetadata",
        "MetadataId": deterministic_id("attribute", info.logical_name, logical),
        "LogicalName": logical,
        "SchemaName": logical,
        "AttributeType": kind,
        "EntityLogicalName": info.logical_name,
        "IsPrimaryId": column == info.primary_id,
        "IsPrimaryName": column == info.primary_name,
    }


_STATUS_TEXT = {200: "OK", 201: "Created", 204: "No Content", 304: "Not Modified",
                400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                405: "Method Not Allowed", 412: "Precondition Failed",
                429: "Too Many Requests", 500: "Internal Server Error"}


def _batch_part(response: Response, content_id: str | None) -> str:
    head = "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
    if content_id:
        head += f"Content-ID: {content_id.strip()}\r\n"
    status = response.status_code
    lines = [f"HTTP/1.1 {status} {_STATUS_TEXT.get(status, 'Unknown')}"]
    for k, v in response.headers.items():
        if k.lower() in ("content-length", "x-ms-service-request-id"):
            continue
        lines.append(f"{k}: {v}")
    if "OData-EntityId" in response.headers:
        lines.append(f"Location: {response.headers['OData-EntityId']}")
    body = response.get_data(as_text=True)
    return head + "\r\n" + "\r\n".join(lines) + "\r\n\r\n" + body + ("\r\n" if body else "")


@dataclass
class _PagingCookie:
    """The opaque `$skiptoken`: Dataverse's `<cookie pagenumber=.. pagingcookie=.. />` shape."""

    page_number: int = 1
    page_size: int = 0
    last_id: str = ""
    offset: int = 0
    tracking: bool = False
    delta: bool = False
    since: int = 0
    tomb_since: int = 0
    last_version: int = 0

    def render(self) -> str:
        state = json.dumps([self.page_size, self.last_id, self.offset, self.delta, self.since,
                            self.tomb_since, self.last_version], separators=(",", ":"))
        inner = base64.urlsafe_b64encode(state.encode()).decode("ascii")
        return (f'<cookie pagenumber="{self.page_number}" pagingcookie="{inner}" '
                f'istracking="{"True" if self.tracking else "False"}" />')

    @classmethod
    def parse(cls, text: str | None) -> "_PagingCookie":
        m = re.fullmatch(r'<cookie pagenumber="(\d+)" pagingcookie="([A-Za-z0-9_=-]*)" '
                         r'istracking="(True|False)" />', text or "")
        if m is None:
            raise WebApiError(400, QUERY_ERROR, "The $skiptoken value is not valid. Follow "
                                              "@odata.nextLink exactly as returned.")
        try:
            fields = json.loads(base64.urlsafe_b64decode(m.group(2)))
            size, last_id, offset, delta, since, tomb_since, last_version = fields
            return cls(page_number=int(m.group(1)), page_size=int(size), last_id=str(last_id),
                       offset=int(offset), tracking=m.group(3) == "True", delta=bool(delta),
                       since=int(since), tomb_since=int(tomb_since),
                       last_version=int(last_version))
        except (ValueError, TypeError, binascii.Error):
            raise WebApiError(400, QUERY_ERROR, "The $skiptoken value is not valid. Follow "
                                              "@odata.nextLink exactly as returned.") from None
