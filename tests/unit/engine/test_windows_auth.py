"""A real NTLM handshake (pyspnego on both ends) over one keep-alive HTTPS connection."""

from __future__ import annotations

import base64
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import spnego
import trustme

from wizard.engine.http import make_session
from wizard.engine.signin_errors import BadPassword
from wizard.engine.windows_auth import WindowsAuth

PASSWORD = "Test-Only-Pass-1"


class NtlmHandler(BaseHTTPRequestHandler):
    """One handler object per connection: the NTLM context lives on it."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.server.connections.add(self.client_address)
        header = self.headers.get("Authorization", "")
        scheme, _, data = header.partition(" ")
        if not data:
            if getattr(self, "user", None):
                return self._ok()
            return self._send(401, headers=[("WWW-Authenticate", "Negotiate"),
                                            ("WWW-Authenticate", "NTLM")])
        token = base64.b64decode(data)
        if token.startswith(b"NTLMSSP\x00\x01") or not hasattr(self, "ctx"):
            self.ctx = spnego.server(protocol="ntlm" if scheme == "NTLM" else "negotiate")
        try:
            out = self.ctx.step(token)
        except Exception:  # noqa: BLE001 - wrong password
            return self._send(401, headers=[("WWW-Authenticate", "NTLM")])
        if not self.ctx.complete:
            return self._send(401, headers=[("WWW-Authenticate",
                                             f"{scheme} {base64.b64encode(out).decode()}")])
        self.user = self.ctx.client_principal
        self._ok()

    def _ok(self):
        self._send(200, json.dumps({"user": self.user}).encode(),
                   [("Content-Type", "application/json")])


@pytest.fixture
def ntlm_server(tmp_path, monkeypatch):
    users = tmp_path / "users.txt"
    users.write_text(f"CORP:jdoe:{PASSWORD}\n")
    monkeypatch.setenv("NTLM_USER_FILE", str(users))
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1")
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    leaf.configure_cert(ctx)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), NtlmHandler)
    httpd.daemon_threads = True
    httpd.connections = set()
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True)
    t.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}", tmp_path / "ca.pem", httpd
    httpd.shutdown()
    httpd.server_close()
    t.join(5)


@pytest.mark.parametrize("protocol", ["ntlm", "negotiate"])
def test_handshake_on_one_connection(ntlm_server, protocol):
    url, ca, httpd = ntlm_server
    with make_session(ca_bundles=[ca]) as s:
        r = s.get(url + "/whoami", auth=WindowsAuth("CORP\\jdoe", PASSWORD, protocol=protocol))
        assert r.status_code == 200
        assert r.json()["user"].lower() == "corp\\jdoe"
        assert len(httpd.connections) == 1  # every leg on the same keep-alive connection
        assert len(r.history) == 2


def test_wrong_password(ntlm_server):
    url, ca, _ = ntlm_server
    with make_session(ca_bundles=[ca]) as s, pytest.raises(BadPassword):
        s.get(url + "/whoami", auth=WindowsAuth("CORP\\jdoe", "nope"))


def test_password_not_in_repr():
    assert PASSWORD not in repr(WindowsAuth("CORP\\jdoe", PASSWORD))
