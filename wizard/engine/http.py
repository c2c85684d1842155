"""The one HTTP session factory: verified TLS, proxies, timeouts and polite retries.

Every request the engine makes (sign-in through msal, Global Discovery, the Web API)
goes through a session from :func:`make_session`, so they all obey the same rules:

- TLS is always verified by the operating system's verifier (``truststore``: the Windows
  certificate store, the macOS Keychain, the Linux system store; certifi only when Linux
  has no store) plus the extra CA files given with ``--ca-bundle`` or a cloud file.
  ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` cannot replace that trust: requests would put
  them into ``verify`` and urllib3 would then load them into our context, so the session
  drops them and the adapter ignores any ``verify`` value; ``SSL_CERT_FILE`` can only add
  to the Linux store. ``verify=False`` is refused. TLS failures are named for what they are
  (:func:`tls_error`): unknown issuer (named), intercepted, wrong host, expired.
- Proxies come from the environment / system settings (``HTTPS_PROXY``, ``NO_PROXY``,
  ``urllib.request.getproxies()`` which reads the Windows registry and macOS settings).
  A proxy that wants credentials (407) raises :class:`ProxyAuthRequired`.
- Every request has a connect and a read timeout.
- Retries: 429 waits exactly ``Retry-After`` (seconds or an HTTP date; never less) and an
  absurd wait raises :class:`ServerBusy`; 503 and dropped connections back off
  exponentially up to a cap. Requests that may already have been processed (a POST or
  PATCH whose connection dropped after it was sent) are never retried.
"""

from __future__ import annotations

import email.utils
import logging
import math
import os
import socket
import ssl
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from wizard.engine import http_errors as E
from wizard.engine.cancel import CancelEvent
from wizard.engine.errors import WizardError
from wizard.engine.http_errors import Cancelled as Cancelled
from wizard.engine.http_errors import HttpError as HttpError
from wizard.engine.http_errors import NetworkError as NetworkError
from wizard.engine.http_errors import ProxyAuthRequired as ProxyAuthRequired
from wizard.engine.http_errors import ServerBusy as ServerBusy

log = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0
USER_AGENT = "d365-wizard"

# Methods a server processes the same way however often they arrive (RFC 9110, 9.2.2).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


# requests' parameter types (as its own annotations spell them)
_Verify = bool | str
_Cert = str | tuple[str, str] | None
_Timeout = float | tuple[float | None, float | None] | None

@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5            # retries after the first attempt, for 429/503/drops
    connect_retries: int = 2        # for connections refused/reset before sending
    backoff_base: float = 0.5       # first backoff; doubles each retry
    backoff_cap: float = 30.0       # longest single backoff
    max_retry_after: float = 300.0  # a longer Retry-After is reported, not waited for
    retry_statuses: frozenset[int] = frozenset({429, 503})

    def backoff(self, attempt: int) -> float:
        return min(self.backoff_cap, self.backoff_base * 2.0 ** attempt)


NO_RETRIES = RetryPolicy(max_retries=0, connect_retries=0)


# --------------------------------------------------------------------------------------
# TLS
# --------------------------------------------------------------------------------------
def _load_system_store(ctx: ssl.SSLContext) -> bool:
    """Load the operating system's CA store into ``ctx`` explicitly (Linux and other
    OpenSSL systems); returns whether one was found.

    truststore verifies with OpenSSL's default locations there, which ``SSL_CERT_FILE`` and
    ``SSL_CERT_DIR`` replace. Loading the compiled-in locations (and the usual distribution
    bundles) first means such a variable can only add certificates, never take the
    system's away."""
    paths = ssl.get_default_verify_paths()
    found = False
    candidates = [paths.openssl_cafile, "/etc/ssl/certs/ca-certificates.crt",
                  "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem",
                  "/etc/pki/tls/cert.pem", "/etc/ssl/ca-bundle.pem"]
    for cafile in dict.fromkeys(c for c in candidates if c):
        if os.path.isfile(cafile):
            try:
                ctx.load_verify_locations(cafile=cafile)
                found = True
                break
            except (ssl.SSLError, OSError):
                continue
    capath = paths.openssl_capath
    if capath and os.path.isdir(capath):
        try:
            with os.scandir(capath) as entries:
                present = any(True for _ in entries)
            if present:
                ctx.load_verify_locations(capath=capath)
                found = True
        except (ssl.SSLError, OSError):
            pass
    return found


def environment_ca_variables() -> dict[str, str]:
    """CA variables set in the environment, and what d365-wizard does with each."""
    out = {}
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        if os.environ.get(name):
            out[name] = "ignored (it would replace the system store)"
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        if os.environ.get(name):
            out[name] = ("added on top of the system store" if sys.platform not in
                         ("win32", "darwin") else "ignored (the system verifier decides)")
    return out


def build_ssl_context(ca_bundles: Iterable[str | os.PathLike[str]] = ()) -> ssl.SSLContext:
    """The operating system's certificate verifier (``truststore``: the Windows certificate
    store, the macOS Keychain, the Linux system store) plus every extra CA file or folder.

    ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` never reach it (see :class:`WizardSession`),
    and on Linux ``SSL_CERT_FILE``/``SSL_CERT_DIR`` can only add to the system store.
    """
    import truststore

    ctx: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if sys.platform not in ("win32", "darwin") and not _load_system_store(ctx):
        try:
            import certifi

            ctx.load_verify_locations(cafile=certifi.where())
        except (ImportError, OSError):  # pragma: no cover - certifi ships with requests
            log.warning("No OS certificate store and no certifi bundle found")
    for bundle in ca_bundles:
        if bundle:
            _load_ca_bundle(ctx, Path(bundle))
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def _load_ca_bundle(ctx: ssl.SSLContext, path: Path) -> None:
    """Extra trusted CAs: a PEM (or DER) file read with the bounded reader (a FIFO or a
    device is refused, not read forever), or a folder of hashed certificates."""
    from wizard.engine.fileio import FileNotFound, FileProblem, read_input

    if path.is_dir():
        try:
            ctx.load_verify_locations(capath=str(path))
        except (ssl.SSLError, OSError, ValueError) as exc:
            raise E.CaFolderUnreadable(path=str(path), details=str(exc)) from exc
        return
    try:
        raw = read_input(path, what="the CA bundle", max_bytes=MAX_CA_BUNDLE_BYTES)
    except FileNotFound as exc:
        raise E.CaBundleMissing(path=str(path)) from exc
    except FileProblem as exc:
        raise E.CaBundleUnreadable(cause=exc, details=exc.details) from exc
    try:
        if b"-----BEGIN" in raw:
            ctx.load_verify_locations(cadata=raw.decode("ascii", "strict"))
        else:
            ctx.load_verify_locations(cadata=raw)
    except (ssl.SSLError, ValueError, UnicodeDecodeError) as exc:
        raise E.CaBundleNotPem(path=str(path), details=str(exc)) from exc


MAX_CA_BUNDLE_BYTES = 10_000_000


class TrustedAdapter(HTTPAdapter):
    """An HTTPAdapter whose TLS trust is exactly one SSLContext, whatever ``verify`` says."""

    def __init__(self, ssl_context: ssl.SSLContext, **kw: Any) -> None:
        self._ssl_context = ssl_context
        super().__init__(max_retries=0, **kw)

    def init_poolmanager(self, *args: Any, **kw: Any) -> None:
        kw["ssl_context"] = self._ssl_context
        super().init_poolmanager(*args, **kw)

    def proxy_manager_for(self, proxy: str, **kw: Any) -> Any:
        kw["ssl_context"] = self._ssl_context
        return super().proxy_manager_for(proxy, **kw)

    def build_connection_pool_key_attributes(
            self, request: requests.PreparedRequest, verify: _Verify, cert: _Cert = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, _ = super().build_connection_pool_key_attributes(request, True, None)
        return host_params, {"ssl_context": self._ssl_context, "cert_reqs": "CERT_REQUIRED"}

    def cert_verify(self, conn: Any, url: str, verify: _Verify, cert: _Cert) -> None:
        # Never let a CA path reach urllib3: it would load it into our shared context.
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = None
        conn.ca_cert_dir = None

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: _Timeout = None, verify: _Verify = True, cert: _Cert = None,
             proxies: dict[str, str] | None = None) -> requests.Response:
        if verify is False:
            raise ValueError("TLS verification cannot be turned off in d365-wizard")
        return super().send(request, stream=stream, timeout=timeout, verify=True, cert=None,
                            proxies=proxies)


class _NoNetrcAuth(requests.auth.AuthBase):
    """Set as the session's default auth so requests never sends ~/.netrc passwords."""

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        return r


# --------------------------------------------------------------------------------------
# Session
# --------------------------------------------------------------------------------------
class WizardSession(requests.Session):
    """A requests.Session with our trust, timeouts and retries (also msal's http_client)."""

    def __init__(self, *, ssl_context: ssl.SSLContext,
                 timeout: tuple[float, float] = (DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT),
                 retry: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] | None = None,
                 clock: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic,
                 cancel_event: CancelEvent | None = None,
                 proxies: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.ssl_context = ssl_context
        self.timeout = timeout
        self.retry = retry
        self._sleep = sleep
        self.clock = clock
        self.monotonic = monotonic
        self.cancel_event = cancel_event
        self.trust_env = True  # proxies from env / system; CA variables are dropped below
        self.auth = _NoNetrcAuth()
        self.headers["User-Agent"] = f"{USER_AGENT} {self.headers.get('User-Agent', '')}".strip()
        if proxies:
            self.proxies.update(proxies)
        adapter = TrustedAdapter(ssl_context)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def fork(self) -> "WizardSession":
        """A session with the same trust, proxies, timeouts and retries, and its own
        connection pool (Windows authentication binds a user to a connection)."""
        twin = WizardSession(ssl_context=self.ssl_context, timeout=self.timeout,
                             retry=self.retry, sleep=self._sleep, clock=self.clock,
                             monotonic=self.monotonic, cancel_event=self.cancel_event,
                             proxies=dict(self.proxies))
        twin.headers.update(self.headers)
        return twin

    # requests would otherwise put REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE into ``verify``.
    def merge_environment_settings(self, url: str, proxies: dict[str, str] | None,
                                   stream: bool | None, verify: _Verify | None,
                                   cert: _Cert) -> dict[str, Any]:
        if verify is False:
            raise ValueError("TLS verification cannot be turned off in d365-wizard")
        settings = super().merge_environment_settings(url, proxies, stream, True, None)
        settings["verify"] = True
        settings["cert"] = None
        return settings

    # -- waiting ---------------------------------------------------------------------
    def wait(self, seconds: float) -> None:
        """Wait at least ``seconds`` (measured on the monotonic clock); cancellable."""
        if seconds <= 0:
            self._check_cancel()
            return
        if self._sleep is not None:
            self._check_cancel()
            self._sleep(seconds)
            self._check_cancel()
            return
        deadline = self.monotonic() + seconds
        while True:
            self._check_cancel()
            remaining = deadline - self.monotonic()
            if remaining <= 0:
                return
            if self.cancel_event is not None:
                if self.cancel_event.wait(remaining):
                    self._check_cancel()
            else:
                time.sleep(remaining)

    def _check_cancel(self) -> None:
        if self.cancel_event is not None and self.cancel_event.is_set():
            raise Cancelled()

    # -- the request loop --------------------------------------------------------------
    def request(  # type: ignore[override] # passes every other argument on unchanged
            self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("verify") is False:
            raise ValueError("TLS verification cannot be turned off in d365-wizard")
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        method_u = method.upper()
        replayable = not _has_stream_body(kwargs)
        status_retries = 0
        connect_retries = 0
        while True:
            self._check_cancel()
            try:
                response = super().request(method, url, *args, **kwargs)
            except requests.exceptions.RequestException as exc:
                if _is_proxy_auth_failure(exc):
                    raise ProxyAuthRequired(_proxy_for(self, url), details=str(exc)) from exc
                if not replayable or isinstance(exc, requests.exceptions.SSLError) \
                        or _is_dns_failure(exc):
                    raise
                if _failed_before_sending(exc):
                    if connect_retries >= self.retry.connect_retries:
                        raise
                    delay = self.retry.backoff(connect_retries)
                    connect_retries += 1
                elif method_u in IDEMPOTENT_METHODS and _is_dropped(exc):
                    if status_retries >= self.retry.max_retries:
                        raise
                    delay = self.retry.backoff(status_retries)
                    status_retries += 1
                else:
                    raise  # a POST/PATCH may have been processed: never replay it
                log.info("%s %s failed (%s); retrying in %.1f s", method_u, _safe_url(url),
                         type(exc).__name__, delay)
                self.wait(delay)
                continue

            if response.status_code == 407:
                response.close()
                raise ProxyAuthRequired(_proxy_for(self, url))
            if (response.status_code not in self.retry.retry_statuses or not replayable
                    or status_retries >= self.retry.max_retries):
                return response
            delay = self._delay_for(response, status_retries)
            status_retries += 1
            log.info("%s %s answered %d; retrying in %.1f s", method_u, _safe_url(url),
                     response.status_code, delay)
            response.close()
            self.wait(delay)

    def _delay_for(self, response: requests.Response, attempt: int) -> float:
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now=self.clock())
        if retry_after is None:
            return self.retry.backoff(attempt)
        if retry_after > self.retry.max_retry_after:
            host = urlsplit(response.url or "").hostname or response.url
            minutes = math.ceil(retry_after / 60)
            raise E.RetryAfterTooLong(
                host=host, minutes=minutes,
                details=f"HTTP {response.status_code}, Retry-After: "
                        f"{response.headers.get('Retry-After')}")
        # Honour it exactly: never shorter than asked, even for 503.
        return retry_after


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if not math.isfinite(seconds) or seconds < 0:
            return None
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # HTTP dates are GMT
        import datetime as _dt

        when = when.replace(tzinfo=_dt.timezone.utc)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def _has_stream_body(kwargs: Mapping[str, Any]) -> bool:
    data = kwargs.get("data")
    files = kwargs.get("files")
    return bool(files) or (data is not None and hasattr(data, "read"))


def _reason(exc: BaseException) -> BaseException | None:
    """The urllib3 reason inside a requests exception (MaxRetryError.reason etc.)."""
    seen = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, urllib3.exceptions.MaxRetryError) and cur.reason is not None:
            return cur.reason
        nxt = cur.args[0] if cur.args and isinstance(cur.args[0], BaseException) else None
        cur = nxt or cur.__cause__ or cur.__context__
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:
        cur = todo.pop()
        if any(cur is e for e in out):
            continue
        out.append(cur)
        for a in getattr(cur, "args", ()):
            if isinstance(a, BaseException):
                todo.append(a)
        reason = getattr(cur, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
        for nxt in (cur.__cause__, cur.__context__):
            if nxt is not None:
                todo.append(nxt)
    return out


def _is_dns_failure(exc: BaseException) -> bool:
    return any(isinstance(e, (urllib3.exceptions.NameResolutionError, socket.gaierror))
               for e in _chain(exc))


def _failed_before_sending(exc: BaseException) -> bool:
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ProxyError):
        return True
    return any(isinstance(e, (urllib3.exceptions.NewConnectionError,
                              urllib3.exceptions.ConnectTimeoutError, ConnectionRefusedError))
               for e in _chain(exc))


def _is_dropped(exc: BaseException) -> bool:
    # A read timeout is not retried: a server that kept silent for the whole read
    # timeout rarely answers the next time, and the user would wait minutes.
    return isinstance(exc, (requests.exceptions.ConnectionError,
                            requests.exceptions.ChunkedEncodingError)) and not isinstance(
        exc, requests.exceptions.Timeout)


def _is_proxy_auth_failure(exc: BaseException) -> bool:
    return isinstance(exc, requests.exceptions.ProxyError) and any(
        "407" in str(e) for e in _chain(exc))


def _proxy_for(session: requests.Session, url: str) -> str | None:
    try:
        proxies = session.merge_environment_settings(url, dict(session.proxies), None, True,
                                                     None)["proxies"]
    except Exception:  # noqa: BLE001 - only used to name the proxy in a message
        return None
    proxy = requests.utils.select_proxy(url, proxies)
    if not proxy:
        return None
    parts = urlsplit(proxy if "://" in proxy else "http://" + proxy)
    return f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname


def _safe_url(url: str) -> str:
    """Scheme, host and path only: queries can carry codes and tokens."""
    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc.rsplit('@', 1)[-1]}{p.path}"


def proxy_for_url(session: requests.Session, url: str) -> str | None:
    """The proxy (host:port) a request to ``url`` would use, or None for direct."""
    return _proxy_for(session, url)


def network_error(exc: BaseException, url: str) -> WizardError:
    """A user-facing error for a requests exception raised while calling ``url``."""
    if isinstance(exc, WizardError):
        return exc
    host = urlsplit(url).hostname or url
    details = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, requests.exceptions.SSLError) or any(
            isinstance(e, ssl.SSLError) for e in _chain(exc)):
        verify = next((e for e in _chain(exc) if isinstance(e, ssl.SSLCertVerificationError)),
                      None)
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return tls_error(verify, host, port, details=details)
    if _is_dns_failure(exc):
        return E.DnsFailed(host=host, details=details)
    if isinstance(exc, requests.exceptions.ProxyError):
        return E.ProxyFailed(host=host, details=details)
    if isinstance(exc, requests.exceptions.Timeout):
        return E.TimedOut(host=host, details=details)
    if _failed_before_sending(exc):
        return E.ConnectionRefused(host=host, details=details)
    return E.ConnectionDropped(host=host, details=details)


# -- TLS failures, named for what they are -------------------------------------------------
# OpenSSL's X509_V_ERR_* numbers (x509_vfy.h); truststore on macOS/Windows reports the
# platform's text instead, matched by words below.
_UNKNOWN_ISSUER = {2, 18, 19, 20, 21, 27, 32}
_EXPIRED, _NOT_YET_VALID, _REVOKED = 10, 9, 23
_WRONG_HOST = {62, 63, 64}      # host name, e-mail, IP address mismatch
# Issuers of TLS-inspecting proxies and security software (what "intercepted" looks like).
_INSPECTORS = ("zscaler", "fortinet", "fortigate", "palo alto", "paloalto", "blue coat",
               "bluecoat", "proxysg", "netskope", "umbrella", "sophos", "forcepoint",
               "websense", "check point", "checkpoint", "barracuda", "mcafee", "skyhigh",
               "kaspersky", "avast", "avg ", "eset", "bitdefender", "untangle", "squid",
               "mitmproxy", "charles proxy", "fiddler", "do_not_trust", "cisco", "iboss",
               "smoothwall", "lightspeed", "securly", "trend micro", "watchguard", "sonicwall")
# Hosts whose certificates always chain to a public CA: an unknown issuer there means
# someone in between (REFERENCE.md's clouds).
_PUBLIC_DOMAINS = ("dynamics.com", "dynamics.cn", "microsoftdynamics.us", "appsplatform.us",
                   "microsoftonline.com", "microsoftonline.us", "chinacloudapi.cn",
                   "microsoft.com", "windows.net", "powerplatform.com")


def tls_kind(verify: ssl.SSLCertVerificationError | None) -> str:
    """``unknown_issuer``, ``expired``, ``not_yet_valid``, ``wrong_host``, ``revoked`` or
    ``other`` for a certificate verification error (None: the handshake itself failed)."""
    if verify is None:
        return "other"
    code = getattr(verify, "verify_code", None)
    text = f"{getattr(verify, 'verify_message', '')} {verify}".lower()
    if code in _WRONG_HOST or "mismatch" in text or "doesn't match" in text \
            or "does not match" in text:
        return "wrong_host"
    if code == _EXPIRED or "expired" in text:
        return "expired"
    if code == _NOT_YET_VALID or "not yet valid" in text:
        return "not_yet_valid"
    if code == _REVOKED or "revoked" in text:
        return "revoked"
    if code in _UNKNOWN_ISSUER or "issuer" in text or "self-signed" in text or \
            "self signed" in text or "untrusted" in text or "not trusted" in text:
        return "unknown_issuer"
    return "other"


def looks_intercepted(host: str, issuer: str | None) -> bool:
    name = (issuer or "").lower()
    h = host.lower().rstrip(".")
    return any(word in name for word in _INSPECTORS) or \
        any(h == d or h.endswith("." + d) for d in _PUBLIC_DOMAINS)


def tls_error(verify: ssl.SSLCertVerificationError | None, host: str, port: int, *,
              issuer: str | None = None, details: str | None = None) -> "NetworkError":
    """A TLS failure in plain words: unknown issuer (named), intercepted, wrong host,
    expired, not yet valid, revoked, or a handshake that failed."""
    kind = tls_kind(verify)
    details = details or (f"{verify.verify_message}" if verify is not None else None)
    if kind == "unknown_issuer":
        if issuer is None:
            from wizard.engine.connect import peer_certificate_issuer

            issuer = peer_certificate_issuer(host, port, 5.0)
        if looks_intercepted(host, issuer):
            cls: type[NetworkError] = E.TlsInterceptedBy if issuer else E.TlsIntercepted
        else:
            cls = E.TlsUntrustedIssuer if issuer else E.TlsUntrusted
        return cls(host=host, issuer=issuer, details=details)
    if kind == "wrong_host":
        return E.TlsWrongHost(host=host, details=details)
    if kind in ("expired", "not_yet_valid"):
        return (E.TlsExpired if kind == "expired" else E.TlsNotYetValid)(host=host, details=details)
    if kind == "revoked":
        return E.TlsRevoked(host=host, details=details)
    return E.TlsFailed(host=host, details=details)


def make_session(*, ca_bundles: Iterable[str | os.PathLike[str] | None] = (),
                 timeout: float | tuple[float, float] = (DEFAULT_CONNECT_TIMEOUT,
                                                         DEFAULT_READ_TIMEOUT),
                 retry: RetryPolicy | None = None,
                 sleep: Callable[[float], None] | None = None,
                 clock: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic,
                 cancel_event: CancelEvent | None = None,
                 proxies: Mapping[str, str] | None = None,
                 ssl_context: ssl.SSLContext | None = None) -> WizardSession:
    """The session every engine request uses (and msal's ``http_client``)."""
    if not isinstance(timeout, tuple):
        timeout = (float(timeout), float(timeout))
    ctx = ssl_context or build_ssl_context([b for b in ca_bundles if b])
    return WizardSession(ssl_context=ctx, timeout=timeout, retry=retry or RetryPolicy(),
                         sleep=sleep, clock=clock, monotonic=monotonic,
                         cancel_event=cancel_event, proxies=proxies)
