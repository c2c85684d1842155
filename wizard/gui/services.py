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
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.context import Engine
    from wizard.gui.tasks import CancelToken


# -- view types ------------------------------------------------------------------------

class OrgStatus:
    UNKNOWN = "unknown"
    CHECKING = "checking"
    CONNECTED = "connected"
    NEEDS_SIGN_IN = "needs_sign_in"
    MFA_NEEDED = "mfa_needed"
    OFFLINE = "offline"
    ERROR = "error"
    ALL = (UNKNOWN, CHECKING, CONNECTED, NEEDS_SIGN_IN, MFA_NEEDED, OFFLINE, ERROR)


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


@dataclass(frozen=True)
class MailboxHeader:
    primary_name: str | None
    stamp_org_name: str | None
    stamp_org_id: str | None
    last_sync: _dt.datetime | None


@dataclass(frozen=True)
class StepReport:
    """One step of connecting or testing, as the engine reports it."""

    step_id: str
    title: str
    state: str                      # "running", "passed", "failed", "skipped", "warning"
    message: str = ""
    fix: str = ""
    seconds: float | None = None


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


class CloudChoice(Protocol):
    name: str
    display_name: str


class Services(Protocol):
    sandbox_mode: bool

    def clouds(self) -> Sequence[tuple[str, str]]: ...
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
    def apply_switch(self, plan: SwitchPlanView, *, override: bool) -> None: ...
    def diagnostics(self) -> Diagnostics: ...
    def close(self) -> None: ...


# -- the real engine -----------------------------------------------------------------------

SYNC_PRIVILEGE = "prvSyncToOutlook"


def tr(text: str) -> str:
    # Step titles are worded here, on worker threads; QCoreApplication.translate is reentrant.
    from wizard.gui.i18n import tr as translate

    return translate(text)


class _StepRunner:
    """Runs named steps, reporting each as running, then passed/failed with time and fix."""

    def __init__(self, report: Callable[[StepReport], None], cancel: "CancelToken",
                 clock: Callable[[], float]) -> None:
        self.report = report
        self.cancel = cancel
        self.clock = clock
        self.steps: list[StepReport] = []

    def run(self, step_id: str, title: str, fn: Callable[[], Any]) -> Any:
        self.cancel.raise_if_cancelled()
        self.report(StepReport(step_id, title, "running"))
        started = self.clock()
        try:
            value = fn()
        except Exception as exc:
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            step = StepReport(step_id, title, "failed", message, getattr(exc, "fix", None) or "",
                              round(self.clock() - started, 3))
            self.steps.append(step)
            self.report(step)
            raise
        step = StepReport(step_id, title, "passed", "", "", round(self.clock() - started, 3))
        self.steps.append(step)
        self.report(step)
        return value

    def warn(self, step_id: str, title: str, message: str, fix: str) -> None:
        step = StepReport(step_id, title, "warning", message, fix, 0.0)
        self.steps.append(step)
        self.report(step)


class EngineServices:
    """:class:`Services` on the real engine (registry, mailbox stamp, msal, Web API)."""

    def __init__(self, engine: "Engine", *, sandbox: Any = None) -> None:
        import time

        self.engine = engine
        self.sandbox = sandbox
        self.sandbox_mode = sandbox is not None
        self.clock = time.monotonic
        self._session = None
        self._auth = None
        self._secrets_checked = False
        self._secrets = None

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

    # -- collaborators (created on first use, on a worker) ------------------------------
    @property
    def registry(self):
        return self.engine.registry

    @property
    def secrets(self):
        if not self._secrets_checked:
            self._secrets_checked = True
            try:
                self._secrets = self.engine.secrets
            except Exception:  # noqa: BLE001 - no keyring module/backend: nothing is saved
                self._secrets = None
        return self._secrets

    @property
    def session(self):
        if self._session is None:
            from wizard.engine.http import make_session

            bundles = [self.engine.ca_bundle] + [c.ca_bundle for c in self.engine.custom_clouds.values()]
            if self.sandbox is not None:
                bundles.append(str(self.sandbox.ca_file))
            self._session = make_session(ca_bundles=[b for b in bundles if b])
        return self._session

    @property
    def auth(self):
        if self._auth is None:
            from wizard.engine.auth import Authenticator
            from wizard.engine.token_cache import EncryptedTokenCache

            cache = EncryptedTokenCache(self.engine.paths.token_cache_file, self.secrets)
            self._auth = Authenticator(session=self.session, cache=cache)
        return self._auth

    # -- pure ---------------------------------------------------------------------------
    def clouds(self) -> list[tuple[str, str]]:
        return [(c.name, c.display_name) for c in self.engine.clouds.values()]

    def parse_url(self, text: str) -> UrlFacts:
        from wizard.engine.urls import parse_org_url

        u = parse_org_url(text, self.engine.custom_clouds)
        return UrlFacts(u.base_url, u.kind, u.cloud, u.region, u.org_name)

    # -- reading ------------------------------------------------------------------------
    @staticmethod
    def _row(p) -> OrgRow:
        return OrgRow(key=p.key, display_name=p.display_name, unique_name=p.unique_name or "",
                      url=p.base_url, kind=p.kind, cloud=p.cloud, region=p.region, user=p.user,
                      org_id=p.org_id, auth_method=p.auth_method, is_primary=p.is_primary,
                      save_credentials=p.save_credentials, keep_connected=p.keep_connected,
                      has_saved_credentials=bool(p.save_credentials and p.extra.get("password_saved")),
                      version=p.version)

    def list_orgs(self) -> list[OrgRow]:
        return [self._row(p) for p in self.registry.list()]

    def mailbox_header(self) -> MailboxHeader:
        primary = self.registry.primary()
        stamp = self.engine.mailbox.stamp()
        return MailboxHeader(primary.display_name if primary else None,
                             stamp.org_name if stamp else None, stamp.org_id if stamp else None,
                             stamp.last_sync if stamp else None)

    def _cloud(self, name: str | None):
        return self.engine.clouds.get(name) if name else None

    def _authority(self, profile) -> str:
        from wizard.engine.auth import authority_for_org

        authority = profile.extra.get("authority")
        if authority:
            return authority
        return authority_for_org(self._cloud(profile.cloud), None, profile.tenant_id)

    def _password(self, profile) -> str | None:
        from wizard.engine.secrets import org_secret_key

        store = self.secrets
        if store is None or not getattr(store, "available", False):
            return None
        return store.get(org_secret_key(profile.key, "password"))

    def _client(self, profile, *, password: str | None = None, username: str | None = None):
        from wizard.engine.auth import org_scopes
        from wizard.engine.dataverse import DataverseClient

        api = profile.api_url or profile.base_url
        if profile.auth_method == "ntlm":
            from wizard.engine.errors import WizardError
            from wizard.engine.windows_auth import WindowsAuth

            secret = password or self._password(profile)
            if not secret:
                raise WizardError("This organization needs your Windows password.",
                                  fix="Open Properties and save your credentials, or add the organization again.",
                                  code="signin_required")
            auth = WindowsAuth(username or profile.user or "", secret)
            return DataverseClient(self.session, api, lambda: auth)
        scopes = org_scopes(profile.extra.get("resource") or profile.base_url)
        return DataverseClient(self.session, api, self.auth.token_provider(
            self._authority(profile), scopes, username=username or profile.user))

    def check_status(self, key: str) -> tuple[str, str]:
        from wizard.engine.errors import WizardError

        profile = self.registry.get(key)
        try:
            self._client(profile).whoami()
        except WizardError as exc:
            code = getattr(exc, "code", "")
            text = str(exc)
            if code in ("mfa_required", "mfa_enrollment_required"):
                return OrgStatus.MFA_NEEDED, text
            if code in ("signin_required", "signin_expired", "not_signed_in") or "sign in" in text.lower():
                return OrgStatus.NEEDS_SIGN_IN, text
            if code in ("dns_failed", "tls_failed", "timeout", "connection_failed", "proxy_failed") \
                    or type(exc).__name__ == "NetworkError":
                return OrgStatus.OFFLINE, text
            return OrgStatus.ERROR, text
        return OrgStatus.CONNECTED, ""

    # -- sign-in ------------------------------------------------------------------------
    def probe_url(self, url: str, cancel: "CancelToken") -> AuthProbe:
        from wizard.engine.auth import probe_org

        facts = self.parse_url(url)
        challenge = probe_org(self.session, facts.base_url)
        method = challenge.auth_method
        if method == "unknown":
            method = "oauth"
        return AuthProbe(facts.base_url, method, method == "ntlm", facts.cloud,
                         authority=challenge.authority, resource=challenge.resource,
                         tenant_id=challenge.tenant_id)

    def _target(self, cloud: str | None, probe: AuthProbe | None) -> tuple[str, list[str]]:
        """(authority, scopes) to sign in to: an org (URL path) or Global Discovery."""
        from wizard.engine.auth import AuthChallenge, authority_for_org, org_scopes

        if probe is not None:
            challenge = AuthChallenge("oauth", authority=probe.authority, resource=probe.resource,
                                      tenant_id=probe.tenant_id)
            authority = authority_for_org(self._cloud(cloud or probe.cloud), challenge, probe.tenant_id)
            return authority, org_scopes(probe.resource or probe.url)
        c = self.engine.cloud(cloud or "commercial")
        return c.authority, [c.discovery_scope]

    def _account(self, cloud: str | None, result) -> Account:
        return Account(username=result.username or "", cloud=cloud or "", tenant_id=result.tenant_id,
                       handle={"authority": result.authority})

    def sign_in_browser(self, cloud, probe, cancel) -> Account:
        authority, scopes = self._target(cloud, probe)
        result = self.auth.interactive(authority, scopes, cancel_event=cancel._event)
        return self._account(cloud, result)

    def start_device_code(self, cloud, probe):
        authority, scopes = self._target(cloud, probe)
        prompt = self.auth.start_device_code(authority, scopes)
        import time

        view = DeviceCodePrompt(prompt.user_code, prompt.verification_uri, prompt.message,
                                max(0, int(prompt.expires_at - time.time())))
        return view, (cloud, prompt)

    def finish_device_code(self, flow, cancel) -> Account:
        cloud, prompt = flow
        return self._account(cloud, self.auth.finish_device_code(prompt, cancel_event=cancel._event))

    def sign_in_with_password(self, cloud, probe, credentials: Credentials) -> Account:
        """The in-app sign-in: drives the authority's own sign-in form (sandbox) with msal's
        auth-code flow, so no system browser has to trust the sandbox certificate."""
        authority, scopes = self._target(cloud, probe)
        driver = _FormSignIn(self.session, credentials)
        result = self.auth.interactive(authority, scopes, login_hint=credentials.username,
                                       prompt="login", open_browser=driver, timeout=30)
        return self._account(cloud, result)

    def discover(self, account: Account) -> list[DiscoveredOrg]:
        c = self.engine.cloud(account.cloud or "commercial")
        authority = (account.handle or {}).get("authority") or c.authority
        token = self.auth.silent(authority, [c.discovery_scope], username=account.username)
        response = self.session.get(c.discovery_url + "/api/discovery/v2.0/Instances",
                                    headers={"Authorization": token.authorization,
                                             "Accept": "application/json"})
        try:
            if response.status_code != 200:
                from wizard.engine.errors import WizardError

                raise WizardError(f"The list of your organizations could not be read (HTTP {response.status_code}).",
                                  fix="Try again; if it keeps failing, ask your administrator.",
                                  details=response.text[:500], code="discovery_failed")
            items = response.json().get("value", [])
        finally:
            response.close()
        return [DiscoveredOrg(unique_name=i.get("UniqueName", ""), friendly_name=i.get("FriendlyName", ""),
                              url=i.get("Url", ""), region=i.get("Region", "") or "",
                              version=i.get("Version", "") or "", enabled=i.get("State", 0) == 0,
                              org_id=i.get("Id"), raw=i) for i in items]

    # -- connecting -----------------------------------------------------------------------
    def _connect(self, profile, steps: _StepRunner, *, password: str | None = None) -> tuple[Any, tuple[str, ...]]:
        client = self._client(profile, password=password)
        who = steps.run("whoami", tr("Sign in and identify you (WhoAmI)"), client.whoami)
        profile.user_id = who.get("UserId")
        profile.org_id = who.get("OrganizationId") or profile.org_id
        profile.version = steps.run("version", tr("Read the organization's version"), client.retrieve_version)
        detail = steps.run("organization", tr("Read the organization's details"),
                           client.retrieve_current_organization)
        detail = detail.get("Detail", detail) if isinstance(detail, dict) else {}
        profile.unique_name = detail.get("UniqueName") or profile.unique_name
        profile.display_name = profile.display_name or detail.get("FriendlyName") or ""
        profile.tenant_id = detail.get("TenantId") or profile.tenant_id
        warnings: tuple[str, ...] = ()
        has = steps.run("privilege", tr("Check the Sync to Outlook privilege"),
                        lambda: client.has_privilege(profile.user_id, SYNC_PRIVILEGE))
        if not has:
            message = tr("You do not have the Sync to Outlook privilege in this organization, "
                        "so it cannot synchronize with your mailbox.")
            fix = tr("Ask your administrator to give you a security role with the Sync to Outlook privilege.")
            steps.warn("privilege-missing", tr("Sync to Outlook privilege"), message, fix)
            warnings = (message,)
        return profile, warnings

    def _draft(self, url: str, *, kind: str | None = None, cloud: str | None = None, region: str | None = None):
        from wizard.engine.orgs import OrgProfile
        from wizard.engine.urls import parse_org_url

        u = parse_org_url(url, self.engine.custom_clouds)
        return OrgProfile(base_url=u.base_url, api_url=u.api_url, kind=kind or u.kind, cloud=cloud or u.cloud,
                          region=region or u.region, unique_name=u.org_name)

    def connect_online(self, account, org: DiscoveredOrg, report, cancel) -> ConnectedOrg:
        steps = _StepRunner(report, cancel, self.clock)
        profile = steps.run("url", tr("Check the address"), lambda: self._draft(org.url, cloud=account.cloud))
        if org.raw and org.raw.get("ApiUrl"):
            profile.api_url = org.raw["ApiUrl"].rstrip("/")
        profile.org_id = org.org_id
        profile.unique_name = org.unique_name
        profile.display_name = org.friendly_name
        profile.user = account.username
        profile.tenant_id = account.tenant_id
        profile.auth_method = "oauth"
        profile.extra["authority"] = (account.handle or {}).get("authority")
        profile, warnings = self._connect(profile, steps)
        return ConnectedOrg(profile.unique_name or "", profile.display_name, profile.base_url, profile.user,
                            warnings, handle={"profile": profile})

    def connect_url(self, probe: AuthProbe, *, account, credentials, report, cancel) -> ConnectedOrg:
        steps = _StepRunner(report, cancel, self.clock)
        profile = steps.run("url", tr("Check the address"), lambda: self._draft(probe.url))
        profile.auth_method = probe.method
        password = None
        if probe.method == "ntlm" and credentials is not None:
            profile.user = credentials.username
            password = credentials.password
        elif account is not None:
            profile.user = account.username
            profile.tenant_id = account.tenant_id
            profile.extra["authority"] = (account.handle or {}).get("authority")
            if probe.resource:
                profile.extra["resource"] = probe.resource
        profile, warnings = self._connect(profile, steps, password=password)
        return ConnectedOrg(profile.unique_name or "", profile.display_name or profile.unique_name or "",
                            profile.base_url, profile.user, warnings,
                            handle={"profile": profile, "password": password})

    def commit(self, orgs: Sequence[ConnectedOrg], *, save_credentials: bool) -> list[OrgRow]:
        import time as _time

        from wizard.engine.secrets import org_secret_key

        rows = []
        for connected in orgs:
            profile = connected.handle["profile"]
            password = connected.handle.get("password")
            profile.save_credentials = bool(save_credentials and password)
            profile.last_connected_at = _dt.datetime.fromtimestamp(_time.time(), _dt.timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%SZ")
            if profile.save_credentials:
                self.secrets.set(org_secret_key(profile.key, "password"), password)
                profile.extra["password_saved"] = True
            stored, _created = self.registry.add(profile)
            if profile.save_credentials and stored.key != profile.key:
                self.secrets.set(org_secret_key(stored.key, "password"), password)
                self.secrets.delete(org_secret_key(profile.key, "password"))
            rows.append(self._row(stored))
        primary = self.registry.primary()
        if primary is not None and primary.org_id and self.engine.mailbox.stamp() is None:
            self.engine.mailbox.claim(primary.org_id, primary.display_name)
        return rows

    # -- changing -----------------------------------------------------------------------
    def remove(self, key: str) -> None:
        profile = self.registry.get(key)
        self._drop_tokens(profile)
        self.registry.remove(key)

    def _drop_tokens(self, profile) -> None:
        if profile.auth_method in ("oauth", "adfs") and profile.user:
            try:
                self.auth.sign_out(self._authority(profile), username=profile.user)
            except Exception:  # noqa: BLE001 - the registry reports clean-up problems itself
                pass

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
        from wizard.engine.secrets import org_secret_key

        if self.secrets is not None and getattr(self.secrets, "available", False):
            self.secrets.delete(org_secret_key(key, "password"))
        profile = self.registry.get(key)
        extra = dict(profile.extra)
        extra.pop("password_saved", None)
        self.registry.update(key, extra=extra)

    def sign_out(self, key: str) -> None:
        profile = self.registry.get(key)
        self._drop_tokens(profile)
        if self.secrets is not None and getattr(self.secrets, "available", False):
            self.secrets.delete_org(profile.key)
        extra = dict(profile.extra)
        extra.pop("password_saved", None)
        self.registry.update(key, extra=extra)

    def test_connection(self, key: str, report, cancel) -> list[StepReport]:
        from wizard.engine.errors import WizardError

        profile = self.registry.get(key)
        steps = _StepRunner(report, cancel, self.clock)
        try:
            steps.run("url", tr("Check the address"), lambda: self.parse_url(profile.base_url))
            self._connect(profile.copy(), steps)
            self.registry.mark_connected(key)
        except WizardError:
            pass          # the failed step carries the message and the fix
        return steps.steps

    def plan_switch(self, key: str) -> SwitchPlanView:
        plan = self.registry.plan_switch(key)
        return SwitchPlanView(plan.from_org.display_name if plan.from_org else None, plan.to_org.display_name,
                              plan.stamp.org_name if plan.stamp else None,
                              plan.stamp.last_sync if plan.stamp else None, plan.stamp_conflict,
                              plan.already_primary, "\n".join(plan.summary_lines()), plan)

    def apply_switch(self, plan: SwitchPlanView, *, override: bool) -> None:
        self.registry.apply(plan.plan, override=override)

    def diagnostics(self) -> Diagnostics:
        import platform

        from wizard import __version__

        paths = self.engine.paths
        store = self.secrets
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
            ("Extra CA bundle", self.engine.ca_bundle or "none"),
            ("Organizations", str(len(self.registry.list()))),
        ]
        if self.sandbox is not None:
            facts.append(("Sandbox", f"{self.sandbox.discovery_url} (CA {self.sandbox.ca_file})"))
        return Diagnostics(tuple(facts))

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None


class _FormSignIn:
    """Plays the browser for the authority's sign-in form (the sandbox's, which follows
    Entra's page: fields ``login``/``passwd``, then ``otc`` for MFA), inside the app.

    Called by msal's auth-code flow with the authorize URL; it posts the user's answers
    and delivers the final redirect to the loopback receiver, as a browser would.
    """

    def __init__(self, session, credentials: Credentials) -> None:
        self.session = session
        self.credentials = credentials

    def __call__(self, url: str) -> None:
        import html
        import re
        from urllib.parse import urljoin

        import requests

        from wizard.engine.errors import WizardError
        from wizard.engine.signin_errors import BadPassword, MfaRequired, SignInError

        response = self.session.get(url, allow_redirects=False)
        for _ in range(6):
            if response.is_redirect:
                location = urljoin(response.url, response.headers["Location"])
                response.close()
                if location.startswith(("http://localhost", "http://127.0.0.1")):
                    # The loopback receiver: a plain local request, like the browser's.
                    with requests.Session() as plain:
                        plain.trust_env = False
                        plain.get(location, timeout=10).close()
                    return
                response = self.session.get(location, allow_redirects=False)
                continue
            page = response.text
            response.close()
            form = re.search(r'<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>', page, re.S | re.I)
            error = re.search(r'class="error"[^>]*>(.*?)</p>', page, re.S)
            if form is None:
                text = re.sub(r"<[^>]+>", " ", page)
                raise SignInError(" ".join(html.unescape(text).split())[:300] or "The sign-in page failed.",
                                  fix="Try again.", code="signin_failed")
            fields = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(2)))
            names = set(re.findall(r'name="([^"]+)"', form.group(2)))
            action = urljoin(url, html.unescape(form.group(1)))
            if "otc" in names:
                if not self.credentials.mfa_code:
                    raise MfaRequired("Your organization requires multi-factor authentication.",
                                      fix="Enter the verification code from your authenticator app.")
                if error is not None:
                    raise MfaRequired("The verification code was not accepted.", fix="Check the code and try again.")
                fields["otc"] = self.credentials.mfa_code
            elif "passwd" in names:
                if error is not None:
                    detail = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", error.group(1))).split())
                    raise BadPassword("The user name or password is not correct.",
                                      fix="Check them and try again.", details=detail)
                fields["login"] = self.credentials.username
                fields["passwd"] = self.credentials.password
            else:
                raise WizardError("The sign-in page asked for something this app cannot answer.",
                                  fix="Use device-code sign-in instead.", code="signin_failed")
            response = self.session.post(action, data=fields, allow_redirects=False)
        raise SignInError("The sign-in did not finish.", fix="Try again.", code="signin_failed")
