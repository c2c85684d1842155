"""The diagnostics bundle never carries secrets, and identities only with consent."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import zipfile

import pytest

from tests.fixtures.leaks import assert_no_secrets_under
from wizard.engine.context import Engine
from wizard.engine.diagnostics import Anonymizer, build_bundle
from wizard.engine.logs import setup_logging, shutdown_logging
from wizard.engine.orgs import OrgProfile
from wizard.engine.paths import AppPaths

TENANT = "7f3c2a51-6b1e-4c1a-9d2e-0c5a1f2b3c4d"
ORG_ID = "a1b2c3d4-0001-4000-8000-000000000001"
USER = "alice.adams@contoso.example"
NTLM_USER = "CONTOSO\\bob.brown"
JWT = ("eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2NvbnRvc28uY3JtLmR5bmFtaWNzLmN"
       "vbSIsInVwbiI6ImFsaWNlIn0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU")
REFRESH = "0.AAAA" + "r3fr35hT0k3n" * 8
PASSWORD = "Pa55-w0rd-Hunter2!"
COOKIE = "ESTSAUTHPERSISTENT-c00kie-valu3"
NTLM_BLOB = "TlRMTVNTUAADAAAAGAAYAEgAAAAYABgAYAAAAAAAAAB4AAAA"
SECRETS = [JWT, REFRESH, PASSWORD, COOKIE, NTLM_BLOB]
IDENTITIES = [USER, "alice.adams", "bob.brown", TENANT, "contoso.crm4.dynamics.com",
              "crm.contoso.local", "contosoeu", "Contoso Europe", "Contoso On-Prem", ORG_ID]


class FakeSecrets:
    available = True
    backend_name = "SecretService Keyring (test)"
    unavailable_reason = None

    def delete_org(self, key):
        pass


@pytest.fixture
def seeded(wizard_home):
    engine = Engine(AppPaths.resolve(wizard_home), secret_store=FakeSecrets())
    eu, _ = engine.registry.add(OrgProfile(
        base_url="https://contoso.crm4.dynamics.com", display_name="Contoso Europe",
        unique_name="contosoeu", org_id=ORG_ID, tenant_id=TENANT, user=USER,
        user_id="5e7a0001-0000-4000-8000-000000000001", auth_method="oauth", kind="online",
        api_url="https://contoso.api.crm4.dynamics.com", cloud="commercial", region="EUR"))
    engine.registry.add(OrgProfile(
        base_url="https://crm.contoso.local/contosoonprem", display_name="Contoso On-Prem",
        unique_name="contosoonprem", user=NTLM_USER, auth_method="ntlm", kind="onprem"))
    engine.mailbox.claim(ORG_ID, "Contoso Europe")
    engine.mailbox.record_sync(ORG_ID)
    setup_logging(engine.paths, verbose=True)
    log = logging.getLogger("wizard.test")
    # What a careless library could log: every secret in the shapes it travels in.
    log.debug("POST https://login.microsoftonline.com/%s/oauth2/v2.0/token "
              "grant_type=password&username=%s&password=%s", TENANT, USER, PASSWORD)
    log.debug("token response %s", json.dumps({"access_token": JWT, "refresh_token": REFRESH,
                                                "id_token": JWT, "token_type": "Bearer"}))
    log.debug("request headers %r", {"Authorization": f"Bearer {JWT}", "Cookie": COOKIE})
    log.debug("Set-Cookie: %s; path=/; secure", COOKIE)
    log.debug("GET https://contoso.api.crm4.dynamics.com/api/data/v9.2/WhoAmI 200 for %s", USER)
    log.info("NTLM to https://crm.contoso.local/contosoonprem as %s: Authorization: NTLM %s",
             NTLM_USER, NTLM_BLOB)
    log.info("connect through http://proxyuser:%s@proxy.contoso.local:3128", PASSWORD)
    try:
        raise RuntimeError(f"AADSTS50076 for {USER} at tenant {TENANT}; refresh_token={REFRESH}")
    except RuntimeError:
        log.exception("sign-in failed")
    shutdown_logging()
    yield engine, eu


def unzip(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name).decode("utf-8") for name in zf.namelist()}


def test_bundle_without_consent_has_no_secrets_and_no_identities(seeded, tmp_path, monkeypatch):
    engine, eu = seeded
    monkeypatch.setenv("HOME", str(tmp_path))  # the profile lives under the home folder
    steps = [{"name": "signin", "title": "Sign-in", "status": "failed",
              "message": f"AADSTS50076: {USER} must use multi-factor authentication.",
              "fix": "Sign in with your second factor.",
              "details": f"Authorization: Bearer {JWT}", "data": {"password": PASSWORD}}]
    report = build_bundle(engine, tmp_path / "bundle.zip", connection_results={eu.key: steps},
                          run_connection_tests=False)
    files = unzip(report.path)
    everything = "\n".join(files.values())
    for secret in SECRETS:
        assert secret not in everything
    for identity in IDENTITIES:
        assert identity.lower() not in everything.lower(), identity
    assert_no_secrets_under(tmp_path, SECRETS)
    # still useful: the structure, the placeholders, the errors and the stamp
    orgs = json.loads(files["organizations.json"])["orgs"]
    assert orgs[0]["base_url"] == "https://org-1.crm4.dynamics.com"
    assert orgs[0]["api_url"] == "https://org-1.api.crm4.dynamics.com"
    assert orgs[0]["user"] == "user-1" and orgs[0]["tenant_id"] == "tenant-1"
    assert orgs[1]["base_url"].startswith("https://host-1.example/org-")
    assert orgs[0]["is_primary"] is True
    mailbox = json.loads(files["mailbox.json"])
    assert mailbox["stamp"]["org_id"] == orgs[0]["org_id"]  # same placeholder everywhere
    assert mailbox["last_sync"]
    log = files["logs/d365-orgs.log"]
    assert "AADSTS50076" in log and "user-1" in log and "tenant-1" in log
    assert "login.microsoftonline.com" in log  # public services keep their names
    test = json.loads(files["connection-tests.json"])["orgs"][eu.key]
    assert test["steps"][0]["message"].startswith("AADSTS50076: user-1 must")
    manifest = json.loads(files["manifest.json"])
    assert manifest["include_identities"] is False and "summary.txt" in manifest["files"]
    env = json.loads(files["environment.json"])
    assert env["libraries"]["msal"] and env["python"]["version"]
    assert json.loads(files["keyring.json"])["backend"] == "SecretService Keyring (test)"
    # the home folder names the OS account: it becomes ~
    assert str(tmp_path) not in everything
    assert json.loads(files["environment.json"])["paths"]["config"] == "~/wizard-home/config"


def test_bundle_with_consent_keeps_identities_but_never_secrets(seeded, tmp_path):
    engine, _eu = seeded
    report = build_bundle(engine, tmp_path / "b.zip", include_identities=True,
                          run_connection_tests=False)
    everything = "\n".join(unzip(report.path).values())
    for secret in SECRETS:
        assert secret not in everything
    for identity in (USER, TENANT, "contoso.crm4.dynamics.com", "Contoso Europe"):
        assert identity in everything
    assert_no_secrets_under(tmp_path, SECRETS)


def test_placeholders_are_stable_and_public_hosts_kept():
    a = Anonymizer()
    a.add_user("carol@contoso.example")
    text = ("carol@contoso.example signed in at https://login.microsoftonline.com/"
            f"{TENANT}/oauth2 for https://fabrikam.crm.dynamics.com and "
            "https://fabrikam.api.crm.dynamics.com; again carol@contoso.example")
    out = a.text(text)
    assert out.count("user-1") == 2 and "carol" not in out
    assert "login.microsoftonline.com/tenant-1/oauth2" in out
    assert "https://org-1.crm.dynamics.com" in out and "https://org-1.api.crm.dynamics.com" in out
    assert a.text(text) == out


def test_cli_diagnostics_bundle(tmp_path):
    home = tmp_path / "h"
    proc = subprocess.run([sys.executable, "-m", "wizard.cli", "--home", str(home),
                           "diagnostics", "--bundle", str(tmp_path / "d.zip"), "--no-connect",
                           "--json"], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["include_identities"] is False and "manifest.json" in data["files"]
    assert "logs/d365-orgs.log" in unzip(tmp_path / "d.zip")


def test_cli_doctor_bundle_and_doctor_still_needs_an_org_without_it(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "wizard.cli", "--home", str(tmp_path / "h"),
                               "doctor", *args, "--json"], capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)

    proc = run("--bundle", str(tmp_path / "doc.zip"))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["path"].endswith("doc.zip")
    proc = run()
    assert proc.returncode == 1 and json.loads(proc.stdout)["error"]["code"] == "usage"
