"""The typed fields of mailbox items: what each field holds, checked before anything is stored.

Every field of a contact, appointment, task or e-mail has one type:

- ``text``: a string;
- ``datetime``: ISO 8601 (``2026-05-01T09:00:00Z``). A time with a UTC offset
  (``…+01:00``) is stored as UTC (``2026-05-01T08:00:00Z``); a time without one is taken
  as UTC; a date alone (``2026-05-01``) stays a date (an all-day value);
- ``date``: ``YYYY-MM-DD`` (a birthday);
- ``number`` (with a range), ``bool``, ``list`` (of non-empty strings), a ``choice`` of
  words, and ``attachments`` (a list of ``{name, content_type, data}`` with base64 data);
- ``regarding``: the org record an activity is regarding, as ``TYPE:ID`` (``account``,
  ``contact``, ``opportunity``, ``lead`` or ``incident``, and the record's GUID). Only the
  type and id are kept: never the record's name or any other of its fields.

:func:`clean_item` checks and normalizes an item's fields (or only the ``changed`` ones)
and raises :class:`InvalidItemValue` naming the field, the value and what it must be; an
unknown field is refused too (a misspelt ``--set frist_name=…`` would otherwise vanish).
:func:`item_problems` lists what is wrong with an item already stored (rows written by an
older version), so listing and exporting can report and skip it instead of failing.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from wizard.engine.errors import WizardError

MAX_TEXT = 1_000_000
# What an activity can be regarding (Dataverse logical names), in the order pickers offer them.
REGARDING_TYPES = ("account", "contact", "opportunity", "lead", "incident")
_REGARDING_RE = re.compile(r"^(?P<type>[a-z]+):\{?(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
                           r"[0-9a-f]{4}-[0-9a-f]{12})\}?$")


class InvalidItemValue(WizardError, ValueError):
    code = "invalid_item_value"
    template = "The {kind} field “{field}” cannot hold {value}: it must be {expected}."
    fix_template = "Nothing was stored. Give a value of that kind{hint}."


class ItemNotAMapping(InvalidItemValue):
    template = "An item's content must be a set of fields."
    fix_template = "Nothing was stored."


class UnknownItemField(InvalidItemValue):
    code = "unknown_item_field"
    template = "A {kind} has no field “{field}”."
    fix_template = "Nothing was stored. The fields of a {kind} are: {known}."


@dataclass(frozen=True)
class FieldType:
    name: str                     # text | datetime | date | number | bool | list | choice | attachments
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False

    @property
    def expected(self) -> str:
        if self.name == "text":
            return "text"
        if self.name == "datetime":
            return "a date and time in ISO 8601 form, such as 2026-05-01T09:00:00Z"
        if self.name == "date":
            return "a date such as 1980-05-01"
        if self.name == "number":
            lo = "" if self.minimum is None else f" from {self.minimum:g}"
            hi = "" if self.maximum is None else f" to {self.maximum:g}"
            return ("a whole number" if self.integer else "a number") + lo + hi
        if self.name == "bool":
            return "true or false"
        if self.name == "list":
            return "a list of text values, such as [\"ann@contoso.com\"]"
        if self.name == "choice":
            return "one of " + ", ".join(self.choices)
        if self.name == "regarding":
            return ("a record as TYPE:ID, TYPE one of " + ", ".join(REGARDING_TYPES)
                    + " and ID its GUID")
        return "a list of attachments ({name, content_type, data (base64)})"


TEXT = FieldType("text")
DATETIME = FieldType("datetime")
DATE = FieldType("date")
BOOL = FieldType("bool")
LIST = FieldType("list")
IMPORTANCE = FieldType("choice", ("low", "normal", "high"))
REGARDING = FieldType("regarding")

_ADDRESS = {f"{slot}_address_{part}": TEXT
            for slot in ("business", "home", "other")
            for part in ("street", "street2", "street3", "city", "state", "postal_code",
                         "country")}

FIELDS: dict[str, dict[str, FieldType]] = {
    "contact": {
        **{name: TEXT for name in (
            "first_name", "middle_name", "last_name", "full_name", "salutation", "job_title",
            "company", "department", "email1", "email2", "email3", "business_phone",
            "business_phone2", "home_phone", "mobile_phone", "other_phone", "business_fax",
            "web_page", "notes")},
        **_ADDRESS,
        "birthday": DATE,
        "mailing_address": FieldType("choice", ("business", "home", "other")),
    },
    "appointment": {
        **{name: TEXT for name in ("subject", "location", "body", "organizer", "recurrence")},
        "start": DATETIME, "end": DATETIME,
        "all_day": BOOL, "is_service_activity": BOOL, "is_resource_booking": BOOL,
        "required_attendees": LIST, "optional_attendees": LIST,
        "importance": IMPORTANCE,
        "show_as": FieldType("choice", ("free", "tentative", "busy", "out_of_office")),
        "attachments": FieldType("attachments"),
        "regarding": REGARDING,
    },
    "task": {
        **{name: TEXT for name in ("subject", "body", "owner", "assignee")},
        "start": DATETIME, "due": DATETIME, "completed_on": DATETIME,
        "priority": IMPORTANCE,
        "status": FieldType("choice", ("not_started", "in_progress", "completed", "waiting",
                                       "deferred")),
        "percent_complete": FieldType("number", minimum=0, maximum=100, integer=True),
        "actual_work": FieldType("number", minimum=0, integer=True),
        "regarding": REGARDING,
    },
    "email": {
        **{name: TEXT for name in ("subject", "body", "sender")},
        "to": LIST, "cc": LIST,
        "received_at": DATETIME,
        "regarding": REGARDING,
    },
}

EMPTY: tuple[object, ...] = (None, "", [])


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def utc_text(value: str) -> str | None:
    """``value`` as stored: UTC with ``Z`` (or a bare date); None when it is not ISO 8601."""
    text = value.strip()
    if len(text) == 10:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    try:
        when = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00")
                                      if text[-1:] in "zZ" else text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    try:
        when = when.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if when.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return when.strftime(fmt)


class _Rejected(Exception):
    """A field checker refused the value (``hint``: how to write it instead); ``shown`` is
    the value to name in the message when the checker had already converted it."""

    def __init__(self, hint: str = "", *, shown: Any = None, converted: bool = False) -> None:
        super().__init__(hint)
        self.hint = hint
        self.shown = shown
        self.converted = converted


def _check(kind: str, name: str, ftype: FieldType, value: Any) -> Any:
    """The value to store, or raise :class:`InvalidItemValue`."""
    try:
        return _CHECKS.get(ftype.name, _check_attachments)(name, ftype, value)
    except _Rejected as exc:
        shown = exc.shown if exc.converted else value
        raise InvalidItemValue(kind=kind, field=name, value=_show(shown), expected=ftype.expected,
                               hint=exc.hint) from None


def _check_text(name: str, ftype: FieldType, value: Any) -> Any:
    if not isinstance(value, str):
        raise _Rejected(f" (to store the text {value!r}, quote it: {name}='\"{value}\"')"
                        if isinstance(value, (int, float)) and not isinstance(value, bool) else "")
    if len(value) > MAX_TEXT or "\x00" in value:
        raise _Rejected()
    return value


def _check_datetime(name: str, ftype: FieldType, value: Any) -> Any:
    if not isinstance(value, str) or utc_text(value) is None:
        raise _Rejected()
    return utc_text(value)


def _check_date(name: str, ftype: FieldType, value: Any) -> Any:
    if not isinstance(value, str) or len(value.strip()) != 10:
        raise _Rejected()
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise _Rejected() from None


def _check_number(name: str, ftype: FieldType, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (isinstance(value, float) and not math.isfinite(value)):
        raise _Rejected()
    if ftype.integer:
        if isinstance(value, float) and not value.is_integer():
            raise _Rejected()
        value = int(value)
    if (ftype.minimum is not None and value < ftype.minimum) or \
            (ftype.maximum is not None and value > ftype.maximum):
        raise _Rejected(shown=value, converted=True)
    return value


def _check_bool(name: str, ftype: FieldType, value: Any) -> Any:
    if not isinstance(value, bool):
        raise _Rejected()
    return value


def _check_list(name: str, ftype: FieldType, value: Any) -> Any:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _Rejected()
    return list(value)


def _check_choice(name: str, ftype: FieldType, value: Any) -> Any:
    if not isinstance(value, str) or value not in ftype.choices:
        raise _Rejected()
    return value


def _check_regarding(name: str, ftype: FieldType, value: Any) -> Any:
    parsed = parse_regarding(value) if isinstance(value, str) else None
    if parsed is None:
        raise _Rejected()
    return f"{parsed[0]}:{parsed[1]}"


def _check_attachments(name: str, ftype: FieldType, value: Any) -> Any:
    if not isinstance(value, list):
        raise _Rejected()
    for att in value:
        if not isinstance(att, dict) or not isinstance(att.get("name", ""), str) or \
                not isinstance(att.get("content_type", ""), str) or \
                not isinstance(att.get("data", ""), str):
            raise _Rejected()
        try:
            base64.b64decode(att.get("data", ""), validate=True)
        except (binascii.Error, ValueError):
            raise _Rejected() from None
    return value


#: the checker of each field type (any other: attachments)
_CHECKS: dict[str, Callable[[str, FieldType, Any], Any]] = {
    "text": _check_text, "datetime": _check_datetime, "date": _check_date,
    "number": _check_number, "bool": _check_bool, "list": _check_list,
    "choice": _check_choice, "regarding": _check_regarding,
}


def parse_regarding(text: str) -> tuple[str, str] | None:
    """``(type, id)`` of a ``TYPE:ID`` regarding value (id lower-case), or None."""
    m = _REGARDING_RE.match(text.strip().lower())
    if m is None or m.group("type") not in REGARDING_TYPES:
        return None
    return m.group("type"), m.group("id")


def clean_item(kind: str, data: Any, *, changed: set[str] | None = None) -> dict[str, Any]:
    """``data`` checked and normalized for storage; empty values drop out.

    With ``changed``, only those fields are checked (and normalized): a write that
    touches other fields of an item stored by an older version still goes through.
    """
    if not isinstance(data, dict):
        raise ItemNotAMapping(kind=kind)
    fields = FIELDS[kind]
    out: dict[str, Any] = {}
    for name, value in data.items():
        if value in EMPTY:
            continue
        if changed is not None and name not in changed:
            out[name] = value
            continue
        ftype = fields.get(name) if isinstance(name, str) else None
        if ftype is None:
            raise UnknownItemField(kind=kind, field=name, known=", ".join(sorted(fields)))
        out[name] = _check(kind, name, ftype, value)
    return out


def item_problems(kind: str, data: Any) -> list[str]:
    """What is wrong with a stored item, in words (empty when nothing is)."""
    if kind not in FIELDS:
        return [f"unknown item type {kind!r}"]
    if not isinstance(data, dict):
        return ["its stored content is not readable"]
    problems = []
    fields = FIELDS[kind]
    for name, value in data.items():
        if value in EMPTY:
            continue
        ftype = fields.get(name) if isinstance(name, str) else None
        if ftype is None:
            problems.append(f"unknown field “{name}”")
            continue
        try:
            _check(kind, name, ftype, value)
        except InvalidItemValue as exc:
            problems.append(f"“{name}” is {_show(value)}, not {exc.params['expected']}")
    return problems


def describe_fields(kind: str) -> str:
    return ", ".join(f"{name} ({ftype.name})" for name, ftype in sorted(FIELDS[kind].items()))
