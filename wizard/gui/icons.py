"""SVG icons drawn in the palette's text colour, so they follow light and dark themes."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from wizard.gui.i18n import resources_dir

_SIZES = (16, 20, 24, 32, 48, 64)


def _render(svg: bytes, size: int, ratio: float) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg))
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter, QRectF(0, 0, pixmap.width(), pixmap.height()))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


@lru_cache(maxsize=64)
def _icon(name: str, normal: str, disabled: str, ratio: float) -> QIcon:
    path = resources_dir() / "icons" / f"{name}.svg"
    svg = path.read_bytes() if path.exists() else b""
    icon = QIcon()
    if not svg:
        return icon
    for mode, colour in ((QIcon.Mode.Normal, normal), (QIcon.Mode.Disabled, disabled)):
        coloured = svg.replace(b"currentColor", colour.encode())
        for size in _SIZES:
            icon.addPixmap(_render(coloured, size, ratio), mode)
    return icon


def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg`` for the current palette and screen density."""
    app = QGuiApplication.instance()
    palette = QGuiApplication.palette()
    normal = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText).name()
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText).name()
    ratio = app.devicePixelRatio() if app is not None else 1.0
    return _icon(name, normal, disabled, max(1.0, float(ratio)))
