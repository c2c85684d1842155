"""The seam between the windows and the engine: view types and the ``Services`` protocol.

The windows work with the small, frozen view types below, never with engine objects, so a
window does not change when an engine module does. :class:`Services` is everything the
windows may ask of the engine; :class:`wizard.gui.services.EngineServices` implements it on
the real engine and ``tests/gui/fake_services.FakeServices`` in memory
(``tests/gui/test_services_protocol.py`` and mypy prove both match it).

Every method but ``clouds`` and ``parse_url`` may block (network, keyring, disk): the windows
call them only through the task runner (:mod:`wizard.gui.tasks`), never on the GUI thread.
This module imports no Qt and no engine module, so importing it costs nothing at start-up.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from wizard.gui.status import OrgStatus  # part of the view types

if TYPE_CHECKING:  # pragma: no cover
    from wizard.gui.tasks import CancelToken

__all__ = ["OrgStatus", "OrgRow", "MailboxHeader", "StepReport", "SwitchPlanView", "OrgChangeView",
           "OrgOutcomeView", "SwitchResultView", "PendingSwitchView", "DiscoveredOrg",
           "UrlFacts", "AuthProbe", "DeviceCodePrompt", "Account", "Credentials", "ConnectedOrg",
           "Diagnostics", "SyncSummary", "SyncSettingsView", "FieldMappingRow", "FilterRow",
           "AddressChangeRow", "AddressPlanView", "MailboxCollectionRow", "MailboxSideView",
           "MailboxChoice", "MailboxConnected", "BundleResult", "KeyringState", "Services"]

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
class BackgroundWorkView:
    """One round of Keep me connected, as the engine decided it."""

    refresh: tuple[str, ...] = ()    # org keys whose status to refresh
    sync: str | None = None          # the synchronizing org's key, to synchronize

    def __bool__(self) -> bool:
        return bool(self.refresh or self.sync)


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
    label: str                           # the mailbox field as users read it
    mailbox_field: str                   # internal names (never shown)
    org_field: str
    direction: int                       # 0 none, 1 to mailbox, 2 to org, 3 both
    org_label: str = ""                  # the org column's display name (its metadata)


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


@dataclass(frozen=True)
class KeyringState:
    """Whether credentials can be saved on this computer (a secure OS keyring exists)."""

    available: bool
    backend: str = ""
    reason: str = ""                     # the engine's words of why not (for Details)


# -- the protocol ----------------------------------------------------------------------

Progress = Callable[[Any], None]


class Services(Protocol):
    """What the windows may ask of the engine (see the module docstring)."""

    sandbox_mode: bool                   # practising on the built-in sandbox tenant
    startup_notes: Sequence[str]         # told once the main window shows (e.g. a deployment)
    sandbox_addresses: Sequence[tuple[str, str]]  # (name, address) of the sandbox's orgs, to paste

    def clouds(self) -> Sequence[tuple[str, str]]: ...
    def warm_up(self) -> None: ...
    def parse_url(self, text: str) -> UrlFacts: ...
    def list_orgs(self) -> list[OrgRow]: ...
    def mailbox_header(self) -> MailboxHeader: ...
    def keyring_state(self) -> KeyringState: ...
    def keep_connected_minutes(self) -> int: ...
    def set_keep_connected_minutes(self, minutes: int) -> int: ...
    def background_work(self, connected: Collection[str], last_round: _dt.datetime | None,
                        busy: bool) -> BackgroundWorkView: ...
    def refresh_mailbox_records(self) -> None: ...
    def check_status(self, key: str) -> tuple[str, str]: ...
    def probe_url(self, url: str, cancel: "CancelToken") -> AuthProbe: ...
    def sign_in_browser(self, cloud: str | None, probe: AuthProbe | None, cancel: "CancelToken",
                        on_address: Callable[[str, bool], None] | None = None) -> Account: ...
    def start_device_code(self, cloud: str | None, probe: AuthProbe | None) -> tuple[DeviceCodePrompt, Any]: ...
    def finish_device_code(self, flow: Any, cancel: "CancelToken") -> Account: ...
    def sign_in_with_password(self, cloud: str | None, probe: AuthProbe | None,
                              credentials: Credentials) -> Account: ...
    def sign_in_org(self, key: str, *, method: str, credentials: Credentials | None = None,
                    save_password: bool = False, report: Callable[[StepReport], None],
                    cancel: "CancelToken", on_device_code: Callable[[DeviceCodePrompt], None] | None = None,
                    on_address: Callable[[str, bool], None] | None = None
                    ) -> tuple[OrgRow, list[StepReport]]: ...
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
                     progress: Callable[[tuple[str, dict[str, Any]]], None] | None = None,
                     cancel: "CancelToken | None" = None) -> SwitchResultView: ...
    def pending_switch(self) -> PendingSwitchView | None: ...
    def finish_switch(self, progress: Callable[[tuple[str, dict[str, Any]]], None],
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
    def apply_site_deployment(self) -> str | None: ...
    def close(self) -> None: ...
