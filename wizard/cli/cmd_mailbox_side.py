"""``mailbox connect`` and ``mailbox show``: which mailbox "This computer" syncs with.

``connect local`` (the app's own store), ``connect vdir PATH`` (a folder of .ics/.vcf
files, as vdirsyncer, khal and khard use) or ``connect dav URL --user U
[--password-stdin]`` (a CalDAV/CardDAV account; the password goes to the keyring).
"""

from __future__ import annotations

import argparse
import getpass

from wizard.cli.base import CliContext, CommandResult
from wizard.engine.errors import WizardError

KIND_NAMES = {"appointment": "calendar", "task": "tasks", "contact": "contacts"}


class CliMailboxError(WizardError):
    code = "usage"


def register(msub, parents) -> None:
    q = msub.add_parser("connect", parents=parents,
                        help="choose the mailbox to sync with: local, vdir PATH or dav URL")
    q.add_argument("side", choices=("local", "vdir", "dav"),
                   help="local: the app's own store; vdir: a folder of .ics/.vcf files; "
                        "dav: a CalDAV/CardDAV account")
    q.add_argument("target", nargs="?", metavar="PATH|URL",
                   help="the folder (vdir) or the server's address (dav)")
    q.add_argument("--user", metavar="U", help="the DAV account's user name")
    q.add_argument("--password-stdin", action="store_true",
                   help="read the DAV password (or app password) from standard input")
    q.add_argument("--test", action="store_true",
                   help="only test it and list the collections found; change nothing")
    q.set_defaults(func=cmd_mailbox_connect)
    q = msub.add_parser("show", parents=parents, help="the mailbox this computer syncs with")
    q.set_defaults(func=cmd_mailbox_show)


def _password(ctx: CliContext, args: argparse.Namespace) -> str | None:
    if args.side != "dav" or not args.user:
        if args.password_stdin:
            raise CliMailboxError("--password-stdin needs dav and --user.")
        return None
    if args.password_stdin:
        password = ctx.stdin.readline().rstrip("\r\n")
        if not password:
            raise CliMailboxError("--password-stdin was given but standard input was empty.",
                                  fix="Pipe the password in: printf '%s\\n' \"$PW\" | "
                                      "d365-orgs mailbox connect dav URL --user U "
                                      "--password-stdin")
        return password
    if ctx.interactive:
        return getpass.getpass(f"Password for {args.user}: ")
    raise CliMailboxError("A password is needed for the DAV account.",
                          fix="Pass it with --password-stdin.")


def _collection_lines(collections: dict) -> list[str]:
    lines = []
    for kind in ("appointment", "task", "contact"):
        c = collections.get(kind)
        lines.append(f"  {KIND_NAMES[kind]:<9} " + (f"{c.get('name')} ({c.get('url')})"
                                                    if c else "none found"))
    return lines


def cmd_mailbox_connect(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    from wizard.engine.sync import sides

    if args.side in ("vdir", "dav") and not args.target:
        raise CliMailboxError(f"mailbox connect {args.side} needs the "
                              f"{'folder' if args.side == 'vdir' else 'server address'}.")
    if args.side == "local" and args.target:
        raise CliMailboxError("mailbox connect local takes no PATH or URL.")
    password = _password(ctx, args)
    act = sides.probe if args.test else sides.connect
    connection = act(ctx.engine, args.side, args.target, user=args.user, password=password)
    verb = "Would synchronize" if args.test else "This computer now synchronizes"
    where = {"local": "the app's own mailbox", "vdir": f"the folder {connection.config.path}",
             "dav": f"{connection.config.url} as {connection.config.user}"}[args.side]
    lines = [f"{verb} with {where}:"] + _collection_lines(connection.collections)
    if args.side == "dav" and not args.test:
        lines.append("The password is kept in the keyring.")
    if not args.test and args.side != "local":
        lines.append("Items already there are matched by their organization record before "
                     "anything is created.")
    return CommandResult(data={"applied": not args.test, **connection.to_dict()},
                         text="\n".join(lines))


def cmd_mailbox_show(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    from wizard.engine.sync import sides

    config = sides.load_config(ctx.engine.paths)
    data = {"side": config.side, "target": config.target, "user": config.user,
            "collections": config.collections or {k: {"name": v, "url": ""}
                                                  for k, v in config.folders.items()}}
    if config.side == "local":
        lines = [f"This computer synchronizes with the app's own mailbox "
                 f"({ctx.engine.paths.mailbox_db})."]
        stamp = ctx.engine.mailbox.stamp()
    else:
        side = sides.open_side(ctx.engine, config)
        try:
            stamp = side.stamp_store.stamp()
        finally:
            side.close()
        where = (f"the folder {config.path}" if config.side == "vdir"
                 else f"{config.url} as {config.user}")
        lines = [f"This computer synchronizes with {where}:"]
        if config.side == "dav":
            lines += _collection_lines(config.collections)
        else:
            lines += [f"  {KIND_NAMES[k]:<9} {config.path}/{v}" for k, v in config.folders.items()]
    stamp_data = stamp.to_dict() if stamp else None
    data["stamp"] = stamp_data
    lines.append(f"Stamp: {stamp.org_name} ({stamp.org_id})" + (
        f", last synchronized {stamp_data['last_sync']}" if stamp.last_sync else "")
        if stamp and stamp_data else "Stamp: no organization synchronizes with it yet.")
    return CommandResult(data=data, text="\n".join(lines))
