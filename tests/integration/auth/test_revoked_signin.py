"""A token the org refuses (revoked) is renewed once with the claims challenge, then the user
is told to sign in again, and ``signin`` really signs in again. Real msal, real sandbox."""

from __future__ import annotations

import base64
import json

import pytest
import requests

from tests.integration.auth.test_cli_auth import ALICE, PW, run
from wizard.engine.connect import SignInOptions
from wizard.engine.dataverse import SignInRequired
from wizard.engine.errors import Action

pytestmark = [pytest.mark.sandbox]


def test_the_sandbox_sends_a_claims_challenge_for_a_revoked_token(sandbox, sandbox_session):
    url = sandbox.org_urls["contosona"]
    token = sandbox.token(ALICE, url)
    ok = sandbox_session.get(url + "/api/data/v9.2/WhoAmI",
                             headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    sandbox.revoke(ALICE)
    refused = sandbox_session.get(url + "/api/data/v9.2/WhoAmI",
                                  headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    header = refused.headers["WWW-Authenticate"]
    assert 'error="insufficient_claims"' in header
    encoded = header.split('claims="', 1)[1].split('"', 1)[0]
    assert json.loads(base64.b64decode(encoded))["access_token"]["nbf"]["essential"] is True
    fresh = sandbox.token(ALICE, url)            # a token issued after the revocation works
    assert sandbox_session.get(url + "/api/data/v9.2/WhoAmI",
                               headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_a_revoked_access_token_is_renewed_once_with_the_claims(sandbox, parts, monkeypatch):
    url = sandbox.org_urls["contosona"]
    conn = parts.connector.connect(url, SignInOptions(method="password", username=ALICE,
                                                      password=PW))
    conn.client.whoami()
    seen: list[str | None] = []
    real_silent = parts.auth.silent

    def spy(*args, **kw):
        seen.append(kw.get("claims_challenge"))
        return real_silent(*args, **kw)

    monkeypatch.setattr(parts.auth, "silent", spy)
    sandbox.revoke(ALICE)
    # the cached token is refused; one forced refresh (real msal, with the claims) fixes it
    assert conn.client.whoami()["UserId"]
    refreshed = [c for c in seen if c is not None]
    assert len(refreshed) == 1 and json.loads(refreshed[0])["access_token"]["nbf"]


def test_a_revoked_session_says_sign_in_again(sandbox, parts):
    url = sandbox.org_urls["contosona"]
    conn = parts.connector.connect(url, SignInOptions(method="password", username=ALICE,
                                                      password=PW))
    conn.client.whoami()
    sandbox.revoke(ALICE, sessions=True)          # as after a password change
    with pytest.raises(SignInRequired) as info:
        conn.client.whoami()
    assert info.value.action is Action.SIGN_IN
    assert "sign" in str(info.value).lower()


@pytest.mark.keyring
def test_cli_recovers_and_signin_really_signs_in_again(sandbox, private_keyring):
    run(sandbox, "signin", "--user", ALICE, "--password-stdin", stdin=PW + "\n")
    run(sandbox, "add", "--online", "--pick", "contosona")
    sandbox.revoke(ALICE)
    _, out = run(sandbox, "test", "contosona")
    assert out["ok"], out                        # renewed silently, once
    sandbox.revoke(ALICE, sessions=True)
    proc, out = run(sandbox, "test", "contosona", ok=False)
    assert proc.returncode == 1 and not out["ok"]
    # The cached access token is still "valid" by its expiry; signin must not reuse it.
    _, out = run(sandbox, "signin", "contosona", "--user", ALICE, "--password-stdin",
                 stdin=PW + "\n")
    assert out["user"] == ALICE
    _, out = run(sandbox, "test", "contosona")
    assert out["ok"], out


def test_sandbox_revoke_over_the_admin_api(sandbox):
    session = requests.Session()
    session.verify = str(sandbox.ca_file)
    session.trust_env = False
    try:
        r = session.post(sandbox.discovery_url + "/_sandbox/revoke",
                         json={"upn": ALICE, "sessions": True}, headers={"X-Sandbox-Admin": "1"})
        assert r.status_code == 200 and r.json()["sessions"] is True
        r = session.post(sandbox.discovery_url + "/_sandbox/revoke", json={"upn": "nobody@x"},
                         headers={"X-Sandbox-Admin": "1"})
        assert r.status_code == 404
    finally:
        session.close()
