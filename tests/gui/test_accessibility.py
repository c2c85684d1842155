"""Every control can be reached and named by assistive technology and the keyboard;
icons follow the palette (dark mode)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication, QComboBox, QLineEdit, QWidget

from tests.gui import journeys as j
from wizard.gui.icons import icon

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView)


def _inside_combo(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parentWidget()
    return False


def unnamed_controls(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if widget.objectName().startswith("qt_") or _inside_combo(widget):
            continue    # Qt's own parts (a combo box's pop-up list) carry the combo's name
        text = widget.accessibleName() or (widget.text() if isinstance(widget, QAbstractButton) else "")
        if not text.strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} in {root.objectName()}")
    return missing


def test_main_window_controls_are_named_and_in_tab_order(qtbot, window):
    assert unnamed_controls(window) == []
    chain, widget = [], window.table
    for _ in range(14):
        chain.append(widget)
        widget = widget.nextInFocusChain()
        while not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus) or not widget.isVisible():
            widget = widget.nextInFocusChain()
    names = [w.objectName() for w in chain]
    expected = ["orgTable", "button_add", "button_delete", "button_properties", "button_test",
                "button_synchronize", "button_sign_in", "button_sign_out", "button_diagnostics", "button_close"]
    assert [n for n in names if n in expected][:len(expected)] == expected


def test_every_wizard_page_and_dialog_is_named(qtbot, window, fake):
    j.add_online(qtbot, window, {"contosona", "contosojp"})
    wizard = j.open_wizard(qtbot, window)
    for page in wizard.pages.values():
        assert unnamed_controls(page) == [], page.objectName()
    wizard.reject()
    j.select(window, j.row_by_name(window, "contosojp").key)
    window.properties()
    assert unnamed_controls(window.properties_dialog) == []
    window.properties_dialog.reject()
    window.synchronize()
    qtbot.wait_until(lambda: getattr(window, "switch_dialog", None) is not None and window.switch_dialog.isVisible())
    assert unnamed_controls(window.switch_dialog) == []
    window.switch_dialog.reject()


def test_device_code_is_shown_large_and_copied(qtbot, window, fake):
    wizard = j.open_wizard(qtbot, window)
    wizard.currentPage().online_radio.setChecked(True)
    j.next_page(qtbot, wizard, 3)
    page = wizard.currentPage()
    page.device_radio.setChecked(True)
    page.sign_in_button.click()
    qtbot.wait_until(page.device_panel.isVisible, timeout=5000)
    assert page.device_panel.code_label.text() == "ABCD-EFGH"
    assert page.device_panel.code_label.font().pointSize() >= 20
    page.device_panel.copy_button.click()
    assert QGuiApplication.clipboard().text() == "ABCD-EFGH"
    assert not page.isComplete()
    fake.device_approved.set()
    j.wait_complete(qtbot, wizard)
    assert "alice@contoso.example" in page.status.text()
    wizard.reject()


def test_icons_follow_the_palette(qapp):
    original = QApplication.palette()
    try:
        for text_colour in ("#000000", "#ffffff"):
            palette = QPalette(original)
            palette.setColor(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText, QColor(text_colour))
            QApplication.setPalette(palette)
            image = icon("close").pixmap(48, 48).toImage()
            opaque = [image.pixelColor(x, y) for x in range(48) for y in range(48)
                      if image.pixelColor(x, y).alpha() == 255]
            assert opaque and all(c.name() == text_colour for c in opaque)
    finally:
        QApplication.setPalette(original)
