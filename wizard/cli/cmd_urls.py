"""``d365-orgs check-url``: show how the wizard understands an address (for helpdesks)."""

from __future__ import annotations

import argparse

from wizard.cli.base import CliContext, CommandResult
from wizard.engine.urls import KIND_NAMES, REGION_NAMES, parse_org_url


def register(sub, parents) -> None:
    """Add this module's subcommands to ``sub``."""
    p = sub.add_parser(
        "check-url", parents=parents,
        help="show how an organization address is understood (online, on-premises, IFD)",
        description="Parse an organization address the way the wizard does and print the "
                    "org's base URL, kind, cloud, region and Web API URL. Exits 1 with an "
                    "explanation when the text is not an organization address. Custom clouds "
                    "given with --cloud-file are recognised.")
    p.add_argument("text", metavar="TEXT",
                   help="the address as copied from the browser (quote it in the shell)")
    p.set_defaults(func=check_url)


def check_url(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    clouds = ctx.engine.clouds
    result = parse_org_url(args.text, ctx.engine.custom_clouds)
    cloud = clouds.get(result.cloud) if result.cloud else None
    data = result.to_dict()
    data["kind_name"] = KIND_NAMES[result.kind]
    data["cloud_name"] = cloud.display_name if cloud else None
    data["region_name"] = REGION_NAMES.get(result.region or "")
    region = "unknown"
    if result.region:
        region = result.region + (f" ({data['region_name']})" if data["region_name"] else "")
    rows = [
        ("Organization URL", result.base_url),
        ("Kind", KIND_NAMES[result.kind]),
        ("Cloud", cloud.display_name if cloud else "none (your own servers)"),
        ("Region", region if result.kind == "online" else "not applicable"),
        ("Organization name", result.org_name or "unknown (found when connecting)"),
        ("Web API", result.web_api_base),
    ]
    width = max(len(label) for label, _ in rows) + 1
    text = "\n".join(f"{label + ':':<{width}} {value}" for label, value in rows)
    return CommandResult(data=data, text=text)
