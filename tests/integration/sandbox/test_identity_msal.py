"""The real msal library signs in against the sandbox identity provider.

Interactive (a thread plays the browser: it loads the sign-in page, submits the form and
follows the redirect to msal's loopback listener), device code (a thread fills the
verification page), and silent refresh after the access token expired.
"""

from __future__ import annotations

import time
import webbrowser

import jwt
import msal
import pytest

from tests.fixtures.browser import ScriptedBrowser
from tests.fixtures.sandbox import trusting_session
from wizard.sandbox import seed
from wizard.sandbox.identity import SAMPLE_CLIENT_ID

pytestmark = pytest.mark.sandbox

ALICE = f"alice@{seed.TENANT_DOMAIN}"
CAROL = f"carol@{seed.TENANT_DOMAIN}"


@pytest.fixture
def msal_http(sandbox):
    session = trusting_session(sandbox.ca_file)
    yield session
    session.close()


def _app(sandbox, http, authority=None, **kw) -> msal.PublicClientApplication:
    return msal.PublicClientApplication(
        SAMPLE_CLIENT_ID, authority=authority or sandbox.authority_url, http_client=http,
        instance_discovery=False, **kw)


def _browser_app(sandbox, http, monkeypatch, user, **kw):
    """An msal app whose web browser is a :class:`ScriptedBrowser` signing in as ``user``:
    (browser, app)."""
    browser = ScriptedBrowser(sandbox, user)
    monkeypatch.setattr(webbrowser, "open", browser.open)
    return browser, _app(sandbox, http, **kw)


def _scope(sandbox, org="contosona"):
    return [sandbox.org_urls[org] + "/user_impersonation"]


def _whoami(sandbox, token, org="contosona"):
    with trusting_session(sandbox.ca_file) as s:
        return s.get(sandbox.org_urls[org] + "/api/data/v9.2/WhoAmI",
                     headers={"Authorization": "Bearer " + token})


def test_interactive_sign_in_with_loopback_redirect(sandbox, msal_http, monkeypatch):
    browser, app = _browser_app(sandbox, msal_http, monkeypatch, ALICE)
    result = app.acquire_token_interactive(_scope(sandbox), login_hint=ALICE, timeout=30,
                                           prompt="select_account")
    browser.join()
    assert "access_token" in result, result
    assert result["id_token_claims"]["preferred_username"] == ALICE
    claims = jwt.decode(result["access_token"], options={"verify_signature": False})
    assert claims["aud"] == sandbox.org_urls["contosona"]
    assert claims["tid"] == seed.TENANT_ID and claims["scp"] == "user_impersonation"
    # The login_hint prefilled the user name field of the sign-in page.
    assert f'value="{ALICE}"' in browser.pages[0].text
    (account,) = app.get_accounts()
    assert account["username"] == ALICE
    assert account["home_account_id"] == f"{seed.USERS[0].object_id}.{seed.TENANT_ID}"
    assert _whoami(sandbox, result["access_token"]).status_code == 200


def test_interactive_sign_in_with_mfa(sandbox, msal_http, monkeypatch):
    browser, app = _browser_app(sandbox, msal_http, monkeypatch, CAROL)
    result = app.acquire_token_interactive(_scope(sandbox), login_hint=CAROL, timeout=30,
                                           prompt="login")
    browser.join()
    assert "access_token" in result, result
    assert any("Enter code" in p.text for p in browser.pages)
    claims = jwt.decode(result["access_token"], options={"verify_signature": False})
    assert claims["amr"] == ["pwd", "mfa"]


def test_interactive_bad_password_stays_on_the_page(sandbox, msal_http, monkeypatch):
    browser = ScriptedBrowser(sandbox, ALICE, password="wrong")
    monkeypatch.setattr(webbrowser, "open", browser.open)
    app = _app(sandbox, msal_http)
    # Like Entra, the page says so and waits for another try; msal times out meanwhile.
    with pytest.raises(Exception, match="did not complete the flow in time"):
        app.acquire_token_interactive(_scope(sandbox), timeout=2, prompt="login")
    browser.join()
    assert browser.pages[-1].status_code == 400
    assert "AADSTS50126" in browser.pages[-1].text


def test_interactive_consent_missing_comes_back_as_an_error(sandbox, msal_http, monkeypatch):
    sandbox.faults.set("consent_missing")
    browser, app = _browser_app(sandbox, msal_http, monkeypatch, ALICE)
    result = app.acquire_token_interactive(_scope(sandbox), timeout=30, prompt="login")
    browser.join()
    assert result["error"] == "invalid_grant"
    assert result["error_description"].startswith("AADSTS65001: ")


def test_device_code_flow(sandbox, msal_http):
    app = _app(sandbox, msal_http)
    flow = app.initiate_device_flow(scopes=_scope(sandbox, "contosojp"))
    assert flow["verification_uri"] == f"{sandbox.discovery_url}/devicelogin"
    assert flow["user_code"] in flow["message"]
    browser = ScriptedBrowser(sandbox, ALICE, device_code=flow["user_code"])
    browser.open(flow["verification_uri"])
    result = app.acquire_token_by_device_flow(flow)
    browser.join()
    assert "access_token" in result, result
    assert "You have signed in" in browser.pages[-1].text
    assert _whoami(sandbox, result["access_token"], "contosojp").status_code == 200


def test_device_code_pending_then_expired(sandbox, msal_http):
    sandbox.identity.device_code_lifetime = 1
    app = _app(sandbox, msal_http)
    flow = app.initiate_device_flow(scopes=_scope(sandbox))
    r = msal_http.post(f"{sandbox.authority_url}/oauth2/v2.0/token", data={
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "client_id": SAMPLE_CLIENT_ID, "device_code": flow["device_code"]})
    assert r.status_code == 400
    assert r.json()["error"] == "authorization_pending"
    assert r.json()["error_codes"] == [70016]
    r = msal_http.post(f"{sandbox.authority_url}/oauth2/v2.0/token", data={
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "client_id": SAMPLE_CLIENT_ID, "device_code": flow["device_code"]})
    assert r.json()["error"] == "slow_down"
    time.sleep(1.2)
    result = app.acquire_token_by_device_flow(flow)
    assert result["error"] == "expired_token"
    assert result["error_codes"] == [70019]
    assert result["error_description"].startswith("AADSTS70019: ")


def test_silent_refresh_after_the_access_token_expired(sandbox, msal_http, monkeypatch):
    sandbox.identity.token_lifetime = 1
    browser, app = _browser_app(sandbox, msal_http, monkeypatch, ALICE)
    first = app.acquire_token_interactive(_scope(sandbox), login_hint=ALICE, timeout=30)
    browser.join()
    assert "access_token" in first, first
    time.sleep(1.5)
    assert _whoami(sandbox, first["access_token"]).status_code == 401   # expired
    (account,) = app.get_accounts()
    second = app.acquire_token_silent(_scope(sandbox), account=account)
    assert second and second["access_token"] != first["access_token"]
    assert second["token_source"] == "identity_provider"
    sandbox.identity.token_lifetime = 3600
    # The refresh token is good for the other org too (Entra's multi-resource refresh tokens).
    jp = app.acquire_token_silent(_scope(sandbox, "contosojp"), account=account)
    assert _whoami(sandbox, jp["access_token"], "contosojp").status_code == 200


def test_silent_refresh_reports_an_expired_refresh_token(sandbox, msal_http, monkeypatch):
    browser, app = _browser_app(sandbox, msal_http, monkeypatch, ALICE)
    app.acquire_token_interactive(_scope(sandbox), login_hint=ALICE, timeout=30)
    browser.join()
    sandbox.faults.set("refresh_expired")
    (account,) = app.get_accounts()
    result = app.acquire_token_silent_with_error(_scope(sandbox, "contosojp"), account=account)
    assert result["error"] == "invalid_grant"
    assert result["error_codes"] == [700082]
    assert result["error_description"].startswith("AADSTS700082: ")


def test_organizations_authority_and_domain_tenant(sandbox, msal_http, monkeypatch):
    for tenant in ("organizations", seed.TENANT_DOMAIN):
        browser, app = _browser_app(sandbox, msal_http, monkeypatch, ALICE,
                                    authority=f"{sandbox.discovery_url}/{tenant}")
        result = app.acquire_token_interactive(_scope(sandbox), login_hint=ALICE, timeout=30,
                                               prompt="login")
        browser.join()
        assert result.get("id_token_claims", {}).get("tid") == seed.TENANT_ID, result
