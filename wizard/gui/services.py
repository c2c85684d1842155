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
