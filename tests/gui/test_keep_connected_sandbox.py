"""Keep me connected against the sandbox over HTTPS (real msal, registry, Web API): on, a
round refreshes connected orgs and synchronizes the synchronizing org; off, the window's
timer sends nothing at all (the sandbox's request log stays empty)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.gui import journeys as j
from tests.integration.serverside.helpers import ALICE, JP, NA
from wizard.engine.connect import SignInOptions
from wizard.sandbox import seed

pytestmark = pytest.mark.sandbox


@pytest.fixture
def real(sandbox, wizard_home):
    for services in j.sandbox_services(sandbox.cloud_file, wizard_home):
        options = SignInOptions(method="password", username=ALICE, password=seed.PRACTICE_PASSWORD)
        for name in (NA, JP):
            services.engine.connector.add_org(sandbox.org_urls[name], options)
        yield services


@pytest.fixture
def window(qtbot, real, runner):
    yield from j.open_window(qtbot, real, runner, timeout=20000)


def _connected(qtbot, window):
    qtbot.wait_until(lambda: all(r.status == "connected" for r in window.model.rows()), timeout=20000)
    qtbot.wait_until(lambda: window.runner.wait_for_done(0), timeout=20000)


def _due(window):
    window.last_keep_round = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)


def test_a_round_refreshes_connected_orgs_and_synchronizes(qtbot, window, real, sandbox):
    _connected(qtbot, window)
    assert window.keep_label.text() == "Every 15 min, all organizations"
    _due(window)
    mark = sandbox.requests.mark()
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "background_sync",
                           timeout=30000):
        with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "keep_connected",
                               timeout=20000):
            window.keep_connected_round()
    orgs = {e.org for e in sandbox.requests.entries(since=mark)}
    assert {NA, JP} <= orgs
    # the status bar says it (after the list reloads); a failure would say why
    # read once: a later list reload may replace the message before a second read
    seen: list[str] = []

    def said() -> bool:
        text = window.statusBar().currentMessage()
        if text.startswith("Synchronized with") or "did not run" in text:
            seen.append(text)
        return bool(seen)

    qtbot.wait_until(said, timeout=20000)
    assert "in the background." in seen[0], seen[0]
    qtbot.wait_until(lambda: window.runner.wait_for_done(0), timeout=20000)
    # the next round waits a whole interval again: nothing more is sent
    mark = sandbox.requests.mark()
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "keep_connected-idle"):
        window.keep_connected_round()
    qtbot.wait(200)
    assert sandbox.requests.entries(since=mark) == []


def test_off_means_no_background_traffic_at_all(qtbot, window, real, sandbox):
    _connected(qtbot, window)
    for row in window.model.rows():
        real.update(row.key, keep_connected=False)
    with qtbot.wait_signal(window.orgs_loaded, timeout=10000):
        window.refresh(check=False)
    assert window.keep_label.text() == "Off: nothing connects in the background"
    qtbot.wait_until(lambda: window.runner.wait_for_done(0), timeout=20000)
    mark = sandbox.requests.mark()
    _due(window)
    ticks = []
    window.action_done.connect(lambda a: a.startswith("keep_connected") and ticks.append(a))
    window.keep_timer.start(20)               # the real timer, ticking fast
    qtbot.wait_until(lambda: len(ticks) >= 5, timeout=10000)
    window.keep_timer.stop()
    assert set(ticks) == {"keep_connected-idle"}
    assert sandbox.requests.entries(since=mark) == []
