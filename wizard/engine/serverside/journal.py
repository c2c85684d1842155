"""The switch journal: what a switch of the synchronizing org still has to do on the servers.

It lives in the organization list (``organizations.json``, key ``switch``), written with the
registry's lock and atomic writes, so it moves on together with the synchronizing org:

``phase``
    ``writing``: the records are being changed; the synchronizing org in the list is still
    the old one. ``test_enable``: every record is changed and the list names the new org;
    Test & Enable is (being) requested. ``incomplete``: some orgs could not be changed (403,
    401, offline); the list names the new org. ``rolling_back``: a record changed under
    us (412) and the writes already made are being undone.
``orgs``
    per org key: ``label``, ``mailbox_id``, ``before`` and ``want`` (the columns written,
    their old and new values), ``state`` (``pending``, ``done``, ``unchanged``,
    ``failed``, ``unreachable``) and ``error`` (code, message, fix) when it failed.

A process that dies leaves the journal behind; the next ``use``, ``test`` or start of the
GUI reports it and finishes it (:meth:`MailboxSwitcher.finish`): the records are read
again, so a write that reached the server before the crash is recognised, not repeated
blindly, and a record someone else changed meanwhile is not overwritten.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from wizard.engine.errors import WizardError

PHASES = ("writing", "test_enable", "incomplete", "rolling_back")
OPEN_STATES = ("pending", "failed", "unreachable")


def new_journal(*, target_key: str, target_label: str, method: str, override: bool,
                started_at: str, orgs: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    return {"id": uuid.uuid4().hex, "target": target_key, "target_label": target_label,
            "method": method, "override": bool(override), "started_at": started_at,
            "phase": "writing", "orgs": {k: dict(v) for k, v in orgs.items()},
            "test_enable": None}


def error_facts(error: WizardError | None) -> dict[str, Any] | None:
    if error is None:
        return None
    return {"code": error.code, "message": error.message, "fix": error.fix}


def open_orgs(journal: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The orgs whose record is not (known to be) as the switch wants."""
    return [(k, v) for k, v in (journal.get("orgs") or {}).items()
            if v.get("state") in OPEN_STATES]


def summary(journal: Mapping[str, Any]) -> str:
    """What is left to do, in one English sentence (the pending note's ``what``)."""
    return str(summary_note(journal).text)


def summary_note(journal: Mapping[str, Any]) -> Any:
    """:func:`summary` as a ``serverside.words.Note``, for a front end that words it."""
    from wizard.engine.serverside.words import Joined, OrgReason, Stored, note, phrase

    phase = journal.get("phase")
    if phase == "rolling_back":
        return note("pending_undoing")
    left = open_orgs(journal)
    if left:
        parts = []
        for _key, org in left:
            error = org.get("error") or {}
            reason = (Stored(str(error.get("code") or ""), error["message"], org.get("label"))
                      if error.get("message") else phrase("not_changed_yet"))
            parts.append(OrgReason(org.get("label"), reason))
        return note("pending_orgs", orgs=Joined(tuple(parts), "; "))
    if phase == "test_enable":
        return note("pending_test_enable")
    return note("pending_writing")
