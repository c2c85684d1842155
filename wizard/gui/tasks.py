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

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class TaskCancelled(Exception):
    """Raised inside a worker when the user cancelled; delivered to ``on_error``."""


class CancelToken:
    """A Cancel button's request to stop. It is a :class:`wizard.engine.cancel.CancelEvent`
    (``is_set``, ``wait``), so the services pass it to the engine as it is."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise TaskCancelled()

    def wait(self, timeout: float | None = None) -> bool:
        """Sleep up to ``timeout`` seconds; True when cancelled meanwhile (for polling loops)."""
        return self._event.wait(timeout)


class Task:
    """What the worker function receives."""

    def __init__(self, bus: "_Bus", task_id: int, cancel_token: CancelToken) -> None:
        self._bus = bus
        self._task_id = task_id
        self.cancel_token = cancel_token

    def progress(self, value: Any) -> None:
        self._bus.progress.emit(self._task_id, value)

    def check(self) -> None:
        self.cancel_token.raise_if_cancelled()


class _Bus(QObject):
    """One per runner, created on the GUI thread and kept for the runner's lifetime.

    Workers emit on it (Qt queues cross-thread emissions to the receiver's thread).
    Per-task QObjects would have to be destroyed at some point, and destroying one
    from its own slot or from a worker thread crashes Qt; a task id avoids that.
    """

    result = Signal(int, object)
    error = Signal(int, object)
    progress = Signal(int, object)
    done = Signal(int)


class _Callbacks:
    __slots__ = ("on_result", "on_error", "on_progress", "handle")

    def __init__(self, on_result, on_error, on_progress, handle: "TaskHandle") -> None:
        self.on_result = on_result
        self.on_error = on_error
        self.on_progress = on_progress
        self.handle = handle


def _report_unhandled(exc: object) -> None:
    if isinstance(exc, TaskCancelled):
        return
    # Nobody asked: report through the message bridge (the main window shows it).
    from wizard.gui import message

    log.error("background task failed", exc_info=exc)  # type: ignore[arg-type] # logging accepts an exception instance
    from wizard.gui.crash import is_unexpected, unexpected_text

    if isinstance(exc, OSError):
        from wizard.engine.fileio import classify_os_error

        exc = classify_os_error(exc)
    if isinstance(exc, BaseException) and is_unexpected(exc):
        message.error(" ".join(unexpected_text(exc)), "")
        return
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    fix = getattr(exc, "fix", None)
    message.error(f"{text} {fix}" if fix else text, getattr(exc, "details", None) or "")


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[Task], Any], bus: _Bus, task_id: int,
                 token: CancelToken) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._bus = bus
        self._task_id = task_id
        self._token = token

    def run(self) -> None:
        try:
            value = self._fn(Task(self._bus, self._task_id, self._token))
        except BaseException as exc:  # noqa: BLE001 - every failure goes to on_error
            self._bus.error.emit(self._task_id, exc)
        else:
            self._bus.result.emit(self._task_id, value)
        finally:
            self._bus.done.emit(self._task_id)


class TaskHandle:
    def __init__(self, token: CancelToken) -> None:
        self.cancel_token = token
        self.finished = False

    def cancel(self) -> None:
        self.cancel_token.cancel()


class TaskRunner(QObject):
    """Owns the thread pool; delivers each task's outcome on the GUI thread."""

    def __init__(self, pool: QThreadPool | None = None) -> None:
        super().__init__()
        self.pool = pool or QThreadPool()
        self.pool.setMaxThreadCount(max(4, self.pool.maxThreadCount()))
        self._live: dict[int, _Callbacks] = {}
        self._next_id = 0
        self._bus = _Bus()
        queued = Qt.ConnectionType.QueuedConnection
        self._bus.result.connect(self._deliver_result, queued)
        self._bus.error.connect(self._deliver_error, queued)
        self._bus.progress.connect(self._deliver_progress, queued)
        self._bus.done.connect(self._deliver_done, queued)

    def run_task(self, fn: Callable[[Task], Any], *, on_result: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 on_progress: Callable[[Any], None] | None = None,
                 cancel_token: CancelToken | None = None) -> TaskHandle:
        token = cancel_token or CancelToken()
        handle = TaskHandle(token)
        self._next_id += 1
        task_id = self._next_id
        self._live[task_id] = _Callbacks(on_result, on_error, on_progress, handle)
        self.pool.start(_Runnable(fn, self._bus, task_id, token))
        return handle

    @Slot(int, object)
    def _deliver_result(self, task_id: int, value: object) -> None:
        callbacks = self._live.get(task_id)
        if callbacks is not None and callbacks.on_result is not None:
            callbacks.on_result(value)

    @Slot(int, object)
    def _deliver_error(self, task_id: int, exc: object) -> None:
        callbacks = self._live.get(task_id)
        if callbacks is not None and callbacks.on_error is not None:
            callbacks.on_error(exc)
        else:
            _report_unhandled(exc)

    @Slot(int, object)
    def _deliver_progress(self, task_id: int, value: object) -> None:
        callbacks = self._live.get(task_id)
        if callbacks is not None and callbacks.on_progress is not None:
            callbacks.on_progress(value)

    @Slot(int)
    def _deliver_done(self, task_id: int) -> None:
        callbacks = self._live.pop(task_id, None)
        if callbacks is not None:
            callbacks.handle.finished = True

    @property
    def busy(self) -> bool:
        return bool(self._live)

    def cancel_all(self) -> None:
        for callbacks in self._live.values():
            callbacks.handle.cancel()

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
