"""The server-side switch's sentences as data: a code, a neutral English template, params.

A front end words a :class:`Note` itself from ``code`` and ``params`` (the GUI through
``tr``); ``text`` is the engine's English, which the CLI prints. Same rules as
:class:`wizard.engine.errors.WizardError`: no front end's wording, never a secret in params.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wizard.engine.errors import _Params, _plain
from wizard.engine.stamp import format_time

WHAT = "appointments, contacts and tasks"
OVERRIDE_OPTION = ("Sync items with Exchange from this org only, even if Exchange was set to "
                   "sync with a different org")

# actdeliverymethod as the mailbox form names it.
METHOD_WORDS = {0: "Dynamics 365 for Outlook", 1: "Server-Side Synchronization", 2: "None",
                None: "not set"}
STATUS_WORDS = {0: "Not Run", 1: "Success", 2: "Failure", None: "not known"}
APPROVAL_WORDS = {0: "Empty", 1: "Approved", 2: "Pending Approval", 3: "Rejected",
                  None: "not known"}
#: Short phrases that stand in a param (a reason, a state).
PHRASE_WORDS = {"no_reason": "no reason was recorded",
                "not_changed": "the record could not be changed",
                "not_connected": "not connected", "not_read": "not read",
                "scheduled": "scheduled", "unknown": "?", "not_changed_yet": "not changed yet"}
WORDS: Mapping[str, Mapping[Any, str]] = {"method": METHOD_WORDS, "status": STATUS_WORDS,
                                          "approval": APPROVAL_WORDS, "phrase": PHRASE_WORDS}


@dataclass(frozen=True)
class Word:
    """A param a front end words itself: a column's value (``kind`` "method", "status",
    "approval") or a short phrase (``kind`` "phrase"). ``str()`` is the engine's English;
    a value the table does not know shows as ``fallback`` (``{value}`` in it: the value)."""

    kind: str
    value: Any
    fallback: str = "{value}"

    def __str__(self) -> str:
        words = WORDS[self.kind]
        if self.value in words:
            return words[self.value]
        return self.fallback.format(value=self.value)


def method_word(value: Any, fallback: str = "unknown ({value})") -> Word:
    return Word("method", value, fallback)


def approval_word(value: Any, fallback: str = "{value}") -> Word:
    return Word("approval", value, fallback)


def phrase(code: str) -> Word:
    if code not in PHRASE_WORDS:
        raise KeyError(code)
    return Word("phrase", code)


@dataclass(frozen=True)
class Names:
    """Org labels as a param: “A”, “A and B”, “A, B and C” in the engine's English."""

    labels: tuple[str, ...]

    def __str__(self) -> str:
        return names(list(self.labels))


@dataclass(frozen=True)
class Joined:
    """Several notes (or words) as one param, ``sep`` between them in the engine's English."""

    items: tuple[Any, ...]
    sep: str = "; "

    def __str__(self) -> str:
        return self.sep.join(str(i) for i in self.items)


@dataclass(frozen=True)
class Stored:
    """An error's message as a journal kept it (``code``, its English ``message``) for the
    org labelled ``org``; a front end words the codes it can from ``code`` and ``org``."""

    code: str
    message: str
    org: Any = None

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class OrgReason:
    """“Org (why)”: an org's label and a reason (a word, a stored error) as one param."""

    org: Any
    reason: Any

    def __str__(self) -> str:
        return f"{self.org} ({self.reason})"


@dataclass(frozen=True)
class When:
    """A time as a param: ISO 8601 in the engine's English; a front end formats it."""

    time: Any            # a datetime

    def __str__(self) -> str:
        return format_time(self.time)

TEMPLATES: Mapping[str, str] = {
    # -- the plan, one line per org --------------------------------------------------------
    "set_none": "{org}: " + WHAT + " → None (was {was}).",
    "stays_none": "{org}: " + WHAT + " stay None.",
    "set_server": "{org}: " + WHAT + " → Server-Side Synchronization (was {was}), then "
                  "Test & Enable.",
    "set_server_override": "{org}: " + WHAT + " → Server-Side Synchronization (was {was}), "
                           "then Test & Enable with “this org only”{takes}.",
    "stays_server": "{org}: stays on Server-Side Synchronization; Test & Enable again.",
    "holds_already": "{org}: stays on Server-Side Synchronization; it holds your Exchange "
                     "mailbox already.",
    "stays_server_override": "{org}: stays on Server-Side Synchronization; Test & Enable "
                             "again with “this org only”{takes}.",
    "set_computer": "{org}: " + WHAT + " → this computer (method Dynamics 365 for Outlook, "
                    "was {was}); the org's server-side synchronization does not sync them.",
    "stays_computer": "{org}: " + WHAT + " stay with this computer.",
    "takes_from": " (takes your Exchange mailbox from {holders})",
    "unreachable": "{org}: could not be read: {reason} Its record cannot be changed now; "
                   "the switch stays incomplete until it is.",
    "no_record": "{org}: there is no mailbox record for you; nothing to change there.",
    "holder": "Your Exchange mailbox synchronizes with {holders}.",
    "holder_none": "None of your organizations holds your Exchange mailbox.",
    "holder_unknown": "None of the organizations that could be read holds your Exchange "
                      "mailbox.",
    "not_approved": "{org}: your e-mail address {email} is “{state}”, not approved. An "
                    "administrator must approve it (Approve Email in the mailbox record) "
                    "before server-side synchronization works; this app cannot do that.",
    "pending": "An earlier switch to {org} is not finished: {what}",
    # -- progress --------------------------------------------------------------------------
    "reading": "Reading your mailbox records in the organizations ({count} in all)…",
    "writing": "Changing the mailbox records in the organizations ({count} in all)…",
    "test_enable": "Test & Enable in {org}…",
    "waiting": "Waiting for the result of Test & Enable in {org} (check {n} of {total})…",
    "reading_back": "Reading the mailbox records back…",
    "rolling_back": "Undoing the changes already made…",
    # -- the result, one line per org ------------------------------------------------------
    "done_none": "{org}: set to None.",
    "done_server": "{org}: set to Server-Side Synchronization.",
    "done_computer": "{org}: set to this computer (Dynamics 365 for Outlook).",
    "unchanged": "{org}: already as planned.",
    "failed": "{org}: not changed. {reason}",
    "te_success": "Test & Enable in {org} succeeded: it synchronizes " + WHAT + " with your "
                  "Exchange mailbox.",
    "te_failure": "Test & Enable in {org} failed: {error}",
    "te_elsewhere": "Test & Enable in {org} failed: your Exchange mailbox is configured with "
                    "another organization.",
    "te_not_approved": "Test & Enable in {org} could not run: your e-mail address is not "
                       "approved yet (an administrator's step).",
    "te_not_run": "Test & Enable in {org} has not run yet. Dynamics 365 runs it in the "
                  "background, which can take several minutes; check the mailbox status "
                  "later.",
    "te_cancelled": "Stopped waiting for Test & Enable in {org}; it still runs on the server. "
                    "Check the mailbox status later.",
    "complete": "{org} is now your synchronizing organization; the other organizations are "
                "set to None.",
    "incomplete": "The switch to {org} is not finished (not changed: {count} in all). It is "
                  "finished when you switch again.",
    # -- what an unfinished switch still has to do (its journal; ``pending``'s ``what``) -----
    "pending_undoing": "it was being undone because a mailbox record changed.",
    "pending_orgs": "not changed yet: {orgs}.",
    "pending_test_enable": "Test & Enable was not requested yet.",
    "pending_writing": "the mailbox records were being changed.",
    # -- the change an administrator would make by hand (a 403's ``what``) --------------------
    "what_test_enable": "Test & Enable the mailbox with “Sync items with Exchange from this org "
                        "only”.",
    "what_set": "set Appointments, Contacts, and Tasks to {method}.",
    "what_set_server": "set Appointments, Contacts, and Tasks to {method} and Test & Enable "
                       "the mailbox.",
    "what_set_server_override": "set Appointments, Contacts, and Tasks to {method} and Test & "
                                "Enable the mailbox with “Sync items with Exchange from this "
                                "org only”.",
    # -- the local part of the switch (wizard.engine.orgs) -----------------------------------
    "local_already": "{org} already synchronizes " + WHAT + " with your mailbox.",
    "local_stops": "{org} will stop synchronizing " + WHAT + " with your mailbox; its "
                   "synchronization method becomes None. You stay connected to it.",
    "local_starts": "{org} will start synchronizing " + WHAT + " with your mailbox.",
    "local_takes_back": "{org} will take your mailbox back and synchronize it again.",
    "stamp_none": "Your mailbox is not set to synchronize with any organization yet; it will "
                  "record {org}.",
    "stamp_synced": "Your mailbox is set to synchronize with {who}, last synchronized {when}.",
    "stamp_never_synced": "Your mailbox is set to synchronize with {who}, not synchronized yet.",
    "stamp_foreign": " That is not your synchronizing organization: another administrator, a "
                     "migration or another computer may have set it.",
    "stamp_foreign_unknown": " That is not your synchronizing organization (an organization "
                             "that is not in your list, ID {org_id}): another administrator, "
                             "a migration or another computer may have set it.",
    "stamp_records": " It will record {org} instead.",
    "local_needs_override": "Continuing needs the option “Sync items from this org only, even "
                            "if the mailbox was set to sync with a different org”.",
    "local_switched": "{org} now synchronizes " + WHAT + " with your mailbox.",
    "local_switched_from": "{org} now synchronizes " + WHAT + " with your mailbox; {previous} "
                           "no longer does.",
}


@dataclass(frozen=True)
class Note:
    """One sentence: ``code`` (stable), ``params`` (plain values), ``text`` (English)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return TEMPLATES[self.code].format_map(_Params(dict(self.params)))

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text,
                "params": {k: _plain(v) for k, v in self.params.items()}}


def note(code: str, **params: Any) -> Note:
    if code not in TEMPLATES:
        raise KeyError(code)
    return Note(code, params)


def names(labels: list[str]) -> str:
    """“A”, “A and B”, “A, B and C”."""
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]
