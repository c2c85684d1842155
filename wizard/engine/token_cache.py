"""msal's token cache, encrypted at rest, shared safely by several processes.

The serialized cache (refresh tokens included) is too large for some keyrings, so it
lives in ``AppPaths.token_cache_file`` encrypted with Fernet (AES-128-CBC + HMAC-SHA256,
from ``cryptography``) under a key that lives only in the OS keyring
(``SecretStore`` key ``token-cache-key``).

Concurrency: every change re-reads the file under the cross-process lock, applies the
change on top of what other processes wrote, and writes the result atomically. Reads
reload the file when it changed since we last saw it. Without a usable keyring the
cache stays in memory (``persistent`` is False and ``status`` says why).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msal
from cryptography.fernet import Fernet, InvalidToken

from wizard.engine.errors import WizardError
from wizard.engine.fileio import FileProblem, read_input
from wizard.engine.storage import atomic_write_bytes, locked, move_aside

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.secrets import SecretStore

log = logging.getLogger(__name__)

CACHE_KEY_NAME = "token-cache-key"
_MAGIC = b"D365WTC1\n"
MAX_CACHE_BYTES = 64_000_000


class EncryptedTokenCache(msal.SerializableTokenCache):  # type: ignore[misc] # msal ships no type information
    def __init__(self, path: str | os.PathLike[str], secrets: "SecretStore | None") -> None:
        super().__init__()
        self.path = Path(path)
        self._secrets = secrets
        self._fernet: Fernet | None = None
        self._seen: tuple[int, int, int] | None = None
        self._depth = 0
        self._guard = threading.RLock()
        self.status = ""
        self.persistent = False
        self.recovery: str | None = None   # set when a damaged cache was moved aside
        self.reset: WizardError | None = None
        self._open()

    # -- setup -------------------------------------------------------------------------
    def _open(self) -> None:
        secrets = self._secrets
        if secrets is None or not getattr(secrets, "available", False):
            reason = getattr(secrets, "unavailable_reason", None) or (
                "No secure keyring is available.")
            self.status = ("Sign-ins are kept only while the app runs: you will be asked to "
                           f"sign in again next time. {reason}")
            return
        try:
            key = secrets.get(CACHE_KEY_NAME)
            if key is None:
                with locked(self.path):
                    key = secrets.get(CACHE_KEY_NAME)
                    if key is None:
                        # A file from an older key can never be read again: it is moved
                        # aside (not deleted) and the user is told to sign in again.
                        if self.path.exists():
                            self._move_aside("its key is no longer in the keyring")
                        key = Fernet.generate_key().decode("ascii")
                        secrets.set(CACHE_KEY_NAME, key)
            self._fernet = Fernet(key.encode("ascii"))
        except Exception as exc:  # noqa: BLE001 - degrade to memory, and say so
            log.warning("Token cache key unavailable: %s", type(exc).__name__)
            self.status = ("Sign-ins are kept only while the app runs: the keyring could "
                           "not hold the token-cache key.")
            return
        self.persistent = True
        self.status = self.recovery or (
            "Sign-ins are saved, encrypted, with the key in the system keyring.")
        with self._guard:
            self._reload(force=True)

    # -- file I/O ----------------------------------------------------------------------
    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _reload(self, *, force: bool = False) -> None:
        if not self.persistent:
            return
        seen = self._stat()
        if not force and seen == self._seen:
            return
        state = "{}"
        problem = None
        if seen is not None:
            try:
                raw = read_input(self.path, what="the token cache", max_bytes=MAX_CACHE_BYTES,
                                 private=True)
                if raw.startswith(_MAGIC):
                    assert self._fernet is not None
                    state = self._fernet.decrypt(raw[len(_MAGIC):]).decode("utf-8")
                    json.loads(state)
                else:
                    problem = "it is not in d365-wizard's format (damaged or replaced)"
            except InvalidToken:
                problem = "it cannot be decrypted with the key in the keyring"
            except (UnicodeDecodeError, ValueError):
                problem = "its content is damaged"
            except FileProblem as exc:
                problem = exc.message
        if problem is not None:
            self._move_aside(problem)
            state = "{}"
            seen = self._stat()
        self.deserialize(state)
        self._seen = seen

    def _move_aside(self, why: str) -> None:
        """Keep a damaged or undecryptable cache for the helpdesk and say so (lock held or
        not: the rename is atomic); the app then starts with no saved sign-ins."""
        try:
            moved = move_aside(self.path)
        except WizardError as exc:
            log.warning("Token cache unreadable (%s) and could not be moved aside: %s",
                        why, exc.message)
            moved = None
        from wizard.engine.signin_errors import TokenCacheDropped, TokenCacheReset

        #: Raised by a silent sign-in until the user signs in again (the recovery note).
        self.reset = TokenCacheReset(reason=why, moved_to=str(moved)) if moved else TokenCacheDropped(reason=why)
        self.recovery = str(self.reset)
        log.warning("Token cache reset: %s", self.recovery)
        self.status = self.recovery

    def _save(self) -> None:
        assert self._fernet is not None
        blob = _MAGIC + self._fernet.encrypt(self.serialize().encode("utf-8"))
        atomic_write_bytes(self.path, blob, what="the token cache")
        self._seen = self._stat()
        self.has_state_changed = False

    # -- msal hooks ----------------------------------------------------------------------
    def _mutating(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self._guard:
            if not self.persistent or self._depth:
                self._depth += 1
                try:
                    return fn(*args, **kwargs)
                finally:
                    self._depth -= 1
            with locked(self.path):
                self._reload(force=True)  # merge: apply our change on top of theirs
                self._depth += 1
                try:
                    result = fn(*args, **kwargs)
                finally:
                    self._depth -= 1
                self._save()
                return result

    def add(self, event: dict[str, Any], **kwargs: Any) -> None:
        self._mutating(super().add, event, **kwargs)

    def modify(self, credential_type: str, old_entry: dict[str, Any],
               new_key_value_pairs: dict[str, Any] | None = None) -> None:
        self._mutating(super().modify, credential_type, old_entry, new_key_value_pairs)

    def search(self, credential_type: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        with self._guard:
            if not self._depth:
                self._reload()
            found: Iterator[dict[str, Any]] = super().search(credential_type, **kwargs)
            return found

    def find(self, credential_type: str, **kwargs: Any) -> list[dict[str, Any]]:  # older msal
        with self._guard:
            if not self._depth:
                self._reload()
            found: list[dict[str, Any]] = super().find(credential_type, **kwargs)
            return found

    def clear(self) -> None:
        """Forget every cached token (memory and file)."""
        with self._guard:
            self.deserialize("{}")
            if self.persistent:
                with locked(self.path):
                    self._save()
