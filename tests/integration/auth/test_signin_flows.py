"""Sign-in flows end to end: our session + real msal + encrypted cache vs the sandbox."""

from __future__ import annotations

import threading

import pytest

from tests.fixtures.browser import ScriptedBrowser
from wizard.engine import signin_errors as se
from wizard.engine.auth import org_scopes
from wizard.engine.dataverse import DataverseClient
from wizard.sandbox import seed

pytestmark = pytest.mark.sandbox

ALICE = f"alice@{seed.TENANT_DOMAIN}"
CAROL = f"carol@{seed.TENANT_DOMAIN}"
DAVE = f"dave@{seed.TENANT_DOMAIN}"


def na(sandbox):
    return sandbox.org_urls["contosona"]


def test_interactive_then_silent_and_whoami(sandbox, parts):
    browser = ScriptedBrowser(sandbox, ALICE)
    scopes = org_scopes(na(sandbox))
    result = parts.auth.interactive(sandbox.authority_url, scopes, login_hint=ALICE,
                                    open_browser=browser.open, timeout=30)
    browser.join()
    assert result.username == ALICE and result.tenant_id == seed.TENANT_ID
    assert "login_hint=alice" in browser.opened[0]
    assert "access_token" not in repr(result) and result.access_token not in repr(result)
    again = parts.auth.silent(sandbox.authority_url, scopes, username=ALICE)
    assert again.access_token == result.access_token  # from the cache
    client = DataverseClient(parts.session, na(sandbox),
                             parts.auth.token_provider(sandbox.authority_url, scopes,
                                                       username=ALICE))
    assert client.whoami()["UserId"] == seed.USERS[0].systemuser_id


def test_interactive_with_mfa_user(sandbox, parts):
    browser = ScriptedBrowser(sandbox, CAROL)
    result = parts.auth.interactive(sandbox.authority_url, org_scopes(na(sandbox)),
                                    login_hint=CAROL, prompt="login",
                                    open_browser=browser.open, timeout=30)
    browser.join()
    assert result.username == CAROL


def test_interactive_cancel(sandbox, parts):
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    with pytest.raises(se.SignInCancelled):
        parts.auth.interactive(sandbox.authority_url, org_scopes(na(sandbox)),
                               open_browser=lambda url: None, cancel_event=cancel)


def test_interactive_error_comes_back_mapped(sandbox, parts):
    sandbox.faults.set("consent_missing")
    browser = ScriptedBrowser(sandbox, ALICE)
    with pytest.raises(se.ConsentRequired) as info:
        parts.auth.interactive(sandbox.authority_url, org_scopes(na(sandbox)), prompt="login",
                               open_browser=browser.open, timeout=30)
    browser.join()
    assert info.value.aadsts == 65001


def test_device_code(sandbox, parts):
    scopes = org_scopes(sandbox.org_urls["contosojp"])
    prompt = parts.auth.start_device_code(sandbox.authority_url, scopes)
    assert prompt.user_code in prompt.message
    assert prompt.verification_uri == f"{sandbox.discovery_url}/devicelogin"
    browser = ScriptedBrowser(sandbox, ALICE, device_code=prompt.user_code)
    browser.open(prompt.verification_uri)
    result = parts.auth.finish_device_code(prompt)
    browser.join()
    assert result.username == ALICE


def test_device_code_cancel(sandbox, parts):
    prompt = parts.auth.start_device_code(sandbox.authority_url, org_scopes(na(sandbox)))
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    with pytest.raises(se.SignInCancelled):
        parts.auth.finish_device_code(prompt, cancel_event=cancel)


def test_device_code_expired(sandbox, parts):
    sandbox.identity.device_code_lifetime = 1
    prompt = parts.auth.start_device_code(sandbox.authority_url, org_scopes(na(sandbox)))
    with pytest.raises(se.DeviceCodeExpired):
        parts.auth.finish_device_code(prompt)


def test_silent_refresh_after_access_token_expiry(sandbox, parts):
    sandbox.identity.token_lifetime = 1
    scopes = org_scopes(na(sandbox))
    first = parts.auth.password(sandbox.authority_url, scopes, ALICE, seed.PRACTICE_PASSWORD)
    import time as _t
    _t.sleep(1.5)
    second = parts.auth.silent(sandbox.authority_url, scopes, username=ALICE)
    assert second.access_token != first.access_token


def test_silent_for_another_org_uses_the_refresh_token(sandbox, parts):
    parts.auth.password(sandbox.authority_url, org_scopes(na(sandbox)), ALICE,
                        seed.PRACTICE_PASSWORD)
    jp = parts.auth.silent(sandbox.authority_url, org_scopes(sandbox.org_urls["contosojp"]),
                           username=ALICE)
    assert jp.username == ALICE


def test_not_signed_in(sandbox, parts):
    with pytest.raises(se.NotSignedIn):
        parts.auth.silent(sandbox.authority_url, org_scopes(na(sandbox)), username=ALICE)


def test_sign_out_removes_account(sandbox, parts):
    scopes = org_scopes(na(sandbox))
    parts.auth.password(sandbox.authority_url, scopes, ALICE, seed.PRACTICE_PASSWORD)
    assert parts.auth.sign_out(sandbox.authority_url, username=ALICE) == 1
    with pytest.raises(se.NotSignedIn):
        parts.auth.silent(sandbox.authority_url, scopes, username=ALICE)


# -- every Entra error the sandbox produces, with its message ---------------------------
@pytest.mark.parametrize("setup,user,password,cls,aadsts,words", [
    (None, ALICE, "wrong", se.BadPassword, 50126, "password is incorrect"),
    (None, DAVE, seed.PRACTICE_PASSWORD, se.AccountDisabled, 50057, "disabled"),
    (None, CAROL, seed.PRACTICE_PASSWORD, se.MfaRequired, 50076, "multi-factor"),
    (None, "nobody@contoso.example", seed.PRACTICE_PASSWORD, se.BadPassword, 50034,
     "No account"),
    ("consent_missing", ALICE, seed.PRACTICE_PASSWORD, se.ConsentRequired, 65001, "consented"),
    ("conditional_access", ALICE, seed.PRACTICE_PASSWORD, se.ConditionalAccessBlocked, 53003,
     "conditional access"),
    ("mfa_required", ALICE, seed.PRACTICE_PASSWORD, se.MfaRequired, 50076, "multi-factor"),
    ("mfa_enrollment_required", ALICE, seed.PRACTICE_PASSWORD, se.MfaEnrollmentRequired, 50079,
     "set up for multi-factor"),
    ("consent_declined", ALICE, seed.PRACTICE_PASSWORD, se.ConsentRequired, 65004, "declined"),
])
def test_password_errors(sandbox, parts, setup, user, password, cls, aadsts, words):
    if setup:
        sandbox.faults.set(setup)
    with pytest.raises(cls) as info:
        parts.auth.password(sandbox.authority_url, org_scopes(na(sandbox)), user, password)
    assert info.value.aadsts == aadsts and words in info.value.message and info.value.fix


def test_refresh_expired_is_sign_in_expired(sandbox, parts):
    sandbox.identity.token_lifetime = 1
    scopes = org_scopes(na(sandbox))
    parts.auth.password(sandbox.authority_url, scopes, ALICE, seed.PRACTICE_PASSWORD)
    sandbox.faults.set("refresh_expired")
    with pytest.raises(se.SignInExpired) as info:
        parts.auth.silent(sandbox.authority_url, scopes, username=ALICE, force_refresh=True)
    assert info.value.aadsts == 700082 and "not used for a long time" in info.value.message


def test_user_not_in_tenant(sandbox, parts):
    fabrikam = sandbox.authority_url.replace(seed.TENANT_ID, seed.GUEST_TENANT_ID)
    with pytest.raises(se.WrongTenant) as info:
        parts.auth.password(fabrikam, org_scopes(na(sandbox)), ALICE, seed.PRACTICE_PASSWORD)
    assert info.value.aadsts == 50020 and "not a member" in info.value.message


def test_guest_signs_in_through_the_org_tenant(sandbox, parts):
    erin = "erin@fabrikam.example"
    contoso = sandbox.cloud.authority_for(seed.TENANT_ID)
    result = parts.auth.password(contoso, org_scopes(na(sandbox)), erin,
                                 seed.PRACTICE_PASSWORD)
    assert result.username == erin and result.tenant_id == seed.TENANT_ID


def test_tenant_not_found(sandbox, parts):
    bogus = sandbox.authority_url.replace(seed.TENANT_ID, "00000000-0000-4000-8000-00000000dead")
    with pytest.raises(se.SignInError) as info:
        parts.auth.password(bogus, org_scopes(na(sandbox)), ALICE, seed.PRACTICE_PASSWORD)
    assert info.value.aadsts == 90002, info.value.code


def test_resource_not_in_tenant(sandbox, parts):
    with pytest.raises(se.WrongTenant) as info:
        parts.auth.password(sandbox.authority_url, org_scopes("https://nowhere.example"),
                            ALICE, seed.PRACTICE_PASSWORD)
    assert info.value.aadsts == 500011


def test_unknown_app(sandbox, parts):
    with pytest.raises(se.AppNotRegistered):
        parts.auth.password(sandbox.authority_url, org_scopes(na(sandbox)), ALICE,
                            seed.PRACTICE_PASSWORD,
                            client_id="11111111-2222-4333-8444-555555555555")


def test_invalid_scope(sandbox, parts):
    with pytest.raises(se.InvalidScope) as info:
        parts.auth.password(sandbox.authority_url, [na(sandbox) + "/not_a_scope"], ALICE,
                            seed.PRACTICE_PASSWORD)
    assert info.value.aadsts == 70011
