"""Export mailbox folders: Calendar and Tasks to iCalendar (.ics), Contacts to vCard 3.0 (.vcf)."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import date, datetime, timezone
from typing import Any

from wizard import APP_NAME

PRIORITY_TO_ICAL = {"high": 1, "normal": 5, "low": 9}
STATUS_TO_ICAL = {"not_started": "NEEDS-ACTION", "in_progress": "IN-PROCESS",
                  "completed": "COMPLETED", "waiting": "NEEDS-ACTION", "deferred": "CANCELLED"}


def _when(text: str | None) -> datetime | date | None:
    if not text:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def items_to_ics(items: Iterable[Any]) -> bytes:
    from icalendar import Calendar, Event, Todo, vCalAddress, vRecur
    from icalendar.prop import vText

    cal = Calendar()
    cal.add("prodid", f"-//{APP_NAME}//mailbox export//EN")
    cal.add("version", "2.0")
    for item in items:
        d = item.data
        if item.kind == "appointment":
            comp = Event()
            start, end = _when(d.get("start")), _when(d.get("end"))
            if start is not None:
                comp.add("dtstart", start)
            if end is not None:
                comp.add("dtend", end)
            if d.get("location"):
                comp.add("location", d["location"])
            if d.get("organizer"):
                comp["organizer"] = vCalAddress(f"mailto:{d['organizer']}")
            for role, key in (("REQ-PARTICIPANT", "required_attendees"),
                              ("OPT-PARTICIPANT", "optional_attendees")):
                for who in d.get(key) or ():
                    att = vCalAddress(f"mailto:{who}")
                    att.params["ROLE"] = vText(role)
                    comp.add("attendee", att, encode=0)
            if d.get("recurrence"):
                comp.add("rrule", vRecur.from_ical(d["recurrence"].removeprefix("RRULE:")))
            for att in d.get("attachments") or ():
                comp.add("attach", base64.b64decode(att.get("data", "")),
                         parameters={"FMTTYPE": att.get("content_type", "application/octet-stream"),
                                     "ENCODING": "BASE64", "VALUE": "BINARY",
                                     "X-FILENAME": att.get("name", "attachment")})
        else:
            comp = Todo()
            if _when(d.get("start")) is not None:
                comp.add("dtstart", _when(d.get("start")))
            if _when(d.get("due")) is not None:
                comp.add("due", _when(d.get("due")))
            if d.get("priority") in PRIORITY_TO_ICAL:
                comp.add("priority", PRIORITY_TO_ICAL[d["priority"]])
            if d.get("status") in STATUS_TO_ICAL:
                comp.add("status", STATUS_TO_ICAL[d["status"]])
            if d.get("percent_complete") is not None:
                comp.add("percent-complete", int(d["percent_complete"]))
        comp.add("uid", f"{item.local_id}@{APP_NAME}")
        comp.add("summary", d.get("subject") or "")
        if d.get("body"):
            comp.add("description", d["body"])
        comp.add("dtstamp", datetime.fromtimestamp(item.modified_at or 0, tz=timezone.utc))
        cal.add_component(comp)
    return cal.to_ical()


def contacts_to_vcf(items: Iterable[Any]) -> bytes:
    import vobject

    cards = []
    for item in items:
        d = item.data
        card = vobject.vCard()
        first, last = d.get("first_name", ""), d.get("last_name", "")
        card.add("n").value = vobject.vcard.Name(family=last, given=first)
        card.add("fn").value = d.get("full_name") or " ".join(p for p in (first, last) if p) \
            or d.get("email1") or "(no name)"
        card.add("uid").value = f"{item.local_id}@{APP_NAME}"
        for key, kind in (("email1", "INTERNET"), ("email2", "INTERNET"), ("email3", "INTERNET")):
            if d.get(key):
                e = card.add("email")
                e.value = d[key]
                e.type_param = kind
        for key, kind in (("business_phone", "WORK"), ("business_phone2", "WORK"),
                          ("home_phone", "HOME"), ("mobile_phone", "CELL"),
                          ("other_phone", "VOICE"), ("business_fax", "FAX")):
            if d.get(key):
                t = card.add("tel")
                t.value = d[key]
                t.type_param = kind
        for prefix, kind in (("business", "WORK"), ("home", "HOME"), ("other", "OTHER")):
            parts = {p: d.get(f"{prefix}_address_{p}", "") for p in
                     ("street", "city", "state", "postal_code", "country")}
            if any(parts.values()):
                a = card.add("adr")
                a.value = vobject.vcard.Address(street=parts["street"], city=parts["city"],
                                                region=parts["state"],
                                                code=parts["postal_code"],
                                                country=parts["country"])
                a.type_param = kind
        if d.get("company") or d.get("department"):
            card.add("org").value = [d.get("company", ""), d.get("department", "")]
        if d.get("job_title"):
            card.add("title").value = d["job_title"]
        if d.get("web_page"):
            card.add("url").value = d["web_page"]
        if d.get("notes"):
            card.add("note").value = d["notes"]
        cards.append(card.serialize())
    return "".join(cards).encode("utf-8")
