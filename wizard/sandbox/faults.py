"""Faults the sandbox can inject, switchable while it runs.

Tests and benchmarks switch them per run (``sandbox.faults.set("throttle", 2)``); the CLI
takes ``--fault NAME[=VALUE]``. Per-request faults can be limited to the next ``count``
requests, e.g. a 429 storm of three answers that then clears by itself.

Where each fault acts:
- ``latency`` (seconds): added to every request on every port.
- ``throttle`` (Retry-After seconds), ``server_error`` (HTTP status), ``drop_connection``:
  Web API and Global Discovery requests (the identity provider keeps working, so a client
  can still sign in and then meet the fault).
- ``token_expired``: the Web API and Global Discovery reject every token as expired.
- ``org_disabled`` (unique name, repeatable): Global Discovery reports State 1 and the
  org's Web API answers as a disabled org does.
- ``unknown_ca``: every new TLS connection gets a certificate from a CA no client trusts.
- ``mfa_required``, ``mfa_enrollment_required``, ``consent_missing``, ``consent_declined``,
  ``conditional_access``, ``refresh_expired``: the identity provider answers every token
  request with that Entra error (helpdesk practice).
- ``test_enable_stuck``: a scheduled Test & Enable never runs (``actstatus`` stays Not Run).
- ``mailbox_write_denied`` (True, or one user's sign-in name): writes to mailbox records
  answer 403 with Dataverse's missing-privilege error, as for a user whose security role
  lacks Mailbox: Write.
- ``read_denied`` (table logical names, comma-separated; default ``lead``): every user's
  reads of those tables (and links to their records) answer 403 with the missing-privilege
  error, as for a security role without Read on them.
- ``mailbox_changed``: someone else changes the mailbox record just before the next write
  (``count=N`` writes), so a write conditional on the old ETag answers 412.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from wizard.sandbox.sandbox_error import SandboxError

DEFAULTS: dict[str, Any] = {
    "latency": 1.0,
    "throttle": 5,
    "server_error": 503,
    "drop_connection": True,
    "token_expired": True,
    "org_disabled": "contosona",
    "unknown_ca": True,
    "mfa_required": True,
    "mfa_enrollment_required": True,
    "consent_missing": True,
    "consent_declined": True,
    "conditional_access": True,
    "refresh_expired": True,
    "test_enable_stuck": True,
    "mailbox_write_denied": True,
    "mailbox_changed": True,
    "read_denied": "lead",
}
FAULT_NAMES = tuple(DEFAULTS)
IDENTITY_SCENARIOS = ("mfa_required", "mfa_enrollment_required", "consent_missing",
                      "consent_declined", "conditional_access", "refresh_expired")


class UnknownFault(SandboxError, ValueError):
    pass


@dataclass
class _Setting:
    value: Any
    remaining: int | None


def _coerce(name: str, value: Any) -> Any:
    if value is None:
        return DEFAULTS[name]
    if name == "latency":
        number = float(value)
        if not 0 <= number <= 3600:          # also refuses NaN
            raise ValueError("latency takes seconds from 0 to 3600")
        return number
    if name in ("throttle", "server_error"):
        number = int(value)
        if name == "server_error" and not 500 <= number <= 599:
            raise ValueError("server_error takes an HTTP status from 500 to 599")
        if name == "throttle" and not 0 <= number <= 86400:
            raise ValueError("throttle takes the Retry-After seconds (0 to 86400)")
        return number
    if name == "org_disabled":
        return str(value)
    if name == "mailbox_write_denied" and isinstance(value, str) and "@" in value:
        return value.strip().lower()        # only this user's mailbox writes are refused
    if name == "read_denied":
        text = str(value).strip().lower()
        return False if text in ("0", "false", "no", "off", "") else text
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off")
    return bool(value)


class Faults:
    """The switchboard. Thread-safe; every request thread reads it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: dict[str, _Setting] = {}
        self._disabled_orgs: set[str] = set()

    def set(self, name: str, value: Any = None, *, count: int | None = None) -> None:
        """Switch ``name`` on (with ``value``), for the next ``count`` requests or until cleared."""
        if name not in DEFAULTS:
            raise UnknownFault(f"unknown fault {name!r}; known: {', '.join(FAULT_NAMES)}")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int)
                                  or count < 1):
            raise ValueError("count takes a number of requests (1 or more)")
        value = _coerce(name, value)
        with self._lock:
            if name == "org_disabled":
                if value is False:
                    self._disabled_orgs.clear()
                else:
                    self._disabled_orgs.add(value)
                return
            if value is False:
                self._active.pop(name, None)
            else:
                self._active[name] = _Setting(value, count)

    def clear(self, name: str) -> None:
        with self._lock:
            if name == "org_disabled":
                self._disabled_orgs.clear()
            self._active.pop(name, None)

    def reset(self) -> None:
        with self._lock:
            self._active.clear()
            self._disabled_orgs.clear()

    def get(self, name: str) -> Any:
        """The fault's value if on, else None; does not count as a use."""
        with self._lock:
            if name == "org_disabled":
                return sorted(self._disabled_orgs) or None
            setting = self._active.get(name)
            return None if setting is None else setting.value

    def take(self, name: str) -> Any:
        """Like ``get`` but uses up one of a counted fault's requests."""
        with self._lock:
            setting = self._active.get(name)
            if setting is None:
                return None
            if setting.remaining is not None:
                setting.remaining -= 1
                if setting.remaining <= 0:
                    del self._active[name]
            return setting.value

    def org_disabled(self, unique_name: str) -> bool:
        with self._lock:
            return unique_name in self._disabled_orgs

    def active(self) -> dict[str, Any]:
        with self._lock:
            out: dict[str, Any] = {k: v.value for k, v in self._active.items()}
            if self._disabled_orgs:
                out["org_disabled"] = sorted(self._disabled_orgs)
            return out

    def apply_specs(self, specs: list[str] | tuple[str, ...] | None) -> None:
        """Apply ``NAME`` or ``NAME=VALUE`` strings (the CLI's ``--fault``)."""
        for spec in specs or ():
            name, _, value = spec.partition("=")
            self.set(name.strip().replace("-", "_"), value.strip() or None)
