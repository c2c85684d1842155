"""A diagnostics bundle made after real sign-ins (msal, the sandbox over HTTPS, the real
keyring) holds no token, password, cookie or auth header, and no identity without consent."""

from __future__ import annotations

import json
import logging
import zipfile

import pytest

from tests.fixtures.leaks import assert_no_secrets_under
from wizard.engine.connect import SignInOptions
from wizard.engine.context import Engine
from wizard.engine.diagnostics import build_bundle
from wizard.engine.logs import setup_logging, shutdown_logging
from wizard.engine.paths import AppPaths
from wizard.sandbox import seed

pytestmark = [pytest.mark.sandbox, pytest.mark.keyring]


@pytest.fixture
def signed_in(sandbox, private_keyring, wizard_home):
    engine = Engine(AppPaths.resolve(wizard_home), cloud_files=[sandbox.cloud_file])
    setup_logging(engine.paths, verbose=True)  # DEBUG: msal and urllib3 log every request
    alice = f"alice@{seed.TENANT_DOMAIN}"
    options = SignInOptions(method="password", username=alice, password=seed.PRACTICE_PASSWORD)
    tokens = [sandbox.token(alice, sandbox.org_urls["contosona"])]
    try:
        engine.connector.add_org(sandbox.org_urls["contosona"], options)
        engine.connector.add_org(sandbox.org_urls["contosojp"], options)
        # A careless log line with a live token, as a library bug would write it.
        logging.getLogger("wizard.test").debug("headers %r", {"Authorization": f"Bearer {tokens[0]}"})
        yield engine, tokens
    finally:
        shutdown_logging()
        engine.session.close()


def read_all(path):
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n).decode() for n in zf.namelist()}


def test_bundle_after_real_sign_ins_is_redacted(signed_in, tmp_path):
    engine, tokens = signed_in
    assert len(engine.registry.list()) == 2
    report = build_bundle(engine, tmp_path / "bundle.zip")   # runs silent connection tests
    files = read_all(report.path)
    text = "\n".join(files.values())
    tests = json.loads(files["connection-tests.json"])["orgs"]
    assert len(tests) == 2
    for t in tests.values():   # the tests really ran, signed in from the token cache
        steps = {s["name"]: s["status"] for s in t["steps"]}
        assert steps["signin"] == "passed" and steps["whoami"] == "passed", t
    log = files["logs/d365-orgs.log"]
    assert "oauth2/v2.0/token" in log  # msal/urllib3 detail was logged, then redacted
    assert_no_secrets_under(tmp_path, [seed.PRACTICE_PASSWORD, *tokens])
    for identity in (f"alice@{seed.TENANT_DOMAIN}", seed.TENANT_ID, "contosona", "contosojp",
                     "Contoso (North America)", "5e7a0001-0000-4000-8000-000000000001"):
        assert identity.lower() not in text.lower(), identity
    assert "user-1" in text and "tenant-1" in text
    # The user agrees: identities appear, secrets still do not.
    consent = build_bundle(engine, tmp_path / "consent.zip", include_identities=True,
                           run_connection_tests=False)
    assert f"alice@{seed.TENANT_DOMAIN}" in "\n".join(read_all(consent.path).values())
    assert_no_secrets_under(tmp_path, [seed.PRACTICE_PASSWORD, *tokens])


