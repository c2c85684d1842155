"""``d365-orgs signin|signout|discover|test|doctor``, and connecting for ``add``.

Sign-in method flags (shared by signin, discover, add, test):
``--device-code`` (print a code and address, wait), ``--user U --password-stdin`` (read
the password from stdin: Windows authentication on-premises, or authorities that allow
password sign-in such as the sandbox and AD FS), otherwise the system browser. Nothing
asks a question without a terminal; every answer can be given by a flag.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from typing import Any

from wizard.cli.base import CliContext, CommandResult
from wizard.cli.render import action_command
from wizard.engine.errors import WizardError


class CliAuthError(WizardError):
    code = "usage"


def register(sub, parents) -> None:
    p = sub.add_parser("signin", parents=parents,
                       help="sign in to a cloud (for discovery) or to an organization")
    p.add_argument("org", metavar="ORG", nargs="?",
                   help="an added organization (number, name, unique name) or an address; "
                        "without it, sign in to the cloud for discovery")
    add_signin_arguments(p)
    p.add_argument("--cloud", metavar="NAME", help="cloud to sign in to (default: commercial, "
                   "or the one --cloud-file defines)")
    p.set_defaults(func=cmd_signin)

    p = sub.add_parser("signout", parents=parents,
                       help="sign out of an organization: forget its tokens and saved password")
    p.add_argument("org", metavar="ORG", help="number, name, unique name or organization ID")
    p.set_defaults(func=cmd_signout)

    p = sub.add_parser("discover", parents=parents,
                       help="list the organizations your account can use in a cloud")
    p.add_argument("--cloud", metavar="NAME", help="cloud (default: commercial, or the one "
                   "--cloud-file defines)")
    add_signin_arguments(p)
    p.set_defaults(func=cmd_discover)

    p = sub.add_parser("test", parents=parents,
                       help="test the connection to an organization step by step")
    p.add_argument("org", metavar="ORG", help="an added organization, or an address")
    add_signin_arguments(p)
    p.set_defaults(func=cmd_test)

    p = sub.add_parser("doctor", parents=parents,
                       help="connection test plus facts about this computer, for the helpdesk")
    p.add_argument("org", metavar="ORG", help="an added organization, or an address")
    add_signin_arguments(p)
    p.set_defaults(func=cmd_doctor)


def add_signin_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("sign-in")
    g.add_argument("--device-code", action="store_true",
                   help="sign in on another device with a code (helpdesk, SSH, no browser)")
    g.add_argument("--browser", action="store_true",
                   help="sign in with the system browser (the default when signing in)")
    g.add_argument("--user", metavar="USER", help="user name (UPN, or DOMAIN\\user on-premises)")
    g.add_argument("--password-stdin", action="store_true",
                   help="read the password from standard input (Windows authentication, "
                        "or authorities that allow password sign-in)")
    g.add_argument("--save-password", action="store_true",
                   help="keep the password in the system keyring (on-premises)")


# -- connecting for ``d365-orgs add`` (wizard/cli/cmd_orgs.py) ----------------------------
def add_connect_arguments(p: argparse.ArgumentParser) -> None:
    add_signin_arguments(p)
    p.add_argument("--online", action="store_true",
                   help="choose from the organizations your account can use (discovery); "
                        "no URL needed")
    p.add_argument("--cloud", metavar="NAME", help="cloud for --online")
    p.add_argument("--pick", metavar="NAME", action="append", default=[],
                   help="with --online: the org(s) to add (unique name, friendly name or URL); "
                        "repeatable")
    # ``add --online`` needs no URL.
    for action in p._actions:  # noqa: SLF001 - argparse offers no public way
        if action.dest == "url":
            action.nargs = "?"
            action.default = None


def connect_new_org(ctx: CliContext, args: argparse.Namespace, org_url) -> CommandResult:
    options = signin_options(ctx, args, interactive_default="browser")
    added = ctx.engine.connector.add_orgs([(org_url.base_url, options, getattr(args, "name", None))])
    return _added(ctx, added)


def add_online(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    cloud = _cloud(ctx, args)
    orgs = _discover(ctx, args, cloud)
    if not args.pick:
        listing = "\n".join(f"  {o.unique_name}: {o.friendly_name} ({o.url})"
                            + ("" if o.can_add else f"  [{o.reason}]") for o in orgs)
        raise CliAuthError("Say which organization(s) to add with --pick NAME.",
                           fix="Your organizations:\n" + listing if orgs else
                           "Your account has no organizations in this cloud.",
                           code="pick_required")
    chosen = []
    for wanted in args.pick:
        w = wanted.strip().lower().rstrip("/")
        match = [o for o in orgs if w in (o.unique_name.lower(), o.friendly_name.lower(),
                                          o.url.lower(), o.url_name.lower())]
        if not match:
            raise CliAuthError(f"No organization named {wanted!r} was found.",
                               fix="Run d365-orgs discover to see the names.",
                               code="not_found")
        if not match[0].can_add:
            raise CliAuthError(f"{match[0].friendly_name} cannot be added: {match[0].reason}",
                               code="org_disabled")
        chosen.append(match[0])
    options = signin_options(ctx, args, interactive_default="silent")
    if options.username is None:
        options.username = _discovery_user(ctx, cloud, args)
    added = ctx.engine.connector.add_orgs([(org.url, options, org.friendly_name) for org in chosen])
    return _added(ctx, added)


def _added(ctx: CliContext, added) -> CommandResult:
    lines = []
    for profile, created in added:
        verb = "Added" if created else "Updated"
        line = f"{verb} {profile.label} ({profile.base_url}), signed in as {profile.user}."
        if created and profile.is_primary:
            line += " It is your first organization, so it synchronizes with your mailbox."
        lines.append(line)
    data: Any = [{"created": c, "org": p.to_dict()} for p, c in added]
    if len(added) == 1:
        data = data[0]
    return CommandResult(data=data, text="\n".join(lines))


# -- options -----------------------------------------------------------------------------
def signin_options(ctx: CliContext, args: argparse.Namespace, *,
                   interactive_default: str = "silent"):
    from wizard.engine.connect import SignInOptions

    password = None
    if getattr(args, "password_stdin", False):
        # Read once per command: add --online signs in for discovery and for the org.
        if "_password" not in vars(args):
            args._password = ctx.stdin.readline().rstrip("\r\n")
        password = args._password
        if not password:
            raise CliAuthError("--password-stdin was given but standard input was empty.",
                               fix="Pipe the password in: printf '%s\\n' \"$PW\" | d365-orgs ...")
        if not getattr(args, "user", None):
            raise CliAuthError("--password-stdin needs --user.", code="usage")
    if getattr(args, "device_code", False):
        method = "device_code"
    elif password is not None:
        method = "password"
    elif getattr(args, "browser", False):
        method = "browser"
    else:
        method = interactive_default

    def show_code(prompt) -> None:
        # Always on stderr, also with --json: the person has to read it.
        ctx.stderr.write(prompt.message.rstrip() + "\n")
        ctx.stderr.flush()

    return SignInOptions(method=method, username=getattr(args, "user", None),
                         password=password, save_password=getattr(args, "save_password", False),
                         on_device_code=show_code)


def _cloud(ctx: CliContext, args: argparse.Namespace):
    name = getattr(args, "cloud", None)
    if name:
        return ctx.engine.cloud(name)
    custom = list(ctx.engine.custom_clouds.values())
    if len(custom) == 1:
        return custom[0]
    return ctx.engine.cloud("commercial")


def _discovery_user(ctx: CliContext, cloud, args) -> str | None:
    if getattr(args, "user", None):
        return args.user
    accounts = ctx.engine.authenticator.accounts(cloud.authority, client_id=cloud.client_id)
    names = sorted({a.get("username") for a in accounts if a.get("username")})
    return names[0] if len(names) == 1 else None


def _org_or_url(ctx: CliContext, ref: str):
    """An added org's profile, or the address itself when it is not added."""
    from wizard.engine.orgs import OrgNotFound

    try:
        return ctx.engine.registry.get(ref)
    except OrgNotFound:
        if "." in ref or "/" in ref or ":" in ref:
            return ref
        raise


# -- signin ------------------------------------------------------------------------------
def cmd_signin(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    engine = ctx.engine
    options = signin_options(ctx, args, interactive_default="browser")
    if args.org:
        target = _org_or_url(ctx, args.org)
        # "signin" means sign in again, never "reuse the cached token" (which may be the
        # one the org refuses).
        if isinstance(target, str):
            conn = engine.connector.connect(target, options, force=True)
            who = conn.client.whoami()
        else:
            profile, conn = engine.connector.sign_in_org(target, options)
            who = {"UserId": profile.user_id}
        data: dict[str, Any] = {"user": conn.username, "auth_method": conn.auth_method,
                                "tenant_id": conn.tenant_id, "authority": conn.authority,
                                "org_url": conn.org_url.base_url, "user_id": who.get("UserId")}
        if not isinstance(target, str):
            data["org"] = target.key
        text = f"Signed in to {conn.org_url.base_url} as {conn.username}."
        return CommandResult(data=data, text=_with_cache_note(engine, text))
    cloud = _cloud(ctx, args)
    result = engine.connector.sign_in_cloud(cloud, options, force=True)
    data = {"cloud": cloud.name, **result.describe()}
    text = f"Signed in to {cloud.display_name} as {result.username}."
    return CommandResult(data=data, text=_with_cache_note(engine, text))


def _with_cache_note(engine, text: str) -> str:
    cache = engine.token_cache
    if not getattr(cache, "persistent", True):
        return text + "\n" + cache.status
    return text


# -- signout -----------------------------------------------------------------------------
def cmd_signout(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    profile = ctx.engine.registry.get(args.org)
    result = ctx.engine.connector.sign_out(profile)
    text = f"Signed out of {profile.label}."
    if result["accounts_removed"]:
        text += f" Removed the saved sign-in of {profile.user}."
    if result["secrets_removed"]:
        text += " Removed its saved credentials from the keyring."
    return CommandResult(data=result, text=text)


# -- discover ----------------------------------------------------------------------------
def _discover(ctx: CliContext, args: argparse.Namespace, cloud):
    options = signin_options(ctx, args, interactive_default="silent")
    result, orgs = ctx.engine.connector.discover(cloud, options)
    args.user = result.username
    return orgs


def cmd_discover(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    cloud = _cloud(ctx, args)
    orgs = _discover(ctx, args, cloud)
    lines = [f"Organizations for {args.user} in {cloud.display_name}:"] if orgs else [
        f"Your account ({args.user}) has no organizations in {cloud.display_name}."]
    for o in orgs:
        state = "" if o.can_add else f"  [disabled: {o.reason}]"
        lines.append(f"  {o.friendly_name} ({o.unique_name})  {o.url}  "
                     f"{o.region or ''} {o.version or ''}{state}".rstrip())
    return CommandResult(data={"cloud": cloud.name, "user": args.user,
                               "orgs": [o.to_dict() for o in orgs]}, text="\n".join(lines))


# -- test / doctor -----------------------------------------------------------------------
_MARK = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip", "warning": "warn"}


def _run_steps(ctx: CliContext, args: argparse.Namespace):
    target = _org_or_url(ctx, args.org)
    options = signin_options(ctx, args, interactive_default="silent")
    steps = []
    for step in ctx.engine.connector.test(target, options):
        steps.append(step)
        ctx.progress(f"[{_MARK[step.status]}] {step.title}: {step.message}")
        if step.status in ("failed", "warning") and step.fix:
            ctx.progress(f"       Fix: {step.fix}")
        command = action_command(step.data.get("action"), {**step.data, "org_ref": args.org})
        if step.status in ("failed", "warning") and command:
            ctx.progress(f"       Run: {command}")
    return target, steps


def _summary(steps) -> tuple[bool, str]:
    failed = [s for s in steps if s.status == "failed"]
    if not failed:
        return True, "All checks passed."
    head = "1 check failed: " if len(failed) == 1 else f"{len(failed)} checks failed: "
    return False, head + ", ".join(s.title for s in failed) + "."


def _test_data(ok: bool, summary: str, steps) -> dict[str, Any]:
    data: dict[str, Any] = {"ok": ok, "steps": [s.to_dict() for s in steps]}
    if not ok:  # the CLI's error shape too, so scripts can treat it like any failure
        first = next(s for s in steps if s.status == "failed")
        data["error"] = {"code": first.code or "test_failed",
                         "message": f"{summary} {first.message}"
                                    + (f" {first.fix}" if first.fix else "")}
    return data


def cmd_test(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    target, steps = _run_steps(ctx, args)
    ok, summary = _summary(steps)
    return CommandResult(data=_test_data(ok, summary, steps), text=summary,
                         exit_code=0 if ok else 1)


def environment_facts(engine) -> dict[str, Any]:
    import ssl

    import msal
    import requests

    from wizard import __version__
    from wizard.engine.http import environment_ca_variables, proxy_for_url

    secrets = engine.secrets
    facts: dict[str, Any] = {
        "d365_wizard": __version__, "python": sys.version.split()[0],
        "platform": platform.platform(), "msal": msal.__version__,
        "requests": requests.__version__, "openssl": ssl.OPENSSL_VERSION,
        "keyring": {"available": secrets.available, "backend": secrets.backend_name,
                    "problem": secrets.unavailable_reason,
                    "trusted_because": secrets.describe().get("trusted_because")},
        "token_cache": engine.token_cache.status,
        "ca_bundles": engine.ca_bundles,
        "os_trust_store": {k: v for k, v in ssl.get_default_verify_paths()._asdict().items()
                           if k in ("cafile", "capath")},
        "ca_environment": environment_ca_variables(),
        "trust": "the operating system's certificate verifier (truststore) plus --ca-bundle "
                 "and cloud-file CAs",
        "clouds": sorted(engine.clouds),
        "config_dir": str(engine.paths.config_dir),
    }
    facts["proxy"] = {c.name: proxy_for_url(engine.session, c.discovery_url)
                      for c in engine.clouds.values()}
    return facts


def cmd_doctor(ctx: CliContext, args: argparse.Namespace) -> CommandResult:
    facts = environment_facts(ctx.engine)
    target, steps = _run_steps(ctx, args)
    ok, summary = _summary(steps)
    lines = [summary, "", "This computer:"]
    for k, v in facts.items():
        lines.append(f"  {k}: {json.dumps(v) if isinstance(v, (dict, list)) else v}")
    if facts["ca_environment"]:
        lines.append("  (REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE are not used; SSL_CERT_FILE can only "
                     "add to the system store: d365-wizard trusts the system store plus "
                     "--ca-bundle.)")
    return CommandResult(data={**_test_data(ok, summary, steps), "environment": facts},
                         text="\n".join(lines), exit_code=0 if ok else 1)
