"""Small shared pieces: accessible naming, error dialogs, step tables."""

from __future__ import annotations

import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMessageBox, QTableView, QWidget

from wizard.gui.i18n import tr


def accessible(widget: QWidget, name: str, description: str = "") -> QWidget:
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
        if not widget.toolTip():
            widget.setToolTip(description)
    return widget


def error_text(exc: BaseException) -> tuple[str, str, str]:
    """(message, fix, details) of an exception, in plain words for the dialog."""
    message = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
    fix = getattr(exc, "fix", None) or ""
    details = getattr(exc, "details", None) or ""
    code = getattr(exc, "code", None)
    extra = []
    if code:
        extra.append(tr("Error code: {code}").format(code=code))
    if details:
        extra.append(details)
    if not getattr(exc, "message", None):
        extra.append("".join(traceback.format_exception_only(type(exc), exc)).strip())
    return message, fix, "\n".join(extra)


def error_box(parent: QWidget | None, exc: BaseException | str, *, title: str | None = None,
              details: str = "") -> QMessageBox:
    """A non-modal-blocking error dialog: plain text, the fix, and a Details section."""
    if isinstance(exc, BaseException):
        message, fix, more = error_text(exc)
        details = "\n".join(d for d in (details, more) if d)
    else:
        message, fix = exc, ""
    box = QMessageBox(parent)
    box.setObjectName("errorBox")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or tr("Something went wrong"))
    box.setText(message)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if fix:
        box.setInformativeText(fix)
    if details:
        box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAccessibleName(tr("Error"))
    box.setAccessibleDescription(message)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def step_table(model, parent: QWidget | None = None, *, name: str = "") -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(True)
    view.verticalHeader().setVisible(False)
    # Rows grow to show wrapped messages and fixes; no sideways scrolling to read them.
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    header = view.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
    view.setTabKeyNavigation(False)
    accessible(view, name or tr("Steps"), tr("Each step of the connection with its result and how to fix a failure."))
    return view
