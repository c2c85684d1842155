"""Helpdesk subcommands: ``deploy``, ``export-deployment``, ``diagnostics``, ``practice``.

None of them asks a question: they are meant for scripts, device management and
helpdesk staff on the phone.
"""

from __future__ import annotations

import argparse
import json
import sys

from wizard.cli.base import CliContext, CommandResult, non_negative_seconds, output_file


def register(sub, parents) -> None:
    """Add this module's subcommands to ``sub``."""
    p = sub.add_parser(
        "deploy", parents=parents, help="apply a deployment file (org list) without questions",
        description="Add the organizations listed in a deployment file (wizard/engine/HELPDESK.md: "
                    "'Deployment file'). Orgs are recorded without connecting; users sign in on first "
                    "use. Re-applying the same file changes nothing.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("file", metavar="FILE", nargs="?", help="the deployment file (JSON)")
    src.add_argument("--site", action="store_true",
                     help="apply the machine-wide deployment file now (if it changed)")
    src.add_argument("--resolve-pending", action="store_true",
                     help="add the orgs a file listed by discovery (cloud + unique name), "
                          "using your existing sign-in to that cloud")
    p.add_argument("--replace", action="store_true",
                   help="also remove organizations the file does not list (says so if that "
                        "includes the synchronizing org)")
    p.add_argument("--force", action="store_true",
                   help="with --site: apply even if this file was applied before")
    p.set_defaults(func=cmd_deploy)

    p = sub.add_parser("export-deployment", parents=parents,
                       help="write the current org list as a deployment file",
                       description="Write your organizations as a deployment file that "
                                   "'d365-orgs deploy' applies on other machines. It holds no "
                                   "user names, tenants or secrets.")
    p.add_argument("--out", metavar="FILE", type=output_file,
                   help="write to FILE (default: print it)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "diagnostics", parents=parents, help="write a redacted diagnostics bundle (zip)",
        description="Collect versions, keyring backend, the org list, connection tests, the "
                    "mailbox stamp and recent logs into a zip for your helpdesk. Tokens, "
                    "passwords, cookies and authorization headers are always removed; user "
                    "names, tenant IDs and addresses are replaced by placeholders unless "
                    "--include-identities is given.")
    p.add_argument("--bundle", metavar="FILE.zip", required=True, type=output_file,
                   help="where to write the zip")
    p.add_argument("--include-identities", action="store_true",
                   help="keep user names, tenant IDs and org addresses (only with the user's "
                        "consent)")
    p.add_argument("--no-connect", action="store_true",
                   help="do not run connection tests (only what is on this computer)")
    p.set_defaults(func=cmd_diagnostics)

    _extend_doctor(sub)

    p = sub.add_parser(
        "practice", parents=parents, help="helpdesk training: the sandbox with a problem",
        description="Start the sandbox tenant with a named problem (scenario) in a practice "
                    "home, so trainees can diagnose it with the real app.")
    p.add_argument("scenario", metavar="SCENARIO", nargs="?", help="scenario name (see --list)")
    p.add_argument("--list", action="store_true", dest="list_scenarios",
                   help="list the scenarios, what the trainee sees and the right fix")
    p.add_argument("--solution", action="store_true", help="also print the solution")
    p.add_argument("--duration", type=non_negative_seconds, metavar="SECONDS",
                   help="stop after SECONDS (default: until Ctrl+C)")
    p.set_defaults(func=cmd_practice)


# -- deploy ------------------------------------------------------------------------------------
def cmd_deploy(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    from wizard.engine.deploy import apply_deployment, apply_site_deployment

    engine = ctx.engine
    if args.resolve_pending:
        from wizard.engine.deploy import resolve_pending_by_discovery

        resolved = resolve_pending_by_discovery(engine)
        return CommandResult(data=resolved.to_dict(), text=resolved.text())
    if args.site:
        report = apply_site_deployment(engine, force=args.force)
        if report is None:
            where = engine.paths.site_deployment_file
            return CommandResult(data={"applied": False, "site_file": str(where)},
                                 text=f"There is no machine-wide deployment file ({where}).")
    else:
        report = apply_deployment(engine, args.file, replace=args.replace)
    return CommandResult(data=report.to_dict(), text=report.text())


def cmd_export(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    from wizard.engine.deploy import export_deployment, write_export

    if args.out:
        out = write_export(ctx.engine, args.out)
        from wizard.engine.fileio import read_json

        data = read_json(out, what="the deployment file")
        return CommandResult(data={"written": str(out), "orgs": len(data["orgs"])},
                             text=f"Wrote the organization list to {out} ({len(data['orgs'])} in all).")
    data = export_deployment(ctx.engine)
    return CommandResult(data=data, text=json.dumps(data, indent=2))


# -- diagnostics ----------------------------------------------------------------------------------
def cmd_diagnostics(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    return _bundle(ctx, args.bundle, include_identities=args.include_identities,
                   run_tests=not args.no_connect)


def _extend_doctor(sub) -> None:
    """``doctor --bundle FILE.zip [ORG]``: the auth capability owns ``doctor ORG``; this adds
    the bundle to it (ORG becomes optional when --bundle is given)."""
    doctor = sub.choices.get("doctor")
    if doctor is None or getattr(doctor, "_bundle_added", False):
        return
    for action in doctor._actions:
        if action.dest == "org" and not action.option_strings:
            action.nargs, action.default = "?", None
    doctor.add_argument("--bundle", metavar="FILE.zip", type=output_file,
                        help="write a redacted diagnostics bundle for the helpdesk")
    doctor.add_argument("--include-identities", action="store_true",
                        help="with --bundle: keep user names, tenant IDs and org addresses "
                             "(only with the user's consent)")
    original = doctor.get_default("func")

    def doctor_or_bundle(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
        from wizard.engine.errors import WizardError

        if args.bundle:
            return _bundle(ctx, args.bundle, include_identities=args.include_identities,
                           only=args.org)
        if not args.org:
            raise WizardError("Name the organization to diagnose (number, name or address), "
                              "or write a bundle with --bundle FILE.zip.", code="usage")
        return original(ctx, args)

    doctor.set_defaults(func=doctor_or_bundle)
    doctor._bundle_added = True


def _bundle(ctx: CliContext, out: str, *, include_identities: bool, only: str | None = None,
            run_tests: bool = True) -> CommandResult:
    from wizard.engine.diagnostics import build_bundle

    results = None
    if only:  # test that one org now (silently); the others only as configured
        from wizard.engine.diagnostics import run_connection_test

        profile = ctx.engine.registry.get(only)
        results = {profile.key: run_connection_test(ctx.engine, profile)["steps"]}
        run_tests = False
    report = build_bundle(ctx.engine, out, include_identities=include_identities,
                          connection_results=results, run_connection_tests=run_tests,
                          progress=ctx.progress)
    return CommandResult(data=report.to_dict(), text=report.text())


# -- practice -------------------------------------------------------------------------------------
def cmd_practice(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    from wizard.cli.practice import SCENARIOS, get_scenario, run_practice
    from wizard.engine.errors import WizardError

    if args.list_scenarios or not args.scenario:
        data = [s.to_dict(solution=args.solution) for s in SCENARIOS]
        lines = ["Practice scenarios (d365-orgs practice NAME):", ""]
        for s in SCENARIOS:
            lines.append(f"{s.name}: {s.title}")
            lines.append(f"    The trainee sees: {s.symptom}")
            if args.solution:
                lines.append(f"    Right fix: {s.fix}")
        if not args.solution:
            lines += ["", "Add --solution to see the right fix for each."]
        if not args.list_scenarios and not args.scenario:
            raise WizardError("Name a scenario, or use --list.", code="usage",
                              fix="\n".join(lines))
        return CommandResult(data={"scenarios": data}, text="\n".join(lines))
    scenario = get_scenario(args.scenario)
    return run_practice(ctx, scenario, duration=args.duration, show_solution=args.solution,
                        out=sys.stderr)
