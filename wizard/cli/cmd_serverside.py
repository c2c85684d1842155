"""The server side of the synchronizing org from the command line.

``d365-orgs use [ORG] [--method server|computer] [--override-stamp] [--yes] [--dry-run]
[--wait S]`` (registered by :mod:`wizard.cli.cmd_orgs`), ``d365-orgs mailbox status [ORG]``
and ``d365-orgs mailbox test-enable ORG [--override-stamp] [--wait S]`` (registered in the
``mailbox`` group of :mod:`wizard.cli.cmd_sync`). The engine's sentences are printed as
they are; the CLI adds only its own wording of what to run next.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from wizard.cli.base import CliContext, CommandResult, non_negative_seconds
from wizard.engine.errors import Action, WizardError

DEFAULT_WAIT = 120.0


class UseUsage(WizardError):
    code = "org_not_found"
    template = "Name the organization that should synchronize (nothing is waiting to be " \
               "finished)."
    fix_template = "d365-orgs use ORG (see d365-orgs list)."


def add_use_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--method", choices=("server", "computer"),
                   help="how its appointments, contacts and tasks synchronize: 'server' "
                        "(its server-side synchronization with your Exchange mailbox) or "
                        "'computer' (this computer's sync engine); default: what its "
                        "mailbox record says")
    p.add_argument("--wait", type=non_negative_seconds, metavar="SECONDS", default=DEFAULT_WAIT,
                   help=f"how long to wait for the result of Test & Enable (default "
                        f"{DEFAULT_WAIT:.0f})")


def register_mailbox(msub, parents) -> None:
    q = msub.add_parser("status", parents=parents,
                        help="your mailbox records in the organizations (server side)",
                        description="Read your mailbox record in every organization (or ORG): "
                                    "synchronization method, Test & Enable result, which org "
                                    "holds your Exchange mailbox, e-mail approval.")
    q.add_argument("org", nargs="?", metavar="ORG")
    q.set_defaults(func=cmd_mailbox_status)
    q = msub.add_parser("test-enable", parents=parents,
                        help="run Test & Enable of your mailbox in ORG",
                        description="Test & Enable your mailbox in ORG (its method must be "
                                    "Server-Side Synchronization) and wait for the result.")
    q.add_argument("org", metavar="ORG")
    q.add_argument("--override-stamp", action="store_true",
                   help="sync items with Exchange from this org only, even if Exchange was "
                        "set to sync with a different org")
    q.add_argument("--wait", type=non_negative_seconds, metavar="SECONDS", default=DEFAULT_WAIT,
                   help=f"how long to wait for the result (default {DEFAULT_WAIT:.0f})")
    q.set_defaults(func=cmd_test_enable)
    q = msub.add_parser("none-elsewhere", parents=parents,
                        help="set None in every organization but the synchronizing one",
                        description="Set the method for appointments, contacts and tasks to "
                                    "None in your mailbox record of every organization that "
                                    "is not the synchronizing one, as Microsoft advises.")
    q.set_defaults(func=cmd_none_elsewhere)


def _polls(ctx: CliContext, wait: float) -> tuple[int, float]:
    interval = ctx.engine.switcher.poll_interval
    if wait <= 0 or interval <= 0:
        return 1, interval
    return max(1, math.floor(wait / interval) + 1), interval


def _progress(ctx: CliContext):
    return lambda n: ctx.progress(n.text)


def hint(err: WizardError, org_ref: str | None = None) -> str:
    """This command line's wording of the error's next step."""
    org = org_ref or "ORG"
    if err.code == "configured_elsewhere":
        return f"Run: d365-orgs use {org} --override-stamp"
    if err.action is Action.FINISH_SWITCH:
        return "Run: d365-orgs use   (finishes the switch)"
    if err.action is Action.SIGN_IN:
        return f"Run: d365-orgs signin {org}"
    if err.code == "test_enable_not_run":
        return "Check later: d365-orgs mailbox status"
    return ""


def _ref(profile_key: str, ctx: CliContext) -> str:
    try:
        p = ctx.engine.registry.get(profile_key)
    except WizardError:
        return profile_key
    return p.unique_name or str(ctx.engine.registry.list().index(p) + 1)


def cmd_use(ctx: CliContext, args: argparse.Namespace, registry: Any) -> CommandResult:
    from wizard.cli.cmd_orgs import _confirm
    from wizard.engine.stamp import StampConflict

    switcher = ctx.engine.switcher
    journal = registry.switch_journal()
    ref = args.org
    if ref is None:
        if journal is None:
            raise UseUsage()
        ref = journal["target"]
    override = True if args.override_stamp else None
    plan = switcher.plan(ref, method=args.method, progress=_progress(ctx))
    try:
        method = args.method or plan.method
        lines = plan.summary_lines(method, override)
        if args.dry_run:
            return CommandResult(data={"switched": False, "dry_run": True,
                                       "plan": plan.to_dict(method, override)},
                                 text="\n".join(lines) + "\nNothing was changed (--dry-run).")
        if not plan.changes_anything(method, override):
            return CommandResult(data={"switched": False, "plan": plan.to_dict(method, override)},
                                 text="\n".join(lines) + "\nNothing to change.")
        if plan.local.stamp_conflict and not args.override_stamp:
            assert plan.local.stamp is not None
            raise StampConflict(plan.local.stamp, plan.target.display_name, not_switched=plan.target.label)
        if not ctx.json:
            ctx.stderr.write("\n".join(lines) + "\n")
            ctx.stderr.flush()
        _confirm(ctx, args, f"Make {plan.target.label} the synchronizing organization "
                            f"({'server-side synchronization' if method == 'server' else 'this computer'})?",
                 "Switching the synchronizing organization")
        polls, interval = _polls(ctx, args.wait)
        result = switcher.apply(plan, override=override, method=args.method,
                                progress=_progress(ctx), polls=polls, poll_interval=interval)
    finally:
        plan.close()
    data = {"plan": plan.to_dict(method, override), **result.to_dict()}
    text_lines = result.lines()
    error = result.error
    te = result.test_enable
    if error is None and te is not None and te.error is not None and te.state != "not_run":
        error = te.error
    target_ref = _ref(result.target_key, ctx)
    pairs = [(o.error, _ref(o.key, ctx)) for o in result.problems if o.error is not None]
    if te is not None and te.error is not None:
        pairs.append((te.error, target_ref))
    for e, org_ref in pairs:
        h = hint(e, org_ref)
        if h and h not in text_lines:
            text_lines.append(h)
    if error is not None:
        data["error"] = {"code": error.code, "message": str(error)}
        h = hint(error, target_ref)
        if h and h not in text_lines:
            text_lines.append(h)
        return CommandResult(data=data, text="\n".join(text_lines), exit_code=1)
    return CommandResult(data=data, text="\n".join(text_lines))


def cmd_mailbox_status(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    report = ctx.engine.switcher.status(args.org)
    lines = report.lines()
    if report.journal is not None:
        lines.append("Finish it: d365-orgs use")
    return CommandResult(data=report.to_dict(), text="\n".join(lines))


def cmd_test_enable(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    polls, interval = _polls(ctx, args.wait)
    outcome = ctx.engine.switcher.test_enable(args.org, override=args.override_stamp,
                                              progress=_progress(ctx), polls=polls,
                                              poll_interval=interval)
    lines = [outcome.note.text]
    data: dict[str, Any] = outcome.to_dict()
    if outcome.error is not None:
        if outcome.error.fix:
            lines.append(outcome.error.fix)
        h = hint(outcome.error, args.org)
        if outcome.error.code == "configured_elsewhere":
            h = f"Run: d365-orgs mailbox test-enable {args.org} --override-stamp"
        if h:
            lines.append(h)
        if outcome.state != "not_run":
            data["error"] = {"code": outcome.error.code, "message": str(outcome.error)}
            return CommandResult(data=data, text="\n".join(lines), exit_code=1)
    return CommandResult(data=data, text="\n".join(lines))


def cmd_none_elsewhere(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    outcomes = ctx.engine.switcher.set_none_elsewhere(progress=_progress(ctx))
    lines = [o.note.text for o in outcomes] or ["There are no other organizations."]
    data: dict[str, Any] = {"orgs": [o.to_dict() for o in outcomes]}
    problems = [o for o in outcomes if o.error is not None]
    for o in problems:
        if o.error.fix:
            lines.append(f"  {o.label}: {o.error.fix}")
    if problems:
        first = problems[0].error
        data["error"] = {"code": first.code, "message": str(first)}
        return CommandResult(data=data, text="\n".join(lines), exit_code=1)
    return CommandResult(data=data, text="\n".join(lines))
