"""The GUI's last-resort handler: an unexpected exception becomes a short message.

Anything that escapes a slot or a thread (``sys.excepthook``, ``threading.excepthook``) and
any non-engine exception a background task ends with is written to the log file with its
traceback, and the user sees a short dialog: what happened in one line, where the log file
is, and to send a diagnostics bundle if it happens again. The traceback never reaches the
window. Errors the engine raises on purpose (``WizardError``) keep their own dialogs.
"""

from __future__ import annotations

import logging
import sys
import threading
from types import TracebackType

from wizard.gui.i18n import tr

log = logging.getLogger("wizard.gui")
_installed = False


def unexpected_text(exc: BaseException) -> tuple[str, str]:
    """(message, fix) for an unexpected exception, in the user's language."""
    from wizard.engine.logs import active_log_file

    message = tr("d365-wizard ran into an unexpected problem ({error}).").format(
        error=type(exc).__name__)
    path = active_log_file()
    if path is not None:
        message += " " + tr("The details are in the log file {path}.").format(path=path)
    fix = tr("If it happens again, send your helpdesk a diagnostics bundle "
             "(Diagnostics… ▸ Save diagnostics bundle…) and the log file.")
    return message, fix


def is_unexpected(exc: BaseException) -> bool:
    from wizard.engine.errors import WizardError

    return not isinstance(exc, (WizardError, KeyboardInterrupt))


def report(exc: BaseException, tb: TracebackType | None = None) -> None:
    """Log ``exc`` with its traceback and show the short message (from any thread)."""
    log.error("unexpected error", exc_info=(type(exc), exc, tb or exc.__traceback__))
    message, fix = unexpected_text(exc)
    try:
        from wizard.gui import message as bridge

        bridge.error(f"{message} {fix}")   # queued to the GUI thread; the window shows it
    except Exception:  # noqa: BLE001 - no Qt left (shutting down): stderr, no traceback
        sys.stderr.write(f"error: {message} {fix}\n")


def _excepthook(exc_type, exc, tb) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    report(exc, tb)


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    report(args.exc_value, args.exc_traceback)


def install() -> None:
    """Install the hooks (once per process)."""
    global _installed
    if _installed:
        return
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    _installed = True
