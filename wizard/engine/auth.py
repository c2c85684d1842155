"""Signing in: msal public clients per authority, the encrypted token cache, probing.

One :class:`Authenticator` per process holds one msal ``PublicClientApplication`` per
(authority, client id), all sharing the shared HTTP session (``http_client``) and the
:class:`~wizard.engine.token_cache.EncryptedTokenCache`. Flows:

- interactive: msal's auth-code flow with PKCE; the sign-in page opens through an
  injectable ``open_browser(url)`` (system browser by default; tests script it, the
  GUI can use an in-app dialog) and a loopback server on 127.0.0.1 receives the answer
  (``http://localhost:<port>``).
- device code: :meth:`Authenticator.start_device_code` returns the code, address and
  message to show; :meth:`Authenticator.finish_device_code` waits (cancellable).
- user name + password (ROPC) for non-interactive use against authorities that allow it
  (the sandbox, ADFS); Entra accounts with MFA are told to use another method.
- silent: from the cache (refreshing with the refresh token as needed).

Errors are :class:`~wizard.engine.signin_errors.SignInError` subclasses.
:func:`probe_org` finds out how an org wants to be signed in to (OAuth with which
authority, or Windows authentication).
"""

from __future__ import annotations

import html
import logging
import re
import threading
import time
import warnings
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import msal
import requests

from wizard.engine.cancel import CancelEvent
from wizard.engine.clouds import SAMPLE_CLIENT_ID, Cloud
from wizard.engine.errors import WizardError
from wizard.engine.http import network_error
from wizard.engine.http_errors import NetworkError
from wizard.engine.signin_errors import (
    AccountAmbiguous,
    AuthorityInvalid,
    AuthorityUnknown,
    BrowserAnswerMismatch,
    BrowserSignInTimedOut,
    DeviceCodeNotStarted,
    NoAnswer,
    NoBrowser,
    NotSignedInAs,
    NotSignedInYet,
    SavedSignInUnusable,
    SignInCancelled,
    SignInServiceUnreachable,
    signin_error,
)

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.token_cache import EncryptedTokenCache

log = logging.getLogger(__name__)

# Hosts msal knows as Microsoft Entra ID; every other authority skips instance discovery.
MICROSOFT_AUTHORITY_HOSTS = frozenset({
    "login.microsoftonline.com", "login.microsoft.com", "login.windows.net",
    "sts.windows.net", "login.microsoftonline.us", "login.chinacloudapi.cn",
    "login.partner.microsoftonline.cn", "login.microsoftonline.de",
})
INTERACTIVE_TIMEOUT_S = 300.0


@dataclass
class SignInResult:
    """A successful sign-in. ``access_token`` is never printed (repr hides it)."""

    authority: str
    scopes: list[str]
    username: str | None
    tenant_id: str | None
    object_id: str | None
    home_account_id: str | None
    expires_at: float
    access_token: str = field(repr=False)

    @property
    def authorization(self) -> str:
        return f"Bearer {self.access_token}"

    def describe(self) -> dict[str, Any]:
        """JSON-safe facts about the sign-in (no token)."""
        return {"user": self.username, "tenant_id": self.tenant_id,
                "authority": self.authority, "expires_at": int(self.expires_at)}


@dataclass
class DeviceCodePrompt:
    """What to tell the user for a device-code sign-in."""

    user_code: str
    verification_uri: str
    message: str
    expires_at: float
    authority: str
    scopes: list[str]
    client_id: str
    flow: dict[str, Any] = field(repr=False)

    def describe(self) -> dict[str, Any]:
        return {"user_code": self.user_code, "verification_uri": self.verification_uri,
                "message": self.message, "expires_at": int(self.expires_at)}


def org_scopes(resource: str) -> list[str]:
    """The delegated scope for a Dataverse org (or on-prem resource id)."""
    return [resource.rstrip("/") + "/user_impersonation"]


def is_microsoft_authority(authority: str) -> bool:
    return (urlsplit(authority).hostname or "").lower() in MICROSOFT_AUTHORITY_HOSTS


def is_adfs_authority(authority: str) -> bool:
    return urlsplit(authority).path.rstrip("/").lower().endswith("/adfs")


class Authenticator:
    def __init__(self, *, session: requests.Session, cache: "EncryptedTokenCache | msal.TokenCache",
                 client_id: str = SAMPLE_CLIENT_ID, clock: Callable[[], float] = time.time,
                 open_browser: Callable[[str], Any] | None = None) -> None:
        self.session = session
        self.cache = cache
        self.client_id = client_id
        self.clock = clock
        self.open_browser = open_browser or _system_browser
        self._apps: dict[tuple[str, str], msal.PublicClientApplication] = {}
        self._lock = threading.Lock()

    # -- msal apps ---------------------------------------------------------------------
    def app(self, authority: str, client_id: str | None = None) -> msal.PublicClientApplication:
        authority = authority.rstrip("/")
        key = (authority.lower(), client_id or self.client_id)
        with self._lock:
            existing = self._apps.get(key)
            if existing is not None:
                return existing
        try:
            app = msal.PublicClientApplication(
                key[1], authority=authority, http_client=self.session,
                token_cache=self.cache,
                instance_discovery=is_microsoft_authority(authority),
            )
        except requests.exceptions.RequestException as exc:
            raise _authority_unreachable(authority, exc) from exc
        except ValueError as exc:
            answer = self._discovery_error(authority)
            if answer is not None:
                raise signin_error(answer) from exc
            raise AuthorityInvalid(authority=authority, details=str(exc)) from exc
        if not is_microsoft_authority(authority):
            # Home-realm discovery (federated ROPC) is an Entra ID feature, and msal would
            # call https://<host without port>/common/userrealm/... for it: skip it.
            app.authority.user_realm_discovery = lambda *args, **kwargs: {}
        with self._lock:
            return self._apps.setdefault(key, app)

    def _discovery_error(self, authority: str) -> dict[str, Any] | None:
        """The Entra error behind a failed authority lookup (e.g. AADSTS90002), if any."""
        url = authority + ("/.well-known/openid-configuration" if is_adfs_authority(authority)
                           else "/v2.0/.well-known/openid-configuration")
        try:
            response = self.session.get(url, headers={"Accept": "application/json"})
            body = response.json()
        except (requests.exceptions.RequestException, ValueError):
            return None
        return body if isinstance(body, dict) and "error" in body else None

    # -- flows -------------------------------------------------------------------------
    def interactive(self, authority: str, scopes: list[str], *, login_hint: str | None = None,
                    prompt: str | None = None, client_id: str | None = None,
                    open_browser: Callable[[str], Any] | None = None,
                    timeout: float = INTERACTIVE_TIMEOUT_S,
                    cancel_event: CancelEvent | None = None,
                    on_address: Callable[[str, bool], None] | None = None) -> SignInResult:
        """Sign in in a browser; returns when the browser came back to the loopback.

        ``on_address(url, opened)``: told the sign-in address once the browser was asked to
        open it, and whether that worked. With it, a failed browser launcher does not end
        the sign-in: the front end shows the address to open by hand (the wait is still
        bounded by ``timeout``); without it, :class:`NoBrowser` is raised."""
        app = self.app(authority, client_id)
        with _LoopbackReceiver() as receiver:
            try:
                flow = app.initiate_auth_code_flow(
                    scopes, redirect_uri=receiver.redirect_uri, login_hint=login_hint,
                    prompt=prompt, response_mode="form_post")
            except requests.exceptions.RequestException as exc:
                raise _authority_unreachable(authority, exc) from exc
            opened = True
            try:
                (open_browser or self.open_browser)(flow["auth_uri"])
            except NoBrowser:
                if on_address is None:
                    raise
                opened = False       # the person can still open the address themselves
            if on_address is not None:
                on_address(flow["auth_uri"], opened)
            response = receiver.wait(timeout, cancel_event)
        if "error" in response and "code" not in response:
            raise signin_error(response)
        try:
            result = app.acquire_token_by_auth_code_flow(flow, response, scopes=scopes)
        except ValueError as exc:  # state mismatch: not our sign-in
            raise BrowserAnswerMismatch(details=str(exc)) from exc
        except requests.exceptions.RequestException as exc:
            raise _authority_unreachable(authority, exc) from exc
        return self._result(authority, scopes, result)

    def start_device_code(self, authority: str, scopes: list[str], *,
                          client_id: str | None = None) -> DeviceCodePrompt:
        app = self.app(authority, client_id)
        try:
            flow = app.initiate_device_flow(scopes=scopes)
        except requests.exceptions.RequestException as exc:
            raise _authority_unreachable(authority, exc) from exc
        if "user_code" not in flow:
            raise DeviceCodeNotStarted(cause=signin_error(flow))
        return DeviceCodePrompt(
            user_code=flow["user_code"], verification_uri=flow.get("verification_uri", ""),
            message=flow.get("message") or (f"Open {flow.get('verification_uri')} and enter "
                                            f"the code {flow['user_code']}."),
            expires_at=float(flow.get("expires_at") or self.clock() + 900),
            authority=authority, scopes=list(scopes), client_id=client_id or self.client_id,
            flow=flow)

    def finish_device_code(self, prompt: DeviceCodePrompt, *,
                           cancel_event: CancelEvent | None = None) -> SignInResult:
        app = self.app(prompt.authority, prompt.client_id)

        def give_up(flow: dict[str, Any]) -> bool:
            return bool(cancel_event is not None and cancel_event.is_set()) or \
                flow.get("expires_at", 0) < time.time()

        try:
            result = app.acquire_token_by_device_flow(prompt.flow, exit_condition=give_up)
        except requests.exceptions.RequestException as exc:
            raise _authority_unreachable(prompt.authority, exc) from exc
        if cancel_event is not None and cancel_event.is_set() and "access_token" not in result:
            raise SignInCancelled()
        return self._result(prompt.authority, prompt.scopes, result)

    def password(self, authority: str, scopes: list[str], username: str, password: str, *,
                 client_id: str | None = None) -> SignInResult:
        """User name + password (ROPC). For authorities that allow it; never for MFA."""
        app = self.app(authority, client_id)
        try:
            with warnings.catch_warnings():
                # msal deprecates ROPC for public clients; we offer it only where the
                # authority allows it (sandbox, ADFS, scripted helpdesk use) and say so.
                warnings.simplefilter("ignore", DeprecationWarning)
                result = app.acquire_token_by_username_password(username, password, scopes)
        except requests.exceptions.RequestException as exc:
            raise _authority_unreachable(authority, exc) from exc
        return self._result(authority, scopes, result)

    def silent(self, authority: str, scopes: list[str], *, username: str | None = None,
               client_id: str | None = None, force_refresh: bool = False,
               claims_challenge: str | None = None) -> SignInResult:
        """A token from the cache (refreshed if needed). Raises NotSignedIn/SignInExpired.

        ``force_refresh`` skips the cached access token and redeems the refresh token;
        ``claims_challenge`` (the decoded JSON of a ``claims`` challenge the resource sent
        with a 401) is passed to the identity provider with it, as Microsoft's guidance on
        claims challenges and Continuous Access Evaluation asks."""
        app = self.app(authority, client_id)
        accounts = self._accounts_for(app, authority, username)
        if not accounts:
            if not username and len(app.get_accounts()) > 1:
                raise AccountAmbiguous()
            reset = getattr(self.cache, "reset", None)
            if reset is not None:
                raise reset
            raise NotSignedInAs(username=username) if username else NotSignedInYet()
        last: Mapping[str, Any] | None = None
        for account in accounts:
            try:
                result = app.acquire_token_silent_with_error(
                    scopes, account=account, authority=None,
                    force_refresh=force_refresh or claims_challenge is not None,
                    claims_challenge=claims_challenge)
            except requests.exceptions.RequestException as exc:
                raise _authority_unreachable(authority, exc) from exc
            if result and "access_token" in result:
                return self._result(authority, scopes, result, account=account)
            last = result or last
        if last:
            raise signin_error(last)
        raise SavedSignInUnusable()

    def token_provider(self, authority: str, scopes: list[str], *,
                       username: str | None = None,
                       client_id: str | None = None) -> "TokenProvider":
        """A callable for DataverseClient: a fresh ``Bearer`` value on every call, and
        ``refresh(claims)`` for the client to call once when the server refused a token."""
        return TokenProvider(self, authority, scopes, username, client_id)

    def accounts(self, authority: str, *, client_id: str | None = None) -> list[dict[str, Any]]:
        return list(self.app(authority, client_id).get_accounts())

    def sign_out(self, authority: str, *, username: str | None = None,
                 client_id: str | None = None) -> int:
        """Remove the account(s) and their tokens from the cache; returns how many."""
        app = self.app(authority, client_id)
        accounts = app.get_accounts(username=username) if username else app.get_accounts()
        for account in accounts:
            app.remove_account(account)
        return len(accounts)

    # -- helpers -----------------------------------------------------------------------
    def _accounts_for(self, app: msal.PublicClientApplication, authority: str,
                      username: str | None) -> list[dict[str, Any]]:
        accounts: list[dict[str, Any]] = (app.get_accounts(username=username) if username
                                          else app.get_accounts())
        if not username and len(accounts) > 1:
            # Several people signed in on this machine: make the caller say who.
            return []
        return accounts

    def _result(self, authority: str, scopes: list[str], result: Mapping[str, Any] | None,
                account: Mapping[str, Any] | None = None) -> SignInResult:
        if not result:
            raise NoAnswer()
        if "access_token" not in result:
            raise signin_error(result)
        claims = result.get("id_token_claims") or {}
        username = (claims.get("preferred_username") or claims.get("upn")
                    or claims.get("unique_name") or (account or {}).get("username"))
        home = (account or {}).get("home_account_id")
        tenant = claims.get("tid") or (account or {}).get("realm")
        if home is None and claims.get("oid") and tenant:
            home = f"{claims['oid']}.{tenant}"
        expires_in = result.get("expires_in")
        try:
            expires_at = self.clock() + float(expires_in) if expires_in else self.clock() + 3600
        except (TypeError, ValueError):
            expires_at = self.clock() + 3600
        return SignInResult(authority=authority, scopes=list(scopes), username=username,
                            tenant_id=tenant, object_id=claims.get("oid"),
                            home_account_id=home, expires_at=expires_at,
                            access_token=result["access_token"])


class TokenProvider:
    """``provider()`` is the ``Authorization`` value of a cached (or refreshed) token;
    ``provider.refresh(claims)`` forces one refresh with the refresh token, passing the
    resource's claims challenge, when the resource refused the token (HTTP 401)."""

    def __init__(self, auth: Authenticator, authority: str, scopes: list[str],
                 username: str | None, client_id: str | None) -> None:
        self.auth, self.authority, self.scopes = auth, authority, scopes
        self.username, self.client_id = username, client_id

    def __call__(self) -> str:
        return self.auth.silent(self.authority, self.scopes, username=self.username,
                                client_id=self.client_id).authorization

    def refresh(self, claims: str | None = None) -> str:
        return self.auth.silent(self.authority, self.scopes, username=self.username,
                                client_id=self.client_id, force_refresh=True,
                                claims_challenge=claims).authorization


def claims_challenge(response: requests.Response) -> str | None:
    """The decoded claims challenge of a 401 (``WWW-Authenticate: Bearer ...,
    error="insufficient_claims", claims="<base64 JSON>"``), or None.

    Microsoft Learn, "Claims challenges, claims requests and client capabilities": the
    ``claims`` parameter is base64-encoded JSON; msal wants the JSON text itself.
    """
    import base64
    import json

    raw = response.raw.headers.getlist("WWW-Authenticate") if hasattr(
        response.raw, "headers") and hasattr(response.raw.headers, "getlist") else []
    if not raw and response.headers.get("WWW-Authenticate"):
        raw = [response.headers["WWW-Authenticate"]]
    encoded = parse_challenges(raw).get("bearer", {}).get("claims")
    if not encoded:
        return None
    try:
        padded = encoded + "=" * (-len(encoded) % 4)
        text = base64.b64decode(padded.replace("-", "+").replace("_", "/"),
                                validate=True).decode("utf-8")
        json.loads(text)
    except (ValueError, UnicodeDecodeError):
        log.warning("ignoring a claims challenge that is not base64-encoded JSON")
        return None
    return text


def _authority_unreachable(authority: str, exc: BaseException) -> WizardError:
    err = network_error(exc, authority)
    return SignInServiceUnreachable(cause=err) if isinstance(err, NetworkError) else err


def _system_browser(url: str) -> None:
    try:
        opened = webbrowser.open(url)
    except Exception as exc:  # noqa: BLE001 - a broken launcher is "no browser", whatever it raised
        raise NoBrowser(details=f"{type(exc).__name__}: {exc}") from exc
    if not opened:
        raise NoBrowser()


# --------------------------------------------------------------------------------------
# Loopback redirect receiver
# --------------------------------------------------------------------------------------
_DONE_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>d365-wizard</title>
</head><body style="font-family:sans-serif"><h1>{title}</h1><p>{text}</p></body></html>"""


class _LoopbackReceiver:
    """A one-shot HTTP server on 127.0.0.1 that waits for the sign-in answer."""

    def __init__(self) -> None:
        self._answer: dict[str, str] | None = None
        self._arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass  # the query holds the authorization code: never log it

            def _finish(self, params: dict[str, str]) -> None:
                if not params or not ({"code", "error"} & params.keys()):
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                ok = "code" in params
                title = "Signed in" if ok else "Sign-in did not complete"
                text = ("You can close this window and return to d365-wizard." if ok else
                        html.escape(params.get("error_description") or params.get("error", "")))
                body = _DONE_PAGE.format(title=title, text=text).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                if receiver._answer is None:
                    receiver._answer = params
                    receiver._arrived.set()

            def do_GET(self) -> None:
                self._finish(dict(parse_qsl(urlsplit(self.path).query)))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                self._finish(dict(parse_qsl(body)))

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self._server.timeout = 0.2
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._serve, name="signin-loopback",
                                        daemon=True)
        self._stop = threading.Event()

    @property
    def redirect_uri(self) -> str:
        return f"http://localhost:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set() and not self._arrived.is_set():
            self._server.handle_request()

    def __enter__(self) -> "_LoopbackReceiver":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.server_close()

    def wait(self, timeout: float, cancel_event: CancelEvent | None) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while not self._arrived.wait(0.2):
            if cancel_event is not None and cancel_event.is_set():
                raise SignInCancelled()
            if time.monotonic() > deadline:
                raise BrowserSignInTimedOut(minutes=max(1, round(timeout / 60)))
        assert self._answer is not None
        return self._answer


# --------------------------------------------------------------------------------------
# Probing an org: how does it want to be signed in to?
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AuthChallenge:
    """What an unauthenticated request to the org answered.

    ``kind``: "oauth" (Bearer: ``authority`` and ``resource``), "ntlm" (Negotiate/NTLM:
    ``schemes`` lists what the server offers), or "none" (no challenge; the org let us
    in or answered something else).
    """

    kind: str
    authority: str | None = None
    resource: str | None = None
    tenant_id: str | None = None
    schemes: tuple[str, ...] = ()
    status: int | None = None

    @property
    def auth_method(self) -> str:
        if self.kind == "ntlm":
            return "ntlm"
        if self.kind == "oauth":
            return "adfs" if self.authority and is_adfs_authority(self.authority) else "oauth"
        return "unknown"


_PARAM = re.compile(r'([A-Za-z0-9_.-]+)\s*=\s*(?:"([^"]*)"|([^,\s]*))')
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}$")


def _split_commas(value: str) -> list[str]:
    parts: list[str] = []
    buf: list[str] = []
    quoted = False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return [p.strip() for p in parts if p.strip()]


_PARAM_START = re.compile(r"^([A-Za-z0-9_.-]+)\s*=\s*(?:\"|[^=\s])")


def parse_challenges(values: list[str]) -> dict[str, dict[str, str]]:
    """``WWW-Authenticate`` header values -> {scheme (lower): {param: value}}."""
    out: dict[str, dict[str, str]] = {}
    for value in values:
        current: str | None = None
        for piece in _split_commas(value):
            if _PARAM_START.match(piece) and current is not None:
                param = piece
            else:
                scheme, _, param = piece.partition(" ")
                current = scheme.lower()
                out.setdefault(current, {})
                param = param.strip()
                if not param or not _PARAM_START.match(param):
                    continue  # no parameters, or a token68 (NTLM/Negotiate blob)
            m = _PARAM.match(param)
            if m and current is not None:
                out[current][m.group(1).lower()] = (m.group(2) if m.group(2) is not None
                                                    else m.group(3))
    return out


def challenge_from_response(response: requests.Response) -> AuthChallenge:
    raw = response.raw.headers.getlist("WWW-Authenticate") if hasattr(
        response.raw, "headers") and hasattr(response.raw.headers, "getlist") else []
    if not raw and response.headers.get("WWW-Authenticate"):
        raw = [response.headers["WWW-Authenticate"]]
    challenges = parse_challenges(raw)
    if "bearer" in challenges:
        params = challenges["bearer"]
        uri = params.get("authorization_uri") or params.get("authorization") or ""
        authority = authority_from_authorization_uri(uri) if uri else None
        tenant = None
        if authority:
            seg = urlsplit(authority).path.strip("/").split("/")[0]
            tenant = seg if _GUID.match(seg) else None
        return AuthChallenge("oauth", authority=authority,
                             resource=(params.get("resource_id") or params.get("resource")
                                       or None), tenant_id=tenant,
                             status=response.status_code)
    win = tuple(s for s in ("negotiate", "ntlm") if s in challenges)
    if win:
        return AuthChallenge("ntlm", schemes=win, status=response.status_code)
    return AuthChallenge("none", status=response.status_code)


def authority_from_authorization_uri(uri: str) -> str | None:
    """``https://login.microsoftonline.com/<tenant>/oauth2/authorize`` -> authority."""
    p = urlsplit(uri)
    if p.scheme != "https" or not p.netloc:
        return None
    path = p.path
    for tail in ("/oauth2/v2.0/authorize", "/oauth2/authorize", "/oauth2/v2.0/token",
                 "/oauth2/token"):
        if path.lower().endswith(tail):
            path = path[: -len(tail)]
            break
    return f"https://{p.netloc}{path.rstrip('/')}"


def probe_org(session: requests.Session, base_url: str) -> AuthChallenge:
    """Ask the org, without credentials, how it wants to be signed in to."""
    url = base_url.rstrip("/") + "/api/data/v9.2/WhoAmI"
    # A fresh connection: a pooled one may already be Windows-authenticated.
    fork = getattr(session, "fork", None)
    probe = fork() if fork is not None else session
    try:
        try:
            response = probe.get(url, headers={"Accept": "application/json"},
                                 allow_redirects=False)
        except requests.exceptions.RequestException as exc:
            raise network_error(exc, url) from exc
        try:
            return challenge_from_response(response)
        finally:
            response.close()
    finally:
        if probe is not session:
            probe.close()


def authority_for_org(cloud: Cloud | None, challenge: AuthChallenge | None,
                      tenant_id: str | None = None) -> str:
    """The authority to sign in to an org with.

    A built-in cloud only trusts its own sign-in host (a challenge naming another host
    is ignored); custom clouds and on-premises orgs use what the server names.
    """
    if challenge is not None and challenge.authority:
        host = (urlsplit(challenge.authority).hostname or "").lower()
        if cloud is None or not cloud.builtin or host == cloud.authority_host.lower():
            return challenge.authority
    if cloud is None:
        raise AuthorityUnknown()
    return cloud.authority_for(tenant_id or (challenge.tenant_id if challenge else None))
