"""Switching the synchronizing org on the servers: every org's mailbox record, Test & Enable.

Microsoft's advice for a user in several orgs ("When would I want to use this check box?"
and the troubleshooting alert that the mailbox "is configured with another
organization"): Test & Enable the mailbox in the primary org with "Sync items with Exchange
from this org only, even if Exchange was set to sync with a different org", and set the
synchronization method of appointments, contacts and tasks to None in every other org.
:class:`MailboxSwitcher` does exactly that, next to the local part of the switch
(:meth:`wizard.engine.orgs.OrgRegistry.plan_switch` / ``apply``: the org list and the local
mailbox stamp):

1. :meth:`~MailboxSwitcher.plan` reads the signed-in user's own mailbox record in every
   org of the list, in parallel, and says per org what will change (:class:`Note`), who
   holds the Exchange mailbox now, and what cannot be read. Nothing is written.
2. :meth:`~MailboxSwitcher.apply` writes a journal, then every org's record in parallel,
   each ``PATCH`` conditional on the ETag of the plan: the other orgs to None (2), the new
   org to Server-Side Synchronization (1) or, for "this computer", to Dynamics 365 for
   Outlook (0), with ``isactsyncorgflagset`` when the mailbox is to be taken. A record that
   changed meanwhile (412) undoes the writes already made: nothing stays half-done. Then the
   org list switches (with the local stamp), Test & Enable is requested
   (``testemailconfigurationscheduled``), its result is awaited (bounded, cancellable) and
   every record is read back, because Microsoft's pages differ on the outcome: the result
   reports what actually holds the mailbox.
3. A write refused with 403 (privilege), 401 or an unreachable org is reported per org with
   what to do; the journal stays ("incomplete") and :meth:`~MailboxSwitcher.finish`
   completes it later, as it does after a crash.

The method ("server" or "computer") is stored in the org list (``OrgProfile.sync_via``);
the local sync engine refuses to sync an org whose method is "server"
(:func:`check_local_sync`).
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from wizard.engine.cancel import CancelEvent
from wizard.engine.errors import ErrorMessage, ServerText, WizardError
from wizard.engine.orgs import VIA_COMPUTER, VIA_SERVER, OrgProfile, StalePlan, SwitchPlan
from wizard.engine.serverside import journal as jr
from wizard.engine.serverside.errors import (
    AddressNotApproved,
    ConfiguredElsewhere,
    MailboxTestFailed,
    MailboxTestNotRun,
    MailboxUnreachable,
    NeverConnected,
    NotServerSide,
    RollbackIncomplete,
    ServerSideSynchronizes,
    SwitchIncomplete,
    SwitchStale,
    classify,
)
from wizard.engine.serverside.records import (
    ACT_NONE,
    ACT_OUTLOOK,
    ACT_SERVER,
    FAILURE,
    SUCCESS,
    MailboxRecord,
    patch_mailbox,
    read_mailbox,
    read_own_mailbox,
)
from wizard.engine.serverside.words import (
    APPROVAL_WORDS,
    METHOD_WORDS,
    Names,
    Note,
    Word,
    approval_word,
    method_word,
    note,
    phrase,
)
from wizard.engine.stamp import StampConflict, format_time

if TYPE_CHECKING:  # pragma: no cover
    from wizard.engine.connect import Connector, OrgSession
    from wizard.engine.dataverse import DataverseClient
    from wizard.engine.orgs import OrgRegistry, SwitchResult

METHODS = (VIA_SERVER, VIA_COMPUTER)
METHOD_TO_ACT = {VIA_SERVER: ACT_SERVER, VIA_COMPUTER: ACT_OUTLOOK}
DEFAULT_POLL_INTERVAL = 5.0     # seconds between two reads of the Test & Enable result
DEFAULT_POLLS = 24              # reads before giving up waiting (two minutes)
MAX_PARALLEL = 8

Progress = Callable[[Note], None]


def check_local_sync(profile: OrgProfile) -> None:
    """The local sync engine's gate: refuse an org whose own server-side sync does it."""
    if profile.synchronizes_on_server:
        raise ServerSideSynchronizes(org=profile.label)


class UnknownMethod(WizardError, ValueError):
    code = "invalid_method"
    template = "“{method}” is not a synchronization method (server or computer)."


def _check_method(method: str | None) -> str | None:
    if method is not None and method not in METHODS:
        raise UnknownMethod(method=method)
    return method


# -- reading -----------------------------------------------------------------------------
@dataclass
class OrgRead:
    """One org's mailbox record as read now (or why it could not be read)."""

    profile: OrgProfile
    record: MailboxRecord | None = None
    user_id: str | None = None
    error: WizardError | None = None
    session: "OrgSession | None" = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return self.profile.key

    @property
    def label(self) -> str:
        return self.profile.label

    @property
    def client(self) -> "DataverseClient | None":
        return self.session.client if self.session is not None else None

    def to_dict(self) -> dict[str, Any]:
        return {"org": self.key, "label": self.label,
                "record": self.record.to_dict() if self.record else None,
                "error": self.error.to_dict() if self.error else None}


# -- the plan ----------------------------------------------------------------------------
@dataclass(frozen=True)
class OrgChange:
    key: str
    label: str
    is_target: bool
    before: MailboxRecord | None
    want: dict[str, Any]                 # the columns to write ({}: nothing to change)
    note: Note
    problem: WizardError | None = None   # why the record cannot be changed now

    def to_dict(self) -> dict[str, Any]:
        return {"org": self.key, "label": self.label, "target": self.is_target,
                "want": self.want, "note": self.note.to_dict(),
                "before": self.before.to_dict() if self.before else None,
                "problem": self.problem.to_dict() if self.problem else None}


@dataclass
class ServerSwitchPlan:
    """What a switch would change locally and in every org. Nothing has changed yet."""

    local: SwitchPlan
    method: str
    override_suggested: bool            # the Exchange mailbox is held by another of the orgs
    reads: dict[str, OrgRead]
    order: list[str]                     # org keys in list order
    pending: dict[str, Any] | None = None   # an earlier, unfinished switch (its journal)
    _changes: dict[tuple[str, bool], list[OrgChange]] = field(default_factory=dict, repr=False)

    # -- facts ---------------------------------------------------------------------------
    @property
    def target(self) -> OrgProfile:
        return self.local.to_org

    @property
    def holders(self) -> list[OrgRead]:
        return [r for k in self.order if (r := self.reads[k]).record is not None
                and r.record.holds_exchange]

    @property
    def takes_from(self) -> list[OrgRead]:
        return [r for r in self.holders if r.key != self.target.key]

    @property
    def unreachable(self) -> list[OrgRead]:
        return [self.reads[k] for k in self.order if self.reads[k].record is None]

    def changes(self, method: str | None = None, override: bool | None = None
                ) -> list[OrgChange]:
        """Per org, what will be written for ``method`` (default: the plan's) with the
        "this org only" option ``override`` (default: the plan's suggestion)."""
        method = _check_method(method) or self.method
        flag = self.override_suggested if override is None else bool(override)
        cached = self._changes.get((method, flag))
        if cached is None:
            cached = self._changes[(method, flag)] = [
                self._change(self.reads[k], method, flag) for k in self.order]
        return cached

    def tests_and_enables(self, method: str | None = None, override: bool | None = None) -> bool:
        """Whether the switch runs Test & Enable in the new org."""
        method = method or self.method
        if method != VIA_SERVER:
            return False
        read = self.reads[self.target.key]
        flag = self.override_suggested if override is None else bool(override)
        record = read.record
        return record is None or flag or not (
            record.method == ACT_SERVER and record.holds_exchange and record.status == SUCCESS)

    def changes_anything(self, method: str | None = None, override: bool | None = None) -> bool:
        return (self.local.changes_anything or self.tests_and_enables(method, override)
                or any(c.want or c.problem for c in self.changes(method, override))
                or self.pending is not None)

    def _change(self, read: OrgRead, method: str, flag: bool) -> OrgChange:
        is_target = read.key == self.target.key
        record = read.record
        if record is None:
            code = "no_record" if read.error is not None and read.error.code == "no_mailbox" \
                else "unreachable"
            reason = ErrorMessage(read.error) if read.error is not None else phrase("not_read")
            return OrgChange(read.key, read.label, is_target, None, {},
                             note(code, org=read.label, reason=reason),
                             None if code == "no_record" else read.error)
        was = method_word(record.method)
        if not is_target:
            if record.method == ACT_NONE:
                return OrgChange(read.key, read.label, False, record, {},
                                 note("stays_none", org=read.label))
            return OrgChange(read.key, read.label, False, record,
                             {"actdeliverymethod": ACT_NONE},
                             note("set_none", org=read.label, was=was))
        want: dict[str, Any] = {}
        if method == VIA_COMPUTER:
            if record.method != ACT_OUTLOOK:
                want["actdeliverymethod"] = ACT_OUTLOOK
                return OrgChange(read.key, read.label, True, record, want,
                                 note("set_computer", org=read.label, was=was))
            return OrgChange(read.key, read.label, True, record, want,
                             note("stays_computer", org=read.label))
        if record.method != ACT_SERVER:
            want["actdeliverymethod"] = ACT_SERVER
        if flag:
            want["isactsyncorgflagset"] = True
        takes: Note | str = note("takes_from", holders=Names(tuple(h.label for h in self.takes_from))) \
            if self.takes_from else ""
        if record.method != ACT_SERVER:
            code = "set_server_override" if flag else "set_server"
        elif not self.tests_and_enables(VIA_SERVER, flag):
            code = "holds_already"
        else:
            code = "stays_server_override" if flag else "stays_server"
        return OrgChange(read.key, read.label, True, record, want,
                         note(code, org=read.label, was=was, takes=takes))

    # -- words ---------------------------------------------------------------------------
    def notes(self, method: str | None = None, override: bool | None = None) -> list[Note]:
        """The server side of the plan, one note per line (after the local summary)."""
        method = method or self.method
        out = [c.note for c in self.changes(method, override)]
        holders = self.holders
        if holders:
            out.append(note("holder", holders=Names(tuple(h.label for h in holders))))
        elif self.unreachable:
            out.append(note("holder_unknown"))
        else:
            out.append(note("holder_none"))
        target = self.reads[self.target.key].record
        if method == VIA_SERVER and target is not None and not target.approved:
            out.append(note("not_approved", org=self.target.label, email=target.email or "",
                            state=approval_word(target.approval)))
        if self.pending is not None:
            out.append(note("pending", org=self.pending.get("target_label", ""),
                            what=jr.summary_note(self.pending)))
        return out

    def summary_lines(self, method: str | None = None, override: bool | None = None
                      ) -> list[str]:
        return self.local.summary_lines() + [n.text for n in self.notes(method, override)]

    def to_dict(self, method: str | None = None, override: bool | None = None) -> dict[str, Any]:
        method = method or self.method
        return {**self.local.to_dict(), "method": method,
                "override_suggested": self.override_suggested,
                "test_enable": self.tests_and_enables(method, override),
                "orgs": [c.to_dict() for c in self.changes(method, override)],
                "exchange_holders": [h.key for h in self.holders],
                "unreachable": [r.key for r in self.unreachable],
                "notes": [n.to_dict() for n in self.notes(method, override)],
                "pending": self.pending,
                "summary": self.summary_lines(method, override)}

    def close(self) -> None:
        """Close the connection pools the plan's org sessions own (Windows authentication)."""
        for read in self.reads.values():
            if read.session is not None:
                read.session.close()


# -- results -----------------------------------------------------------------------------
@dataclass(frozen=True)
class OrgOutcome:
    key: str
    label: str
    state: str                  # "done", "unchanged", "failed", "unreachable"
    note: Note
    error: WizardError | None = None
    want: dict[str, Any] = field(default_factory=dict)   # the columns it was to get

    def to_dict(self) -> dict[str, Any]:
        return {"org": self.key, "label": self.label, "state": self.state, "want": self.want,
                "note": self.note.to_dict(), "error": self.error.to_dict() if self.error else None}


@dataclass(frozen=True)
class MailboxTestOutcome:
    key: str
    label: str
    state: str                  # "success", "failure", "elsewhere", "not_approved",
                                # "not_run", "cancelled", "not_requested"
    note: Note
    error: WizardError | None = None
    record: MailboxRecord | None = None
    polls: int = 0

    @property
    def succeeded(self) -> bool:
        return self.state == "success"

    def to_dict(self) -> dict[str, Any]:
        return {"org": self.key, "label": self.label, "state": self.state, "polls": self.polls,
                "note": self.note.to_dict(), "error": self.error.to_dict() if self.error else None,
                "record": self.record.to_dict() if self.record else None}


@dataclass
class ServerSwitchResult:
    target_key: str
    target_label: str
    method: str
    local: "SwitchResult | None"
    outcomes: list[OrgOutcome]
    test_enable: MailboxTestOutcome | None
    holders: list[tuple[str, str]]        # (key, label) of orgs that say they hold it
    complete: bool
    finished_earlier: bool = False        # this run finished an earlier switch's journal

    @property
    def problems(self) -> list[OrgOutcome]:
        return [o for o in self.outcomes if o.state in ("failed", "unreachable")]

    @property
    def error(self) -> WizardError | None:
        """Why the switch is not done (per-org errors are in ``outcomes``), or None."""
        if self.complete:
            return None
        return SwitchIncomplete(org=self.target_label, count=len(self.problems),
                                orgs=", ".join(o.label for o in self.problems))

    def notes(self) -> list[Note]:
        out = [o.note for o in self.outcomes]
        if self.test_enable is not None:
            out.append(self.test_enable.note)
        if self.holders:
            out.append(note("holder", holders=Names(tuple(label for _k, label in self.holders))))
        else:
            out.append(note("holder_none"))
        if self.complete:
            out.append(note("complete", org=self.target_label))
        else:
            out.append(note("incomplete", org=self.target_label, count=len(self.problems)))
        return out

    def lines(self) -> list[str]:
        lines = []
        if self.local is not None:
            lines.append(self.local.message)
        for n in self.notes():
            lines.append(n.text)
        for o in self.problems:
            if o.error is not None and o.error.fix:
                lines.append(f"  {o.label}: {o.error.fix}")
        te = self.test_enable
        if te is not None and te.error is not None and te.error.fix:
            lines.append(f"  {te.error.fix}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        error = self.error
        return {**(self.local.to_dict() if self.local else {}),
                "switched": True, "complete": self.complete, "target": self.target_key,
                "method": self.method, "local": self.local.to_dict() if self.local else None,
                "orgs": [o.to_dict() for o in self.outcomes],
                "test_enable": self.test_enable.to_dict() if self.test_enable else None,
                "exchange_holders": [k for k, _ in self.holders],
                "finished_earlier": self.finished_earlier,
                "message": "\n".join(self.lines()),
                **({"error": error.to_dict()} if error is not None else {})}


@dataclass(frozen=True)
class OrgStatusView:
    """One org's record for ``mailbox status`` and the connection test."""

    read: OrgRead
    is_primary: bool
    sync_via: str | None
    notes: tuple[Note, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**self.read.to_dict(), "primary": self.is_primary, "sync_via": self.sync_via,
                "notes": [n.to_dict() for n in self.notes]}


@dataclass
class StatusReport:
    orgs: list[OrgStatusView]
    holders: list[tuple[str, str]]
    journal: dict[str, Any] | None

    def lines(self) -> list[str]:
        out = []
        for view in self.orgs:
            r = view.read
            mark = "*" if view.is_primary else " "
            if r.record is None:
                reason = r.error.message if r.error else "not read"
                out.append(f"{mark} {r.label}: could not be read: {reason}")
                continue
            rec = r.record
            parts = [f"appointments, contacts and tasks: {METHOD_WORDS.get(rec.method)}",
                     f"Test & Enable: {_status_words(rec)}",
                     "holds your Exchange mailbox" if rec.holds_exchange else
                     "does not hold your Exchange mailbox",
                     f"e-mail address {APPROVAL_WORDS.get(rec.approval, rec.approval)}"]
            out.append(f"{mark} {r.label}: " + "; ".join(parts) + ".")
            if rec.last_error:
                out.append(f"    last error: {rec.last_error}")
            for n in view.notes:
                out.append(f"    {n.text}")
        if self.holders:
            out.append(note("holder", holders=Names(tuple(label for _k, label in self.holders))).text)
        else:
            out.append(note("holder_none").text)
        if self.journal is not None:
            out.append(note("pending", org=self.journal.get("target_label", ""),
                            what=jr.summary_note(self.journal)).text)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"orgs": [v.to_dict() for v in self.orgs],
                "exchange_holders": [k for k, _ in self.holders], "pending": self.journal}


def _status_words(rec: MailboxRecord) -> str:
    if rec.test_scheduled:
        return "scheduled"
    from wizard.engine.serverside.words import STATUS_WORDS

    return STATUS_WORDS.get(rec.status, str(rec.status))


# -- the switcher ------------------------------------------------------------------------
class MailboxSwitcher:
    """Plans and carries out a switch on the servers; see the module docstring.

    ``connector`` signs in silently (never prompts); ``registry`` keeps the org list, the
    local stamp, the journal and the last known Exchange holder.
    """

    def __init__(self, *, registry: "OrgRegistry", connector: "Connector",
                 clock: Callable[[], float] = time.time,
                 poll_interval: float = DEFAULT_POLL_INTERVAL, polls: int = DEFAULT_POLLS,
                 max_parallel: int = MAX_PARALLEL) -> None:
        self.registry = registry
        self.connector = connector
        self.clock = clock
        self.poll_interval = poll_interval
        self.polls = polls
        self.max_parallel = max_parallel

    # -- reading ------------------------------------------------------------------------
    def read(self, profiles: Iterable[OrgProfile]) -> dict[str, OrgRead]:
        """Every org's own mailbox record, read in parallel (silent sign-in)."""
        profiles = list(profiles)
        return dict(zip([p.key for p in profiles], self._parallel(self._read_one, profiles)))

    def _read_one(self, profile: OrgProfile) -> OrgRead:
        from wizard.engine.connect import SignInOptions

        read = OrgRead(profile)
        if profile.user is None and profile.last_connected_at is None:
            # Added without connecting (d365-orgs add --no-connect, a deployment file): no
            # sign-in to use, so nothing is sent.
            read.error = NeverConnected(org=profile.label)
            return read
        try:
            read.session = self.connector.connect(profile, SignInOptions(method="silent"))
            who, read.record = read_own_mailbox(read.session.client)
            read.user_id = who.get("UserId")
        except WizardError as exc:
            read.error = exc if exc.code == "no_mailbox" else classify(exc, profile.label)
        except Exception as exc:  # noqa: BLE001 - reported per org, never a traceback
            read.error = classify(exc, profile.label)
        return read

    def _parallel(self, fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        if len(items) <= 1:
            return [fn(i) for i in items]
        workers = min(self.max_parallel, len(items))
        with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="mailbox") as pool:
            return list(pool.map(fn, items))

    # -- planning -----------------------------------------------------------------------
    def plan(self, ref: str | int, *, method: str | None = None,
             progress: Progress | None = None) -> ServerSwitchPlan:
        """Read every org and describe the switch to ``ref``. Writes nothing."""
        _check_method(method)
        local = self.registry.plan_switch(ref)
        orgs = self.registry.list()
        _say(progress, note("reading", count=len(orgs)))
        reads = self.read(orgs)
        # No write here, not even the cached Exchange holder: a plan that is refused or
        # cancelled leaves the registry as it was (apply and status record what they read).
        target_read = reads[local.to_org.key]
        chosen = method or local.to_org.sync_via or _default_method(target_read.record)
        takes = [r for r in reads.values() if r.record is not None and r.record.holds_exchange
                 and r.key != local.to_org.key]
        return ServerSwitchPlan(local, chosen, bool(takes), reads, [p.key for p in orgs],
                                pending=self.registry.switch_journal())

    def status(self, ref: str | int | None = None) -> StatusReport:
        """The records across the orgs (or one org), with what is wrong with them."""
        orgs = self.registry.list()
        wanted = [self.registry.get(ref)] if ref is not None else orgs
        reads = self.read(wanted)
        if ref is None:
            self._remember_holders(reads)
        for read in reads.values():
            if read.session is not None:
                read.session.close()
        views = [OrgStatusView(reads[p.key], p.is_primary, p.sync_via,
                               tuple(record_notes(p, reads[p.key].record)))
                 for p in wanted]
        holders = [(r.key, r.label) for r in reads.values()
                   if r.record is not None and r.record.holds_exchange]
        return StatusReport(views, holders, self.registry.switch_journal())

    # -- carrying out -------------------------------------------------------------------
    def apply(self, plan: ServerSwitchPlan, *, override: bool | None = None,
              method: str | None = None, progress: Progress | None = None,
              cancel: CancelEvent | None = None, polls: int | None = None,
              poll_interval: float | None = None) -> ServerSwitchResult:
        """Carry out ``plan`` (see the module docstring). ``override``: the "this org only"
        option (``None``: the plan's suggestion; the local stamp is overridden only by an
        explicit ``True``). Raises :class:`~wizard.engine.orgs.StalePlan` /
        :class:`SwitchStale` and :class:`~wizard.engine.stamp.StampConflict` with nothing
        changed; per-org failures are in the result (``complete`` False)."""
        from wizard.engine.http_errors import CancelledUnchanged

        method = _check_method(method) or plan.method
        flag = plan.override_suggested if override is None else bool(override)
        target = plan.target
        # The local checks first: a stale plan or a foreign local stamp changes nothing.
        current = self.registry.plan_switch(target.key)
        if current.fingerprint != plan.local.fingerprint:
            raise StalePlan()
        if current.stamp_conflict and override is not True:
            assert current.stamp is not None
            raise StampConflict(current.stamp, target.display_name, not_switched=target.label)
        if cancel is not None and cancel.is_set():
            raise CancelledUnchanged()
        changes = plan.changes(method, flag)
        journal = jr.new_journal(
            target_key=target.key, target_label=target.label, method=method, override=flag,
            started_at=self._now(),
            orgs={c.key: {"label": c.label,
                          "mailbox_id": c.before.mailbox_id if c.before else None,
                          "before": _columns(c.before, c.want), "want": c.want,
                          "state": ("unreachable" if c.problem is not None else
                                    "pending" if c.want else "unchanged"),
                          "error": jr.error_facts(c.problem)}
                  for c in changes})
        journal["override_choice"] = override
        self.registry.update_switch_journal(lambda _old: journal)
        # 1. every record, in parallel, conditional on the plan's ETag
        todo = [c for c in changes if c.want and c.problem is None]
        if todo:
            _say(progress, note("writing", count=len(todo)))
        written = self._write_all(plan, todo, journal["id"])
        stale = [c for c, (_rec, err) in zip(todo, written) if isinstance(err, SwitchStale)]
        after: dict[str, MailboxRecord] = {
            c.key: rec for c, (rec, err) in zip(todo, written) if rec is not None}
        if stale:
            self._roll_back(plan, [c for c in todo if c.key in after], after, journal["id"],
                            progress)
            raise SwitchStale(org=stale[0].label)
        errors = {c.key: err for c, (_rec, err) in zip(todo, written) if err is not None}
        # 2. the org list and the local stamp
        target_change = next(c for c in changes if c.is_target)
        target_ok = target_change.problem is None and target.key not in errors \
            and target_change.before is not None
        test_enable = target_ok and plan.tests_and_enables(method, flag)

        def move_journal(state: dict[str, Any]) -> None:
            entry = state.get("switch")
            if isinstance(entry, dict) and entry.get("id") == journal["id"]:
                entry["phase"] = "test_enable" if test_enable else "incomplete"

        local = self.registry.apply(current, override=override is True, sync_via=method,
                                    during=move_journal)
        # 3. Test & Enable, and what it did
        te: MailboxTestOutcome | None = None
        if test_enable:
            record = after.get(target.key, target_change.before)
            assert record is not None
            te = self._test_enable(plan.reads[target.key], record, progress=progress,
                                   cancel=cancel, polls=polls, poll_interval=poll_interval,
                                   journal_id=journal["id"])
        elif method == VIA_SERVER and target_ok is False:
            te = MailboxTestOutcome(target.key, target.label, "not_requested",
                                   note("te_failure", org=target.label,
                                        error=phrase("not_changed")))
        holders = self._read_back(plan, progress)
        outcomes = []
        for c in changes:
            if c.problem is not None:
                outcomes.append(OrgOutcome(c.key, c.label, "unreachable",
                                           note("failed", org=c.label,
                                                reason=ErrorMessage(c.problem)),
                                           c.problem, _intended(plan, c, method, flag)))
            elif c.key in errors:
                outcomes.append(OrgOutcome(c.key, c.label, "failed",
                                           note("failed", org=c.label,
                                                reason=ErrorMessage(errors[c.key])), errors[c.key],
                                           c.want))
            elif c.want:
                outcomes.append(OrgOutcome(c.key, c.label, "done", _done_note(c)))
            else:
                outcomes.append(OrgOutcome(c.key, c.label, "unchanged",
                                           note("unchanged", org=c.label)))
        complete = not any(o.state in ("failed", "unreachable") for o in outcomes)
        self._close_journal(journal["id"], complete, outcomes)
        return ServerSwitchResult(target.key, target.label, method, local, outcomes, te,
                                  holders, complete, finished_earlier=plan.pending is not None)

    def finish(self, *, progress: Progress | None = None, cancel: CancelEvent | None = None,
               polls: int | None = None, poll_interval: float | None = None
               ) -> ServerSwitchResult | None:
        """Finish the switch a journal describes (after a crash, or once the problems are
        fixed): read every record again and do what is still to do, or finish undoing a
        switch that went stale. Returns ``None`` when there is nothing to finish."""
        journal = self.registry.switch_journal()
        if journal is None:
            return None
        if journal.get("phase") == "rolling_back":
            self._finish_rollback(journal, progress)
            return None
        try:
            target = self.registry.get(journal["target"])
        except WizardError:
            self.registry.update_switch_journal(lambda _j: None)   # the org was removed
            return None
        plan = self.plan(target.key, method=journal.get("method"), progress=progress)
        try:
            return self.apply(plan, override=journal.get("override_choice"),
                              method=journal.get("method"), progress=progress, cancel=cancel,
                              polls=polls, poll_interval=poll_interval)
        finally:
            plan.close()

    def test_enable(self, ref: str | int, *, override: bool = False,
                    progress: Progress | None = None, cancel: CancelEvent | None = None,
                    polls: int | None = None, poll_interval: float | None = None
                    ) -> MailboxTestOutcome:
        """Test & Enable the user's mailbox in one org (its method must be Server-Side
        Synchronization), optionally with "this org only"."""
        profile = self.registry.get(ref)
        read = self._read_one(profile)
        try:
            if read.record is None:
                assert read.error is not None
                raise read.error
            if read.record.method != ACT_SERVER:
                raise NotServerSide(org=profile.label,
                                    method=method_word(read.record.method, "?"))
            record = read.record
            if override:
                record = self._patch(read, record, {"isactsyncorgflagset": True})
            outcome = self._test_enable(read, record, progress=progress, cancel=cancel,
                                        polls=polls, poll_interval=poll_interval)
            reads = self.read(self.registry.list())
            self._remember_holders(reads)
            for other in reads.values():
                if other.session is not None:
                    other.session.close()
            return outcome
        finally:
            if read.session is not None:
                read.session.close()

    def set_none_elsewhere(self, *, progress: Progress | None = None) -> list[OrgOutcome]:
        """The one-click fix: every org but the synchronizing one to None (conditional)."""
        primary = self.registry.primary()
        others = [p for p in self.registry.list() if primary is None or p.key != primary.key]
        _say(progress, note("reading", count=len(others)))
        reads = self.read(others)

        def one(read: OrgRead) -> OrgOutcome:
            if read.record is None:
                err = read.error or MailboxUnreachable(org=read.label, reason=phrase("not_read"))
                return OrgOutcome(read.key, read.label, "unreachable",
                                  note("failed", org=read.label, reason=ErrorMessage(err)), err)
            if read.record.method == ACT_NONE:
                return OrgOutcome(read.key, read.label, "unchanged",
                                  note("unchanged", org=read.label))
            try:
                self._patch(read, read.record, {"actdeliverymethod": ACT_NONE})
            except WizardError as err:
                return OrgOutcome(read.key, read.label, "failed",
                                  note("failed", org=read.label, reason=ErrorMessage(err)), err)
            return OrgOutcome(read.key, read.label, "done", note("done_none", org=read.label))

        try:
            return self._parallel(one, list(reads.values()))
        finally:
            for read in reads.values():
                if read.session is not None:
                    read.session.close()

    # -- internals ----------------------------------------------------------------------
    def _now(self) -> str:
        return format_time(datetime.fromtimestamp(self.clock(), tz=timezone.utc))

    def _patch(self, read: OrgRead, record: MailboxRecord, values: dict[str, Any],
               what: Note | str = "") -> MailboxRecord:
        client = read.client
        if client is None:
            raise read.error or MailboxUnreachable(org=read.label, reason=phrase("not_connected"))
        try:
            return patch_mailbox(client, record, values)
        except Exception as exc:  # noqa: BLE001 - classified per org
            raise classify(exc, read.label, what) from exc

    def _write_all(self, plan: ServerSwitchPlan, todo: list[OrgChange], journal_id: str
                   ) -> list[tuple[MailboxRecord | None, WizardError | None]]:
        lock = threading.Lock()

        def one(change: OrgChange) -> tuple[MailboxRecord | None, WizardError | None]:
            assert change.before is not None
            try:
                new = self._patch(plan.reads[change.key], change.before, change.want,
                                  _what(change))
            except WizardError as err:
                result: tuple[MailboxRecord | None, WizardError | None] = (None, err)
            else:
                result = (new, None)
            with lock:   # one journal write at a time (the registry locks across processes)
                self._journal_org(journal_id, change.key, "done" if result[1] is None
                                  else "failed", result[1])
            return result

        return self._parallel(one, todo)

    def _journal_org(self, journal_id: str, key: str, state: str,
                     error: WizardError | None) -> None:
        def change(j: dict[str, Any] | None) -> dict[str, Any] | None:
            if j is None or j.get("id") != journal_id:
                return j
            orgs = dict(j.get("orgs") or {})
            entry = dict(orgs.get(key) or {})
            entry.update(state=state, error=jr.error_facts(error))
            orgs[key] = entry
            return {**j, "orgs": orgs}
        self.registry.update_switch_journal(change)

    def _roll_back(self, plan: ServerSwitchPlan, done: list[OrgChange],
                   after: dict[str, MailboxRecord], journal_id: str,
                   progress: Progress | None) -> None:
        """A record changed under us: set the records already written back (conditional on
        what we wrote), so nothing stays half-done. Raises when that is not possible now."""
        def phase(j: dict[str, Any] | None) -> dict[str, Any] | None:
            return {**j, "phase": "rolling_back"} if j and j.get("id") == journal_id else j
        self.registry.update_switch_journal(phase)
        if done:
            _say(progress, note("rolling_back"))

        def undo(change: OrgChange) -> WizardError | None:
            assert change.before is not None
            try:
                self._patch(plan.reads[change.key], after[change.key],
                            _columns(change.before, change.want))
            except WizardError as err:
                return err
            return None

        failures = [(c, e) for c, e in zip(done, self._parallel(undo, done)) if e is not None]
        if failures:
            raise RollbackIncomplete(org=plan.target.label,
                                     orgs=", ".join(c.label for c, _e in failures))
        self.registry.update_switch_journal(
            lambda j: None if j and j.get("id") == journal_id else j)

    def _finish_rollback(self, journal: dict[str, Any], progress: Progress | None) -> None:
        entries = {k: v for k, v in (journal.get("orgs") or {}).items()
                   if v.get("state") == "done" and v.get("want")}
        profiles = []
        for key in entries:
            try:
                profiles.append(self.registry.get(key))
            except WizardError:
                continue
        _say(progress, note("rolling_back"))
        reads = self.read(profiles)
        failed = []
        for key, read in reads.items():
            entry = entries[key]
            rec = read.record
            if rec is None:
                failed.append(read.label)
                continue
            now = rec.to_dict()
            if all(now.get(col) == val for col, val in entry["want"].items()):
                try:
                    self._patch(read, rec, dict(entry.get("before") or {}))
                except WizardError:
                    failed.append(read.label)
            if read.session is not None:
                read.session.close()
        if failed:
            raise RollbackIncomplete(org=journal.get("target_label", ""), orgs=", ".join(failed))
        self.registry.update_switch_journal(
            lambda j: None if j and j.get("id") == journal.get("id") else j)

    def _test_enable(self, read: OrgRead, record: MailboxRecord, *,
                     progress: Progress | None, cancel: CancelEvent | None,
                     polls: int | None, poll_interval: float | None,
                     journal_id: str | None = None) -> MailboxTestOutcome:
        polls = self.polls if polls is None else max(1, int(polls))
        interval = self.poll_interval if poll_interval is None else float(poll_interval)
        label = read.label
        _say(progress, note("test_enable", org=label))
        try:
            # Test & Enable: schedule the test; Not Run until it has run (so an old Success
            # or Failure is never mistaken for this test's result).
            record = self._patch(read, record, {"testemailconfigurationscheduled": True,
                                                "actstatus": 0})
        except WizardError as err:
            return MailboxTestOutcome(read.key, label, "not_requested",
                                     note("te_failure", org=label, error=ErrorMessage(err)), err)
        if journal_id is not None:
            def requested(j: dict[str, Any] | None) -> dict[str, Any] | None:
                return {**j, "test_enable": "requested"} if j and j.get("id") == journal_id \
                    else j
            self.registry.update_switch_journal(requested)
        n = 0
        client = read.client
        assert client is not None
        while True:
            n += 1
            _say(progress, note("waiting", org=label, n=n, total=polls))
            try:
                record = read_mailbox(client, record.mailbox_id)
            except Exception as exc:  # noqa: BLE001 - best effort: a failure here is reported elsewhere or harmless
                failure = classify(exc, label)
                return MailboxTestOutcome(read.key, label, "not_run",
                                         note("te_failure", org=label,
                                              error=ErrorMessage(failure)),
                                         failure, record, n)
            if not record.test_scheduled and record.status in (SUCCESS, FAILURE):
                break
            if n >= polls:
                seconds = round(interval * max(0, polls - 1))
                return MailboxTestOutcome(read.key, label, "not_run",
                                         note("te_not_run", org=label),
                                         MailboxTestNotRun(org=label, seconds=seconds), record, n)
            if _wait(interval, cancel):
                return MailboxTestOutcome(read.key, label, "cancelled",
                                         note("te_cancelled", org=label), None, record, n)
        return _judge(read, record, n)

    def _read_back(self, plan: ServerSwitchPlan, progress: Progress | None
                   ) -> list[tuple[str, str]]:
        reachable = [r for k in plan.order if (r := plan.reads[k]).record is not None]
        if reachable:
            _say(progress, note("reading_back"))

        def one(read: OrgRead) -> MailboxRecord | None:
            try:
                assert read.client is not None and read.record is not None
                return read_mailbox(read.client, read.record.mailbox_id)
            except Exception:  # noqa: BLE001 - the holder stays unknown for it
                return None

        records = self._parallel(one, reachable)
        holders = [(r.key, r.label) for r, rec in zip(reachable, records)
                   if rec is not None and rec.holds_exchange]
        complete = len(reachable) == len(plan.order) and all(rec is not None for rec in records)
        self.registry.record_exchange_holder([k for k, _ in holders], complete=complete)
        return holders

    def _remember_holders(self, reads: dict[str, OrgRead]) -> None:
        try:
            self.registry.record_exchange_holder(
                [k for k, r in reads.items() if r.record is not None and r.record.holds_exchange],
                complete=all(r.record is not None for r in reads.values()))
        except WizardError:
            pass    # a cache: the next read tries again

    def _close_journal(self, journal_id: str, complete: bool, outcomes: list[OrgOutcome]) -> None:
        def change(j: dict[str, Any] | None) -> dict[str, Any] | None:
            if j is None or j.get("id") != journal_id:
                return j
            if complete:
                return None
            orgs = dict(j.get("orgs") or {})
            for o in outcomes:
                entry = dict(orgs.get(o.key) or {})
                entry.update(state=o.state if o.state != "unchanged" else "unchanged",
                             error=jr.error_facts(o.error))
                orgs[o.key] = entry
            return {**j, "phase": "incomplete", "orgs": orgs}
        self.registry.update_switch_journal(change)


def _judge(read: OrgRead, record: MailboxRecord, polls: int) -> MailboxTestOutcome:
    label = read.label
    if record.status == SUCCESS:
        return MailboxTestOutcome(read.key, label, "success", note("te_success", org=label),
                                 None, record, polls)
    if not record.approved:
        state = approval_word(record.approval)
        return MailboxTestOutcome(read.key, label, "not_approved",
                                 note("te_not_approved", org=label),
                                 AddressNotApproved(org=label, email=record.email or "",
                                                    state=state, details=record.last_error),
                                 record, polls)
    if record.configured_elsewhere:
        return MailboxTestOutcome(read.key, label, "elsewhere", note("te_elsewhere", org=label),
                                 ConfiguredElsewhere(org=label, details=record.last_error),
                                 record, polls)
    error: Word | ServerText = ServerText(record.last_error) if record.last_error \
        else phrase("no_reason")
    return MailboxTestOutcome(read.key, label, "failure",
                             note("te_failure", org=label, error=error),
                             MailboxTestFailed(org=label, error=error), record, polls)


def record_notes(profile: OrgProfile, record: MailboxRecord | None) -> list[Note]:
    """What is wrong with an org's record for its role (the status view)."""
    from wizard.engine.serverside.words import note as n

    if record is None:
        return []
    out = []
    if not profile.is_primary and record.method not in (ACT_NONE, None):
        out.append(n("set_none", org=profile.label, was=method_word(record.method, "None")))
    if profile.is_primary and profile.sync_via == VIA_SERVER and not record.approved:
        out.append(n("not_approved", org=profile.label, email=record.email or "",
                     state=approval_word(record.approval)))
    return out


def _default_method(record: MailboxRecord | None) -> str:
    """From what the org's record says: Dynamics 365 for Outlook -> this computer;
    otherwise server-side synchronization (Microsoft's way)."""
    if record is not None and record.method == ACT_OUTLOOK:
        return VIA_COMPUTER
    return VIA_SERVER


def _columns(record: MailboxRecord | None, want: dict[str, Any]) -> dict[str, Any]:
    """The record's current values of the columns ``want`` writes (for undoing)."""
    if record is None:
        return {}
    values = record.to_dict()
    return {k: values.get(k) for k in want}


def _what(change: OrgChange) -> Note:
    """The change an administrator would make by hand (for the 403 message)."""
    method = change.want.get("actdeliverymethod")
    if method is None:
        return note("what_test_enable")
    if method != ACT_SERVER:
        return note("what_set", method=method_word(method))
    if change.want.get("isactsyncorgflagset"):
        return note("what_set_server_override", method=method_word(method))
    return note("what_set_server", method=method_word(method))


def _intended(plan: ServerSwitchPlan, change: OrgChange, method: str, flag: bool
              ) -> dict[str, Any]:
    """What an org that could not be read is to get (its record is unknown)."""
    if not change.is_target:
        return {"actdeliverymethod": ACT_NONE}
    want: dict[str, Any] = {"actdeliverymethod": METHOD_TO_ACT[method]}
    if method == VIA_SERVER and flag:
        want["isactsyncorgflagset"] = True
    return want


def _done_note(change: OrgChange) -> Note:
    method = change.want.get("actdeliverymethod", change.before.method if change.before else None)
    codes = {ACT_NONE: "done_none", ACT_SERVER: "done_server", ACT_OUTLOOK: "done_computer"}
    code = codes.get(method, "done_server") if isinstance(method, int) else "done_server"
    return note(code, org=change.label)


def _wait(seconds: float, cancel: CancelEvent | None) -> bool:
    """Wait; True when cancelled."""
    if cancel is None:
        if seconds > 0:
            time.sleep(seconds)
        return False
    if seconds <= 0:
        return cancel.is_set()
    return cancel.wait(seconds)


def _say(progress: Progress | None, n: Note) -> None:
    if progress is not None:
        progress(n)


__all__ = ["MailboxSwitcher", "ServerSwitchPlan", "ServerSwitchResult", "OrgChange",
           "OrgOutcome", "OrgRead", "MailboxTestOutcome", "StatusReport", "check_local_sync",
           "record_notes", "METHODS"]
