"""A message bridge (after qutebrowser's ``utils/message.py``).

Code that is not a widget (the task runner, the services adapter) reports with
``message.info/warning/error``; the main window listens on ``global_bridge`` and shows
the text in its status bar or as a dialog. Signals are thread-safe, so workers may call
these functions too; the window receives them on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class MessageBridge(QObject):
    info_shown = Signal(str)
    warning_shown = Signal(str)
    error_shown = Signal(str, str)   # text, details


global_bridge: MessageBridge | None = None


def bridge() -> MessageBridge:
    global global_bridge
    if global_bridge is None:
        global_bridge = MessageBridge()
    return global_bridge


def info(text: str) -> None:
    bridge().info_shown.emit(text)


def warning(text: str) -> None:
    bridge().warning_shown.emit(text)


def error(text: str, details: str = "") -> None:
    bridge().error_shown.emit(text, details)
