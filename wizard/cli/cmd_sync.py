"""Subcommands of the sync capability: ``sync``, ``mailbox ...``, ``settings ...``."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.cli import cmd_regarding
from wizard.cli.base import CliContext, CommandResult, output_file
from wizard.engine.errors import WizardError
from wizard.engine.mailstore import FOLDERS

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.sync.dav import DavSide
    from wizard.engine.sync.mailside import LocalSide, MailboxSide
    from wizard.engine.sync.status import StatusDB
    from wizard.engine.sync.vdir import VdirSide

SETTING_NAMES = {
    "appointment-attachments": "appointment_attachments",
    "assigned-tasks": "assigned_tasks",
    "resource-bookings": "resource_bookings",
    "contact-addresses": "mailing_address_only",
}
TRUE, FALSE = ("on", "true", "yes", "1"), ("off", "false", "no", "0")


class CliSyncError(WizardError):
    code = "usage"


def register(sub, parents) -> None:
    p = sub.add_parser("sync", parents=parents,
                       help="synchronize the mailbox with the synchronizing organization")
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    p.add_argument("--override-stamp", action="store_true",
                   help="sync items from this org only, even if the mailbox was set to sync "
                        "with a different org (rewrites the mailbox stamp)")
    p.add_argument("--allow-mass-delete", action="store_true",
                   help="confirm mirroring a side that was emptied (deletes on the other side)")
    p.add_argument("--org", metavar="ORG", help="the org to sync (must be the synchronizing org)")
    p.add_argument("--resolver", choices=("org-wins", "mailbox-wins", "newest-wins"),
                   default="org-wins", help="who wins when both sides changed the same field")
    p.set_defaults(func=cmd_sync)

    mb = sub.add_parser("mailbox", parents=parents, help="the local mailbox (act as its user)")
    msub = mb.add_subparsers(dest="mailbox_command", metavar="ACTION", required=True)
    folder_help = "calendar, contacts, tasks or inbox"
    q = msub.add_parser("list", parents=parents, help="list mailbox items")
    q.add_argument("--folder", choices=sorted(FOLDERS), help=folder_help)
    q.set_defaults(func=cmd_mailbox_list)
    q = msub.add_parser("add", parents=parents, help="add an item (as the mailbox user)")
    q.add_argument("--folder", choices=sorted(FOLDERS), required=True, help=folder_help)
    q.add_argument("--set", metavar="FIELD=VALUE", action="append", default=[],
                   help="a field value (JSON values allowed: lists, numbers); repeatable")
    q.add_argument("--track", action="store_true", help="track it in the organization")
    q.set_defaults(func=cmd_mailbox_add)
    q = msub.add_parser("edit", parents=parents, help="change an item's fields")
    q.add_argument("item", metavar="ID", help="item id (or a unique prefix)")
    q.add_argument("--set", metavar="FIELD=VALUE", action="append", default=[])
    q.add_argument("--unset", metavar="FIELD", action="append", default=[])
    q.set_defaults(func=cmd_mailbox_edit)
    for name, tracked, text in (("track", True, "track an item in the organization"),
                                ("untrack", False, "stop tracking (deletes the org's copy "
                                                   "only if you own it)")):
        q = msub.add_parser(name, parents=parents, help=text)
        q.add_argument("item", metavar="ID")
        if tracked:
            cmd_regarding.add_track_options(q)
        q.set_defaults(func=cmd_mailbox_track, tracked=tracked)
    cmd_regarding.register(msub, parents)
    q = msub.add_parser("delete", parents=parents, help="delete an item from the mailbox")
    q.add_argument("item", metavar="ID")
    q.set_defaults(func=cmd_mailbox_delete)
    q = msub.add_parser("export", parents=parents, help="export a folder to .ics/.vcf")
    q.add_argument("--folder", choices=("calendar", "contacts", "tasks"), required=True)
    q.add_argument("--out", metavar="FILE", required=True, type=output_file)
    q.set_defaults(func=cmd_mailbox_export)
    q = msub.add_parser("conflicts", parents=parents, help="the conflicts of past syncs")
    q.set_defaults(func=cmd_mailbox_conflicts)
    from wizard.cli import cmd_mailbox_side
    from wizard.cli.cmd_serverside import register_mailbox

    cmd_mailbox_side.register(msub, parents)
    register_mailbox(msub, parents)
    q = msub.add_parser("offline", parents=parents,
                        help="records kept for offline use (by the offline filters)")
    q.add_argument("--folder", choices=("calendar", "contacts", "tasks"), default="contacts")
    q.set_defaults(func=cmd_mailbox_offline)

    st = sub.add_parser("settings", parents=parents,
                        help="the organization's Synchronization settings")
    ssub = st.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    q = ssub.add_parser("show", parents=parents, help="show the settings, fields and filters")
    q.add_argument("--org", metavar="ORG")
    q.set_defaults(func=cmd_settings_show)
    q = ssub.add_parser("set", parents=parents, help="change a setting (needs the privilege)")
    q.add_argument("name", choices=sorted(SETTING_NAMES))
    q.add_argument("value", help="on/off; for contact-addresses: mailing or all")
    q.add_argument("--yes", action="store_true", help="confirm (contact-addresses remaps contacts)")
    q.add_argument("--dry-run", action="store_true", help="only list what would change")
    q.add_argument("--org", metavar="ORG")
    q.set_defaults(func=cmd_settings_set)


# ------------------------------------------------------------------ sync
class ProgressBar:
    def __init__(self, ctx: CliContext) -> None:
        self.ctx = ctx
        self.enabled = not ctx.json
        self.last = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if total:
            width = 24
            filled = int(width * done / total)
            line = f"\r[{'#' * filled}{' ' * (width - filled)}] {stage} {done}/{total}"
        else:
            line = f"\r{stage}..."
        self.ctx.stderr.write(line.ljust(len(self.last)))
        self.ctx.stderr.flush()
        self.last = line

    def close(self) -> None:
        if self.enabled and self.last:
            self.ctx.stderr.write("\n")
            self.ctx.stderr.flush()


def cmd_sync(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    from wizard.engine.sync.run import open_synchronizer

    bar = ProgressBar(ctx)
    sync, store = open_synchronizer(ctx.engine, org_ref=args.org, resolver=args.resolver,
                                    progress=bar)
    try:
        report = sync.run(dry_run=args.dry_run, override_stamp=args.override_stamp,
                          allow_mass_delete=args.allow_mass_delete)
    finally:
        bar.close()
        store.close()
    data = report.to_dict()
    counts = report.counts()
    verb = "Would change" if args.dry_run else "Synchronized with"
    lines = [f"{verb} {report.org_name}: " + (", ".join(f"{n} {op}" for op, n in
                                                        sorted(counts.items()))
                                              or "nothing to do") + "."]
    for notice in report.notices:
        lines.append(f"Note: {notice}")
    for a in report.actions:
        extra = f" ({', '.join(a.fields)})" if a.fields else ""
        lines.append(f"  {a.op:<15} {a.kind:<11} {a.title}{extra}"
                     + (f": {a.reason}" if a.reason else ""))
    for skipped in report.skipped:
        lines.append(f"  not sent: {skipped} (it stays queued)")
    for c in report.conflicts:
        lines.append(f"  conflict: {c.kind} {c.field}: mailbox {c.mailbox_value!r}, "
                     f"org {c.org_value!r} -> {c.winner} wins")
    return CommandResult(data=data, text="\n".join(lines))


# ------------------------------------------------------------------ mailbox
def _store(ctx: CliContext) -> LocalSide | VdirSide | DavSide:
    """The configured mailbox side (the local store by default), up to date."""
    from wizard.engine.sync.sides import open_side

    side = open_side(ctx.engine)
    try:
        side.refresh()
    except BaseException:
        side.close()
        raise
    return side


def _parse_sets(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise CliSyncError(f"--set needs FIELD=VALUE, not {pair!r}.")
        k, _, v = pair.partition("=")
        if not k.strip():
            raise CliSyncError(f"--set needs a field name before '=', not {pair!r}.")
        try:
            value = json.loads(v) if v[:1] in "[{\"" or v in ("true", "false", "null") or \
                _NUMBER.fullmatch(v) else v
        except ValueError:
            value = v
        out[k.strip()] = value
    return out


_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")


def cmd_mailbox_list(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    with _store(ctx) as store:
        items = store.items(FOLDERS[args.folder]) if args.folder else store.items()
        data = []
        for item in items:
            d = item.to_dict()
            problems = store.check(item)
            if problems:
                d["problems"] = problems
            data.append(d)
    lines = [f"{i['local_id'][:8]}  {i['folder']:<8} {'tracked ' if i['tracked'] else 'local   '}"
             f"{i['title']}" + ("  [!]" if i.get("problems") else "") for i in data] or [
        "The mailbox is empty."]
    bad = [i for i in data if i.get("problems")]
    for i in bad:
        lines.append(f"warning: item {i['local_id'][:8]} has values of the wrong kind: "
                     f"{'; '.join(i['problems'])}. Correct them with 'd365-orgs mailbox edit "
                     f"{i['local_id'][:8]} --set FIELD=VALUE' (or --unset FIELD).")
    return CommandResult(data={"items": data, "damaged": len(bad)}, text="\n".join(lines))


def cmd_mailbox_add(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    with _store(ctx) as store:
        item = store.add(FOLDERS[args.folder], _parse_sets(args.set), tracked=args.track)
    return CommandResult(data=item.to_dict(),
                         text=f"Added {item.title} ({item.local_id})"
                              + (", tracked." if item.tracked else "."))


def cmd_mailbox_edit(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    with _store(ctx) as store:
        item = store.require(args.item)
        changes = _parse_sets(args.set)
        changes.update({k: None for k in args.unset})
        item = store.update(item.local_id, changes)
    return CommandResult(data=item.to_dict(), text=f"Changed {item.title}.")


def cmd_mailbox_track(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    from wizard.engine.sync import regarding as rg

    record, offline = None, False
    with _store(ctx) as store:
        item = store.require(args.item)
        if args.tracked:
            record, offline = cmd_regarding.chosen(ctx, store, args)
        if record is not None:
            item = rg.set_regarding(store, item.local_id, record)   # tracks it too
        else:
            item = store.set_tracked(item.local_id, args.tracked)
    data = item.to_dict()
    if record is not None:
        data["regarding"] = record.to_dict()
        data["offline"] = offline
    if args.tracked:
        text = f"{item.title} is tracked; it reaches the organization at the next sync."
        if record is not None:
            text += f" It is regarding {cmd_regarding.describe(record, record.name or None)}."
        if item.kind == "email":
            from wizard.engine.sync.engine import EMAIL_NOTICE
            text += " " + EMAIL_NOTICE
    else:
        text = (f"{item.title} is no longer tracked. At the next sync its copy in the "
                "organization is deleted if you own it; otherwise it stays there.")
    return CommandResult(data=data, text=text)


def cmd_mailbox_delete(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    with _store(ctx) as store:
        item = store.require(args.item)
        store.delete(item.local_id)
    return CommandResult(data={"deleted": item.local_id}, text=f"Deleted {item.title}.")


def cmd_mailbox_export(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    out = Path(args.out)
    with _store(ctx) as store:
        n = store.export(args.folder, out)
        skipped = store.export_skipped
    text = f"Exported {'1 item' if n == 1 else f'{n} items'} from {args.folder} to {out}."
    for local_id, title, problems in skipped:
        text += (f"\nwarning: skipped {title} ({local_id[:8]}): {'; '.join(problems)}. "
                 f"Correct it with 'd365-orgs mailbox edit {local_id[:8]} --set FIELD=VALUE'.")
    return CommandResult(data={"folder": args.folder, "file": str(out), "items": n,
                               "skipped": [{"local_id": i, "title": t, "problems": p}
                                           for i, t, p in skipped]}, text=text)


def _status_for(ctx: CliContext, store: MailboxSide) -> StatusDB:
    from wizard.engine.sync.status import StatusDB

    stamp = (getattr(store, "stamp_store", None) or ctx.engine.mailbox).stamp()
    if stamp is None:
        raise CliSyncError("The mailbox has not synchronized with any organization yet.",
                           code="not_synced")
    return StatusDB(store.status_conn, stamp.org_id)


def cmd_mailbox_conflicts(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    with _store(ctx) as store:
        rows = _status_for(ctx, store).conflicts()
    lines = [f"{r['kind']} {r['org_record_id']} {r['field']}: mailbox {r['mailbox_value']!r}, "
             f"org {r['org_value']!r} -> {r['winner']} wins" for r in rows] or ["No conflicts."]
    return CommandResult(data={"conflicts": rows}, text="\n".join(lines))


def cmd_mailbox_offline(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    kind = FOLDERS[args.folder]
    with _store(ctx) as store:
        rows = _status_for(ctx, store).offline_records(kind)
    return CommandResult(data={"folder": args.folder, "records": rows},
                         text=(f"1 record kept for offline use in {args.folder}." if len(rows) == 1 else
                               f"{len(rows)} records kept for offline use in {args.folder}."))


# ------------------------------------------------------------------ settings
def cmd_settings_show(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    from wizard.engine.sync.mapping import DIRECTION_NAMES
    from wizard.engine.sync.settings import OrgSyncSettings

    with OrgSyncSettings.open(ctx.engine, args.org) as org_settings:
        view = org_settings.view()
    settings, filters, privileged = view.settings, view.filters, view.can_edit
    fields = {kind: [m.to_dict() for m in maps] for kind, maps in view.fields.items()}
    data = {"org": view.org_name, "settings": settings.to_dict(), "can_edit": privileged,
            "fields": fields, "filters": [f.to_dict() for f in filters]}
    s = settings.to_dict()
    lines = [f"Synchronization settings of {view.org_name}"
             + ("" if privileged else " (read only: you lack the Sync-to-Outlook privilege)"),
             f"  appointment-attachments  {'on' if s['appointment_attachments'] else 'off'}",
             f"  assigned-tasks           {'on' if s['assigned_tasks'] else 'off'}",
             f"  contact-addresses        {s['contact_addresses']}",
             f"  resource-bookings        {'on' if s['resource_bookings'] else 'off'}",
             "Synchronized fields:"]
    for kind, maps in fields.items():
        lines.append(f"  {kind}: " + ", ".join(
            f"{m['label'] or m['mailbox_field']} ({DIRECTION_NAMES[m['direction']]})"
            for m in maps))
    lines.append("Filters: " + (", ".join(f"{f.name} [{f.entity}, "
                                          f"{'offline' if f.querytype == 16 else 'sync'}]"
                                          for f in filters) or "defaults (my records)"))
    return CommandResult(data=data, text="\n".join(lines))


def cmd_settings_set(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    from wizard.engine.sync.settings import OrgSyncSettings

    name = SETTING_NAMES[args.name]
    value = args.value.strip().lower()
    if name == "mailing_address_only":
        if value not in ("mailing", "all"):
            raise CliSyncError("contact-addresses is either 'mailing' or 'all'.")
        new: bool = value == "mailing"
    elif value in TRUE or value in FALSE:
        new = value in TRUE
    else:
        raise CliSyncError(f"{args.name} is either 'on' or 'off'.")
    with OrgSyncSettings.open(ctx.engine, args.org) as org_settings:
        org_settings.require_privilege()
        if name != "mailing_address_only":
            if args.dry_run:
                return CommandResult(data={"applied": False, "name": args.name, "value": new},
                                     text=f"Would set {args.name} to {args.value}.")
            settings = org_settings.change(**{name: new})
            return CommandResult(data={"applied": True, "settings": settings.to_dict()},
                                 text=f"{args.name} is now {args.value}. It takes effect at "
                                      "the next sync.")
        plan = org_settings.plan_addresses(new)
        text = plan.describe()
        if plan.mailing_only_before == new:
            return CommandResult(data={"applied": False, "plan": plan.to_dict()},
                                 text=f"Contact addresses are already set to {value}.")
        confirmed = args.yes or (not args.dry_run and ctx.confirm(
            text + "\n\nA backup is taken first. Switch now?"))
        if args.dry_run or not confirmed:
            tail = ("\nNothing changed (dry run)." if args.dry_run else
                    "\nNothing changed. Run again with --yes to switch (a backup is taken "
                    "first).")
            return CommandResult(data={"applied": False, "plan": plan.to_dict()},
                                 text=text + tail, exit_code=0 if args.dry_run else 2)
        backup = org_settings.switch_addresses(plan)
        return CommandResult(data={"applied": True, "plan": plan.to_dict(),
                                   "backup": str(backup)},
                             text=text + f"\nSwitched. Backup: {backup}")
