"""The Mailbox page of Synchronization settings against a real CalDAV/CardDAV server: a
sandbox tenant of this module's own, a real Radicale over TLS, the real keyring. Plain
errors for what users get wrong (401, not a DAV server, 404, an untrusted certificate),
testing changes nothing, and Use runs the first synchronization with its progress."""

from __future__ import annotations

import pytest

from tests.fixtures.leaks import assert_no_secrets_under
from tests.fixtures.radicale import USERS
from tests.gui import journeys as j
from wizard.gui.sync_dialogs import stage_label
from wizard.sandbox import seed

pytestmark = pytest.mark.sandbox

ORG = "contosojp"


def _services(sb, home, ca_bundle):
    from wizard.engine.context import Engine
    from wizard.engine.paths import AppPaths
    from wizard.gui.services import EngineServices

    engine = Engine(AppPaths.resolve(home).ensure(), cloud_files=[sb.cloud_file], ca_bundle=ca_bundle)
    return EngineServices(engine, sandbox_mode=True)


@pytest.fixture
def trusting(sb, wizard_home, radicale, private_keyring):
    """Services that trust Radicale's CA (as ``d365-wizard --ca-bundle FILE`` does)."""
    services = _services(sb, wizard_home, str(radicale.ca_file))
    yield services
    services.close()


@pytest.fixture
def untrusting(sb, wizard_home, radicale, private_keyring):
    services = _services(sb, wizard_home, None)
    yield services
    services.close()


@pytest.fixture
def window(qtbot, trusting, runner):
    yield from j.open_window(qtbot, trusting, runner, timeout=10000)


@pytest.fixture
def untrusting_window(qtbot, untrusting, runner):
    yield from j.open_window(qtbot, untrusting, runner, timeout=10000)


def _page(qtbot, window):
    j.add_online(qtbot, window, {ORG})
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "sync_settings", timeout=30000):
        window.actions_by_name["sync_settings"].trigger()
    return window.settings_dialog.mailbox_page


def _test(qtbot, window, page, url, user="ann", password=USERS["ann"]):
    page.dav_radio.setChecked(True)
    page.url_edit.setText(url)
    page.user_edit.setText(user)
    page.password_edit.setText(password)
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "mailbox_tested", timeout=60000):
        page.test_button.click()
    assert page.test_button.isEnabled()
    return page.status.text()


def test_errors_are_plain_and_use_runs_the_first_sync_with_progress(qtbot, window, trusting, radicale,
                                                                    sb, wizard_home):
    page = _page(qtbot, window)
    before = page.current.text()

    text = _test(qtbot, window, page, radicale.user_url(), password="not-the-password")
    assert "password" in text.lower() and "Traceback" not in text
    text = _test(qtbot, window, page, sb.discovery_url + "/")
    assert "CalDAV" in text or "DAV" in text
    text = _test(qtbot, window, page, radicale.collection_url("nothing-here"))
    assert "not found" in text.lower() or "no " in text.lower()
    assert trusting.mailbox_side().side == "local" and page.current.text() == before   # testing saves nothing

    text = _test(qtbot, window, page, radicale.user_url())
    assert text.startswith("Found"), text
    assert page.found.rowCount() == 3

    stages = []
    original = page.show_progress

    def spy(value):
        stages.append(value)
        original(value)

    page.show_progress = spy
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "mailbox_used", timeout=120000):
        page.use_button.click()
    assert trusting.mailbox_side().side == "dav"
    names = [s for s, _done, _total in stages]
    assert "writing the mailbox" in names, names
    assert all(stage_label(s) != s for s in names), names       # every stage in the user's words
    writes = [(d, t) for s, d, t in stages if s == "writing the mailbox"]
    assert writes[-1][0] == writes[-1][1] > 0                   # it reaches its total
    assert page.password_edit.text() == ""                      # the password went to the keyring
    dav = radicale.client()
    held = {name: len(dav.names(name)) for name in ("calendar", "tasks", "contacts")}
    assert held["contacts"] > 0 and sum(held.values()) >= writes[-1][1], (held, writes[-1])
    assert_no_secrets_under(wizard_home, [USERS["ann"], seed.PRACTICE_PASSWORD])


def test_a_certificate_this_computer_does_not_trust_is_said_plainly(qtbot, untrusting_window, untrusting,
                                                                    radicale):
    window = untrusting_window
    page = _page(qtbot, window)
    text = _test(qtbot, window, page, radicale.user_url())
    assert "certificate" in text.lower(), text
    assert untrusting.mailbox_side().side == "local"
