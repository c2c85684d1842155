"""Connecting to orgs: sign-in per deployment kind, adding orgs, the connection test.

:class:`Connector` ties the pieces together: it parses the address, probes how the
org wants to be signed in to (Entra/ADFS OAuth or Windows authentication), gets a
credential (silently from the cache or the keyring, or through the flow the caller
chose in :class:`SignInOptions`) and returns an :class:`OrgSession` with a ready
:class:`~wizard.engine.dataverse.DataverseClient`.

:meth:`Connector.test` is the connection test: ordered steps (URL, DNS, TCP, TLS, proxy,
sign-in, WhoAmI, version, Sync-to-Outlook privilege, mailbox sync method, local stamp),
yielded one by one as :class:`StepResult` so a GUI can show progress and cancel.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn, TypedDict
from urllib.parse import urlsplit

import requests

from wizard.engine import connect_steps as T
from wizard.engine.auth import (
    AuthChallenge,
    Authenticator,
    DeviceCodePrompt,
    SignInResult,
    authority_for_org,
    org_scopes,
    probe_org,
)
from wizard.engine.cancel import CancelEvent
from wizard.engine.clouds import Cloud
from wizard.engine.dataverse import SYNC_TO_OUTLOOK_PRIVILEGE, DataverseClient, DataverseError
from wizard.engine.errors import Action, SecretStoreUnavailable, WizardError
from wizard.engine.http import Cancelled, proxy_for_url, tls_error, tls_kind
from wizard.engine.signin_errors import BadPassword, CredentialsRequired, NewSignInAsked, NotSignedIn, SignInError
from wizard.engine.urls import OrgUrl, parse_org_url

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.auth import TokenProvider
    from wizard.engine.orgs import OrgProfile, OrgRegistry
    from wizard.engine.secrets import SecretStore
    from wizard.engine.serverside.records import MailboxRecord
    from wizard.engine.stamp import MailboxStore

PASSWORD_SECRET = "password"
#: a mailbox record's ``actdeliverymethod`` in words (a record may have none: ``None``)
DELIVERY_METHODS: dict[int | None, str] = {0: "Dynamics 365 for Outlook",
                                           1: "Server-Side Synchronization", 2: "None"}


class ConnectError(WizardError):
    code = "connect_failed"


class NoRegistry(ConnectError):
    template = "No organization registry is available."


class OrgStateDisabled(ConnectError):
    """The org's own record says State Disabled (``org`` is its address)."""

    code = "org_disabled"
    template = "The organization {org} is disabled."
    fix_template = "Ask your administrator to enable it."


class PasswordNotSavable(ConnectError):
    code = "keyring_unavailable"
    template = "The password cannot be saved: no secure keyring is available."
    fix_template = "Add the org without saving the password; you will be asked for it when connecting."


class PasswordNotSavableOnSignIn(SecretStoreUnavailable):
    template = "The password cannot be saved: no secure keyring is available."
    fix_template = "Sign in without saving the password; you will be asked for it when connecting."


class WindowsCredentialsRequired(SignInError):
    """The org (``org``: its address) uses Windows authentication and no user name/password
    was given or saved."""

    code = "windows_credentials_required"
    action = Action.ENTER_CREDENTIALS
    template = "{org} uses Windows authentication: a user name and password are needed."
    fix_template = "Enter your Windows user name (DOMAIN\\user) and password."


class NotDynamics(ConnectError):
    """``org`` (an address) answered, but not as a Dynamics 365 organization does."""

    code = "not_dynamics"
    template = ("{org} does not look like a Dynamics 365 organization (HTTP {status} and no "
                "sign-in request).")
    fix_template = "Check the address; paste it from the browser while the org is open."


class LetInWithoutSignIn(NotDynamics):
    template = "{org} let us in without signing in, which a Dynamics 365 organization never does."
    fix_template = "Check the address."


@dataclass
class SignInOptions:
    """How to get a credential when the cache/keyring has none.

    ``method``: "silent" (cache/keyring only; fails with NotSignedIn), "browser",
    "device_code" or "password" (user name + password: Windows authentication, or
    ROPC where the authority allows it). Windows authentication always uses
    ``username``/``password`` (or the saved password).
    """

    method: str = "silent"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    save_password: bool = False
    prompt: str | None = None
    open_browser: Callable[[str], Any] | None = None
    on_device_code: Callable[[DeviceCodePrompt], None] | None = None
    cancel_event: CancelEvent | None = None
    #: browser sign-in: told the address and whether a browser opened (see
    #: :meth:`Authenticator.interactive`); with it, a failed launcher does not end the sign-in
    on_address: Callable[[str, bool], None] | None = None
    browser_timeout: float | None = None


@dataclass(frozen=True)
class SignInTarget:
    """Where to sign in and for what: an org (its challenge named the authority and the
    resource) or a cloud's Global Discovery Service."""

    authority: str
    scopes: list[str]
    cloud: Cloud | None = None

    @property
    def client_id(self) -> str | None:
        return self.cloud.client_id if self.cloud else None


@dataclass
class OrgSession:
    """A signed-in connection to one org."""

    org_url: OrgUrl
    auth_method: str            # "oauth" | "adfs" | "ntlm"
    client: DataverseClient
    authority: str | None = None
    resource: str | None = None
    username: str | None = None
    tenant_id: str | None = None
    signin: SignInResult | None = None
    new_account: bool = False   # this connection added an account to the token cache
    password_to_save: str | None = field(default=None, repr=False)
    owned_session: Any = field(default=None, repr=False)

    def close(self) -> None:
        """Close the connection pool this org session owns (Windows authentication)."""
        if self.owned_session is not None:
            self.owned_session.close()
            self.owned_session = None


@dataclass
class StepResult:
    name: str
    title: str
    status: str                 # "passed" | "failed" | "skipped" | "warning" (does not fail)
    elapsed: float
    message: str
    fix: str | None = None
    details: str | None = None
    code: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    #: the outcome's words (:mod:`wizard.engine.connect_steps`, or the engine error the step
    #: failed with): a front end renders ``message``/``fix`` from it in its own language
    text: WizardError | None = field(default=None, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "status": self.status,
                "elapsed": round(self.elapsed, 3), "message": self.message, "fix": self.fix,
                "details": self.details, "code": self.code, "data": self.data}


STEPS: tuple[tuple[str, str], ...] = (
    ("url", "Organization address"),
    ("dns", "Name lookup (DNS)"),
    ("tcp", "Network connection"),
    ("tls", "Secure connection (TLS certificate)"),
    ("proxy", "Proxy"),
    ("signin", "Sign-in"),
    ("whoami", "Access to the organization (WhoAmI)"),
    ("version", "Dynamics 365 version"),
    ("privilege", "Sync-to-Outlook privilege"),
    ("mailbox", "Mailbox synchronization method"),
    ("exchange", "Exchange mailbox"),
    ("stamp", "Local mailbox stamp"),
    ("switch", "Switch of the synchronizing organization"),
)
# Steps that run even after an earlier step failed (they need no connection), and steps
# whose failure does not make the later ones pointless.
_ALWAYS = ("stamp", "switch")
_ADVISORY = ("privilege", "mailbox", "exchange", "stamp", "switch")
_TITLES = dict(STEPS)


def _not_dynamics(org_url: OrgUrl, challenge: AuthChallenge) -> NoReturn:
    if challenge.status and 200 <= challenge.status < 300:
        raise LetInWithoutSignIn(org=org_url.base_url, status=challenge.status)
    raise NotDynamics(org=org_url.base_url, status=challenge.status)


class _StepFailed(Exception):
    """A step failed with ``error``; ``data`` goes to the step's report with its params."""

    #: the finding is a warning: it does not fail the test (as a ``severity`` "warning" error)
    warning = False

    def __init__(self, error: WizardError, **data: Any) -> None:
        super().__init__(error.message)
        self.error = error
        self.data = data


class _StepWarned(_StepFailed):
    """A step found ``error``, an error that is only a warning here."""

    warning = True


class _TestState(TypedDict, total=False):
    """What the connection test's steps learn, for the steps after them."""

    profile: OrgProfile | None
    org_url: OrgUrl
    host: str
    port: int
    proxy: str | None
    addresses: list[str]
    challenge: AuthChallenge
    conn: OrgSession
    whoami: dict[str, Any]
    whoami_error: WizardError
    version: str
    mailbox_record: MailboxRecord


#: what a step returns: its outcome's words and the data for its report
_StepOutcome = tuple[WizardError, dict[str, Any]]


class Connector:
    def __init__(self, *, session: requests.Session, authenticator: Authenticator,
                 secrets: "SecretStore | None", clouds: Mapping[str, Cloud],
                 registry: "OrgRegistry | None" = None, mailbox: "MailboxStore | None" = None,
                 ssl_context: ssl.SSLContext | None = None,
                 connect_timeout: float = 10.0) -> None:
        self.session = session
        self.auth = authenticator
        self.secrets = secrets
        self.clouds = dict(clouds)
        self.registry = registry
        self.mailbox = mailbox
        self.ssl_context = ssl_context or getattr(session, "ssl_context", None)
        self.connect_timeout = connect_timeout

    # -- addresses -----------------------------------------------------------------------
    def parse(self, text: str) -> OrgUrl:
        custom = {k: v for k, v in self.clouds.items() if not v.builtin}
        return parse_org_url(text, clouds=custom or None)

    def cloud_of(self, org_url: OrgUrl) -> Cloud | None:
        return self.clouds.get(org_url.cloud) if org_url.cloud else None

    def probe(self, text: str) -> tuple[OrgUrl, AuthChallenge]:
        """Where ``text`` points and how that org wants to be signed in to (one request,
        no credentials). Raises :class:`NotDynamics` when it answers like no org does."""
        org_url = self.parse(text)
        challenge = probe_org(self.session, org_url.api_url)
        if challenge.kind not in ("oauth", "ntlm"):
            _not_dynamics(org_url, challenge)
        return org_url, challenge

    def signin_target(self, cloud: str | None, challenge: AuthChallenge | None = None, *,
                      org_url: str | None = None) -> SignInTarget:
        """Where to sign in: to the org that sent ``challenge`` (found at ``org_url``), or,
        without a challenge, to ``cloud``'s Global Discovery Service."""
        if challenge is not None:
            c = self.clouds.get(cloud or "")
            resource = challenge.resource or org_url or ""
            return SignInTarget(authority_for_org(c, challenge, challenge.tenant_id),
                                org_scopes(resource), c)
        from wizard.engine.clouds import get_cloud
        from wizard.engine.discovery import discovery_scopes

        c = get_cloud(cloud or "commercial", {k: v for k, v in self.clouds.items() if not v.builtin})
        return SignInTarget(c.authority, discovery_scopes(c), c)

    # -- signing in to an org ------------------------------------------------------------
    def connect(self, target: "str | OrgUrl | OrgProfile",
                options: SignInOptions | None = None, *, force: bool = False) -> OrgSession:
        """Sign in to the org. ``force`` (an explicit "sign in"): with a browser, device-code
        or password method, sign in that way even when a cached sign-in exists (it may be
        the one the server refuses)."""
        options = options or SignInOptions()
        profile = None if isinstance(target, (str, OrgUrl)) else target
        org_url = target if isinstance(target, OrgUrl) else self.parse(
            target if isinstance(target, str) else target.base_url)
        challenge = probe_org(self.session, org_url.api_url)
        return self._connect(org_url, challenge, profile, options, force=force)

    def _connect(self, org_url: OrgUrl, challenge: AuthChallenge,
                 profile: "OrgProfile | None", options: SignInOptions, *,
                 force: bool = False) -> OrgSession:
        if challenge.kind == "ntlm":
            return self._connect_windows(org_url, challenge, profile, options)
        if challenge.kind != "oauth":
            _not_dynamics(org_url, challenge)
        cloud = self.cloud_of(org_url)
        tenant = (profile.tenant_id if profile else None)
        authority = (profile.extra.get("authority") if profile else None) or \
            authority_for_org(cloud, challenge, tenant)
        resource = (challenge.resource or org_url.base_url).rstrip("/")
        scopes = org_scopes(resource)
        client_id = cloud.client_id if cloud else None
        username = options.username or (profile.user if profile else None)
        before = {a.get("home_account_id") for a in self.auth.accounts(authority,
                                                                        client_id=client_id)}
        result = self._acquire(authority, scopes, username, client_id, options, force=force)
        after_user = result.username or username
        provider = self.auth.token_provider(authority, scopes, username=after_user,
                                            client_id=client_id)
        client = DataverseClient(self.session, org_url.api_url,
                                 _FirstThen(result.authorization, provider))
        return OrgSession(org_url=org_url, auth_method=challenge.auth_method, client=client,
                          authority=authority, resource=resource, username=after_user,
                          tenant_id=result.tenant_id or challenge.tenant_id, signin=result,
                          new_account=result.home_account_id not in before)

    def _acquire(self, authority: str, scopes: list[str], username: str | None,
                 client_id: str | None, options: SignInOptions, *,
                 force: bool = False) -> SignInResult:
        try:
            if force and options.method != "silent":
                raise NewSignInAsked()
            return self.auth.silent(authority, scopes, username=username, client_id=client_id)
        except SignInError as silent_error:
            if options.method == "silent":
                raise
            if options.method == "browser":
                extra: dict[str, Any] = {}
                if options.browser_timeout:
                    extra["timeout"] = options.browser_timeout
                return self.auth.interactive(authority, scopes, login_hint=username,
                                             prompt=options.prompt, client_id=client_id,
                                             open_browser=options.open_browser,
                                             cancel_event=options.cancel_event,
                                             on_address=options.on_address, **extra)
            if options.method == "device_code":
                prompt = self.auth.start_device_code(authority, scopes, client_id=client_id)
                if options.on_device_code is not None:
                    options.on_device_code(prompt)
                return self.auth.finish_device_code(prompt, cancel_event=options.cancel_event)
            if options.method == "password":
                if not (options.username and options.password is not None):
                    raise CredentialsRequired() from silent_error
                return self.auth.password(authority, scopes, options.username,
                                          options.password, client_id=client_id)
            raise silent_error

    def _connect_windows(self, org_url: OrgUrl, challenge: AuthChallenge,
                         profile: "OrgProfile | None", options: SignInOptions) -> OrgSession:
        from wizard.engine.windows_auth import WindowsAuth

        username = options.username or (profile.user if profile else None)
        password = options.password
        if password is None and profile is not None and self.secrets is not None \
                and getattr(self.secrets, "available", False):
            password = self.secrets.get(_secret_key(profile.key, PASSWORD_SECRET))
        if not username or password is None:
            raise WindowsCredentialsRequired(org=org_url.base_url)
        protocol = "negotiate" if "negotiate" in challenge.schemes else "ntlm"
        auth = WindowsAuth(username, password, protocol=protocol)
        # Its own connection pool: the server ties the signed-in user to the connection,
        # so connections must never be shared with another user's requests.
        fork = getattr(self.session, "fork", None)
        session = fork() if fork is not None else self.session
        client = DataverseClient(session, org_url.api_url, lambda: auth)
        return OrgSession(org_url=org_url, auth_method="ntlm", client=client,
                          username=username, owned_session=session if session is not
                          self.session else None,
                          password_to_save=password if options.save_password else None)

    # -- the cloud: sign-in for discovery, and the user's orgs ---------------------------
    def sign_in_cloud(self, cloud: Cloud, options: SignInOptions | None = None, *,
                      force: bool = False) -> SignInResult:
        """A token for the cloud's Global Discovery Service: silent first, unless ``force``
        (an explicit "sign in": the person may want another account)."""
        from wizard.engine.discovery import discovery_scopes

        options = options or SignInOptions()
        username = options.username
        if username is None and not force:
            names = {a.get("username") for a in self.auth.accounts(
                cloud.authority, client_id=cloud.client_id) if a.get("username")}
            username = names.pop() if len(names) == 1 else None
        return self._acquire(cloud.authority, discovery_scopes(cloud), username,
                             cloud.client_id, options, force=force)

    def discover(self, cloud: Cloud, options: SignInOptions | None = None
                 ) -> tuple[SignInResult, list[Any]]:
        """Sign in to ``cloud`` (silently if possible) and list the user's orgs there."""
        from wizard.engine.discovery import list_instances

        result = self.sign_in_cloud(cloud, options)
        return result, list_instances(self.session, cloud, lambda: result.authorization)

    # -- adding an org -------------------------------------------------------------------
    def add_org(self, text: str, options: SignInOptions | None = None, *,
                display_name: str | None = None) -> tuple["OrgProfile", bool]:
        """Connect, read who/what the org is, and record it. Failure leaves nothing behind."""
        from wizard.engine.orgs import OrgProfile

        if self.registry is None:
            raise NoRegistry()
        org_url = self.parse(text)
        conn = self.connect(org_url, options)
        try:
            who = conn.client.whoami()
            version = conn.client.retrieve_version()
            try:
                detail = conn.client.retrieve_current_organization()
            except DataverseError:
                detail = {}
            org_id = str(detail.get("OrganizationId") or who.get("OrganizationId") or "") or None
            if str(detail.get("State") or "Enabled").lower() == "disabled":
                raise OrgStateDisabled(org=org_url.base_url)
            profile = OrgProfile(
                base_url=org_url.base_url, display_name=display_name or str(
                    detail.get("FriendlyName") or ""),
                org_id=org_id, unique_name=detail.get("UniqueName") or org_url.org_name,
                api_url=org_url.api_url, kind=org_url.kind, cloud=org_url.cloud,
                region=org_url.region or detail.get("Geo") or None,
                tenant_id=conn.tenant_id or detail.get("TenantId") or None,
                user=conn.username, user_id=who.get("UserId"), auth_method=conn.auth_method,
                version=version or detail.get("OrganizationVersion"),
                save_credentials=bool(conn.password_to_save),
                extra={k: v for k, v in (("authority", conn.authority),
                                         ("resource", conn.resource)) if v})
            saved_key = None
            if conn.password_to_save is not None and (
                    self.secrets is None or not getattr(self.secrets, "available", False)):
                raise PasswordNotSavable()
            stored, created = self.registry.add(profile)
            if conn.password_to_save is not None:
                saved_key = _secret_key(stored.key, PASSWORD_SECRET)
                try:
                    self.secrets.set(saved_key, conn.password_to_save)  # type: ignore[union-attr] # checked available above
                except Exception:
                    if created:
                        self.registry.remove(stored.key)
                    raise
            with contextlib.suppress(WizardError):
                self.registry.mark_connected(stored.key)
            return self.registry.get(stored.key), created
        except BaseException:
            if conn.new_account and conn.authority:
                # A sign-in done only for this failed add leaves no tokens behind.
                try:
                    self.auth.sign_out(conn.authority, username=conn.username)
                except Exception:  # noqa: BLE001 - best effort: a failure here is reported elsewhere or harmless
                    pass
            raise

    def sign_in_org(self, profile: "OrgProfile", options: SignInOptions) -> tuple["OrgProfile", OrgSession]:
        """Sign in to an added org again ("sign in"): never with the cached sign-in (it may
        be the one the org refuses). The server must accept it (WhoAmI); then the org's
        record gets the signed-in user, tenant and authority, and a password the user
        chose to save goes to the keyring (refused without a secure one)."""
        if self.registry is None:
            raise NoRegistry()
        conn = self.connect(profile, options, force=True)
        who = conn.client.whoami()
        changes: dict[str, Any] = {"user": conn.username, "user_id": who.get("UserId")}
        if conn.tenant_id:
            changes["tenant_id"] = conn.tenant_id
        extra = dict(profile.extra)
        if conn.authority:
            extra["authority"] = conn.authority
        changes["extra"] = extra
        if conn.password_to_save is not None:
            if self.secrets is None or not getattr(self.secrets, "available", False):
                raise PasswordNotSavableOnSignIn()
            self.secrets.set(_secret_key(profile.key, PASSWORD_SECRET), conn.password_to_save)
            changes["save_credentials"] = True
        try:
            self.registry.update(profile.key, **changes)
        except (WizardError, TypeError):
            self.registry.update(profile.key, user=conn.username)
        with contextlib.suppress(WizardError):
            self.registry.mark_connected(profile.key)
        return self.registry.get(profile.key), conn

    def add_orgs(self, orgs: Iterable[tuple[str, SignInOptions | None, str | None]]
                 ) -> list[tuple["OrgProfile", bool]]:
        """Add each ``(address, options, display_name)`` (:meth:`add_org`), then let the
        synchronizing org claim the mailbox if no org has claimed it yet: the first org a
        user adds starts as the synchronizing org, and its stamp is written now rather
        than at the first sync, so another org's later claim is a conflict the user sees."""
        added = [self.add_org(text, options, display_name=name) for text, options, name in orgs]
        self._claim_unclaimed_mailbox()
        return added

    def _claim_unclaimed_mailbox(self) -> None:
        if self.registry is None or self.mailbox is None:
            return
        primary = self.registry.primary()
        if primary is not None and primary.org_id and self.mailbox.stamp() is None:
            self.mailbox.claim(primary.org_id, primary.display_name)

    def sign_out(self, profile: "OrgProfile") -> dict[str, Any]:
        """Remove this org's saved password and its account's cached tokens; the org no
        longer saves credentials until the user chooses so again."""
        removed_accounts = 0
        authority = profile.extra.get("authority")
        if authority and profile.user:
            cloud = self.clouds.get(profile.cloud) if profile.cloud else None
            removed_accounts = self.auth.sign_out(
                authority, username=profile.user, client_id=cloud.client_id if cloud else None)
        secrets_removed = False
        if self.secrets is not None and getattr(self.secrets, "available", False):
            self.secrets.delete_org(profile.key)
            secrets_removed = True
        if profile.save_credentials and self.registry is not None:
            self.registry.update(profile.key, save_credentials=False)
        return {"org": profile.key, "accounts_removed": removed_accounts,
                "secrets_removed": secrets_removed}

    # -- the connection test -------------------------------------------------------------
    def test(self, target: "str | OrgProfile", options: SignInOptions | None = None, *,
             cancel_event: CancelEvent | None = None) -> Iterator[StepResult]:
        """Run the steps in order, yielding each result as soon as it is known."""
        options = options or SignInOptions()
        state: _TestState = {"profile": None if isinstance(target, str) else target}
        failed = False
        for name, title in STEPS:
            if cancel_event is not None and cancel_event.is_set():
                raise Cancelled()
            start = time.monotonic()
            if failed and name not in _ALWAYS:
                skipped = T.EarlierStepFailed()
                yield StepResult(name, title, "skipped", 0.0, skipped.message, text=skipped)
                continue
            extra: dict[str, Any] = {}
            warned = False
            try:
                note, data = getattr(self, f"_step_{name}")(target, state, options)
                yield StepResult(name, title, "passed", time.monotonic() - start, note.message,
                                 data=data, text=note)
                continue
            except T.StepSkipped as skip:
                yield StepResult(name, title, "skipped", time.monotonic() - start, skip.message,
                                 text=skip)
                continue
            except _StepFailed as f:
                err, extra, warned = f.error, f.data, f.warning
            except Cancelled:
                raise
            except WizardError as exc:
                err = exc
            data = {k: v for k, v in err.params.items() if isinstance(v, (str, int, bool))}
            if err.action is not None:
                data["action"] = err.action.value
            data.update(extra)
            warned = warned or getattr(err, "severity", None) == "warning"
            status = "warning" if warned else "failed"
            if status == "failed" and name not in _ADVISORY:
                failed = True
            yield StepResult(name, title, status, time.monotonic() - start, err.message,
                             err.fix, err.details, err.code, data, text=err)

    def run_test(self, target: "str | OrgProfile", options: SignInOptions | None = None, *,
                 on_step: Callable[[StepResult], None] | None = None,
                 cancel_event: CancelEvent | None = None) -> list[StepResult]:
        results: list[StepResult] = []
        for step in self.test(target, options, cancel_event=cancel_event):
            results.append(step)
            if on_step is not None:
                on_step(step)
        return results

    # steps: each returns (StepPassed, data) or raises _StepFailed / WizardError / StepSkipped
    def _step_url(self, target: "str | OrgProfile", state: _TestState,
                  options: SignInOptions) -> _StepOutcome:
        text = target if isinstance(target, str) else target.base_url
        org_url = self.parse(text)
        state["org_url"] = org_url
        host, port = org_url.host, org_url.port or (443 if org_url.scheme == "https" else 80)
        api = urlsplit(org_url.api_url)
        state["host"] = api.hostname or host
        state["port"] = api.port or port
        state["proxy"] = proxy_for_url(self.session, org_url.api_url)
        cloud = self.clouds[org_url.cloud].display_name if (
            org_url.cloud and org_url.cloud in self.clouds) else None
        return (T.UrlPassed(org=org_url.base_url, kind=org_url.kind, cloud=cloud),
                org_url.to_dict())

    def _target_host(self, state: _TestState) -> tuple[str, int, bool]:
        proxy = state.get("proxy")
        if proxy:
            host, _, port = proxy.rpartition(":")
            return (host or proxy), int(port or 8080), True
        return state["host"], state["port"], False

    def _step_dns(self, target: "str | OrgProfile", state: _TestState,
                  options: SignInOptions) -> _StepOutcome:
        host, port, via_proxy = self._target_host(state)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise T.NameNotFound(host=host, via_proxy=via_proxy, details=str(exc)) from exc
        addresses = sorted({str(i[4][0]) for i in infos})   # an IP address (str) for TCP
        state["addresses"] = addresses
        return (T.DnsPassed(host=host, via_proxy=via_proxy, addresses=", ".join(addresses)),
                {"addresses": addresses})

    def _step_tcp(self, target: "str | OrgProfile", state: _TestState,
                  options: SignInOptions) -> _StepOutcome:
        host, port, via_proxy = self._target_host(state)
        try:
            with socket.create_connection((host, port), timeout=self.connect_timeout):
                pass
        except OSError as exc:
            raise T.TcpFailed(host=host, port=port, via_proxy=via_proxy,
                              details=f"{type(exc).__name__}: {exc}") from exc
        return (T.TcpPassed(host=host, port=port), {})

    def _step_tls(self, target: "str | OrgProfile", state: _TestState,
                  options: SignInOptions) -> _StepOutcome:
        org_url: OrgUrl = state["org_url"]
        if urlsplit(org_url.api_url).scheme != "https":
            raise T.PlainHttp()
        if state.get("proxy"):
            raise T.CheckedThroughProxy()
        host, port = state["host"], state["port"]
        ctx = self.ssl_context or ssl.create_default_context()
        try:
            with socket.create_connection((host, port), timeout=self.connect_timeout) as raw:
                with ctx.wrap_socket(raw, server_hostname=host) as tls:
                    cert = tls.getpeercert() or {}
                    version = tls.version()
        except ssl.SSLCertVerificationError as exc:
            issuer = peer_certificate_issuer(host, port, self.connect_timeout)
            err = tls_error(exc, host, port, issuer=issuer,
                            details=f"{exc.verify_message or exc}")
            raise _StepFailed(err, issuer=issuer, tls_problem=tls_kind(exc)) from exc
        except (ssl.SSLError, OSError) as exc:
            raise tls_error(None, host, port, details=str(exc)) from exc
        issuer = _name(cert.get("issuer"))
        return (T.TlsPassed(tls_version=version, issuer=issuer),
                {"issuer": issuer, "tls_version": version})

    def _step_proxy(self, target: "str | OrgProfile", state: _TestState,
                    options: SignInOptions) -> _StepOutcome:
        proxy = state.get("proxy")
        org_url: OrgUrl = state["org_url"]
        state["challenge"] = probe_org(self.session, org_url.api_url)   # NetworkError: fails
        return T.ProxyPassed(proxy=proxy or None), {"proxy": proxy or None}

    def _step_signin(self, target: "str | OrgProfile", state: _TestState,
                     options: SignInOptions) -> _StepOutcome:
        org_url: OrgUrl = state["org_url"]
        challenge: AuthChallenge = state["challenge"]
        try:
            conn = self._connect(org_url, challenge, state["profile"], options)
        except NotSignedIn as err:
            raise _StepFailed(err, action=Action.SIGN_IN.value) from err
        state["conn"] = conn
        if conn.auth_method == "ntlm":
            # Windows authentication is decided by the server's answer to a request, not
            # by building the session: ask now, so a rejected user name or password fails
            # this step (with its fix) instead of passing it and failing the next.
            try:
                state["whoami"] = conn.client.whoami()
            except BadPassword as err:
                raise _StepFailed(err, action=Action.ENTER_PASSWORD.value) from err
            except WizardError as err:   # accepted, but refused otherwise: the next step says so
                state["whoami_error"] = err
        return (T.SignInPassed(user=conn.username, auth_method=conn.auth_method),
                {"user": conn.username, "auth_method": conn.auth_method,
                 "authority": conn.authority, "tenant_id": conn.tenant_id})

    def _step_whoami(self, target: "str | OrgProfile", state: _TestState,
                     options: SignInOptions) -> _StepOutcome:
        conn: OrgSession = state["conn"]
        if "whoami_error" in state:
            raise state.pop("whoami_error")
        who = state.get("whoami") or conn.client.whoami()
        state["whoami"] = who
        return (T.WhoAmIPassed(user_id=who.get("UserId")),
                {k: who.get(k) for k in ("UserId", "OrganizationId", "BusinessUnitId")})

    def _step_version(self, target: "str | OrgProfile", state: _TestState,
                      options: SignInOptions) -> _StepOutcome:
        conn: OrgSession = state["conn"]
        version = conn.client.retrieve_version()
        state["version"] = version
        major = version.split(".")[0] if version else ""
        if major.isdigit() and int(major) < 8:
            raise T.VersionTooOld(version=version)
        return (T.VersionPassed(version=version), {"version": version})

    def _step_privilege(self, target: "str | OrgProfile", state: _TestState,
                        options: SignInOptions) -> _StepOutcome:
        conn: OrgSession = state["conn"]
        user_id: str = state["whoami"]["UserId"]   # WhoAmI always answers it
        if conn.client.has_privilege(user_id, SYNC_TO_OUTLOOK_PRIVILEGE):
            return (T.PrivilegePassed(), {"privilege": True})
        raise _StepFailed(T.LacksSyncPrivilege(), privilege=False)

    def _step_mailbox(self, target: "str | OrgProfile", state: _TestState,
                      options: SignInOptions) -> _StepOutcome:
        from wizard.engine.errors import ServerText
        from wizard.engine.serverside import errors as sse
        from wizard.engine.serverside.records import ACT_NONE, ACT_OUTLOOK, ACT_SERVER, FAILURE, FIELDS, MailboxRecord
        from wizard.engine.serverside.words import Word, approval_word

        conn: OrgSession = state["conn"]
        user_id = state["whoami"].get("UserId")
        rows = list(conn.client.list(
            "mailboxes", select=FIELDS, filter=f"_regardingobjectid_value eq {user_id}", top=1))
        if not rows:
            raise T.MailboxRecordMissing()
        record = MailboxRecord.from_row(rows[0])
        state["mailbox_record"] = record
        method = record.method
        label = DELIVERY_METHODS.get(method, f"unknown ({method})")
        worded = Word("method", method) if method in DELIVERY_METHODS else label
        profile = state.get("profile")
        org = profile.label if profile is not None else conn.org_url.base_url
        data = {"mailbox": record.email or record.name, "actdeliverymethod": method,
                "method": label, "actstatus": record.status,
                "primary_for_exchange": record.holds_exchange,
                "approval": record.approval}
        primary = profile is not None and getattr(profile, "is_primary", False)
        via: str | None = getattr(profile, "sync_via", None)
        if primary:
            if method == ACT_NONE:
                raise sse.RecordSaysNone(org=org)
            chosen = {"server": ACT_SERVER, "computer": ACT_OUTLOOK}.get(via) if via else None
            if chosen is not None and method != chosen:
                raise sse.MethodMismatch(org=org, method=worded, via=via)
            if method == ACT_SERVER and not record.approved:
                raise _StepWarned(sse.AddressNotApproved(
                    org=org, email=record.email or "", state=approval_word(record.approval, "?")))
            if method == ACT_SERVER and record.status == FAILURE:
                raise _StepWarned(sse.ConfiguredElsewhere(org=org, details=record.last_error)
                                  if record.configured_elsewhere else
                                  sse.MailboxTestFailed(org=org,
                                                        error=ServerText(record.last_error or "")))
        elif profile is not None and method in (ACT_OUTLOOK, ACT_SERVER) and \
                self.registry is not None and self.registry.primary() is not None:
            raise sse.StillSynchronizing(org=org, method=worded)
        status = Word("status", record.status, "?")
        return (T.MailboxPassed(method=worded, status=status), data)

    def _step_exchange(self, target: "str | OrgProfile", state: _TestState,
                       options: SignInOptions) -> _StepOutcome:
        from wizard.engine.serverside import errors as sse

        record = state.get("mailbox_record")
        if record is None:
            raise T.MailboxRecordNotRead()
        profile = state.get("profile")
        org = profile.label if profile is not None else state["conn"].org_url.base_url
        primary = profile is not None and getattr(profile, "is_primary", False)
        data = {"holds_exchange": record.holds_exchange}
        if record.holds_exchange:
            if profile is not None and not primary and self.registry is not None \
                    and self.registry.primary() is not None:
                raise sse.HoldsButNotPrimary(org=org)
            return T.HoldsExchange(), data
        if primary and getattr(profile, "sync_via", None) == "server":
            labels: list[str] = []
            if self.registry is not None:
                known = self.registry.exchange_holder() or {}
                labels = [p.label for p in self.registry.list() if p.key in (known.get("keys")
                                                                              or [])]
            raise sse.NotHolding(org=org, holders=", ".join(labels))
        return T.DoesNotHoldExchange(), data

    def _step_switch(self, target: "str | OrgProfile", state: _TestState,
                     options: SignInOptions) -> _StepOutcome:
        from wizard.engine.serverside import errors as sse
        from wizard.engine.serverside.journal import summary_note

        if self.registry is None:
            raise T.NoOrgList()
        journal = self.registry.switch_journal()
        if journal is None:
            return T.NoSwitchPending(), {"pending": False}
        raise sse.SwitchPending(org=journal.get("target_label", ""), what=summary_note(journal))

    def _step_stamp(self, target: "str | OrgProfile", state: _TestState,
                    options: SignInOptions) -> _StepOutcome:
        if self.mailbox is None:
            raise T.NoMailboxStore()
        stamp = self.mailbox.stamp()
        profile = state.get("profile")
        org_id = (state.get("whoami") or {}).get("OrganizationId") or (
            profile.org_id if profile is not None else None)
        if stamp is None:
            return T.StampUnclaimed(), {"stamp": None}
        data = {"stamp": stamp.to_dict()}
        same = bool(org_id) and str(stamp.org_id).lower() == str(org_id).lower()
        if same:
            return T.StampHere(last_sync=stamp.last_sync), data
        if profile is not None and getattr(profile, "is_primary", False):
            raise _StepFailed(T.MailboxStampedElsewhere(org=stamp.org_name or stamp.org_id), **data)
        return T.StampElsewhere(org=stamp.org_name or stamp.org_id), data


class _FirstThen:
    """The token just obtained, then the provider's (with its ``refresh`` for a 401)."""

    def __init__(self, first: str, provider: TokenProvider) -> None:
        self._first: str | None = first
        self._provider = provider

    def __call__(self) -> str:
        if self._first is not None:
            value, self._first = self._first, None
            return value
        return self._provider()

    def refresh(self, claims: str | None = None) -> str:
        self._first = None
        return self._provider.refresh(claims)


def _secret_key(org_key: str, name: str) -> str:
    try:
        from wizard.engine.secrets import org_secret_key
    except ImportError:  # pragma: no cover - until the secrets module lands
        return f"org:{org_key}:{name}"
    return org_secret_key(org_key, name)


def _name(rdns: Any) -> str | None:
    """``getpeercert()`` issuer/subject tuples -> "CN, O"."""
    if not rdns:
        return None
    parts: dict[str, str] = {}
    for rdn in rdns:
        for key, value in rdn:
            parts.setdefault(key, value)
    cn = parts.get("commonName")
    org = parts.get("organizationName")
    return ", ".join(x for x in (cn, org) if x) or None


def peer_certificate_issuer(host: str, port: int, timeout: float = 10.0) -> str | None:
    """The issuer named by the server's certificate, read WITHOUT verifying it.

    Used only to tell the user who issued an untrusted certificate (e.g. a company
    proxy). The connection is closed right after the handshake; nothing is sent.
    """
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # display only: no request is ever sent here
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            with ctx.wrap_socket(raw, server_hostname=host) as tls:
                der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError):
        return None
    if not der:
        return None
    cert = x509.load_der_x509_certificate(der)
    names = []
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        attrs = cert.issuer.get_attributes_for_oid(oid)
        if attrs:
            names.append(str(attrs[0].value))
    return ", ".join(names) or cert.issuer.rfc4514_string()
