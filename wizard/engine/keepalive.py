"""Keep me connected: what the app does in the background while it runs.

Each org has ``keep_connected`` (on by default, a Properties choice, ``d365-orgs
keep-connected ORG on|off``, the deployment file's ``orgs[].keep_connected``). While a
front end runs, every org that has it on and was last seen connected has its status
refreshed, and the synchronizing org — when it has it on and this computer synchronizes it
— is synchronized, once per interval. The interval (``keep_connected_minutes``, 1–1440,
default 15) is one setting for all orgs, kept in the registry file beside the orgs and set by
the GUI's Keep me connected settings, ``d365-orgs keep-connected --every MINUTES`` or the
deployment file.

An org with it off gets no background traffic at all: it is contacted only when the user
acts on it (Test Connection, Synchronize Now, a switch…). Opening it may then be slower,
because nothing kept its sign-in and connection warm.

This module only decides; it has no timer and no I/O. A front end asks :func:`due_work`
when its timer fires and runs what comes back with the engine's ordinary calls (the GUI on
its worker threads).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from wizard.engine.errors import WizardError

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.orgs import OrgProfile

DEFAULT_MINUTES = 15
MIN_MINUTES = 1
MAX_MINUTES = 24 * 60
SETTING = "keep_connected_minutes"


class InvalidInterval(WizardError, ValueError):
    """The Keep me connected interval is not a whole number of minutes in range."""

    code = "invalid_interval"
    template = ("The Keep me connected interval must be a whole number of minutes from {low} to "
                "{high}; “{value}” is not.")
    fix_template = "Choose a number of minutes from {low} to {high}, for example 15."

    def __init__(self, value: Any) -> None:
        super().__init__(value=value, low=MIN_MINUTES, high=MAX_MINUTES)


def check_minutes(value: Any, *, text: bool = True) -> int:
    """``value`` as the interval in minutes, or :class:`InvalidInterval`. ``text``: digits
    typed as text count (a command line); files must hold a number."""
    if isinstance(value, bool):
        raise InvalidInterval(value)
    if text and isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not MIN_MINUTES <= value <= MAX_MINUTES:
        raise InvalidInterval(value)
    return value


@dataclass(frozen=True)
class BackgroundWork:
    """One round of background work: whose status to refresh, and which org to sync."""

    refresh: tuple[str, ...] = ()     # org keys
    sync: str | None = None           # the synchronizing org's key

    def __bool__(self) -> bool:
        return bool(self.refresh or self.sync)


def interval(minutes: int) -> timedelta:
    return timedelta(minutes=check_minutes(minutes))


def is_active(orgs: Iterable[OrgProfile]) -> bool:
    """Whether any background work can ever be due (some org has Keep me connected on)."""
    return any(p.keep_connected for p in orgs)


def due_work(orgs: Iterable[OrgProfile], *, connected: Collection[str], minutes: int,
             last_round: datetime | None, now: datetime, busy: bool = False) -> BackgroundWork:
    """What to do now. ``connected``: the keys last seen connected (an org that needs a
    sign-in is left alone until the user signs in); ``last_round``: when the previous round
    ran, or when the front end opened and checked every org (None: due now); ``busy``: a
    synchronization is running already (no second one)."""
    if last_round is not None and now - last_round < interval(minutes):
        return BackgroundWork()
    keep = [p for p in orgs if p.keep_connected and p.key in connected]
    sync = next((p.key for p in keep if p.is_primary and not p.synchronizes_on_server), None)
    return BackgroundWork(tuple(p.key for p in keep), None if busy else sync)
