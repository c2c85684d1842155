"""Windows authentication (NTLM / Negotiate) for on-premises orgs, via pyspnego.

:class:`WindowsAuth` is a ``requests.auth.AuthBase``: when the server answers 401 with
``WWW-Authenticate: NTLM`` (or ``Negotiate``) it runs the handshake on the same
keep-alive connection (the NTLM context is bound to the TCP connection) and returns
the final answer. Over HTTPS it sends channel bindings (the server certificate's hash,
RFC 5929 ``tls-server-end-point``) so the handshake cannot be relayed to another server.
The password is held in memory only for the handshake's credential object.
"""

from __future__ import annotations

import base64
import logging
from typing import Any
from urllib.parse import urlsplit

import requests
import spnego
import spnego.channel_bindings
import spnego.exceptions

from wizard.engine.signin_errors import WindowsAnswerNotUnderstood, WindowsAuthFailed, WindowsPasswordRejected

log = logging.getLogger(__name__)


def _server_token(response: requests.Response, scheme: str) -> bytes | None:
    values = response.raw.headers.getlist("WWW-Authenticate") if hasattr(
        response.raw.headers, "getlist") else [response.headers.get("WWW-Authenticate", "")]
    for value in values:
        for piece in value.split(","):
            name, _, blob = piece.strip().partition(" ")
            if name.lower() == scheme.lower() and blob.strip():
                try:
                    return base64.b64decode(blob.strip())
                except ValueError:
                    return None
    return None


def _offered(response: requests.Response) -> list[str]:
    values = response.raw.headers.getlist("WWW-Authenticate") if hasattr(
        response.raw.headers, "getlist") else [response.headers.get("WWW-Authenticate", "")]
    out = []
    for value in values:
        for piece in value.split(","):
            out.append(piece.strip().partition(" ")[0].lower())
    return out


def _channel_bindings(
        response: requests.Response) -> spnego.channel_bindings.GssChannelBindings | None:
    """tls-server-end-point bindings from the server certificate (None over HTTP)."""
    try:
        sock = response.raw.connection.sock  # urllib3 keeps the socket on the pooled connection
        der = sock.getpeercert(True)
    except AttributeError:
        return None
    if not der:
        return None
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    cert = x509.load_der_x509_certificate(der)
    try:
        algorithm = cert.signature_hash_algorithm
    except Exception:  # noqa: BLE001 - unusual signature: fall back to SHA-256
        algorithm = None
    if algorithm is None or algorithm.name in ("md5", "sha1"):
        algorithm = hashes.SHA256()
    digest = hashes.Hash(algorithm)
    digest.update(der)
    return spnego.channel_bindings.GssChannelBindings(
        application_data=b"tls-server-end-point:" + digest.finalize())


class WindowsAuth(requests.auth.AuthBase):
    def __init__(self, username: str, password: str, *, protocol: str = "negotiate") -> None:
        self.username = username
        self._password = password
        self.protocol = protocol  # "negotiate" (NTLM inside SPNEGO, or Kerberos) or "ntlm"

    def __repr__(self) -> str:
        return f"WindowsAuth(username={self.username!r})"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.register_hook("response", self._on_response)
        return request

    def _on_response(self, response: requests.Response, **kwargs: Any) -> requests.Response:  # noqa: C901 - the NTLM/Negotiate handshake's states in order
        if response.status_code != 401 or response.request.headers.get("Authorization"):
            return response
        offered = _offered(response)
        if "negotiate" in offered and self.protocol == "negotiate":
            scheme, protocol = "Negotiate", "negotiate"
        elif "ntlm" in offered:
            scheme, protocol = "NTLM", "ntlm"
        elif "negotiate" in offered:
            scheme, protocol = "Negotiate", "ntlm"  # NTLM wrapped by the server's SPNEGO
        else:
            return response
        host = urlsplit(response.request.url or "").hostname or "unspecified"
        bindings = _channel_bindings(response)
        try:
            context = spnego.client(self.username, self._password, hostname=host,
                                    service="HTTP", protocol=protocol,
                                    channel_bindings=bindings)
            out_token = context.step()
        except spnego.exceptions.SpnegoError as exc:
            raise WindowsAuthFailed(details=str(exc)) from exc
        current = response
        history = [response]
        for _ in range(3):  # negotiate, challenge/response, (mutual auth)
            if out_token is None:
                break
            current.content  # noqa: B018 - drain so the connection is reused
            current.raw.release_conn()
            request = current.request.copy()
            request.headers["Authorization"] = f"{scheme} {base64.b64encode(out_token).decode()}"
            if hasattr(request, "body") and request.body is not None and hasattr(
                    request.body, "seek"):
                request.body.seek(0)
            current = response.connection.send(request, **kwargs)  # requests sets response.connection to the adapter
            if current.status_code != 401:
                in_token = _server_token(current, scheme)
                if in_token and not context.complete:
                    try:
                        context.step(in_token)  # mutual authentication
                    except spnego.exceptions.SpnegoError:
                        log.info("Server's final Windows auth token did not verify")
                break
            history.append(current)
            in_token = _server_token(current, scheme)
            if in_token is None:
                break  # rejected outright: wrong user or password
            try:
                out_token = context.step(in_token)
            except spnego.exceptions.SpnegoError as exc:
                raise WindowsAnswerNotUnderstood(details=str(exc)) from exc
        current.history = history + list(current.history)
        if current.status_code == 401:
            for r in history + [current]:
                r.close()
            raise WindowsPasswordRejected(user=self.username)
        return current
