"""Mailbox items as iCalendar (RFC 5545) and vCard (RFC 2426 3.0 / RFC 6350 4.0) text.

The one serializer of the app: the vdir and CalDAV/CardDAV mailbox sides store items with
it, and the ``.ics``/``.vcf`` export writes with it. ``icalendar`` parses and writes
iCalendar, ``vobject`` vCard.

- :func:`serialize` turns an item's ``data`` (the shapes in :mod:`wizard.engine.mailstore`)
  into one calendar object or one vCard. Given the item's current text (``base``), it
  changes only the properties whose meaning changed and leaves everything else as it was:
  a user's categories, alarms, ``X-`` properties, attendees' participation status, the
  event's own time zone, recurrence exceptions (``EXDATE``, ``RECURRENCE-ID`` instances),
  extra phone numbers and e-mail addresses.
- :func:`parse` reads such text back into ``data`` and the app's own properties
  (:class:`ItemMeta`: tracked, the linked org record, where the item came from).

Times: the mailbox keeps UTC (``2026-05-01T10:00:00Z``) and new items are written in UTC;
an item that arrives with a ``TZID`` is read through its ``VTIMEZONE`` (or the IANA zone
of that name) and keeps its zone when written back. A time with a fixed offset is written
in UTC, never as a ``TZID`` that no ``VTIMEZONE`` defines. All-day items use ``DATE``
values (the day in the computer's time zone).

The app's own properties: ``X-D365-ORGRECORDID`` (the linked org record), ``X-D365-TRACKED``
(``TRUE``/``FALSE``), ``X-D365-ORIGIN`` (``org``: brought by the sync filters;
``mailbox``: made by the user) and ``X-D365-REGARDING`` (``TYPE:ID`` of the record an
appointment or task is regarding; never its name). Outlook keeps the same facts in properties of its items.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from datetime import time as dtime
from typing import Any

from wizard.engine.errors import WizardError

PRODID = "-//d365-wizard//mailbox//EN"
PRIORITY_TO_ICAL = {"high": 1, "normal": 5, "low": 9}
STATUS_TO_ICAL = {"not_started": "NEEDS-ACTION", "in_progress": "IN-PROCESS",
                  "completed": "COMPLETED", "waiting": "NEEDS-ACTION", "deferred": "CANCELLED"}
ICAL_TO_STATUS = {"NEEDS-ACTION": "not_started", "IN-PROCESS": "in_progress",
                  "COMPLETED": "completed", "CANCELLED": "deferred"}
BUSY_STATUS = {"free": "FREE", "tentative": "TENTATIVE", "busy": "BUSY", "out_of_office": "OOF"}
X_RECORD, X_TRACKED, X_ORIGIN = "X-D365-ORGRECORDID", "X-D365-TRACKED", "X-D365-ORIGIN"
X_STATUS, X_WORK = "X-D365-STATUS", "X-D365-ACTUAL-WORK"
X_SERVICE, X_BOOKING = "X-D365-SERVICE-ACTIVITY", "X-D365-RESOURCE-BOOKING"
X_REGARDING = "X-D365-REGARDING"
ADDRESS_SLOTS = ("business", "home", "other")
ADR_TYPE = {"business": "WORK", "home": "HOME", "other": "X-OTHER"}
STREET_PARTS = ("street", "street2", "street3")


class ItemFormatError(WizardError):
    code = "item_format"
    template = "The {what} could not be read as {format}: {reason}"
    fix_template = "Fix or remove that item in your calendar or address book program."


@dataclass
class ItemMeta:
    """The app's facts about an item, kept in the item's own ``X-D365-`` properties."""

    tracked: bool = False
    org_record_id: str | None = None
    origin: str = "mailbox"


@dataclass
class ParsedItem:
    kind: str                   # contact | appointment | task
    uid: str
    data: dict[str, Any]
    meta: ItemMeta


def file_extension(kind: str) -> str:
    return ".vcf" if kind == "contact" else ".ics"


def serialize(kind: str, data: dict[str, Any], *, uid: str, meta: ItemMeta | None = None,
              base: str | None = None, stamp: datetime | None = None,
              vcard_version: str = "3.0") -> str:
    """The item as iCalendar (appointment, task) or vCard (contact) text.

    ``base``: the item's current text; only what ``data``/``meta`` change in it is
    rewritten. ``meta`` None writes no app properties (an export)."""
    if kind == "contact":
        return _vcard(data, uid, meta, base, vcard_version)
    return _ical(kind, data, uid, meta, base, stamp)


def parse(raw: str | bytes, *, what: str = "item") -> ParsedItem:
    """Read one calendar object resource or one vCard."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    head = text.lstrip("\ufeff \r\n\t")[:64].upper()
    if head.startswith("BEGIN:VCARD"):
        return _parse_vcard(text, what)
    if head.startswith("BEGIN:VCALENDAR"):
        return _parse_ical(text, what)
    raise ItemFormatError(what=what, format="iCalendar or vCard",
                          reason="it starts with neither BEGIN:VCALENDAR nor BEGIN:VCARD")


# --------------------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------------------
def utc_text(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.astimezone()                  # floating time: this computer's zone
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_when(text: Any) -> datetime | None:
    """An aware datetime from the mailbox's ISO 8601 text (a date means local midnight)."""
    if not text or not isinstance(text, str):
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), dtime()).astimezone()
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _utc(value: Any) -> datetime | None:
    when = parse_when(value)
    return when.astimezone(timezone.utc) if when is not None else None


def _local_day(value: Any) -> date | None:
    when = parse_when(value)
    return when.astimezone().date() if when is not None else None


def _from_ical_time(value: Any) -> tuple[str, bool] | None:
    """(UTC text, is a date) of a decoded DTSTART/DTEND/DUE value."""
    if isinstance(value, datetime):
        return utc_text(value), False
    if isinstance(value, date):
        return utc_text(datetime.combine(value, dtime()).astimezone()), True
    return None


def _bool(value: Any) -> bool:
    return str(value).strip().upper() == "TRUE"


def _norm(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "", [])}


# --------------------------------------------------------------------------------------
# iCalendar
# --------------------------------------------------------------------------------------
def _master(cal: Any, uid: str | None = None) -> Any:
    """The item's main VEVENT/VTODO (not a RECURRENCE-ID instance)."""
    for comp in cal.subcomponents:
        if comp.name in ("VEVENT", "VTODO") and "RECURRENCE-ID" not in comp \
                and (uid is None or str(comp.get("uid", "")) == uid):
            return comp
    for comp in cal.subcomponents:
        if comp.name in ("VEVENT", "VTODO"):
            return comp
    return None


def _text(comp: Any, name: str) -> str | None:
    value = comp.get(name)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0]
    return str(value) or None


def _addresses(comp: Any, name: str) -> list[Any]:
    value = comp.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _email_of(address: Any) -> str:
    text = str(address)
    return text[7:] if text.lower().startswith("mailto:") else text


def _decoded(comp: Any, name: str) -> Any:
    try:
        return comp.decoded(name) if name in comp else None
    except (ValueError, KeyError, TypeError):
        return None


def _read_event(comp: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"subject": _text(comp, "summary"), "location": _text(comp, "location"),
                         "body": _text(comp, "description")}
    d.update(_read_event_times(comp))
    if "organizer" in comp:
        d["organizer"] = _email_of(comp["organizer"]) or None
    required: list[str] = []
    optional: list[str] = []
    for att in _addresses(comp, "attendee"):
        role = str(att.params.get("ROLE", "REQ-PARTICIPANT")).upper()
        (optional if role == "OPT-PARTICIPANT" else required).append(_email_of(att))
    d["required_attendees"], d["optional_attendees"] = required, optional
    if "rrule" in comp:
        rule = comp["rrule"]
        rule = rule[0] if isinstance(rule, list) else rule
        d["recurrence"] = rule.to_ical().decode()
    priority = _decoded(comp, "priority")
    if isinstance(priority, int) and priority:
        d["importance"] = "high" if priority < 5 else "normal" if priority == 5 else "low"
    busy = _text(comp, "x-microsoft-cdo-busystatus")
    show = {v: k for k, v in BUSY_STATUS.items()}.get((busy or "").upper())
    if show is None and "transp" in comp:
        show = "free" if str(comp["transp"]).upper() == "TRANSPARENT" else "busy"
    d["show_as"] = show
    attachments = []
    for att in _addresses(comp, "attach"):
        if str(att.params.get("VALUE", "")).upper() != "BINARY":
            continue
        data = _attachment_data(att)
        if data is None:
            continue
        attachments.append({"name": str(att.params.get("X-FILENAME", "attachment")),
                            "content_type": str(att.params.get("FMTTYPE",
                                                               "application/octet-stream")),
                            "data": data})
    d["attachments"] = attachments
    if _bool(comp.get(X_SERVICE, "")):
        d["is_service_activity"] = True
    if _bool(comp.get(X_BOOKING, "")):
        d["is_resource_booking"] = True
    d["regarding"] = _regarding(comp)
    return _norm(d)


def _attachment_data(att: Any) -> str | None:
    value = att.to_ical() if hasattr(att, "to_ical") else att
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    try:
        base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        return None
    return str(value)


def _read_event_times(comp: Any) -> dict[str, Any]:
    start = _from_ical_time(_decoded(comp, "dtstart"))
    end = _from_ical_time(_decoded(comp, "dtend"))
    if end is None and start is not None and "duration" in comp:
        begin = _decoded(comp, "dtstart")
        duration = _decoded(comp, "duration")
        if isinstance(duration, timedelta):
            end = _from_ical_time(begin + duration)
    d: dict[str, Any] = {}
    if start is not None:
        d["start"] = start[0]
        if start[1]:
            d["all_day"] = True
    if end is not None:
        d["end"] = end[0]
    return d


def _read_todo(comp: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"subject": _text(comp, "summary"), "body": _text(comp, "description")}
    for key, prop in (("start", "dtstart"), ("due", "due"), ("completed_on", "completed")):
        value = _from_ical_time(_decoded(comp, prop))
        if value is not None:
            d[key] = value[0]
    priority = _decoded(comp, "priority")
    if isinstance(priority, int) and priority:
        d["priority"] = "high" if priority < 5 else "normal" if priority == 5 else "low"
    status = (_text(comp, "status") or "").upper()
    if status:
        mine = _text(comp, X_STATUS)
        d["status"] = (mine if mine in STATUS_TO_ICAL and STATUS_TO_ICAL[mine] == status
                       else ICAL_TO_STATUS.get(status))
    percent = _decoded(comp, "percent-complete")
    if isinstance(percent, int):
        d["percent_complete"] = percent
    work = _text(comp, X_WORK)
    if work and work.isdigit():
        d["actual_work"] = int(work)
    d["regarding"] = _regarding(comp)
    return _norm(d)


def _regarding(comp: Any) -> str | None:
    from wizard.engine.itemtypes import parse_regarding

    parsed = parse_regarding(_text(comp, X_REGARDING) or "")
    return f"{parsed[0]}:{parsed[1]}" if parsed else None


def _write_regarding(comp: Any, d: dict[str, Any]) -> None:
    if d.get("regarding"):
        comp.add(X_REGARDING, str(d["regarding"]))


def _read_meta(get: Callable[[str], str | None]) -> ItemMeta:
    record = (get(X_RECORD) or "").strip() or None
    origin = (get(X_ORIGIN) or "").strip().lower()
    return ItemMeta(tracked=_bool(get(X_TRACKED) or ""), org_record_id=record,
                    origin=origin if origin in ("org", "mailbox") else "mailbox")


def _parse_ical(text: str, what: str) -> ParsedItem:
    from icalendar import Calendar

    try:
        cal = Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError) as exc:
        raise ItemFormatError(what=what, format="iCalendar", reason=str(exc)) from exc
    comp = _master(cal)
    if comp is None:
        raise ItemFormatError(what=what, format="iCalendar",
                              reason="it holds no VEVENT or VTODO")
    kind = "appointment" if comp.name == "VEVENT" else "task"
    data = _read_event(comp) if kind == "appointment" else _read_todo(comp)
    meta = _read_meta(lambda name: _text(comp, name))
    return ParsedItem(kind, str(comp.get("uid", "")), data, meta)


# (data fields, properties owned, writer(component, data)); a writer's result is unused.
_Group = tuple[tuple[str, ...], tuple[str, ...], Callable[[Any, dict[str, Any]], object]]


def _event_groups() -> list[_Group]:
    """(data fields, properties owned, writer) per group of an event."""
    return [
        (("subject",), ("summary",), lambda c, d: _add_text(c, "summary", d.get("subject"))),
        (("start", "end", "all_day"), ("dtstart", "dtend", "duration"), _write_event_times),
        (("location",), ("location",), lambda c, d: _add_text(c, "location", d.get("location"))),
        (("body",), ("description",), lambda c, d: _add_text(c, "description", d.get("body"))),
        (("organizer",), ("organizer",), _write_organizer),
        (("required_attendees", "optional_attendees"), (), _write_attendees),
        (("recurrence",), ("rrule",), _write_rrule),
        (("importance",), ("priority",), lambda c, d: _write_priority(c, d.get("importance"))),
        (("show_as",), ("transp", "x-microsoft-cdo-busystatus"), _write_show_as),
        (("attachments",), (), _write_attachments),
        (("is_service_activity",), (X_SERVICE,),
         lambda c, d: d.get("is_service_activity") and c.add(X_SERVICE, "TRUE")),
        (("is_resource_booking",), (X_BOOKING,),
         lambda c, d: d.get("is_resource_booking") and c.add(X_BOOKING, "TRUE")),
        (("regarding",), (X_REGARDING,), _write_regarding),
    ]


def _todo_groups() -> list[_Group]:
    def times(c: Any, d: dict[str, Any]) -> None:
        for key, prop in (("start", "dtstart"), ("due", "due"), ("completed_on", "completed")):
            value = _utc(d.get(key))
            if value is not None:
                c.add(prop, value)

    def status(c: Any, d: dict[str, Any]) -> None:
        value = d.get("status")
        if value in STATUS_TO_ICAL:
            c.add("status", STATUS_TO_ICAL[value])
            if ICAL_TO_STATUS[STATUS_TO_ICAL[value]] != value:
                c.add(X_STATUS, value)

    def percent(c: Any, d: dict[str, Any]) -> None:
        if d.get("percent_complete") is not None:
            c.add("percent-complete", max(0, min(100, int(d["percent_complete"]))))

    return [
        (("subject",), ("summary",), lambda c, d: _add_text(c, "summary", d.get("subject"))),
        (("start", "due", "completed_on"), ("dtstart", "due", "completed", "duration"), times),
        (("body",), ("description",), lambda c, d: _add_text(c, "description", d.get("body"))),
        (("priority",), ("priority",), lambda c, d: _write_priority(c, d.get("priority"))),
        (("status",), ("status", X_STATUS), status),
        (("percent_complete",), ("percent-complete",), percent),
        (("actual_work",), (X_WORK,),
         lambda c, d: d.get("actual_work") is not None and c.add(X_WORK, str(int(d["actual_work"])))),
        (("regarding",), (X_REGARDING,), _write_regarding),
    ]


def _add_text(comp: Any, name: str, value: Any) -> None:
    if value not in (None, ""):
        comp.add(name, str(value))


def _write_priority(comp: Any, value: Any) -> None:
    if value in PRIORITY_TO_ICAL:
        comp.add("priority", PRIORITY_TO_ICAL[value])


def _write_event_times(comp: Any, d: dict[str, Any]) -> None:
    if d.get("all_day"):
        start, end = _local_day(d.get("start")), _local_day(d.get("end"))
        if start is not None:
            comp.add("dtstart", start)
            if end is None or end <= start:
                end = start + timedelta(days=1)
            comp.add("dtend", end)
        return
    start, end = _utc(d.get("start")), _utc(d.get("end"))
    if start is not None:
        comp.add("dtstart", start)
    if end is not None:
        comp.add("dtend", end)


def _write_organizer(comp: Any, d: dict[str, Any]) -> None:
    from icalendar import vCalAddress

    if d.get("organizer"):
        comp.add("organizer", vCalAddress(f"mailto:{d['organizer']}"))


def _write_attendees(comp: Any, d: dict[str, Any]) -> None:
    """Attendees still invited keep their properties (participation status, names)."""
    from icalendar import vCalAddress
    from icalendar.prop import vText

    old: dict[str, Any] = {}
    for att in _addresses(comp, "attendee"):
        old.setdefault(_email_of(att).lower(), att)
    if "attendee" in comp:
        del comp["attendee"]
    for role, key in (("REQ-PARTICIPANT", "required_attendees"),
                      ("OPT-PARTICIPANT", "optional_attendees")):
        for who in d.get(key) or ():
            att = old.get(str(who).lower())
            if att is None or str(att.params.get("ROLE", "REQ-PARTICIPANT")).upper() != role:
                params = dict(att.params) if att is not None else {}
                att = vCalAddress(f"mailto:{who}")
                att.params.update(params)
                att.params["ROLE"] = vText(role)
            comp.add("attendee", att, encode=0)


def _write_rrule(comp: Any, d: dict[str, Any]) -> None:
    from icalendar import vRecur

    if d.get("recurrence"):
        comp.add("rrule", vRecur.from_ical(str(d["recurrence"]).removeprefix("RRULE:")))


def _write_show_as(comp: Any, d: dict[str, Any]) -> None:
    value = d.get("show_as")
    if value in BUSY_STATUS:
        comp.add("transp", "TRANSPARENT" if value == "free" else "OPAQUE")
        comp.add("x-microsoft-cdo-busystatus", BUSY_STATUS[value])


def _write_attachments(comp: Any, d: dict[str, Any]) -> None:
    """Binary attachments are the app's; links (``ATTACH:https://…``) are the user's."""
    from icalendar.prop import vBinary

    kept = [a for a in _addresses(comp, "attach")
            if str(a.params.get("VALUE", "")).upper() != "BINARY"]
    if "attach" in comp:
        del comp["attach"]
    for a in kept:
        comp.add("attach", a, encode=0)
    for att in d.get("attachments") or ():
        value = vBinary(base64.b64decode(att.get("data", "")))
        value.params["FMTTYPE"] = att.get("content_type", "application/octet-stream")
        value.params["X-FILENAME"] = att.get("name", "attachment")
        comp.add("attach", value, encode=0)


def _write_meta_ical(comp: Any, meta: ItemMeta) -> None:
    for name in (X_RECORD, X_TRACKED, X_ORIGIN):
        if name in comp:
            del comp[name]
    if meta.org_record_id:
        comp.add(X_RECORD, meta.org_record_id)
    comp.add(X_TRACKED, "TRUE" if meta.tracked else "FALSE")
    comp.add(X_ORIGIN, meta.origin)


def _ical(kind: str, data: dict[str, Any], uid: str, meta: ItemMeta | None, base: str | None,
          stamp: datetime | None) -> str:
    cal = component = None
    old: dict[str, Any] = {}
    if base:
        from icalendar import Calendar

        try:
            cal = Calendar.from_ical(base)
            component = _master(cal, uid)
        except (ValueError, KeyError, IndexError):
            cal = component = None
        if component is not None and component.name != ("VEVENT" if kind == "appointment"
                                                         else "VTODO"):
            cal = component = None
        if component is not None:
            old = _read_event(component) if kind == "appointment" else _read_todo(component)
    if component is None:
        cal, component = new_calendar(), make_component(kind, uid, stamp)
        cal.add_component(component)
    write_component(component, kind, data, old if base else None, meta)
    if base:
        if "dtstamp" in component:
            del component["dtstamp"]
        component.add("dtstamp", stamp or datetime.now(timezone.utc))
    assert cal is not None                          # set together with component
    ical: bytes = cal.to_ical()
    return ical.decode("utf-8")


def new_calendar() -> Any:
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    return cal


def make_component(kind: str, uid: str, stamp: datetime | None = None) -> Any:
    from icalendar import Event, Todo

    comp = Event() if kind == "appointment" else Todo()
    comp.add("uid", uid)
    comp.add("dtstamp", stamp or datetime.now(timezone.utc))
    return comp


def write_component(comp: Any, kind: str, data: dict[str, Any], old: dict[str, Any] | None,
                    meta: ItemMeta | None) -> None:
    """Write ``data`` into a VEVENT/VTODO; with ``old`` (what ``comp`` holds now, read as
    data), groups whose values did not change are left exactly as they are."""
    groups = _event_groups() if kind == "appointment" else _todo_groups()
    for keys, props, writer in groups:
        if old is not None and all(_same(old.get(k), data.get(k)) for k in keys):
            continue
        for prop in props:
            if prop in comp:
                del comp[prop]
        writer(comp, data)
    if meta is not None:
        _write_meta_ical(comp, meta)


def _same(a: Any, b: Any) -> bool:
    empty: tuple[object, ...] = (None, "", [], False)
    if a in empty and b in empty:
        return True
    return bool(a == b)


# --------------------------------------------------------------------------------------
# vCard
# --------------------------------------------------------------------------------------
def _vline_types(line: Any) -> set[str]:
    out: set[str] = set()
    for value in line.params.get("TYPE", []):
        out |= {t.strip().upper() for t in str(value).split(",") if t.strip()}
    return out


def _is_pref(line: Any) -> bool:
    return "PREF" in _vline_types(line) or bool(line.params.get("PREF"))


def _tel_value(line: Any) -> str:
    value = str(line.value)
    return value[4:] if value.lower().startswith("tel:") else value


_PHONE_ORDER = ("business_phone", "business_phone2", "home_phone", "mobile_phone",
                "other_phone", "business_fax")


def _phone_slot(types: set[str], taken: set[str]) -> str | None:
    if "FAX" in types:
        return "business_fax" if "HOME" not in types and "business_fax" not in taken else None
    if "CELL" in types:
        return "mobile_phone" if "mobile_phone" not in taken else None
    if types & {"PAGER", "VIDEO", "TEXTPHONE", "MSG", "BBS", "MODEM", "CAR", "ISDN", "PCS"}:
        return None
    if "WORK" in types:
        for slot in ("business_phone", "business_phone2"):
            if slot not in taken:
                return slot
        return None
    if "HOME" in types:
        return "home_phone" if "home_phone" not in taken else None
    return "other_phone" if "other_phone" not in taken else None


def _read_vcard(card: Any) -> tuple[dict[str, Any], dict[str, list[Any]]]:  # noqa: C901 - one branch per vCard property, read top to bottom
    """The card's data and, per group, the lines that hold it (rewritten on a change)."""
    d: dict[str, Any] = {}
    used: dict[str, list[Any]] = {g: [] for g in ("name", "org", "title", "email", "tel",
                                                  "adr", "url", "bday", "note")}
    lines = card.contents
    for n in lines.get("n", [])[:1]:
        v = n.value
        d["last_name"] = _join(v.family)
        d["first_name"] = _join(v.given)
        d["middle_name"] = _join(v.additional)
        d["salutation"] = _join(v.prefix)
        used["name"].append(n)
    for fn in lines.get("fn", [])[:1]:
        d["full_name"] = str(fn.value)
        used["name"].append(fn)
    for org in lines.get("org", [])[:1]:
        parts = org.value if isinstance(org.value, list) else [str(org.value)]
        d["company"] = parts[0] if parts else None
        d["department"] = parts[1] if len(parts) > 1 else None
        used["org"].append(org)
    for title in lines.get("title", [])[:1]:
        d["job_title"] = str(title.value)
        used["title"].append(title)
    for n, email in enumerate(lines.get("email", [])[:3], start=1):
        d[f"email{n}"] = str(email.value)
        used["email"].append(email)
    taken: set[str] = set()
    for tel in lines.get("tel", []):
        slot = _phone_slot(_vline_types(tel), taken)
        if slot is None:
            continue
        taken.add(slot)
        d[slot] = _tel_value(tel)
        used["tel"].append(tel)
    mailing = None
    seen: set[str] = set()
    for adr in lines.get("adr", []):
        types = _vline_types(adr)
        slot = ("business" if "WORK" in types else "home" if "HOME" in types
                else "other" if "X-OTHER" in types or "OTHER" in types else None)
        if slot is None or slot in seen:
            continue
        seen.add(slot)
        v = adr.value
        streets = [s for s in _join(v.street, "\n").split("\n")] if v.street else []
        for part, value in zip(STREET_PARTS, streets[:2] + ["\n".join(streets[2:])]):
            d[f"{slot}_address_{part}"] = value or None
        d[f"{slot}_address_city"] = _join(v.city) or None
        d[f"{slot}_address_state"] = _join(v.region) or None
        d[f"{slot}_address_postal_code"] = _join(v.code) or None
        d[f"{slot}_address_country"] = _join(v.country) or None
        if _is_pref(adr) and mailing is None:
            mailing = slot
        used["adr"].append(adr)
    if mailing is not None and mailing != "business":
        d["mailing_address"] = mailing
    for url in lines.get("url", [])[:1]:
        d["web_page"] = str(url.value)
        used["url"].append(url)
    for bday in lines.get("bday", [])[:1]:
        d["birthday"] = _bday(str(bday.value))
        used["bday"].append(bday)
    for note in lines.get("note", [])[:1]:
        d["notes"] = str(note.value)
        used["note"].append(note)
    # FN made from the name parts (as the app writes it) is not a name of its own
    if d.get("full_name") == _display_name(d):
        del d["full_name"]
    return _norm(d), used


def _display_name(d: dict[str, Any]) -> str:
    return " ".join(p for p in (d.get("salutation"), d.get("first_name"), d.get("middle_name"),
                                d.get("last_name")) if p) or d.get("email1") or \
        d.get("company") or "(no name)"


def _join(value: Any, sep: str = " ") -> str:
    if isinstance(value, (list, tuple)):
        return sep.join(str(v) for v in value if v)
    return str(value or "")


def _bday(text: str) -> str | None:
    digits = text.strip()
    if len(digits) == 8 and digits.isdigit():
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    if len(digits) >= 10 and digits[4] == "-":
        return digits[:10]
    return digits or None


_CARD_GROUPS: dict[str, tuple[str, ...]] = {
    "name": ("last_name", "first_name", "middle_name", "salutation", "full_name"),
    "org": ("company", "department"), "title": ("job_title",),
    "email": ("email1", "email2", "email3"),
    "tel": _PHONE_ORDER,
    "adr": tuple(f"{slot}_address_{p}" for slot in ADDRESS_SLOTS
                 for p in (*STREET_PARTS, "city", "state", "postal_code", "country"))
    + ("mailing_address",),
    "url": ("web_page",), "bday": ("birthday",), "note": ("notes",),
}


def _write_card_group(card: Any, group: str, d: dict[str, Any], version: str) -> None:  # noqa: C901 - one branch per vCard property, written top to bottom
    import vobject

    v4 = version.startswith("4")
    if group == "name":
        first, last = d.get("first_name") or "", d.get("last_name") or ""
        card.add("n").value = vobject.vcard.Name(
            family=last, given=first, additional=d.get("middle_name") or "",
            prefix=d.get("salutation") or "")
        card.add("fn").value = d.get("full_name") or _display_name(d)
    elif group == "org" and (d.get("company") or d.get("department")):
        org = card.add("org")
        org.value = [d.get("company") or ""] + ([d["department"]] if d.get("department") else [])
    elif group == "title" and d.get("job_title"):
        card.add("title").value = d["job_title"]
    elif group == "email":
        for n in (1, 2, 3):
            if d.get(f"email{n}"):
                e = card.add("email")
                e.value = d[f"email{n}"]
                e.params["TYPE"] = ["internet"] if not v4 else ["work"]
    elif group == "tel":
        types = {"business_phone": ["work", "voice"], "business_phone2": ["work", "voice"],
                 "home_phone": ["home", "voice"], "mobile_phone": ["cell", "voice"],
                 "other_phone": ["voice"], "business_fax": ["work", "fax"]}
        for slot in _PHONE_ORDER:
            if d.get(slot):
                t = card.add("tel")
                t.value = str(d[slot])
                t.params["TYPE"] = types[slot]
    elif group == "adr":
        mailing = d.get("mailing_address") or "business"
        for slot in ADDRESS_SLOTS:
            parts = {p: d.get(f"{slot}_address_{p}") or "" for p in
                     (*STREET_PARTS, "city", "state", "postal_code", "country")}
            if not any(parts.values()):
                continue
            a = card.add("adr")
            street = "\n".join(s for s in (parts["street"], parts["street2"], parts["street3"])
                               if s)
            a.value = vobject.vcard.Address(street=street, city=parts["city"],
                                            region=parts["state"], code=parts["postal_code"],
                                            country=parts["country"])
            kind = ADR_TYPE[slot].lower() if v4 else ADR_TYPE[slot]
            a.params["TYPE"] = [kind]
            if slot == mailing:
                if v4:
                    a.params["PREF"] = ["1"]
                else:
                    a.params["TYPE"] = [kind, "PREF"]
    elif group == "url" and d.get("web_page"):
        card.add("url").value = d["web_page"]
    elif group == "bday" and d.get("birthday"):
        text = str(d["birthday"])[:10]
        card.add("bday").value = text.replace("-", "") if v4 else text
    elif group == "note" and d.get("notes"):
        card.add("note").value = d["notes"]


def _write_meta_vcard(card: Any, meta: ItemMeta) -> None:
    for name in (X_RECORD, X_TRACKED, X_ORIGIN):
        for line in list(card.contents.get(name.lower(), [])):
            card.remove(line)
    if meta.org_record_id:
        card.add(X_RECORD.lower()).value = meta.org_record_id
    card.add(X_TRACKED.lower()).value = "TRUE" if meta.tracked else "FALSE"
    card.add(X_ORIGIN.lower()).value = meta.origin


def _vcard(data: dict[str, Any], uid: str, meta: ItemMeta | None, base: str | None,
           version: str) -> str:
    import vobject

    card = None
    if base:
        try:
            card = vobject.readOne(base)
        except (vobject.base.ParseError, ValueError, StopIteration):
            card = None
    if card is None:
        card = vobject.vCard()
        card.add("version").value = version
        card.add("uid").value = uid
        old = None
        used: dict[str, list[Any]] = {}
    else:
        old, used = _read_vcard(card)
        version = str(card.contents["version"][0].value) if "version" in card.contents \
            else "3.0"
    for group, keys in _CARD_GROUPS.items():
        if old is not None and all(_same(old.get(k), data.get(k)) for k in keys):
            continue
        for line in used.get(group, []):
            card.remove(line)
        _write_card_group(card, group, data, version)
    if "fn" not in card.contents:                  # FN is required (RFC 6350 6.2.1)
        _write_card_group(card, "name", data, version)
    if meta is not None:
        _write_meta_vcard(card, meta)
    text: str = card.serialize()
    return text


def _parse_vcard(text: str, what: str) -> ParsedItem:
    import vobject

    try:
        card = vobject.readOne(text)
    except (vobject.base.ParseError, ValueError, StopIteration) as exc:
        raise ItemFormatError(what=what, format="vCard", reason=str(exc)) from exc
    data, _ = _read_vcard(card)

    def get(name: str) -> str | None:
        lines = card.contents.get(name.lower())
        return str(lines[0].value) if lines else None

    uid = get("uid") or ""
    return ParsedItem("contact", uid, data, _read_meta(get))


# --------------------------------------------------------------------------------------
# export: many items in one file
# --------------------------------------------------------------------------------------
def calendar_file(items: Iterable[tuple[str, dict[str, Any], str, datetime | None]]) -> bytes:
    """One VCALENDAR of (kind, data, uid, dtstamp) items, in UTC throughout."""
    cal = new_calendar()
    for kind, data, uid, stamp in items:
        comp = make_component(kind, uid, stamp)
        write_component(comp, kind, data, None, None)
        cal.add_component(comp)
    ical: bytes = cal.to_ical()
    return ical


def vcard_file(items: Iterable[tuple[dict[str, Any], str]], version: str = "3.0") -> bytes:
    return "".join(serialize("contact", data, uid=uid, vcard_version=version)
                   for data, uid in items).encode("utf-8")
