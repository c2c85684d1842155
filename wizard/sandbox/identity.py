"""The sandbox identity provider: what msal needs from Entra ID (and from ADFS).

OpenID Connect discovery, the authorize endpoint with an HTML sign-in page that works in a
real browser (password, then a one-time code for MFA users), the token endpoint
(authorization code with PKCE, device code, refresh token, and a password grant so tests
get tokens quickly), the device-code endpoint with its verification page, and the JWKS.

Tokens are RS256 JWTs signed with a key kept in the data dir (so tokens survive a restart
of the sandbox). Access tokens look like the v1 tokens Dataverse gets (aud = the resource
URL, scp = user_impersonation); id tokens are v2 (aud = client id, nonce). Refresh tokens
are signed JWTs too, so they also survive a restart.

Errors use Entra's JSON shape and AADSTS codes (REFERENCE.md "Sign-in").
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from wizard.sandbox import seed
from wizard.sandbox.faults import Faults
from wizard.sandbox.sandbox_error import SandboxError

SAMPLE_CLIENT_ID = "51f81489-12ee-4a9e-aaae-a2591f45987d"
# Registered in the tenant, but nobody consented to it: every sign-in gets AADSTS65001.
UNCONSENTED_CLIENT_ID = "0b5e9c8a-65a1-4e0d-9a1b-6500100650a1"
CLIENT_APPS = {
    SAMPLE_CLIENT_ID: "Dynamics 365 Example Client Application",
    UNCONSENTED_CLIENT_ID: "Contoso Unconsented Tool",
}
REFRESH_AUDIENCE = "urn:sandbox:refresh-token"
OIDC_SCOPES = {"openid", "profile", "offline_access", "email"}


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    name: str
    domains: tuple[str, ...]


TENANTS = {
    seed.TENANT_ID: Tenant(seed.TENANT_ID, seed.TENANT_NAME,
                           (seed.TENANT_DOMAIN, "contoso.onmicrosoft.com")),
    seed.GUEST_TENANT_ID: Tenant(seed.GUEST_TENANT_ID, "Fabrikam",
                                 ("fabrikam.example", "fabrikam.onmicrosoft.com")),
}
MULTI_TENANT = ("organizations", "common")


def resolve_tenant(segment: str) -> Tenant | str | None:
    """A tenant from an authority path segment: GUID, domain, or "organizations"/"common"."""
    s = segment.strip().lower()
    if s in MULTI_TENANT:
        return s
    for t in TENANTS.values():
        if s == t.tenant_id or s in t.domains:
            return t
    return None


def is_member(user: seed.User, tenant_id: str) -> bool:
    """Home tenant, or a guest invited to Contoso (every seed user belongs to a Contoso org)."""
    return user.home_tenant_id == tenant_id or (tenant_id == seed.TENANT_ID and bool(user.orgs))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class IdentityError(SandboxError):
    """An Entra error: ``error`` (OAuth), AADSTS ``code``, and its text."""

    def __init__(self, error: str, code: int, text: str, *, suberror: str | None = None,
                 status: int = 400, claims: str | None = None) -> None:
        super().__init__(f"AADSTS{code}: {text}")
        self.error = error
        self.code = code
        self.text = text
        self.suberror = suberror
        self.status = status
        self.claims = claims

    def body(self, now: float | None = None) -> dict[str, Any]:
        trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = dt.datetime.fromtimestamp(now or time.time(), dt.timezone.utc)
        ts = stamp.strftime("%Y-%m-%d %H:%M:%SZ")
        out: dict[str, Any] = {
            "error": self.error,
            "error_description": (f"AADSTS{self.code}: {self.text} Trace ID: {trace_id} "
                                  f"Correlation ID: {correlation_id} Timestamp: {ts}"),
            "error_codes": [self.code],
            "timestamp": ts,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"https://login.microsoftonline.com/error?code={self.code}",
        }
        if self.suberror:
            out["suberror"] = self.suberror
        if self.claims:
            out["claims"] = self.claims
        return out


# The Entra errors the sandbox produces, by name (texts follow Entra's wording).
def err_mfa_required(resource: str) -> IdentityError:
    return IdentityError(
        "interaction_required", 50076,
        "Due to a configuration change made by your administrator, or because you moved to a "
        f"new location, you must use multi-factor authentication to access '{resource}'.",
        suberror="basic_action",
        claims='{"access_token":{"capolids":{"essential":true,"values":["sandbox-mfa"]}}}')


def err_mfa_enrollment_required(resource: str) -> IdentityError:
    return IdentityError(
        "interaction_required", 50079,
        "Due to a configuration change made by your administrator, or because you moved to a "
        f"new location, you must enroll in multi-factor authentication to access '{resource}'.",
        suberror="basic_action")


def err_consent_declined() -> IdentityError:
    return IdentityError("access_denied", 65004, "User declined to consent to access the app.")


def err_bad_password() -> IdentityError:
    return IdentityError("invalid_grant", 50126,
                       "Error validating credentials due to invalid username or password.")


def err_unknown_user(upn: str, tenant: str) -> IdentityError:
    return IdentityError("invalid_grant", 50034,
                       f"The user account {upn} does not exist in the {tenant} directory. To "
                       "sign into this application, the account must be added to the directory.")


def err_consent(client_id: str) -> IdentityError:
    name = CLIENT_APPS.get(client_id, client_id)
    return IdentityError("invalid_grant", 65001,
                       f"The user or administrator has not consented to use the application "
                       f"with ID '{client_id}' named '{name}'. Send an interactive authorization "
                       "request for this user and resource.", suberror="consent_required")


def err_conditional_access() -> IdentityError:
    return IdentityError("invalid_grant", 53003,
                       "Access has been blocked by Conditional Access policies. The access "
                       "policy does not allow token issuance.", suberror="message_only")


def err_refresh_expired(issued: float, now: float) -> IdentityError:
    when = dt.datetime.fromtimestamp(issued, dt.timezone.utc).strftime("%m/%d/%Y %H:%M:%S")
    idle = dt.timedelta(seconds=int(max(0, now - issued)))
    return IdentityError("invalid_grant", 700082,
                       f"The refresh token has expired due to inactivity. The token was issued "
                       f"on {when} and was inactive for {idle}.", suberror="bad_token")


def err_not_in_tenant(upn: str, tenant: Tenant, client_id: str) -> IdentityError:
    home = upn.split("@")[-1]
    return IdentityError("invalid_grant", 50020,
                       f"User account '{upn}' from identity provider 'https://sts.windows.net/"
                       f"{home}/' does not exist in tenant '{tenant.name}' and cannot access the "
                       f"application '{client_id}'({CLIENT_APPS.get(client_id, client_id)}) in "
                       "that tenant. The account needs to be added as an external user in the "
                       "tenant first. Sign out and sign in again with a different Azure Active "
                       "Directory user account.")


def err_disabled(upn: str) -> IdentityError:
    return IdentityError("invalid_grant", 50057,
                       "The user account is disabled. The account has been disabled by an "
                       "administrator.")


def err_tenant_not_found(segment: str) -> IdentityError:
    return IdentityError("invalid_tenant", 90002,
                       f"Tenant '{segment}' not found. Check to make sure you have the correct "
                       "tenant ID and are signing into the correct cloud. Check with your "
                       "subscription administrator, this may happen if there are no active "
                       "subscriptions for the tenant.")


def err_resource_not_found(resource: str, tenant: str) -> IdentityError:
    return IdentityError("invalid_resource", 500011,
                       f"The resource principal named {resource} was not found in the tenant "
                       f"named {tenant}. This can happen if the application has not been "
                       "installed by the administrator of the tenant or consented to by any user "
                       "in the tenant. You might have sent your authentication request to the "
                       "wrong tenant.")


def err_unknown_client(client_id: str, tenant: str) -> IdentityError:
    return IdentityError("unauthorized_client", 700016,
                       f"Application with identifier '{client_id}' was not found in the "
                       f"directory '{tenant}'. This can happen if the application has not been "
                       "installed by the administrator of the tenant or consented to by any user "
                       "in the tenant. You may have sent your authentication request to the "
                       "wrong tenant.")


def err_invalid_scope(scope: str) -> IdentityError:
    return IdentityError("invalid_scope", 70011,
                       f"The provided request must include a 'scope' input parameter. The "
                       f"provided value for the input parameter 'scope' is not valid: {scope!r}.")


def err_missing(param: str) -> IdentityError:
    return IdentityError("invalid_request", 900144,
                       f"The request body must contain the following parameter: '{param}'.")


def err_bad_grant(code: int, text: str) -> IdentityError:
    return IdentityError("invalid_grant", code, text)


def err_pending() -> IdentityError:
    return IdentityError("authorization_pending", 70016,
                       "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")


def err_device_expired() -> IdentityError:
    return IdentityError("expired_token", 70019, "Verification code expired.")


def err_slow_down() -> IdentityError:
    return IdentityError("slow_down", 70016,
                       "OAuth 2.0 device flow error. Polling too fast: slow down.")


def err_login_required() -> IdentityError:
    return IdentityError("login_required", 50058,
                       "A silent sign-in request was sent but no user is signed in.")


@dataclass
class AuthCode:
    user: seed.User
    realm: "Realm"
    tenant_id: str | None
    client_id: str
    redirect_uri: str
    scopes: list[str]
    nonce: str | None
    challenge: str | None
    mfa: bool
    expires: float


@dataclass
class DeviceFlow:
    device_code: str
    user_code: str
    realm: "Realm"
    tenant_segment: str
    client_id: str
    scopes: list[str]
    expires: float
    interval: int
    last_poll: float = 0.0
    user: seed.User | None = None
    tenant_id: str | None = None
    mfa: bool = False
    error: IdentityError | None = None


@dataclass
class LoginFlow:
    """One browser sign-in in progress (authorize request or device-code verification)."""

    flow_id: str
    realm: "Realm"
    tenant_segment: str
    client_id: str
    params: dict[str, str] = field(default_factory=dict)
    device_code: str | None = None
    user: seed.User | None = None
    expires: float = 0.0


@dataclass(frozen=True)
class Realm:
    """Where tokens come from: the Entra-style tenant authority or the ADFS one."""

    name: str                       # "entra" or "adfs"
    prefix: str                     # path before /oauth2..., e.g. "/<tenant>" or "/adfs"

    @property
    def is_adfs(self) -> bool:
        return self.name == "adfs"


ADFS = Realm("adfs", "/adfs")


class IdentityProvider:
    """WSGI app for the identity endpoints on the main port (Entra tenant paths and /adfs)."""

    def __init__(self, *, base_url: str, signing_key: rsa.RSAPrivateKey,
                 entra_resources: Callable[[], Iterable[str]],
                 adfs_resources: Callable[[], Iterable[str]],
                 faults: Faults, token_lifetime: int = 3600,
                 refresh_lifetime: int = 90 * 24 * 3600,
                 device_code_lifetime: int = 900, device_code_interval: int = 1,
                 clock: Callable[[], float] = time.time) -> None:
        self.base_url = base_url.rstrip("/")
        self._key = signing_key
        self._public_key = signing_key.public_key()
        self.kid = b64url(hashlib.sha1(jwt.algorithms.RSAAlgorithm.to_jwk(
            self._public_key).encode()).digest())
        self._entra_resources = entra_resources
        self._adfs_resources = adfs_resources
        self.faults = faults
        self.token_lifetime = token_lifetime
        self.refresh_lifetime = refresh_lifetime
        self.device_code_lifetime = device_code_lifetime
        self.device_code_interval = device_code_interval
        self.clock = clock
        self._lock = threading.Lock()
        # Revocation (Sandbox.revoke): per user, a generation for access tokens and one for
        # refresh tokens; a token carrying an older generation is refused.
        self._access_generation: dict[str, int] = {}
        self._refresh_generation: dict[str, int] = {}
        self._codes: dict[str, AuthCode] = {}
        self._devices: dict[str, DeviceFlow] = {}
        self._logins: dict[str, LoginFlow] = {}
        self._sessions: dict[str, tuple[seed.User, bool, float]] = {}
        self.url_map = Map([
            Rule("/adfs/.well-known/openid-configuration", endpoint="adfs_config"),
            Rule("/adfs/oauth2/authorize", endpoint="adfs_authorize", methods=["GET", "POST"]),
            Rule("/adfs/oauth2/token", endpoint="adfs_token", methods=["POST"]),
            Rule("/adfs/oauth2/devicecode", endpoint="adfs_devicecode", methods=["POST"]),
            Rule("/adfs/discovery/keys", endpoint="keys"),
            Rule("/devicelogin", endpoint="devicelogin", methods=["GET", "POST"]),
            Rule("/_signin", endpoint="signin", methods=["POST"]),
            Rule("/<tenant>/v2.0/.well-known/openid-configuration", endpoint="config_v2"),
            Rule("/<tenant>/.well-known/openid-configuration", endpoint="config_v1"),
            Rule("/<tenant>/oauth2/v2.0/authorize", endpoint="authorize",
                 methods=["GET", "POST"]),
            Rule("/<tenant>/oauth2/authorize", endpoint="authorize", methods=["GET", "POST"]),
            Rule("/<tenant>/oauth2/v2.0/token", endpoint="token", methods=["POST"]),
            Rule("/<tenant>/oauth2/token", endpoint="token", methods=["POST"]),
            Rule("/<tenant>/oauth2/v2.0/devicecode", endpoint="devicecode", methods=["POST"]),
            Rule("/<tenant>/oauth2/devicecode", endpoint="devicecode", methods=["POST"]),
            Rule("/<tenant>/discovery/v2.0/keys", endpoint="keys"),
            Rule("/<tenant>/discovery/keys", endpoint="keys"),
        ], strict_slashes=False)

    # ---- public helpers (tests, the org middleware, discovery) ----

    @property
    def adfs_issuer(self) -> str:
        return f"{self.base_url}/adfs"

    def access_issuer(self, tenant_id: str) -> str:
        return f"{self.base_url}/{tenant_id}/"

    def decode_access_token(self, token: str, *, verify_exp: bool = True) -> dict[str, Any]:
        """Signature-checked claims of an access token (raises ``jwt.PyJWTError``)."""
        return jwt.decode(token, self._public_key, algorithms=["RS256"],
                          options={"verify_aud": False, "verify_exp": verify_exp,
                                   "require": ["exp", "aud", "iss"]}, leeway=0)

    def revoke(self, upn: str, *, sessions: bool = False) -> None:
        """Revoke ``upn``'s access tokens now (resources answer 401 with a claims challenge,
        as under Continuous Access Evaluation); with ``sessions`` also the refresh tokens
        (as after a password change: a refresh then fails with AADSTS50173)."""
        user = next((u for u in seed.USERS if u.upn.lower() == upn.lower()), None)
        if user is None:
            raise KeyError(upn)
        with self._lock:
            oid = user.object_id
            self._access_generation[oid] = self._access_generation.get(oid, 0) + 1
            if sessions:
                self._refresh_generation[oid] = self._refresh_generation.get(oid, 0) + 1

    def clear_revocations(self) -> None:
        with self._lock:
            self._access_generation.clear()
            self._refresh_generation.clear()

    def access_revoked(self, claims: dict[str, Any]) -> bool:
        with self._lock:
            current = self._access_generation.get(str(claims.get("oid")), 0)
        return int(claims.get("sbx_gen", 0) or 0) < current

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._public_key))
        jwk.update({"kid": self.kid, "x5t": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def password_grant(self, upn: str, password: str, scope: str, *,
                       tenant: str = seed.TENANT_ID,
                       client_id: str = SAMPLE_CLIENT_ID) -> dict[str, Any]:
        """Issue tokens in-process (the same checks as the token endpoint); raises IdentityError."""
        realm = ADFS if tenant == "adfs" else Realm("entra", f"/{tenant}")
        return self._grant_password(realm, tenant, {
            "client_id": client_id, "username": upn, "password": password, "scope": scope})

    # ---- WSGI ----

    def __call__(self, environ, start_response):
        request = Request(environ)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            endpoint, values = adapter.match()
            response = getattr(self, f"on_{endpoint}")(request, **values)
        except IdentityError as exc:
            response = self._error_json(exc)
        except HTTPException as exc:
            response = exc.get_response(environ)
        return response(environ, start_response)

    def _error_json(self, exc: IdentityError) -> Response:
        return Response(json.dumps(exc.body(self.clock())), status=exc.status,
                        content_type="application/json; charset=utf-8",
                        headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    @staticmethod
    def _json(data: dict[str, Any], status: int = 200) -> Response:
        return Response(json.dumps(data), status=status,
                        content_type="application/json; charset=utf-8",
                        headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def _entra_tenant(self, segment: str) -> Tenant | str:
        tenant = resolve_tenant(segment)
        if tenant is None:
            raise err_tenant_not_found(segment)
        return tenant

    # ---- discovery documents ----

    def on_config_v2(self, request: Request, tenant: str) -> Response:
        t = self._entra_tenant(tenant)
        seg = t if isinstance(t, str) else t.tenant_id
        base = f"{self.base_url}/{seg}"
        issuer_tid = "{tenantid}" if isinstance(t, str) else t.tenant_id
        return self._json({
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt",
                                                      "client_secret_basic"],
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{self.base_url}/{issuer_tid}/v2.0",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": f"{self.base_url}/oidc/userinfo",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name",
                                 "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat",
                                 "auth_time", "acr", "nonce", "preferred_username", "name",
                                 "tid", "ver", "at_hash", "c_hash", "email"],
            "kerberos_endpoint": f"{base}/kerberos",
            "tenant_region_scope": "NA",
            "cloud_instance_name": "sandbox.local",
            "cloud_graph_host_name": "graph.sandbox.local",
            "msgraph_host": "graph.sandbox.local",
            "rbac_url": "https://pas.sandbox.local",
        })

    def on_config_v1(self, request: Request, tenant: str) -> Response:
        t = self._entra_tenant(tenant)
        seg = t if isinstance(t, str) else t.tenant_id
        base = f"{self.base_url}/{seg}"
        issuer_tid = "{tenantid}" if isinstance(t, str) else t.tenant_id
        return self._json({
            "token_endpoint": f"{base}/oauth2/token",
            "jwks_uri": f"{self.base_url}/common/discovery/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "token id_token",
                                         "token"],
            "issuer": f"{self.base_url}/{issuer_tid}/",
            "authorization_endpoint": f"{base}/oauth2/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/devicecode",
            "end_session_endpoint": f"{base}/oauth2/logout",
        })

    def on_adfs_config(self, request: Request) -> Response:
        base = self.adfs_issuer
        return self._json({
            "issuer": base,
            "authorization_endpoint": f"{base}/oauth2/authorize/",
            "token_endpoint": f"{base}/oauth2/token/",
            "jwks_uri": f"{base}/discovery/keys",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic",
                                                      "private_key_jwt",
                                                      "windows_client_authentication"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token",
                                         "code token", "code id_token token"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "grant_types_supported": ["authorization_code", "refresh_token",
                                      "client_credentials", "password",
                                      "urn:ietf:params:oauth:grant-type:device_code"],
            "subject_types_supported": ["pairwise"],
            "scopes_supported": ["openid", "profile", "email", "allatclaims", "user_impersonation",
                                 "offline_access", "logon_cert", "aza", "vpn_cert"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "device_authorization_endpoint": f"{base}/oauth2/devicecode",
            "end_session_endpoint": f"{base}/oauth2/logout",
            "userinfo_endpoint": f"{base}/userinfo",
            "code_challenge_methods_supported": ["plain", "S256"],
            "access_token_issuer": f"http://{urlsplit(self.base_url).netloc}/adfs/services/trust",
            "capabilities": [],
        })

    def on_keys(self, request: Request, tenant: str | None = None) -> Response:
        if tenant is not None:
            self._entra_tenant(tenant)
        return self._json(self.jwks())

    # ---- scopes and checks ----

    def _resource_of(self, realm: Realm, scopes: list[str], tenant_name: str) -> str:
        """The one resource the scopes ask for (Entra allows one per request)."""
        resources = []
        for s in scopes:
            if s in OIDC_SCOPES:
                continue
            base, sep, last = s.rpartition("/")
            if not sep or not base.startswith("https://") or last not in (
                    "user_impersonation", ".default"):
                raise err_invalid_scope(" ".join(scopes))
            resources.append(base)
        if not resources:
            raise err_invalid_scope(" ".join(scopes))
        if len({r.rstrip("/").lower() for r in resources}) > 1:
            raise IdentityError("invalid_request", 28000,
                              "Provided value for the input parameter scope is not valid "
                              "because it contains more than one resource.")
        resource = resources[0]
        known = self._adfs_resources() if realm.is_adfs else self._entra_resources()
        if resource.rstrip("/").lower() not in {k.rstrip("/").lower() for k in known}:
            raise err_resource_not_found(resource, tenant_name)
        return resource

    def _check_client(self, client_id: str, tenant_name: str) -> None:
        if not client_id:
            raise err_missing("client_id")
        if client_id not in CLIENT_APPS:
            raise err_unknown_client(client_id, tenant_name)

    def _check_user(self, realm: Realm, tenant: Tenant | str, upn: str,
                    password: str | None, client_id: str) -> tuple[seed.User, str | None]:
        """Who signs in and into which tenant (None for ADFS); password None = already checked."""
        user = seed.user_by_upn(upn)
        tenant_name = tenant.name if isinstance(tenant, Tenant) else (
            "ADFS" if realm.is_adfs else seed.TENANT_NAME)
        if user is None:
            raise err_unknown_user(upn, tenant_name)
        if password is not None and password != seed.PRACTICE_PASSWORD:
            raise err_bad_password()
        if user.disabled:
            raise err_disabled(user.upn)
        if realm.is_adfs:
            return user, None
        tenant_id = tenant.tenant_id if isinstance(tenant, Tenant) else user.home_tenant_id
        if not is_member(user, tenant_id):
            raise err_not_in_tenant(user.upn, TENANTS[tenant_id], client_id)
        return user, tenant_id

    def _check_issuance(self, realm: Realm, user: seed.User, client_id: str, scopes: list[str],
                        tenant_id: str | None, *, mfa: bool) -> str:
        tenant_name = TENANTS[tenant_id].name if tenant_id in TENANTS else "ADFS"
        resource = self._resource_of(realm, scopes, tenant_name)
        if client_id == UNCONSENTED_CLIENT_ID or self.faults.get("consent_missing"):
            raise err_consent(client_id)
        if self.faults.get("consent_declined"):
            raise err_consent_declined()
        if self.faults.get("conditional_access"):
            raise err_conditional_access()
        if self.faults.get("mfa_enrollment_required"):
            raise err_mfa_enrollment_required(resource)
        if not mfa and (user.requires_mfa or self.faults.get("mfa_required")):
            raise err_mfa_required(resource)
        return resource

    # ---- tokens ----

    def _issue(self, realm: Realm, user: seed.User, tenant_id: str | None, client_id: str,
               scopes: list[str], resource: str, *, mfa: bool, nonce: str | None = None,
               auth_time: float | None = None) -> dict[str, Any]:
        now = int(self.clock())
        lifetime = int(self.token_lifetime)
        amr = ["pwd", "mfa"] if mfa else ["pwd"]
        given, _, family = user.display_name.partition(" ")
        access: dict[str, Any] = {
            "aud": resource, "iat": now, "nbf": now, "exp": now + lifetime,
            "acr": "1", "amr": amr, "appid": client_id, "appidacr": "0",
            "family_name": family, "given_name": given, "ipaddr": "127.0.0.1",
            "name": user.display_name, "oid": user.object_id, "scp": "user_impersonation",
            "sub": b64url(hashlib.sha256(f"{user.object_id}:{resource}".encode()).digest()[:24]),
            "unique_name": user.upn, "upn": user.upn, "uti": b64url(secrets.token_bytes(16)),
            "ver": "1.0",
        }
        with self._lock:
            access["sbx_gen"] = self._access_generation.get(user.object_id, 0)
            refresh_gen = self._refresh_generation.get(user.object_id, 0)
        if realm.is_adfs:
            access["iss"] = self.adfs_issuer
            access["unique_name"] = user.ntlm_name
        else:
            access["iss"] = self.access_issuer(tenant_id or seed.TENANT_ID)
            access["tid"] = tenant_id
            if user.home_tenant_id != tenant_id:
                access["idp"] = f"https://sts.windows.net/{user.home_tenant_id}/"
        headers = {"kid": self.kid, "x5t": self.kid, "typ": "JWT"}
        id_claims: dict[str, Any] = {
            "aud": client_id, "iat": now, "nbf": now, "exp": now + lifetime,
            "name": user.display_name, "oid": user.object_id,
            "preferred_username": user.upn,
            "sub": b64url(hashlib.sha256(f"{user.object_id}:{client_id}".encode()).digest()[:24]),
            "auth_time": int(auth_time or now),
        }
        if realm.is_adfs:
            id_claims.update(iss=self.adfs_issuer, upn=user.upn, unique_name=user.ntlm_name,
                             ver="1.0")
        else:
            id_claims.update(iss=f"{self.base_url}/{tenant_id}/v2.0", tid=tenant_id, ver="2.0")
        if nonce:
            id_claims["nonce"] = nonce
        refresh = {
            "aud": REFRESH_AUDIENCE, "iss": access["iss"], "sub": user.object_id,
            "tid": tenant_id, "cid": client_id, "realm": realm.name, "mfa": mfa,
            "iat": now, "exp": now + 365 * 24 * 3600, "jti": b64url(secrets.token_bytes(12)),
            "sbx_gen": refresh_gen,
        }
        target = [s for s in scopes if s not in OIDC_SCOPES]
        out: dict[str, Any] = {
            "token_type": "Bearer",
            "scope": " ".join(target),
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": jwt.encode(access, self._key, algorithm="RS256", headers=headers),
            "refresh_token": jwt.encode(refresh, self._key, algorithm="RS256", headers=headers),
            "id_token": jwt.encode(id_claims, self._key, algorithm="RS256", headers=headers),
        }
        if realm.is_adfs:
            out["resource"] = resource
            out["refresh_token_expires_in"] = int(self.refresh_lifetime)
        else:
            out["client_info"] = b64url(json.dumps(
                {"uid": user.object_id, "utid": user.home_tenant_id}).encode())
        return out

    # ---- token endpoint ----

    def on_token(self, request: Request, tenant: str) -> Response:
        realm = Realm("entra", f"/{tenant}")
        self._entra_tenant(tenant)
        return self._token(request, realm, tenant)

    def on_adfs_token(self, request: Request) -> Response:
        return self._token(request, ADFS, "adfs")

    def _token(self, request: Request, realm: Realm, tenant: str) -> Response:
        form = request.form
        grant = form.get("grant_type", "")
        handlers = {
            "password": self._grant_password,
            "authorization_code": self._grant_code,
            "refresh_token": self._grant_refresh,
            "urn:ietf:params:oauth:grant-type:device_code": self._grant_device,
            "device_code": self._grant_device,
        }
        if not grant:
            raise err_missing("grant_type")
        if grant not in handlers:
            raise IdentityError("unsupported_grant_type", 70003,
                              f"The app requested an unsupported grant type '{grant}'.")
        return self._json(handlers[grant](realm, tenant, form))

    def _scopes(self, form) -> list[str]:
        scope = form.get("scope", "")
        if not scope and form.get("resource"):      # v1 / ADFS style
            scope = form["resource"].rstrip("/") + "/user_impersonation openid"
        scopes = scope.split()
        if not scopes:
            raise err_missing("scope")
        return scopes

    def _grant_password(self, realm: Realm, tenant: str, form) -> dict[str, Any]:
        t: Tenant | str = "adfs" if realm.is_adfs else self._entra_tenant(tenant)
        client_id = form.get("client_id", "")
        self._check_client(client_id, getattr(t, "name", str(t)))
        scopes = self._scopes(form)
        for need in ("username", "password"):
            if not form.get(need):
                raise err_missing(need)
        user, tenant_id = self._check_user(realm, t, form["username"], form["password"],
                                           client_id)
        resource = self._check_issuance(realm, user, client_id, scopes, tenant_id, mfa=False)
        return self._issue(realm, user, tenant_id, client_id, scopes, resource, mfa=False)

    def _grant_code(self, realm: Realm, tenant: str, form) -> dict[str, Any]:
        for need in ("code", "client_id", "redirect_uri"):
            if not form.get(need):
                raise err_missing(need)
        with self._lock:
            code = self._codes.pop(form["code"], None)
        if code is None or code.expires < self.clock():
            raise err_bad_grant(70008, "The provided authorization code or refresh token has "
                                       "expired due to inactivity. Send a new interactive "
                                       "authorization request for this user and resource.")
        if code.client_id != form["client_id"]:
            raise IdentityError("invalid_grant", 70000, "Provided grant is invalid or malformed: "
                              "the code was issued to another client.")
        if code.redirect_uri != form["redirect_uri"]:
            raise IdentityError("invalid_grant", 500112,
                              "The reply address does not match the reply address used in the "
                              "authorization request.")
        if code.challenge is not None:
            verifier = form.get("code_verifier", "")
            if not verifier:
                raise err_missing("code_verifier")
            if b64url(hashlib.sha256(verifier.encode("ascii")).digest()) != code.challenge:
                raise IdentityError("invalid_grant", 501481,
                                  "The Code_Verifier does not match the code_challenge supplied "
                                  "in the authorization request.")
        scopes = form.get("scope", "").split() or code.scopes
        resource = self._check_issuance(code.realm, code.user, code.client_id, scopes,
                                        code.tenant_id, mfa=code.mfa)
        return self._issue(code.realm, code.user, code.tenant_id, code.client_id, scopes,
                           resource, mfa=code.mfa, nonce=code.nonce)

    def _grant_refresh(self, realm: Realm, tenant: str, form) -> dict[str, Any]:
        for need in ("refresh_token", "client_id"):
            if not form.get(need):
                raise err_missing(need)
        try:
            claims = jwt.decode(form["refresh_token"], self._public_key, algorithms=["RS256"],
                                audience=REFRESH_AUDIENCE)
        except jwt.PyJWTError:
            raise IdentityError("invalid_grant", 9002313,
                              "Invalid request. Request is malformed or invalid.") from None
        now = self.clock()
        if claims.get("cid") != form["client_id"]:
            raise IdentityError("invalid_grant", 700005, "Provided Authorization Code is intended "
                              "to use against other tenant or client.")
        if claims.get("realm") != realm.name:
            raise IdentityError("invalid_grant", 9002313, "Invalid request. The refresh token was "
                              "issued by another authority.")
        if self.faults.get("refresh_expired") or now - claims["iat"] > self.refresh_lifetime:
            raise err_refresh_expired(claims["iat"], now)
        with self._lock:
            revoked = int(claims.get("sbx_gen", 0) or 0) < self._refresh_generation.get(
                str(claims.get("sub")), 0)
        if revoked:
            raise err_bad_grant(50173, "The provided grant has expired due to it being "
                                       "revoked, a fresh auth token is needed. The user might "
                                       "have changed or reset their password.")
        if form.get("claims"):
            try:
                json.loads(form["claims"])
            except ValueError:
                raise IdentityError("invalid_request", 90014,
                                  "The claims parameter is not valid JSON.") from None
        user = next((u for u in seed.USERS if u.object_id == claims["sub"]), None)
        if user is None:
            raise err_bad_grant(50034, "The user account does not exist in the directory.")
        if user.disabled:
            raise err_disabled(user.upn)
        tenant_id = claims.get("tid")
        if not realm.is_adfs:
            t = self._entra_tenant(tenant)
            if isinstance(t, Tenant) and t.tenant_id != tenant_id:
                if not is_member(user, t.tenant_id):
                    raise err_not_in_tenant(user.upn, t, form["client_id"])
                tenant_id = t.tenant_id
        scopes = self._scopes(form)
        mfa = bool(claims.get("mfa"))
        resource = self._check_issuance(realm, user, form["client_id"], scopes, tenant_id,
                                        mfa=mfa)
        return self._issue(realm, user, tenant_id, form["client_id"], scopes, resource, mfa=mfa)

    def _grant_device(self, realm: Realm, tenant: str, form) -> dict[str, Any]:
        device_code = form.get("device_code") or form.get("code", "")
        if not device_code:
            raise err_missing("device_code")
        now = self.clock()
        with self._lock:
            flow = self._devices.get(device_code)
            if flow is None:
                raise IdentityError("invalid_grant", 70000, "Provided grant is invalid or "
                                                          "malformed.")
            if flow.expires < now:
                del self._devices[device_code]
                raise err_device_expired()
            if flow.error is not None:
                del self._devices[device_code]
                raise flow.error
            if flow.user is None:
                too_fast = flow.last_poll and now - flow.last_poll < flow.interval / 2
                flow.last_poll = now
                raise err_slow_down() if too_fast else err_pending()
            del self._devices[device_code]
        return self._issue(flow.realm, flow.user, flow.tenant_id, flow.client_id, flow.scopes,
                           self._resource_of(flow.realm, flow.scopes, "Contoso"), mfa=flow.mfa)

    # ---- device code ----

    def on_devicecode(self, request: Request, tenant: str) -> Response:
        t = self._entra_tenant(tenant)
        return self._device_start(request, Realm("entra", f"/{tenant}"), tenant,
                                  getattr(t, "name", str(t)))

    def on_adfs_devicecode(self, request: Request) -> Response:
        return self._device_start(request, ADFS, "adfs", "ADFS")

    def _device_start(self, request: Request, realm: Realm, tenant: str,
                      tenant_name: str) -> Response:
        form = request.form
        client_id = form.get("client_id", "")
        self._check_client(client_id, tenant_name)
        scopes = self._scopes(form)
        self._resource_of(realm, scopes, tenant_name)
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        user_code = "".join(secrets.choice(alphabet) for _ in range(9))
        device_code = b64url(secrets.token_bytes(32))
        lifetime = int(self.device_code_lifetime)
        flow = DeviceFlow(device_code, user_code, realm, tenant, client_id, scopes,
                          self.clock() + lifetime, int(self.device_code_interval))
        with self._lock:
            self._devices[device_code] = flow
        url = f"{self.base_url}/devicelogin"
        return self._json({
            "user_code": user_code, "device_code": device_code, "verification_uri": url,
            "expires_in": lifetime, "interval": flow.interval,
            "message": f"To sign in, use a web browser to open the page {url} and enter the "
                       f"code {user_code} to authenticate.",
        })

    def on_devicelogin(self, request: Request) -> Response:
        if request.method == "GET":
            return self._page("Enter code", _CODE_FORM.format(error=""))
        code = request.form.get("otc", "").strip().upper().replace("-", "")
        now = self.clock()
        with self._lock:
            flow = next((f for f in self._devices.values() if f.user_code == code), None)
        if flow is None or flow.expires < now or flow.user is not None:
            return self._page("Enter code", _CODE_FORM.format(
                error='<p class="error" role="alert">That code didn\'t work. Check the code '
                      'and try again.</p>'), status=400)
        login = self._new_login(flow.realm, flow.tenant_segment, flow.client_id, {},
                                device_code=flow.device_code)
        return self._signin_page(login)

    # ---- authorize (browser) ----

    def on_authorize(self, request: Request, tenant: str) -> Response:
        self._entra_tenant(tenant)
        return self._authorize(request, Realm("entra", f"/{tenant}"), tenant)

    def on_adfs_authorize(self, request: Request) -> Response:
        return self._authorize(request, ADFS, "adfs")

    def _authorize(self, request: Request, realm: Realm, tenant: str) -> Response:
        params = {k: v for k, v in request.values.items()}
        client_id = params.get("client_id", "")
        redirect_uri = params.get("redirect_uri", "")
        try:
            self._check_client(client_id, tenant)
        except IdentityError as exc:
            return self._error_page(exc)
        if not _allowed_redirect(redirect_uri):
            return self._error_page(IdentityError(
                "invalid_request", 50011,
                f"The redirect URI '{redirect_uri}' specified in the request does not match the "
                f"redirect URIs configured for the application '{client_id}'."))
        try:
            if params.get("response_type") != "code":
                raise IdentityError("unsupported_response_type", 900144,
                                  "The sandbox supports response_type=code only.")
            if params.get("code_challenge") and params.get("code_challenge_method",
                                                           "plain") != "S256":
                raise IdentityError("invalid_request", 5000131,
                                  "The sandbox only accepts code_challenge_method=S256.")
            scopes = params.get("scope", "").split()
            if not realm.is_adfs and not [s for s in scopes if s not in OIDC_SCOPES] \
                    and "resource" in params:
                scopes.append(params["resource"].rstrip("/") + "/user_impersonation")
                params["scope"] = " ".join(scopes)
            self._resource_of(realm, scopes, tenant)
        except IdentityError as exc:
            return self._redirect_error(params, exc)
        prompt = params.get("prompt", "")
        session = self._session(request)
        hint = params.get("login_hint", "").strip().lower()
        if session and prompt not in ("login", "select_account", "consent"):
            user, mfa, _ = session
            if not hint or hint == user.upn:
                if not mfa and (user.requires_mfa or self.faults.get("mfa_required")):
                    # Signed in with a password only: step up with the one-time code.
                    login = self._new_login(realm, tenant, client_id, params)
                    login.user = user
                    return self._mfa_page(login)
                return self._finish_authorize(realm, tenant, params, user, mfa)
        if prompt == "none":
            return self._redirect_error(params, err_login_required())
        login = self._new_login(realm, tenant, client_id, params)
        if session and prompt == "select_account" and not hint:
            params["login_hint"] = session[0].upn
        return self._signin_page(login)

    def _finish_authorize(self, realm: Realm, tenant: str, params: dict[str, str],
                          user: seed.User, mfa: bool) -> Response:
        try:
            t: Tenant | str = "adfs" if realm.is_adfs else self._entra_tenant(tenant)
            user, tenant_id = self._check_user(realm, t, user.upn, None, params["client_id"])
            scopes = params.get("scope", "").split()
            self._check_issuance(realm, user, params["client_id"], scopes, tenant_id, mfa=mfa)
        except IdentityError as exc:
            return self._redirect_error(params, exc)
        code = b64url(secrets.token_bytes(32))
        with self._lock:
            self._codes[code] = AuthCode(
                user, realm, tenant_id, params["client_id"], params["redirect_uri"], scopes,
                params.get("nonce"), params.get("code_challenge") or None, mfa,
                self.clock() + 600)
        query = {"code": code}
        if "state" in params:
            query["state"] = params["state"]
        if params.get("client_info") == "1" and not realm.is_adfs:
            query["client_info"] = b64url(json.dumps(
                {"uid": user.object_id, "utid": user.home_tenant_id}).encode())
        query["session_state"] = str(uuid.uuid5(uuid.NAMESPACE_URL, user.object_id))
        return _auth_response(params, query)

    def _redirect_error(self, params: dict[str, str], exc: IdentityError) -> Response:
        body = exc.body(self.clock())
        query = {"error": exc.error, "error_description": body["error_description"],
                 "error_uri": body["error_uri"]}
        if "state" in params:
            query["state"] = params["state"]
        return _auth_response(params, query)

    # ---- the sign-in pages ----

    def _new_login(self, realm: Realm, tenant: str, client_id: str, params: dict[str, str],
                   device_code: str | None = None) -> LoginFlow:
        login = LoginFlow(b64url(secrets.token_bytes(18)), realm, tenant, client_id,
                          params, device_code, expires=self.clock() + 900)
        with self._lock:
            now = self.clock()
            for k in [k for k, v in self._logins.items() if v.expires < now]:
                del self._logins[k]
            self._logins[login.flow_id] = login
        return login

    def _session(self, request: Request) -> tuple[seed.User, bool, float] | None:
        sid = request.cookies.get("SANDBOXAUTH", "")
        with self._lock:
            return self._sessions.get(sid)

    def on_signin(self, request: Request) -> Response:
        form = request.form
        with self._lock:
            login = self._logins.get(form.get("flow", ""))
        if login is None or login.expires < self.clock():
            return self._page("Sign in", "<p class=\"error\" role=\"alert\">This sign-in page "
                              "has expired. Start the sign-in again from your app.</p>",
                              status=400)
        t: Tenant | str = "adfs" if login.realm.is_adfs else self._entra_tenant(
            login.tenant_segment)
        if form.get("step") == "mfa":
            if login.user is None:
                return self._signin_page(login)
            if form.get("otc", "").strip() != seed.MFA_CODE:
                return self._mfa_page(login, error="That code didn't work. Check the code and "
                                                    "try again.")
            return self._signed_in(request, login, login.user, mfa=True)
        upn = form.get("login", "").strip()
        try:
            user, _ = self._check_user(login.realm, t, upn, form.get("passwd", ""),
                                       login.client_id)
        except IdentityError as exc:
            if exc.code in (50126, 50034):
                login.params["login_hint"] = upn
                text = ("Your account or password is incorrect. If you don't remember your "
                        "password, reset it now." if exc.code == 50126 else
                        "This username may be incorrect. Make sure you typed it correctly.")
                return self._signin_page(login, error=f"{text} (AADSTS{exc.code})")
            return self._error_page(exc)
        if user.requires_mfa or self.faults.get("mfa_required"):
            login.user = user
            return self._mfa_page(login)
        return self._signed_in(request, login, user, mfa=False)

    def _signed_in(self, request: Request, login: LoginFlow, user: seed.User,
                   mfa: bool) -> Response:
        with self._lock:
            self._logins.pop(login.flow_id, None)
            sid = b64url(secrets.token_bytes(24))
            self._sessions[sid] = (user, mfa, self.clock())
        if login.device_code is not None:
            response = self._device_approved(login, user, mfa)
        else:
            response = self._finish_authorize(login.realm, login.tenant_segment, login.params,
                                              user, mfa)
        response.set_cookie("SANDBOXAUTH", sid, secure=True, httponly=True, samesite="None",
                            path="/")
        return response

    def _device_approved(self, login: LoginFlow, user: seed.User, mfa: bool) -> Response:
        with self._lock:
            flow = self._devices.get(login.device_code or "")
        if flow is None or flow.expires < self.clock():
            return self._page("Sign in", "<p class=\"error\" role=\"alert\">The code has "
                              "expired. Start the sign-in again on your device.</p>", status=400)
        realm = flow.realm
        t: Tenant | str = "adfs" if realm.is_adfs else self._entra_tenant(flow.tenant_segment)
        try:
            user, tenant_id = self._check_user(realm, t, user.upn, None, flow.client_id)
            self._check_issuance(realm, user, flow.client_id, flow.scopes, tenant_id, mfa=mfa)
        except IdentityError as exc:
            with self._lock:
                flow.error = exc
            return self._error_page(exc)
        with self._lock:
            flow.user, flow.tenant_id, flow.mfa = user, tenant_id, mfa
        app = html.escape(CLIENT_APPS.get(flow.client_id, flow.client_id))
        return self._page("Signed in", f"<h1>{app}</h1><p id=\"done\">You have signed in to the "
                                       f"{app} application on your device. You may now close "
                                       "this window.</p>")

    def _signin_page(self, login: LoginFlow, error: str = "") -> Response:
        hint = html.escape(login.params.get("login_hint", ""))
        err = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
        app = html.escape(CLIENT_APPS.get(login.client_id, login.client_id))
        realm = "Contoso ADFS" if login.realm.is_adfs else "Contoso sandbox"
        return self._page("Sign in to your account", f"""
<h1>Sign in</h1>
<p>to continue to {app} ({realm})</p>
{err}
<form method="post" action="/_signin" id="signin">
  <input type="hidden" name="flow" value="{login.flow_id}">
  <input type="hidden" name="step" value="password">
  <label>Email, phone, or Skype <input type="email" name="login" value="{hint}"
         autocomplete="username" required autofocus></label>
  <label>Password <input type="password" name="passwd" autocomplete="current-password"
         required></label>
  <button type="submit">Sign in</button>
</form>""", status=200 if not error else 400)

    def _mfa_page(self, login: LoginFlow, error: str = "") -> Response:
        err = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
        upn = login.user.upn if login.user else ""       # MFA comes after the user is known
        return self._page("Verify your identity", f"""
<h1>Enter code</h1>
<p>We sent a verification code to the phone of {html.escape(upn)}.
   (Sandbox: the code is in the README.)</p>
{err}
<form method="post" action="/_signin" id="mfa">
  <input type="hidden" name="flow" value="{login.flow_id}">
  <input type="hidden" name="step" value="mfa">
  <label>Code <input type="text" name="otc" inputmode="numeric" autocomplete="one-time-code"
         required autofocus></label>
  <button type="submit">Verify</button>
</form>""", status=200 if not error else 400)

    def _error_page(self, exc: IdentityError) -> Response:
        body = exc.body(self.clock())
        return self._page("Sign in error", f"""
<h1>Sorry, but we're having trouble signing you in.</h1>
<p class="error" role="alert" id="error">{html.escape(body['error_description'])}</p>""",
                          status=400)

    @staticmethod
    def _page(title: str, body: str, status: int = 200) -> Response:
        page = _PAGE.format(title=html.escape(title), body=body)
        return Response(page, status=status, content_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-store",
                                 "Content-Security-Policy": "default-src 'none'; "
                                 "style-src 'unsafe-inline'; form-action 'self'",
                                 "X-Frame-Options": "DENY"})


def _allowed_redirect(uri: str) -> bool:
    """Public-client loopback redirects (any port, as Entra allows for localhost)."""
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1") or \
        uri == "https://login.microsoftonline.com/common/oauth2/nativeclient"


def _auth_response(params: dict[str, str], values: dict[str, str]) -> Response:
    """Send the result to the app in the response_mode it asked for (query by default)."""
    uri = params["redirect_uri"]
    mode = params.get("response_mode", "query")
    if mode == "form_post":
        fields = "\n".join(f'<input type="hidden" name="{html.escape(k)}" '
                           f'value="{html.escape(v)}">' for k, v in values.items())
        page = (f"<!DOCTYPE html><html><head><title>Working...</title></head>"
                f'<body onload="document.forms[0].submit()">'
                f'<form method="POST" name="hiddenform" action="{html.escape(uri)}">{fields}'
                "<noscript><p>Script is disabled. Click Submit to continue.</p>"
                '<input type="submit" value="Submit"></noscript></form></body></html>')
        return Response(page, content_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-store"})
    if mode == "fragment":
        return Response("", status=302, headers={"Location": f"{uri}#{urlencode(values)}",
                                                 "Cache-Control": "no-store"})
    return _redirect(uri, values)


def _redirect(uri: str, query: dict[str, str]) -> Response:
    sep = "&" if "?" in uri else "?"
    return Response("", status=302, headers={"Location": uri + sep + urlencode(query),
                                             "Cache-Control": "no-store"})


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: "Segoe UI", sans-serif; background: #f2f2f2; }}
main {{ max-width: 440px; margin: 4em auto; background: #fff; padding: 2.5em;
        box-shadow: 0 2px 6px rgba(0,0,0,.2); }}
label {{ display: block; margin: 1em 0; }}
input {{ display: block; width: 100%; padding: .4em 0; border: 0;
         border-bottom: 1px solid #666; font-size: 1em; }}
button {{ background: #0067b8; color: #fff; border: 0; padding: .6em 2.5em; font-size: 1em; }}
.error {{ color: #e81123; }}
</style></head>
<body><main>{body}</main></body></html>
"""

_CODE_FORM = """<h1>Enter code</h1>
<p>Enter the code displayed on your app or device.</p>
{error}
<form method="post" action="/devicelogin" id="code">
  <label>Code <input type="text" name="otc" autocomplete="off" required autofocus></label>
  <button type="submit">Next</button>
</form>"""
