"""AADSTS codes become errors a user can act on."""

from __future__ import annotations

import pytest

from wizard.engine import signin_errors as se
from wizard.engine.auth import AuthChallenge, authority_for_org, authority_from_authorization_uri, parse_challenges
from wizard.engine.clouds import BUILTIN_CLOUDS, cloud_from_dict


@pytest.mark.parametrize("code,cls,words", [
    (50076, se.MfaRequired, "multi-factor"),
    (50079, se.MfaEnrollmentRequired, "set up for multi-factor"),
    (53003, se.ConditionalAccessBlocked, "conditional access"),
    (65001, se.ConsentRequired, "consented"),
    (65004, se.ConsentRequired, "declined"),
    (50126, se.BadPassword, "password is incorrect"),
    (700082, se.SignInExpired, "not used for a long time"),
    (50173, se.SignInExpired, "no longer valid"),
    (50058, se.SignInExpired, "not signed in"),
    (50020, se.WrongTenant, "not a member"),
    (90002, se.WrongTenant, "not found"),
    (500011, se.WrongTenant, "not found in your organization"),
    (50057, se.AccountDisabled, "disabled"),
    (70019, se.DeviceCodeExpired, "expired"),
    (70016, se.DeviceCodeExpired, "not entered in time"),
    (700011, se.AppNotRegistered, "not registered"),
    (70011, se.InvalidScope, "invalid scope"),
    (50011, se.ReplyUrlMismatch, "reply address"),
])
def test_each_code_has_its_message(code, cls, words):
    err = se.signin_error({"error": "invalid_grant",
                           "error_description": f"AADSTS{code}: Something. Trace ID: t",
                           "error_codes": [code], "correlation_id": "c-1"})
    assert isinstance(err, cls) and err.code == cls.code and err.aadsts == code
    assert words in err.message and err.fix
    assert "correlation_id=c-1" in err.details


def test_code_from_description_when_no_list():
    err = se.signin_error({"error": "interaction_required",
                           "error_description": "AADSTS50076: Due to a configuration change"})
    assert isinstance(err, se.MfaRequired)


def test_unknown_code_keeps_the_server_words():
    err = se.signin_error({"error": "server_error", "error_description": "AADSTS99999: odd"})
    assert err.code == "signin_failed" and "AADSTS99999" in err.message


def test_bearer_challenge_gives_authority_and_tenant():
    ch = parse_challenges(["Bearer authorization_uri=https://login.microsoftonline.com/"
                           "7f3c2a51-6b1e-4c1a-9d2e-0c5a1f2b3c4d/oauth2/authorize, "
                           "resource_id=https://contoso.crm.dynamics.com/"])
    uri = ch["bearer"]["authorization_uri"]
    assert authority_from_authorization_uri(uri) == (
        "https://login.microsoftonline.com/7f3c2a51-6b1e-4c1a-9d2e-0c5a1f2b3c4d")
    assert authority_from_authorization_uri(
        "https://adfs.contoso.com/adfs/oauth2/authorize") == "https://adfs.contoso.com/adfs"


def test_builtin_cloud_ignores_foreign_authority():
    commercial = BUILTIN_CLOUDS["commercial"]
    evil = AuthChallenge("oauth", authority="https://evil.example/tenant", tenant_id=None)
    assert authority_for_org(commercial, evil, "t1") == "https://login.microsoftonline.com/t1"
    good = AuthChallenge("oauth", authority="https://login.microsoftonline.com/t2",
                         tenant_id="t2")
    assert authority_for_org(commercial, good) == "https://login.microsoftonline.com/t2"
    custom = cloud_from_dict({"name": "x", "authority": "https://127.0.0.1:1/t",
                              "discovery_url": "https://127.0.0.1:1"})
    onprem = AuthChallenge("oauth", authority="https://adfs.contoso.com/adfs")
    assert authority_for_org(None, onprem) == "https://adfs.contoso.com/adfs"
    assert authority_for_org(custom, None) == "https://127.0.0.1:1/t"
