"""Shared plumbing of the ``d365-orgs`` subcommands: options, context, output, errors."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TextIO

from wizard.engine.errors import WizardError


@dataclass
class CommandResult:
    """What a handler returns: ``data`` for ``--json``, ``text`` for people."""

    data: Any
    text: str = ""
    exit_code: int = 0


def common_parent(*, suppress: bool) -> argparse.ArgumentParser:
    """Options every subcommand accepts, before or after the subcommand name."""
    d = argparse.SUPPRESS if suppress else None
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS if suppress else False,
                   help="print machine-readable JSON")
    p.add_argument("--home", metavar="DIR", default=d,
                   help="keep all config, data, cache and logs under DIR (as D365_WIZARD_HOME)")
    p.add_argument("--cloud-file", metavar="FILE", action="append",
                   default=argparse.SUPPRESS if suppress else [],
                   help="a JSON cloud definition (sovereign cloud, ADFS, the sandbox); repeatable")
    p.add_argument("--ca-bundle", metavar="FILE", default=d,
                   help="extra trusted CA certificates (PEM) on top of the OS trust store")
    p.add_argument("-v", "--verbose", action="store_true",
                   default=argparse.SUPPRESS if suppress else False, help="log more detail")
    return p


@dataclass
class CliContext:
    home: str | None
    json: bool
    cloud_files: list[str]
    ca_bundle: str | None
    verbose: bool
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "CliContext":
        return cls(home=args.home, json=args.json, cloud_files=list(args.cloud_file or []),
                   ca_bundle=args.ca_bundle, verbose=args.verbose)

    @cached_property
    def engine(self):  # -> wizard.engine.context.Engine
        from wizard.engine.context import Engine

        return Engine.from_options(self.home, cloud_files=self.cloud_files,
                                   ca_bundle=self.ca_bundle)

    @property
    def interactive(self) -> bool:
        """True when a person can answer a question on stdin."""
        try:
            return self.stdin.isatty()
        except (AttributeError, ValueError):
            return False

    def confirm(self, question: str) -> bool:
        """Ask yes/no on the terminal; without a terminal the answer is no."""
        if not self.interactive:
            return False
        self.stderr.write(f"{question} [y/N] ")
        self.stderr.flush()
        answer = self.stdin.readline().strip().lower()
        return answer in ("y", "yes")

    def progress(self, text: str) -> None:
        """Progress for people: stderr, never mixed into --json output."""
        if not self.json:
            self.stderr.write(text + "\n")
            self.stderr.flush()


Handler = Callable[[CliContext, argparse.Namespace], CommandResult]


def run_handler(ctx: CliContext, args: argparse.Namespace) -> int:
    handler: Handler = args.func
    try:
        result = handler(ctx, args)
    except WizardError as err:
        return _print_error(ctx, err.code, str(err), getattr(err, "details", None))
    except KeyboardInterrupt:
        return _print_error(ctx, "cancelled", "Cancelled.", None, status=130)
    if ctx.json:
        ctx.stdout.write(json.dumps(result.data, indent=2, default=str) + "\n")
    elif result.text:
        ctx.stdout.write(result.text.rstrip("\n") + "\n")
    return result.exit_code


def _print_error(ctx: CliContext, code: str, message: str, details: str | None,
                 status: int = 1) -> int:
    if ctx.json:
        ctx.stdout.write(json.dumps({"error": {"code": code, "message": message}}) + "\n")
    else:
        ctx.stderr.write(f"error: {message}\n")
        if details and ctx.verbose:
            ctx.stderr.write(f"details: {details}\n")
    return status
