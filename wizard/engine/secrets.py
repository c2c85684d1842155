"""Saved credentials: the OS keyring and nowhere else.

``open_secret_store(service)`` picks a *secure* keyring backend (Secret Service /
GNOME Keyring or KWallet on Linux, Windows Credential Manager, the macOS Keychain) and
returns a :class:`SecretStore` bound to one service name. Backends that would store
secrets in the clear or drop them are refused, never used silently:

an allowlist of class paths (:data:`SECURE_BACKENDS`: Secret Service / libsecret, KWallet,
macOS Keychain, Windows Credential Locker), never a denylist of names: any other backend
(``keyrings.alt``'s plaintext files, the ``null`` and ``fail`` backends, a plugin with a
reassuring name) is refused unless the user names its class path in the documented
setting ``D365_WIZARD_KEYRING_BACKEND``, and diagnostics then say it was allowed that way.
``keyring.backends.chainer.ChainerBackend`` writes to whichever member comes first, so its
best allowed member is used directly, or it is refused when there is none.

Then ``available`` is False, ``unavailable_reason`` says why and that credentials will
not be saved; ``get`` returns None and ``set`` raises ``SecretStoreUnavailable``. An
explicit choice (``PYTHON_KEYRING_BACKEND`` or keyring's ``keyringrc.cfg``) is honoured
when it is allowed and refused with the same reasons otherwise.

The service name is namespaced per home (:func:`service_name_for`): the default home
uses ``d365-wizard``; a ``D365_WIZARD_HOME``/``--home`` directory gets
``d365-wizard@<first 8 hex of sha256(home path)>``, so test homes never see the real
user's credentials or each other's. Keys are free text; per-org secrets are
``org:<org_key>:<name>`` with ``name`` from :data:`ORG_SECRET_NAMES`, which is what
``delete_org`` removes (keyring backends cannot list entries, so a per-org secret with a
name not in that tuple would be left behind: add the name here first).

Backend failures (a locked keyring, a dismissed unlock prompt, D-Bus trouble) become
:class:`SecretStoreError` / :class:`KeyringLocked` with a message that says what to do.
Values are never logged or put into messages. Windows caps one secret at 2,560 bytes:
keep large things (the token cache) in an encrypted file whose key lives here.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from wizard import APP_NAME
from wizard.engine.errors import SecretStoreUnavailable, WizardError

if TYPE_CHECKING:  # pragma: no cover
    from keyring.backend import KeyringBackend

    from wizard.engine.paths import AppPaths

__all__ = [
    "ORG_SECRET_NAMES", "SecretStore", "KeyringSecretStore", "MemorySecretStore",
    "UnavailableSecretStore", "SecretStoreError", "KeyringLocked", "SecretStoreUnavailable",
    "open_secret_store", "service_name_for", "org_secret_key", "insecure_reason",
]

# Every per-org secret name; delete_org removes exactly these.
ORG_SECRET_NAMES: tuple[str, ...] = (
    "password",          # the user's password (on-premises NTLM / AD FS), when saved
    "refresh_token",     # a refresh token kept outside the MSAL cache, if any
    "token_cache_key",   # key of an org-specific encrypted token cache, if any
    "client_secret",     # confidential-client secret (helpdesk deployments)
    "session",           # any other per-org session secret
)

T = TypeVar("T")


class SecretStoreError(WizardError):
    """The keyring refused or failed an operation."""

    code = "keyring_error"


class KeyringFailed(SecretStoreError):
    """``verb`` is what was tried (read, save, delete)."""

    template = "Could not {verb} the credential in the system keyring."
    fix_template = ("Check that your keyring service is running and unlocked, then try again; "
                    "choose not to save credentials to continue without it.")


class KeyringLocked(SecretStoreError):
    """The keyring is locked and was not unlocked (or the unlock prompt was dismissed).

    The fix names the platform's keyring (``macos_fix_template``, ``windows_fix_template``)."""

    code = "keyring_locked"
    template = "Could not {verb} the credential: the keyring is locked."
    fix_template = ("Unlock your keyring (GNOME Keyring / KWallet; it usually unlocks when you log "
                    "in) and answer its prompt, then try again.")
    macos_fix_template = "Unlock the login keychain (Keychain Access) and try again."
    windows_fix_template = "Sign in to Windows again (Credential Manager) and try again."

    def templates(self) -> tuple[str | None, str | None]:
        fix = {"darwin": self.macos_fix_template, "win32": self.windows_fix_template}.get(
            sys.platform, self.fix_template)
        return self.template, fix


class UnlockPromptDismissed(KeyringLocked):
    template = "Could not {verb} the credential: the keyring's unlock prompt was dismissed."


class NoSecureKeyring(SecretStoreUnavailable):
    """``reason`` says why there is no secure keyring (the store's ``unavailable_reason``)."""

    template = "Credentials cannot be saved: no secure keyring is available."
    fix_template = "{reason}"


def org_secret_key(org_key: str, name: str) -> str:
    """The key of one of an org's secrets, e.g. ``org:3f2a...:password``."""
    if not org_key or ":" in org_key:
        raise ValueError(f"invalid org key {org_key!r}")
    if name not in ORG_SECRET_NAMES:
        raise ValueError(f"unknown org secret name {name!r}; add it to ORG_SECRET_NAMES")
    return f"org:{org_key}:{name}"


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not key or "\x00" in key:
        raise ValueError("a secret key must be a non-empty string")


class SecretStore:
    """Where secrets are kept. Subclasses implement ``_get``, ``_set`` and ``_delete``."""

    available: bool = True
    backend_name: str = "none"
    unavailable_reason: str | None = None

    def get(self, key: str) -> str | None:
        _check_key(key)
        if not self.available:
            return None
        return self._get(key)

    def set(self, key: str, value: str) -> None:
        _check_key(key)
        if not isinstance(value, str):
            raise TypeError("a secret must be a string")
        if not self.available:
            raise NoSecureKeyring(reason=self.unavailable_reason or "",
                                  details=f"backend: {self.backend_name}")
        self._set(key, value)

    def delete(self, key: str) -> None:
        """Remove ``key``; no error when it does not exist."""
        _check_key(key)
        if self.available:
            self._delete(key)

    def delete_org(self, org_key: str) -> None:
        """Remove every secret of one org (``org:<org_key>:<name>`` for each known name)."""
        for name in ORG_SECRET_NAMES:
            self.delete(org_secret_key(org_key, name))

    def describe(self) -> dict[str, Any]:
        """For diagnostics: which backend, whether credentials can be saved, and why the
        backend is trusted (a known secure keyring, or named by the user's setting)."""
        return {"available": self.available, "backend": self.backend_name,
                "unavailable_reason": self.unavailable_reason,
                "trusted_because": trust_reason(self.backend_name) if self.available else None}

    # -- for subclasses --------------------------------------------------------------
    def _get(self, key: str) -> str | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _set(self, key: str, value: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _delete(self, key: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class MemorySecretStore(SecretStore):
    """A dict: for unit tests and for callers that want nothing persisted."""

    backend_name = "memory"

    def __init__(self, initial: dict[str, str] | None = None) -> None:
        self.items: dict[str, str] = dict(initial or {})

    def _get(self, key: str) -> str | None:
        return self.items.get(key)

    def _set(self, key: str, value: str) -> None:
        self.items[key] = value

    def _delete(self, key: str) -> None:
        self.items.pop(key, None)


class UnavailableSecretStore(SecretStore):
    """No secure keyring: nothing is saved, and ``unavailable_reason`` says so."""

    available = False

    def __init__(self, reason: str, backend_name: str = "none") -> None:
        self.unavailable_reason = reason
        self.backend_name = backend_name


class KeyringSecretStore(SecretStore):
    """Secrets in one keyring backend under one service name."""

    def __init__(self, service: str, backend: "KeyringBackend") -> None:
        if not service:
            raise ValueError("service name must not be empty")
        self.service = service
        self.backend = backend
        self.backend_name = _class_path(backend)

    def _get(self, key: str) -> str | None:
        return self._call(lambda: self.backend.get_password(self.service, key), "read")

    def _set(self, key: str, value: str) -> None:
        self._call(lambda: self.backend.set_password(self.service, key, value), "save")

    def _delete(self, key: str) -> None:
        from keyring.errors import PasswordDeleteError

        def delete() -> None:
            try:
                self.backend.delete_password(self.service, key)
            except PasswordDeleteError:
                pass  # not there: that is what the caller wants

        self._call(delete, "delete")

    def _call(self, action: Callable[[], T], verb: str) -> T:
        try:
            return action()
        except Exception as exc:  # backends raise anything from D-Bus up; translate all
            _close_abandoned_connections(exc)
            raise _translate(exc, verb, self.backend_name) from None


def trust_reason(backend_name: str) -> str:
    if backend_name in SECURE_BACKENDS:
        return f"a known secure keyring ({SECURE_BACKENDS[backend_name]})"
    if backend_name == allowed_by_setting():
        return (f"not a keyring d365-wizard knows: allowed because {ALLOW_ENV} names it "
                "(the user's choice)")
    if backend_name == "memory":
        return "kept in memory only (nothing is saved)"
    return "unknown"


def _close_abandoned_connections(exc: BaseException) -> None:
    """Close D-Bus connections a failing backend left open.

    keyring's SecretService backend (25.x, ``get_preferred_collection``) opens a
    connection and raises KeyringLocked/InitError without closing it; the socket would
    leak until garbage collection. The connection is still a local of the frames in
    the traceback.
    """
    tb = exc.__traceback__
    while tb is not None:
        for value in list(tb.tb_frame.f_locals.values()):
            if type(value).__name__ == "DBusConnection" and hasattr(value, "close"):
                try:
                    value.close()
                except Exception:  # already closed or broken: nothing to release
                    pass
        tb = tb.tb_next


def _translate(exc: BaseException, verb: str, backend_name: str) -> SecretStoreError:
    # Only the exception's type and text go into details; both come from the backend and
    # never contain the secret (keyring and secretstorage do not echo values).
    details = f"{backend_name}: {type(exc).__module__}.{type(exc).__name__}: {exc}"
    name = type(exc).__name__
    text = str(exc).lower()
    if name in ("KeyringLocked", "LockedException") or "locked" in text or "unlock" in text:
        return KeyringLocked(verb=verb, details=details)
    if name == "PromptDismissedException" or "dismissed" in text:
        return UnlockPromptDismissed(verb=verb, details=details)
    return KeyringFailed(verb=verb, details=details)


# -- choosing a backend ------------------------------------------------------------------

# The keyrings that protect secrets with the user's login: an allowlist of class paths
# (module and class, never a display name, which any plugin can claim).
SECURE_BACKENDS: dict[str, str] = {
    "keyring.backends.SecretService.Keyring": "Secret Service (GNOME Keyring, KWallet)",
    "keyring.backends.libsecret.Keyring": "libsecret (Secret Service)",
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
    "keyring.backends.kwallet.DBusKeyringKWallet4": "KWallet 4",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Locker",
}
# The documented setting that allows (and selects) one other backend by its class path.
ALLOW_ENV = "D365_WIZARD_KEYRING_BACKEND"


def _class_path(backend: object) -> str:
    cls = backend if isinstance(backend, type) else type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def allowed_by_setting() -> str | None:
    """The backend class path the user named in ``D365_WIZARD_KEYRING_BACKEND``, if any."""
    import os

    value = (os.environ.get(ALLOW_ENV) or "").strip()
    return value or None


def insecure_reason(backend: object) -> str | None:
    """Why ``backend`` must not hold credentials, or None when it is acceptable: a known
    secure keyring, or the one backend the user named in ``D365_WIZARD_KEYRING_BACKEND``."""
    path = _class_path(backend)
    if path == "keyring.backends.fail.Keyring":
        return "no keyring backend is available"
    if path == "keyring.backends.null.Keyring":
        return "the keyring is disabled (null backend)"
    if _is_chainer(backend):
        members = list(_chainer_members(backend))
        if not any(insecure_reason(m) is None for m in members):
            return "the chained keyrings are all insecure or unavailable"
        return None
    if path in SECURE_BACKENDS or path == allowed_by_setting():
        return None
    module = path.rsplit(".", 1)[0]
    if module == "keyrings.alt" or module.startswith("keyrings.alt."):
        return (f"{path} stores secrets in a file or registry without real protection, "
                f"and is not a secure keyring")
    return (f"{path} is not a secure keyring d365-wizard knows (it accepts Secret Service, "
            f"KWallet, the macOS Keychain and the Windows Credential Locker; set "
            f"{ALLOW_ENV}={path} to use this one anyway)")


def _is_chainer(backend: object) -> bool:
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, type):
        return issubclass(backend, ChainerBackend)
    return isinstance(backend, ChainerBackend)


def _chainer_members(backend: object) -> Iterable[object]:
    try:
        owner = backend if isinstance(backend, type) else type(backend)
        return list(getattr(owner, "backends"))  # noqa: B009 - not every backend class has it
    except Exception:  # a member's priority check failed: treat as no members
        return []


def _secure_member(chainer: object) -> object | None:
    from keyring.backend import by_priority

    members = [m for m in _chainer_members(chainer) if insecure_reason(m) is None]
    return max(members, key=by_priority, default=None)


def _no_keyring_message(why: str) -> str:
    if sys.platform.startswith("linux"):
        fix = ("Install and unlock a Secret Service keyring (GNOME Keyring or KWallet) to "
               "save credentials.")
    elif sys.platform == "darwin":
        fix = "The macOS Keychain should be available; check that you are logged in."
    elif sys.platform == "win32":
        fix = "Windows Credential Manager should be available; check your Windows profile."
    else:
        fix = "Install a supported keyring to save credentials."
    return (f"Credentials will not be saved ({why}); you will be asked to sign in each "
            f"time. {fix}")


def _explicit_backend() -> object | None:
    """The backend chosen by PYTHON_KEYRING_BACKEND or keyringrc.cfg, else the one named in
    D365_WIZARD_KEYRING_BACKEND, if any."""
    import keyring.core

    chosen = keyring.core.load_env() or keyring.core.load_config()
    named = allowed_by_setting()
    if chosen is None and named:
        chosen = keyring.core.load_keyring(named)
    return chosen


def _detect_backend() -> object | None:
    """The highest-priority secure backend viable right now (not keyring's cached pick)."""
    import keyring.backend

    keyring.backend.get_all_keyring()  # loads the backend plugins once
    candidates = []
    for cls in keyring.backend.KeyringBackend.get_viable_backends():
        if _is_chainer(cls) or insecure_reason(cls) is not None:
            continue
        try:
            candidates.append((cls.priority, cls()))
        except Exception:  # needs arguments, or failed to start: not a candidate
            continue
    candidates = [(p, b) for p, b in candidates if p > 0]
    if not candidates:
        return None
    return max(candidates, key=lambda pair: pair[0])[1]


def open_secret_store(service: str = APP_NAME, *, backend: object | None = None) -> SecretStore:
    """A store bound to ``service`` in the best secure keyring, or an unavailable one.

    ``backend`` forces a keyring backend object (tests); it is vetted like any other.
    Never raises for a missing or insecure keyring: the result says why instead.
    """
    try:
        chosen = backend if backend is not None else _explicit_backend()
        if chosen is None:
            chosen = _detect_backend()
            if chosen is None:
                return UnavailableSecretStore(_no_keyring_message("no secure keyring was found"))
    except Exception as exc:  # a broken keyring config or D-Bus: work without saving
        return UnavailableSecretStore(_no_keyring_message(
            f"the keyring could not be opened: {type(exc).__name__}: {exc}"))
    if _is_chainer(chosen):
        member = _secure_member(chosen)
        if member is not None:
            return KeyringSecretStore(service, member)  # type: ignore[arg-type] # keyring backends are untyped
    why = insecure_reason(chosen)
    if why is not None:
        if _class_path(chosen) != "keyring.backends.fail.Keyring":
            why = f"refused: {why}"
        return UnavailableSecretStore(_no_keyring_message(why),
                                      backend_name=_class_path(chosen))
    return KeyringSecretStore(service, chosen)  # type: ignore[arg-type] # keyring backends are untyped


def service_name_for(paths: "AppPaths") -> str:
    """``d365-wizard`` for the default home, ``d365-wizard@<8 hex>`` for any other home."""
    import platformdirs

    default_config = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    if Path(paths.config_dir) == default_config:
        return APP_NAME
    config = Path(paths.config_dir)
    home = config.parent if config.name == "config" else config
    digest = hashlib.sha256(str(home).encode("utf-8")).hexdigest()[:8]
    return f"{APP_NAME}@{digest}"
