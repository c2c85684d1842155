"""``d365-orgs``: every engine operation as a command. ``--json`` everywhere.

Each subcommand module below defines ``register(subparsers, parents)``; a handler
takes ``(ctx, args)`` and returns a :class:`CommandResult` or raises ``WizardError``.
On error the exit status is non-zero and, with ``--json``, stdout holds
``{"error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from wizard import __version__
from wizard.cli.base import CliContext, CliParser, UsageError, common_parent, report_failure, run_handler
from wizard.engine.errors import WizardError

# One module per capability; each registers its own subcommands.
COMMAND_MODULES = (
    "wizard.cli.cmd_urls",      # check-url
    "wizard.cli.cmd_orgs",      # list, add, remove, rename, use
    "wizard.cli.cmd_auth",      # signin, signout, discover, test, doctor
    "wizard.cli.cmd_sandbox",   # sandbox serve
    "wizard.cli.cmd_sync",      # sync, mailbox ..., settings
    "wizard.cli.cmd_helpdesk",  # deploy, export-deployment, practice
)


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(
        prog="d365-orgs",
        description="Configure Dynamics 365 organizations and the synchronizing org.",
        parents=[common_parent(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parents = [common_parent(suppress=True)]
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub, parents)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Whatever goes wrong ends in a plain message and a non-zero status
    (the JSON error object with ``--json``), never in a traceback."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    json_mode = "--json" in args_list[:args_list.index("--")] if "--" in args_list \
        else "--json" in args_list
    ctx: CliContext | None = None
    try:
        _check_arguments(args_list)
        args = build_parser().parse_args(args_list)
        ctx = CliContext.from_args(args)
        _check_home(ctx)
        _start_logging(ctx)
        if args.command != "deploy":
            _apply_site_deployment(ctx)
        return run_handler(ctx, args)
    except SystemExit as exc:               # --help, --version, and the sandbox's exit
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        report_failure(WizardError("Cancelled.", code="cancelled"), json_mode=json_mode,
                       stdout=sys.stdout, stderr=sys.stderr)
        return 130
    except BrokenPipeError:                 # e.g. "d365-orgs list | head -1"
        return 1
    except BaseException as exc:  # noqa: BLE001 - the last-resort handler
        return report_failure(exc, json_mode=json_mode,
                              stdout=ctx.stdout if ctx else sys.stdout,
                              stderr=ctx.stderr if ctx else sys.stderr,
                              verbose=bool(ctx and ctx.verbose),
                              log_file=ctx.log_file if ctx else None,
                              home=ctx.home if ctx else None)


def _check_arguments(argv: list[str]) -> None:
    """Arguments must be text: bytes that are not UTF-8 reach Python as lone surrogates
    (and a NUL cannot be passed to any file or the OS)."""
    for n, arg in enumerate(argv, 1):
        if not isinstance(arg, str) or "\x00" in arg or any(
                "\udc80" <= ch <= "\udcff" for ch in arg):
            raise UsageError(problem=f"Argument {n} is not valid text (it is not UTF-8 or "
                                     "holds a NUL character).", prog="d365-orgs")


def _check_home(ctx: CliContext) -> None:
    """``--home`` (or D365_WIZARD_HOME) pointing at a file is refused before any work."""
    import os

    from wizard.engine.fileio import check_home_root

    home = ctx.home or os.environ.get("D365_WIZARD_HOME")
    if home:
        check_home_root(os.path.abspath(os.path.expanduser(home)))


def _start_logging(ctx: CliContext) -> None:
    """Redacted, rotated log file for this run (:mod:`wizard.engine.logs`)."""
    from wizard.engine.logs import setup_logging
    from wizard.engine.paths import AppPaths

    setup = setup_logging(AppPaths.resolve(ctx.home), verbose=ctx.verbose, name="d365-orgs",
                          console=ctx.stderr if ctx.verbose else None)
    ctx.log_file = str(setup.log_file) if setup.log_file else None
    if setup.problem and ctx.verbose:
        ctx.stderr.write(f"warning: {setup.problem}\n")
    for warning in setup.warnings:
        ctx.stderr.write(f"warning: {warning}\n")


def _apply_site_deployment(ctx: CliContext) -> None:
    """The machine-wide deployment file, once per change (:mod:`wizard.engine.deploy`).

    Costs one ``stat`` when there is no file; a broken file is reported, never fatal.
    """
    from wizard.engine.paths import AppPaths

    if not AppPaths.resolve(ctx.home).site_deployment_file.is_file():
        return
    from wizard.engine.deploy import apply_site_deployment
    from wizard.engine.errors import WizardError

    try:
        report = apply_site_deployment(ctx.engine)
    except WizardError as err:
        ctx.stderr.write(f"warning: the machine-wide deployment file was not applied: {err}\n")
        return
    if report is not None and not report.skipped and report.changed:
        ctx.stderr.write(report.text() + "\n")  # stderr: never mixed into --json output


if __name__ == "__main__":
    sys.exit(main())
