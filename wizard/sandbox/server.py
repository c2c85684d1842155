"""Run the sandbox tenant: HTTPS servers on 127.0.0.1, in threads of this process.

Topology (TEAM.md): the main port P serves the identity provider, Global Discovery and the
on-premises-style orgs at ``https://127.0.0.1:P/<orgname>``; each online org has its own
port, so its URL is ``https://127.0.0.1:Pn`` like a real ``https://org.crm.dynamics.com``.

TLS is handled per connection in the connection's own thread (a slow or failing handshake
never blocks the accept loop), which is also where the "unknown CA" fault picks the
certificate. Connections are HTTP/1.1 keep-alive (NTLM needs that); ``stop()`` closes
every open connection and joins every thread.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import shutil
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler
from werkzeug.wrappers import Response
from werkzeug.wsgi import LimitedStream

from wizard.engine.clouds import cloud_from_dict
from wizard.sandbox import seed
from wizard.sandbox.certs import SIGNING_KEY_FILE, ensure_certificates, load_or_create_key
from wizard.sandbox.faults import Faults
from wizard.sandbox.identity import SAMPLE_CLIENT_ID, IdentityProvider
from wizard.sandbox.org_auth import BearerOrgMiddleware, LatencyMiddleware, NtlmOrgMiddleware, write_ntlm_user_file
from wizard.sandbox.requestlog import RequestLog, RequestLogMiddleware

log = logging.getLogger("wizard.sandbox")

HOST = "127.0.0.1"
IDLE_TIMEOUT = 30.0          # seconds a keep-alive connection may sit idle
PORTS_FILE = "ports.json"
CLOUD_FILE = "sandbox-cloud.json"
REGION_CODES = {"NA": "NAM", "JP": "JPN", "EU": "EUR"}
DEFAULT_REFRESH_LIFETIME = 90 * 24 * 3600   # Entra's inactivity limit for refresh tokens


class _FencedReader:
    """The connection's reader, which reads nothing once the response is complete.

    werkzeug drains the socket after every response because it closes every connection;
    on a keep-alive connection that drain would swallow the client's next request. Our
    handler consumes exactly the declared request body itself, then raises the fence.
    """

    def __init__(self, handler: "_Handler", raw) -> None:
        self._handler = handler
        self._raw = raw

    def read(self, size: int = -1) -> bytes:
        if self._handler.fenced:
            return b""
        return self._raw.read(size)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class _Handler(WSGIRequestHandler):
    """HTTP/1.1 with real keep-alive (werkzeug closes after every response by default).

    Keep-alive is safe once the unread rest of each request body is drained before the
    next request line is read, which the counting ``LimitedStream`` makes possible.
    Chunked request bodies are not counted, so those connections still close.
    """

    protocol_version = "HTTP/1.1"
    _body: LimitedStream | None = None
    fenced = False

    def setup(self) -> None:
        super().setup()
        self._raw_rfile = self.rfile
        self.rfile = _FencedReader(self, self._raw_rfile)  # type: ignore[assignment] # the server subclass and a fenced reader

    def handle_one_request(self) -> None:
        self.fenced = False
        self._body = None
        super().handle_one_request()

    def make_environ(self):
        environ = super().make_environ()
        environ["sandbox.connection"] = getattr(self.request, "sandbox_connection_id", 0)
        environ["sandbox.handler"] = self
        if environ.get("wsgi.input_terminated"):
            self._body = None
        else:
            try:
                length = max(0, int(environ.get("CONTENT_LENGTH") or 0))
            except ValueError:
                length = 0
            self._body = LimitedStream(self._raw_rfile, length)
            environ["wsgi.input"] = self._body
        return environ

    def finish_body(self) -> None:
        """The response is out: consume the rest of the request body, then fence the reader."""
        try:
            if self._body is None:
                self.close_connection = True
            else:
                self._body.exhaust()
        except (OSError, ValueError):
            self.close_connection = True
        finally:
            self.fenced = True

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "connection" and value.lower() == "close" \
                and self._body is not None:
            return      # werkzeug's unconditional "close"; finish_body makes reuse safe
        super().send_header(keyword, value)

    def run_wsgi(self) -> None:
        server: _SandboxHTTPServer = self.server  # type: ignore[assignment] # the server subclass and a fenced reader
        if server.should_drop(self.path):
            # The "drop_connection" fault: no status line, no headers, just a closed socket.
            self.close_connection = True
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self.connection, socket.SHUT_RDWR)
            return
        try:
            super().run_wsgi()
        except BaseException:
            self.close_connection = True
            raise
        finally:
            if not self.fenced:
                self.close_connection = True
                self.fenced = True

    def log(self, type: str, message: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), message % args if args else message)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug("%s %s %s", self.requestline, code, size)


class _KeepAliveApp:
    """Tells the request's handler when the app has produced its whole response."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        handler: _Handler | None = environ.get("sandbox.handler")
        try:
            result = self.app(environ, start_response)
        except BaseException:
            if handler is not None:
                handler.close_connection = True
                handler.fenced = True
            raise
        if handler is None:
            return result
        return self._iterate(result, handler)

    @staticmethod
    def _iterate(result, handler: _Handler):
        try:
            yield from result
        except BaseException:
            handler.close_connection = True
            raise
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
            handler.finish_body()


class _SandboxHTTPServer(ThreadedWSGIServer):
    """werkzeug's threaded server, with TLS per connection and a clean, joined shutdown."""

    daemon_threads = False
    block_on_close = True
    _ids = itertools.count(1)

    def __init__(self, sock: socket.socket, app, *, tls: Callable[[], ssl.SSLContext],
                 drop: Callable[[str], bool], on_close: Callable[[int], None]) -> None:
        host, port = sock.getsockname()[:2]
        super().__init__(host, port, _KeepAliveApp(app), handler=_Handler, fd=sock.fileno())
        self._tls = tls
        self._drop = drop
        self._on_close = on_close
        self.ssl_context = tls()        # werkzeug reads it for wsgi.url_scheme
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def should_drop(self, path: str) -> bool:
        return self._drop(path)

    def finish_request(self, request, client_address) -> None:
        with self._open_lock:
            self._open.add(request)
        conn_id = next(self._ids)
        tls_sock = None
        try:
            request.settimeout(IDLE_TIMEOUT)
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                tls_sock = self._tls().wrap_socket(request, server_side=True)
            except (OSError, ValueError) as exc:
                log.debug("TLS handshake with %s failed: %s", client_address, exc)
                return
            with self._open_lock:
                self._open.discard(request)
                self._open.add(tls_sock)
            tls_sock.sandbox_connection_id = conn_id  # type: ignore[attr-defined] # tag the socket with its connection id
            self.RequestHandlerClass(tls_sock, client_address, self)  # type: ignore[arg-type] # typeshed's Self, unbound
        finally:
            self._on_close(conn_id)
            with self._open_lock:
                self._open.discard(request)
                if tls_sock is not None:
                    self._open.discard(tls_sock)
            if tls_sock is not None:
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(tls_sock, socket.SHUT_RDWR)
                tls_sock.close()

    def handle_error(self, request, client_address) -> None:
        log.debug("error on connection from %s", client_address, exc_info=True)

    def close_connections(self) -> None:
        with self._open_lock:
            socks = list(self._open)
        for s in socks:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(s, socket.SHUT_RDWR)

    def log(self, type: str, message: str, *args: Any) -> None:
        log.debug(message, *args)


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    return sock


def _placeholder_webapi_app(org: seed.Org, store: Any, base_url: str):
    """Stands in until the Web API app (wizard.sandbox.dataverse_api) is merged: WhoAmI, version."""

    def app(environ, start_response):
        user: seed.User = environ["sandbox.user"]
        path = environ.get("PATH_INFO", "")
        root = f"{base_url}/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM."
        if path.rstrip("/").endswith("/api/data/v9.2/WhoAmI"):
            body = {"@odata.context": root + "WhoAmIResponse",
                    "BusinessUnitId": "b0000000-0000-4000-8000-000000000001",
                    "UserId": user.systemuser_id, "OrganizationId": org.org_id}
        elif path.rstrip("/").endswith("/api/data/v9.2/RetrieveVersion"):
            body = {"@odata.context": root + "RetrieveVersionResponse", "Version": org.version}
        else:
            body = {"error": {"code": "0x80060888", "message": "Resource not found for the "
                                                               "segment."}}
            return Response(json.dumps(body), status=404, headers={
                "Content-Type": "application/json; odata.metadata=minimal",
                "OData-Version": "4.0"})(environ, start_response)
        return Response(json.dumps(body), headers={
            "Content-Type": "application/json; odata.metadata=minimal",
            "OData-Version": "4.0"})(environ, start_response)

    return app


def _webapi_factory():
    try:
        from wizard.sandbox.dataverse_api import create_webapi_app
    except ImportError:
        return _placeholder_webapi_app
    return create_webapi_app


def _make_store(contacts: int | None, orgs: tuple[seed.Org, ...]):
    try:
        from wizard.sandbox.store import DataStore
    except ImportError:
        return None
    return DataStore.seeded(contacts, orgs=orgs)


class Sandbox:
    """A running sandbox tenant. Use ``start_sandbox()``; stop with ``stop()`` or ``with``."""

    def __init__(self, data_dir: str | os.PathLike[str] | None = None, *, port: int = 0,
                 contacts: int | None = None, token_lifetime: int = 3600,
                 faults: Faults | list[str] | tuple[str, ...] | None = None,
                 remember_ports: bool = False,
                 refresh_lifetime: int = DEFAULT_REFRESH_LIFETIME, extra_orgs: int = 0) -> None:
        self._temp_dir: str | None = None
        self.orgs: tuple[seed.Org, ...] = seed.ORGS + seed.extra_online_orgs(max(0, extra_orgs))
        self.online_orgs = tuple(o for o in self.orgs if o.kind == "online")
        self._servers: list[_SandboxHTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._stopped = False
        self._previous_ntlm_file = os.environ.get("NTLM_USER_FILE")
        self._ntlm_file: str | None = None
        self._ntlm_middleware: NtlmOrgMiddleware | None = None
        self.requests = RequestLog()
        if isinstance(faults, Faults):
            self.faults = faults
        else:
            self.faults = Faults()
            self.faults.apply_specs(faults)
        self.default_token_lifetime = token_lifetime
        self.default_refresh_lifetime = refresh_lifetime
        if data_dir is None:
            self._temp_dir = tempfile.mkdtemp(prefix="d365-sandbox-")
            data_dir = self._temp_dir
        self.data_dir = Path(data_dir)
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.certs = ensure_certificates(self.data_dir)
            self._contexts = {False: self.certs.server_context(),
                              True: self.certs.server_context(unknown_ca=True)}
            self.store = _make_store(contacts, self.orgs)
            self._start(port, remember_ports, token_lifetime)
        except BaseException:
            self.stop()
            raise

    # ---- startup ----

    def _choose_sockets(self, port: int, remember: bool) -> tuple[socket.socket,
                                                                  dict[str, socket.socket]]:
        online = [o.unique_name for o in self.online_orgs]
        if port:
            wanted = {"main": port, **{n: port + 1 + i for i, n in enumerate(online)}}
            strict = True
        elif remember:
            wanted = self._remembered_ports()
            strict = False
        else:
            wanted, strict = {}, False
        socks: dict[str, socket.socket] = {}
        try:
            for name in ["main", *online]:
                want = int(wanted.get(name, 0) or 0)
                try:
                    socks[name] = _bind(want)
                except OSError:
                    if strict or not want:
                        raise
                    socks[name] = _bind(0)
        except BaseException:
            for s in socks.values():
                s.close()
            raise
        # Always recorded (``d365-orgs sandbox fault`` finds the sandbox by it); reused
        # only when asked, so tests never collide with a sandbox someone left running.
        self._remember_ports({n: s.getsockname()[1] for n, s in socks.items()})
        main = socks.pop("main")
        return main, socks

    def _remembered_ports(self) -> dict[str, int]:
        try:
            raw = json.loads((self.data_dir / PORTS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {k: int(v) for k, v in raw.items() if isinstance(v, int)} if isinstance(
            raw, dict) else {}

    def _remember_ports(self, ports: dict[str, int]) -> None:
        path = self.data_dir / PORTS_FILE
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(ports, indent=2), encoding="utf-8")
        os.replace(tmp, path)

    def _start(self, port: int, remember: bool, token_lifetime: int) -> None:
        main_sock, org_socks = self._choose_sockets(port, remember)
        try:
            self.port = main_sock.getsockname()[1]
            self.discovery_url = f"https://{HOST}:{self.port}"
            self.authority_url = f"{self.discovery_url}/{seed.TENANT_ID}"
            self.org_urls: dict[str, str] = {}
            for org in self.orgs:
                if org.kind == "online":
                    self.org_urls[org.unique_name] = \
                        f"https://{HOST}:{org_socks[org.unique_name].getsockname()[1]}"
                else:
                    self.org_urls[org.unique_name] = f"{self.discovery_url}/{org.unique_name}"
            key = load_or_create_key(self.data_dir / SIGNING_KEY_FILE)
            self.identity = IdentityProvider(
                base_url=self.discovery_url, signing_key=key,
                entra_resources=self._entra_resources, adfs_resources=self._adfs_resources,
                faults=self.faults, token_lifetime=token_lifetime,
                refresh_lifetime=self.default_refresh_lifetime)
            self._write_ntlm_file()
            self.discovery = self._make_discovery()
            webapi = _webapi_factory()
            if self.store is not None and hasattr(self.store, "exchange"):
                self.store.exchange.faults = self.faults
            mounts: dict[str, Any] = {"/_sandbox": self._admin_app}
            if self.discovery is not None:
                mounts["/api/discovery"] = self.discovery
            org_apps: dict[str, Any] = {}
            for org in self.orgs:
                url = self.org_urls[org.unique_name]
                inner = RequestLogMiddleware(webapi(org, self.store, url), org.unique_name,
                                             self.requests)
                org_apps[org.unique_name] = self._protect(org, inner, url)
                if org.kind != "online":
                    mounts[f"/{org.unique_name}"] = org_apps[org.unique_name]
            main_app = LatencyMiddleware(DispatcherMiddleware(self.identity, mounts),
                                         self.faults)
            self._serve(main_sock, main_app, drop=self._drop_on_main)
            for org in self.online_orgs:
                app = LatencyMiddleware(org_apps[org.unique_name], self.faults)
                self._serve(org_socks[org.unique_name], app, drop=self._drop_always)
        finally:
            main_sock.close()
            for s in org_socks.values():
                s.close()
        self.cloud = cloud_from_dict(self.cloud_dict(), source="sandbox")
        self.cloud_file = self.data_dir / CLOUD_FILE
        tmp = self.cloud_file.with_name(CLOUD_FILE + ".tmp")
        tmp.write_text(json.dumps(self.cloud_dict(), indent=2), encoding="utf-8")
        os.replace(tmp, self.cloud_file)

    def _admin_app(self, environ, start_response):
        """``/_sandbox/faults``: read (GET) or switch (POST JSON) faults on a running sandbox.

        POST needs ``X-Sandbox-Admin: 1`` and a JSON body, so a web page cannot switch
        faults (a custom header makes browsers ask first, and nothing here answers that).
        Body: ``{"reset": true, "clear": ["latency"], "set": {"throttle": 2}}``.
        """
        from werkzeug.wrappers import Request

        from wizard.sandbox.faults import UnknownFault

        request = Request(environ)
        if request.path == "/revoke":
            return self._admin_revoke(request)(environ, start_response)
        if request.path != "/faults":
            return Response("Not Found", status=404)(environ, start_response)
        if request.method == "POST":
            if request.headers.get("X-Sandbox-Admin") != "1" or not request.is_json:
                return Response("Forbidden", status=403)(environ, start_response)
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                return Response("Bad Request", status=400)(environ, start_response)
            try:
                if body.get("reset"):
                    self.faults.reset()
                for name in body.get("clear", []):
                    self.faults.clear(str(name))
                for name, value in (body.get("set") or {}).items():
                    self.faults.set(str(name), value)
            except (UnknownFault, ValueError, TypeError) as exc:
                return Response(json.dumps({"error": str(exc)}), status=400,
                                content_type="application/json")(environ, start_response)
        elif request.method != "GET":
            return Response("Method Not Allowed", status=405)(environ, start_response)
        return Response(json.dumps({"faults": self.faults.active()}),
                        content_type="application/json")(environ, start_response)

    def _admin_revoke(self, request) -> Response:
        """``POST /_sandbox/revoke {"upn": ..., "sessions": false}``: see :meth:`revoke`."""
        if request.method != "POST":
            return Response("Method Not Allowed", status=405)
        if request.headers.get("X-Sandbox-Admin") != "1" or not request.is_json:
            return Response("Forbidden", status=403)
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("upn"), str):
            return Response("Bad Request", status=400)
        try:
            self.revoke(body["upn"], sessions=bool(body.get("sessions")))
        except KeyError:
            return Response(json.dumps({"error": f"unknown user {body['upn']!r}"}), status=404,
                            content_type="application/json")
        return Response(json.dumps({"revoked": body["upn"],
                                    "sessions": bool(body.get("sessions"))}),
                        content_type="application/json")

    def _make_discovery(self):
        try:
            from wizard.sandbox.global_discovery import DiscoveryService
        except ImportError:
            return None
        return DiscoveryService(sandbox=self)

    def _write_ntlm_file(self) -> None:
        path = write_ntlm_user_file(self.data_dir / "ntlm-users.txt")
        self._ntlm_file = str(path)
        # pyspnego's NTLM acceptor finds its credential store only through this variable.
        os.environ["NTLM_USER_FILE"] = self._ntlm_file

    def _protect(self, org: seed.Org, app, url: str):
        if org.auth == "ntlm":
            middleware = NtlmOrgMiddleware(app, org=org, faults=self.faults)
            self._ntlm_middleware = middleware
            return middleware
        if org.auth == "adfs":
            return BearerOrgMiddleware(app, org=org, base_url=url,
                                       authority_url=self.identity.adfs_issuer,
                                       issuer=self.identity.adfs_issuer,
                                       decode=self.identity.decode_access_token,
                                       faults=self.faults, revoked=self.identity.access_revoked)
        return BearerOrgMiddleware(app, org=org, base_url=url, authority_url=self.authority_url,
                                   issuer=self.identity.access_issuer(seed.TENANT_ID),
                                   decode=self.identity.decode_access_token, faults=self.faults,
                                   revoked=self.identity.access_revoked)

    def _serve(self, sock: socket.socket, app, *, drop: Callable[[str], bool]) -> None:
        server = _SandboxHTTPServer(sock, app, tls=self._tls_context, drop=drop,
                                    on_close=self._connection_closed)
        self._servers.append(server)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                  name=f"sandbox-{server.port}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _tls_context(self) -> ssl.SSLContext:
        return self._contexts[bool(self.faults.get("unknown_ca"))]

    def _connection_closed(self, conn_id: int) -> None:
        if self._ntlm_middleware is not None:
            self._ntlm_middleware.forget(conn_id)

    def _drop_always(self, path: str) -> bool:
        return bool(self.faults.take("drop_connection"))

    def _drop_on_main(self, path: str) -> bool:
        first = path.split("?")[0].lstrip("/").split("/")[0]
        onprem = {o.unique_name for o in seed.ORGS if o.kind != "online"}
        if path.startswith("/api/discovery") or first in onprem:
            return bool(self.faults.take("drop_connection"))
        return False

    def _entra_resources(self) -> list[str]:
        return [self.discovery_url] + [self.org_urls[o.unique_name] for o in self.online_orgs]

    def _adfs_resources(self) -> list[str]:
        return [self.org_urls[o.unique_name] for o in seed.ORGS if o.auth == "adfs"]

    # ---- what clients need ----

    @property
    def ca_file(self) -> Path:
        return self.certs.ca_file

    def org(self, unique_name: str) -> seed.Org:
        org = next((o for o in self.orgs if o.unique_name == unique_name), None)
        if org is None:
            raise KeyError(unique_name)
        return org

    def cloud_dict(self) -> dict[str, Any]:
        hosts = {}
        for org in self.online_orgs:
            netloc = self.org_urls[org.unique_name].split("://", 1)[1]
            hosts[netloc] = {"region": REGION_CODES.get(org.region, org.region),
                             "unique_name": org.unique_name}
        return {
            "name": "sandbox",
            "display_name": "Sandbox (Contoso)",
            "authority": self.authority_url,
            "discovery_url": self.discovery_url,
            "org_domains": [],
            "org_hosts": hosts,
            "ca_bundle": str(self.ca_file),
            "client_id": SAMPLE_CLIENT_ID,
            "adfs": False,
        }

    def describe(self) -> dict[str, Any]:
        """What ``d365-orgs sandbox serve`` prints: everything a client needs to connect."""
        users = []
        for u in seed.USERS:
            users.append({
                "upn": u.upn, "ntlm_name": u.ntlm_name, "display_name": u.display_name,
                "password": seed.PRACTICE_PASSWORD, "requires_mfa": u.requires_mfa,
                "disabled": u.disabled, "sync_privilege": u.sync_privilege,
                "orgs": list(u.orgs)})
        return {
            "authority_url": self.authority_url,
            "adfs_authority_url": self.identity.adfs_issuer,
            "discovery_url": self.discovery_url,
            "tenant_id": seed.TENANT_ID,
            "org_urls": dict(self.org_urls),
            "ca_file": str(self.ca_file),
            "cloud_file": str(self.cloud_file),
            "data_dir": str(self.data_dir),
            "client_id": SAMPLE_CLIENT_ID,
            "mfa_code": seed.MFA_CODE,
            "users": users,
            "faults": self.faults.active(),
        }

    def token(self, upn: str, resource: str, *, tenant: str = seed.TENANT_ID,
              password: str = seed.PRACTICE_PASSWORD) -> str:
        """An access token for ``upn`` (the password grant, in-process). Raises IdentityError."""
        scope = resource.rstrip("/") + "/user_impersonation"
        return self.identity.password_grant(upn, password, scope, tenant=tenant)["access_token"]

    def revoke(self, upn: str, *, sessions: bool = False) -> None:
        """Revoke ``upn``'s access tokens (orgs answer 401 with a claims challenge; a
        refreshed token works); ``sessions`` revokes the refresh tokens too (AADSTS50173),
        as a password change does."""
        self.identity.revoke(upn, sessions=sessions)

    def reset(self) -> None:
        """Faults off, the configured token lifetimes back, the request log empty and the
        mailbox records and Exchange stamps as seeded (between tests)."""
        self.faults.reset()
        self.identity.clear_revocations()
        self.requests.clear()
        if self.store is not None and hasattr(self.store, "exchange"):
            self.store.exchange.reset()
        self.identity.token_lifetime = self.default_token_lifetime
        self.identity.refresh_lifetime = self.default_refresh_lifetime
        self.identity.device_code_lifetime = 900
        self.identity.device_code_interval = 1

    # ---- shutdown ----

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        for server in self._servers:
            server.shutdown()
        for server in self._servers:
            server.close_connections()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=10)
        self._servers.clear()
        self._threads.clear()
        if self._ntlm_file and os.environ.get("NTLM_USER_FILE") == self._ntlm_file:
            if self._previous_ntlm_file is None:
                os.environ.pop("NTLM_USER_FILE", None)
            else:
                os.environ["NTLM_USER_FILE"] = self._previous_ntlm_file
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_sandbox(data_dir: str | os.PathLike[str] | None = None, *, port: int = 0,
                  contacts: int | None = None, token_lifetime: int = 3600,
                  faults: Faults | list[str] | tuple[str, ...] | None = None,
                  remember_ports: bool = False,
                  refresh_lifetime: int = DEFAULT_REFRESH_LIFETIME, extra_orgs: int = 0) -> Sandbox:
    """Start the sandbox tenant in threads of this process and return it (TEAM.md contract).

    ``data_dir`` keeps the CA, keys and remembered ports (a temporary dir, removed on stop,
    when None). ``port`` fixes the main port (online orgs take the next ones); 0 picks free
    ports, or with ``remember_ports`` the ports of the last run when they are free.
    ``refresh_lifetime`` is how long (seconds) a refresh token may sit unused before it
    fails with AADSTS700082. ``extra_orgs`` adds that many online orgs (``contosox1``, …)
    whose only member is Alice, for benchmarks that need more orgs.
    """
    return Sandbox(data_dir, port=port, contacts=contacts, token_lifetime=token_lifetime,
                   faults=faults, remember_ports=remember_ports,
                   refresh_lifetime=refresh_lifetime, extra_orgs=extra_orgs)
