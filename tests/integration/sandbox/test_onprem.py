"""The on-premises-style orgs: Windows authentication (NTLM) and claims-based (ADFS)."""

from __future__ import annotations

import base64
import webbrowser

import jwt
import msal
import pytest
import requests
import spnego

from tests.fixtures.sandbox import trusting_session
from tests.integration.sandbox.test_identity_msal import ScriptedBrowser
from wizard.sandbox import seed
from wizard.sandbox.identity import SAMPLE_CLIENT_ID

pytestmark = pytest.mark.sandbox


class WindowsAuth(requests.auth.AuthBase):
    """NTLM/Negotiate for requests with pyspnego: three legs on one keep-alive connection."""

    def __init__(self, username: str, password: str, protocol: str = "ntlm") -> None:
        self.username = username
        self.password = password
        self.protocol = protocol
        self.scheme = "NTLM" if protocol == "ntlm" else "Negotiate"
        self.legs = 0

    def __call__(self, r):
        r.register_hook("response", self._handle_401)
        return r

    def _resend(self, response, token: bytes, **kwargs):
        _ = response.content  # drain, so the connection goes back to the pool for reuse
        response.raw.release_conn()
        prep = response.request.copy()
        prep.headers["Authorization"] = f"{self.scheme} {base64.b64encode(token).decode()}"
        self.legs += 1
        new = response.connection.send(prep, **kwargs)
        new.history.append(response)
        return new

    def _handle_401(self, response, **kwargs):
        if response.status_code != 401 or "Authorization" in response.request.headers:
            return response
        offered = response.headers.get("WWW-Authenticate", "")
        assert self.scheme in offered
        ctx = spnego.client(self.username, self.password, hostname="127.0.0.1",
                            service="HTTP", protocol=self.protocol)
        second = self._resend(response, ctx.step(), **kwargs)
        if second.status_code != 401:
            return second
        header = second.headers["WWW-Authenticate"]
        assert header.startswith(self.scheme + " "), header
        third = self._resend(second, ctx.step(base64.b64decode(header.split(" ", 1)[1])),
                             **kwargs)
        third.history[:0] = second.history
        return third


def _whoami_url(sandbox, org="contosoonprem"):
    return sandbox.org_urls[org] + "/api/data/v9.2/WhoAmI"


def test_unauthenticated_request_is_offered_negotiate_and_ntlm(sandbox, sandbox_session):
    r = sandbox_session.get(_whoami_url(sandbox))
    assert r.status_code == 401
    assert r.raw.headers.getlist("WWW-Authenticate") == ["Negotiate", "NTLM"]


@pytest.mark.parametrize("protocol", ["ntlm", "negotiate"])
def test_ntlm_handshake_over_one_keep_alive_connection(sandbox, protocol):
    session = trusting_session(sandbox.ca_file)
    auth = WindowsAuth("CONTOSO\\alice", seed.PRACTICE_PASSWORD, protocol)
    try:
        r = session.get(_whoami_url(sandbox), auth=auth)
        assert r.status_code == 200, r.text
        assert r.json()["UserId"] == seed.USERS[0].systemuser_id
        assert auth.legs == 2
        assert [h.status_code for h in r.history] == [401, 401]
        # The connection is now authenticated: the next request needs no handshake.
        again = session.get(_whoami_url(sandbox))
        assert again.status_code == 200
    finally:
        session.close()
    # A new connection is not.
    with trusting_session(sandbox.ca_file) as fresh:
        assert fresh.get(_whoami_url(sandbox)).status_code == 401


def test_ntlm_wrong_password_is_refused(sandbox):
    with trusting_session(sandbox.ca_file) as session:
        r = session.get(_whoami_url(sandbox), auth=WindowsAuth("CONTOSO\\alice", "wrong"))
        assert r.status_code == 401


def test_ntlm_user_not_in_org(sandbox):
    with trusting_session(sandbox.ca_file) as session:
        r = session.get(_whoami_url(sandbox),
                        auth=WindowsAuth("CONTOSO\\carol", seed.PRACTICE_PASSWORD))
        assert r.status_code == 403


def test_adfs_org_challenges_for_an_adfs_token(sandbox, sandbox_session):
    r = sandbox_session.get(_whoami_url(sandbox, "contosoadfs"))
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == (
        f"Bearer authorization_uri={sandbox.discovery_url}/adfs/oauth2/authorize, "
        f"resource_id={sandbox.org_urls['contosoadfs']}")
    config = sandbox_session.get(f"{sandbox.discovery_url}/adfs/.well-known/"
                                 "openid-configuration").json()
    assert config["issuer"] == f"{sandbox.discovery_url}/adfs"


def test_msal_signs_in_with_the_adfs_authority(sandbox, monkeypatch):
    http = trusting_session(sandbox.ca_file)
    try:
        browser = ScriptedBrowser(sandbox, f"alice@{seed.TENANT_DOMAIN}")
        monkeypatch.setattr(webbrowser, "open", browser.open)
        app = msal.PublicClientApplication(
            SAMPLE_CLIENT_ID, authority=f"{sandbox.discovery_url}/adfs", http_client=http,
            instance_discovery=False)
        scope = [sandbox.org_urls["contosoadfs"] + "/user_impersonation"]
        result = app.acquire_token_interactive(scope, timeout=30, prompt="login")
        browser.join()
        assert "access_token" in result, result
        claims = jwt.decode(result["access_token"], options={"verify_signature": False})
        assert claims["iss"] == f"{sandbox.discovery_url}/adfs"
        r = http.get(_whoami_url(sandbox, "contosoadfs"),
                     headers={"Authorization": "Bearer " + result["access_token"]})
        assert r.status_code == 200, r.text
        # An Entra token for the same URL is not accepted: wrong issuer.
        entra = http.post(f"{sandbox.authority_url}/oauth2/v2.0/token", data={
            "grant_type": "password", "client_id": SAMPLE_CLIENT_ID,
            "username": f"alice@{seed.TENANT_DOMAIN}", "password": seed.PRACTICE_PASSWORD,
            "scope": scope[0]})
        assert entra.json()["error_codes"] == [500011]
        (account,) = app.get_accounts()
        assert app.acquire_token_silent(scope, account=account)["access_token"]
    finally:
        http.close()
