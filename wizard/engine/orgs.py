"""The organization registry and the synchronizing ("primary") org.

The user may connect to many orgs; exactly one (or, after removing it, none) synchronizes
appointments, contacts and tasks with the mailbox: its ``sync_method`` is ``"mailbox"``,
every other org's is ``"none"``. The first org added becomes the synchronizing org. Later
changes go through two steps so nothing switches without the user reading what happens:
:meth:`OrgRegistry.plan_switch` returns a :class:`SwitchPlan` in plain words, and
:meth:`OrgRegistry.apply` writes the new primary (and every other org's ``none``) in one
atomic write and claims the mailbox stamp, refusing a plan that went stale in between.

The registry file and the stamp (SQLite, :mod:`wizard.engine.stamp`) cannot be written
in one transaction, so the registry write that switches or removes the synchronizing org
also records the stamp change as ``pending_stamp``; it is carried out right after, and if
the process dies first, the next process that reads the registry finishes it. After any
crash the two agree.

Storage: versioned JSON at ``AppPaths.registry_file`` (see :mod:`wizard.engine.storage`).
Every mutation takes the cross-process lock, re-reads the file, changes it and writes
it atomically, so two processes adding orgs at once lose nothing and a crash leaves the
old or the new file, never a mix. Reads take no lock (renames are atomic).

A damaged file is moved aside and replaced by an empty registry that remembers where
the old one went; :attr:`OrgRegistry.load_warning` returns that as a
:class:`~wizard.engine.errors.CorruptConfig` (for every process, until
:meth:`OrgRegistry.dismiss_load_warning`), so the user is always told and the registry
keeps working. A file from a newer app version raises ``ConfigError`` on every access.

No secret is ever stored here: passwords and tokens live in the OS keyring under the
profile's ``key`` (:mod:`wizard.engine.secrets`); :meth:`OrgRegistry.remove` deletes them.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import hashlib
import json
import re
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit, urlunsplit

from wizard.engine import org_errors as E
from wizard.engine.errors import CorruptConfig, WizardError
from wizard.engine.org_errors import (
    AmbiguousOrg as AmbiguousOrg,
)
from wizard.engine.org_errors import (
    DuplicateOrg as DuplicateOrg,
)
from wizard.engine.org_errors import (
    InvalidDisplayName as InvalidDisplayName,
)
from wizard.engine.org_errors import (
    InvalidProfile as InvalidProfile,
)
from wizard.engine.org_errors import (
    OrgNotFound as OrgNotFound,
)
from wizard.engine.org_errors import (
    StalePlan as StalePlan,
)
from wizard.engine.org_errors import (
    SwitchNotPossible as SwitchNotPossible,
)
from wizard.engine.stamp import Stamp, StampConflict, format_time, parse_time
from wizard.engine.storage import atomic_write_json, locked, read_versioned_json

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.secrets import SecretStore
    from wizard.engine.stamp import MailboxStore

SCHEMA_VERSION = 1
SYNC_MAILBOX = "mailbox"
SYNC_NONE = "none"
SYNC_METHODS = (SYNC_MAILBOX, SYNC_NONE)
# How the synchronizing org's appointments, contacts and tasks are synchronized: by the
# org's server-side synchronization with the Exchange mailbox, or by this computer's local
# sync engine (mailbox record method 0, the role the Outlook client played). ``None``: not
# chosen yet (organization lists from before this setting existed): this computer.
VIA_SERVER = "server"
VIA_COMPUTER = "computer"
SYNC_VIA = (VIA_SERVER, VIA_COMPUTER)
KINDS = ("online", "onprem", "ifd")
AUTH_METHODS = ("oauth", "ntlm", "adfs", "unknown")
DISPLAY_NAME_MAX = 100
WHAT_SYNCS = "appointments, contacts and tasks"

# Keys in ``extra`` that smell like secrets are refused: secrets belong in the keyring.
_SECRETISH_KEY = re.compile(r"pass(word|wd)?|pwd|secret|token|credential|cookie|api_?key",
                            re.IGNORECASE)
_JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")


# -- the profile ---------------------------------------------------------------------------
def _new_key() -> str:
    return uuid.uuid4().hex


@dataclass
class OrgProfile:
    """One organization the user connects to. Never holds a secret.

    ``key`` is a stable local id (uuid4 hex) that names the org's keyring entries; it
    never changes. Times are ISO 8601 UTC strings (``2026-11-22T02:07:50Z``).
    ``sync_method`` is managed by the registry (first org / :meth:`OrgRegistry.apply`);
    it cannot be set through :meth:`OrgRegistry.update`.
    """

    base_url: str
    display_name: str = ""
    key: str = field(default_factory=_new_key)
    org_id: str | None = None            # OrganizationId GUID, once known
    unique_name: str | None = None
    api_url: str | None = None
    kind: str = "online"                 # "online" | "onprem" | "ifd"
    cloud: str | None = None             # built-in cloud key or custom cloud name
    region: str | None = None
    tenant_id: str | None = None
    user: str | None = None              # UPN or DOMAIN\user
    user_id: str | None = None           # systemuserid GUID
    auth_method: str = "unknown"         # "oauth" | "ntlm" | "adfs" | "unknown"
    version: str | None = None
    save_credentials: bool = False
    keep_connected: bool = True
    sync_method: str = SYNC_NONE         # "mailbox" | "none"
    sync_via: str | None = None          # "server" | "computer" | None (not chosen: computer)
    added_at: str | None = None
    last_connected_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_primary(self) -> bool:
        return self.sync_method == SYNC_MAILBOX

    @property
    def synchronizes_on_server(self) -> bool:
        """The org's own server-side synchronization handles its appointments, contacts and
        tasks (so this computer's sync engine must not)."""
        return self.sync_via == VIA_SERVER

    @property
    def label(self) -> str:
        """How messages name the org: display name, plus the unique name when it differs."""
        name = self.display_name or self.unique_name or self.base_url
        if self.unique_name and self.unique_name.casefold() != name.casefold():
            return f"“{name}” ({self.unique_name})"
        return f"“{name}”"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "OrgProfile":
        known = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        extra = dict(kwargs.pop("extra", None) or {})
        # Fields written by a newer app version survive a round trip through ``extra``.
        for k, v in data.items():
            if k not in known:
                extra.setdefault(k, v)
        return cls(**kwargs, extra=extra)

    def copy(self) -> "OrgProfile":
        return OrgProfile.from_dict(json.loads(json.dumps(self.to_dict())))


def normalize_base_url(url: str) -> str:
    """The form two URLs of the same org share: lower case, no default port, no slash."""
    text = url.strip()
    parts = urlsplit(text if "://" in text else "https://" + text)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("https", 443), ("http", 80)) \
        else f"{host}:{port}"
    path = parts.path.rstrip("/").lower()
    return urlunsplit((scheme, netloc, path, "", ""))


def _same_org_id(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return a.strip("{} ").lower() == b.strip("{} ").lower()


# -- display-name rules --------------------------------------------------------------------
def check_display_name(name: str, *, existing: Iterable[OrgProfile] = (),
                       exclude_key: str | None = None) -> str:
    """Return the cleaned display name or raise :class:`InvalidDisplayName` saying why.

    Rules: surrounding spaces are trimmed; 1 to 100 characters; no control characters
    (tabs, line breaks); not only digits (numbers pick orgs by position in the CLI);
    unique among the other orgs, ignoring upper/lower case.
    """
    if not isinstance(name, str):
        raise E.DisplayNameNotText()
    cleaned = name.strip()
    if not cleaned:
        raise E.DisplayNameEmpty()
    if len(cleaned) > DISPLAY_NAME_MAX:
        raise E.DisplayNameTooLong(length=len(cleaned), limit=DISPLAY_NAME_MAX)
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in cleaned):
        raise E.DisplayNameHasControl()
    if cleaned.isdigit():
        raise E.DisplayNameOnlyDigits(name=cleaned)
    folded = cleaned.casefold()
    for other in existing:
        if other.key != exclude_key and other.display_name.casefold() == folded:
            raise E.DisplayNameTaken(name=other.display_name)
    return cleaned


def _default_display_name(profile: OrgProfile, existing: list[OrgProfile]) -> str:
    """A valid, unique name for a new org from what is known about it."""
    candidates = [profile.display_name, profile.unique_name,
                  urlsplit(profile.base_url).hostname or "", "Organization"]
    base = "Organization"
    for cand in candidates:
        cand = "".join(ch for ch in (cand or "")
                       if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp")).strip()
        cand = cand[:DISPLAY_NAME_MAX - 5].strip()
        if cand and not cand.isdigit():
            base = cand
            break
    name, n = base, 1
    taken = {p.display_name.casefold() for p in existing}
    while name.casefold() in taken:
        n += 1
        name = f"{base} ({n})"
    return name


def _validate_profile(p: OrgProfile) -> None:
    _validate_address(p)
    if p.org_id is not None:
        try:
            p.org_id = str(uuid.UUID(str(p.org_id).strip().strip("{}")))
        except ValueError:
            raise E.ProfileBadOrgId(org_id=p.org_id) from None
    _validate_choices(p)
    _refuse_secrets_in_profile(p)


def _validate_address(p: OrgProfile) -> None:
    if not isinstance(p.base_url, str) or not p.base_url.strip():
        raise E.ProfileWithoutAddress()
    if urlsplit(p.base_url.strip()).password is not None or "@" in urlsplit(p.base_url).netloc:
        raise E.ProfileAddressHasCredentials()   # checked first: the address is never echoed
    scheme = urlsplit(p.base_url.strip()).scheme.lower()
    if scheme not in ("https", "http") or not urlsplit(p.base_url.strip()).hostname:
        raise E.ProfileBadAddress(url=p.base_url)


def _validate_choices(p: OrgProfile) -> None:
    if p.kind not in KINDS:
        raise E.UnknownKind(value=p.kind, choices=", ".join(KINDS))
    if p.auth_method not in AUTH_METHODS:
        raise E.UnknownAuthMethod(value=p.auth_method, choices=", ".join(AUTH_METHODS))
    if p.sync_method not in SYNC_METHODS:
        raise E.UnknownSyncMethod(value=p.sync_method)
    if p.sync_via is not None and p.sync_via not in SYNC_VIA:
        raise E.UnknownSyncVia(value=p.sync_via, choices=", ".join(SYNC_VIA))


def _refuse_secrets_in_profile(p: OrgProfile) -> None:
    """A profile never holds a secret: no secret-like key in ``extra``, no token anywhere."""
    if not isinstance(p.extra, dict):
        raise E.ExtraNotMapping()
    for k in p.extra:
        if _SECRETISH_KEY.search(str(k)):
            raise E.SecretInProfile(key=str(k))
    for f in dataclasses.fields(p):
        value = getattr(p, f.name)
        texts = [value] if isinstance(value, str) else (
            [v for v in p.extra.values() if isinstance(v, str)] if f.name == "extra" else [])
        for text in texts:
            if _JWT_SHAPE.search(text):
                raise E.TokenInProfile(field=f.name)


# -- results and plans ---------------------------------------------------------------------
@dataclass(frozen=True)
class RemoveResult:
    """What :meth:`OrgRegistry.remove` did, in words (``message``) and facts."""

    profile: OrgProfile
    was_primary: bool
    message: str
    stamp_released: bool = False
    problems: tuple[str, ...] = ()       # keyring/token clean-up that failed (told, not fatal)

    def to_dict(self) -> dict[str, Any]:
        return {"removed": self.profile.to_dict(), "was_primary": self.was_primary,
                "message": self.message, "stamp_released": self.stamp_released,
                "problems": list(self.problems)}


@dataclass(frozen=True)
class SwitchPlan:
    """What making ``to_org`` the synchronizing org would change. Nothing has changed yet.

    ``fingerprint`` captures the registry state and the mailbox stamp the plan was made
    from; :meth:`OrgRegistry.apply` refuses the plan (:class:`StalePlan`) if they moved.
    """

    from_org: OrgProfile | None
    to_org: OrgProfile
    stamp: Stamp | None
    stamp_conflict: bool
    already_primary: bool
    stops: str | None                    # what stops synchronizing, in words
    starts: str | None                   # what starts synchronizing, in words
    stamp_text: str                      # the stamp found in the mailbox, in words
    fingerprint: str
    #: the same sentences as codes and params (``serverside.words.Note``), one tuple of
    #: notes per line of :meth:`summary_lines`, for a front end that words them itself
    notes: tuple[tuple[Any, ...], ...] = ()

    @property
    def needs_override(self) -> bool:
        return self.stamp_conflict

    @property
    def changes_anything(self) -> bool:
        return not self.already_primary or self.stamp is None or self.stamp_conflict

    def summary_lines(self) -> list[str]:
        """The plan in plain language, one sentence per line, for the CLI and the GUI."""
        return ["".join(n.text for n in line) for line in self.summary_notes()]

    def summary_notes(self) -> list[tuple[Any, ...]]:
        """:meth:`summary_lines` as notes (``serverside.words.Note``), one tuple per line."""
        from wizard.engine.serverside.words import note

        lines: list[tuple[Any, ...]] = []
        if self.already_primary and not self.stamp_conflict:
            lines.append((note("local_already", org=self.to_org.label),))
        lines += list(self.notes)
        if self.stamp_conflict:
            lines.append((note("local_needs_override"),))
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.from_org.to_dict() if self.from_org else None,
            "to": self.to_org.to_dict(),
            "stamp": self.stamp.to_dict() if self.stamp else None,
            "stamp_conflict": self.stamp_conflict,
            "already_primary": self.already_primary,
            "summary": self.summary_lines(),
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True)
class BatchResult:
    """What :meth:`OrgRegistry.apply_batch` did."""

    before: list[OrgProfile]
    after: list[OrgProfile]
    removed: list[OrgProfile]
    stamp_released: bool = False
    problems: tuple[str, ...] = ()       # keyring/token clean-up that failed (told, not fatal)
    written: bool = True


@dataclass(frozen=True)
class SwitchResult:
    primary: OrgProfile
    previous: OrgProfile | None
    stamp: Stamp
    message: str
    note: Any = None            # ``message`` as a ``serverside.words.Note``

    def to_dict(self) -> dict[str, Any]:
        return {"primary": self.primary.to_dict(),
                "previous": self.previous.to_dict() if self.previous else None,
                "stamp": self.stamp.to_dict(), "message": self.message}


# -- the registry ----------------------------------------------------------------------------
class OrgRegistry:
    """The user's organizations, stored at ``path``.

    ``secrets`` (a :class:`~wizard.engine.secrets.SecretStore`, or a function returning
    one so the keyring is opened only when needed) loses an org's entries when it is
    removed; ``mailbox`` holds the stamp a switch claims; ``clock`` returns
    epoch seconds. ``token_cleanup(profile)``, when set, drops the org's cached tokens on
    removal (the auth module wires msal's cache into it); it may be assigned later.
    """

    def __init__(self, path: str | Path, *,
                 secrets: "SecretStore | Callable[[], SecretStore]",
                 mailbox: "MailboxStore", clock: Callable[[], float] = time.time,
                 token_cleanup: Callable[[OrgProfile], None] | None = None) -> None:
        self.path = Path(path)
        self.secrets = secrets
        self.mailbox = mailbox
        self.clock = clock
        self.token_cleanup = token_cleanup

    # -- reading ---------------------------------------------------------------------------
    def list(self) -> list[OrgProfile]:
        """All orgs in the order they were added."""
        return [OrgProfile.from_dict(d) for d in self._read()["orgs"]]

    def get(self, ref: str | int) -> OrgProfile:
        """Find an org by key, org id, unique name, display name, base URL (case does not
        matter) or 1-based position (``2`` or ``"2"``). Raises :class:`OrgNotFound` or
        :class:`AmbiguousOrg`, both listing the orgs that exist."""
        return _resolve(self.list(), ref)

    def primary(self) -> OrgProfile | None:
        """The synchronizing org, or ``None`` when no org synchronizes."""
        return next((p for p in self.list() if p.is_primary), None)

    @property
    def load_warning(self) -> CorruptConfig | None:
        """Set when a damaged registry file was moved aside (until dismissed)."""
        recovery = self._read().get("recovery")
        if not recovery:
            return None
        moved = recovery.get("moved_to", "?")
        reason = recovery.get("reason")
        return E.RegistryMovedAside(moved_to=moved, at=recovery.get("at", "earlier"), reason=reason)

    def dismiss_load_warning(self) -> None:
        """The user has seen :attr:`load_warning`; stop showing it."""
        if "recovery" not in self._read():
            return

        def change(state: dict[str, Any]) -> None:
            state.pop("recovery", None)
        self._mutate(change)

    # -- changing ----------------------------------------------------------------------------
    def add(self, profile: OrgProfile) -> tuple[OrgProfile, bool]:
        """Add ``profile``, or update the entry of the same org; returns ``(stored, created)``.

        The same org means the same org id, or else the same normalized base URL. An
        update keeps the entry's key, display name, added time and sync method and takes
        every other field the new profile knows (``None`` does not erase). The first org
        added to an empty registry becomes the synchronizing org; later ones get ``none``.
        A new org's display name that is empty, breaks the rules or is taken is replaced
        by a valid, unique one (``"Contoso (2)"``); to refuse instead, check it first with
        :func:`check_display_name`.
        """
        incoming = profile.copy()
        _validate_profile(incoming)
        result: dict[str, Any] = {}

        def change(state: dict[str, Any]) -> None:
            orgs = [OrgProfile.from_dict(d) for d in state["orgs"]]
            match = _find_same_org(orgs, incoming)
            if match is not None:
                merged = _merge(match, incoming)
                _validate_profile(merged)
                _check_no_duplicate(orgs, merged)
                orgs = [merged if p.key == match.key else p for p in orgs]
                result.update(profile=merged, created=False)
            else:
                new = self.new_entry(incoming, orgs)
                orgs.append(new)
                result.update(profile=new, created=True)
            state["orgs"] = [p.to_dict() for p in orgs]

        self._mutate(change)
        return result["profile"].copy(), result["created"]

    def new_entry(self, profile: OrgProfile, orgs: builtins.list[OrgProfile]) -> OrgProfile:
        """``profile`` as a new entry of the list ``orgs`` would be stored (the rules of
        :meth:`add`: a free key and a valid, unique name; the first org synchronizes)."""
        new = profile.copy()
        if any(p.key == new.key for p in orgs):
            new.key = _new_key()
        if new.display_name.strip():
            try:
                new.display_name = check_display_name(new.display_name, existing=orgs)
            except InvalidDisplayName:
                new.display_name = _default_display_name(new, orgs)
        else:
            new.display_name = _default_display_name(new, orgs)
        new.base_url = new.base_url.strip().rstrip("/")
        new.added_at = new.added_at or self._now()
        new.sync_method = SYNC_MAILBOX if not orgs else SYNC_NONE
        _validate_profile(new)
        return new

    def apply_batch(self, change: Callable[[builtins.list[OrgProfile]], builtins.list[OrgProfile]], *,
                    dry_run: bool = False) -> "BatchResult":
        """Replace the whole list with ``change(orgs)`` in ONE atomic write.

        ``change`` gets copies of the current entries and returns the new list (entries
        it leaves out are removed; build new ones with :meth:`new_entry`). Everything is
        validated before anything is written: an exception from ``change`` or an invalid
        result (two synchronizing orgs, the same org twice, a bad field) leaves the file,
        the keyring and the token cache as they were. Only after the write has succeeded
        are the removed orgs' keyring entries and tokens deleted; the write records them
        (``pending_cleanup``) so a process killed in between finishes the clean-up on the
        next use. ``dry_run`` validates without writing.
        """
        result: dict[str, Any] = {}

        def mutate(state: dict[str, Any]) -> None:
            before = [OrgProfile.from_dict(d) for d in state["orgs"]]
            after = change([p.copy() for p in before])
            for p in after:
                _validate_profile(p)
            keys = {p.key for p in after}
            removed = [p for p in before if p.key not in keys]
            state["orgs"] = [p.to_dict() for p in after]
            if removed:
                state["pending_cleanup"] = list(state.get("pending_cleanup") or []) + [
                    p.to_dict() for p in removed]
            gone_primary = next((p for p in removed if p.is_primary and p.org_id), None)
            if gone_primary is not None:
                state["pending_stamp"] = {"action": "release", "org_id": gone_primary.org_id}
            result.update(before=before, after=after, removed=removed)
            if dry_run:
                _check_writable_state(state)
                raise _DryRun()

        problems: list[str] = []
        released: Any = None
        try:
            released = self._mutate(mutate, settle=True, problems=problems)
        except _DryRun:
            pass
        except _SettleFailed as failed:
            problems.append(f"The mailbox stamp could not be released yet: {failed.error}")
        return BatchResult([p.copy() for p in result["before"]],
                           [p.copy() for p in result["after"]],
                           [p.copy() for p in result["removed"]], released is True,
                           tuple(problems), written=not dry_run)

    def update(self, ref: str | int, **changes: Any) -> OrgProfile:
        """Change fields of one org and return it. ``display_name`` follows the rename
        rules; ``key``, ``sync_method`` and ``added_at`` cannot be changed here."""
        fixed = {"key", "sync_method", "sync_via", "added_at"} & changes.keys()
        if fixed:
            raise E.FieldsNotUpdatable(fields=", ".join(sorted(fixed)))
        known = {f.name for f in dataclasses.fields(OrgProfile)}
        unknown = set(changes) - known
        if unknown:
            raise E.UnknownFields(count=len(unknown), fields=", ".join(sorted(unknown)))
        result: dict[str, OrgProfile] = {}

        def change(state: dict[str, Any]) -> None:
            orgs = [OrgProfile.from_dict(d) for d in state["orgs"]]
            target = _resolve(orgs, ref)
            updated = dataclasses.replace(target.copy(), **changes)
            if "display_name" in changes:
                updated.display_name = check_display_name(
                    changes["display_name"], existing=orgs, exclude_key=target.key)
            if "base_url" in changes:
                updated.base_url = str(changes["base_url"]).strip().rstrip("/")
            _validate_profile(updated)
            _check_no_duplicate(orgs, updated)
            state["orgs"] = [updated.to_dict() if p.key == target.key else p.to_dict()
                             for p in orgs]
            result["profile"] = updated

        self._mutate(change)
        return result["profile"].copy()

    def rename(self, ref: str | int, name: str) -> OrgProfile:
        """Give an org a new display name (see :func:`check_display_name` for the rules)."""
        return self.update(ref, display_name=name)

    def change_preferences(self, ref: str | int, *, display_name: str | None = None,
                           save_credentials: bool | None = None,
                           keep_connected: bool | None = None) -> OrgProfile:
        """The choices a user makes for one org (its Properties). Turning saving of
        credentials off also forgets what was saved (:meth:`forget_credentials`)."""
        changes: dict[str, Any] = {}
        if display_name is not None:
            changes["display_name"] = display_name
        if keep_connected is not None:
            changes["keep_connected"] = keep_connected
        if save_credentials is not None:
            changes["save_credentials"] = save_credentials
            if not save_credentials:
                self.forget_credentials(ref)
        return self.update(ref, **changes) if changes else self.get(ref)

    def forget_credentials(self, ref: str | int) -> OrgProfile:
        """Delete the org's saved password from the keyring and stop saving it. Without a
        usable keyring nothing was saved there, so only the choice is recorded."""
        from wizard.engine.connect import PASSWORD_SECRET
        from wizard.engine.secrets import org_secret_key

        profile = self.get(ref)
        try:
            store = self._secret_store()
            usable = bool(store.available)
        except Exception:  # noqa: BLE001 - no keyring: nothing is saved, the app still works
            usable = False
        if usable:
            store.delete(org_secret_key(profile.key, PASSWORD_SECRET))
        return self.update(profile.key, save_credentials=False)

    def mark_connected(self, ref: str | int) -> OrgProfile:
        """Record that a connection to the org just succeeded."""
        return self.update(ref, last_connected_at=self._now())

    def remove(self, ref: str | int) -> RemoveResult:
        """Remove an org, its keyring entries and its cached tokens.

        Removing the synchronizing org leaves no org synchronizing (nothing is promoted)
        and releases the mailbox stamp if it names that org; the result's ``message`` says
        so. The keyring entries and tokens are deleted after the registry write (which
        records them, so a crash in between is finished later); clean-up that fails is
        reported in ``problems``; the org is removed from the list either way.
        """
        removed: dict[str, Any] = {}

        def change(state: dict[str, Any]) -> None:
            orgs = [OrgProfile.from_dict(d) for d in state["orgs"]]
            target = _resolve(orgs, ref)
            state["orgs"] = [p.to_dict() for p in orgs if p.key != target.key]
            state["pending_cleanup"] = list(state.get("pending_cleanup") or []) + [
                target.to_dict()]
            if target.is_primary and target.org_id:
                # Written with the removal, so a crash before the release is finished later.
                state["pending_stamp"] = {"action": "release", "org_id": target.org_id}
            removed["profile"] = target

        problems: list[str] = []
        try:
            removed["released"] = self._mutate(change, settle=True, problems=problems)
        except _SettleFailed as failed:
            removed["released"] = False
            problems.append(f"The mailbox stamp could not be released yet: {failed.error}")
        profile = removed["profile"]
        stamp_released = removed["released"] is True
        message = f"Removed {profile.label}."
        if profile.is_primary:
            message += (f" It was the synchronizing organization: no organization synchronizes "
                        f"{WHAT_SYNCS} with your mailbox now. Choose one to synchronize.")
            if stamp_released:
                message += " Your mailbox no longer records it as its synchronizing organization."
        return RemoveResult(profile, profile.is_primary, message, stamp_released, tuple(problems))

    # -- the synchronizing org ------------------------------------------------------------------
    def plan_switch(self, ref: str | int) -> SwitchPlan:
        """Describe what making ``ref`` the synchronizing org would change. Changes nothing."""
        orgs = self.list()
        return self._plan(orgs, _resolve(orgs, ref), self.mailbox.stamp())

    def apply(self, plan: SwitchPlan, *, override: bool = False, sync_via: str | None = None,
              during: Callable[[dict[str, Any]], None] | None = None) -> SwitchResult:
        """Carry out ``plan``: write the new primary and every other org's sync method
        ``none`` in one atomic write, then claim the mailbox stamp for the new primary.

        ``sync_via`` records how the new primary synchronizes (:data:`VIA_SERVER` or
        :data:`VIA_COMPUTER`; ``None`` keeps what the profile says). ``during(state)`` runs
        inside the same atomic write, after the checks (the server-side switch uses it to
        move its journal on together with the primary).

        Raises :class:`StalePlan` when the registry or the stamp changed since the plan
        was made (make and show a new plan), and
        :class:`~wizard.engine.stamp.StampConflict` when the mailbox is stamped with an
        org other than the current synchronizing one, unless ``override``; in both cases
        nothing changes. The registry write also records the pending claim, so if the
        process dies before the stamp is written, the next use of the registry finishes
        it: the registry and the stamp never disagree after a crash.
        """
        result: dict[str, Any] = {}

        def change(state: dict[str, Any]) -> None:
            orgs = [OrgProfile.from_dict(d) for d in state["orgs"]]
            target = next((p for p in orgs if p.key == plan.to_org.key), None)
            if target is None:
                raise E.OrgRemovedSincePlan(org=plan.to_org.label)
            stamp = self.mailbox.stamp()
            current = self._plan(orgs, target, stamp)
            if current.fingerprint != plan.fingerprint:
                raise E.StalePlan()
            if current.stamp_conflict and not override:
                assert stamp is not None
                raise StampConflict(stamp, target.display_name, not_switched=target.label)
            assert target.org_id  # _plan refuses orgs without an id
            if sync_via is not None and sync_via not in SYNC_VIA:
                raise E.UnknownSyncVia(value=sync_via, choices=", ".join(SYNC_VIA))
            _make_primary(orgs, target, sync_via)
            state["orgs"] = [p.to_dict() for p in orgs]
            if during is not None:
                during(state)
            # The stamp we checked is the one we replace; a different one appearing in
            # between makes the claim fail instead of silently overwriting it.
            state["pending_stamp"] = {"action": "claim", "org_id": target.org_id,
                                      "org_name": target.display_name,
                                      "replacing": stamp.org_id if stamp else None}
            result.update(primary=target, previous=current.from_org)

        try:
            stamp = self._mutate(change, settle=True)
        except _SettleFailed as failed:
            raise failed.error from None
        from wizard.engine.serverside.words import note

        primary, previous = result["primary"], result["previous"]
        if previous is not None and previous.key != primary.key:
            said = note("local_switched_from", org=primary.label, previous=previous.label)
        else:
            said = note("local_switched", org=primary.label)
        return SwitchResult(primary.copy(), previous.copy() if previous else None, stamp,
                            said.text, said)

    # -- the server-side switch's journal and the Exchange holder --------------------------------
    def switch_journal(self) -> dict[str, Any] | None:
        """The journal of a switch whose server-side writes are not all done (see
        :mod:`wizard.engine.serverside.journal`), or ``None``."""
        journal = self._read().get("switch")
        return dict(journal) if isinstance(journal, dict) else None

    def update_switch_journal(self, change: Callable[[dict[str, Any] | None],
                                                     dict[str, Any] | None]) -> None:
        """Replace the journal by ``change(current)`` (``None`` removes it), atomically."""
        def mutate(state: dict[str, Any]) -> None:
            current = state.get("switch")
            new = change(dict(current) if isinstance(current, dict) else None)
            if new is None:
                state.pop("switch", None)
            else:
                state["switch"] = new
        self._mutate(mutate)

    def exchange_holder(self) -> dict[str, Any] | None:
        """What was last read about who holds the Exchange mailbox: ``{"keys": [...],
        "checked_at": ISO time, "complete": bool}`` (``complete``: every org was read)."""
        found = self._read().get("exchange")
        return dict(found) if isinstance(found, dict) else None

    def record_exchange_holder(self, keys: builtins.list[str], *, complete: bool) -> None:
        facts = {"keys": sorted(keys), "complete": complete}
        current = self.exchange_holder()
        if current is not None and {k: current.get(k) for k in facts} == facts:
            return          # unchanged: no write

        def mutate(state: dict[str, Any]) -> None:
            state["exchange"] = {**facts, "checked_at": self._now()}
        self._mutate(mutate)

    # -- Keep me connected (wizard/engine/keepalive.py) ---------------------------------------------
    def keep_connected_minutes(self) -> int:
        """The background interval for orgs with Keep me connected on, in minutes."""
        from wizard.engine import keepalive

        value = (self._read().get("settings") or {}).get(keepalive.SETTING)
        return keepalive.DEFAULT_MINUTES if value is None else int(value)

    def set_keep_connected_minutes(self, minutes: Any) -> int:
        from wizard.engine import keepalive

        value = keepalive.check_minutes(minutes)

        def mutate(state: dict[str, Any]) -> None:
            state["settings"] = {**(state.get("settings") or {}), keepalive.SETTING: value}
        self._mutate(mutate)
        return value

    # -- internals --------------------------------------------------------------------------------
    def _secret_store(self) -> "SecretStore":
        if callable(self.secrets) and not hasattr(self.secrets, "delete_org"):
            return self.secrets()
        return cast("SecretStore", self.secrets)  # a store: it is not a factory, or has delete_org

    def _now(self) -> str:
        return format_time(datetime.fromtimestamp(self.clock(), tz=timezone.utc))

    def _plan(self, orgs: builtins.list[OrgProfile], target: OrgProfile, stamp: Stamp | None) -> SwitchPlan:
        if not target.org_id:
            raise E.OrgIdUnknown(org=target.label)
        current = next((p for p in orgs if p.is_primary), None)
        already = current is not None and current.key == target.key
        foreign = stamp is not None and not _same_org_id(stamp.org_id, target.org_id) and not (
            current is not None and _same_org_id(stamp.org_id, current.org_id))
        from wizard.engine.serverside.words import When, note

        stops = starts = None
        if current is not None and not already:
            stops = note("local_stops", org=current.label)
        if not already:
            starts = note("local_starts", org=target.label)
        elif foreign:
            starts = note("local_takes_back", org=target.label)
        if stamp is None:
            stamp_notes = [note("stamp_none", org=target.label)]
        else:
            known = next((p for p in orgs if _same_org_id(p.org_id, stamp.org_id)), None)
            who = known.label if known else f"“{stamp.org_name}”"
            stamp_notes = [note("stamp_synced", who=who, when=When(stamp.last_sync))
                           if stamp.last_sync else note("stamp_never_synced", who=who)]
            if foreign:
                stamp_notes.append(note("stamp_foreign") if known else
                                   note("stamp_foreign_unknown", org_id=stamp.org_id))
            elif not _same_org_id(stamp.org_id, target.org_id):
                stamp_notes.append(note("stamp_records", org=target.label))
        lines = tuple((n,) for n in (stops, starts) if n is not None) + (tuple(stamp_notes),)
        fingerprint = _fingerprint(current, target, stamp)
        return SwitchPlan(current.copy() if current else None, target.copy(), stamp,
                          foreign, already, stops.text if stops else None,
                          starts.text if starts else None,
                          "".join(n.text for n in stamp_notes), fingerprint, lines)

    def _read(self) -> dict[str, Any]:
        """The registry state. Takes the lock only to recover a damaged file or to finish
        a stamp change that a crashed process left pending."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return _normalize_state(None)
        except OSError:
            raw = b""  # read_versioned_json below words the error
        if _parses(raw):
            try:
                state = _normalize_state(self._load())
            except CorruptConfig as err:  # damaged from outside between the two reads
                return self._remember_recovery(err)
            if "pending_stamp" not in state and "pending_cleanup" not in state:
                return state
        removed: list[OrgProfile] = []
        try:
            with locked(self.path):
                state = self._read_locked()
                removed = self._clean_up(state, [])
                try:
                    self._settle(state)
                except _SettleFailed:
                    pass  # left pending; the next use tries again
                return state
        finally:
            self._drop_tokens(removed, [])

    def _load(self) -> dict[str, Any] | None:
        return read_versioned_json(self.path, schema_version=SCHEMA_VERSION,
                                   kind="organization list", validate=check_registry_state)

    def _read_locked(self) -> dict[str, Any]:
        """Read with the lock held; a damaged file is moved aside and that is recorded."""
        try:
            return _normalize_state(self._load())
        except CorruptConfig as err:
            state = _normalize_state(None)
            state["recovery"] = _recovery_record(err, self._now())
            atomic_write_json(self.path, state, what="the organization list")
            return state

    def _remember_recovery(self, err: CorruptConfig) -> dict[str, Any]:
        with locked(self.path):
            state = self._read_locked()
            if "recovery" not in state:
                state["recovery"] = _recovery_record(err, self._now())
                atomic_write_json(self.path, state, what="the organization list")
            return state

    def _mutate(self, change: Callable[[dict[str, Any]], None], *, settle: bool = False,
                problems: builtins.list[str] | None = None) -> Any:
        """Lock, re-read, change, validate, write atomically; then delete the keyring
        entries of removed orgs, carry out a stamp change the write recorded as pending
        (``settle``) and return its outcome; last, with the lock released, drop the
        removed orgs' cached tokens."""
        problems = [] if problems is None else problems
        removed: list[OrgProfile] = []
        try:
            with locked(self.path):
                self._sweep_temp_files()
                state = self._read_locked()
                removed += self._clean_up(state, problems)  # an earlier process's leftovers
                try:
                    self._settle(state)  # an earlier process's unfinished stamp change first
                except _SettleFailed:
                    pass  # still pending unless ``change`` records a newer stamp change
                change(state)
                state["schema_version"] = SCHEMA_VERSION
                _check_writable_state(state)  # never write what the next reader would refuse
                atomic_write_json(self.path, state, what="the organization list")
                removed += self._clean_up(state, problems)
                return self._settle(state) if settle else None
        finally:
            self._drop_tokens(removed, problems)

    def _clean_up(self, state: dict[str, Any], problems: builtins.list[str]) -> builtins.list[OrgProfile]:
        """Delete the keyring entries of orgs a write removed (lock held), then write the
        list without the record of them; returns those orgs (their tokens go next).

        The keyring goes first, so a crash in between repeats the (idempotent) deletions
        and never leaves an entry behind."""
        pending = state.get("pending_cleanup")
        if not pending:
            state.pop("pending_cleanup", None)
            return []
        profiles = [OrgProfile.from_dict(d) for d in pending if isinstance(d, dict)]
        for profile in profiles:
            try:
                self._secret_store().delete_org(profile.key)
            except Exception as exc:  # noqa: BLE001 - reported to the user, removal stands
                problems.append(f"Saved credentials of {profile.label} could not be deleted "
                                f"from the keyring: {exc}")
        state.pop("pending_cleanup", None)
        atomic_write_json(self.path, state, what="the organization list")
        return profiles

    def _drop_tokens(self, profiles: builtins.list[OrgProfile], problems: builtins.list[str]) -> None:
        # Without the lock: the hook reads the registry (is the account still used?).
        if self.token_cleanup is None:
            return
        for profile in profiles:
            try:
                self.token_cleanup(profile)
            except Exception as exc:  # noqa: BLE001 - best effort: a failure here is reported elsewhere or harmless
                problems.append(f"Cached sign-in tokens of {profile.label} could not be "
                                f"deleted: {exc}")

    def _sweep_temp_files(self) -> None:
        """Remove temp files of writes that a killed process left behind (lock held: every
        writer holds the lock while its temp file exists, so any found now is stale)."""
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()

    def _settle(self, state: dict[str, Any]) -> Any:
        """Do the mailbox stamp change recorded in ``state`` (lock held), then forget it.

        Returns the new :class:`Stamp` for a claim, or whether the stamp was released.
        A claim that conflicts with a stamp written in between is dropped (the sync
        engine reports the conflict); other failures stay pending and raise
        :class:`_SettleFailed`.
        """
        pending = state.get("pending_stamp")
        if not isinstance(pending, dict):
            state.pop("pending_stamp", None)
            return None
        outcome: Any = None
        try:
            if pending.get("action") == "claim":
                outcome = self.mailbox.claim(str(pending["org_id"]), str(pending["org_name"]),
                                             replacing=pending.get("replacing"))
            elif pending.get("action") == "release":
                outcome = self.mailbox.release(str(pending["org_id"]))
        except StampConflict as exc:
            state.pop("pending_stamp", None)
            atomic_write_json(self.path, state)
            raise _SettleFailed(exc) from exc
        except WizardError as exc:
            raise _SettleFailed(exc) from exc
        state.pop("pending_stamp", None)
        atomic_write_json(self.path, state)
        return outcome


class _DryRun(Exception):
    pass


def _check_writable_state(state: dict[str, Any]) -> None:
    from wizard.engine.storage import SchemaError

    try:
        check_registry_state(state)
    except SchemaError as exc:
        raise E.ChangeBreaksRegistry(reason=str(exc)) from None


class _SettleFailed(Exception):
    def __init__(self, error: WizardError) -> None:
        super().__init__(str(error))
        self.error = error


def _recovery_record(err: CorruptConfig, at: str) -> dict[str, Any]:
    record = {"moved_to": err.moved_to, "at": at}
    if err.params.get("reason"):
        record["reason"] = str(err.params["reason"])
    return record


def _parses(raw: bytes) -> bool:
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError:
        return False
    return isinstance(data, dict) and isinstance(data.get("schema_version"), int)



def _normalize_state(data: dict[str, Any] | None) -> dict[str, Any]:
    """The state with its defaults; ``data`` has passed :func:`check_registry_state`."""
    state = dict(data or {})
    state["schema_version"] = SCHEMA_VERSION
    state["orgs"] = list(state.get("orgs") or [])
    return state


_TEXT_FIELDS = ("display_name", "key", "base_url")
_OPTIONAL_TEXT_FIELDS = ("org_id", "unique_name", "api_url", "cloud", "region", "tenant_id",
                         "user", "user_id", "version", "added_at", "last_connected_at")
_BOOL_FIELDS = ("save_credentials", "keep_connected")


def check_registry_state(data: dict[str, Any]) -> None:
    """Raise :class:`~wizard.engine.storage.SchemaError` unless ``data`` is a registry the
    app could have written: every entry well-formed, keys unique, at most one org
    synchronizing, no org listed twice. Such a file is moved aside like a damaged one."""
    from wizard.engine.storage import SchemaError

    orgs = data.get("orgs", [])
    if not isinstance(orgs, list):
        raise SchemaError("“orgs” is not a list")
    _check_registry_orgs(orgs)
    _check_registry_pending(data)
    if data.get("recovery") is not None and not isinstance(data["recovery"], dict):
        raise SchemaError("“recovery” is not an object")
    _check_registry_settings(data.get("settings"))


def _check_registry_orgs(orgs: builtins.list[Any]) -> None:
    """Every entry well-formed; keys, organization IDs and addresses unique; one primary."""
    from wizard.engine.storage import SchemaError

    keys: dict[str, int] = {}
    ids: dict[str, int] = {}
    urls: dict[str, int] = {}
    primaries: builtins.list[int] = []
    for i, entry in enumerate(orgs, 1):
        profile = _checked_entry(i, entry)
        for seen, value, what in ((keys, entry["key"], "key"),
                                  (ids, (profile.org_id or "").lower(), "organization ID"),
                                  (urls, normalize_base_url(profile.base_url), "address")):
            if not value:
                continue
            if value in seen:
                raise SchemaError(f"entries {seen[value]} and {i} have the same {what} "
                                  f"({value})")
            seen[value] = i
        if profile.is_primary:
            primaries.append(i)
    if len(primaries) > 1:
        raise SchemaError(f"entries {', '.join(map(str, primaries))} are all marked as the "
                          "synchronizing organization; only one org can synchronize")


def _checked_entry(i: int, entry: Any) -> OrgProfile:
    """Entry ``i`` of the org list as a profile, or SchemaError saying what is wrong with it."""
    from wizard.engine.storage import SchemaError

    if not isinstance(entry, dict):
        raise SchemaError(f"entry {i} is not an object")
    _check_entry_types(i, entry)
    for name, allowed in (("kind", KINDS), ("auth_method", AUTH_METHODS),
                          ("sync_method", SYNC_METHODS)):
        if name in entry and entry[name] not in allowed:
            raise SchemaError(f"entry {i}: “{name}” is {entry[name]!r}, not one of "
                              f"{', '.join(allowed)}")
    key = entry["key"]
    if ":" in key or any(ch.isspace() for ch in key):
        raise SchemaError(f"entry {i}: “key” {key!r} is not a registry key")
    try:
        profile = OrgProfile.from_dict(entry)
        _validate_profile(profile)
    except (InvalidProfile, TypeError, ValueError) as exc:
        raise SchemaError(f"entry {i}: {exc}") from None
    return profile


def _check_entry_types(i: int, entry: dict[str, Any]) -> None:
    from wizard.engine.storage import SchemaError

    for name in _TEXT_FIELDS:
        value = entry.get(name)
        if not isinstance(value, str) or not value.strip():
            raise SchemaError(f"entry {i} has no valid “{name}”")
    for name in _OPTIONAL_TEXT_FIELDS:
        if not isinstance(entry.get(name), (str, type(None))):
            raise SchemaError(f"entry {i}: “{name}” is not text")
    for name in _BOOL_FIELDS:
        if name in entry and not isinstance(entry[name], bool):
            raise SchemaError(f"entry {i}: “{name}” is not true or false")
    if "extra" in entry and not isinstance(entry["extra"], dict):
        raise SchemaError(f"entry {i}: “extra” is not an object")


def _check_registry_pending(data: dict[str, Any]) -> None:
    """The stamp change and the clean-up a write left to finish, if any, are well-formed."""
    from wizard.engine.storage import SchemaError

    pending = data.get("pending_stamp")
    if pending is not None and not (
            isinstance(pending, dict) and pending.get("action") in ("claim", "release")
            and isinstance(pending.get("org_id"), str)
            and (pending.get("action") != "claim" or isinstance(pending.get("org_name"), str))):
        raise SchemaError("“pending_stamp” is not a stamp change")
    cleanup = data.get("pending_cleanup")
    if cleanup is not None and not (isinstance(cleanup, list) and all(
            isinstance(c, dict) and isinstance(c.get("key"), str) and c.get("key")
            and ":" not in c["key"] for c in cleanup)):
        raise SchemaError("“pending_cleanup” is not a list of removed organizations")


def _check_registry_settings(settings: Any) -> None:
    if settings is None:
        return
    from wizard.engine import keepalive
    from wizard.engine.storage import SchemaError

    if not isinstance(settings, dict):
        raise SchemaError("“settings” is not an object")
    if keepalive.SETTING in settings:
        try:
            keepalive.check_minutes(settings[keepalive.SETTING], text=False)
        except keepalive.InvalidInterval as exc:
            raise SchemaError(f"“settings.{keepalive.SETTING}”: {exc.message}") from None


def _make_primary(orgs: builtins.list[OrgProfile], target: OrgProfile, sync_via: str | None) -> None:
    """``target`` synchronizes (through ``sync_via`` if given), every other org does not."""
    for p in orgs:
        p.sync_method = SYNC_MAILBOX if p.key == target.key else SYNC_NONE
        if p.key == target.key and sync_via is not None:
            p.sync_via = sync_via


def _fingerprint(current: OrgProfile | None, target: OrgProfile, stamp: Stamp | None) -> str:
    facts = {
        "from": [current.key, current.org_id] if current else None,
        "to": [target.key, target.org_id, normalize_base_url(target.base_url),
               target.sync_method],
        "stamp": stamp.org_id.strip("{} ").lower() if stamp else None,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:16]


def _find_same_org(orgs: list[OrgProfile], incoming: OrgProfile) -> OrgProfile | None:
    if incoming.org_id:
        for p in orgs:
            if _same_org_id(p.org_id, incoming.org_id):
                return p
    # The same address with another id is the org at that address now (e.g. after an
    # environment reset): one entry per address, so it is updated too.
    url = normalize_base_url(incoming.base_url)
    return next((p for p in orgs if normalize_base_url(p.base_url) == url), None)


def _merge(existing: OrgProfile, incoming: OrgProfile) -> OrgProfile:
    merged = existing.copy()
    defaults = OrgProfile(base_url="x")
    keep = {"key", "display_name", "added_at", "sync_method", "sync_via", "extra"}
    for f in dataclasses.fields(OrgProfile):
        if f.name in keep:
            continue
        value = getattr(incoming, f.name)
        if value is None:
            continue
        if f.name in ("kind", "auth_method") and value == getattr(defaults, f.name) \
                and getattr(existing, f.name) != value:
            continue  # a default says nothing new
        setattr(merged, f.name, value)
    merged.base_url = merged.base_url.strip().rstrip("/")
    merged.extra = {**existing.extra, **incoming.extra}
    return merged


def _check_no_duplicate(orgs: list[OrgProfile], changed: OrgProfile) -> None:
    for p in orgs:
        if p.key == changed.key:
            continue
        if _same_org_id(p.org_id, changed.org_id) or (
                normalize_base_url(p.base_url) == normalize_base_url(changed.base_url)):
            raise E.DuplicateOrg(org=p.label)


def _listing(orgs: list[OrgProfile]) -> str:
    """The numbered list of ``orgs`` for a not-found error ("1. Contoso (contoso); 2. …")."""
    return "; ".join(f"{i}. {p.display_name}" + (f" ({p.unique_name})" if p.unique_name else "")
                     for i, p in enumerate(orgs, 1))


def _not_found(orgs: list[OrgProfile], cls: type[OrgNotFound], **params: Any) -> OrgNotFound:
    """``cls`` naming the orgs that exist, or :class:`NoOrgsAdded` when there are none."""
    return cls(orgs=_listing(orgs), **params) if orgs else E.NoOrgsAdded(**params)


def _resolve(orgs: list[OrgProfile], ref: str | int) -> OrgProfile:
    """The org ``ref`` names: a number (its position), else its key, organization ID, unique
    or display name, else its address; a number as text also names the org at that position."""
    if isinstance(ref, bool):
        raise _not_found(orgs, E.NotAnOrgRef, ref=ref)
    if isinstance(ref, int):
        if 1 <= ref <= len(orgs):
            return orgs[ref - 1]
        raise _not_found(orgs, E.NoOrgNumber, number=ref)
    text = str(ref).strip()
    if not text:
        raise _not_found(orgs, E.NoOrgNamed)
    matches = _named(orgs, text)
    if text.isdigit():
        i = int(text)
        if 1 <= i <= len(orgs):
            matches[orgs[i - 1].key] = orgs[i - 1]
        elif not matches:
            raise _not_found(orgs, E.NoOrgNumber, number=i)
    if len(matches) == 1:
        return next(iter(matches.values()))
    if not matches:
        raise _not_found(orgs, OrgNotFound, ref=text)
    names = "; ".join(f"{orgs.index(p) + 1}. {p.display_name}" for p in matches.values())
    raise AmbiguousOrg(ref=text, matches=names)


def _named(orgs: list[OrgProfile], text: str) -> dict[str, OrgProfile]:
    """The orgs (by key) that ``text`` names by key, organization ID, unique or display name;
    when none, the ones at the address ``text`` (if it looks like one)."""
    folded = text.casefold()
    matches: dict[str, OrgProfile] = {}
    for p in orgs:
        if (p.key == text.lower() or _same_org_id(p.org_id, text)
                or (p.unique_name and p.unique_name.casefold() == folded)
                or p.display_name.casefold() == folded):
            matches[p.key] = p
    if not matches and ("/" in text or "." in text):
        try:
            url = normalize_base_url(text)
        except ValueError:
            url = None
        for p in orgs:
            if url and normalize_base_url(p.base_url) == url:
                matches[p.key] = p
    return matches


__all__ = [
    "AmbiguousOrg", "DuplicateOrg", "InvalidDisplayName", "InvalidProfile", "OrgNotFound",
    "OrgProfile", "OrgRegistry", "RemoveResult", "StalePlan", "StampConflict", "SwitchNotPossible",
    "SwitchPlan", "SwitchResult", "check_display_name", "normalize_base_url", "parse_time",
    "SYNC_MAILBOX", "SYNC_NONE", "SYNC_VIA", "VIA_COMPUTER", "VIA_SERVER",
]
