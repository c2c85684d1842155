"""``d365-orgs sandbox serve`` and ``d365-orgs sandbox fault``: run and steer the sandbox tenant."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from wizard.cli.base import CliContext, CommandResult
from wizard.engine.errors import WizardError


class SandboxError(WizardError):
    code = "sandbox_error"


def register(sub, parents) -> None:
    """Add this module's subcommands to ``sub``."""
    sandbox = sub.add_parser("sandbox", parents=parents,
                             help="run the local sandbox tenant (a stand-in for Dynamics 365)")
    actions = sandbox.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)

    serve = actions.add_parser(
        "serve", parents=parents,
        help="serve the sandbox until Ctrl+C; prints one JSON line when ready",
        description="Serve the sandbox tenant on 127.0.0.1 until Ctrl+C or SIGTERM. When it "
                    "is ready, one JSON line on stdout gives the authority URL, discovery URL, "
                    "org URLs, CA file, cloud file (for --cloud-file) and the practice users.")
    serve.add_argument("--port", type=port_number, default=0, metavar="N",
                       help="main port N; online orgs use N+1, N+2 (default: the ports of the "
                            "last run when free, else any free ports)")
    _data_arg(serve)
    serve.add_argument("--contacts", type=non_negative_int, default=None, metavar="N",
                       help="sample contacts per org (e.g. 20000 for a large org)")
    serve.add_argument("--token-lifetime", type=positive_int, default=3600, metavar="S",
                       help="access token lifetime in seconds (default 3600)")
    serve.add_argument("--refresh-lifetime", type=positive_int, default=90 * 24 * 3600,
                       metavar="S",
                       help="seconds a refresh token may sit unused before sign-in fails with "
                            "AADSTS700082 (default 90 days)")
    serve.add_argument("--fault", action="append", default=[], metavar="NAME[=VALUE]",
                       help="switch a fault on from the start (repeatable); see wizard/sandbox/README.md")
    serve.set_defaults(func=cmd_serve)

    fault = actions.add_parser(
        "fault", parents=parents, help="switch faults on a running sandbox",
        description="Switch faults on a running sandbox (started with the same --data). "
                    "Without arguments, list the faults that are on.")
    fault.add_argument("specs", nargs="*", metavar="NAME[=VALUE]", help="faults to switch on")
    fault.add_argument("--clear", action="append", default=[], metavar="NAME",
                       help="switch this fault off (repeatable)")
    fault.add_argument("--reset", action="store_true", help="switch every fault off")
    _data_arg(fault)
    fault.set_defaults(func=cmd_fault)

    revoke = actions.add_parser(
        "revoke", parents=parents, help="revoke a practice user's tokens on a running sandbox",
        description="Make the sandbox refuse the tokens it has issued to USER: the orgs answer "
                    "401 with a claims challenge (as Continuous Access Evaluation does) and a "
                    "refreshed token works; with --sessions the refresh tokens are revoked too "
                    "(AADSTS50173, as after a password change), so the user must sign in again.")
    revoke.add_argument("user", metavar="USER", help="the user's UPN, e.g. alice@contoso.example")
    revoke.add_argument("--sessions", action="store_true",
                        help="also revoke the refresh tokens (sign-in needed again)")
    _data_arg(revoke)
    revoke.set_defaults(func=cmd_revoke)


def _data_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", metavar="DIR", default=None,
                        help="where the sandbox keeps its CA, keys and ports (default: "
                             "'sandbox' in the app's data dir)")


def _data_dir(ctx: CliContext, args: argparse.Namespace) -> Path:
    if args.data:
        return Path(args.data).expanduser().absolute()
    from wizard.engine.paths import AppPaths

    return AppPaths.resolve(ctx.home).data_dir / "sandbox"


def cmd_serve(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    from wizard.sandbox.faults import Faults, UnknownFault
    from wizard.sandbox.server import start_sandbox

    faults = Faults()
    try:
        faults.apply_specs(args.fault)
    except (UnknownFault, ValueError) as exc:
        raise SandboxError(f"Bad --fault: {exc}.") from exc
    if args.port and not 0 < args.port < 65535 - 3:
        raise SandboxError(f"--port {args.port} is not a usable port number.")
    for spec in args.fault:
        _check_fault_value(spec)

    stop = threading.Event()

    def on_signal(signum, frame) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            sandbox = start_sandbox(_data_dir(ctx, args), port=args.port,
                                    contacts=args.contacts, token_lifetime=args.token_lifetime,
                                    faults=faults, remember_ports=not args.port,
                                    refresh_lifetime=args.refresh_lifetime)
        except OSError as exc:
            raise SandboxError(f"The sandbox could not start: {exc}.",
                               fix="Choose another --port, or stop the program using it.") \
                from exc
        try:
            ctx.stdout.write(json.dumps(sandbox.describe()) + "\n")
            ctx.stdout.flush()
            if not ctx.json:
                ctx.stderr.write(
                    f"Sandbox ready. Sign-in authority {sandbox.authority_url}\n"
                    f"Use it with: d365-orgs --cloud-file {sandbox.cloud_file} ...\n"
                    "Press Ctrl+C to stop.\n")
                ctx.stderr.flush()
            while not stop.wait(0.5):
                pass
        finally:
            sandbox.stop()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if not ctx.json:
        ctx.stderr.write("Sandbox stopped.\n")
    # The ready line was the whole output: exit 0 without printing a second document.
    sys.exit(0)


def _admin(ctx: CliContext, args: argparse.Namespace, path: str, body: dict) -> dict:
    """POST to a running sandbox's admin API.

    It trusts both of the sandbox's own CAs, so a sandbox that currently presents the
    "unknown CA" certificate (the ``unknown_ca`` fault) can still be reached, and that
    fault can always be cleared."""
    from wizard.engine.http import NO_RETRIES, make_session
    from wizard.sandbox.certs import CA_FILE, UNKNOWN_CA_FILE

    data_dir = _data_dir(ctx, args)
    try:
        from wizard.engine.fileio import read_json

        ports = read_json(data_dir / "ports.json", what="the sandbox's ports file")
        main_port = int(ports["main"])
    except (WizardError, ValueError, KeyError, TypeError) as exc:
        raise SandboxError(f"No sandbox has run with the data dir {data_dir}.",
                           fix="Start one with 'd365-orgs sandbox serve' (same --data).") from exc
    cas = [p for p in (data_dir / CA_FILE, data_dir / UNKNOWN_CA_FILE) if p.is_file()]
    session = make_session(ca_bundles=[str(p) for p in cas], retry=NO_RETRIES, timeout=10)
    session.trust_env = False          # loopback: never through a proxy
    try:
        r = session.post(f"https://127.0.0.1:{main_port}/_sandbox/{path}", json=body,
                         headers={"X-Sandbox-Admin": "1"})
    except Exception as exc:  # noqa: BLE001 - requests/TLS errors: say what to check
        raise SandboxError(f"The sandbox on port {main_port} did not answer: "
                           f"{type(exc).__name__}.",
                           fix="Is 'd365-orgs sandbox serve' running with this data dir?",
                           details=str(exc)) from exc
    finally:
        session.close()
    if r.status_code != 200:
        raise SandboxError(f"The sandbox refused: {r.text.strip()[:300]}")
    try:
        return r.json()
    except ValueError as exc:
        raise SandboxError("The sandbox answered something that is not JSON.") from exc


def _check_fault_value(spec: str) -> None:
    from wizard.sandbox.faults import DEFAULTS, _coerce

    name, sep, value = spec.partition("=")
    name = name.strip().replace("-", "_")
    if name not in DEFAULTS:
        raise SandboxError(f"Unknown fault {name!r}.",
                           fix="Known faults: " + ", ".join(DEFAULTS) + ".")
    try:
        _coerce(name, value.strip() if sep else None)
    except (ValueError, TypeError) as exc:
        raise SandboxError(f"Bad value for the fault {name}: {exc}.") from exc


def cmd_fault(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    body: dict = {"reset": bool(args.reset), "clear": [c.replace("-", "_") for c in args.clear],
                  "set": {}}
    for spec in args.specs:
        _check_fault_value(spec)
        name, sep, value = spec.partition("=")
        body["set"][name.strip().replace("-", "_")] = value.strip() if sep else None
    active = _admin(ctx, args, "faults", body).get("faults", {})
    text = "Faults on: " + (", ".join(f"{k}={v}" for k, v in active.items()) or "none")
    return CommandResult(data={"faults": active}, text=text)


def cmd_revoke(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    data = _admin(ctx, args, "revoke", {"upn": args.user, "sessions": args.sessions})
    what = "access and refresh tokens" if args.sessions else "access tokens"
    return CommandResult(data=data, text=f"Revoked the {what} of {args.user}.")


def _int_arg(text: str, *, minimum: int, maximum: int | None = None) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < minimum or (maximum is not None and value > maximum):
        hi = f" and at most {maximum}" if maximum is not None else ""
        raise argparse.ArgumentTypeError(f"{value} is out of range (at least {minimum}{hi})")
    return value


def non_negative_int(text: str) -> int:
    return _int_arg(text, minimum=0, maximum=10_000_000)


def positive_int(text: str) -> int:
    return _int_arg(text, minimum=1, maximum=10 * 365 * 24 * 3600)


def port_number(text: str) -> int:
    return _int_arg(text, minimum=0, maximum=65535 - 4)
