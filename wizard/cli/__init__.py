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
from wizard.cli.base import CliContext, common_parent, run_handler

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
    parser = argparse.ArgumentParser(
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
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = CliContext.from_args(args)
    _start_logging(ctx)
    if args.command != "deploy":
        _apply_site_deployment(ctx)
    return run_handler(ctx, args)


def _start_logging(ctx: CliContext) -> None:
    """Redacted, rotated log file for this run (owner: helpdesk, ``wizard.engine.logs``)."""
    from wizard.engine.logs import setup_logging
    from wizard.engine.paths import AppPaths

    setup = setup_logging(AppPaths.resolve(ctx.home), verbose=ctx.verbose, name="d365-orgs",
                          console=ctx.stderr if ctx.verbose else None)
    if setup.problem and ctx.verbose:
        ctx.stderr.write(f"warning: {setup.problem}\n")


def _apply_site_deployment(ctx: CliContext) -> None:
    """The machine-wide deployment file, once per change (owner: helpdesk, ``deploy.py``).

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
