"""The Synchronize prompt and the switch on the servers, through the GUI against the sandbox
(real msal, the real Web API app, the real registry; pytest-qt)."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from tests.gui import journeys as j
from tests.integration.serverside.helpers import ALICE, JP, NA, box, marked_primary, synchronizing
from wizard.engine.connect import SignInOptions
from wizard.sandbox import seed

pytestmark = pytest.mark.sandbox


@pytest.fixture
def real(sandbox, wizard_home):
    for services in j.sandbox_services(sandbox.cloud_file, wizard_home):
        options = SignInOptions(method="password", username=ALICE,
                                password=seed.PRACTICE_PASSWORD)
        for name in (NA, JP):
            services.engine.connector.add_org(sandbox.org_urls[name], options)
        services.engine.switcher.poll_interval = 0
        yield services


@pytest.fixture
def window(qtbot, real, runner):
    yield from j.open_window(qtbot, real, runner, timeout=20000)


def test_prompt_lists_every_org_and_ok_switches_the_records(qtbot, window, real, sandbox):
    qtbot.wait_until(lambda: window.exchange_label.text() == "Contoso (North America)",
                     timeout=20000)                         # read in the background at start
    jp = j.row_by_name(window, JP)
    mark = sandbox.requests.mark()
    dialog = j.open_switch_prompt(qtbot, window, jp.key)
    text = dialog.plan_label.text()
    assert "Contoso (North America): appointments, contacts and tasks → None (was " \
           "Server-Side Synchronization)." in text
    assert "Contoso (Japan): Server-Side Synchronization, Test & Enable with “this org only” " \
           "(takes your Exchange mailbox from Contoso (North America))." in text
    assert dialog.server_radio.isChecked() and dialog.override_box.isChecked()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isDefault()
    # Cancel changes no record.
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "synchronize-cancelled"):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert sandbox.requests.writes(since=mark) == []
    assert synchronizing(sandbox) == [NA, JP] and marked_primary(sandbox) == [NA]
    # OK: progress, then the result; the records say JP only.
    dialog = j.open_switch_prompt(qtbot, window, jp.key)
    with qtbot.wait_signal(window.orgs_loaded, timeout=20000):
        with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "synchronize",
                               timeout=20000):
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    progress = window.switch_progress
    assert progress.switch_result is not None and progress.switch_result.complete
    assert "Test & Enable in Contoso (Japan) succeeded" in progress.result_label.text()
    assert synchronizing(sandbox) == [JP] and marked_primary(sandbox) == [JP]
    assert window.primary_label.text() == "Contoso (Japan)"
    assert window.exchange_label.text() == "Contoso (Japan)"
    assert real.registry.primary().sync_via == "server"


def test_the_method_this_computer(qtbot, window, real, sandbox):
    dialog = j.open_switch_prompt(qtbot, window, j.row_by_name(window, JP).key)
    dialog.computer_radio.setChecked(True)
    assert not dialog.override_frame.isVisible()
    assert "Contoso (Japan): appointments, contacts and tasks → this computer" in \
        dialog.plan_label.text()
    with qtbot.wait_signal(window.orgs_loaded, timeout=20000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert box(sandbox, JP)["actdeliverymethod"] == 0 and box(sandbox, NA)["actdeliverymethod"] == 2
    assert real.registry.primary().sync_via == "computer"


def test_configured_elsewhere_is_explained(qtbot, window, real, sandbox):
    sandbox.store.exchange.set_holder(ALICE, str(uuid.uuid4()))       # a migrated user
    dialog = j.open_switch_prompt(qtbot, window, j.row_by_name(window, JP).key)
    assert not dialog.override_box.isChecked()
    dialog.help_button.click()
    assert "migrated" in dialog.help_label.text()
    with qtbot.wait_signal(window.orgs_loaded, timeout=20000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    text = window.switch_progress.result_label.text()
    assert "configured with another organization" in text and "Sync items from this " \
           "organization only" in text
    dialog = j.open_switch_prompt(qtbot, window, j.row_by_name(window, JP).key)
    dialog.override_box.setChecked(True)
    with qtbot.wait_signal(window.orgs_loaded, timeout=20000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert marked_primary(sandbox) == [JP]


def test_a_half_done_switch_is_offered_at_start(qtbot, real, runner, sandbox):
    """403 from every mailbox write: the registry says the switch is not finished, and the
    next start of the window offers to finish it."""
    sandbox.faults.set("mailbox_write_denied")
    plan = real.engine.switcher.plan(JP)
    result = real.engine.switcher.apply(plan)
    plan.close()
    assert not result.complete
    sandbox.faults.clear("mailbox_write_denied")
    for window in j.open_window(qtbot, real, runner, timeout=20000):
        qtbot.wait_until(lambda: bool(j.message_boxes("finishSwitch")), timeout=20000)
        box_ = j.message_boxes("finishSwitch")[0]
        assert "Contoso (Japan)" in box_.text()
        assert box_.defaultButton() is box_.button(QMessageBox.StandardButton.Yes)
        with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "finish_switch",
                               timeout=20000):
            box_.button(QMessageBox.StandardButton.Yes).click()
        assert window.switch_progress.switch_result.complete
        assert synchronizing(sandbox) == [JP] and marked_primary(sandbox) == [JP]
        assert real.registry.switch_journal() is None


def test_connection_test_offers_none_in_the_other_orgs(qtbot, window, real, sandbox):
    jp = j.row_by_name(window, JP)
    j.select(window, jp.key)
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "test", timeout=30000):
        window.test_connection()
    dialog = window.test_dialog
    assert dialog.fix_button.isVisible() and dialog.fix_action == "set_none_elsewhere"
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "none_elsewhere",
                           timeout=20000):
        dialog.fix_button.click()
    assert synchronizing(sandbox) == [NA]
    assert "Contoso (Japan): set to None." in window.none_elsewhere_box.text()
    window.none_elsewhere_box.close()


def test_no_mailbox_record_work_on_the_gui_thread(qtbot, window, real, monkeypatch):
    from wizard.engine.serverside.switch import MailboxSwitcher

    spy = j.ThreadSpy(monkeypatch)
    spy.spy(MailboxSwitcher, "plan", "apply", "read", "status")
    dialog = j.open_switch_prompt(qtbot, window, j.row_by_name(window, JP).key)
    with qtbot.wait_signal(window.orgs_loaded, timeout=20000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert {"plan", "apply", "read"} <= set(spy.calls)
    assert spy.on_gui == []
