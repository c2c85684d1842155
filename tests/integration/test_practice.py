"""Practice scenarios: each one really produces the symptom it documents, and "solving" it
(what the right fix achieves) makes the connection test pass."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from wizard.cli.practice import SCENARIOS, get_scenario, start_practice
from wizard.engine.context import Engine
from wizard.engine.paths import AppPaths
from wizard.engine.secrets import MemorySecretStore
from wizard.sandbox import seed

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def practice_root(tmp_path_factory):
    return tmp_path_factory.mktemp("practice")


def connection_test(session, password_sign_in=True):
    from wizard.engine.connect import SignInOptions

    engine = Engine(AppPaths.resolve(session.home), cloud_files=[session.sandbox.cloud_file],
                    secret_store=MemorySecretStore())
    try:
        profile = engine.registry.primary() or engine.registry.list()[0]
        options = SignInOptions(method="password", username=session.scenario.user,
                                password=seed.PRACTICE_PASSWORD)
        return {s.name: s for s in engine.connector.test(profile, options)}, engine
    finally:
        if "session" in engine.__dict__:
            engine.session.close()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario_shows_its_symptom_until_solved(scenario, practice_root):
    session = start_practice(scenario, practice_root)
    try:
        steps, engine = connection_test(session)
        failed = [name for name, s in steps.items() if s.status in ("failed", "warning")]
        assert scenario.expected_step in failed, {n: s.message for n, s in steps.items()}
        if scenario.expected_code:
            assert steps[scenario.expected_step].code == scenario.expected_code
        if scenario.stamp_owner:
            stamp = engine.mailbox.stamp()
            assert stamp.org_name == "Contoso (Japan)"
            plan = engine.registry.plan_switch(engine.registry.primary().key)
            assert plan.stamp_conflict
        session.solve()
        if not scenario.stamp_owner and scenario.name != "no-privilege":
            steps, _ = connection_test(session)
            assert steps[scenario.expected_step].status == "passed", steps[
                scenario.expected_step].message
        if scenario.exchange_holder:
            assert all(s.status == "passed" for n, s in steps.items() if n != "stamp"), {
                n: s.message for n, s in steps.items() if s.status != "passed"}
    finally:
        session.stop()


def test_unknown_scenario_names_the_choices():
    with pytest.raises(Exception) as exc:
        get_scenario("printer-on-fire")
    assert "mfa-required" in str(exc.value)


def test_cli_lists_scenarios_with_solutions(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "wizard.cli", "--home", str(tmp_path),
                           "practice", "--list", "--solution", "--json"],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    names = [s["name"] for s in json.loads(proc.stdout)["scenarios"]]
    assert names == ["mfa-required", "stamp-other-org", "no-privilege", "disabled-org",
                     "expired-sign-in", "unknown-ca", "exchange-overwritten",
                     "exchange-unknown-state", "exchange-migrated"]


def test_cli_runs_a_scenario_for_a_while(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "wizard.cli", "--home", str(tmp_path),
                           "practice", "unknown-ca", "--duration", "0.5", "--json"],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["faults"] == {"unknown_ca": True}
    assert "--cloud-file" in data["gui"] and data["home"].startswith(str(tmp_path))
    assert "The trainee sees" in proc.stderr


@pytest.mark.parametrize("name, override", [("exchange-overwritten", None),
                                            ("exchange-unknown-state", True),
                                            ("exchange-migrated", True)])
def test_exchange_scenarios_are_fixed_by_the_switch_the_fix_names(name, override, practice_root):
    """The documented fix, done with the real switch: without "this org only" the two last
    situations stay broken; with it, the synchronizing org takes the mailbox."""
    from wizard.engine.connect import SignInOptions

    session = start_practice(get_scenario(name), practice_root)
    engine = Engine(AppPaths.resolve(session.home), cloud_files=[session.sandbox.cloud_file],
                    secret_store=MemorySecretStore())
    try:
        options = SignInOptions(method="password", username=session.scenario.user,
                                password=seed.PRACTICE_PASSWORD)
        for profile in engine.registry.list():
            engine.connector.connect(profile, options)       # a signed-in practice user
        engine.switcher.poll_interval = 0
        primary = engine.registry.primary()
        if override:
            plan = engine.switcher.plan(primary.key)
            assert not plan.override_suggested
            assert engine.switcher.apply(plan).test_enable.state == "elsewhere"
            plan.close()
        plan = engine.switcher.plan(primary.key)
        result = engine.switcher.apply(plan, override=override)
        plan.close()
        assert result.complete and result.test_enable.state == "success", result.lines()
        assert [k for k, _ in result.holders] == [primary.key]
        steps = {s.name: s for s in engine.connector.test(primary)}
        assert steps["exchange"].status == "passed" and steps["mailbox"].status == "passed"
    finally:
        engine.session.close()
        session.stop()
