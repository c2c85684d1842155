"""The GUI's last-resort handler: an unexpected exception is a short message with the log's
path and the diagnostics hint; the traceback goes to the log file only."""

from __future__ import annotations

import sys
import threading

import pytest

from wizard.engine.logs import setup_logging, shutdown_logging
from wizard.engine.paths import AppPaths
from wizard.gui import crash, message
from wizard.gui.tasks import TaskRunner
from wizard.gui.widgets import error_text


@pytest.fixture
def logged(wizard_home, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(crash, "_installed", False)
    setup = setup_logging(AppPaths.resolve(wizard_home), name="d365-wizard")
    yield setup.log_file
    shutdown_logging()


def _raise(exc: BaseException):
    try:
        raise exc
    except BaseException as caught:  # noqa: BLE001 - a real traceback for the hook
        return caught


def test_an_exception_escaping_a_slot_is_a_short_message(qtbot, logged):
    crash.install()
    exc = _raise(KeyError("internal-detail-42"))
    with qtbot.wait_signal(message.bridge().error_shown, timeout=5000) as blocker:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    text, details = blocker.args
    assert "unexpected problem (KeyError)" in text and str(logged) in text
    assert "diagnostics bundle" in text
    assert "internal-detail-42" not in text and "Traceback" not in text + details
    shutdown_logging()
    assert "Traceback" in logged.read_text() and "internal-detail-42" in logged.read_text()


def test_an_exception_in_a_thread_is_reported_too(qtbot, logged):
    crash.install()
    with qtbot.wait_signal(message.bridge().error_shown, timeout=5000) as blocker:
        t = threading.Thread(target=lambda: 1 / 0)
        t.start()
        t.join()
    assert "ZeroDivisionError" in blocker.args[0] and str(logged) in blocker.args[0]


def test_an_unexpected_task_error_is_not_shown_raw(qtbot, logged):
    runner = TaskRunner()
    with qtbot.wait_signal(message.bridge().error_shown, timeout=5000) as blocker:
        runner.run_task(lambda task: {}["missing-key-7"])
    assert "unexpected problem (KeyError)" in blocker.args[0]
    assert "missing-key-7" not in blocker.args[0] + blocker.args[1]
    assert runner.wait_for_done(5000)


def test_error_dialog_text_for_unexpected_and_os_errors(logged):
    import errno

    message_text, fix, details = error_text(_raise(AttributeError("x.y")))
    assert "unexpected problem" in message_text and not details
    message_text, fix, details = error_text(OSError(errno.ENOSPC, "No space left", "/f"))
    assert "no space left" in message_text.lower() and "unexpected" not in message_text


def test_gui_home_that_is_a_file(tmp_path, capsys, monkeypatch):
    from wizard.gui import app

    home = tmp_path / "home"
    home.write_text("a file")
    shown = []
    monkeypatch.setattr(app, "_show_startup_error", shown.append)
    assert app.main(["--home", str(home)]) == 1
    assert app.main(["--home", str(home), "--deploy", str(tmp_path / "d.json")]) == 1
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "Traceback" not in err
    assert len(shown) == 1 and shown[0].code == "not_a_directory"
