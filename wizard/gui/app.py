"""``d365-wizard``: the GUI entry point.

Only PySide6 is imported before the first window is painted; the engine (msal, keyring,
requests) is imported on a worker thread afterwards, so the window appears quickly.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from wizard import __version__

if TYPE_CHECKING:  # pragma: no cover
    from wizard.gui.views import Services


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="d365-wizard", description="Configure Dynamics 365 organizations.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("--home", metavar="DIR", help="keep all files under DIR (as D365_WIZARD_HOME)")
    p.add_argument("--sandbox", action="store_true", help="run against the built-in sandbox tenant")
    p.add_argument("--cloud-file", action="append", default=[], metavar="FILE")
    p.add_argument("--ca-bundle", metavar="FILE")
    p.add_argument("--lang", metavar="CODE", help="user-interface language, e.g. en or ja")
    p.add_argument("--verbose", action="store_true", help="log in detail (the log file in the logs folder)")
    p.add_argument("--deploy", metavar="FILE",
                   help="apply a deployment file without questions, print the report and exit (no window)")
    p.add_argument("--replace", action="store_true",
                   help="with --deploy: remove organizations the file does not list")
    p.add_argument("--quit-after", type=_milliseconds, metavar="MS", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def _milliseconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= 24 * 3600 * 1000:
        raise argparse.ArgumentTypeError(f"{value} is out of range")
    return value


def services_factory(args: argparse.Namespace) -> "Callable[[], Services]":
    """Returns a callable that builds the engine services (run on a worker thread)."""

    def build() -> "Services":
        from wizard.engine.errors import WizardError
        from wizard.engine.logs import setup_logging
        from wizard.engine.paths import AppPaths
        from wizard.gui.services import EngineServices

        notes: list[str] = []
        logging_setup = setup_logging(AppPaths.resolve(args.home), verbose=args.verbose, name="d365-wizard")
        if logging_setup.problem:
            notes.append(logging_setup.problem)
        services = EngineServices.from_options(home=args.home, sandbox=args.sandbox,
                                               cloud_files=list(args.cloud_file), ca_bundle=args.ca_bundle)
        if not args.sandbox:
            # The machine-wide deployment file (admins push it); applied once per change.
            try:
                report = services.apply_site_deployment()
            except WizardError as exc:
                from wizard.gui.i18n import tr

                notes.append(tr("The machine-wide deployment file was not applied: {error}").format(error=exc))
            else:
                if report:
                    notes.append(report.splitlines()[0])
        services.startup_notes = notes
        return services

    return build


def _home_problem(home: str | None):
    if not home:
        return None
    from wizard.engine.errors import WizardError
    from wizard.engine.fileio import check_home_root

    try:
        check_home_root(os.path.abspath(os.path.expanduser(home)))
    except WizardError as exc:
        return exc
    return None


def _show_startup_error(problem) -> None:
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox

        from wizard.gui.i18n import tr

        app = QApplication.instance() or QApplication(sys.argv[:1])
        box = QMessageBox(QMessageBox.Icon.Critical, tr("d365-wizard cannot start"), str(problem))
        box.setAccessibleName(tr("Error"))
        box.exec()
        del app
    except Exception:  # noqa: BLE001 - no display: stderr already has the message
        pass


def deploy(args: argparse.Namespace) -> int:
    """``d365-wizard --deploy FILE [--replace]``: apply silently, print the report, exit 0/1.

    No window opens, so it runs from login scripts and device management as well.
    """
    from wizard.engine.context import Engine
    from wizard.engine.deploy import apply_deployment
    from wizard.engine.errors import WizardError
    from wizard.engine.logs import setup_logging
    from wizard.engine.paths import AppPaths

    paths = AppPaths.resolve(args.home)
    setup_logging(paths, verbose=args.verbose, name="d365-wizard")
    try:
        engine = Engine(paths.ensure(), cloud_files=list(args.cloud_file), ca_bundle=args.ca_bundle)
        report = apply_deployment(engine, args.deploy, replace=args.replace)
    except WizardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        from wizard.engine.fileio import classify_os_error

        print(f"error: {classify_os_error(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - last resort: traceback to the log only
        import logging

        from wizard.engine.logs import active_log_file

        logging.getLogger("wizard.gui").error("unexpected error", exc_info=exc)
        print(f"error: d365-wizard stopped because of an unexpected problem "
              f"({type(exc).__name__}). The details are in the log file {active_log_file()}. "
              "If it happens again, send your helpdesk a diagnostics bundle.", file=sys.stderr)
        return 1
    print(report.text())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    problem = _home_problem(args.home or os.environ.get("D365_WIZARD_HOME"))
    if problem is not None:
        # No window can work without its home: say why on stderr, and in a dialog when
        # there is a display.
        print(f"error: {problem}", file=sys.stderr)
        if not args.deploy:
            _show_startup_error(problem)
        return 1
    if args.home:
        os.environ["D365_WIZARD_HOME"] = os.path.abspath(os.path.expanduser(args.home))
    if args.deploy:
        return deploy(args)
    from wizard.gui import crash

    crash.install()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from wizard.gui.runtime import favour_gui_thread

    favour_gui_thread()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("d365-wizard")
    QApplication.setApplicationDisplayName("d365-wizard")  # a QGuiApplication static
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
