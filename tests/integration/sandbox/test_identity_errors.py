"""Every sign-in failure comes back in Entra's shape with its AADSTS code."""

from __future__ import annotations

import re

import jwt
import pytest

from wizard.sandbox import seed
from wizard.sandbox.identity import SAMPLE_CLIENT_ID, UNCONSENTED_CLIENT_ID

pytestmark = pytest.mark.sandbox

ALICE = f"alice@{seed.TENANT_DOMAIN}"


def _password(sandbox, session, upn=ALICE, password=seed.PRACTICE_PASSWORD, *, tenant=None,
              resource=None, client_id=SAMPLE_CLIENT_ID, scope=None):
    tenant = tenant or seed.TENANT_ID
    resource = resource or sandbox.org_urls["contosona"]
    return session.post(f"{sandbox.discovery_url}/{tenant}/oauth2/v2.0/token", data={
        "grant_type": "password", "client_id": client_id, "username": upn,
        "password": password, "scope": scope or f"{resource}/user_impersonation openid "
                                                 "profile offline_access"})


def _refresh(sandbox, session, refresh_token, resource=None, tenant=None):
    resource = resource or sandbox.org_urls["contosona"]
    return session.post(f"{sandbox.discovery_url}/{tenant or seed.TENANT_ID}/oauth2/v2.0/token",
                        data={"grant_type": "refresh_token", "client_id": SAMPLE_CLIENT_ID,
                              "refresh_token": refresh_token,
                              "scope": f"{resource}/user_impersonation offline_access"})


def assert_entra_error(response, error: str, code: int, suberror: str | None = None):
    assert response.status_code in (400, 401), response.text
    body = response.json()
    assert body["error"] == error
    assert body["error_codes"] == [code]
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert re.search(r"Trace ID: [0-9a-f-]{36} Correlation ID: [0-9a-f-]{36} Timestamp: ",
                     body["error_description"])
    for key in ("timestamp", "trace_id", "correlation_id"):
        assert body[key]
    if suberror:
        assert body["suberror"] == suberror


def test_password_grant_gives_tokens(sandbox, sandbox_session):
    r = _password(sandbox, sandbox_session)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["upn"] == ALICE and claims["aud"] == sandbox.org_urls["contosona"]
    id_claims = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert id_claims["aud"] == SAMPLE_CLIENT_ID


def test_tokens_verify_with_the_published_keys(sandbox, sandbox_session):
    token = _password(sandbox, sandbox_session).json()["access_token"]
    config = sandbox_session.get(
        f"{sandbox.authority_url}/v2.0/.well-known/openid-configuration").json()
    jwks = sandbox_session.get(config["jwks_uri"]).json()
    key = jwt.PyJWK(jwks["keys"][0])
    assert jwt.get_unverified_header(token)["kid"] == key.key_id
    claims = jwt.decode(token, key.key, algorithms=["RS256"],
                        audience=sandbox.org_urls["contosona"])
    assert claims["iss"] == f"{sandbox.discovery_url}/{seed.TENANT_ID}/"


def test_discovery_scope_with_double_slash(sandbox, sandbox_session):
    r = _password(sandbox, sandbox_session,
                  scope=f"{sandbox.discovery_url}//user_impersonation offline_access")
    assert r.status_code == 200, r.text
    claims = jwt.decode(r.json()["access_token"], options={"verify_signature": False})
    assert claims["aud"].rstrip("/") == sandbox.discovery_url


def test_mfa_required_for_the_mfa_user(sandbox, sandbox_session):
    r = _password(sandbox, sandbox_session, f"carol@{seed.TENANT_DOMAIN}")
    assert_entra_error(r, "interaction_required", 50076, "basic_action")


def test_mfa_required_on_refresh_without_mfa_claim(sandbox, sandbox_session):
    rt = _password(sandbox, sandbox_session).json()["refresh_token"]
    sandbox.faults.set("mfa_required")
    assert_entra_error(_refresh(sandbox, sandbox_session, rt), "interaction_required", 50076)


def test_bad_password(sandbox, sandbox_session):
    assert_entra_error(_password(sandbox, sandbox_session, password="nope"), "invalid_grant",
                       50126)


def test_consent_missing_for_an_unconsented_app_and_as_a_fault(sandbox, sandbox_session):
    r = _password(sandbox, sandbox_session, client_id=UNCONSENTED_CLIENT_ID)
    assert_entra_error(r, "invalid_grant", 65001, "consent_required")
    sandbox.faults.set("consent_missing")
    assert_entra_error(_password(sandbox, sandbox_session), "invalid_grant", 65001)


def test_unknown_app(sandbox, sandbox_session):
    r = _password(sandbox, sandbox_session, client_id="00000000-1111-2222-3333-444444444444")
    assert_entra_error(r, "unauthorized_client", 700016)


def test_mfa_enrollment_required_and_consent_declined(sandbox, sandbox_session):
    sandbox.faults.set("mfa_enrollment_required")
    assert_entra_error(_password(sandbox, sandbox_session), "interaction_required", 50079,
                       "basic_action")
    sandbox.faults.clear("mfa_enrollment_required")
    sandbox.faults.set("consent_declined")
    assert_entra_error(_password(sandbox, sandbox_session), "access_denied", 65004)


def test_conditional_access(sandbox, sandbox_session):
    sandbox.faults.set("conditional_access")
    assert_entra_error(_password(sandbox, sandbox_session), "invalid_grant", 53003)


def test_refresh_token_expired_by_lifetime_and_fault(sandbox, sandbox_session):
    rt = _password(sandbox, sandbox_session).json()["refresh_token"]
    assert _refresh(sandbox, sandbox_session, rt).status_code == 200
    sandbox.identity.refresh_lifetime = -1
    assert_entra_error(_refresh(sandbox, sandbox_session, rt), "invalid_grant", 700082,
                       "bad_token")
    sandbox.identity.refresh_lifetime = 3600
    sandbox.faults.set("refresh_expired")
    assert_entra_error(_refresh(sandbox, sandbox_session, rt), "invalid_grant", 700082)


def test_user_not_in_tenant(sandbox, sandbox_session):
    # Alice is a Contoso user; Fabrikam never invited her.
    r = _password(sandbox, sandbox_session, tenant=seed.GUEST_TENANT_ID)
    assert_entra_error(r, "invalid_grant", 50020)


def test_guest_signs_in_to_the_inviting_tenant(sandbox, sandbox_session):
    r = _password(sandbox, sandbox_session, "erin@fabrikam.example")
    assert r.status_code == 200, r.text
    claims = jwt.decode(r.json()["access_token"], options={"verify_signature": False})
    assert claims["tid"] == seed.TENANT_ID
    assert claims["idp"] == f"https://sts.windows.net/{seed.GUEST_TENANT_ID}/"


def test_disabled_user(sandbox, sandbox_session):
    r = _password(sandbox, sandbox_session, f"dave@{seed.TENANT_DOMAIN}")
    assert_entra_error(r, "invalid_grant", 50057)


def test_tenant_not_found(sandbox, sandbox_session):
    r = _password(sandbox, sandbox_session, tenant="nosuchtenant.example")
    assert_entra_error(r, "invalid_tenant", 90002)
    r = sandbox_session.get(f"{sandbox.discovery_url}/nosuchtenant.example/v2.0/"
                            ".well-known/openid-configuration")
    assert_entra_error(r, "invalid_tenant", 90002)


def test_resource_not_found(sandbox, sandbox_session):
    r = _password(sandbox, sandbox_session, resource="https://nosuchorg.crm.dynamics.com")
    assert_entra_error(r, "invalid_resource", 500011)


def test_unknown_user(sandbox, sandbox_session):
    r = _password(sandbox, sandbox_session, f"zoe@{seed.TENANT_DOMAIN}")
    assert_entra_error(r, "invalid_grant", 50034)


def test_pkce_verifier_is_checked(sandbox, sandbox_session):
    import base64
    import hashlib

    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()) \
        .rstrip(b"=").decode()
    params = {"client_id": SAMPLE_CLIENT_ID, "response_type": "code",
              "redirect_uri": "http://localhost:9", "state": "s1",
              "scope": sandbox.org_urls["contosona"] + "/user_impersonation openid",
              "code_challenge": challenge, "code_challenge_method": "S256"}
    page = sandbox_session.get(f"{sandbox.authority_url}/oauth2/v2.0/authorize", params=params)
    flow = re.search(r'name="flow" value="([^"]+)"', page.text).group(1)
    r = sandbox_session.post(f"{sandbox.discovery_url}/_signin", allow_redirects=False, data={
        "flow": flow, "step": "password", "login": ALICE, "passwd": seed.PRACTICE_PASSWORD})
    assert r.status_code == 302
    location = r.headers["Location"]
    assert location.startswith("http://localhost:9?") and "state=s1" in location
    code = re.search(r"code=([^&]+)", location).group(1)
    token_url = f"{sandbox.authority_url}/oauth2/v2.0/token"
    form = {"grant_type": "authorization_code", "client_id": SAMPLE_CLIENT_ID, "code": code,
            "redirect_uri": "http://localhost:9", "code_verifier": "w" * 50}
    bad = sandbox_session.post(token_url, data=form)
    assert_entra_error(bad, "invalid_grant", 501481)
    # A code is single use: even the right verifier cannot redeem it now.
    form["code_verifier"] = verifier
    assert_entra_error(sandbox_session.post(token_url, data=form), "invalid_grant", 70008)


def test_prompt_none_without_a_session_says_login_required(sandbox, sandbox_session):
    params = {"client_id": SAMPLE_CLIENT_ID, "response_type": "code",
              "redirect_uri": "http://localhost:9", "state": "s2", "prompt": "none",
              "scope": sandbox.org_urls["contosona"] + "/user_impersonation"}
    r = sandbox_session.get(f"{sandbox.authority_url}/oauth2/v2.0/authorize", params=params,
                            allow_redirects=False)
    assert r.status_code == 302
    assert "error=login_required" in r.headers["Location"]
    assert "AADSTS50058" in r.headers["Location"]


def test_browser_session_signs_in_silently_and_steps_up_for_mfa(sandbox, sandbox_session):
    params = {"client_id": SAMPLE_CLIENT_ID, "response_type": "code",
              "redirect_uri": "http://localhost:9", "state": "s3",
              "scope": sandbox.org_urls["contosona"] + "/user_impersonation"}
    url = f"{sandbox.authority_url}/oauth2/v2.0/authorize"
    page = sandbox_session.get(url, params=params)
    flow = re.search(r'name="flow" value="([^"]+)"', page.text).group(1)
    r = sandbox_session.post(f"{sandbox.discovery_url}/_signin", allow_redirects=False, data={
        "flow": flow, "step": "password", "login": ALICE, "passwd": seed.PRACTICE_PASSWORD})
    assert r.status_code == 302
    # The session cookie signs the next request in without a page (single sign-on)...
    again = sandbox_session.get(url, params=params, allow_redirects=False)
    assert again.status_code == 302 and "code=" in again.headers["Location"]
    # ...prompt=login asks again...
    login = sandbox_session.get(url, params={**params, "prompt": "login"})
    assert 'name="passwd"' in login.text
    # ...and a new MFA requirement asks for the one-time code only.
    sandbox.faults.set("mfa_required")
    step_up = sandbox_session.get(url, params=params, allow_redirects=False)
    assert step_up.status_code == 200 and 'name="otc"' in step_up.text
    flow = re.search(r'name="flow" value="([^"]+)"', step_up.text).group(1)
    done = sandbox_session.post(f"{sandbox.discovery_url}/_signin", allow_redirects=False,
                                data={"flow": flow, "step": "mfa", "otc": seed.MFA_CODE})
    assert done.status_code == 302 and "code=" in done.headers["Location"]
