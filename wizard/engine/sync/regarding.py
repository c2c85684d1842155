"""Set Regarding: link an appointment, task or e-mail to an account, contact, opportunity,
lead or case of the synchronizing org.

The mailbox keeps only the record's table and id (the item field ``regarding``,
``TYPE:ID``); the sync sends it as the activity's ``regardingobjectid`` at the next run
(queued while offline; a change on both sides is a conflict like any field's, see
:mod:`wizard.engine.sync.mapping`). Names are looked up for display and returned, never
stored: this module writes nothing but the ``regarding`` field and the tracked flag.

Finding a record:

- online, :func:`search_online` asks the org's Web API (``contains(name,'...')`` per table)
  and offers a table only when the user's roles may read it (``prvRead<Table>``; an org
  lists privileges only for the tables it has), skipping a table that answers 403/404;
- offline, :func:`search_offline` looks through the mailbox's contacts that came from the
  org (they carry the org record's id).

Setting a regarding record tracks the item (an untracked item is not in the org).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from wizard.engine.errors import Action, WizardError
from wizard.engine.itemtypes import REGARDING_TYPES, parse_regarding

ACTIVITY_KINDS = ("appointment", "task", "email")
# table -> (entity set, primary key, name column), as Dataverse names them
TABLES: dict[str, tuple[str, str, str]] = {
    "account": ("accounts", "accountid", "name"),
    "contact": ("contacts", "contactid", "fullname"),
    "opportunity": ("opportunities", "opportunityid", "name"),
    "lead": ("leads", "leadid", "fullname"),
    "incident": ("incidents", "incidentid", "title"),
}
assert tuple(TABLES) == REGARDING_TYPES


class RegardingError(WizardError):
    code = "regarding_error"


class RegardingNotActivity(RegardingError):
    code = "regarding_not_activity"
    template = "“{title}” is a {kind}; only appointments, tasks and e-mails can be regarding a record."


class InvalidRegarding(RegardingError):
    code = "invalid_regarding"
    template = "“{value}” does not name a record."
    fix_template = ("Give the record as TYPE:ID, TYPE one of {types} and ID its GUID, or search "
                    "for it by name.")

    def __init__(self, value: str) -> None:
        super().__init__(value=value, types=", ".join(REGARDING_TYPES))


class RegardingTypeUnavailable(RegardingError):
    code = "regarding_type_unavailable"
    template = ("{org} does not offer {type} records to you: the table is missing or your "
                "security role cannot read it.")
    fix_template = "Choose a record of another type, or ask your administrator for read access."


class RegardingNoMatch(RegardingError):
    code = "regarding_no_match"
    template = "No record matches “{text}”."
    fix_template = "Search with fewer letters, or give the record as TYPE:ID."


class RegardingAmbiguous(RegardingError):
    """``choices`` lists ``TYPE:ID name`` of the matches (shown, never stored)."""

    code = "regarding_ambiguous"
    action = Action.LIST_ITEMS
    template = "“{text}” matches {count} records: {choices}."
    fix_template = "Give the one you mean as TYPE:ID."


@dataclass(frozen=True)
class RegardingRecord:
    """A record an activity can be regarding. ``name`` is for display only (never stored)."""

    type: str
    id: str
    name: str = ""

    @property
    def value(self) -> str:
        return f"{self.type}:{self.id}"

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "id": self.id, "value": self.value, "name": self.name}


def parse(value: str) -> RegardingRecord:
    parsed = parse_regarding(value)
    if parsed is None:
        raise InvalidRegarding(value)
    return RegardingRecord(*parsed)


def set_regarding(store: Any, local_id: str, record: RegardingRecord | None) -> Any:
    """Set (or with None clear) an item's regarding record; setting one tracks the item.
    Returns the item as stored. Only the record's type and id are written."""
    with store.transaction():
        item = store.get(local_id)
        if item is None:
            from wizard.engine.mailstore import NoSuchItem

            raise NoSuchItem(ref=local_id)
        if item.kind not in ACTIVITY_KINDS:
            raise RegardingNotActivity(kind=item.kind, title=item.title)
        item = store.update(local_id, {"regarding": record.value if record else None})
        if record is not None and not item.tracked:
            item = store.set_tracked(local_id, True)
    return item


def available_types(org: Any) -> tuple[str, ...]:
    """The tables Set Regarding offers in this org (in REGARDING_TYPES order)."""
    readable = org.readable_tables()
    return tuple(t for t in REGARDING_TYPES if t in readable)


def search_online(org: Any, text: str, *, types: Iterable[str] | None = None,
                  top: int = 10) -> list[RegardingRecord]:
    """Records whose name contains ``text``, up to ``top`` per table, in table order.

    ``types`` narrows the tables; one the user cannot read raises
    :class:`RegardingTypeUnavailable` when asked for by name, and is skipped otherwise."""
    offered = available_types(org)
    wanted = tuple(types) if types is not None else offered
    for t in wanted:
        if t not in offered:
            raise RegardingTypeUnavailable(org=getattr(org, "org_name", ""), type=t)
    out: list[RegardingRecord] = []
    for t in wanted:
        entity_set, key, name_column = TABLES[t]
        rows = org.search_records(entity_set, key, name_column, text.strip(), top)
        out += [RegardingRecord(t, rid, name) for rid, name in rows or ()]
    return out


def search_offline(store: Any, text: str, *, top: int = 10) -> list[RegardingRecord]:
    """Contacts in the mailbox that came from the org (they carry its record id) whose name
    or e-mail contains ``text``: what Set Regarding offers without a connection."""
    needle = text.strip().casefold()
    out: list[RegardingRecord] = []
    for item in store.items("contact"):
        if not item.org_record_id:
            continue
        email = str((item.data or {}).get("email1") or "")
        if needle in item.title.casefold() or (needle and needle in email.casefold()):
            out.append(RegardingRecord("contact", item.org_record_id.lower(), item.title))
            if len(out) >= top:
                break
    return out


def name_online(org: Any, record: RegardingRecord) -> str | None:
    entity_set, key, name_column = TABLES[record.type]
    return org.record_name(entity_set, key, name_column, record.id)  # type: ignore[no-any-return] # the org side's method returns str | None


def name_offline(store: Any, record: RegardingRecord) -> str | None:
    if record.type != "contact":
        return None
    for item in store.items("contact"):
        if (item.org_record_id or "").lower() == record.id:
            return str(item.title)
    return None


def pick_one(found: list[RegardingRecord], text: str) -> RegardingRecord:
    """The one match of a search (an exact name wins among several)."""
    if not found:
        raise RegardingNoMatch(text=text)
    if len(found) > 1:
        exact = [r for r in found if r.name.casefold() == text.strip().casefold()]
        if len(exact) == 1:
            return exact[0]
        raise RegardingAmbiguous(text=text, count=len(found),
                                 choices="; ".join(f"{r.value} {r.name}" for r in found[:10]))
    return found[0]


def regarding_of(item: Any) -> RegardingRecord | None:
    value = (item.data or {}).get("regarding")
    parsed = parse_regarding(value) if isinstance(value, str) else None
    return RegardingRecord(*parsed) if parsed else None
