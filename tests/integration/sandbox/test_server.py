"""The sandbox serves HTTPS on loopback with its own CA, and stops without leaks."""

from __future__ import annotations

import json
import socket
import ssl
import threading

import pytest
import requests

from tests.fixtures.sandbox import trusting_session
from wizard.sandbox import seed
from wizard.sandbox.identity import SAMPLE_CLIENT_ID
from wizard.sandbox.server import start_sandbox

pytestmark = pytest.mark.sandbox


def test_https_with_the_sandbox_ca(sandbox, sandbox_session):
    r = sandbox_session.get(f"{sandbox.authority_url}/v2.0/.well-known/openid-configuration")
    assert r.status_code == 200
    assert r.json()["token_endpoint"] == f"{sandbox.authority_url}/oauth2/v2.0/token"


def test_untrusted_without_the_ca(sandbox):
    with requests.Session() as s:
        s.trust_env = False
        with pytest.raises(requests.exceptions.SSLError):
            s.get(sandbox.discovery_url + "/common/discovery/keys")


def test_certificate_names_loopback(sandbox):
    ctx = ssl.create_default_context(cafile=str(sandbox.ca_file))
    for host in ("127.0.0.1", "localhost"):
        with socket.create_connection(("127.0.0.1", sandbox.port)) as raw:
            with ctx.wrap_socket(raw, server_hostname=host) as tls:
                assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_online_orgs_have_their_own_ports_and_onprem_orgs_paths(sandbox):
    na = sandbox.org_urls["contosona"]
    jp = sandbox.org_urls["contosojp"]
    assert na.startswith("https://127.0.0.1:") and na != jp
    assert ":" in na.rsplit("/", 1)[-1]
    assert sandbox.org_urls["contosoonprem"] == f"{sandbox.discovery_url}/contosoonprem"
    assert sandbox.cloud.org_hosts[na.split("://")[1]]["unique_name"] == "contosona"
    assert json.loads(sandbox.cloud_file.read_text())["ca_bundle"] == str(sandbox.ca_file)


def test_web_api_needs_a_token_and_gets_the_user(sandbox, sandbox_session, sandbox_token):
    url = sandbox.org_urls["contosona"] + "/api/data/v9.2/WhoAmI"
    r = sandbox_session.get(url)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == (
        f"Bearer authorization_uri={sandbox.authority_url}/oauth2/authorize, "
        f"resource_id={sandbox.org_urls['contosona']}")
    r = sandbox_session.get(url, headers={"Authorization": "Bearer " + sandbox_token()})
    assert r.status_code == 200, r.text
    assert r.json()["UserId"] == seed.USERS[0].systemuser_id


def test_token_for_another_org_is_rejected(sandbox, sandbox_session, sandbox_token):
    token = sandbox_token(resource=sandbox.org_urls["contosojp"])
    r = sandbox_session.get(sandbox.org_urls["contosona"] + "/api/data/v9.2/WhoAmI",
                            headers={"Authorization": "Bearer " + token})
    assert r.status_code == 401
    assert "error=invalid_token" in r.headers["WWW-Authenticate"]


def test_user_not_member_of_org_gets_403(sandbox, sandbox_session, sandbox_token):
    # Entra issues Bob a token for the retired org (it does not know org membership); the
    # org itself refuses him.
    url = sandbox.org_urls["contosoretired"]
    token = sandbox_token(f"bob@{seed.TENANT_DOMAIN}", url)
    r = sandbox_session.get(url + "/api/data/v9.2/WhoAmI",
                            headers={"Authorization": "Bearer " + token})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "0x80072560"


def test_start_stop_leaves_no_threads_or_sockets(tmp_path):
    before = set(threading.enumerate())
    with start_sandbox(tmp_path / "data") as sb:
        s = trusting_session(sb.ca_file)
        # An idle keep-alive connection stays open while we stop: stop must still be prompt.
        s.get(sb.discovery_url + f"/{seed.TENANT_ID}/discovery/v2.0/keys").raise_for_status()
        ports = [sb.port] + [int(u.rsplit(":", 1)[1]) for n, u in sb.org_urls.items()
                             if seed.org_by_name(n).kind == "online"]
    s.close()
    assert set(threading.enumerate()) <= before
    for port in ports:
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_certificates_are_reused_and_keys_private(tmp_path):
    with start_sandbox(tmp_path) as sb:
        ca = sb.ca_file.read_bytes()
    with start_sandbox(tmp_path) as sb:
        assert sb.ca_file.read_bytes() == ca
    for key in ("ca-key.pem", "server-key.pem", "token-signing-key.pem"):
        assert (tmp_path / key).stat().st_mode & 0o777 == 0o600


def test_tokens_and_ports_survive_a_restart(tmp_path):
    """What ``d365-wizard --sandbox`` relies on: saved org URLs and cached tokens stay good."""
    with start_sandbox(tmp_path, remember_ports=True) as sb:
        urls = dict(sb.org_urls)
        token = sb.token(f"alice@{seed.TENANT_DOMAIN}", urls["contosona"])
        refresh = sb.identity.password_grant(
            f"alice@{seed.TENANT_DOMAIN}", seed.PRACTICE_PASSWORD,
            urls["contosona"] + "/user_impersonation")["refresh_token"]
    with start_sandbox(tmp_path, remember_ports=True) as sb:
        assert sb.org_urls == urls
        with trusting_session(sb.ca_file) as s:
            r = s.get(urls["contosona"] + "/api/data/v9.2/WhoAmI",
                      headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200
            r = s.post(f"{sb.authority_url}/oauth2/v2.0/token", data={
                "grant_type": "refresh_token", "client_id": SAMPLE_CLIENT_ID,
                "refresh_token": refresh, "scope": urls["contosojp"] + "/user_impersonation"})
            assert r.status_code == 200, r.text


def test_port_in_use_fails_cleanly(tmp_path):
    import socket as _socket

    blocker = _socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    try:
        before = set(threading.enumerate())
        with pytest.raises(OSError):
            start_sandbox(tmp_path, port=blocker.getsockname()[1])
        assert set(threading.enumerate()) <= before
    finally:
        blocker.close()


@pytest.mark.parametrize("suffix", ["/user_impersonation", "//user_impersonation", "/.default"])
def test_org_accepts_audience_with_or_without_trailing_slash(sandbox, sandbox_session, suffix):
    url = sandbox.org_urls["contosona"]
    token = sandbox.identity.password_grant(f"alice@{seed.TENANT_DOMAIN}",
                                            seed.PRACTICE_PASSWORD, url + suffix)["access_token"]
    r = sandbox_session.get(url + "/api/data/v9.2/WhoAmI",
                            headers={"Authorization": "Bearer " + token})
    assert r.status_code == 200, r.text
