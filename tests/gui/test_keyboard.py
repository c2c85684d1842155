"""Keyboard only: every journey by keys alone, with focus where the user expects it, a
default button on every dialog, Esc closing it and focus back in the list (no dead ends)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton, QWidget

from tests.gui import journeys as j
from wizard.gui.add_org_wizard import PAGE_CONNECT, PAGE_CREDENTIALS, PAGE_DETECT, PAGE_SUMMARY
from wizard.sandbox import seed

Key = Qt.Key
Mod = Qt.KeyboardModifier


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(key: Key, modifier: Mod = Mod.NoModifier) -> None:
    QTest.keyClick(focused(), key, modifier)


def type_text(text: str) -> None:
    QTest.keyClicks(focused(), text)


def inside(widget: QWidget, root: QWidget) -> bool:
    while widget is not None:
        if widget is root:
            return True
        widget = widget.parentWidget()
    return False


def default_button(dialog: QWidget) -> QPushButton | None:
    return next((b for b in dialog.findChildren(QPushButton) if b.isDefault() and b.isVisible()), None)


def wait_dialog(qtbot, window, attribute: str) -> QDialog:
    qtbot.wait_until(lambda: getattr(window, attribute, None) is not None
                     and getattr(window, attribute).isVisible(), timeout=j.TIMEOUT)
    dialog = getattr(window, attribute)
    qtbot.wait_until(lambda: QApplication.focusWidget() is not None
                     and inside(QApplication.focusWidget(), dialog), timeout=j.TIMEOUT)
    return dialog


def back_in_window(qtbot, window) -> None:
    """The window manager activates the main window again (the offscreen platform does not):
    its keyboard focus is on a visible control, never on nothing."""
    window.activateWindow()
    qtbot.wait_until(lambda: QApplication.focusWidget() is not None
                     and inside(QApplication.focusWidget(), window), timeout=j.TIMEOUT)
    assert focused().isVisible() and focused().isEnabled()


def escape_closes(qtbot, window, dialog: QWidget) -> None:
    press(Key.Key_Escape)
    qtbot.wait_until(lambda: not dialog.isVisible(), timeout=j.TIMEOUT)
    back_in_window(qtbot, window)


def start_in_list(qtbot, window) -> None:
    """Focus in the main window: the list, or (empty list) what the window focuses itself."""
    window.activateWindow()
    qtbot.wait_until(lambda: QApplication.activeWindow() is window, timeout=j.TIMEOUT)
    if window.table.isVisible():
        window.table.setFocus()
    qtbot.wait_until(lambda: QApplication.focusWidget() is not None
                     and inside(QApplication.focusWidget(), window), timeout=j.TIMEOUT)


def visible_box(name: str) -> QMessageBox:
    boxes = j.message_boxes(name)
    assert boxes, name
    return boxes[0]


def test_add_by_paste_with_keys_only(qtbot, window, fake):
    start_in_list(qtbot, window)
    press(Key.Key_N, Mod.ControlModifier)                        # Add…
    wizard = wait_dialog(qtbot, window, "add_wizard")
    assert focused() is wizard.currentPage().url_edit            # the address field, focused
    type_text(fake.parse_url("https://127.0.0.1:4430/contosoonprem").base_url)
    press(Key.Key_Return)                                        # Next is the default
    qtbot.wait_until(lambda: wizard.currentId() in (PAGE_DETECT, PAGE_CREDENTIALS), timeout=j.TIMEOUT)
    if wizard.currentId() == PAGE_DETECT:
        j.wait_complete(qtbot, wizard)
        qtbot.wait_until(lambda: inside(QApplication.focusWidget(), wizard), timeout=j.TIMEOUT)
        press(Key.Key_Return)
    qtbot.wait_until(lambda: wizard.currentId() == PAGE_CREDENTIALS, timeout=j.TIMEOUT)
    page = wizard.currentPage()
    qtbot.wait_until(lambda: focused() is page.user_edit, timeout=j.TIMEOUT)
    type_text("CONTOSO\\alice")
    press(Key.Key_Tab)
    assert focused() is page.password_edit
    type_text(seed.PRACTICE_PASSWORD)
    press(Key.Key_Return)
    qtbot.wait_until(lambda: wizard.currentId() == PAGE_CONNECT, timeout=j.TIMEOUT)
    j.wait_complete(qtbot, wizard)
    qtbot.wait_until(lambda: inside(QApplication.focusWidget(), wizard), timeout=j.TIMEOUT)
    press(Key.Key_Return)
    qtbot.wait_until(lambda: wizard.currentId() == PAGE_SUMMARY, timeout=j.TIMEOUT)
    with qtbot.wait_signal(window.orgs_loaded, timeout=j.TIMEOUT):
        press(Key.Key_Return)                                    # Finish is the default now
    assert not wizard.isVisible()
    assert [r.unique_name for r in window.model.rows()] == ["contosoonprem"]
    back_in_window(qtbot, window)
    assert focused() is window.table                             # the new org's list, not nothing


def test_every_dialog_of_the_main_window_by_keys_with_a_default_and_esc(qtbot, window, fake):
    j.add_online(qtbot, window, {"contosona", "contosojp"})
    start_in_list(qtbot, window)
    other = next(r for r in window.model.rows() if not r.is_primary)
    j.select(window, other.key)
    for keys, attribute in (((Key.Key_Return, Mod.AltModifier), "properties_dialog"),
                            ((Key.Key_T, Mod.ControlModifier), "test_dialog"),
                            ((Key.Key_I, Mod.ControlModifier | Mod.ShiftModifier), "reauth_dialog"),
                            ((Key.Key_S, Mod.ControlModifier | Mod.ShiftModifier), "settings_dialog"),
                            ((Key.Key_K, Mod.ControlModifier), "keep_dialog"),
                            ((Key.Key_F12, Mod.NoModifier), "diagnostics_dialog"),
                            ((Key.Key_N, Mod.ControlModifier), "add_wizard")):
        start_in_list(qtbot, window)
        press(*keys)
        dialog = wait_dialog(qtbot, window, attribute)
        if attribute == "test_dialog":
            qtbot.wait_until(lambda d=dialog: d.steps is not None, timeout=j.TIMEOUT)
            assert focused() is default_button(dialog)
        assert default_button(dialog) is not None or attribute == "add_wizard", attribute
        escape_closes(qtbot, window, dialog)


def test_switch_sync_now_and_remove_by_keys(qtbot, window, fake):
    j.add_online(qtbot, window, {"contosona", "contosojp"})
    start_in_list(qtbot, window)
    other = next(r for r in window.model.rows() if not r.is_primary)
    j.select(window, other.key)
    # Set as synchronizing organization: the prompt opens with OK as the default
    press(Key.Key_Y, Mod.ControlModifier)
    dialog = wait_dialog(qtbot, window, "switch_dialog")
    assert default_button(dialog) is not None
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "synchronize", timeout=j.TIMEOUT):
        press(Key.Key_Return)
    qtbot.wait_until(lambda: window.model.primary() is not None and window.model.primary().key == other.key,
                     timeout=j.TIMEOUT)
    for box in j.message_boxes():
        box.close()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible() and widget is not window:
            QTest.keyClick(widget, Key.Key_Escape)
    # Synchronize Now: Close is focused at the end; Esc closes
    start_in_list(qtbot, window)
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "sync_now", timeout=j.TIMEOUT):
        press(Key.Key_F9)
    dialog = window.sync_dialog
    qtbot.wait_until(lambda: inside(QApplication.focusWidget(), dialog), timeout=j.TIMEOUT)
    escape_closes(qtbot, window, dialog)
    # Remove: the question's default is Cancel; Esc keeps the org, Remove removes it
    start_in_list(qtbot, window)
    j.select(window, other.key)
    before = len(window.model.rows())
    press(Key.Key_Delete)
    qtbot.wait_until(lambda: bool(j.message_boxes("confirmDelete")), timeout=j.TIMEOUT)
    box = visible_box("confirmDelete")
    assert box.defaultButton() is not box.findChild(QPushButton, "removeButton")
    QTest.keyClick(box, Key.Key_Escape)
    qtbot.wait_until(lambda: not box.isVisible(), timeout=j.TIMEOUT)
    assert len(window.model.rows()) == before
    start_in_list(qtbot, window)
    j.select(window, other.key)
    press(Key.Key_Delete)
    qtbot.wait_until(lambda: bool(j.message_boxes("confirmDelete")), timeout=j.TIMEOUT)
    box = visible_box("confirmDelete")
    box.activateWindow()
    qtbot.wait_until(lambda: QApplication.focusWidget() is not None
                     and inside(QApplication.focusWidget(), box), timeout=j.TIMEOUT)
    assert focused() is box.defaultButton()                      # Cancel has the focus
    with qtbot.wait_signal(window.orgs_loaded, timeout=j.TIMEOUT):
        press(Key.Key_R, Mod.AltModifier)                        # &Remove
    assert len(window.model.rows()) == before - 1
    back_in_window(qtbot, window)
