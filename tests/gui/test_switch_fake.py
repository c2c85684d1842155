"""The switch prompt, its progress and result, and the offer to finish a half-done switch,
on fake services (no network)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from tests.gui import journeys as j
from tests.gui.test_accessibility import unnamed_controls
from wizard.gui.views import PendingSwitchView


def _two(qtbot, window):
    j.add_online(qtbot, window, {"contosona", "contosojp"})
    return j.row_by_name(window, "contosona"), j.row_by_name(window, "contosojp")


def test_prompt_and_progress_are_named_and_ok_is_the_default(qtbot, window, fake):
    na, jp = _two(qtbot, window)
    j.select(window, jp.key)
    window.synchronize()
    qtbot.wait_until(lambda: getattr(window, "switch_dialog", None) is not None
                     and window.switch_dialog.isVisible())
    dialog = window.switch_dialog
    assert unnamed_controls(dialog) == []
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isDefault()
    assert dialog.server_radio.isChecked() and dialog.override_frame.isVisible()
    assert "Contoso (North America): appointments, contacts and tasks → None (was " \
           "Server-Side Synchronization)." in dialog.plan_label.text()
    dialog.computer_radio.setChecked(True)
    assert not dialog.override_frame.isVisible() and dialog.method == "computer"
    dialog.server_radio.setChecked(True)
    with qtbot.wait_signal(window.orgs_loaded, timeout=5000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    progress = window.switch_progress
    assert unnamed_controls(progress) == []
    assert "Contoso (North America): set to None." in progress.result_label.text()
    assert "Contoso (Japan) is now your synchronizing organization" in progress.result_label.text()
    assert progress.buttons.button(QDialogButtonBox.StandardButton.Close).isDefault()


def test_the_synchronizing_org_can_be_chosen_again_to_repair_it(qtbot, window, fake):
    na, _jp = _two(qtbot, window)
    j.select(window, na.key)
    assert window.actions_by_name["synchronize"].isEnabled()


def _window_with_pending(qtbot, fake, runner):
    fake.pending = PendingSwitchView("k", "Contoso (Japan)", "not changed yet: Contoso (North "
                                     "America) (HTTP 403).")
    return j.open_window(qtbot, fake, runner, timeout=5000)


def test_start_offers_to_finish_and_no_changes_nothing(qtbot, fake, runner):
    for window in _window_with_pending(qtbot, fake, runner):
        qtbot.wait_until(lambda: bool(j.message_boxes("finishSwitch")))
        box = j.message_boxes("finishSwitch")[0]
        assert "Contoso (Japan)" in box.text() and "403" in box.detailedText()
        with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "finish-declined"):
            box.button(QMessageBox.StandardButton.No).click()
        assert fake.pending is not None


def test_start_offers_to_finish_and_yes_finishes(qtbot, fake, runner):
    for window in _window_with_pending(qtbot, fake, runner):
        qtbot.wait_until(lambda: bool(j.message_boxes("finishSwitch")))
        with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "finish_switch"):
            j.message_boxes("finishSwitch")[0].button(QMessageBox.StandardButton.Yes).click()
        assert fake.pending is None and window.switch_progress.switch_result.complete
        assert "Test & Enable in Contoso (Japan) succeeded" in window.switch_progress.result_label.text()


def test_a_refused_write_says_what_the_administrator_must_do(qtbot):
    from wizard.gui.switch_dialogs import result_text
    from wizard.gui.views import OrgOutcomeView, SwitchResultView

    result = SwitchResultView("Contoso (Japan)", "server", False, (
        OrgOutcomeView("a", "Contoso (Japan)", "failed", code="mailbox_write_denied",
                       want_method=1, want_override=True),
        OrgOutcomeView("b", "Contoso (North America)", "unreachable", code="org_unreachable",
                       message="timed out", want_method=2)), "not_requested")
    text = result_text(result)
    assert "An administrator of Contoso (Japan) must add the privilege to change mailbox " \
           "records (Mailbox: Write)" in text
    assert "Server-Side Synchronization, then Test & Enable with “this org only”" in text
    assert "Contoso (North America): not changed: it could not be reached (timed out)" in text
    assert "The switch to Contoso (Japan) is not finished: Contoso (Japan), Contoso (North " \
           "America) could not be changed" in text
