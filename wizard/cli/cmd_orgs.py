"""``d365-orgs list|add|remove|rename|keep-connected|use``: the organization registry and the synchronizing org.

Questions (remove, use) are asked on the terminal; without one they must be answered
with ``--yes``. ``add`` connects and signs in (:mod:`wizard.cli.cmd_auth`) unless
``--no-connect`` only records the org.
"""

from __future__ import annotations

import argparse
from typing import Any

from wizard.cli import cmd_auth
from wizard.cli.base import CliContext, CommandResult
from wizard.engine.errors import WizardError


class ConfirmationRequired(WizardError):
    code = "confirmation_required"


class Cancelled(WizardError):
    code = "cancelled"


def register(sub, parents) -> None:
    """Add this module's subcommands to ``sub``."""
    p = sub.add_parser("list", parents=parents, help="list organizations and the synchronizing org",
                       description="List your organizations. * marks the synchronizing org.")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("add", parents=parents, help="add an organization by its address",
                       description="Add an organization by any address copied from the browser. "
                                   "Adding the same org again updates it.")
    p.add_argument("url", metavar="URL", help="the org's address (online, on-premises or IFD)")
    p.add_argument("--no-connect", action="store_true",
                   help="record the org without connecting or signing in")
    p.add_argument("--name", metavar="NAME", help="display name (default: the org's name)")
    p.add_argument("--org-id", metavar="GUID",
                   help="the organization ID, if known (needed to make it synchronize)")
    p.add_argument("--unique-name", metavar="NAME", help="the org's unique name, if known")
    cmd_auth.add_connect_arguments(p)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", parents=parents,
                       help="remove an organization and its saved credentials",
                       description="Remove an organization, its saved credentials and its "
                                   "cached sign-in tokens.")
    p.add_argument("org", metavar="ORG", help="number, name, unique name or organization ID")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("rename", parents=parents, help="change an organization's display name")
    p.add_argument("org", metavar="ORG", help="number, name, unique name or organization ID")
    p.add_argument("name", metavar="NAME", help="the new display name")
    p.set_defaults(func=cmd_rename)

    p = sub.add_parser("keep-connected", parents=parents,
                       help="show or set Keep me connected (background refresh and sync)",
                       description="While the app runs, orgs with Keep me connected on have their "
                                   "status refreshed and the synchronizing org synchronizes, every "
                                   "MINUTES. Off: no background traffic to that org (opening it may "
                                   "then be slower). Without arguments: show the settings.")
    p.add_argument("org", metavar="ORG", nargs="?", help="number, name, unique name or organization ID")
    p.add_argument("state", metavar="on|off", nargs="?", choices=("on", "off"),
                   help="turn Keep me connected on or off for ORG")
    p.add_argument("--every", metavar="MINUTES",
                   help="the interval for every org, in minutes (1-1440, default 15)")
    p.set_defaults(func=cmd_keep_connected)

    p = sub.add_parser("use", parents=parents,
                       help="make an organization the one that synchronizes with your mailbox",
                       description="Show what changes when ORG becomes the synchronizing org "
                                   "(here and in every org's mailbox record), ask for "
                                   "confirmation, then switch. Without ORG, finish a switch "
                                   "that is not done yet.")
    p.add_argument("org", metavar="ORG", nargs="?",
                   help="number, name, unique name or organization ID")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--override-stamp", action="store_true",
                   help="sync items from this org only, even if the mailbox was set to sync "
                        "with a different org")
    p.add_argument("--dry-run", action="store_true", help="show the plan and change nothing")
    from wizard.cli.cmd_serverside import add_use_arguments

    add_use_arguments(p)
    p.set_defaults(func=cmd_use)


def _registry(ctx: CliContext):
    """The engine's registry, after telling the user about a damaged file once."""
    registry = ctx.engine.registry
    warning = registry.load_warning
    if warning is not None:
        _warn(ctx, str(warning))
        registry.dismiss_load_warning()
    return registry


def _warn(ctx: CliContext, text: str) -> None:
    """Tell the user now (stderr) and keep it for the --json output."""
    ctx.stderr.write(f"warning: {text}\n")
    ctx.stderr.flush()
    ctx.__dict__.setdefault("org_warnings", []).append(text)


def _warnings(ctx: CliContext) -> list[str]:
    return list(ctx.__dict__.get("org_warnings", []))


# -- list ----------------------------------------------------------------------------------
def cmd_list(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    registry = _registry(ctx)
    orgs = registry.list()
    try:
        stamp = registry.mailbox.stamp()
    except WizardError as err:  # the list is still worth showing
        stamp = None
        _warn(ctx, f"The mailbox stamp could not be read: {err}")
    primary = next((p for p in orgs if p.is_primary), None)
    data: dict[str, Any] = {
        "orgs": [{"index": i, "primary": p.is_primary, **p.to_dict()}
                 for i, p in enumerate(orgs, 1)],
        "primary": primary.key if primary else None,
        "stamp": stamp.to_dict() if stamp else None,
        "warnings": _warnings(ctx),
    }
    holder = registry.exchange_holder()
    text = _format_list(orgs, stamp)
    if holder is not None:
        data["exchange_holder"] = holder
        names = [p.display_name for p in orgs if p.key in (holder.get("keys") or [])]
        text += ("\nExchange mailbox: synchronizes with " + ", ".join(names) if names else
                 "\nExchange mailbox: none of these organizations holds it") + \
            f" (read {holder.get('checked_at')}; d365-orgs mailbox status reads it again)."
    journal = registry.switch_journal()
    if journal is not None:
        from wizard.engine.serverside.journal import summary

        data["pending_switch"] = journal
        text += (f"\nwarning: the switch to {journal.get('target_label')} is not finished: "
                 f"{summary(journal)} Finish it: d365-orgs use")
    return CommandResult(data=data, text=text)


def _format_list(orgs, stamp) -> str:
    if not orgs:
        lines = ["No organizations yet. Add one with: d365-orgs add URL"]
    else:
        header = ("", "#", "Name", "Unique name", "Kind", "Address", "Synchronization")
        via = {"server": "mailbox (server-side)", "computer": "mailbox (this computer)"}
        rows = [("*" if p.is_primary else "", str(i), p.display_name, p.unique_name or "-",
                 p.kind, p.base_url, via.get(p.sync_via or "", "mailbox") if p.is_primary
                 else "none")
                for i, p in enumerate(orgs, 1)]
        widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                 for row in [header, *rows]]
        lines.append("")
        if any(p.is_primary for p in orgs):
            lines.append("* synchronizes appointments, contacts and tasks with your mailbox.")
        else:
            lines.append("No organization synchronizes with your mailbox. "
                         "Choose one with: d365-orgs use ORG")
    if stamp is None:
        lines.append("Mailbox stamp: none (no organization has synchronized yet).")
    else:
        known = next((p for p in orgs if p.org_id and p.org_id.strip("{}").lower()
                      == stamp.org_id.strip("{}").lower()), None)
        name = known.display_name if known else f"{stamp.org_name} (not in this list)"
        when = (f"last synchronized {stamp.to_dict()['last_sync']}" if stamp.last_sync
                else "not synchronized yet")
        lines.append(f"Mailbox stamp: {name}, organization ID {stamp.org_id}, {when}.")
    return "\n".join(lines)


# -- add -------------------------------------------------------------------------------------
def cmd_add(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    from wizard.engine.orgs import OrgProfile, check_display_name, normalize_base_url
    from wizard.engine.urls import parse_org_url

    if getattr(args, "online", False):  # ``add --online``: pick from discovery (auth)
        return cmd_auth.add_online(ctx, args)
    org_url = parse_org_url(args.url, clouds=ctx.engine.custom_clouds or None)
    if not args.no_connect:
        return cmd_auth.connect_new_org(ctx, args, org_url)
    registry = _registry(ctx)
    if args.name is not None:  # clear errors before anything is written
        url = normalize_base_url(org_url.base_url)
        others = [p for p in registry.list() if normalize_base_url(p.base_url) != url
                  and not (args.org_id and p.org_id
                           and p.org_id.strip("{}").lower() == args.org_id.strip("{}").lower())]
        check_display_name(args.name, existing=others)
    auth = {"online": "oauth", "onprem": "ntlm"}.get(org_url.kind, "unknown")
    profile = OrgProfile(
        base_url=org_url.base_url, display_name=args.name or org_url.org_name or "",
        org_id=args.org_id,
        unique_name=args.unique_name, api_url=org_url.api_url, kind=org_url.kind,
        cloud=org_url.cloud, region=org_url.region, auth_method=auth)
    stored, created = registry.add(profile)
    if args.name is not None and not created and stored.display_name != args.name.strip():
        stored = registry.rename(stored.key, args.name)
    verb = "Added" if created else "Updated"
    text = f"{verb} {stored.label} ({stored.base_url})."
    if created and stored.is_primary and stored.org_id:
        text += " It is your first organization, so it synchronizes with your mailbox."
    elif created and stored.is_primary:
        text += (" It is your first organization, so it will synchronize with your mailbox "
                 "once you have connected to it.")
    elif not stored.org_id:
        text += " Not connected yet: connect to it once before it can synchronize."
    return CommandResult(data={"created": created, "org": stored.to_dict(),
                               "warnings": _warnings(ctx)}, text=text)


# -- remove ----------------------------------------------------------------------------------
def cmd_remove(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    registry = _registry(ctx)
    profile = registry.get(args.org)
    question = f"Remove {profile.label} ({profile.base_url}) and its saved credentials?"
    if profile.is_primary:
        question = (f"{profile.label} synchronizes with your mailbox. Removing it leaves no "
                    "organization synchronizing. " + question)
    _confirm(ctx, args, question, "Removing an organization")
    result = registry.remove(profile.key)
    text = result.message
    if result.was_primary:
        text += " (Run: d365-orgs use ORG.)"
    for problem in result.problems:
        text += f"\nwarning: {problem}"
    return CommandResult(data=result.to_dict(), text=text)


# -- rename ----------------------------------------------------------------------------------
def cmd_rename(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    registry = _registry(ctx)
    before = registry.get(args.org)
    after = registry.rename(before.key, args.name)
    return CommandResult(data={"org": after.to_dict(), "old_name": before.display_name},
                         text=f"Renamed “{before.display_name}” to “{after.display_name}”.")


# -- keep-connected ---------------------------------------------------------------------------
class KeepConnectedUsage(WizardError):
    code = "usage"
    template = "Name an organization and on or off, for example: keep-connected 1 off."


def cmd_keep_connected(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    registry = _registry(ctx)
    if (args.org is None) != (args.state is None):
        raise KeepConnectedUsage()
    lines = []
    if args.every is not None:
        minutes = registry.set_keep_connected_minutes(args.every)
        lines.append(f"Keep me connected: every {minutes} minutes.")
    if args.org is not None:
        before = registry.get(args.org)
        after = registry.change_preferences(before.key, keep_connected=args.state == "on")
        lines.append(f"Keep me connected is {args.state} for {after.label}."
                     + ("" if after.keep_connected else " No background traffic goes to it; opening "
                        "it may be slower."))
    minutes = registry.keep_connected_minutes()
    orgs = registry.list()
    if not lines:
        lines.append(f"Every {minutes} minutes while the app runs:")
        lines += [f"  {i}. {p.label}: {'on' if p.keep_connected else 'off'}" for i, p in enumerate(orgs, 1)]
    data = {"minutes": minutes,
            "orgs": [{"index": i, "key": p.key, "display_name": p.display_name,
                      "keep_connected": p.keep_connected} for i, p in enumerate(orgs, 1)]}
    return CommandResult(data=data, text="\n".join(lines))


# -- use ---------------------------------------------------------------------------------------
def cmd_use(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    """The switch, here and in every org's mailbox record (:mod:`wizard.cli.cmd_serverside`)."""
    from wizard.cli.cmd_serverside import cmd_use as use

    return use(ctx, args, _registry(ctx))


def _confirm(ctx: CliContext, args: argparse.Namespace, question: str, what: str) -> None:
    if args.yes:
        return
    if not ctx.interactive:
        raise ConfirmationRequired(
            f"{what} needs your confirmation, and there is no terminal to ask on. "
            "Nothing was changed.",
            fix="Run the command again with --yes to confirm.")
    if not ctx.confirm(question):
        raise Cancelled("Nothing was changed.")
