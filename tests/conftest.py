"""Test-wide settings. Qt runs offscreen; no test touches the real user's files or keyring."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest_plugins = [
    "tests.fixtures.keyring",
    "tests.fixtures.sandbox",
    "tests.fixtures.leaks",
    "tests.fixtures.radicale",
]


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every test gets its own D365_WIZARD_HOME; the real user's dirs are never used."""
    home = tmp_path / "wizard-home"
    monkeypatch.setenv("D365_WIZARD_HOME", str(home))
    yield home


@pytest.fixture
def wizard_home(_isolated_home):
    return _isolated_home


# In CI a missing prerequisite is a failure, not a skip: a skipped test there would
# hide that the machine (or .ci/run) lacks something the product needs.
_STRICT_SKIPS = os.environ.get("CI") == "true"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if _STRICT_SKIPS and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true (a missing prerequisite is a failure): {report.longrepr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    report = outcome.get_result()
    if _STRICT_SKIPS and report.skipped:
        report.outcome = "failed"
