"""Faults switched on a running sandbox change what clients see, and switch off again."""

from __future__ import annotations

import socket
import ssl
import time

import pytest
import requests

from tests.fixtures.sandbox import trusting_session
from wizard.sandbox.faults import Faults, UnknownFault

pytestmark = pytest.mark.sandbox


@pytest.fixture
def whoami(sandbox, sandbox_token):
    def get(org="contosona"):
        token = sandbox_token(resource=sandbox.org_urls[org])
        with trusting_session(sandbox.ca_file) as s:
            return s.get(sandbox.org_urls[org] + "/api/data/v9.2/WhoAmI",
                         headers={"Authorization": f"Bearer {token}"})

    return get


def test_429_storm_with_retry_after_then_clears(sandbox, whoami):
    sandbox.faults.set("throttle", 2, count=2)
    for _ in range(2):
        r = whoami()
        assert r.status_code == 429
        assert r.headers["Retry-After"] == "2"
        assert r.json()["error"]["code"] == "0x80072322"
        assert r.json()["error"]["message"]
    assert whoami().status_code == 200


def test_server_error(sandbox, whoami):
    sandbox.faults.set("server_error", 503)
    r = whoami()
    assert r.status_code == 503 and "code" in r.json()["error"]
    sandbox.faults.clear("server_error")
    assert whoami().status_code == 200


def test_dropped_connection(sandbox, whoami):
    sandbox.faults.set("drop_connection", count=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        whoami()
    assert whoami().status_code == 200


def test_identity_provider_keeps_working_during_web_api_faults(sandbox, sandbox_token):
    sandbox.faults.set("drop_connection")
    sandbox.faults.set("server_error")
    assert sandbox_token()      # the in-process grant; now over HTTPS too:
    with trusting_session(sandbox.ca_file) as s:
        r = s.get(f"{sandbox.authority_url}/v2.0/.well-known/openid-configuration")
        assert r.status_code == 200


def test_latency(sandbox, whoami):
    sandbox.faults.set("latency", 0.3)
    start = time.monotonic()
    assert whoami().status_code == 200
    assert time.monotonic() - start >= 0.3


def test_token_expiry(sandbox, whoami):
    sandbox.faults.set("token_expired")
    r = whoami()
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith(
        "Bearer error=invalid_token, error_description=The access token is expired.")


def test_org_turns_disabled(sandbox, whoami):
    assert whoami("contosojp").status_code == 200
    sandbox.faults.set("org_disabled", "contosojp")
    r = whoami("contosojp")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "0x8004a104"
    assert whoami("contosona").status_code == 200


def test_seeded_disabled_org_answers_as_disabled(sandbox, sandbox_token):
    token = sandbox_token(resource=sandbox.org_urls["contosoretired"])
    with trusting_session(sandbox.ca_file) as s:
        r = s.get(sandbox.org_urls["contosoretired"] + "/api/data/v9.2/WhoAmI",
                  headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "0x8004a104"


def test_unknown_ca_certificate(sandbox):
    sandbox.faults.set("unknown_ca")
    with trusting_session(sandbox.ca_file) as s, pytest.raises(requests.exceptions.SSLError):
        s.get(sandbox.discovery_url + "/adfs/discovery/keys")
    # What a diagnosis would show: the certificate's issuer.
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE     # only to read the certificate in this test
    with socket.create_connection(("127.0.0.1", sandbox.port)) as raw, ctx.wrap_socket(raw) as tls:
        der = tls.getpeercert(binary_form=True)
    from cryptography import x509

    issuer = x509.load_der_x509_certificate(der).issuer.rfc4514_string()
    assert "Unknown Inspection Proxy CA" in issuer
    sandbox.faults.clear("unknown_ca")
    with trusting_session(sandbox.ca_file) as s:
        assert s.get(sandbox.discovery_url + "/adfs/discovery/keys").status_code == 200


def test_fault_switchboard_parses_cli_specs():
    faults = Faults()
    faults.apply_specs(["latency=0.5", "throttle", "org-disabled=contosojp",
                        "server_error=502"])
    assert faults.active() == {"latency": 0.5, "throttle": 5, "server_error": 502,
                               "org_disabled": ["contosojp"]}
    faults.reset()
    assert faults.active() == {}
    with pytest.raises(UnknownFault):
        faults.set("gremlins")
    with pytest.raises(ValueError):
        faults.set("server_error", 404)
