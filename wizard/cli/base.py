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


class UsageError(WizardError):
    """The command line itself is wrong (argparse's errors, bad argument values)."""

    code = "usage"
    template = "{problem}"
    fix_template = "Run '{prog} --help' to see what it takes."


class CliParser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` instead of printing and exiting, so every
    failure, usage errors included, is reported the same way (the JSON error object under
    ``--json``). Subcommand parsers are of the same class (argparse's default)."""

    def error(self, message: str):  # type: ignore[override] # argparse's error() returns NoReturn; ours raises
        raise UsageError(problem=f"{self.prog}: {message}.", prog=self.prog.split()[0])


# -- argument types: values refused with a message before any work starts -----------------
MAX_PATH_CHARS = 4096


def _number(text: str, kind: type, *, minimum: float, maximum: float | None):
    try:
        value = kind(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not {'a whole number' if kind is int else 'a number'}") from None
    if kind is float and value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    if value < minimum or (maximum is not None and value > maximum):
        hi = f" and at most {maximum:g}" if maximum is not None else ""
        raise argparse.ArgumentTypeError(f"{text} is out of range (at least {minimum:g}{hi})")
    return value


def non_negative_seconds(text: str) -> float:
    """A duration in seconds: 0 or more (NaN and infinity refused)."""
    return _number(text, float, minimum=0, maximum=366 * 24 * 3600)


def output_file(text: str) -> str:
    """A file the command writes: a usable name, not empty, not a folder."""
    import os

    if not text or not text.strip():
        raise argparse.ArgumentTypeError("an empty file name")
    if "\x00" in text or any(ord(c) < 32 for c in text):
        raise argparse.ArgumentTypeError("the file name contains a control character")
    if len(text) > MAX_PATH_CHARS:
        raise argparse.ArgumentTypeError(f"the path is longer than {MAX_PATH_CHARS} characters")
    parts = [p for p in text.replace("\\", "/").split("/") if p]
    if any(len(p.encode("utf-8", "surrogateescape")) > 240 for p in parts):
        raise argparse.ArgumentTypeError("a name in the path is longer than 240 bytes")
    if text.endswith(("/", os.sep)) or os.path.isdir(text) or not parts or parts[-1] in (
            ".", ".."):
        raise argparse.ArgumentTypeError(f"{text!r} is a folder; give a file name")
    return text


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
    log_file: str | None = None

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
    except KeyboardInterrupt:
        return _print_error(ctx, "cancelled", "Cancelled.", None, status=130)
    except BaseException as exc:  # noqa: BLE001 - the last-resort handler decides
        if isinstance(exc, SystemExit):
            raise
        return report_failure(exc, json_mode=ctx.json, stdout=ctx.stdout, stderr=ctx.stderr,
                              verbose=ctx.verbose, log_file=ctx.log_file, home=ctx.home)
    if ctx.json:
        ctx.stdout.write(json.dumps(result.data, indent=2, default=str) + "\n")
    elif result.text:
        ctx.stdout.write(result.text.rstrip("\n") + "\n")
    return result.exit_code


def report_failure(exc: BaseException, *, json_mode: bool, stdout: TextIO, stderr: TextIO,
                   verbose: bool = False, log_file: str | None = None,
                   home: str | None = None) -> int:
    """Every failure the same way: a plain message (the JSON error object with ``--json``)
    and a non-zero status. A WizardError speaks for itself; an OS or SQLite error is
    classified; anything else is a bug: a short message with the log's path and the hint
    to send a diagnostics bundle, and the traceback goes to the log file only."""
    import logging
    import sqlite3

    from wizard.engine.fileio import classify_os_error, classify_sqlite_error

    status = 2 if isinstance(exc, UsageError) else 1
    err: WizardError
    if isinstance(exc, WizardError):
        err = exc
    elif isinstance(exc, OSError):
        err = classify_os_error(exc, getattr(exc, "filename", None))
    elif isinstance(exc, sqlite3.Error):
        from wizard.engine.paths import AppPaths

        err = classify_sqlite_error(exc, AppPaths.resolve(home).mailbox_db,
                                    what="the local mailbox")
    else:
        logging.getLogger("wizard.cli").error("unexpected error", exc_info=exc)
        where = f" The details are in the log file {log_file}." if log_file else ""
        err = WizardError(
            f"d365-orgs stopped because of an unexpected problem ({type(exc).__name__}).{where}",
            fix="If it happens again, send your helpdesk a diagnostics bundle "
                "(d365-orgs diagnostics --bundle support.zip)"
                + (" and that log file." if log_file else "."),
            code="internal_error")
        if log_file:
            err.params["log_file"] = log_file
    if not isinstance(exc, WizardError):
        logging.getLogger("wizard.cli").info("failed: %s (%s)", err.code, type(exc).__name__)
    return _write_error(err, json_mode=json_mode, stdout=stdout, stderr=stderr,
                        verbose=verbose, status=status)


def _write_error(err: WizardError, *, json_mode: bool, stdout: TextIO, stderr: TextIO,
                 verbose: bool, status: int) -> int:
    from wizard.cli.render import render

    if json_mode:
        body: dict[str, Any] = {"code": err.code, "message": render(err)}
        if err.action is not None:
            body["action"] = err.action.value
        if err.params.get("log_file"):
            body["log_file"] = err.params["log_file"]
        stdout.write(json.dumps({"error": body}) + "\n")
    else:
        stderr.write(f"error: {render(err)}\n")
        if err.details and verbose:
            stderr.write(f"details: {err.details}\n")
    return status


def _print_error(ctx: CliContext, code: str, message: str, details: str | None,
                 status: int = 1) -> int:
    if ctx.json:
        ctx.stdout.write(json.dumps({"error": {"code": code, "message": message}}) + "\n")
    else:
        ctx.stderr.write(f"error: {message}\n")
        if details and ctx.verbose:
            ctx.stderr.write(f"details: {details}\n")
    return status
