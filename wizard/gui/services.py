"""The GUI's one seam to the engine.

Everything the windows need from the engine is a method here. Methods are synchronous
and may block (network, keyring, disk): the GUI calls them only through the task runner
(``wizard.gui.tasks``), never on the GUI thread. The exceptions are ``parse_url`` and
``clouds``, which are pure computations.

The GUI works with the small view types below, not with engine objects, so the windows
do not change when an engine module does. :class:`EngineServices` maps the real engine;
tests may pass any object with the same methods.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from wizard.gui.status import OrgStatus  # re-exported: part of the view types

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.context import Engine
    from wizard.gui.tasks import CancelToken

__all__ = ["OrgStatus", "OrgRow", "MailboxHeader", "StepReport", "SwitchPlanView", "OrgChangeView",
           "OrgOutcomeView", "SwitchResultView", "PendingSwitchView", "DiscoveredOrg",
           "UrlFacts", "AuthProbe", "DeviceCodePrompt", "Account", "Credentials", "ConnectedOrg",
           "Diagnostics", "SyncSummary", "SyncSettingsView", "FieldMappingRow", "FilterRow",
           "AddressChangeRow", "AddressPlanView", "BundleResult", "Services", "EngineServices"]


# -- view types ------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgRow:
    key: str
    display_name: str
    unique_name: str
    url: str
    kind: str = "online"
    cloud: str | None = None
    region: str | None = None
    user: str | None = None
    org_id: str | None = None
    auth_method: str = "oauth"
    is_primary: bool = False
    save_credentials: bool = False
    keep_connected: bool = True
    has_saved_credentials: bool = False
    version: str | None = None
    status: str = OrgStatus.UNKNOWN
    status_text: str = ""
    sync_via: str | None = None          # "server", "computer" or None (this computer)


@dataclass(frozen=True)
class MailboxHeader:
    primary_name: str | None
    stamp_org_name: str | None
    stamp_org_id: str | None
    last_sync: _dt.datetime | None
    exchange_holders: tuple[str, ...] = ()  # the orgs last seen holding the Exchange mailbox
    exchange_checked: bool = False          # whether the holder was read at all
    exchange_complete: bool = True          # every org could be read then
    primary_via: str | None = None          # how the synchronizing org synchronizes


@dataclass(frozen=True)
class StepReport:
    """One step of connecting or testing, as the engine reports it."""

    step_id: str
    title: str
    state: str                      # "running", "passed", "failed", "skipped", "warning"
    message: str = ""
    fix: str = ""
    seconds: float | None = None
    action: str = ""                # a one-click fix: "finish_switch", "set_none_elsewhere"


@dataclass(frozen=True)
class OrgChangeView:
    """One org's line of the switch prompt, as facts."""

    key: str
    name: str
    is_target: bool
    current_method: int | None       # actdeliverymethod now: 0 Outlook, 1 server-side, 2 None
    reachable: bool = True
    problem: str = ""                # why the record cannot be read (engine words)
    holds_exchange: bool = False
    approval: int | None = None      # emailrouteraccessapproval
    email: str = ""
    tested_ok: bool = False          # its last Test & Enable succeeded


@dataclass(frozen=True)
class SwitchPlanView:
    """The engine's switch plan as facts; the dialog words them in the user's language."""

    from_name: str | None
    to_name: str
    stamp_org_name: str | None
    stamp_last_sync: _dt.datetime | None
    conflict: bool = False
    already_primary: bool = False
    engine_text: str = ""            # the engine's own (English) summary, for Details
    plan: Any = None                 # the engine's plan object, handed back to apply
    method: str = "server"           # the suggested method: "server" or "computer"
    override_suggested: bool = False  # the Exchange mailbox is held by another org of the list
    orgs: tuple[OrgChangeView, ...] = ()
    exchange_holders: tuple[str, ...] = ()
    pending_name: str | None = None  # an earlier switch that is not finished (its target)


@dataclass(frozen=True)
class OrgOutcomeView:
    key: str
    name: str
    state: str                       # "done", "unchanged", "failed", "unreachable"
    new_method: int | None = None
    message: str = ""                # the engine's words of the error
    fix: str = ""
    code: str = ""
    want_method: int | None = None   # what its record was to be set to
    want_override: bool = False


@dataclass(frozen=True)
class SwitchResultView:
    target_name: str
    method: str
    complete: bool
    orgs: tuple[OrgOutcomeView, ...] = ()
    test_enable: str | None = None   # "success", "elsewhere", "not_approved", "failure",
                                     # "not_run", "cancelled", "not_requested" or None
    test_enable_message: str = ""
    test_enable_fix: str = ""
    holders: tuple[str, ...] = ()
    engine_text: str = ""


@dataclass(frozen=True)
class PendingSwitchView:
    target_key: str
    target_name: str
    what: str                        # the engine's words of what is left


@dataclass(frozen=True)
class DiscoveredOrg:
    unique_name: str
    friendly_name: str
    url: str
    region: str = ""
    version: str = ""
    enabled: bool = True
    org_id: str | None = None
    raw: Any = None


@dataclass(frozen=True)
class UrlFacts:
    """What ``parse_org_url`` found, for the live feedback on the first wizard page."""

    base_url: str
    kind: str
    cloud: str | None
    region: str | None
    org_name: str | None


@dataclass(frozen=True)
class AuthProbe:
    url: str
    method: str                      # "oauth", "ntlm", "adfs"
    needs_credentials: bool          # True when we must ask for user name and password
    cloud: str | None = None
    authority: str | None = None     # where the org's challenge says to sign in
    resource: str | None = None
    tenant_id: str | None = None


@dataclass(frozen=True)
class DeviceCodePrompt:
    user_code: str
    verification_uri: str
    message: str
    expires_in: int = 900


@dataclass
class Account:
    username: str
    cloud: str
    tenant_id: str | None = None
    handle: Any = None               # engine-side account object


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)
    mfa_code: str = field(default="", repr=False)


@dataclass
class ConnectedOrg:
    """An org that passed the Connecting page but is not saved yet (only Finish saves)."""

    unique_name: str
    display_name: str
    url: str
    user: str | None
    warnings: tuple[str, ...] = ()
    handle: Any = None


@dataclass(frozen=True)
class Diagnostics:
    facts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SyncSummary:
    """One finished "Synchronize Now": what came in, what went out, and what did not."""

    org_name: str
    came_in: dict[str, int]              # "create" / "update" / "delete" -> count (into the mailbox)
    went_out: dict[str, int]             # the same, into the organization
    conflicts: tuple[str, ...] = ()      # one line per conflict (the engine's words)
    not_sent: tuple[str, ...] = ()       # "item: why" for each change that stays queued
    notices: tuple[str, ...] = ()
    details: str = ""                    # every action, for the Details section
    last_sync: _dt.datetime | None = None


@dataclass(frozen=True)
class FieldMappingRow:
    label: str
    mailbox_field: str
    org_field: str
    direction: int                       # 0 none, 1 to mailbox, 2 to org, 3 both


@dataclass(frozen=True)
class FilterRow:
    name: str
    entity: str
    scope: str                           # "system" or "user"
    offline: bool = False
    default: bool = False                # a built-in default (the org has none for this type)


@dataclass(frozen=True)
class SyncSettingsView:
    org_name: str
    can_edit: bool
    appointment_attachments: bool
    assigned_tasks: bool
    mailing_address_only: bool
    resource_bookings: bool
    fields: dict[str, tuple[FieldMappingRow, ...]]
    filters: tuple[FilterRow, ...]


@dataclass(frozen=True)
class AddressChangeRow:
    contact: str
    side: str                            # "mailbox" or "org": where the value changes
    field: str
    old: str
    new: str
    lost: bool


@dataclass(frozen=True)
class AddressPlanView:
    mailing_only_before: bool
    mailing_only_after: bool
    changes: tuple[AddressChangeRow, ...]
    stop_syncing: tuple[str, ...] = ()
    engine_text: str = ""
    plan: Any = None


@dataclass(frozen=True)
class MailboxCollectionRow:
    kind: str                            # appointment | task | contact
    name: str
    where: str                           # a URL or a folder


@dataclass(frozen=True)
class MailboxSideView:
    """Which mailbox "This computer" synchronizes with: local, vdir or dav."""

    side: str
    target: str = ""                     # the folder (vdir) or the server (dav)
    user: str = ""
    collections: tuple[MailboxCollectionRow, ...] = ()


@dataclass(frozen=True)
class MailboxChoice:
    side: str
    target: str = ""
    user: str = ""
    password: str = ""

    def __repr__(self) -> str:           # never show the password in logs or tracebacks
        return f"MailboxChoice(side={self.side!r}, target={self.target!r}, user={self.user!r})"


@dataclass(frozen=True)
class MailboxConnected:
    view: MailboxSideView
    summary: "SyncSummary | None" = None     # the first synchronization, when it ran
    problem: BaseException | None = None     # why the first synchronization did not run


@dataclass(frozen=True)
class BundleResult:
    path: str
    text: str


class Services(Protocol):
    sandbox_mode: bool

    def clouds(self) -> Sequence[tuple[str, str]]: ...
    def warm_up(self) -> None: ...
    def parse_url(self, text: str) -> UrlFacts: ...
    def list_orgs(self) -> list[OrgRow]: ...
    def mailbox_header(self) -> MailboxHeader: ...
    def check_status(self, key: str) -> tuple[str, str]: ...
    def probe_url(self, url: str, cancel: "CancelToken") -> AuthProbe: ...
    def sign_in_browser(self, cloud: str | None, probe: AuthProbe | None, cancel: "CancelToken") -> Account: ...
    def start_device_code(self, cloud: str | None, probe: AuthProbe | None) -> tuple[DeviceCodePrompt, Any]: ...
    def finish_device_code(self, flow: Any, cancel: "CancelToken") -> Account: ...
    def sign_in_with_password(self, cloud: str | None, probe: AuthProbe | None,
                              credentials: Credentials) -> Account: ...
    def discover(self, account: Account) -> list[DiscoveredOrg]: ...
    def connect_online(self, account: Account, org: DiscoveredOrg,
                       report: Callable[[StepReport], None], cancel: "CancelToken") -> ConnectedOrg: ...
    def connect_url(self, probe: AuthProbe, *, account: Account | None, credentials: Credentials | None,
                    report: Callable[[StepReport], None], cancel: "CancelToken") -> ConnectedOrg: ...
    def commit(self, orgs: Sequence[ConnectedOrg], *, save_credentials: bool) -> list[OrgRow]: ...
    def remove(self, key: str) -> None: ...
    def update(self, key: str, *, display_name: str | None = None,
               save_credentials: bool | None = None, keep_connected: bool | None = None) -> OrgRow: ...
    def forget_credentials(self, key: str) -> None: ...
    def sign_out(self, key: str) -> None: ...
    def test_connection(self, key: str, report: Callable[[StepReport], None],
                        cancel: "CancelToken") -> list[StepReport]: ...
    def plan_switch(self, key: str) -> SwitchPlanView: ...
    def apply_switch(self, plan: SwitchPlanView, *, override: bool, method: str | None = None,
                     progress: Callable[[tuple[str, dict]], None] | None = None,
                     cancel: "CancelToken | None" = None) -> SwitchResultView: ...
    def pending_switch(self) -> PendingSwitchView | None: ...
    def finish_switch(self, progress: Callable[[tuple[str, dict]], None],
                      cancel: "CancelToken") -> SwitchResultView | None: ...
    def set_none_elsewhere(self) -> tuple[OrgOutcomeView, ...]: ...
    def diagnostics(self) -> Diagnostics: ...
    def synchronize_now(self, progress: Callable[[tuple[str, int, int]], None], cancel: "CancelToken", *,
                        override: bool = False) -> SyncSummary: ...
    def sync_settings(self) -> SyncSettingsView: ...
    def update_sync_settings(self, changes: dict[str, bool]) -> SyncSettingsView: ...
    def mailbox_side(self) -> MailboxSideView: ...
    def test_mailbox_side(self, choice: MailboxChoice) -> MailboxSideView: ...
    def connect_mailbox_side(self, choice: MailboxChoice,
                             progress: Callable[[tuple[str, int, int]], None],
                             cancel: "CancelToken") -> MailboxConnected: ...
    def plan_address_switch(self, mailing_only: bool) -> AddressPlanView: ...
    def apply_address_switch(self, plan: AddressPlanView, other_changes: dict[str, bool]) -> str: ...
    def save_diagnostics_bundle(self, path: str, *, include_identities: bool,
                                progress: Callable[[str], None]) -> BundleResult: ...
    def close(self) -> None: ...


# -- the real engine -----------------------------------------------------------------------

def tr(text: str) -> str:
    # Step titles are worded here, on worker threads; QCoreApplication.translate is reentrant.
    from wizard.gui.i18n import tr as translate

    return translate(text)


def step_title(name: str, fallback: str) -> str:
    """The engine's connection-test step names, in the user's language."""
    titles = {
        "url": tr("Organization address"), "dns": tr("Name lookup (DNS)"),
        "tcp": tr("Network connection"), "tls": tr("Secure connection (TLS certificate)"),
        "proxy": tr("Proxy"), "signin": tr("Sign-in"),
        "whoami": tr("Access to the organization (WhoAmI)"), "version": tr("Dynamics 365 version"),
        "privilege": tr("Sync-to-Outlook privilege"), "mailbox": tr("Mailbox synchronization method"),
        "stamp": tr("Local mailbox stamp"), "exchange": tr("Exchange mailbox"),
        "switch": tr("Switch of the synchronizing organization"),
    }
    return titles.get(name, fallback)


# Steps whose failure does not stop an org from being added; they become warnings.
ADVISORY_STEPS = ("privilege", "mailbox", "exchange", "stamp", "switch")
STATUS_BY_CODE = {
    "mfa_required": OrgStatus.MFA_NEEDED, "mfa_enrollment_required": OrgStatus.MFA_NEEDED,
    "signin_required": OrgStatus.NEEDS_SIGN_IN, "signin_expired": OrgStatus.NEEDS_SIGN_IN,
    "windows_credentials_required": OrgStatus.NEEDS_SIGN_IN, "credentials_required": OrgStatus.NEEDS_SIGN_IN,
    "dns_failed": OrgStatus.OFFLINE, "tls_failed": OrgStatus.OFFLINE, "proxy_failed": OrgStatus.OFFLINE,
    "timeout": OrgStatus.OFFLINE, "connection_failed": OrgStatus.OFFLINE, "connection_refused": OrgStatus.OFFLINE,
    "network_error": OrgStatus.OFFLINE, "dropped": OrgStatus.OFFLINE,
}


def _view(step) -> StepReport:
    state = step.status
    if state == "failed" and step.name in ADVISORY_STEPS:
        state = "warning"
    return StepReport(step.name, step_title(step.name, step.title), state, step.message or "",
                      step.fix or "", round(step.elapsed, 3),
                      str((step.data or {}).get("action") or "") if state in ("failed", "warning")
                      else "")


def switch_plan_view(plan) -> SwitchPlanView:
    """The engine's ServerSwitchPlan as the prompt's facts."""
    local = plan.local
    orgs = []
    for key in plan.order:
        read = plan.reads[key]
        rec = read.record
        orgs.append(OrgChangeView(
            key, read.profile.display_name, key == plan.target.key,
            rec.method if rec else None, rec is not None,
            read.error.message if read.error is not None and rec is None else "",
            bool(rec and rec.holds_exchange), rec.approval if rec else None,
            (rec.email or "") if rec else "", bool(rec and rec.status == 1)))
    holders = tuple(r.profile.display_name for r in plan.holders)
    pending = plan.pending
    pending_name = None
    if pending is not None:
        pending_name = next((r.profile.display_name for r in plan.reads.values()
                             if r.key == pending.get("target")), str(pending.get("target_label") or ""))
    return SwitchPlanView(local.from_org.display_name if local.from_org else None, local.to_org.display_name,
                          local.stamp.org_name if local.stamp else None,
                          local.stamp.last_sync if local.stamp else None, local.stamp_conflict,
                          local.already_primary, "\n".join(plan.summary_lines()), plan,
                          plan.method, plan.override_suggested, tuple(orgs), holders, pending_name)


def _outcome_view(o) -> OrgOutcomeView:
    new_method = {"done_none": 2, "done_server": 1, "done_computer": 0}.get(o.note.code)
    err = o.error
    want = getattr(o, "want", None) or {}
    return OrgOutcomeView(o.key, _plain_name(o.label), o.state, new_method,
                          err.message if err else "", (err.fix or "") if err else "",
                          err.code if err else "", want.get("actdeliverymethod"),
                          bool(want.get("isactsyncorgflagset")))


def switch_result_view(result) -> SwitchResultView:
    """The engine's ServerSwitchResult as the result dialog's facts."""
    te = result.test_enable
    return SwitchResultView(_plain_name(result.target_label), result.method, result.complete,
                            tuple(_outcome_view(o) for o in result.outcomes),
                            te.state if te else None,
                            (te.error.message if te and te.error else ""),
                            ((te.error.fix or "") if te and te.error else ""),
                            tuple(_plain_name(label) for _k, label in result.holders),
                            "\n".join(result.lines()))


def _plain_name(label: str) -> str:
    """The engine's label “Name” (unique) -> Name (the GUI shows display names)."""
    text = label.strip()
    if text.startswith("“") and "”" in text:
        return text[1:text.index("”")]
    return text


class EngineServices:
    """:class:`Services` on the real engine (registry, stamp, Connector, discovery)."""

    def __init__(self, engine: "Engine", *, sandbox: Any = None, sandbox_mode: bool | None = None) -> None:
        self.engine = engine
        self.sandbox = sandbox                  # a sandbox we started and stop on close()
        self.sandbox_mode = sandbox is not None if sandbox_mode is None else sandbox_mode

    @classmethod
    def from_options(cls, *, home: str | None = None, sandbox: bool = False,
                     cloud_files: Sequence[str] = (), ca_bundle: str | None = None) -> "EngineServices":
        """Build the engine (and start the sandbox tenant for ``--sandbox``). Blocking."""
        from wizard.engine.context import Engine
        from wizard.engine.paths import AppPaths

        paths = AppPaths.resolve(home)
        running = None
        files = list(cloud_files)
        if sandbox:
            from wizard.sandbox.server import start_sandbox

            # The sandbox keeps its CA and ports in the real home; the orgs added while
            # practising live in a profile of their own, so they never mix with real ones.
            running = start_sandbox(paths.sandbox_dir, remember_ports=True)
            paths = AppPaths.resolve(paths.data_dir.parent / "sandbox-profile")
            files.append(str(running.cloud_file))
        paths.ensure()
        engine = Engine(paths, cloud_files=files, ca_bundle=ca_bundle)
        services = cls(engine, sandbox=running)
        services.registry.list()      # read (and, if damaged, recover) the file now, off the GUI thread
        return services

    @property
    def registry(self):
        return self.engine.registry

    @property
    def connector(self):
        return self.engine.connector

    def _secrets_usable(self) -> bool:
        try:
            return bool(self.engine.secrets.available)
        except Exception:  # noqa: BLE001 - no keyring: nothing is saved, the app still works
            return False

    #: What signing in, discovering and connecting import (msal, keyring, requests and the
    #: engine parts on them), loaded ahead by :meth:`warm_up`.
    WARM_UP_MODULES = ("wizard.engine.connect", "wizard.engine.discovery", "wizard.engine.token_cache",
                       "wizard.engine.secrets", "wizard.engine.signin_errors", "keyring.core")

    def warm_up(self) -> None:
        """Import what the first sign-in needs before the user asks for it, without a long
        garbage collection (see :mod:`wizard.gui.runtime`). Blocking; run it on a worker."""
        from wizard.gui.runtime import import_ahead

        import_ahead(self.WARM_UP_MODULES)

    # -- pure ---------------------------------------------------------------------------
    def clouds(self) -> list[tuple[str, str]]:
        return [(c.name, c.display_name) for c in self.engine.clouds.values()]

    def parse_url(self, text: str) -> UrlFacts:
        from wizard.engine.urls import parse_org_url

        u = parse_org_url(text, self.engine.custom_clouds or None)
        return UrlFacts(u.base_url, u.kind, u.cloud, u.region, u.org_name)

    # -- reading ------------------------------------------------------------------------
    @staticmethod
    def _row(p) -> OrgRow:
        return OrgRow(key=p.key, display_name=p.display_name, unique_name=p.unique_name or "",
                      url=p.base_url, kind=p.kind, cloud=p.cloud, region=p.region, user=p.user,
                      org_id=p.org_id, auth_method=p.auth_method, is_primary=p.is_primary,
                      save_credentials=p.save_credentials, keep_connected=p.keep_connected,
                      has_saved_credentials=bool(p.save_credentials), version=p.version,
                      sync_via=p.sync_via)

    def list_orgs(self) -> list[OrgRow]:
        return [self._row(p) for p in self.registry.list()]

    def mailbox_header(self) -> MailboxHeader:
        orgs = self.registry.list()
        primary = next((p for p in orgs if p.is_primary), None)
        stamp = self.engine.mailbox.stamp()
        holder = self.registry.exchange_holder()
        keys = (holder or {}).get("keys") or []
        names = tuple(p.display_name for p in orgs if p.key in keys)
        return MailboxHeader(primary.display_name if primary else None,
                             stamp.org_name if stamp else None, stamp.org_id if stamp else None,
                             stamp.last_sync if stamp else None, names, holder is not None,
                             bool((holder or {}).get("complete", True)),
                             primary.sync_via if primary else None)

    def refresh_mailbox_records(self) -> None:
        """Read every org's mailbox record to learn who holds the Exchange mailbox (network)."""
        self.engine.switcher.status()

    def check_status(self, key: str) -> tuple[str, str]:
        """Silent sign-in and WhoAmI: never prompts."""
        from wizard.engine.errors import WizardError

        profile = self.registry.get(key)
        try:
            self.connector.connect(profile).client.whoami()
        except WizardError as exc:
            status = STATUS_BY_CODE.get(exc.code)
            if status is None and type(exc).__name__ == "NetworkError" and \
                    getattr(exc, "kind", None) != "tls":   # a refused certificate is no outage
                status = OrgStatus.OFFLINE
            return status or OrgStatus.ERROR, str(exc)
        return OrgStatus.CONNECTED, ""

    # -- sign-in ------------------------------------------------------------------------
    def probe_url(self, url: str, cancel: "CancelToken") -> AuthProbe:
        from wizard.engine.auth import probe_org

        org_url = self.connector.parse(url)
        challenge = probe_org(self.engine.session, org_url.api_url)
        method = challenge.auth_method
        if challenge.kind not in ("oauth", "ntlm"):
            from wizard.engine.connect import NotDynamics

            raise NotDynamics(f"{org_url.base_url} does not look like a Dynamics 365 organization "
                              f"(HTTP {challenge.status} and no sign-in request).",
                              fix="Check the address; paste it from the browser while the org is open.")
        return AuthProbe(org_url.base_url, method, method == "ntlm", org_url.cloud,
                         authority=challenge.authority, resource=challenge.resource,
                         tenant_id=challenge.tenant_id)

    def _target(self, cloud: str | None, probe: AuthProbe | None) -> tuple[str, list[str], Any]:
        """(authority, scopes, cloud) to sign in to: an org (URL path) or Global Discovery."""
        from wizard.engine.auth import AuthChallenge, authority_for_org, org_scopes

        if probe is not None:
            c = self.engine.clouds.get(cloud or probe.cloud or "")
            challenge = AuthChallenge("oauth", authority=probe.authority, resource=probe.resource,
                                      tenant_id=probe.tenant_id)
            return authority_for_org(c, challenge, probe.tenant_id), org_scopes(probe.resource or probe.url), c
        c = self.engine.cloud(cloud or "commercial")
        return c.authority, [c.discovery_scope], c

    @staticmethod
    def _account(cloud: str | None, result) -> Account:
        return Account(username=result.username or "", cloud=cloud or "", tenant_id=result.tenant_id,
                       handle={"authority": result.authority})

    def sign_in_browser(self, cloud, probe, cancel) -> Account:
        authority, scopes, c = self._target(cloud, probe)
        result = self.engine.authenticator.interactive(
            authority, scopes, client_id=c.client_id if c else None, cancel_event=cancel._event)
        return self._account(cloud, result)

    def start_device_code(self, cloud, probe):
        import time

        authority, scopes, c = self._target(cloud, probe)
        prompt = self.engine.authenticator.start_device_code(authority, scopes,
                                                             client_id=c.client_id if c else None)
        view = DeviceCodePrompt(prompt.user_code, prompt.verification_uri, prompt.message,
                                max(0, int(prompt.expires_at - time.time())))
        return view, (cloud, prompt)

    def finish_device_code(self, flow, cancel) -> Account:
        cloud, prompt = flow
        return self._account(cloud, self.engine.authenticator.finish_device_code(prompt, cancel_event=cancel._event))

    def sign_in_with_password(self, cloud, probe, credentials: Credentials) -> Account:
        """The in-app sign-in: plays the browser on the authority's own sign-in form (the
        sandbox's) in msal's auth-code flow, so no system browser must trust the sandbox CA."""
        authority, scopes, c = self._target(cloud, probe)
        driver = _FormSignIn(self.engine.session, credentials)
        result = self.engine.authenticator.interactive(
            authority, scopes, login_hint=credentials.username, prompt="login",
            client_id=c.client_id if c else None, open_browser=driver, timeout=30)
        return self._account(cloud, result)

    def discover(self, account: Account) -> list[DiscoveredOrg]:
        from wizard.engine.discovery import list_instances

        c = self.engine.cloud(account.cloud or "commercial")
        authority = (account.handle or {}).get("authority") or c.authority
        provider = self.engine.authenticator.token_provider(authority, [c.discovery_scope],
                                                            username=account.username,
                                                            client_id=c.client_id)
        return [DiscoveredOrg(unique_name=o.unique_name, friendly_name=o.friendly_name, url=o.url,
                              region=o.region or "", version=o.version or "", enabled=o.can_add,
                              org_id=o.org_id, raw=o)
                for o in list_instances(self.engine.session, c, provider)]

    # -- connecting (the Connecting page runs the engine's connection test; Finish adds) --
    def _run_steps(self, url: str, options, report, cancel) -> list[StepReport]:
        from wizard.engine.errors import WizardError

        steps: list[StepReport] = []

        def on_step(step) -> None:
            view = _view(step)
            steps.append(view)
            report(view)

        self.connector.run_test(url, options, on_step=on_step, cancel_event=cancel._event)
        failed = next((s for s in steps if s.state == "failed"), None)
        if failed is not None:
            raise WizardError(failed.message, fix=failed.fix or None, code="connect_failed",
                              details=tr("Step: {step}").format(step=failed.title))
        return steps

    def _options(self, *, account: Account | None, credentials: Credentials | None,
                 save: bool = False, cancel: "CancelToken | None" = None):
        from wizard.engine.connect import SignInOptions

        if credentials is not None:
            return SignInOptions(method="password", username=credentials.username,
                                 password=credentials.password, save_password=save,
                                 cancel_event=cancel._event if cancel else None)
        return SignInOptions(method="silent", username=account.username if account else None)

    def connect_online(self, account, org: DiscoveredOrg, report, cancel) -> ConnectedOrg:
        steps = self._run_steps(org.url, self._options(account=account, credentials=None), report, cancel)
        warnings = tuple(f"{s.message} {s.fix}".strip() for s in steps if s.state == "warning")
        return ConnectedOrg(org.unique_name, org.friendly_name, org.url, account.username, warnings,
                            handle={"url": org.url, "account": account, "display_name": org.friendly_name})

    def connect_url(self, probe: AuthProbe, *, account, credentials, report, cancel) -> ConnectedOrg:
        options = self._options(account=account, credentials=credentials, cancel=cancel)
        steps = self._run_steps(probe.url, options, report, cancel)
        warnings = tuple(f"{s.message} {s.fix}".strip() for s in steps if s.state == "warning")
        facts = self.parse_url(probe.url)
        user = credentials.username if credentials else (account.username if account else None)
        return ConnectedOrg(facts.org_name or "", facts.org_name or facts.base_url, probe.url, user, warnings,
                            handle={"url": probe.url, "account": account, "credentials": credentials})

    def commit(self, orgs: Sequence[ConnectedOrg], *, save_credentials: bool) -> list[OrgRow]:
        rows = []
        for connected in orgs:
            h = connected.handle
            options = self._options(account=h.get("account"), credentials=h.get("credentials"),
                                    save=save_credentials and h.get("credentials") is not None)
            profile, _created = self.connector.add_org(h["url"], options, display_name=h.get("display_name"))
            rows.append(self._row(profile))
        primary = self.registry.primary()
        if primary is not None and primary.org_id and self.engine.mailbox.stamp() is None:
            self.engine.mailbox.claim(primary.org_id, primary.display_name)
        return rows

    # -- changing -----------------------------------------------------------------------
    def remove(self, key: str) -> None:
        self.registry.remove(key)

    def update(self, key: str, *, display_name=None, save_credentials=None, keep_connected=None) -> OrgRow:
        changes: dict[str, Any] = {}
        if display_name is not None:
            changes["display_name"] = display_name
        if keep_connected is not None:
            changes["keep_connected"] = keep_connected
        if save_credentials is not None:
            changes["save_credentials"] = save_credentials
            if not save_credentials:
                self.forget_credentials(key)
        return self._row(self.registry.update(key, **changes))

    def forget_credentials(self, key: str) -> None:
        from wizard.engine.connect import PASSWORD_SECRET
        from wizard.engine.secrets import org_secret_key

        if self._secrets_usable():
            self.engine.secrets.delete(org_secret_key(key, PASSWORD_SECRET))
        self.registry.update(key, save_credentials=False)

    def sign_out(self, key: str) -> None:
        profile = self.registry.get(key)
        self.connector.sign_out(profile)
        if profile.save_credentials:
            self.registry.update(key, save_credentials=False)

    def test_connection(self, key: str, report, cancel) -> list[StepReport]:
        profile = self.registry.get(key)
        steps: list[StepReport] = []

        def on_step(step) -> None:
            view = _view(step)
            steps.append(view)
            report(view)

        self.connector.run_test(profile, on_step=on_step, cancel_event=cancel._event)
        if not any(s.state == "failed" for s in steps):
            self.registry.mark_connected(key)
        return steps

    def plan_switch(self, key: str) -> SwitchPlanView:
        """Reads every org's mailbox record (network): run it on a worker."""
        return switch_plan_view(self.engine.switcher.plan(key))

    def apply_switch(self, plan: SwitchPlanView, *, override: bool, method: str | None = None,
                     progress=None, cancel=None) -> SwitchResultView:
        engine_plan = plan.plan
        try:
            result = self.engine.switcher.apply(
                engine_plan, override=override, method=method,
                progress=None if progress is None else lambda n: progress((n.code, dict(n.params))),
                cancel=cancel._event if cancel is not None else None)
        finally:
            engine_plan.close()
        return switch_result_view(result)

    def pending_switch(self) -> PendingSwitchView | None:
        from wizard.engine.serverside.journal import summary

        journal = self.registry.switch_journal()
        if journal is None:
            return None
        try:
            name = self.registry.get(journal["target"]).display_name
        except Exception:  # noqa: BLE001 - the org was removed: finishing drops the journal
            name = str(journal.get("target_label") or "")
        return PendingSwitchView(str(journal.get("target")), name, summary(journal))

    def finish_switch(self, progress, cancel) -> SwitchResultView | None:
        result = self.engine.switcher.finish(
            progress=lambda n: progress((n.code, dict(n.params))),
            cancel=cancel._event if cancel is not None else None)
        return switch_result_view(result) if result is not None else None

    def set_none_elsewhere(self) -> tuple[OrgOutcomeView, ...]:
        return tuple(_outcome_view(o) for o in self.engine.switcher.set_none_elsewhere())

    def diagnostics(self) -> Diagnostics:
        import platform

        from wizard import __version__

        paths = self.engine.paths
        try:
            store = self.engine.secrets
        except Exception:  # noqa: BLE001
            store = None
        facts = [
            ("d365-wizard", __version__),
            ("Python", platform.python_version()),
            ("Platform", platform.platform()),
            ("Organizations file", str(paths.registry_file)),
            ("Mailbox store", str(paths.mailbox_db)),
            ("Logs", str(paths.log_dir)),
            ("Keyring", getattr(store, "backend_name", "none") if store else "none"),
            ("Keyring usable", "yes" if store is not None and getattr(store, "available", False)
             else (getattr(store, "unavailable_reason", None) or "no")),
            ("Clouds", ", ".join(self.engine.clouds)),
            ("Extra CA bundles", ", ".join(self.engine.ca_bundles) or "none"),
            ("Organizations", str(len(self.registry.list()))),
        ]
        if self.sandbox is not None:
            facts.append(("Sandbox", f"{self.sandbox.discovery_url} (CA {self.sandbox.ca_file})"))
        return Diagnostics(tuple(facts))

    # -- synchronization ---------------------------------------------------------------------
    def synchronize_now(self, progress, cancel, *, override: bool = False) -> SyncSummary:
        """One sync of the synchronizing org. Raises the engine's StampConflict,
        NoSyncPrivilege, SyncCancelled (nothing committed) or SyncOffline."""
        from wizard.engine.sync.run import open_synchronizer

        sync, store = open_synchronizer(self.engine, progress=lambda stage, done, total: progress(
            (stage, done, total)), cancel=cancel._event)
        try:
            report = sync.run(override_stamp=override)
            stamp = sync.stamp_store.stamp() if sync.stamp_store is not None else None
        finally:
            store.close()
        return summarize_report(report, stamp.last_sync if stamp else None)

    def _synchronizer(self):
        from wizard.engine.sync.run import open_synchronizer

        return open_synchronizer(self.engine, settings_only=True)

    def _settings_view(self, sync) -> SyncSettingsView:
        from wizard.engine.sync import filters as flt
        from wizard.engine.sync.mapping import effective_mappings

        settings = sync.org.settings()
        rows = sync.org.attribute_mappings()
        filters = sync.org.filters()
        fields = {kind: tuple(FieldMappingRow(m.label or m.mailbox_field, m.mailbox_field, m.org_field,
                                              m.direction)
                              for m in effective_mappings(kind, settings, rows))
                  for kind in ("contact", "appointment", "task")}
        shown = [FilterRow(f.name, f.entity, f.scope, f.querytype == flt.OFFLINE_QUERYTYPE)
                 for f in filters if f.active]
        for default in flt.DEFAULT_SYNC_FILTERS:
            if not any(f.active and f.entity == default.entity and f.querytype == flt.SYNC_QUERYTYPE
                       for f in filters):
                shown.append(FilterRow(default.name, default.entity, default.scope, False, True))
        primary = self.registry.primary()
        return SyncSettingsView(primary.display_name if primary else sync.org.org_name,
                                bool(sync.org.has_sync_privilege()),
                                settings.appointment_attachments, settings.assigned_tasks,
                                settings.mailing_address_only, settings.resource_bookings,
                                fields, tuple(shown))

    def sync_settings(self) -> SyncSettingsView:
        sync, store = self._synchronizer()
        try:
            return self._settings_view(sync)
        finally:
            store.close()

    def _require_privilege(self, sync) -> None:
        from wizard.engine.sync.engine import NoSyncPrivilege

        if not sync.org.has_sync_privilege():
            raise NoSyncPrivilege(sync.org.org_name)

    def update_sync_settings(self, changes: dict[str, bool]) -> SyncSettingsView:
        sync, store = self._synchronizer()
        try:
            self._require_privilege(sync)
            if changes:
                sync.org.update_settings(**changes)
            return self._settings_view(sync)
        finally:
            store.close()

    # -- the mailbox side ("This computer": local, vdir or dav) -------------------------
    @staticmethod
    def _side_view(config, collections: dict | None = None) -> MailboxSideView:
        rows = []
        found = collections if collections is not None else (
            config.collections or {k: {"name": v, "url": str(Path(config.path or "") / v)}
                                   for k, v in config.folders.items()})
        for kind in ("appointment", "task", "contact"):
            c = found.get(kind)
            if c:
                rows.append(MailboxCollectionRow(kind, str(c.get("name", "")), str(c.get("url", ""))))
        return MailboxSideView(config.side, config.target, config.user or "", tuple(rows))

    def mailbox_side(self) -> MailboxSideView:
        from wizard.engine.sync.sides import load_config

        config = load_config(self.engine.paths)
        if config.side == "local":
            return MailboxSideView("local", str(self.engine.paths.mailbox_db))
        return self._side_view(config)

    def test_mailbox_side(self, choice: MailboxChoice) -> MailboxSideView:
        from wizard.engine.sync.sides import probe

        connection = probe(self.engine, choice.side, choice.target or None, user=choice.user or None,
                           password=choice.password or None)
        if choice.side == "local":
            return MailboxSideView("local", str(self.engine.paths.mailbox_db))
        return self._side_view(connection.config, connection.collections)

    def connect_mailbox_side(self, choice: MailboxChoice, progress, cancel) -> MailboxConnected:
        """Make it the mailbox side, then run the first synchronization (which matches what
        the mailbox already holds before it creates anything)."""
        from wizard.engine.sync.sides import connect

        connection = connect(self.engine, choice.side, choice.target or None, user=choice.user or None,
                             password=choice.password or None)
        view = (MailboxSideView("local", str(self.engine.paths.mailbox_db)) if choice.side == "local"
                else self._side_view(connection.config, connection.collections))
        if self.registry.primary() is None:
            return MailboxConnected(view)
        try:
            summary = self.synchronize_now(progress, cancel)
        except Exception as exc:         # shown on the page; the side stays chosen
            return MailboxConnected(view, None, exc)
        return MailboxConnected(view, summary)

    def plan_address_switch(self, mailing_only: bool) -> AddressPlanView:
        """The dry run: every contact field that would change or be lost."""
        from wizard.engine.sync.addresses import plan_address_switch

        sync, store = self._synchronizer()
        try:
            self._require_privilege(sync)
            plan = plan_address_switch(sync, mailing_only)
        finally:
            store.close()

        def text(value: Any) -> str:
            return "" if value is None else str(value)

        changes = tuple(AddressChangeRow(c.title, ch.side, ch.field, text(ch.old), text(ch.new), ch.lost)
                        for c in plan.contacts for ch in c.changes)
        return AddressPlanView(plan.mailing_only_before, plan.mailing_only_after, changes,
                               tuple(plan.stop_syncing), plan.describe(), plan)

    def apply_address_switch(self, plan: AddressPlanView, other_changes: dict[str, bool]) -> str:
        """Back up, switch, remap (and apply the page's other changes). Returns the backup file."""
        from wizard.engine.sync.addresses import apply_address_switch

        sync, store = self._synchronizer()
        try:
            self._require_privilege(sync)
            if other_changes:
                sync.org.update_settings(**other_changes)
            backup = apply_address_switch(sync, plan.plan, self.engine.paths.data_dir / "backups",
                                          clock=self.engine.clock)
        finally:
            store.close()
        return str(backup)

    def save_diagnostics_bundle(self, path: str, *, include_identities: bool, progress) -> BundleResult:
        from wizard.engine.diagnostics import build_bundle

        report = build_bundle(self.engine, path, include_identities=include_identities, progress=progress)
        return BundleResult(str(report.path), report.text())

    def apply_site_deployment(self) -> str | None:
        """The machine-wide deployment file, once per change; the report when it changed something."""
        if not self.engine.paths.site_deployment_file.is_file():
            return None
        from wizard.engine.deploy import apply_site_deployment

        report = apply_site_deployment(self.engine)
        if report is None or report.skipped or not report.changed:
            return None
        return report.text()

    def close(self) -> None:
        if "session" in self.engine.__dict__:
            self.engine.session.close()
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None


def summarize_report(report, last_sync: _dt.datetime | None = None) -> SyncSummary:
    """The engine's SyncReport as counts and lines for the result dialog."""
    came_in: dict[str, int] = {}
    went_out: dict[str, int] = {}
    for action in report.actions:
        side, _, verb = action.op.partition("-")
        target = came_in if side == "mailbox" else went_out if side == "org" else None
        if target is not None:
            target[verb] = target.get(verb, 0) + 1
    conflicts = tuple(f"{c.kind} {c.field}: mailbox {c.mailbox_value!r}, organization {c.org_value!r} "
                      f"-> {c.winner} wins" for c in report.conflicts)
    details = []
    for a in report.actions:
        extra = f" ({', '.join(a.fields)})" if a.fields else ""
        details.append(f"{a.op:<15} {a.kind:<11} {a.title}{extra}" + (f": {a.reason}" if a.reason else ""))
    details += [f"not sent: {s}" for s in report.skipped]
    details += [f"conflict: {c}" for c in conflicts]
    details += [f"note: {n}" for n in report.notices]
    return SyncSummary(report.org_name, came_in, went_out, conflicts, tuple(report.skipped),
                       tuple(report.notices), "\n".join(details), last_sync)


class _PageParser:
    """The first form of an HTML page (action, inputs) and its error paragraph."""

    def __init__(self, page: str) -> None:
        from html.parser import HTMLParser

        self.action: str | None = None
        self.inputs: dict[str, str] = {}
        self.hidden: dict[str, str] = {}
        self.error = ""
        self.text: list[str] = []
        parser = HTMLParser()
        in_form = False
        in_error = False
        outer = self

        def start(tag, attrs):
            nonlocal in_form, in_error
            a = {k: v or "" for k, v in attrs}
            if tag == "form" and outer.action is None:
                outer.action = a.get("action", "")
                in_form = True
            elif tag == "input" and in_form and a.get("name"):
                outer.inputs[a["name"]] = a.get("value", "")
                if a.get("type") == "hidden":
                    outer.hidden[a["name"]] = a.get("value", "")
            elif "error" in a.get("class", "").split():
                in_error = True

        def end(tag):
            nonlocal in_form, in_error
            if tag == "form":
                in_form = False
            if tag == "p":
                in_error = False

        def data(text):
            outer.text.append(text)
            if in_error:
                outer.error += text

        parser.handle_starttag = start
        parser.handle_startendtag = start
        parser.handle_endtag = end
        parser.handle_data = data
        parser.feed(page)
        parser.close()
        self.error = " ".join(self.error.split())


class _FormSignIn:
    """Plays the browser on the authority's sign-in form (the sandbox's, shaped like
    Entra's: ``login``/``passwd``, then ``otc`` for MFA) inside the app.

    msal's auth-code flow calls it with the authorize URL; it answers the form with the
    user's input and hands the final answer (form_post or redirect) to msal's loopback
    listener, as a browser would.
    """

    def __init__(self, session, credentials: Credentials) -> None:
        self.session = session
        self.credentials = credentials

    @staticmethod
    def _loopback(url: str) -> bool:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        return parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1")

    def _deliver(self, method: str, url: str, data: dict[str, str] | None = None) -> None:
        import requests

        with requests.Session() as plain:   # the loopback is plain HTTP on this machine
            plain.trust_env = False
            plain.request(method, url, data=data, timeout=10).close()

    def __call__(self, url: str) -> None:
        from urllib.parse import urljoin

        from wizard.engine.signin_errors import BadPassword, MfaRequired, SignInError

        response = self.session.get(url, allow_redirects=False)
        for _ in range(8):
            if response.is_redirect:
                location = urljoin(response.url, response.headers["Location"])
                response.close()
                if self._loopback(location):
                    self._deliver("GET", location)
                    return
                response = self.session.get(location, allow_redirects=False)
                continue
            page = _PageParser(response.text)
            base = response.url
            response.close()
            if page.action is None:
                text = " ".join("".join(page.text).split())
                raise SignInError(text[:300] or tr("The sign-in page failed."), fix=tr("Try again."),
                                  code="signin_failed")
            action = urljoin(base, page.action)
            if self._loopback(action):
                self._deliver("POST", action, page.hidden)
                return
            fields = dict(page.hidden)
            if "otc" in page.inputs:
                if not self.credentials.mfa_code:
                    raise MfaRequired(tr("Your organization requires multi-factor authentication."),
                                      fix=tr("Enter the verification code from your authenticator app."))
                if page.error:
                    raise MfaRequired(tr("The verification code was not accepted."),
                                      fix=tr("Check the code and try again."), details=page.error)
                fields["otc"] = self.credentials.mfa_code
            elif "passwd" in page.inputs:
                if page.error:
                    raise BadPassword(tr("The user name or password is not correct."),
                                      fix=tr("Check them and try again."), details=page.error)
                fields["login"] = self.credentials.username
                fields["passwd"] = self.credentials.password
            else:
                raise SignInError(tr("The sign-in page asked for something this app cannot answer."),
                                  fix=tr("Use sign-in with a code instead."), code="signin_failed")
            response = self.session.post(action, data=fields, allow_redirects=False)
        raise SignInError(tr("The sign-in did not finish."), fix=tr("Try again."), code="signin_failed")
