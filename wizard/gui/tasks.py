"""One way to run engine work off the GUI thread (in the spirit of Picard's ``run_task``).

``run_task(fn, on_result=..., on_error=..., on_progress=..., cancel_token=...)`` runs
``fn(task)`` on a worker thread of a ``QThreadPool``. ``task.progress(value)`` and
``task.cancel_token`` are the only things a worker gets; it never sees a widget. The
result, the exception or each progress value is delivered through queued signals to a
relay object that lives on the GUI thread, which then calls the callbacks there.
Cancellation is cooperative: the worker checks ``task.cancel_token`` between steps.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Qt, Signal, Slot

log = logging.getLogger(__name__)


class TaskCancelled(Exception):
    """Raised inside a worker when the user cancelled; delivered to ``on_error``."""


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise TaskCancelled()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when cancelled meanwhile (for polling loops)."""
        return self._event.wait(seconds)


class Task:
    """What the worker function receives."""

    def __init__(self, emitter: "_Emitter", cancel_token: CancelToken) -> None:
        self._emitter = emitter
        self.cancel_token = cancel_token

    def progress(self, value: Any) -> None:
        self._emitter.progress.emit(value)

    def check(self) -> None:
        self.cancel_token.raise_if_cancelled()


class _Emitter(QObject):
    result = Signal(object)
    error = Signal(object)
    progress = Signal(object)
    done = Signal()


class _Relay(QObject):
    """Lives on the GUI thread; the queued connections land here."""

    def __init__(self, on_result, on_error, on_progress, on_done) -> None:
        super().__init__()
        self._on_result = on_result
        self._on_error = on_error
        self._on_progress = on_progress
        self._on_done = on_done

    @Slot(object)
    def deliver_result(self, value: object) -> None:
        if self._on_result is not None:
            self._on_result(value)

    @Slot(object)
    def deliver_error(self, exc: object) -> None:
        if self._on_error is not None:
            self._on_error(exc)
        elif not isinstance(exc, TaskCancelled):
            # Nobody asked: report through the message bridge (the main window shows it).
            from wizard.gui import message

            log.error("background task failed", exc_info=exc)  # type: ignore[arg-type]
            text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            fix = getattr(exc, "fix", None)
            message.error(f"{text} {fix}" if fix else text, getattr(exc, "details", None) or "")

    @Slot(object)
    def deliver_progress(self, value: object) -> None:
        if self._on_progress is not None:
            self._on_progress(value)

    @Slot()
    def deliver_done(self) -> None:
        self._on_done(self)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[Task], Any], emitter: _Emitter, token: CancelToken) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._emitter = emitter
        self._token = token

    def run(self) -> None:
        try:
            value = self._fn(Task(self._emitter, self._token))
        except BaseException as exc:  # noqa: BLE001 - every failure goes to on_error
            self._emitter.error.emit(exc)
        else:
            self._emitter.result.emit(value)
        finally:
            self._emitter.done.emit()


class TaskHandle:
    def __init__(self, token: CancelToken) -> None:
        self.cancel_token = token
        self.finished = False

    def cancel(self) -> None:
        self.cancel_token.cancel()


class TaskRunner:
    """Owns the thread pool and keeps relays alive until their task has reported."""

    def __init__(self, pool: QThreadPool | None = None) -> None:
        self.pool = pool or QThreadPool()
        self.pool.setMaxThreadCount(max(4, self.pool.maxThreadCount()))
        self._live: dict[_Relay, tuple[_Emitter, TaskHandle]] = {}

    def run_task(self, fn: Callable[[Task], Any], *, on_result: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 on_progress: Callable[[Any], None] | None = None,
                 cancel_token: CancelToken | None = None) -> TaskHandle:
        token = cancel_token or CancelToken()
        handle = TaskHandle(token)
        emitter = _Emitter()
        relay = _Relay(on_result, on_error, on_progress, self._forget)
        queued = Qt.ConnectionType.QueuedConnection
        emitter.result.connect(relay.deliver_result, queued)
        emitter.error.connect(relay.deliver_error, queued)
        emitter.progress.connect(relay.deliver_progress, queued)
        emitter.done.connect(relay.deliver_done, queued)
        self._live[relay] = (emitter, handle)
        self.pool.start(_Runnable(fn, emitter, token))
        return handle

    def _forget(self, relay: _Relay) -> None:
        emitter, handle = self._live.pop(relay, (None, None))
        if handle is not None:
            handle.finished = True

    @property
    def busy(self) -> bool:
        return bool(self._live)

    def cancel_all(self) -> None:
        for _emitter, handle in self._live.values():
            handle.cancel()

    def wait_for_done(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)


_default_runner: TaskRunner | None = None


def default_runner() -> TaskRunner:
    global _default_runner
    if _default_runner is None:
        _default_runner = TaskRunner()
    return _default_runner


def run_task(fn: Callable[[Task], Any], *, on_result=None, on_error=None, on_progress=None,
             cancel_token: CancelToken | None = None, runner: TaskRunner | None = None) -> TaskHandle:
    """Run ``fn(task)`` on a worker; callbacks run later on the GUI thread."""
    return (runner or default_runner()).run_task(
        fn, on_result=on_result, on_error=on_error, on_progress=on_progress,
        cancel_token=cancel_token)
