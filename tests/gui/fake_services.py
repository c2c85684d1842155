"""An in-memory stand-in for ``wizard.gui.services.EngineServices`` (unit tests of the GUI).

It follows the sandbox seed (users, orgs) and records the thread of every blocking call,
so tests can prove none of them ran on the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import replace

from wizard.engine.errors import InvalidOrgUrl, WizardError
from wizard.gui.views import (
    Account,
    AddressChangeRow,
    AddressPlanView,
    AuthProbe,
    BundleResult,
    ConnectedOrg,
    Credentials,
    DeviceCodePrompt,
    Diagnostics,
    DiscoveredOrg,
    FieldMappingRow,
    FilterRow,
    KeyringState,
    MailboxCollectionRow,
    MailboxConnected,
    MailboxHeader,
    MailboxSideView,
    OrgChangeView,
    OrgOutcomeView,
    OrgRow,
    OrgStatus,
    StepReport,
    SwitchPlanView,
    SwitchResultView,
    SyncSettingsView,
    SyncSummary,
    UrlFacts,
)
from wizard.sandbox import seed

BASE = "https://127.0.0.1:4430"


def org_url(org: seed.Org) -> str:
    port = 4431 + seed.ORGS.index(org)
    return f"https://127.0.0.1:{port}" if org.kind == "online" else f"{BASE}/{org.unique_name}"


class FakeServices:
    """:class:`wizard.gui.views.Services` in memory (tests/gui/test_services_protocol.py)."""

    sandbox_mode = True
    startup_notes: Sequence[str] = ()
    sandbox_addresses: Sequence[tuple[str, str]] = tuple((o.friendly_name, org_url(o)) for o in seed.ORGS)

    def __init__(self, *, delay: float = 0.0) -> None:
        self.delay = delay
        self.orgs: dict[str, OrgRow] = {}
        self.secrets: dict[str, str] = {}
        self.stamp: tuple[str, str] | None = None     # (org_id, name)
        self.last_sync: dt.datetime | None = None
        self.blocking_threads: list[tuple[str, threading.Thread]] = []
        self.calls: list[str] = []
        self.fail_test_step: str | None = None
        self.fail_test_action = ""                   # the failed step's one-click fix (an Action value)
        self.sync_errors: list[BaseException] = []   # raised by the next synchronize_now calls
        self.device_approved = threading.Event()     # the user finished on the other device
        self.keyring_available = True                # False: no secure keyring on this computer

    # -- helpers ------------------------------------------------------------------------
    def _blocking(self, name: str) -> None:
        self.calls.append(name)
        self.blocking_threads.append((name, threading.current_thread()))
        if self.delay:
            time.sleep(self.delay)

    def _primary(self) -> OrgRow | None:
        return next((o for o in self.orgs.values() if o.is_primary), None)

    def warm_up(self) -> None:
        self._blocking("warm_up")

    # -- pure ---------------------------------------------------------------------------
    def clouds(self):
        return [("commercial", "Commercial"), ("gcc", "GCC"), ("gcchigh", "GCC High"),
                ("dod", "DoD"), ("china", "China"), ("sandbox", "Sandbox (Contoso)")]

    def parse_url(self, text: str) -> UrlFacts:
        text = text.strip()
        if not text:
            raise InvalidOrgUrl("Enter the address of your organization.",
                                fix="Copy it from your browser's address bar.")
        if text.startswith("ftp:"):
            raise InvalidOrgUrl("Only http:// and https:// addresses can be organizations.")
        if "://" not in text:
            text = "https://" + text
        for org in seed.ORGS:
            url = org_url(org)
            if text.startswith(url) and (org.kind == "online" or text[len(url):][:1] in ("", "/")):
                return UrlFacts(url, org.kind, "sandbox" if org.kind == "online" else None,
                                org.region or None, org.unique_name)
        if ".dynamics.com" in text:
            host = text.split("://", 1)[1].split("/")[0]
            return UrlFacts("https://" + host, "online", "commercial", "NAM", host.split(".")[0])
        raise InvalidOrgUrl("This is not the address of a Dynamics 365 organization.",
                            fix="Open your organization in the browser and copy its address.")

    # -- reads --------------------------------------------------------------------------
    def list_orgs(self) -> list[OrgRow]:
        self._blocking("list_orgs")
        return list(self.orgs.values())

    def mailbox_header(self) -> MailboxHeader:
        self._blocking("mailbox_header")
        p = self._primary()
        return MailboxHeader(p.display_name if p else None, self.stamp[1] if self.stamp else None,
                             self.stamp[0] if self.stamp else None, self.last_sync)

    def keyring_state(self) -> KeyringState:
        self._blocking("keyring_state")
        if self.keyring_available:
            return KeyringState(True, "keyring.backends.SecretService.Keyring")
        return KeyringState(False, "none", "Credentials will not be saved (no secure keyring was found).")

    keep_minutes = 15

    def keep_connected_minutes(self) -> int:
        self._blocking("keep_connected_minutes")
        return self.keep_minutes

    def set_keep_connected_minutes(self, minutes: int) -> int:
        from wizard.engine import keepalive

        self._blocking("set_keep_connected_minutes")
        self.keep_minutes = keepalive.check_minutes(minutes)
        return self.keep_minutes

    def background_work(self, connected, last_round, busy):
        from types import SimpleNamespace

        from wizard.engine import keepalive
        from wizard.gui.views import BackgroundWorkView

        self._blocking("background_work")
        orgs = [SimpleNamespace(key=r.key, keep_connected=r.keep_connected, is_primary=r.is_primary,
                                synchronizes_on_server=False) for r in self.orgs.values()]
        work = keepalive.due_work(orgs, connected=connected, minutes=self.keep_minutes,  # type: ignore[arg-type]
                                  last_round=last_round, now=dt.datetime.now(dt.timezone.utc), busy=busy)
        return BackgroundWorkView(work.refresh, work.sync)

    def check_status(self, key: str) -> tuple[str, str]:
        self._blocking("check_status")
        row = self.orgs[key]
        user = seed.user_by_upn(row.user or "") if row.user else None
        if row.auth_method == "ntlm" and key not in self.secrets and not self.keyring_available:
            return OrgStatus.NEEDS_SIGN_IN, "Sign in again: this computer has no secure keyring."
        if row.user is None:
            return OrgStatus.NEEDS_SIGN_IN, "Sign in to use this organization."
        if user is not None and user.requires_mfa:
            return OrgStatus.MFA_NEEDED, "Your organization requires multi-factor authentication."
        return OrgStatus.CONNECTED, ""

    # -- sign-in ------------------------------------------------------------------------
    def probe_url(self, url, cancel) -> AuthProbe:
        self._blocking("probe_url")
        for org in seed.ORGS:
            if org_url(org) == url:
                method = org.auth
                return AuthProbe(url, method, method == "ntlm", "sandbox" if org.kind == "online" else None)
        raise WizardError("The server did not answer.", fix="Check the address.", code="dns")

    def _account(self, username: str, cloud: str) -> Account:
        return Account(username=username, cloud=cloud, tenant_id=seed.TENANT_ID)

    browser_opens = True          # False: the browser launcher fails (no browser here)
    browser_signs_in = True       # False: nobody finishes in the browser; the wait times out

    def sign_in_browser(self, cloud, probe, cancel, on_address=None) -> Account:
        from wizard.engine.signin_errors import BrowserSignInTimedOut, NoBrowser

        self._blocking("sign_in_browser")
        address = f"{BASE}/oauth2/v2.0/authorize?client_id=fake&state=1"
        if not self.browser_opens and on_address is None:
            raise NoBrowser()
        if on_address is not None:
            on_address(address, self.browser_opens)
        if not (self.browser_opens and self.browser_signs_in):
            deadline = time.monotonic() + 0.5
            while time.monotonic() < deadline:
                if cancel.wait(0.01):
                    cancel.raise_if_cancelled()
            raise BrowserSignInTimedOut(minutes=5)
        return self._account("alice@contoso.example", cloud)

    def start_device_code(self, cloud, probe):
        self._blocking("start_device_code")
        return DeviceCodePrompt("ABCD-EFGH", f"{BASE}/devicelogin",
                                "Open the page and enter the code."), {"cloud": cloud}

    def finish_device_code(self, flow, cancel) -> Account:
        self._blocking("finish_device_code")
        while not self.device_approved.is_set():
            if cancel.wait(0.01):
                cancel.raise_if_cancelled()
        return self._account("alice@contoso.example", flow["cloud"])

    def sign_in_with_password(self, cloud, probe, credentials: Credentials) -> Account:
        self._blocking("sign_in_with_password")
        user = seed.user_by_upn(credentials.username)
        if user is None or credentials.password != seed.PRACTICE_PASSWORD:
            raise WizardError("The user name or password is not correct.",
                              fix="Check them and try again.", code="bad_password")
        if user.requires_mfa and credentials.mfa_code != seed.MFA_CODE:
            raise WizardError("Your organization requires multi-factor authentication.",
                              fix="Enter the code from your authenticator app.", code="mfa_required")
        return self._account(user.upn, cloud)

    def sign_in_org(self, key, *, method, credentials=None, save_password=False, report, cancel,
                    on_device_code=None, on_address=None):
        self._blocking("sign_in_org")
        self.calls.append(f"sign_in_org:{method}")
        row = self.orgs[key]
        if method == "password":
            if credentials is None or credentials.password != seed.PRACTICE_PASSWORD:
                raise WizardError("The user name or password is not correct.", fix="Check them and try again.",
                                  code="bad_password")
            username = credentials.username
        elif method == "form":
            username = self.sign_in_with_password(row.cloud, None, credentials).username
        elif method == "device_code":
            prompt, flow = self.start_device_code(row.cloud, None)
            if on_device_code is not None:
                on_device_code(prompt)
            username = self.finish_device_code(flow, cancel).username
        else:
            username = self.sign_in_browser(row.cloud, None, cancel, on_address).username
        saved = save_password and method == "password" and self.keyring_available
        if saved:
            self.secrets[key] = credentials.password
        row = replace(row, user=username, save_credentials=row.save_credentials or saved,
                      has_saved_credentials=row.has_saved_credentials or saved)
        self.orgs[key] = row
        return row, self._steps(report, cancel, user=seed.user_by_upn(username))

    def discover(self, account: Account) -> list[DiscoveredOrg]:
        self._blocking("discover")
        user = seed.user_by_upn(account.username)
        return [DiscoveredOrg(o.unique_name, o.friendly_name, org_url(o), o.region, o.version,
                              o.state == 0, o.org_id)
                for o in seed.ONLINE_ORGS if user is None or o.unique_name in user.orgs]

    # -- connect ------------------------------------------------------------------------
    def _steps(self, report, cancel, *, user: seed.User | None, fail: str | None = None):
        steps = [("url", "Check the address"), ("tls", "Secure connection"),
                 ("signin", "Sign in"), ("whoami", "Who am I"), ("version", "Version"),
                 ("privilege", "Sync-to-Outlook privilege")]
        out = []
        for sid, title in steps:
            cancel.raise_if_cancelled()
            report(StepReport(sid, title, "running"))
            if self.delay:
                time.sleep(self.delay)
            if sid == fail:
                step = StepReport(sid, title, "failed", "The server did not answer.",
                                  "Check your network connection or proxy.", 0.1, action=self.fail_test_action)
                report(step)
                out.append(step)
                raise WizardError("The server did not answer.", fix="Check your network connection or proxy.",
                                  details=f"step {sid}", code="unreachable")
            if sid == "privilege" and user is not None and not user.sync_privilege:
                step = StepReport(sid, title, "warning",
                                  "You do not have the Sync to Outlook privilege.",
                                  "Ask your administrator to give you a security role with it.", 0.1)
            else:
                step = StepReport(sid, title, "passed", "", "", 0.1)
            report(step)
            out.append(step)
        return out

    def connect_online(self, account, org: DiscoveredOrg, report, cancel) -> ConnectedOrg:
        self._blocking("connect_online")
        user = seed.user_by_upn(account.username)
        steps = self._steps(report, cancel, user=user)
        warnings = tuple(s.message for s in steps if s.state == "warning")
        return ConnectedOrg(org.unique_name, org.friendly_name, org.url, account.username, warnings,
                            handle={"org_id": org.org_id, "cloud": account.cloud})

    def connect_url(self, probe, *, account, credentials, report, cancel) -> ConnectedOrg:
        self._blocking("connect_url")
        url = probe.url
        org = next(o for o in seed.ORGS if org_url(o) == url)
        username = credentials.username if credentials else (account.username if account else "?")
        if credentials is not None and credentials.password != seed.PRACTICE_PASSWORD:
            report(StepReport("signin", "Sign in", "failed", "The user name or password is not correct.",
                              "Check them and try again.", action="enter_password"))
            raise WizardError("The user name or password is not correct.", fix="Check them and try again.",
                              code="bad_password")
        user = seed.user_by_upn(username)
        steps = self._steps(report, cancel, user=user)
        return ConnectedOrg(org.unique_name, org.friendly_name, url, username,
                            tuple(s.message for s in steps if s.state == "warning"),
                            handle={"org_id": org.org_id, "kind": org.kind, "auth": org.auth,
                                    "password": credentials.password if credentials else None})

    def commit(self, orgs, *, save_credentials: bool) -> list[OrgRow]:
        self._blocking("commit")
        save_credentials = save_credentials and self.keyring_available
        rows = []
        for c in orgs:
            key = next((k for k, r in self.orgs.items() if r.url == c.url), uuid.uuid4().hex)
            first = not self.orgs
            kind = c.handle.get("kind", "online")
            row = OrgRow(key, c.display_name, c.unique_name, c.url, kind,
                         "sandbox" if kind == "online" else None, None, c.user, c.handle.get("org_id"),
                         c.handle.get("auth", "oauth"),
                         first or (self.orgs.get(key, None) or OrgRow("", "", "", "")).is_primary,
                         save_credentials, True, bool(save_credentials and c.handle.get("password")))
            if save_credentials and c.handle.get("password"):
                self.secrets[key] = c.handle["password"]
            self.orgs[key] = row
            if first:
                self.stamp = (row.org_id or "", row.display_name)
            rows.append(row)
        return rows

    def remove(self, key):
        self._blocking("remove")
        self.orgs.pop(key)
        self.secrets.pop(key, None)

    def update(self, key, *, display_name=None, save_credentials=None, keep_connected=None):
        self._blocking("update")
        row = self.orgs[key]
        if display_name is not None:
            if not display_name.strip():
                raise WizardError("The display name cannot be empty.", fix="Type a name.", code="bad_name")
            if any(r.display_name == display_name and k != key for k, r in self.orgs.items()):
                raise WizardError(f"Another organization is already called {display_name!r}.",
                                  fix="Choose a different name.", code="duplicate_name")
            row = replace(row, display_name=display_name)
        if save_credentials is not None:
            row = replace(row, save_credentials=save_credentials)
            if not save_credentials:
                self.secrets.pop(key, None)
                row = replace(row, has_saved_credentials=False)
        if keep_connected is not None:
            row = replace(row, keep_connected=keep_connected)
        self.orgs[key] = row
        return row

    def forget_credentials(self, key):
        self._blocking("forget_credentials")
        self.secrets.pop(key, None)
        self.orgs[key] = replace(self.orgs[key], has_saved_credentials=False)

    def sign_out(self, key):
        self._blocking("sign_out")
        self.secrets.pop(key, None)
        self.orgs[key] = replace(self.orgs[key], user=None, has_saved_credentials=False)

    def test_connection(self, key, report, cancel):
        self._blocking("test_connection")
        row = self.orgs[key]
        user = seed.user_by_upn(row.user or "")
        try:
            return self._steps(report, cancel, user=user, fail=self.fail_test_step)
        except WizardError:
            return []

    def plan_switch(self, key) -> SwitchPlanView:
        self._blocking("plan_switch")
        target = self.orgs[key]
        current = self._primary()
        conflict = bool(self.stamp and target.org_id and self.stamp[0] != target.org_id
                        and (current is None or self.stamp[0] != current.org_id))
        orgs = tuple(OrgChangeView(k, r.display_name, k == key, 1, holds_exchange=r.is_primary,
                                   approval=1, email="alice@contoso.example")
                     for k, r in self.orgs.items())
        return SwitchPlanView(current.display_name if current else None, target.display_name,
                              self.stamp[1] if self.stamp else None, self.last_sync, conflict,
                              current is not None and current.key == key, "engine summary",
                              plan={"key": key, "stamp": self.stamp}, orgs=orgs,
                              exchange_holders=tuple(r.display_name for r in self.orgs.values()
                                                     if r.is_primary))

    pending = None          # a PendingSwitchView to offer at start

    def pending_switch(self):
        self._blocking("pending_switch")
        return self.pending

    def finish_switch(self, progress, cancel):
        self._blocking("finish_switch")
        pending, self.pending = self.pending, None
        if pending is None:
            return None
        progress(("reading", {"count": len(self.orgs)}))
        return SwitchResultView(pending.target_name, "server", True, (), "success",
                                holders=(pending.target_name,))

    def set_none_elsewhere(self):
        self._blocking("set_none_elsewhere")
        return tuple(OrgOutcomeView(k, r.display_name, "done", 2)
                     for k, r in self.orgs.items() if not r.is_primary)

    def refresh_mailbox_records(self) -> None:
        self._blocking("refresh_mailbox_records")

    def apply_switch(self, plan: SwitchPlanView, *, override: bool, method=None, progress=None,
                     cancel=None) -> SwitchResultView:
        self._blocking("apply_switch")
        if progress is not None:
            progress(("writing", {"count": len(self.orgs)}))
        if plan.plan["stamp"] != self.stamp:
            raise WizardError("Something changed since the plan was made.", fix="Try again.", code="stale_plan")
        if plan.conflict and not override:
            raise WizardError(f"The mailbox is set to synchronize with {plan.stamp_org_name}.",
                              fix="Choose the option to sync from this organization only.",
                              code="stamp_conflict")
        key = plan.plan["key"]
        for k, r in list(self.orgs.items()):
            self.orgs[k] = replace(r, is_primary=(k == key))
        row = self.orgs[key]
        self.stamp = (row.org_id or "", row.display_name)
        return SwitchResultView(row.display_name, method or "server", True,
                                tuple(OrgOutcomeView(k, r.display_name, "done", 1 if k == key else 2)
                                      for k, r in self.orgs.items()),
                                "success", holders=(row.display_name,))

    def diagnostics(self) -> Diagnostics:
        self._blocking("diagnostics")
        return Diagnostics((("Keyring", "fake"), ("Organizations", str(len(self.orgs)))))

    # -- synchronization ---------------------------------------------------------------------
    settings = {"appointment_attachments": False, "assigned_tasks": False, "resource_bookings": False,
                "mailing_address_only": True}

    def synchronize_now(self, progress, cancel, *, override=False) -> SyncSummary:
        self._blocking("synchronize_now")
        if self.sync_errors:
            raise self.sync_errors.pop(0)
        for stage in ("reading contacts", "reading appointments", "reading tasks"):
            cancel.raise_if_cancelled()
            progress((stage, 0, 0))
        progress(("sending changes", 1, 2))
        cancel.raise_if_cancelled()
        self.last_sync = dt.datetime.now(dt.timezone.utc)
        p = self._primary()
        return SyncSummary(p.display_name if p else "?", {"create": 3}, {"update": 1},
                           ("contact notes: mailbox 'a', organization 'b' -> org wins",),
                           ("Ann Lee: the organization refused the change",), (),
                           "Added to your mailbox: Contact “Ann”",
                           self.last_sync)

    def sync_settings(self) -> SyncSettingsView:
        self._blocking("sync_settings")
        p = self._primary()
        user = seed.user_by_upn(p.user or "") if p else None
        fields = {"contact": (FieldMappingRow("Notes", "notes", "description", 0),
                              FieldMappingRow("First Name", "first_name", "firstname", 3)),
                  "appointment": (FieldMappingRow("Subject", "subject", "subject", 3),),
                  "task": (FieldMappingRow("Due Date", "due", "scheduledend", 1),)}
        return SyncSettingsView(p.display_name if p else "?", bool(user is None or user.sync_privilege),
                                fields=fields, filters=(FilterRow("My Contacts", "contact", "user", default=True),
                                                        FilterRow("Key accounts", "contact", "system")),
                                **self.settings)

    def update_sync_settings(self, changes) -> SyncSettingsView:
        self._blocking("update_sync_settings")
        self.settings = {**self.settings, **changes}
        return self.sync_settings()

    mailbox = MailboxSideView("local", "/home/ann/.local/share/d365-wizard/mailbox.sqlite3")
    dav_password = "ann-app-password"

    def mailbox_side(self) -> MailboxSideView:
        self._blocking("mailbox_side")
        return self.mailbox

    def test_mailbox_side(self, choice) -> MailboxSideView:
        self._blocking("test_mailbox_side")
        if choice.side == "local":
            return MailboxSideView("local", self.mailbox.target)
        if choice.side == "vdir":
            if not choice.target:
                raise WizardError("The folder (none) cannot be used as a mailbox: no folder was given",
                                  fix="Choose a folder you can write to.", code="vdir_error")
            return MailboxSideView("vdir", choice.target, "", tuple(
                MailboxCollectionRow(k, n, f"{choice.target}/{n}")
                for k, n in (("appointment", "calendar"), ("task", "tasks"), ("contact", "contacts"))))
        if choice.password != self.dav_password:
            raise WizardError("The calendar server at cloud.example.com did not accept the user name and "
                              "password.", fix="Check the user name and password.", code="dav_auth_failed")
        base = choice.target.rstrip("/")
        return MailboxSideView("dav", choice.target, choice.user, (
            MailboxCollectionRow("appointment", "Personal", f"{base}/calendars/{choice.user}/personal/"),
            MailboxCollectionRow("task", "Tasks", f"{base}/calendars/{choice.user}/tasks/"),
            MailboxCollectionRow("contact", "Contacts", f"{base}/addressbooks/{choice.user}/contacts/")))

    def connect_mailbox_side(self, choice, progress, cancel) -> MailboxConnected:
        view = self.test_mailbox_side(choice)
        self._blocking("connect_mailbox_side")
        self.mailbox = view
        return MailboxConnected(view, self.synchronize_now(progress, cancel))

    def plan_address_switch(self, mailing_only) -> AddressPlanView:
        self._blocking("plan_address_switch")
        return AddressPlanView(self.settings["mailing_address_only"], mailing_only,
                               (AddressChangeRow("Ann Lee", "mailbox", "Home address: city", "Osaka", "Kyoto", True),
                                AddressChangeRow("Ann Lee", "org", "Address 2: City", "", "Nara", False)),
                               ("home_address_city <-> address1_city",), "engine text", plan=mailing_only)

    def apply_address_switch(self, plan, other_changes) -> str:
        self._blocking("apply_address_switch")
        self.settings = {**self.settings, **other_changes, "mailing_address_only": plan.plan}
        return "/tmp/backup.json"

    def save_diagnostics_bundle(self, path, *, include_identities, progress) -> BundleResult:
        self._blocking("save_diagnostics_bundle")
        progress("Collecting")
        with open(path, "wb") as fh:
            fh.write(b"PK")
        return BundleResult(path, "written")

    def apply_site_deployment(self) -> str | None:
        self._blocking("apply_site_deployment")
        return None

    def close(self) -> None:
        pass
