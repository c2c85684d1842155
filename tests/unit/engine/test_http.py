"""The HTTP session: trust, retries, timeouts, proxies, against a real HTTPS server."""

from __future__ import annotations

import email.utils
import socket
import threading
import time

import pytest
import requests
import trustme

from tests.fixtures.proxy import read_head
from tests.fixtures.scripted_https import drop_connection, respond, start_scripted_server
from wizard.engine import http
from wizard.engine.http import (
    Cancelled,
    ProxyAuthRequired,
    RetryPolicy,
    ServerBusy,
    make_session,
    network_error,
    parse_retry_after,
)


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    d = tmp_path_factory.mktemp("ca")
    authority = trustme.CA()
    cert = authority.issue_cert("127.0.0.1", "localhost")
    ca_file = d / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    cert_file = d / "cert.pem"
    key_file = d / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(cert_file), append=True)
    cert.private_key_pem.write_to_path(str(key_file))
    return {"ca": ca_file, "cert": cert_file, "key": key_file}


@pytest.fixture
def server(ca):
    state, stop = start_scripted_server(ca["cert"], ca["key"])
    yield state
    stop()


@pytest.fixture
def session(ca):
    s = make_session(ca_bundles=[ca["ca"]], retry=RetryPolicy(backoff_base=0.01))
    yield s
    s.close()


# -- trust ---------------------------------------------------------------------------
def test_extra_ca_is_trusted(server, session):
    r = session.get(server.url + "/hello")
    assert r.status_code == 200 and r.json() == {"ok": True}


def test_unknown_ca_rejected_even_when_requests_ca_bundle_names_it(server, ca, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca["ca"]))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(ca["ca"]))
    # Plain requests would trust it through the environment...
    with requests.Session() as plain:
        assert plain.get(server.url + "/plain", timeout=5).status_code == 200
    # ...ours does not: only the OS store and the CA files we were given count.
    with make_session() as s:
        with pytest.raises(requests.exceptions.SSLError):
            s.get(server.url + "/ours")
        with pytest.raises(requests.exceptions.SSLError):
            s.get(server.url + "/ours", verify=str(ca["ca"]))
        with pytest.raises(ValueError):
            s.get(server.url + "/off", verify=False)


def test_tls_failure_maps_to_a_user_message(server):
    with make_session() as s, pytest.raises(requests.exceptions.SSLError) as info:
        s.get(server.url + "/x")
    err = network_error(info.value, server.url)
    assert err.kind == "tls" and "--ca-bundle" in err.fix


def test_missing_ca_bundle_is_a_clear_error(tmp_path):
    with pytest.raises(http.HttpError) as info:
        make_session(ca_bundles=[tmp_path / "nope.pem"])
    assert info.value.code == "ca_bundle_missing"


# -- 429 / 503 -------------------------------------------------------------------------
def test_429_waits_at_least_retry_after(server, ca):
    server.add(respond(429, {"error": {"code": "0x80072322", "message": "busy"}},
                       {"Retry-After": "2"}))
    with make_session(ca_bundles=[ca["ca"]]) as s:
        start = time.monotonic()
        r = s.get(server.url + "/busy")
        elapsed = time.monotonic() - start
    assert r.status_code == 200
    assert len(server.seen) == 2
    assert server.seen[1].at - server.seen[0].at >= 2.0
    assert elapsed >= 2.0


def test_429_retry_after_http_date(server, ca):
    now = 1_800_000_000.0
    waits = []
    server.add(respond(429, None, {"Retry-After": email.utils.formatdate(now + 7,
                                                                         usegmt=True)}))
    with make_session(ca_bundles=[ca["ca"]], sleep=waits.append, clock=lambda: now) as s:
        assert s.post(server.url + "/p", json={"a": 1}).status_code == 200
    assert waits == [7.0]
    assert [x.method for x in server.seen] == ["POST", "POST"]  # 429 = not processed


def test_absurd_retry_after_is_reported_not_waited(server, ca):
    waits = []
    server.add(respond(429, None, {"Retry-After": "86400"}))
    with make_session(ca_bundles=[ca["ca"]], sleep=waits.append) as s, pytest.raises(ServerBusy) as info:
        s.get(server.url + "/x")
    assert waits == [] and "1440 minute" in str(info.value)


def test_503_backs_off_exponentially_with_cap(server, ca):
    waits = []
    server.add(*[respond(503) for _ in range(4)])
    policy = RetryPolicy(backoff_base=1.0, backoff_cap=3.0, max_retries=5)
    with make_session(ca_bundles=[ca["ca"]], sleep=waits.append, retry=policy) as s:
        assert s.get(server.url + "/x").status_code == 200
    assert waits == [1.0, 2.0, 3.0, 3.0]


def test_retries_give_up_and_return_the_last_answer(server, ca):
    waits = []
    server.add(*[respond(503) for _ in range(10)])
    with make_session(ca_bundles=[ca["ca"]], sleep=waits.append,
                      retry=RetryPolicy(max_retries=2)) as s:
        assert s.get(server.url + "/x").status_code == 503
    assert len(server.seen) == 3


def test_503_retry_after_is_honoured(server, ca):
    waits = []
    server.add(respond(503, None, {"Retry-After": "4"}))
    with make_session(ca_bundles=[ca["ca"]], sleep=waits.append) as s:
        assert s.get(server.url + "/x").status_code == 200
    assert waits == [4.0]


# -- dropped connections -------------------------------------------------------------
def test_dropped_connection_is_retried_for_get(server, session):
    server.add(drop_connection)
    r = session.get(server.url + "/x")
    assert r.status_code == 200
    assert [s.method for s in server.seen] == ["GET", "GET"]


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_dropped_connection_is_not_retried_for_post(server, session, method):
    server.add(drop_connection)
    with pytest.raises(requests.exceptions.ConnectionError):
        session.request(method, server.url + "/x", json={"subject": "once"})
    time.sleep(0.1)
    assert [s.method for s in server.seen] == [method]


def test_refused_connection_is_retried_even_for_post_then_reported(ca):
    waits = []
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with make_session(ca_bundles=[ca["ca"]], sleep=waits.append,
                      retry=RetryPolicy(connect_retries=2, backoff_base=0.5)) as s:
        with pytest.raises(requests.exceptions.ConnectionError) as info:
            s.post(f"https://127.0.0.1:{port}/x", json={})
    assert waits == [0.5, 1.0]
    assert network_error(info.value, f"https://127.0.0.1:{port}").kind == "refused"


def test_dns_failure_is_not_retried_and_is_named():
    waits = []
    with make_session(sleep=waits.append) as s, pytest.raises(requests.exceptions.ConnectionError) as info:
        s.get("https://nonexistent-host.invalid/")
    assert waits == []
    err = network_error(info.value, "https://nonexistent-host.invalid/")
    assert err.kind == "dns" and "nonexistent-host.invalid" in err.message


def test_timeouts_are_always_set(server, session):
    seen = {}
    real_send = session.get_adapter(server.url).send

    def spy(request, **kw):
        seen["timeout"] = kw.get("timeout")
        return real_send(request, **kw)

    session.get_adapter(server.url).send = spy
    session.get(server.url + "/x")
    assert seen["timeout"] == (http.DEFAULT_CONNECT_TIMEOUT, http.DEFAULT_READ_TIMEOUT)


def test_wait_is_cancellable(server, ca):
    cancel = threading.Event()
    server.add(respond(429, None, {"Retry-After": "30"}))
    with make_session(ca_bundles=[ca["ca"]], cancel_event=cancel) as s:
        threading.Timer(0.2, cancel.set).start()
        start = time.monotonic()
        with pytest.raises(Cancelled):
            s.get(server.url + "/x")
        assert time.monotonic() - start < 25


# -- proxies ---------------------------------------------------------------------------
class _Proxy407(threading.Thread):
    """Answers every CONNECT with 407."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.requests = []
        self._halt = False

    def run(self):
        self.sock.settimeout(0.1)
        while not self._halt:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                data = read_head(conn)
                self.requests.append(data.split(b"\r\n", 1)[0].decode())
                conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                             b"Proxy-Authenticate: Basic realm=\"corp\"\r\n"
                             b"Content-Length: 0\r\nConnection: close\r\n\r\n")

    def stop(self):
        self._halt = True
        self.join(2)
        self.sock.close()


@pytest.fixture
def proxy407(monkeypatch):
    for var in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    p = _Proxy407()
    p.start()
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{p.port}")
    yield p
    p.stop()


def test_proxy_407_is_a_clear_error(proxy407, server, session):
    with pytest.raises(ProxyAuthRequired) as info:
        session.get(server.url + "/x")
    assert proxy407.requests and proxy407.requests[0].startswith("CONNECT 127.0.0.1:")
    assert f"127.0.0.1:{proxy407.port}" in str(info.value)
    assert server.seen == []


def test_no_proxy_bypasses_the_proxy(proxy407, server, session, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert session.get(server.url + "/x").status_code == 200
    assert proxy407.requests == []
    assert http.proxy_for_url(session, server.url) is None


# -- parsing -----------------------------------------------------------------------------
@pytest.mark.parametrize("value,expected", [
    ("2", 2.0), (" 10 ", 10.0), ("0", 0.0), ("1.5", 1.5), ("-3", None), ("soon", None),
    ("", None), (None, None), ("1e999", None), ("nan", None), ("inf", None),
])
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, now=0) == expected


def test_parse_retry_after_date_in_the_past_is_zero():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=2_000_000_000) == 0.0
