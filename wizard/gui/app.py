"""``d365-wizard``: the GUI entry point (placeholder window until the GUI lands)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from wizard import __version__


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="d365-wizard", description="Configure Dynamics 365 organizations.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("--home", metavar="DIR", help="keep all files under DIR (as D365_WIZARD_HOME)")
    p.add_argument("--sandbox", action="store_true", help="run against the built-in sandbox tenant")
    p.add_argument("--cloud-file", action="append", default=[], metavar="FILE")
    p.add_argument("--ca-bundle", metavar="FILE")
    p.add_argument("--lang", metavar="CODE", help="user-interface language, e.g. en or ja")
    p.add_argument("--quit-after", type=int, metavar="MS", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("Configure Organizations")
    window.setCentralWidget(QLabel("d365-wizard"))
    window.resize(720, 420)
    window.show()
    if args.quit_after is not None:
        QTimer.singleShot(args.quit_after, app.quit)
    return app.exec()
