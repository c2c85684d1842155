"""Authentication and fault middleware in front of each org's Web API app.

Online orgs and the ADFS-style org take bearer JWTs from the sandbox's identity provider;
the on-premises org speaks Windows authentication (NTLM, bare or inside Negotiate) with a
real pyspnego acceptor. Either way the authenticated ``seed.User`` lands in
``environ["sandbox.user"]`` before the Web API app runs; otherwise the app never runs.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
from werkzeug.wrappers import Request, Response

from wizard.sandbox import seed
from wizard.sandbox.faults import Faults

log = logging.getLogger("wizard.sandbox")

# Dataverse error codes (web-service-error-codes in powerapps-docs).
ORG_DISABLED_CODE = "0x8004a104"
ORG_DISABLED_MESSAGE = ("The Dynamics 365 organization you are attempting to access is currently "
                        "disabled. Please contact your system administrator")
NOT_A_MEMBER_CODE = "0x80072560"
THROTTLE_CODE = "0x80072322"
THROTTLE_MESSAGE = ("Number of requests exceeded the limit of 6000 over time window of 300 "
                    "seconds.")


def dataverse_error(status: int, code: str, message: str,
                    headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"error": {"code": code, "message": message}})
    return Response(body, status=status, headers={
        "Content-Type": "application/json; odata.metadata=minimal", "OData-Version": "4.0",
        **(headers or {})})


def apply_request_faults(faults: Faults, org_name: str | None) -> Response | None:
    """Throttling, server errors and a disabled org: the answer to send instead, or None."""
    retry_after = faults.take("throttle")
    if retry_after is not None:
        return dataverse_error(429, THROTTLE_CODE, THROTTLE_MESSAGE,
                               {"Retry-After": str(retry_after)})
    status = faults.take("server_error")
    if status is not None:
        return dataverse_error(status, "0x80040216",
                               "An unexpected error occurred. (sandbox server_error fault)")
    if org_name is not None:
        org = seed.org_by_name(org_name)
        if faults.org_disabled(org_name) or (org is not None and org.state == 1):
            return dataverse_error(403, ORG_DISABLED_CODE, ORG_DISABLED_MESSAGE)
    return None


def bearer_challenge(authority_url: str, resource_id: str, *, error: str | None = None,
                     description: str | None = None, claims: str | None = None) -> Response:
    """401 the way Dataverse sends it: the client learns where to sign in and for what.

    ``claims`` (JSON) makes it a claims challenge (``error="insufficient_claims"``,
    ``claims="<base64>"``), as Microsoft Learn's "Claims challenges" page shows."""
    parts = []
    if error:
        parts.append(f"error={error}" if not claims else f'error="{error}"')
        if description:
            parts.append(f"error_description={description}")
    if claims:
        parts.append('claims="' + base64.b64encode(claims.encode()).decode() + '"')
    parts.append(f"authorization_uri={authority_url.rstrip('/')}/oauth2/authorize")
    parts.append(f"resource_id={resource_id}")
    return Response(b"", status=401, headers={"WWW-Authenticate": "Bearer " + ", ".join(parts)})


class BearerOrgMiddleware:
    """Validate the bearer JWT for one org (online orgs and the ADFS one)."""

    def __init__(self, app, *, org: seed.Org, base_url: str, authority_url: str,
                 issuer: str, decode: Callable[..., dict[str, Any]], faults: Faults,
                 revoked: Callable[[dict[str, Any]], bool] | None = None) -> None:
        self.app = app
        self.org = org
        self.base_url = base_url.rstrip("/")
        self.authority_url = authority_url
        self.issuer = issuer
        self.decode = decode
        self.faults = faults
        self.revoked = revoked or (lambda claims: False)

    def _challenge(self, error: str | None = None, description: str | None = None, *,
                   claims: str | None = None) -> Response:
        return bearer_challenge(self.authority_url, self.base_url, error=error,
                                description=description, claims=claims)

    def authenticate(self, environ) -> seed.User | Response:
        header = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return self._challenge()
        try:
            claims = self.decode(token.strip())
        except jwt.ExpiredSignatureError:
            return self._challenge("invalid_token", "The access token is expired.")
        except jwt.PyJWTError:
            return self._challenge("invalid_token", "Error during token validation!")
        if self.faults.get("token_expired"):
            return self._challenge("invalid_token", "The access token is expired.")
        if self.revoked(claims):
            # Continuous Access Evaluation: the token was revoked; a token issued from now on
            # is accepted (the challenge asks for one not before this moment).
            nbf = json.dumps({"access_token": {"nbf": {"essential": True,
                                                       "value": str(int(time.time()))}}})
            return self._challenge("insufficient_claims", claims=nbf)
        if str(claims.get("aud", "")).rstrip("/").lower() != self.base_url.lower():
            return self._challenge("invalid_token", "The access token audience is not this "
                                                    "organization.")
        if claims.get("iss") != self.issuer:
            return self._challenge("invalid_token", "The access token is from another tenant.")
        user = next((u for u in seed.USERS if u.object_id == claims.get("oid")), None)
        if user is None or user.disabled:
            return self._challenge("invalid_token", "The user is unknown or disabled.")
        if not seed.is_member(user, self.org):
            return dataverse_error(403, NOT_A_MEMBER_CODE,
                                   f"The user {user.upn} is not a member of the organization.")
        return user

    def __call__(self, environ, start_response):
        result = self.authenticate(environ)
        if isinstance(result, Response):
            return result(environ, start_response)
        fault = apply_request_faults(self.faults, self.org.unique_name)
        if fault is not None:
            return fault(environ, start_response)
        environ["sandbox.user"] = result
        return self.app(environ, start_response)


def write_ntlm_user_file(path: Path) -> Path:
    """The acceptor's credential store (pyspnego reads ``DOMAIN:USER:PASSWORD`` lines)."""
    lines = [f"{seed.NTLM_DOMAIN}:{u.upn.split('@')[0]}:{seed.PRACTICE_PASSWORD}"
             for u in seed.USERS if not u.disabled]
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)
    return path


class NtlmOrgMiddleware:
    """Windows authentication (NTLM / Negotiate) for the on-premises org.

    NTLM authenticates a connection, not a request: the three legs (negotiate, challenge,
    authenticate) must arrive on one keep-alive connection, and later requests on that
    connection are already authenticated. State is kept per connection socket.
    """

    def __init__(self, app, *, org: seed.Org, faults: Faults) -> None:
        self.app = app
        self.org = org
        self.faults = faults
        self._lock = threading.Lock()
        # connection id -> (scheme, acceptor context or None, authenticated user or None)
        self._conns: dict[int, dict[str, Any]] = {}

    def _challenge(self, token: bytes | None = None, scheme: str | None = None) -> Response:
        response = Response(b"", status=401)
        if token is not None and scheme:
            response.headers.add("WWW-Authenticate",
                                 f"{scheme} {base64.b64encode(token).decode('ascii')}")
        else:
            response.headers.add("WWW-Authenticate", "Negotiate")
            response.headers.add("WWW-Authenticate", "NTLM")
        return response

    def forget(self, conn_id: int) -> None:
        with self._lock:
            self._conns.pop(conn_id, None)

    def __call__(self, environ, start_response):
        import spnego

        conn_id = environ.get("sandbox.connection", 0)
        request = Request(environ)
        header = request.headers.get("Authorization", "")
        scheme, _, data = header.partition(" ")
        with self._lock:
            state = self._conns.get(conn_id)
        if scheme.lower() in ("ntlm", "negotiate") and data.strip():
            try:
                token = base64.b64decode(data.strip())
            except ValueError:
                return self._challenge()(environ, start_response)
            if token.startswith(b"NTLMSSP\x00\x01\x00\x00\x00") or state is None or \
                    state.get("user") is not None:
                # A new handshake (leg 1), also on an already authenticated connection.
                protocol = "ntlm" if scheme.lower() == "ntlm" else "negotiate"
                ctx = spnego.server(protocol=protocol)
                state = {"scheme": scheme, "ctx": ctx, "user": None}
                with self._lock:
                    self._conns[conn_id] = state
            ctx = state["ctx"]
            try:
                out = ctx.step(token)
            except Exception as exc:  # pyspnego raises several types for bad credentials
                log.info("NTLM handshake failed: %s", exc)
                self.forget(conn_id)
                return self._challenge()(environ, start_response)
            if not ctx.complete:
                return self._challenge(out, scheme)(environ, start_response)
            name = f"{ctx.client_principal or ''}"
            user = seed.user_by_upn(name)
            if user is None or user.disabled:
                self.forget(conn_id)
                return self._challenge()(environ, start_response)
            state["user"] = user
            state["ctx"] = None
        elif not state or state.get("user") is None:
            return self._challenge()(environ, start_response)
        user = state["user"]
        if not seed.is_member(user, self.org):
            return dataverse_error(403, NOT_A_MEMBER_CODE,
                                   f"The user {user.ntlm_name} is not a member of the "
                                   "organization.")(environ, start_response)
        fault = apply_request_faults(self.faults, self.org.unique_name)
        if fault is not None:
            return fault(environ, start_response)
        environ["sandbox.user"] = user
        return self.app(environ, start_response)


class LatencyMiddleware:
    """The ``latency`` fault: every request waits that many seconds first."""

    def __init__(self, app, faults: Faults, sleep: Callable[[float], None] = time.sleep) -> None:
        self.app = app
        self.faults = faults
        self.sleep = sleep

    def __call__(self, environ, start_response):
        delay = self.faults.get("latency")
        if delay:
            self.sleep(float(delay))
        return self.app(environ, start_response)
