"""Small shared pieces: accessible naming, error dialogs, step tables."""

from __future__ import annotations

import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from wizard.gui.i18n import tr


def accessible(widget: QWidget, name: str, description: str = "") -> QWidget:
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
        if not widget.toolTip():
            widget.setToolTip(description)
    return widget


#: Room a window manager takes around a dialog (title bar, frame) and for a panel; a dialog is
#: never taller than its screen's available height less this.
WINDOW_CHROME = 60


def max_dialog_height(widget: QWidget) -> int:
    """The tallest a dialog on ``widget``'s screen may be (768 px screen: 708 px)."""
    from PySide6.QtGui import QGuiApplication

    screen = widget.screen() or QGuiApplication.primaryScreen()
    return max(200, screen.availableGeometry().height() - WINDOW_CHROME)


def scroll_body(outer: QVBoxLayout) -> tuple[QScrollArea, QVBoxLayout]:
    """A frameless scroll area added to ``outer``; what grows goes into the returned layout,
    so that a dialog can grow to its content and scroll only when the screen is too small."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    body = QWidget()
    body.setObjectName("scrollBody")
    layout = QVBoxLayout(body)
    layout.setContentsMargins(0, 0, 0, 0)
    area.setWidget(body)
    outer.addWidget(area, 1)
    return area, layout


def wanted_height(dialog: QWidget, width: int) -> int:
    """The height ``dialog``'s layout needs at ``width``, with a :func:`scroll_body` counted at
    its content's height (a scroll area's own size hint is capped)."""
    layout = dialog.layout()
    if layout is None:
        return dialog.sizeHint().height()
    layout.activate()
    margins = layout.contentsMargins()
    inner = width - margins.left() - margins.right()
    total = margins.top() + margins.bottom()
    shown = 0
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item is None:
            continue
        widget = item.widget()
        if widget is not None and widget.isHidden():
            continue
        body = widget.widget() if isinstance(widget, QScrollArea) else None
        body_layout = body.layout() if body is not None else None
        if body_layout is not None:
            body_layout.activate()
            height = (body_layout.totalHeightForWidth(inner) if body_layout.hasHeightForWidth()
                      else body_layout.sizeHint().height())
        elif item.hasHeightForWidth():
            height = item.heightForWidth(inner)
        else:
            height = item.sizeHint().height()
        if height <= 0 and item.isEmpty():
            continue
        total += height
        shown += 1
    return total + max(layout.spacing(), 0) * max(shown - 1, 0)


def fit_to_screen(dialog: QWidget, width: int | None = None) -> None:
    """Resize ``dialog`` to the height its content needs at ``width``, never taller than the
    screen allows (its :func:`scroll_body` scrolls the rest)."""
    layout = dialog.layout()
    if layout is not None:
        # A scroll area scrolls only vertically here: it is as wide as its content needs
        # (a check box's text does not wrap), and the dialog as wide as that.
        for i in range(layout.count()):
            item = layout.itemAt(i)
            area = item.widget() if item is not None else None
            body = area.widget() if isinstance(area, QScrollArea) else None
            if isinstance(area, QScrollArea) and body is not None:
                area.setMinimumWidth(body.minimumSizeHint().width()
                                     + area.verticalScrollBar().sizeHint().width())
        layout.activate()
    width = max(width or dialog.width(), dialog.minimumSizeHint().width())
    height = min(wanted_height(dialog, width), max_dialog_height(dialog))
    dialog.resize(width, max(height, dialog.minimumSizeHint().height()))


def format_when(when) -> str:
    """A date and time in the user's locale, in local time. The C/POSIX locale's own short
    format reads "3 12 2026 09:05"; it gets ISO 8601 instead ("2026-12-03 09:05")."""
    from PySide6.QtCore import QLocale

    local = when.astimezone()
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return local.strftime("%Y-%m-%d %H:%M")
    return locale.toString(local, QLocale.FormatType.ShortFormat)


def no_keyring_text() -> str:
    """What the user is told, once, when no secure keyring can keep credentials."""
    return tr("Credentials cannot be saved: this computer has no secure keyring (such as GNOME "
              "Keyring or KWallet). You will be asked for your password each time.")


def error_text(exc: BaseException) -> tuple[str, str, str]:
    """(message, fix, details) of an exception, in plain words for the dialog.

    An exception the engine did not raise on purpose is a bug: the dialog says so in one
    line, with the log file's path (the traceback is in the log, never here)."""
    from wizard.gui.crash import is_unexpected, unexpected_text

    if isinstance(exc, OSError):
        from wizard.engine.fileio import classify_os_error

        exc = classify_os_error(exc)
    if is_unexpected(exc):
        message, fix = unexpected_text(exc)
        return message, fix, ""
    from wizard.gui.render import render

    message, fix, _action = render(exc)
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


def error_line(exc: BaseException) -> str:
    """:func:`error_text`'s message and fix as one line (a status, a dialog's problem line)."""
    message, fix, _details = error_text(exc)
    return " ".join(t for t in (message, fix) if t)


def error_box(parent: QWidget | None, exc: BaseException | str, *, title: str | None = None,
              details: str = "", on_action=None):
    """A non-modal-blocking error dialog: plain text, the fix, and a Details section.

    ``on_action(action_value)``: when given and the error names an engine ``Action`` the GUI
    has a button for, the box offers that button (Sign in…, Test the connection, …); it
    closes the box and calls ``on_action``."""
    from PySide6.QtWidgets import QMessageBox

    action = None
    if isinstance(exc, BaseException):
        message, fix, more = error_text(exc)
        details = "\n".join(d for d in (details, more) if d)
        action = getattr(exc, "action", None)
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
    if on_action is not None and action is not None:
        from wizard.gui.render import action_label

        label = action_label(action)
        if label:
            button = box.addButton(label, QMessageBox.ButtonRole.ActionRole)
            button.setObjectName("errorActionButton")
            accessible(button, label.replace("&", "").rstrip("…"))
            value = getattr(action, "value", str(action))
            # ActionRole buttons close the box themselves; the action runs afterwards.
            button.clicked.connect(lambda: on_action(value))
            box.setDefaultButton(button)
    box.setAccessibleName(tr("Error"))
    box.setAccessibleDescription(message)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def row_table(name: str, model, selection_mode=None):
    """A read-only table that selects whole rows (``selection_mode``: how many, else Qt's
    default), that Tab leaves, without row numbers, its columns as wide as their contents
    and the last one stretched; ``name`` is its object name."""
    from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if selection_mode is not None:
        view.setSelectionMode(selection_mode)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def step_table(model, parent: QWidget | None = None, *, name: str = ""):
    """A table of connection steps that stays cheap to update while steps stream in.

    Columns have fixed or stretched widths and only the rows that changed are measured
    again: "resize to contents" on every update costs tens of milliseconds per step.
    """
    from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(True)
    view.verticalHeader().setVisible(False)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    metrics = view.fontMetrics()
    header = view.horizontalHeader()
    states = [model.state_label(s) for s in ("running", "passed", "failed", "skipped", "warning")]
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
    header.resizeSection(0, max(metrics.horizontalAdvance(t) for t in states + [model.headerData(
        0, Qt.Orientation.Horizontal)]) + 24)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
    header.resizeSection(1, metrics.averageCharWidth() * 34)
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

    def measure(first, last=None) -> None:
        for row in range(first.row() if hasattr(first, "row") else first,
                         (last.row() if hasattr(last, "row") else last) + 1):
            view.resizeRowToContents(row)

    from PySide6.QtCore import QTimer

    # When the columns change width (window resized), measure all rows once it settles.
    remeasure = QTimer(view)
    remeasure.setSingleShot(True)
    remeasure.setInterval(80)
    remeasure.timeout.connect(view.resizeRowsToContents)
    header.sectionResized.connect(lambda *_args: remeasure.start())
    model.rowsInserted.connect(lambda _parent, first, last: measure(first, last))
    model.dataChanged.connect(lambda top_left, bottom_right, _roles=(): measure(top_left, bottom_right))
    view.setTabKeyNavigation(False)
    accessible(view, name or tr("Steps"), tr("Each step of the connection with its result and how to fix a failure."))
    return view
