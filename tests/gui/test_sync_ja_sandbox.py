"""Synchronize Now in Japanese against the sandbox: a change the organization refuses stays
queued, and the result says why in Japanese, with the server's own words quoted in a
Japanese frame (they cannot be translated)."""

from __future__ import annotations

import re

import pytest

from tests.gui import journeys as j
from tests.gui.test_step_texts import latin_words
from tests.gui.test_sync_sandbox import ORG, _sync, real, window  # noqa: F401 - fixtures

pytestmark = pytest.mark.sandbox

SERVER_SAID = re.compile(r"サーバーからのメッセージ:「[^」]*」")


def test_a_refused_change_is_reported_in_japanese(qtbot, japanese, window, real):  # noqa: F811
    from wizard.engine.mailstore import SqliteMailStore

    j.add_online(qtbot, window, {ORG})
    _sync(qtbot, window)
    with SqliteMailStore(real.engine.paths.mailbox_db) as store:
        store.add("contact", {"last_name": "田中" * 30}, tracked=True)  # lastname: 50 at most
    dialog = _sync(qtbot, window)
    summary = dialog.result_summary
    assert summary is not None and len(summary.not_sent) == 1, dialog.summary.text()
    line = summary.not_sent[0]
    assert "組織に拒否されました (HTTP 400)" in line and SERVER_SAID.search(line), line
    for text in (dialog.summary.text(), dialog.details.toPlainText()):
        shown = SERVER_SAID.sub("", text)
        assert not latin_words(shown), (latin_words(shown), text)
