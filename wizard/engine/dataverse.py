"""A small Dataverse Web API (v9.2) client on top of the shared HTTP session.

``token_provider()`` is called before every request and returns either the value of
the ``Authorization`` header (``"Bearer ..."``) or a ``requests.auth.AuthBase`` (Windows
authentication on-premises). Errors come back as :class:`DataverseError` subclasses
whose text a user can act on; 429 is retried by the session (``Retry-After``), so a
429 that reaches this module means the service kept refusing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import requests

from wizard.engine.errors import Action, WizardError
from wizard.engine.http import network_error

API_PATH = "/api/data/v9.2/"
BASE_HEADERS = {
    "Accept": "application/json",
    "OData-MaxVersion": "4.0",
    "OData-Version": "4.0",
}
MAX_PAGE_SIZE = 5000
SYNC_TO_OUTLOOK_PRIVILEGE = "prvSyncToOutlook"
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}")

TokenProvider = Callable[[], "str | requests.auth.AuthBase | None"]


class DataverseError(WizardError):
    """An error answer from the Web API: HTTP ``status``, Dataverse ``error_code``.

    ``org`` names the organization (or the service) that answered; ``server_message`` is
    the server's own text when it sent one."""

    code = "dataverse_error"
    template = "{org} had a problem answering (HTTP {status})."
    fix_template: ClassVar[str | None] = ("Try again later. If it keeps happening, send the details to "
                                          "your administrator.")

    def __init__(self, status: int, error_code: str | None, **params: Any) -> None:
        super().__init__(status=status, error_code=error_code, **params)
        self.status = status
        self.error_code = error_code


class RequestRefused(DataverseError):
    template = "{org} refused the request (HTTP {status})."
    fix_template = None


class ServerSays(DataverseError):
    """The server explained the refusal itself: its words are the message."""

    template = "{server_message}"
    fix_template = None


class SignInRequired(DataverseError):
    code = "signin_required"
    template = "{org} did not accept the sign-in (HTTP 401)."
    fix_template = "Sign in again."
    action = Action.SIGN_IN


class SignInNotRenewed(SignInRequired):
    """``cause`` is the :class:`~wizard.engine.signin_errors.SignInError` of the renewal."""

    template = "{org} did not accept the sign-in (HTTP 401), and it could not be renewed: {cause}"


class AccessDenied(DataverseError):
    code = "access_denied"
    template = "Your account has no access to {org} (HTTP 403)."
    fix_template = "Ask your Dynamics 365 administrator to add you to this organization with a security role."


class DataverseNotFound(DataverseError):
    code = "not_found"
    template = "{org} answered 'not found' (HTTP 404)."
    fix_template = "Check the organization address; the org may have been renamed, moved or deleted."


class DataverseNotFoundSaying(DataverseNotFound):
    template = "{org} answered 'not found' (HTTP 404). {server_message}"


class OrgDisabled(DataverseError):
    code = "org_disabled"
    template = "The organization {org} is disabled."
    fix_template = "Ask your Dynamics 365 administrator to enable it, or choose another organization."


class OrgNotAvailable(OrgDisabled):
    template = "The organization {org} is not available."
    fix_template = "It may be disabled or being updated; ask your administrator."


class Throttled(DataverseError):
    code = "throttled"
    template = "{org} is limiting requests from your account (HTTP 429)."
    fix_template = "Wait a few minutes and try again."


class PreconditionFailed(DataverseError):
    """The row changed since it was read (ETag mismatch)."""

    code = "precondition_failed"
    template = "The record was changed by someone else since it was read."
    fix_template = "Reload and try again."


class NotDataverse(DataverseError):
    code = "not_dataverse"
    template = "{org} answered with something that is not Dataverse JSON."
    fix_template: ClassVar[str | None] = ("Check that the address is a Dynamics 365 organization and not a sign-in or "
                    "proxy page.")


class UnexpectedAnswer(NotDataverse):
    template = "Unexpected Web API answer."
    fix_template = None


class NoCreatedId(NotDataverse):
    template = "The organization did not say which record it created."
    fix_template = None


def _parse_error(response: requests.Response) -> tuple[str | None, str]:
    try:
        body = response.json()
    except ValueError:
        text = (response.text or "").strip()
        return None, text[:300]
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        return (str(err.get("code")) if err.get("code") is not None else None,
                str(err.get("message") or "").strip())
    if isinstance(body, dict) and "Message" in body:
        return None, str(body["Message"])
    return None, ""


def error_for(response: requests.Response, *, org: str | None = None) -> DataverseError:
    """Turn a non-2xx Web API response into a DataverseError a user can act on."""
    status = response.status_code
    error_code, server_message = _parse_error(response)
    where = org or urlsplit(response.url or "").netloc or "the organization"
    details = f"HTTP {status}" + (f" {error_code}" if error_code else "") + (
        f": {server_message}" if server_message else "")
    at: dict[str, Any] = {"org": where, "details": details}
    cls = _error_class(status, server_message)
    if cls in (DataverseNotFoundSaying, ServerSays):
        return cls(status, error_code, server_message=server_message, **at)
    return cls(status, error_code, **at)


def _error_class(status: int, server_message: str) -> type[DataverseError]:
    """The error for HTTP ``status``, which the server explained in ``server_message`` ("": not)."""
    lowered = server_message.lower()
    if status == 403:
        return OrgDisabled if "disabled" in lowered or "suspended" in lowered else AccessDenied
    if status == 404:
        return DataverseNotFoundSaying if server_message else DataverseNotFound
    if status in _ERROR_BY_STATUS:
        return _ERROR_BY_STATUS[status]
    if status == 503 and ("disabled" in lowered or "not available" in lowered):
        return OrgNotAvailable
    if status >= 500:
        return DataverseError
    return ServerSays if server_message else RequestRefused


_ERROR_BY_STATUS: dict[int, type[DataverseError]] = {
    401: SignInRequired, 412: PreconditionFailed, 429: Throttled}


def _odata_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _key(entity_id: str) -> str:
    if _GUID.fullmatch(entity_id.strip("{}")):
        return entity_id.strip("{}")
    return entity_id  # alternate key expression, passed through


class DataverseClient:
    def __init__(self, session: requests.Session, api_base_url: str,
                 token_provider: TokenProvider) -> None:
        base = api_base_url.rstrip("/")
        if not base.endswith(API_PATH.rstrip("/")):
            base = base + API_PATH.rstrip("/")
        self.base = base + "/"
        self.session = session
        self.token_provider = token_provider
        self.org_label = urlsplit(self.base).netloc + (
            "/" + urlsplit(self.base).path.split("/api/")[0].strip("/")
            if urlsplit(self.base).path.split("/api/")[0].strip("/") else "")

    # -- plumbing ------------------------------------------------------------------------
    def url(self, path: str) -> str:
        if path.startswith(("https://", "http://")):
            return path
        return urljoin(self.base, path.lstrip("/"))

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                json: Any = None, headers: Mapping[str, str] | None = None,
                data: bytes | str | None = None, expect_json: bool = True
                ) -> requests.Response:
        url = self.url(path)
        credential = self.token_provider()
        response = self._send(method, url, credential, params, json, headers, data)
        refresh = getattr(self.token_provider, "refresh", None)
        if response.status_code == 401 and isinstance(credential, str) and refresh is not None:
            # The server refused a token we still hold (revoked after a password change,
            # by Conditional Access or Continuous Access Evaluation): force one refresh,
            # with the claims it asked for, and try once more; then "sign in again".
            from wizard.engine.auth import claims_challenge
            from wizard.engine.signin_errors import SignInError

            claims = claims_challenge(response)
            response.close()
            try:
                credential = refresh(claims)
            except SignInError as exc:
                raise SignInNotRenewed(401, None, org=self.org_label, cause=exc,
                                       details=f"{exc.code}: {exc.details or ''}".strip()) from exc
            response = self._send(method, url, credential, params, json, headers, data)
        if response.status_code >= 400:
            raise error_for(response, org=self.org_label)
        return response

    def _send(self, method: str, url: str, credential: Any, params: Mapping[str, Any] | None,
              json: Any, headers: Mapping[str, str] | None, data: bytes | str | None
              ) -> requests.Response:
        hdrs = dict(BASE_HEADERS)
        auth = None
        if isinstance(credential, str):
            hdrs["Authorization"] = credential
        elif credential is not None:
            auth = credential
        if json is not None:
            hdrs["Content-Type"] = "application/json; charset=utf-8"
        hdrs.update(headers or {})
        try:
            return self.session.request(method, url, params=params, json=json, data=data,
                                        headers=hdrs, auth=auth)
        except requests.exceptions.RequestException as exc:
            raise network_error(exc, url) from exc

    def _json(self, response: requests.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError as exc:
            raise NotDataverse(response.status_code, None, org=self.org_label,
                               details=(response.text or "")[:300]) from exc
        if not isinstance(data, dict):
            raise UnexpectedAnswer(response.status_code, None, org=self.org_label)
        return data

    # -- functions ---------------------------------------------------------------------
    def whoami(self) -> dict[str, Any]:
        return self._json(self.request("GET", "WhoAmI"))

    def retrieve_version(self) -> str:
        return str(self._json(self.request("GET", "RetrieveVersion")).get("Version", ""))

    def retrieve_current_organization(self) -> dict[str, Any]:
        data = self._json(self.request(
            "GET", "RetrieveCurrentOrganization(AccessType=@p1)",
            params={"@p1": "Microsoft.Dynamics.CRM.EndpointAccessType'Default'"}))
        detail = data.get("Detail")
        return detail if isinstance(detail, dict) else {}

    def retrieve_user_privileges(self, user_id: str) -> list[dict[str, Any]]:
        data = self._json(self.request(
            "GET", f"systemusers({_key(user_id)})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges"))
        privs = data.get("RolePrivileges", [])
        return privs if isinstance(privs, list) else []

    def has_privilege(self, user_id: str, privilege_name: str) -> bool:
        for p in self.retrieve_user_privileges(user_id):
            if str(p.get("PrivilegeName", "")).lower() == privilege_name.lower():
                return True
        return False

    # -- rows ----------------------------------------------------------------------------
    def get(self, entity_set: str, entity_id: str, select: list[str] | tuple[str, ...] |
            None = None) -> dict[str, Any]:
        params = {"$select": ",".join(select)} if select else None
        return self._json(self.request("GET", f"{entity_set}({_key(entity_id)})",
                                       params=params))

    def list(self, entity_set: str, *, select: Iterable[str] | None = None, filter: str | None = None,
             orderby: str | None = None, top: int | None = None,
             page_size: int | None = None) -> Iterator[dict[str, Any]]:
        params: dict[str, str] = {}
        if select:
            params["$select"] = ",".join(select)
        if filter:
            params["$filter"] = filter
        if orderby:
            params["$orderby"] = orderby
        if top is not None:
            params["$top"] = str(top)
        headers = {}
        if page_size:
            headers["Prefer"] = f"odata.maxpagesize={min(int(page_size), MAX_PAGE_SIZE)}"
        url: str | None = entity_set
        first = True
        while url:
            response = self.request("GET", url, params=params if first else None,
                                    headers=headers)
            first = False
            page = self._json(response)
            yield from page.get("value", [])
            url = page.get("@odata.nextLink")  # followed unchanged: it carries $skiptoken

    def create(self, entity_set: str, body: Mapping[str, Any]) -> str:
        response = self.request("POST", entity_set, json=dict(body))
        entity_url = response.headers.get("OData-EntityId", "")
        match = _GUID.search(entity_url.rsplit("(", 1)[-1]) if entity_url else None
        if match:
            return match.group(0)
        if response.content:
            data = self._json(response)
            for k, v in data.items():
                if k.endswith("id") and isinstance(v, str) and _GUID.fullmatch(v):
                    return v
        raise NoCreatedId(response.status_code, None, org=self.org_label)

    def update(self, entity_set: str, entity_id: str, body: Mapping[str, Any],
               etag: str | None = None) -> None:
        headers = {"If-Match": etag} if etag else {"If-Match": "*"}
        self.request("PATCH", f"{entity_set}({_key(entity_id)})", json=dict(body),
                     headers=headers)

    def delete(self, entity_set: str, entity_id: str, etag: str | None = None) -> None:
        headers = {"If-Match": etag} if etag else None
        self.request("DELETE", f"{entity_set}({_key(entity_id)})", headers=headers)


def literal(value: str) -> str:
    """An OData string literal for use in $filter (quotes doubled)."""
    return _odata_literal(value)
