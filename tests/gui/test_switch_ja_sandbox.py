"""The switch of the synchronizing org in Japanese, through the GUI against the sandbox: the
prompt's plan and the result, their Details included, show no English (but names, product
and protocol words, and the server's own words inside their translated frame), for a
plain switch, a refused write with the server's message, a record changed since the plan
(412), and Test & Enable failures."""

from __future__ import annotations

import dataclasses
import re

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from tests.gui import journeys as j
from tests.gui.test_step_texts import latin_words
from tests.gui.test_switch_sandbox import real, window  # noqa: F401 - fixtures
from tests.integration.serverside.helpers import ALICE, JP, NA, box

pytestmark = pytest.mark.sandbox

#: What may stay in Latin letters in these texts besides the words test_step_texts keeps.
NAMES = ("Contoso (Japan)", "Contoso (North America)", "contosojp", "contosona", ALICE,
         "Dynamics 365 for Outlook")
SERVER_SAID = re.compile(r"サーバーからのメッセージ:「[^」]*」")
SERVER_WORDS = "The attribute cannot be changed by this caller."
TE_ERROR = "Mailbox access failed: the Exchange server did not answer in time."


def english(text: str) -> set[str]:
    """The Latin words left in ``text`` once the names and the quoted server words are out."""
    for name in NAMES:
        text = text.replace(name, "")
    text = SERVER_SAID.sub("", text)
    text = re.sub(r"\S+@\S+|\d{4}/\d{1,2}/\d{1,2}", "", text)
    return latin_words(text)


def assert_japanese(text: str) -> None:
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text), text
    assert not english(text), (english(text), text)


def switch(qtbot, window, key, *, ok: bool = True):  # noqa: F811 - the fixture's name
    dialog = j.open_switch_prompt(qtbot, window, key, timeout=20000)
    assert_japanese(dialog.plan_label.text())
    assert_japanese(dialog.details_label.text())
    window.plan_details = dialog.details_label.text()
    if not ok:
        return dialog
    with qtbot.wait_signal(window.orgs_loaded, timeout=20000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    progress = window.switch_progress
    assert progress.switch_result is not None
    for label in (progress.heading, progress.result_label, progress.details_label):
        assert_japanese(label.text())
    assert progress.windowTitle() and not english(progress.windowTitle())
    return progress


def test_a_switch_plan_and_result_are_japanese(qtbot, japanese, window, real):  # noqa: F811
    progress = switch(qtbot, window, j.row_by_name(window, JP).key)
    details = progress.details_label.text()
    assert "サーバー側同期" in details and "なし" in details       # the method words too
    assert progress.switch_result.complete


def test_a_refused_write_shows_the_servers_words_in_a_japanese_frame(
        qtbot, japanese, window, real, monkeypatch):  # noqa: F811
    from wizard.engine.dataverse import ServerSays
    from wizard.engine.serverside import switch as sw

    patch = sw.patch_mailbox

    def refuse(client, record, values):
        if values.get("actdeliverymethod") == 2:          # the other org's write: None
            raise ServerSays(400, "0x80040203", org="NA", server_message=SERVER_WORDS)
        return patch(client, record, values)

    monkeypatch.setattr(sw, "patch_mailbox", refuse)
    progress = switch(qtbot, window, j.row_by_name(window, JP).key)
    assert not progress.switch_result.complete
    framed = f"サーバーからのメッセージ:「{SERVER_WORDS}」"
    assert framed in progress.result_label.text() and framed in progress.details_label.text()


def test_a_failed_test_and_enable_is_japanese(qtbot, japanese, window, real, monkeypatch):  # noqa: F811
    from wizard.engine.serverside import switch as sw

    read = sw.read_mailbox

    def failing(client, mailbox_id):
        record = read(client, mailbox_id)
        if record.test_scheduled or record.status != 1:
            return record
        return dataclasses.replace(record, status=2, last_error=TE_ERROR)

    monkeypatch.setattr(sw, "read_mailbox", failing)
    progress = switch(qtbot, window, j.row_by_name(window, JP).key)
    assert progress.switch_result.test_enable == "failure"
    assert f"サーバーからのメッセージ:「{TE_ERROR}」" in progress.result_label.text()


def test_an_address_not_approved_is_japanese(qtbot, japanese, window, real, sandbox):  # noqa: F811
    row = box(sandbox, JP)
    sandbox.store.update(JP, "mailbox", row["mailboxid"], {"emailrouteraccessapproval": 2})
    progress = switch(qtbot, window, j.row_by_name(window, JP).key)
    assert progress.switch_result.test_enable == "not_approved"
    assert "「承認待ち」" in window.plan_details                        # Pending Approval


def test_a_record_changed_since_the_plan_is_japanese(qtbot, japanese, window, real, sandbox):  # noqa: F811
    dialog = switch(qtbot, window, j.row_by_name(window, JP).key, ok=False)
    sandbox.faults.set("mailbox_changed", count=1)
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "synchronize",
                           timeout=20000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.wait_until(lambda: bool(j.message_boxes("errorBox")), timeout=20000)
    error = j.message_boxes("errorBox")[0]
    for text in (error.windowTitle(), error.text(), error.informativeText()):
        assert_japanese(text)
    error.close()
    assert NA



def test_an_unfinished_switch_is_japanese(qtbot, japanese, window, real, sandbox):  # noqa: F811
    """403 on every write: the result, then the next plan's note of the unfinished switch
    and the offer to finish it say what is left in Japanese."""
    sandbox.faults.set("mailbox_write_denied")
    progress = switch(qtbot, window, j.row_by_name(window, JP).key)
    assert not progress.switch_result.complete
    progress.accept()
    sandbox.faults.clear("mailbox_write_denied")
    switch(qtbot, window, j.row_by_name(window, JP).key, ok=False).reject()
    assert "まだ変更されていない組織" in window.plan_details
    pending = real.pending_switch()
    assert_japanese(pending.what)
