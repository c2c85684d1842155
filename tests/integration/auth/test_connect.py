"""Connecting to every kind of sandbox org, adding orgs, and the connection test."""

from __future__ import annotations

import pytest

from tests.fixtures.browser import ScriptedBrowser
from tests.fixtures.sandbox import ALICE, PW
from tests.fixtures.sandbox import password_options as pw
from wizard.engine import signin_errors as se
from wizard.engine.connect import SignInOptions, WindowsCredentialsRequired
from wizard.engine.dataverse import AccessDenied, OrgDisabled
from wizard.engine.secrets import org_secret_key
from wizard.sandbox import seed

pytestmark = pytest.mark.sandbox

BOB = f"bob@{seed.TENANT_DOMAIN}"


def statuses(steps):
    return {s.name: s.status for s in steps}


# -- online ------------------------------------------------------------------------------
def test_connect_online_with_browser(sandbox, parts):
    browser = ScriptedBrowser(sandbox, ALICE)
    conn = parts.connector.connect(sandbox.org_urls["contosona"],
                                   SignInOptions(method="browser", open_browser=browser.open))
    browser.join()
    assert conn.auth_method == "oauth" and conn.username == ALICE
    assert conn.authority == sandbox.authority_url and conn.tenant_id == seed.TENANT_ID
    assert conn.client.whoami()["OrganizationId"] == sandbox.org("contosona").org_id


def test_add_org_records_identity_and_reuses_the_token(sandbox, parts):
    profile, created = parts.connector.add_org(sandbox.org_urls["contosona"], pw())
    assert created
    org = sandbox.org("contosona")
    assert profile.org_id == org.org_id and profile.unique_name == org.unique_name
    assert profile.tenant_id == seed.TENANT_ID and profile.user == ALICE
    assert profile.user_id == seed.USERS[0].systemuser_id and profile.auth_method == "oauth"
    assert profile.version == org.version and profile.cloud == "sandbox"
    assert profile.extra["authority"] == sandbox.authority_url
    # Second org: no password given, the cached sign-in is reused silently.
    jp, _ = parts.connector.add_org(sandbox.org_urls["contosojp"],
                                    SignInOptions(method="silent", username=ALICE))
    assert jp.org_id == sandbox.org("contosojp").org_id
    assert [p.unique_name for p in parts.registry.list()] == ["contosona", "contosojp"]


def test_add_org_without_access_leaves_nothing_behind(sandbox, parts):
    # Bob is not a member of the retired org: sign-in works, the org refuses him.
    with pytest.raises((AccessDenied, OrgDisabled, se.SignInError)):
        parts.connector.add_org(sandbox.org_urls["contosoretired"], pw(BOB))
    assert parts.registry.list() == []
    assert parts.secrets.get(org_secret_key("x", "password")) is None
    assert parts.auth.accounts(sandbox.authority_url) == []  # the new sign-in was undone


def test_add_disabled_org_fails_cleanly(sandbox, parts):
    sandbox.faults.set("org_disabled", "contosojp")
    with pytest.raises(OrgDisabled):
        parts.connector.add_org(sandbox.org_urls["contosojp"], pw())
    assert parts.registry.list() == []


def test_connection_test_all_steps_pass_for_alice(sandbox, parts):
    profile, _ = parts.connector.add_org(sandbox.org_urls["contosona"], pw())
    steps = parts.connector.run_test(profile)
    assert [s.name for s in steps] == ["url", "dns", "tcp", "tls", "proxy", "signin",
                                       "whoami", "version", "privilege", "mailbox", "exchange",
                                       "stamp", "switch"]
    assert all(s.status == "passed" for s in steps), [s.to_dict() for s in steps
                                                      if s.status != "passed"]
    assert all(s.elapsed >= 0 for s in steps)
    by = {s.name: s for s in steps}
    assert "Signed in as alice@contoso.example" in by["signin"].message
    assert by["version"].data["version"] == sandbox.org("contosona").version


def test_connection_test_names_missing_privilege(sandbox, parts):
    profile, _ = parts.connector.add_org(sandbox.org_urls["contosona"], pw(BOB))
    by = {s.name: s for s in parts.connector.run_test(profile)}
    assert by["privilege"].status == "failed"
    assert "Sync to Outlook" in by["privilege"].message and "administrator" in by["privilege"].fix
    assert by["mailbox"].status in ("passed", "failed")  # later steps still run


def test_connection_test_without_sign_in(sandbox, parts):
    steps = parts.connector.run_test(sandbox.org_urls["contosona"])
    st = statuses(steps)
    assert st["signin"] == "failed" and st["whoami"] == "skipped"
    assert st["tls"] == "passed" and st["proxy"] == "passed"


def test_connection_test_unknown_ca_names_issuer(sandbox, parts):
    sandbox.faults.set("unknown_ca")
    by = {s.name: s for s in parts.connector.run_test(sandbox.org_urls["contosona"])}
    assert by["tls"].status == "failed" and by["tls"].code == "tls_untrusted"
    assert "issued by" in by["tls"].message and "--ca-bundle" in by["tls"].fix
    assert by["signin"].status == "skipped"


def test_connection_test_dns_failure(parts):
    by = {s.name: s for s in parts.connector.run_test("https://nosuchorg.example.invalid/org")}
    assert by["dns"].status == "failed" and "could not be found" in by["dns"].message
    assert by["tcp"].status == "skipped"


def test_connection_test_bad_url(parts):
    by = {s.name: s for s in parts.connector.run_test("ftp://what")}
    assert by["url"].status == "failed" and by["url"].code == "invalid_url"


def test_connection_test_expired_token_is_401(sandbox, parts):
    profile, _ = parts.connector.add_org(sandbox.org_urls["contosona"], pw())
    sandbox.faults.set("token_expired")
    by = {s.name: s for s in parts.connector.run_test(profile)}
    assert by["whoami"].status == "failed" and by["whoami"].code == "signin_required"
    assert "Sign in again" in by["whoami"].fix


def test_connection_test_throttled_then_ok(sandbox, parts):
    profile, _ = parts.connector.add_org(sandbox.org_urls["contosona"], pw())
    sandbox.faults.set("throttle", 0, count=2)
    assert all(s.passed for s in parts.connector.run_test(profile))


def test_connection_test_disabled_org(sandbox, parts):
    profile, _ = parts.connector.add_org(sandbox.org_urls["contosona"], pw())
    sandbox.faults.set("org_disabled", "contosona")
    by = {s.name: s for s in parts.connector.run_test(profile)}
    assert by["whoami"].status == "failed" and by["whoami"].code == "org_disabled"


# -- on-premises: Windows authentication ---------------------------------------------------
def test_ntlm_org_real_handshake(sandbox, parts):
    url = sandbox.org_urls["contosoonprem"]
    with pytest.raises(WindowsCredentialsRequired):
        parts.connector.connect(url)
    conn = parts.connector.connect(url, pw("CONTOSO\\alice"))
    assert conn.auth_method == "ntlm"
    assert conn.client.whoami()["UserId"] == seed.USERS[0].systemuser_id
    assert conn.client.retrieve_version() == sandbox.org("contosoonprem").version


def test_ntlm_users_never_share_a_connection(sandbox, parts):
    url = sandbox.org_urls["contosoonprem"]
    alice = parts.connector.connect(url, pw("CONTOSO\\alice"))
    bob = parts.connector.connect(url, pw("CONTOSO\\bob"))
    try:
        for _ in range(2):
            assert alice.client.whoami()["UserId"] == seed.USERS[0].systemuser_id
            assert bob.client.whoami()["UserId"] == seed.USERS[1].systemuser_id
    finally:
        alice.close()
        bob.close()


def test_ntlm_wrong_password(sandbox, parts):
    conn = parts.connector.connect(sandbox.org_urls["contosoonprem"],
                                   pw("CONTOSO\\alice", "wrong"))
    with pytest.raises(se.BadPassword):
        conn.client.whoami()


def test_ntlm_wrong_password_fails_the_sign_in_step(sandbox, parts):
    """The server decides a Windows sign-in: a rejected password fails Sign-in, with its fix."""
    steps = parts.connector.run_test(sandbox.org_urls["contosoonprem"], pw("CONTOSO\\alice", "wrong"))
    by = {s.name: s for s in steps}
    assert by["signin"].status == "failed" and by["signin"].code == "bad_password"
    assert by["signin"].data["action"] == "enter_password"
    assert by["whoami"].status == "skipped"
    good = {s.name: s for s in parts.connector.run_test(sandbox.org_urls["contosoonprem"],
                                                       pw("CONTOSO\\alice"))}
    assert good["signin"].status == "passed" and good["whoami"].status == "passed"
    assert "Signed in as CONTOSO\\alice" in good["signin"].message


def test_ntlm_add_saves_password_only_when_asked(sandbox, parts):
    url = sandbox.org_urls["contosoonprem"]
    profile, _ = parts.connector.add_org(url, pw("CONTOSO\\alice"))
    assert profile.auth_method == "ntlm" and not profile.save_credentials
    assert parts.secrets.get(org_secret_key(profile.key, "password")) is None
    parts.registry.remove(profile.key)
    profile, _ = parts.connector.add_org(url, pw("CONTOSO\\alice", save_password=True))
    assert profile.save_credentials
    assert parts.secrets.get(org_secret_key(profile.key, "password")) == PW
    # The saved password lets the connection test sign in with no questions.
    assert all(s.passed or s.name in ("mailbox",) for s in parts.connector.run_test(profile))
    parts.connector.sign_out(profile)
    assert parts.secrets.get(org_secret_key(profile.key, "password")) is None


# -- on-premises: claims-based (AD FS) ------------------------------------------------------
def test_adfs_org_follows_the_challenge(sandbox, parts):
    url = sandbox.org_urls["contosoadfs"]
    conn = parts.connector.connect(url, pw())
    assert conn.auth_method == "adfs"
    assert conn.authority == sandbox.identity.adfs_issuer
    assert conn.client.whoami()["UserId"] == seed.USERS[0].systemuser_id


def test_adfs_interactive_with_browser(sandbox, parts):
    browser = ScriptedBrowser(sandbox, ALICE)
    conn = parts.connector.connect(sandbox.org_urls["contosoadfs"],
                                   SignInOptions(method="browser", open_browser=browser.open))
    browser.join()
    assert conn.auth_method == "adfs" and "/adfs/oauth2/authorize" in browser.opened[0]
    assert conn.client.whoami()["UserId"] == seed.USERS[0].systemuser_id


def test_discovery_lists_orgs_and_flags_disabled(sandbox, parts):
    from wizard.engine.discovery import discovery_scopes, list_instances

    scopes = discovery_scopes(sandbox.cloud)
    token = parts.auth.password(sandbox.authority_url, scopes, ALICE, PW)
    orgs = {o.unique_name: o for o in list_instances(parts.session, sandbox.cloud,
                                                     lambda: token.authorization)}
    na = orgs["contosona"]
    assert na.url == sandbox.org_urls["contosona"] and na.friendly_name == "Contoso (North America)"
    assert na.version and na.region and na.can_add and na.state_label == "enabled"
    retired = orgs["contosoretired"]
    assert not retired.can_add and "disabled" in retired.reason
    sandbox.faults.set("throttle", 0, count=1)  # 429 is retried by the session
    assert list_instances(parts.session, sandbox.cloud, lambda: token.authorization)


def test_connection_test_through_a_proxy(sandbox, parts, monkeypatch):
    from tests.fixtures.proxy import TunnelProxy

    for var in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(var, raising=False)
    profile, _ = parts.connector.add_org(sandbox.org_urls["contosona"], pw())
    with TunnelProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        by = {s.name: s for s in parts.connector.run_test(profile)}
        parts.session.close()  # tunnels end before the proxy stops
    assert by["proxy"].status == "passed" and f"127.0.0.1:{proxy.port}" in by["proxy"].message
    assert by["tls"].status == "skipped"
    assert by["whoami"].status == "passed"
    port = sandbox.org_urls["contosona"].rsplit(":", 1)[1]
    assert f"127.0.0.1:{port}" in proxy.targets


def test_connection_test_reports_progress_and_cancels(sandbox, parts):
    import threading

    from wizard.engine.http import Cancelled

    cancel = threading.Event()
    seen = []

    def on_step(step):
        seen.append(step.name)
        if step.name == "tcp":
            cancel.set()

    with pytest.raises(Cancelled):
        parts.connector.run_test(sandbox.org_urls["contosona"], on_step=on_step,
                                 cancel_event=cancel)
    assert seen == ["url", "dns", "tcp"]


def test_discover_silent_after_cloud_sign_in_and_forced_new_sign_in(sandbox, parts):
    first = parts.connector.sign_in_cloud(sandbox.cloud, pw())
    result, orgs = parts.connector.discover(sandbox.cloud)  # silent: one account cached
    assert result.username == ALICE and {o.unique_name for o in orgs} >= {"contosona"}
    # An explicit sign-in as someone else is not answered from the cache.
    bob = parts.connector.sign_in_cloud(sandbox.cloud, pw(BOB), force=True)
    assert bob.username == BOB and first.username == ALICE
    with pytest.raises(se.NotSignedIn) as info:
        parts.connector.discover(sandbox.cloud)  # two accounts now: which one?
    assert info.value.code == "account_ambiguous"
