"""``d365-orgs mailbox track ITEM --regarding TYPE:ID | --regarding-search TEXT`` and
``mailbox regarding ITEM [--set TYPE:ID | --search TEXT | --clear]``: Set Regarding.

The record is found in the synchronizing org (online) or among the mailbox's contacts from
the org (offline, when the org cannot be reached); only its type and id are stored. Names are
shown, never kept.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from typing import Any

from wizard.cli.base import CliContext, CommandResult
from wizard.engine.itemtypes import REGARDING_TYPES
from wizard.engine.sync import regarding as rg
from wizard.engine.sync.orgside import OrgUnreachable


def add_track_options(q: argparse.ArgumentParser) -> None:
    group = q.add_mutually_exclusive_group()
    group.add_argument("--regarding", metavar="TYPE:ID",
                       help="also set the record it is regarding (account, contact, "
                            "opportunity, lead or incident, and the record's id)")
    group.add_argument("--regarding-search", metavar="TEXT",
                       help="also set the regarding record: the one whose name contains TEXT")


def register(msub: Any, parents: list[argparse.ArgumentParser]) -> None:
    q = msub.add_parser("regarding", parents=parents,
                        help="show, set or clear the record an activity is regarding")
    q.add_argument("item", metavar="ID", help="item id (or a unique prefix)")
    group = q.add_mutually_exclusive_group()
    group.add_argument("--set", metavar="TYPE:ID", dest="regarding",
                       help="set it (this also tracks the item)")
    group.add_argument("--search", metavar="TEXT", dest="regarding_search",
                       help="set it to the one record whose name contains TEXT")
    group.add_argument("--clear", action="store_true", help="clear it")
    q.add_argument("--type", action="append", choices=REGARDING_TYPES, dest="types",
                   help="with --search: look in this table only (repeatable)")
    q.set_defaults(func=cmd_mailbox_regarding)


@contextlib.contextmanager
def _org(ctx: CliContext) -> Iterator[Any]:
    from wizard.engine.sync.run import open_synchronizer

    sync, side = open_synchronizer(ctx.engine, settings_only=True)
    side.close()
    yield sync.org


def find(ctx: CliContext, store: Any, text: str,
         types: list[str] | None = None) -> tuple[rg.RegardingRecord, bool]:
    """The one record ``text`` names (and whether it was found offline)."""
    try:
        with _org(ctx) as org:
            return rg.pick_one(rg.search_online(org, text, types=types), text), False
    except OrgUnreachable:
        return rg.pick_one(rg.search_offline(store, text), text), True


def chosen(ctx: CliContext, store: Any, args: argparse.Namespace
           ) -> tuple[rg.RegardingRecord | None, bool]:
    if getattr(args, "regarding", None):
        return rg.parse(args.regarding), False
    if getattr(args, "regarding_search", None):
        return find(ctx, store, args.regarding_search, getattr(args, "types", None))
    return None, False


def display_name(ctx: CliContext, store: Any, record: rg.RegardingRecord) -> tuple[str | None, bool]:
    """The record's name for display (online, else from the mailbox's contacts)."""
    try:
        with _org(ctx) as org:
            return rg.name_online(org, record), False
    except OrgUnreachable:
        return rg.name_offline(store, record), True


def describe(record: rg.RegardingRecord | None, name: str | None) -> str:
    if record is None:
        return "nothing"
    return f"{name} ({record.value})" if name else record.value


def cmd_mailbox_regarding(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    from wizard.cli.cmd_sync import _store

    with _store(ctx) as store:
        item = store.require(args.item)
        if args.clear:
            item = rg.set_regarding(store, item.local_id, None)
            return CommandResult(data={"item": item.to_dict(), "regarding": None},
                                 text=f"{item.title} is no longer regarding a record; the "
                                      "organization learns it at the next sync.")
        record, offline = chosen(ctx, store, args)
        if record is not None:
            item = rg.set_regarding(store, item.local_id, record)
            name = record.name or None
            text = (f"{item.title} is now regarding {describe(record, name)}; it is tracked "
                    "and the organization learns it at the next sync.")
        else:
            if item.kind not in rg.ACTIVITY_KINDS:
                raise rg.RegardingNotActivity(kind=item.kind, title=item.title)
            record = rg.regarding_of(item)
            name, offline = display_name(ctx, store, record) if record else (None, False)
            text = f"{item.title} is regarding {describe(record, name)}."
    data = {"item": item.to_dict(), "offline": offline,
            "regarding": None if record is None else {**record.to_dict(), "name": name}}
    return CommandResult(data=data, text=text + (" (The organization could not be reached: "
                                                 "found among the mailbox's contacts.)"
                                                 if offline else ""))
