"""Deployment entries by discovery are added after a real sign-in (sandbox, msal, keyring)."""

from __future__ import annotations

import json

import pytest

from wizard.engine.connect import SignInOptions
from wizard.engine.context import Engine
from wizard.engine.deploy import apply_deployment, pending_orgs, resolve_pending_by_discovery
from wizard.engine.paths import AppPaths
from wizard.sandbox import seed

pytestmark = [pytest.mark.sandbox, pytest.mark.keyring]


def test_pending_discovery_entries_resolve_after_sign_in(sandbox, private_keyring, wizard_home,
                                                         tmp_path):
    engine = Engine(AppPaths.resolve(wizard_home), cloud_files=[sandbox.cloud_file])
    try:
        path = tmp_path / "deploy.json"
        path.write_text(json.dumps({"schema_version": 1, "orgs": [
            {"cloud": "sandbox", "unique_name": "contosojp", "display_name": "Japan",
             "primary": True},
            {"cloud": "sandbox", "unique_name": "contosoretired"}]}))   # disabled in discovery
        assert apply_deployment(engine, path).count("pending") == 2
        before = resolve_pending_by_discovery(engine)       # not signed in yet
        assert "Sign in to that cloud first" in " ".join(before.warnings)
        assert engine.registry.list() == []
        alice = f"alice@{seed.TENANT_DOMAIN}"
        engine.connector.add_org(sandbox.org_urls["contosona"], SignInOptions(
            method="password", username=alice, password=seed.PRACTICE_PASSWORD))
        report = resolve_pending_by_discovery(engine)
        assert report.count("added") == 1 and not report.warnings
        japan = engine.registry.get("Japan")
        assert japan.base_url == sandbox.org_urls["contosojp"].rstrip("/")
        assert japan.org_id == seed.org_by_name("contosojp").org_id
        # the disabled org stays pending, and the user's synchronizing org is kept
        assert [p["unique_name"] for p in pending_orgs(engine)] == ["contosoretired"]
        assert engine.registry.primary().unique_name == "contosona"
        assert "never done silently" in report.primary_note
    finally:
        if "session" in engine.__dict__:
            engine.session.close()
