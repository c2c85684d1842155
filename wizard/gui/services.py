"""The real engine behind the GUI's seam: :class:`EngineServices` implements
:class:`wizard.gui.views.Services`.

It only translates: engine objects in, view types (:mod:`wizard.gui.views`) out. What adding
an org commits, what a settings change is allowed to do and how sign-in talks to a server
are the engine's (``wizard.engine``); both front ends call the same engine code. Methods are
synchronous and may block: the windows call them through the task runner.
"""

from __future__ import annotations

import datetime as _dt
import logging
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.gui.fields import (
    action_line,
    conflict_line,
    mailbox_field_label,
    notice_text,
    org_field_label,
    step_label,
)
from wizard.gui.i18n import tr
from wizard.gui.views import (
    Account,
    AddressChangeRow,
    AddressPlanView,
    AuthProbe,
    BackgroundWorkView,
    BundleResult,
    ConnectedOrg,
    Credentials,
    DeviceCodePrompt,
    Diagnostics,
    DiscoveredOrg,
    FieldMappingRow,
    FilterRow,
    KeyringState,
    MailboxChoice,
    MailboxCollectionRow,
    MailboxConnected,
    MailboxHeader,
    MailboxSideView,
    OrgChangeView,
    OrgOutcomeView,
    OrgRow,
    OrgStatus,
    PendingSwitchView,
    StepReport,
    SwitchPlanView,
    SwitchResultView,
    SyncSettingsView,
    SyncSummary,
    UrlFacts,
)

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.auth import SignInResult
    from wizard.engine.connect import SignInTarget
    from wizard.engine.context import Engine
    from wizard.engine.sync.settings import OrgSyncSettings, SettingsView
    from wizard.gui.tasks import CancelToken

# -- the real engine -----------------------------------------------------------------------

# Step titles, sync details and field labels are worded here, on worker threads:
# QCoreApplication.translate (behind ``tr``) is reentrant.

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
    """An engine step result in the GUI's words: its ``text`` rendered through ``tr``."""
    from wizard.gui.render import render

    state = step.status
    if state == "failed" and step.name in ADVISORY_STEPS:
        state = "warning"
    message, fix = step.message or "", step.fix or ""
    if getattr(step, "text", None) is not None:
        message, fix, _ = render(step.text)
    return StepReport(step.name, step_title(step.name, step.title), state, message,
                      fix, round(step.elapsed, 3),
                      str((step.data or {}).get("action") or "") if state in ("failed", "warning")
                      else "")


def switch_plan_details(plan) -> str:
    """The engine's plan, sentence by sentence as the engine says it, in the user's language
    (the switch prompt's Details)."""
    from wizard.gui.render import note_text

    lines = ["".join(note_text(n) for n in line) for line in plan.local.summary_notes()]
    return "\n".join(lines + [note_text(n) for n in plan.notes()])


def switch_result_details(result) -> str:
    """The engine's result, as :meth:`ServerSwitchResult.lines` says it, in the user's
    language (the result's Details)."""
    from wizard.gui.render import note_text, render

    lines = []
    local = result.local
    if local is not None:
        lines.append(note_text(local.note) if local.note is not None else local.message)
    lines += [note_text(n) for n in result.notes()]
    for o in result.problems:
        fix = render(o.error)[1] if o.error is not None else ""
        if fix:
            lines.append(f"  {o.label}: {fix}")
    te = result.test_enable
    fix = render(te.error)[1] if te is not None and te.error is not None else ""
    if fix:
        lines.append(f"  {fix}")
    return "\n".join(lines)


def switch_plan_view(plan) -> SwitchPlanView:
    """The engine's ServerSwitchPlan as the prompt's facts."""
    from wizard.gui.render import render

    local = plan.local
    orgs = []
    for key in plan.order:
        read = plan.reads[key]
        rec = read.record
        orgs.append(OrgChangeView(
            key, read.profile.display_name, key == plan.target.key,
            rec.method if rec else None, rec is not None,
            render(read.error)[0] if read.error is not None and rec is None else "",
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
                          local.already_primary, switch_plan_details(plan), plan,
                          plan.method, plan.override_suggested, tuple(orgs), holders, pending_name)


def _outcome_view(o) -> OrgOutcomeView:
    from wizard.gui.render import render

    new_method = {"done_none": 2, "done_server": 1, "done_computer": 0}.get(o.note.code)
    err = o.error
    want = getattr(o, "want", None) or {}
    message, fix, _action = render(err) if err is not None else ("", "", None)
    return OrgOutcomeView(o.key, _plain_name(o.label), o.state, new_method, message, fix,
                          err.code if err else "", want.get("actdeliverymethod"),
                          bool(want.get("isactsyncorgflagset")))


def switch_result_view(result) -> SwitchResultView:
    """The engine's ServerSwitchResult as the result dialog's facts, in the user's language."""
    from wizard.gui.render import param_text, render

    te = result.test_enable
    message = fix = ""
    if te is not None:
        if "error" in te.note.params:       # the reason alone (the sentence is the dialog's)
            message = str(param_text("error", te.note.params["error"]))
        elif te.error is not None:
            message = render(te.error)[0]
        fix = render(te.error)[1] if te.error is not None else ""
    return SwitchResultView(_plain_name(result.target_label), result.method, result.complete,
                            tuple(_outcome_view(o) for o in result.outcomes),
                            te.state if te else None, message, fix,
                            tuple(_plain_name(label) for _k, label in result.holders),
                            switch_result_details(result))


def _plain_name(label: str) -> str:
    """The engine's label “Name” (unique) -> Name (the GUI shows display names)."""
    text = label.strip()
    if text.startswith("“") and "”" in text:
        return text[1:text.index("”")]
    return text

log = logging.getLogger(__name__)


class EngineServices:
    """:class:`Services` on the real engine (registry, stamp, Connector, discovery)."""

    def __init__(self, engine: "Engine", *, sandbox: Any = None, sandbox_mode: bool | None = None) -> None:
        self.engine = engine
        self.sandbox = sandbox                  # a sandbox we started and stop on close()
        self.sandbox_mode = sandbox is not None if sandbox_mode is None else sandbox_mode
        self.startup_notes: Sequence[str] = ()
        self.sandbox_addresses: Sequence[tuple[str, str]] = ()
        if sandbox is not None:
            from wizard.sandbox import seed

            names = {o.unique_name: o.friendly_name for o in seed.ORGS}
            self.sandbox_addresses = tuple((names.get(k, k), url) for k, url in sandbox.org_urls.items())

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

    def keyring_state(self) -> KeyringState:
        """Whether a secure keyring can keep credentials (opens the keyring: blocking)."""
        store = self.engine.secrets
        return KeyringState(bool(getattr(store, "available", False)), str(getattr(store, "backend_name", "")),
                            str(getattr(store, "unavailable_reason", "") or ""))

    def refresh_mailbox_records(self) -> None:
        """Read every org's mailbox record to learn who holds the Exchange mailbox (network)."""
        self.engine.switcher.status()

    def check_status(self, key: str) -> tuple[str, str]:
        """Silent sign-in and WhoAmI: never prompts."""
        from wizard.engine.errors import WizardError
        from wizard.engine.http import NetworkError

        profile = self.registry.get(key)
        try:
            self.connector.connect(profile).client.whoami()
        except WizardError as exc:
            status = STATUS_BY_CODE.get(exc.code)
            if status is None and isinstance(exc, NetworkError) and \
                    exc.kind != "tls":   # a refused certificate is no outage
                status = OrgStatus.OFFLINE
            if status == OrgStatus.NEEDS_SIGN_IN and not self.keyring_state().available:
                # Nothing could be kept from the last sign-in: say why, not only that.
                return status, tr("Sign in again: this computer has no secure keyring, so your "
                                  "credentials and sign-in cannot be kept between sessions.")
            from wizard.gui.render import render_line

            return status or OrgStatus.ERROR, render_line(exc)
        return OrgStatus.CONNECTED, ""

    # -- sign-in ------------------------------------------------------------------------
    def probe_url(self, url: str, cancel: CancelToken) -> AuthProbe:
        org_url, challenge = self.connector.probe(url)
        method = challenge.auth_method
        return AuthProbe(org_url.base_url, method, method == "ntlm", org_url.cloud,
                         authority=challenge.authority, resource=challenge.resource,
                         tenant_id=challenge.tenant_id)

    def _target(self, cloud: str | None, probe: AuthProbe | None) -> SignInTarget:
        """Where to sign in: the probed org, or the cloud's Global Discovery Service."""
        from wizard.engine.auth import AuthChallenge

        if probe is None:
            return self.connector.signin_target(cloud)
        challenge = AuthChallenge("oauth", authority=probe.authority, resource=probe.resource,
                                  tenant_id=probe.tenant_id)
        return self.connector.signin_target(cloud or probe.cloud, challenge, org_url=probe.url)

    @staticmethod
    def _account(cloud: str | None, result: SignInResult) -> Account:
        return Account(username=result.username or "", cloud=cloud or "", tenant_id=result.tenant_id,
                       handle={"authority": result.authority})

    #: How long a browser sign-in may take before it ends with a message (seconds).
    browser_timeout: float | None = None

    def sign_in_browser(self, cloud: str | None, probe: AuthProbe | None, cancel: CancelToken,
                        on_address=None) -> Account:
        """Sign in in the system browser. ``on_address(url, opened)`` gets the sign-in address
        (to show for copying) and whether a browser could be opened; the wait is bounded."""
        from wizard.engine.auth import INTERACTIVE_TIMEOUT_S

        target = self._target(cloud, probe)
        result = self.engine.authenticator.interactive(
            target.authority, target.scopes, client_id=target.client_id, cancel_event=cancel,
            on_address=on_address, timeout=self.browser_timeout or INTERACTIVE_TIMEOUT_S)
        return self._account(cloud, result)

    def start_device_code(self, cloud: str | None, probe: AuthProbe | None) -> tuple[DeviceCodePrompt, Any]:
        import time

        target = self._target(cloud, probe)
        prompt = self.engine.authenticator.start_device_code(target.authority, target.scopes,
                                                             client_id=target.client_id)
        view = DeviceCodePrompt(prompt.user_code, prompt.verification_uri, prompt.message,
                                max(0, int(prompt.expires_at - time.time())))
        return view, (cloud, prompt)

    def finish_device_code(self, flow: Any, cancel: CancelToken) -> Account:
        cloud, prompt = flow
        return self._account(cloud, self.engine.authenticator.finish_device_code(prompt, cancel_event=cancel))

    def sign_in_with_password(self, cloud: str | None, probe: AuthProbe | None,
                              credentials: Credentials) -> Account:
        """The in-app sign-in (:mod:`wizard.engine.signin_form`): the engine answers the
        authority's own sign-in form, so no system browser must trust the sandbox CA."""
        from wizard.engine.signin_form import FormAnswers, sign_in_with_form

        answers = FormAnswers(credentials.username, credentials.password, credentials.mfa_code)
        result = sign_in_with_form(self.engine.authenticator, self.engine.session,
                                   self._target(cloud, probe), answers)
        return self._account(cloud, result)

    def _tested(self, target, options, report, cancel) -> list[StepReport]:
        """The connection test of ``target`` with ``options``: each step reported as it
        comes, in the GUI's words, and all of them returned."""
        steps: list[StepReport] = []

        def on_step(step) -> None:
            view = _view(step)
            steps.append(view)
            report(view)

        self.connector.run_test(target, options, on_step=on_step, cancel_event=cancel)
        return steps

    def sign_in_org(self, key: str, *, method: str, credentials: Credentials | None = None,
                    save_password: bool = False, report, cancel, on_device_code=None,
                    on_address=None) -> tuple[OrgRow, list[StepReport]]:
        """Sign in to an added org again (the re-authentication dialog), then run its
        connection test with that sign-in. ``method``: "password" (Windows authentication
        or the authority's password sign-in), "form" (the in-app sign-in form), "browser"
        or "device_code"."""
        import time

        from wizard.engine.auth import INTERACTIVE_TIMEOUT_S
        from wizard.engine.connect import SignInOptions

        profile = self.registry.get(key)

        def device_code(prompt) -> None:
            if on_device_code is not None:
                on_device_code(DeviceCodePrompt(prompt.user_code, prompt.verification_uri, prompt.message,
                                                max(0, int(prompt.expires_at - time.time()))))

        username = (credentials.username if credentials else None) or profile.user
        if method == "form":
            from wizard.engine.signin_form import FormAnswers, FormSignIn

            answers = FormAnswers(credentials.username, credentials.password, credentials.mfa_code) \
                if credentials else FormAnswers(username or "", "")
            options = SignInOptions(method="browser", username=username, prompt="login",
                                    open_browser=FormSignIn(self.engine.session, answers), cancel_event=cancel)
        else:
            options = SignInOptions(
                method=method, username=username,
                password=credentials.password if credentials and method == "password" else None,
                save_password=save_password and method == "password" and self.keyring_state().available,
                on_device_code=device_code, cancel_event=cancel, on_address=on_address,
                browser_timeout=self.browser_timeout or INTERACTIVE_TIMEOUT_S)
        profile, conn = self.connector.sign_in_org(profile, options)
        conn.close()
        # The test signs in as the user just did: silently (tokens), or with the password
        # typed (Windows authentication keeps no password it was not told to save).
        test_options = (SignInOptions(method="password", username=options.username, password=options.password)
                        if profile.auth_method == "ntlm" and options.password is not None
                        else SignInOptions(method="silent", username=profile.user))
        steps = self._tested(profile, test_options, report, cancel)
        return self._row(profile), steps

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

        steps = self._tested(url, options, report, cancel)
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
                                 cancel_event=cancel)
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
        requests = []
        for connected in orgs:
            h = connected.handle
            # Without a secure keyring the org is added all the same, with nothing saved
            # (the wizard said so): a password is never kept anywhere else.
            options = self._options(account=h.get("account"), credentials=h.get("credentials"),
                                    save=save_credentials and h.get("credentials") is not None
                                    and self.keyring_state().available)
            requests.append((h["url"], options, h.get("display_name")))
        return [self._row(profile) for profile, _created in self.connector.add_orgs(requests)]

    # -- changing -----------------------------------------------------------------------
    def remove(self, key: str) -> None:
        self.registry.remove(key)

    def update(self, key: str, *, display_name: str | None = None, save_credentials: bool | None = None,
               keep_connected: bool | None = None) -> OrgRow:
        return self._row(self.registry.change_preferences(
            key, display_name=display_name, save_credentials=save_credentials, keep_connected=keep_connected))

    def forget_credentials(self, key: str) -> None:
        self.registry.forget_credentials(key)

    # -- Keep me connected (wizard/engine/keepalive.py decides) ------------------------------
    def keep_connected_minutes(self) -> int:
        return self.registry.keep_connected_minutes()

    def set_keep_connected_minutes(self, minutes: int) -> int:
        return self.registry.set_keep_connected_minutes(minutes)

    def background_work(self, connected: Collection[str], last_round: _dt.datetime | None,
                        busy: bool) -> BackgroundWorkView:
        """What Keep me connected does now: the engine's decision on the registry's orgs and
        interval. Reads only the registry file; no network."""
        from wizard.engine import keepalive

        work = keepalive.due_work(self.registry.list(), connected=connected,
                                  minutes=self.registry.keep_connected_minutes(), last_round=last_round,
                                  now=_dt.datetime.now(_dt.timezone.utc), busy=busy)
        return BackgroundWorkView(work.refresh, work.sync)

    def sign_out(self, key: str) -> None:
        self.connector.sign_out(self.registry.get(key))

    def test_connection(self, key: str, report, cancel) -> list[StepReport]:
        profile = self.registry.get(key)
        steps = self._tested(profile, None, report, cancel)
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
                cancel=cancel)
        finally:
            engine_plan.close()
        return switch_result_view(result)

    def pending_switch(self) -> PendingSwitchView | None:
        from wizard.engine.serverside.journal import summary_note
        from wizard.gui.render import note_text

        journal = self.registry.switch_journal()
        if journal is None:
            return None
        try:
            name = self.registry.get(journal["target"]).display_name
        except Exception:  # noqa: BLE001 - the org was removed: finishing drops the journal
            name = str(journal.get("target_label") or "")
        return PendingSwitchView(str(journal.get("target")), name, note_text(summary_note(journal)))

    def finish_switch(self, progress, cancel) -> SwitchResultView | None:
        result = self.engine.switcher.finish(
            progress=lambda n: progress((n.code, dict(n.params))),
            cancel=cancel)
        return switch_result_view(result) if result is not None else None

    def set_none_elsewhere(self) -> tuple[OrgOutcomeView, ...]:
        return tuple(_outcome_view(o) for o in self.engine.switcher.set_none_elsewhere())

    def diagnostics(self) -> Diagnostics:
        import platform

        from wizard import __version__

        paths = self.engine.paths
        try:
            store = self.engine.secrets
        except Exception:  # noqa: BLE001 - best effort: a failure here is reported elsewhere or harmless
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
            (stage, done, total)), cancel=cancel)
        try:
            report = sync.run(override_stamp=override)
            stamp = sync.stamp_store.stamp() if sync.stamp_store is not None else None
            kinds = {a.kind for a in report.actions if a.op.startswith("org-") and a.fields}
            labels = column_labels(sync.org, kinds | {c.kind for c in report.conflicts})
        finally:
            store.close()
        return summarize_report(report, stamp.last_sync if stamp else None, labels)

    def _settings(self) -> OrgSyncSettings:
        from wizard.engine.sync.settings import OrgSyncSettings

        return OrgSyncSettings.open(self.engine)

    @staticmethod
    def _settings_view(view: SettingsView, labels: dict[str, dict[str, str]]) -> SyncSettingsView:
        fields = {kind: tuple(FieldMappingRow(mailbox_field_label(kind, m.mailbox_field), m.mailbox_field,
                                              m.org_field, m.direction,
                                              org_field_label(kind, m.org_field, labels.get(kind)))
                              for m in maps)
                  for kind, maps in view.fields.items()}
        filters = tuple(FilterRow(f.name, f.entity, f.scope, f.offline, f.default) for f in view.filters_in_force)
        s = view.settings
        return SyncSettingsView(view.display_name, view.can_edit, s.appointment_attachments, s.assigned_tasks,
                                s.mailing_address_only, s.resource_bookings, fields, filters)

    def sync_settings(self) -> SyncSettingsView:
        with self._settings() as settings:
            view = settings.view()
            return self._settings_view(view, column_labels(settings.sync.org, view.fields))

    def update_sync_settings(self, changes: dict[str, bool]) -> SyncSettingsView:
        with self._settings() as settings:
            settings.change(**changes)
            view = settings.view()
            return self._settings_view(view, column_labels(settings.sync.org, view.fields))

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
        with self._settings() as settings:
            plan = settings.plan_addresses(mailing_only)
            labels = column_labels(settings.sync.org, ["contact"]).get("contact", {})

        def text(value: Any) -> str:
            return "" if value is None else str(value)

        def name(side: str, field: str) -> str:
            return (mailbox_field_label("contact", field) if side == "mailbox"
                    else org_field_label("contact", field, labels))

        changes = tuple(AddressChangeRow(c.title, ch.side, name(ch.side, ch.field), text(ch.old), text(ch.new),
                                         ch.lost) for c in plan.contacts for ch in c.changes)
        return AddressPlanView(plan.mailing_only_before, plan.mailing_only_after, changes,
                               tuple(plan.stop_syncing), plan.describe(), plan)

    def apply_address_switch(self, plan: AddressPlanView, other_changes: dict[str, bool]) -> str:
        """Back up, switch, remap (and apply the page's other changes). Returns the backup file."""
        with self._settings() as settings:
            return str(settings.switch_addresses(plan.plan, other_changes))

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


def column_labels(org, kinds) -> dict[str, dict[str, str]]:
    """{kind: {column: display name}} from the org's metadata for ``kinds``; a kind whose
    metadata cannot be read gets none (its columns are then named after the mailbox fields)."""
    from wizard.engine.errors import WizardError
    from wizard.engine.sync.mapping import ENTITY_OF_KIND

    out: dict[str, dict[str, str]] = {}
    for kind in kinds:
        entity = ENTITY_OF_KIND.get(kind)
        if entity is None:
            continue
        try:
            out[kind] = org.attribute_labels(entity)
        except WizardError as exc:
            log.info("no column display names for %s: %s", entity, exc.code)
    return out


def not_sent_lines(report) -> tuple[str, ...]:
    """Each change that stays queued, "item: why", in the user's language."""
    from wizard.gui.render import render

    items = getattr(report, "not_sent", None)
    if items is None or len(items) != len(report.skipped):
        return tuple(report.skipped)           # a report without reasons as codes
    return tuple(f"{what}: {render(reason)[0]}" for what, reason in items)


def summarize_report(report, last_sync: _dt.datetime | None = None,
                     labels: dict[str, dict[str, str]] | None = None) -> SyncSummary:
    """The engine's SyncReport as counts and lines for the result dialog, in the user's
    words (``labels``: the org's column display names, :func:`column_labels`)."""
    came_in: dict[str, int] = {}
    went_out: dict[str, int] = {}
    # counts(): the listed actions and those only counted (an initial sync lists the first
    # 500 new mailbox items one by one and counts the rest)
    for op, n in report.counts().items():
        side, _, verb = op.partition("-")
        target = came_in if side == "mailbox" else went_out if side == "org" else None
        if target is not None:
            target[verb] = target.get(verb, 0) + n
    labels = labels or {}
    conflicts = tuple(conflict_line(c, labels) for c in report.conflicts)
    details = [action_line(a, labels) for a in report.actions]
    details += [tr("{step}: %n more", "", n).format(step=step_label(op))
                for op, n in getattr(report, "unlisted", {}).items()]
    not_sent = not_sent_lines(report)
    details += [tr("Not sent: {what}").format(what=s) for s in not_sent]
    details += [tr("Conflict: {what}").format(what=c) for c in conflicts]
    codes = getattr(report, "notice_codes", [])
    notices = tuple(notice_text(codes[i][0], codes[i][1], n) if i < len(codes) else n
                    for i, n in enumerate(report.notices))
    details += [tr("Note: {what}").format(what=n) for n in notices]
    return SyncSummary(report.org_name, came_in, went_out, conflicts, not_sent,
                       notices, "\n".join(details), last_sync)
