"""What both front ends decide, written once in the engine: the add-org commit, forgetting
credentials, where to sign in, and the in-app sign-in form (all against the sandbox)."""

from __future__ import annotations

import pytest

from tests.fixtures.sandbox import ALICE, PW
from tests.fixtures.sandbox import password_options as pw
from wizard.engine import signin_errors as se
from wizard.engine.connect import NotDynamics, SignInOptions
from wizard.engine.secrets import org_secret_key
from wizard.engine.signin_form import (
    FormAnswers,
    PasswordRejected,
    VerificationCodeNeeded,
    VerificationCodeRejected,
    sign_in_with_form,
)
from wizard.sandbox import seed

pytestmark = pytest.mark.sandbox

CAROL = f"carol@{seed.TENANT_DOMAIN}"


def test_adding_the_first_org_claims_the_unclaimed_mailbox(sandbox, parts):
    assert parts.mailbox.stamp() is None
    [(na, created)] = parts.connector.add_orgs([(sandbox.org_urls["contosona"], pw(), None)])
    assert created and na.is_primary
    stamp = parts.mailbox.stamp()
    assert stamp is not None and stamp.org_id == na.org_id and stamp.last_sync is None
    # A second org neither synchronizes nor takes the stamp.
    [(jp, _)] = parts.connector.add_orgs([(sandbox.org_urls["contosojp"],
                                           SignInOptions(method="silent", username=ALICE), "Japan")])
    assert not jp.is_primary and jp.display_name == "Japan"
    assert parts.mailbox.stamp().org_id == na.org_id


def test_adding_never_overrides_another_orgs_stamp(sandbox, parts):
    parts.mailbox.claim("0b0b0b0b-0000-4000-8000-000000000000", "Someone Else's Org")
    parts.connector.add_orgs([(sandbox.org_urls["contosona"], pw(), None)])
    assert parts.mailbox.stamp().org_name == "Someone Else's Org"


def test_turning_saving_off_forgets_the_saved_password(sandbox, parts):
    url = sandbox.org_urls["contosoonprem"]
    [(profile, _)] = parts.connector.add_orgs([(url, pw("CONTOSO\\alice", save_password=True), None)])
    key = org_secret_key(profile.key, "password")
    assert parts.secrets.get(key) == PW
    renamed = parts.registry.change_preferences(profile.key, display_name="On-prem", keep_connected=False)
    assert renamed.save_credentials and parts.secrets.get(key) == PW       # other changes keep it
    after = parts.registry.change_preferences(profile.key, save_credentials=False)
    assert not after.save_credentials and parts.secrets.get(key) is None
    assert after.display_name == "On-prem" and after.keep_connected is False


def test_signing_out_stops_saving_credentials(sandbox, parts):
    url = sandbox.org_urls["contosoonprem"]
    [(profile, _)] = parts.connector.add_orgs([(url, pw("CONTOSO\\alice", save_password=True), None)])
    parts.connector.sign_out(profile)
    assert not parts.registry.get(profile.key).save_credentials


def test_probe_and_signin_target_for_an_org_and_for_discovery(sandbox, parts):
    org_url, challenge = parts.connector.probe(sandbox.org_urls["contosona"])
    assert challenge.kind == "oauth" and org_url.cloud == "sandbox"
    target = parts.connector.signin_target("sandbox", challenge, org_url=org_url.base_url)
    assert target.authority == sandbox.authority_url
    assert target.scopes == [challenge.resource.rstrip("/") + "/user_impersonation"]
    assert target.client_id == sandbox.cloud.client_id
    cloud_target = parts.connector.signin_target("sandbox")
    assert cloud_target.scopes == [sandbox.cloud.discovery_scope]


def test_probe_refuses_what_is_not_an_org(sandbox, parts):
    with pytest.raises(NotDynamics):
        parts.connector.probe(sandbox.authority_url.split("/", 3)[0] + "//" +
                              sandbox.authority_url.split("/")[2] + "/nothing-here")


def _form(sandbox, parts, answers):
    org_url, challenge = parts.connector.probe(sandbox.org_urls["contosona"])
    target = parts.connector.signin_target("sandbox", challenge, org_url=org_url.base_url)
    return sign_in_with_form(parts.auth, parts.session, target, answers)


def test_the_in_app_form_signs_in(sandbox, parts):
    assert _form(sandbox, parts, FormAnswers(ALICE, PW)).username == ALICE


def test_the_in_app_form_with_a_wrong_password(sandbox, parts):
    with pytest.raises(PasswordRejected) as caught:
        _form(sandbox, parts, FormAnswers(ALICE, "wrong"))
    assert isinstance(caught.value, se.BadPassword) and caught.value.code == "bad_password"
    assert caught.value.message == "The user name or password is not correct."


def test_the_in_app_form_asks_for_and_checks_the_verification_code(sandbox, parts):
    with pytest.raises(VerificationCodeNeeded) as caught:
        _form(sandbox, parts, FormAnswers(CAROL, PW))
    assert caught.value.code == "mfa_required"
    with pytest.raises(VerificationCodeRejected):
        _form(sandbox, parts, FormAnswers(CAROL, PW, "000000"))
    assert _form(sandbox, parts, FormAnswers(CAROL, PW, seed.MFA_CODE)).username == CAROL
