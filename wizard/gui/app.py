"""``d365-wizard``: the GUI entry point.

Only PySide6 is imported before the first window is painted; the engine (msal, keyring,
requests) is imported on a worker thread afterwards, so the window appears quickly.
"""

from __future__ import annotations

import argparse
import os
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


def services_factory(args: argparse.Namespace):
    """Returns a callable that builds the engine services (run on a worker thread)."""

    def build():
        from wizard.gui.services import EngineServices

        return EngineServices.from_options(home=args.home, sandbox=args.sandbox,
                                           cloud_files=list(args.cloud_file), ca_bundle=args.ca_bundle)

    return build


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.home:
        os.environ["D365_WIZARD_HOME"] = os.path.abspath(os.path.expanduser(args.home))
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("d365-wizard")
    app.setApplicationDisplayName("d365-wizard")
    app.setApplicationVersion(__version__)
    from wizard.gui.i18n import install_translators, pick_language

    install_translators(app, pick_language(args.lang))
    from wizard.gui.main_window import MainWindow

    window = MainWindow(services_factory=services_factory(args), deferred=True)
    window.show()
    # The engine starts after the first paint.
    QTimer.singleShot(0, window.start)
    if args.quit_after is not None:
        QTimer.singleShot(args.quit_after, window.close)
    code = app.exec()
    if window.runner is not None:
        window.runner.cancel_all()
        window.runner.wait_for_done(10000)
    if window.services is not None:
        window.services.close()
    return code
