"""SVG icons drawn in the palette's text colour, so they follow light and dark themes.

Each icon renders lazily, at the size and screen density it is painted at (crisp on
high-DPI screens), and only the variants actually shown: start-up stays fast.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from wizard.gui.i18n import resources_dir


@lru_cache(maxsize=64)
def _svg(name: str) -> bytes:
    path = resources_dir() / "icons" / f"{name}.svg"
    return path.read_bytes() if path.exists() else b""


class SvgIconEngine(QIconEngine):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self._cache: dict[tuple[int, int, int, str], QPixmap] = {}

    def _colour(self, mode: QIcon.Mode) -> str:
        palette = QGuiApplication.palette()
        group = QPalette.ColorGroup.Disabled if mode == QIcon.Mode.Disabled else QPalette.ColorGroup.Active
        return palette.color(group, QPalette.ColorRole.WindowText).name()

    def _render(self, width: int, height: int, mode: QIcon.Mode) -> QPixmap:
        colour = self._colour(mode)
        key = (width, height, int(mode.value), colour)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        pixmap = QPixmap(max(1, width), max(1, height))
        pixmap.fill(Qt.GlobalColor.transparent)
        svg = _svg(self.name).replace(b"currentColor", colour.encode())
        if svg:
            painter = QPainter(pixmap)
            QSvgRenderer(QByteArray(svg)).render(painter, QRectF(0, 0, width, height))
            painter.end()
        self._cache[key] = pixmap
        return pixmap

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        pixmap = self._render(round(rect.width() * ratio), round(rect.height() * ratio), mode)
        painter.drawPixmap(rect, pixmap)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return QPixmap(self._render(size.width(), size.height(), mode))

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        pixmap = QPixmap(self._render(round(size.width() * scale), round(size.height() * scale), mode))
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        return size

    def clone(self) -> "SvgIconEngine":
        # Qt owns the clone; keep the Python side alive for the process, or PySide6 frees
        # it twice at exit.
        twin = SvgIconEngine(self.name)
        _KEEP.append(twin)
        return twin

    def key(self) -> str:
        return "d365-svg"

    def isNull(self) -> bool:
        return not _svg(self.name)


_KEEP: list[SvgIconEngine] = []


def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg``, in the current palette's text colour."""
    engine = SvgIconEngine(name)
    _KEEP.append(engine)
    return QIcon(engine)
