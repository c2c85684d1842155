"""Global Discovery Service v2.0: the orgs a signed-in user belongs to.

``GET /api/discovery/v2.0/Instances`` with the documented fields and casing (REFERENCE.md),
key lookups ``Instances(<guid>)`` / ``Instances(UniqueName='x')`` (still an array), and the
``$filter`` / ``$select`` subset. String comparison is case-sensitive, as Microsoft
documents for this service. The filter parser is shared with the Web API
(``wizard.sandbox.odata``).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import jwt
from werkzeug.wrappers import Request, Response

from wizard.sandbox import odata, seed
from wizard.sandbox.org_auth import apply_request_faults, bearer_challenge

if TYPE_CHECKING:
    from wizard.sandbox.server import Sandbox

FIELDS = ("ApiUrl", "DatacenterId", "DatacenterName", "EnvironmentId", "FriendlyName", "Id",
          "IsUserSysAdmin", "LastUpdated", "OrganizationType", "Purpose", "Region", "SchemaType",
          "State", "StatusMessage", "TenantId", "TrialExpirationDate", "UniqueName", "UrlName",
          "Version", "Url")
DATACENTER_NAMES = {"NA": "North America", "JP": "Japan East"}
LAST_UPDATED = "2024-10-15T08:30:00Z"
HEADERS = {"Content-Type": "application/json; odata.metadata=minimal", "OData-Version": "4.0"}

_KEY_RE = re.compile(
    r"^/v2\.0/Instances(?:\((?:(?P<guid>[0-9a-fA-F-]{36})|Id=(?P<idguid>[0-9a-fA-F-]{36})|"
    r"UniqueName='(?P<unique>(?:[^']|'')*)')\))?/?$")


def _odata_error(status: int, code: str, message: str) -> Response:
    return Response(json.dumps({"error": {"code": code, "message": message}}), status=status,
                    headers=HEADERS)


class DiscoveryService:
    """WSGI app mounted at ``/api/discovery`` on the main port."""

    def __init__(self, sandbox: "Sandbox") -> None:
        self.sandbox = sandbox

    def instance(self, org: seed.Org, user: seed.User) -> dict[str, Any]:
        url = self.sandbox.org_urls[org.unique_name]
        disabled = org.state == 1 or self.sandbox.faults.org_disabled(org.unique_name)
        values: dict[str, Any] = {
            "ApiUrl": url,
            "DatacenterId": org.datacenter_id,
            "DatacenterName": DATACENTER_NAMES.get(org.region, org.region),
            "EnvironmentId": org.environment_id,
            "FriendlyName": org.friendly_name,
            "Id": org.org_id,
            "IsUserSysAdmin": user.upn.startswith("alice@"),
            "LastUpdated": LAST_UPDATED,
            "OrganizationType": org.organization_type,
            "Purpose": org.purpose,
            "Region": org.region,
            "SchemaType": "Full",
            "State": 1 if disabled else 0,
            "StatusMessage": 1 if disabled else 0,
            "TenantId": seed.TENANT_ID,
            "TrialExpirationDate": None,
            "UniqueName": org.unique_name,
            "UrlName": org.url_name,
            "Version": org.version,
            "Url": url,
        }
        return {k: values[k] for k in FIELDS}

    def _user(self, request: Request) -> seed.User | Response:
        challenge = bearer_challenge(self.sandbox.authority_url, self.sandbox.discovery_url)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return challenge
        try:
            claims = self.sandbox.identity.decode_access_token(token.strip())
        except jwt.ExpiredSignatureError:
            return bearer_challenge(self.sandbox.authority_url, self.sandbox.discovery_url,
                                    error="invalid_token",
                                    description="The access token is expired.")
        except jwt.PyJWTError:
            return bearer_challenge(self.sandbox.authority_url, self.sandbox.discovery_url,
                                    error="invalid_token",
                                    description="Error during token validation!")
        if self.sandbox.faults.get("token_expired"):
            return bearer_challenge(self.sandbox.authority_url, self.sandbox.discovery_url,
                                    error="invalid_token",
                                    description="The access token is expired.")
        aud = str(claims.get("aud", "")).rstrip("/").lower()
        if aud != self.sandbox.discovery_url.lower() or "tid" not in claims:
            return bearer_challenge(self.sandbox.authority_url, self.sandbox.discovery_url,
                                    error="invalid_token",
                                    description="The access token audience is not Global "
                                                "Discovery.")
        user = next((u for u in seed.USERS if u.object_id == claims.get("oid")), None)
        if user is None or user.disabled:
            return challenge
        request.environ["sandbox.token_tenant"] = claims["tid"]
        return user

    def __call__(self, environ, start_response):
        request = Request(environ)
        response = self._handle(request)
        return response(environ, start_response)

    def _handle(self, request: Request) -> Response:
        match = _KEY_RE.match(request.path)
        if match is None:
            return _odata_error(404, "0x80060888", f"Resource not found for the segment "
                                                   f"'{request.path.strip('/')}'.")
        if request.method not in ("GET", "HEAD"):
            return _odata_error(405, "0x80060888", "The HTTP method is not allowed here.")
        user = self._user(request)
        if isinstance(user, Response):
            return user
        fault = apply_request_faults(self.sandbox.faults, None)
        if fault is not None:
            return fault
        tenant = request.environ["sandbox.token_tenant"]
        orgs = [o for o in getattr(self.sandbox, "online_orgs", seed.ONLINE_ORGS)
                if seed.is_member(user, o) and tenant == seed.TENANT_ID]
        rows = [self.instance(o, user) for o in orgs]
        wanted_id = (match.group("guid") or match.group("idguid") or "").lower()
        if wanted_id:
            rows = [r for r in rows if r["Id"].lower() == wanted_id]
        elif match.group("unique") is not None:
            unique = match.group("unique").replace("''", "'")
            rows = [r for r in rows if r["UniqueName"] == unique]
        try:
            for option in request.args:
                if option.startswith("$") and option not in ("$filter", "$select"):
                    raise odata.ODataError(f"The query parameter '{option}' is not supported.")
            if "$filter" in request.args:
                keep = odata.compile_filter(request.args["$filter"], case_sensitive=True,
                                            properties=FIELDS, type_name="Instance")
                rows = [r for r in rows if keep(r)]
            context = f"{self.sandbox.discovery_url}/api/discovery/v2.0/$metadata#Instances"
            if "$select" in request.args:
                names = odata.parse_select(request.args["$select"])
                odata.check_properties(names, FIELDS, "Instance")
                rows = [{k: r[k] for k in names} for r in rows]
                context += f"({','.join(names)})"
        except odata.ODataError as exc:
            return _odata_error(exc.status, exc.code, exc.message)
        body = {"@odata.context": context, "value": rows}
        return Response(json.dumps(body), headers=HEADERS)
