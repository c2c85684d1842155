"""Render the app icon (resources/icons/app.svg) for desktops that want pixels.

Writes resources/linux/icons/hicolor/<N>x<N>/apps/<APP_ID>.png for the freedesktop
standard sizes, the scalable SVG beside them, and packaging/build/d365-wizard.ico (Windows;
when Qt's ICO plugin is present). Uses Qt's QSvgRenderer, so no extra tool is needed.
Run: QT_QPA_PLATFORM=offscreen python packaging/render_icons.py
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt  # noqa: E402 - imported after QT_QPA_PLATFORM is set
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter  # noqa: E402 - imported after QT_QPA_PLATFORM is set
from PySide6.QtSvg import QSvgRenderer  # noqa: E402 - imported after QT_QPA_PLATFORM is set

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "io.github.d365wizard.D365Wizard"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
SOURCE = ROOT / "resources" / "icons" / "app.svg"
HICOLOR = ROOT / "resources" / "linux" / "icons" / "hicolor"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - the app must exist while icons render
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"render_icons: {SOURCE} is not a valid SVG", file=sys.stderr)
        return 1
    for size in SIZES:
        out = HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        if not render(renderer, size).save(str(out), "PNG"):
            print(f"render_icons: could not write {out}", file=sys.stderr)
            return 1
    scalable = HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE, scalable)
    build = ROOT / "packaging" / "build"
    build.mkdir(exist_ok=True)
    if b"ico" in [bytes(f) for f in QImageWriter.supportedImageFormats()]:
        render(renderer, 256).save(str(build / "d365-wizard.ico"), "ICO")
    print(f"render_icons: {len(SIZES)} PNG sizes and the SVG under {HICOLOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
