"""Synchronized fields: which mailbox field pairs with which org column, and in which direction.

Directions are Dynamics 365's ``syncattributemapping.syncdirection`` values:
0 none, 1 to the mailbox (Exchange), 2 to the org (CRM), 3 both ways.

The built-in defaults follow Microsoft Learn, "What fields can be synchronized between
customer engagement apps and Outlook?": every listed appointment, contact and task field
syncs both ways by default, attachments are off unless the org's system setting turns
them on, and the Home/Other addresses follow the contact address setting. An org's own
``syncattributemappings`` rows (``attributecrmname``, ``attributeexchangename``,
``syncdirection``) override a default direction, which is how an admin keeps contact
Notes private (direction 0).

Values are compared in the org's representation; converters translate mailbox values
(``low``/``normal``/``high``) to org values (``prioritycode`` 0/1/2) and back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

NONE, TO_MAILBOX, TO_ORG, BOTH = 0, 1, 2, 3
DIRECTION_NAMES = {NONE: "none", TO_MAILBOX: "to mailbox", TO_ORG: "to org", BOTH: "both"}


def _identity(v: Any) -> Any:
    return v


def _enum(pairs: Mapping[str, int]) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    back = {v: k for k, v in pairs.items()}
    return (lambda v: pairs.get(v) if v is not None else None,
            lambda v: back.get(v) if v is not None else None)


PRIORITY = _enum({"low": 0, "normal": 1, "high": 2})
# Dataverse's task statecode is coarser (0 open, 1 completed, 2 canceled) than Outlook's status.
TASK_STATE = (lambda v: {"completed": 1, "deferred": 2}.get(v, 0) if v is not None else None,
              lambda v: {1: "completed", 2: "deferred"}.get(v, "not_started")
              if v is not None else None)
ATTENDEES = (lambda v: "; ".join(v) if v else None,
             lambda v: [s.strip() for s in str(v).split(";") if s.strip()] or None
             if v else None)
TASK_STATUS = _enum({"not_started": 2, "in_progress": 3, "waiting": 4, "completed": 5,
                     "deferred": 7})
# "Not all day" is the absence of the flag in the mailbox (iCalendar has no such value),
# and false in the org (Dataverse's column is never empty).
ALL_DAY = (lambda v: bool(v), lambda v: True if v else None)
SHOW_AS = _enum({"free": 1, "tentative": 2, "busy": 5, "out_of_office": 6})


@dataclass(frozen=True)
class FieldMapping:
    mailbox_field: str
    org_field: str
    direction: int = BOTH
    label: str = ""
    to_org: Callable[[Any], Any] = _identity
    to_mailbox: Callable[[Any], Any] = _identity

    def org_value(self, mailbox_data: Mapping[str, Any]) -> Any:
        return _norm(self.to_org(mailbox_data.get(self.mailbox_field)))

    def mailbox_value(self, org_row: Mapping[str, Any]) -> Any:
        return _norm(self.to_mailbox(org_row.get(self.org_field)))

    def to_dict(self) -> dict[str, Any]:
        return {"mailbox_field": self.mailbox_field, "org_field": self.org_field,
                "direction": self.direction, "direction_name": DIRECTION_NAMES[self.direction],
                "label": self.label}


def _norm(v: Any) -> Any:
    """Empty means absent on both sides."""
    return None if v in ("", [], {}) else v


def _m(mb: str, org: str, label: str, direction: int = BOTH,
       conv: tuple[Callable[[Any], Any], Callable[[Any], Any]] | None = None) -> FieldMapping:
    if conv:
        return FieldMapping(mb, org, direction, label, conv[0], conv[1])
    return FieldMapping(mb, org, direction, label)


ADDRESS_COLUMNS = {"street": "line1", "street2": "line2", "street3": "line3", "city": "city",
                   "state": "stateorprovince", "postal_code": "postalcode", "country": "country"}
# all-three mode: Business <-> address1, Home <-> address2, Other <-> address3
ADDRESS_SLOTS = {"business": "address1", "home": "address2", "other": "address3"}


def address_mappings(mailbox_prefix: str, org_prefix: str, label: str,
                     direction: int = BOTH) -> list[FieldMapping]:
    return [_m(f"{mailbox_prefix}_address_{p}", f"{org_prefix}_{c}", f"{label} {p.replace('_', ' ')}",
               direction) for p, c in ADDRESS_COLUMNS.items()]


CONTACT_FIELDS: list[FieldMapping] = [
    _m("first_name", "firstname", "First Name"),
    _m("middle_name", "middlename", "Middle Name"),
    _m("last_name", "lastname", "Last Name"),
    _m("salutation", "salutation", "Title"),
    _m("job_title", "jobtitle", "Job Title"),
    _m("department", "department", "Department"),
    _m("company", "company", "Company"),
    _m("email1", "emailaddress1", "E-mail"),
    _m("email2", "emailaddress2", "E-mail 2"),
    _m("email3", "emailaddress3", "E-mail 3"),
    _m("business_phone", "telephone1", "Business Phone"),
    _m("business_phone2", "business2", "Business Phone 2"),
    _m("home_phone", "telephone2", "Home Phone"),
    _m("mobile_phone", "mobilephone", "Mobile"),
    _m("other_phone", "telephone3", "Other Phone"),
    _m("business_fax", "fax", "Business Fax"),
    _m("web_page", "websiteurl", "Web Page"),
    _m("birthday", "birthdate", "Birthday"),
    _m("notes", "description", "Notes"),
]

APPOINTMENT_FIELDS: list[FieldMapping] = [
    _m("subject", "subject", "Subject"),
    _m("start", "scheduledstart", "Appointment Time (start)"),
    _m("end", "scheduledend", "Appointment Time (end)"),
    _m("all_day", "isalldayevent", "Appointment Time (all day)", conv=ALL_DAY),
    _m("location", "location", "Location"),
    _m("body", "description", "Body"),
    _m("importance", "prioritycode", "Importance", conv=PRIORITY),
    _m("required_attendees", "requiredattendees", "Required Attendees", conv=ATTENDEES),
    _m("optional_attendees", "optionalattendees", "Optional Attendees", conv=ATTENDEES),
    _m("organizer", "organizer", "Organizer"),
    # The series pattern of a recurring appointment (computed from the org's
    # recurringappointmentmaster); the org schedules series, so it flows to the mailbox.
    _m("recurrence", "recurrencepattern", "Recurrence", TO_MAILBOX),
    _m("show_as", "statuscode", "Show Time As", conv=SHOW_AS),
    # Attachments: direction computed from the org's system setting (see effective_mappings).
    _m("attachments", "attachments", "Attachments", NONE),
    _m("regarding", "regardingobjectid", "Regarding"),
]

TASK_FIELDS: list[FieldMapping] = [
    _m("subject", "subject", "Subject"),
    _m("start", "scheduledstart", "Start Date"),
    _m("due", "scheduledend", "Due Date"),
    _m("completed_on", "actualend", "Date Completed"),
    _m("priority", "prioritycode", "Importance", conv=PRIORITY),
    _m("status", "statecode", "Status", conv=TASK_STATE),
    _m("percent_complete", "percentcomplete", "% Complete"),
    _m("actual_work", "actualdurationminutes", "Actual Work"),
    _m("body", "description", "Notes"),
    _m("regarding", "regardingobjectid", "Regarding"),
]

# Resource bookings reach the calendar one way (the org schedules them).
BOOKING_FIELDS: list[FieldMapping] = [
    _m("subject", "name", "Subject", TO_MAILBOX),
    _m("start", "starttime", "Start", TO_MAILBOX),
    _m("end", "endtime", "End", TO_MAILBOX),
]

# A tracked e-mail reaches the org once (mailbox -> org); nothing comes back.
EMAIL_FIELDS: list[FieldMapping] = [
    _m("subject", "subject", "Subject", TO_ORG),
    _m("sender", "sender", "From", TO_ORG),
    _m("to", "torecipients", "To", TO_ORG,
       conv=(lambda v: ";".join(v) if v else None,
             lambda v: [s for s in (v or "").split(";") if s] or None)),
    _m("body", "description", "Body", TO_ORG),
    _m("regarding", "regardingobjectid", "Regarding"),
]

DEFAULTS: dict[str, list[FieldMapping]] = {
    "contact": CONTACT_FIELDS, "appointment": APPOINTMENT_FIELDS, "task": TASK_FIELDS,
    "booking": BOOKING_FIELDS, "email": EMAIL_FIELDS,
}

ENTITY_OF_KIND = {"contact": "contact", "appointment": "appointment", "task": "task",
                  "booking": "bookableresourcebooking", "email": "email"}


@dataclass(frozen=True)
class SyncSettings:
    """The org's Synchronization system settings (``organizations`` columns)."""

    appointment_attachments: bool = False     # isappointmentattachmentsyncenabled
    assigned_tasks: bool = False              # isassignedtaskssyncenabled
    mailing_address_only: bool = True         # iscontactmailingaddresssyncenabled
    resource_bookings: bool = False           # isresourcebookingexchangesyncenabled

    COLUMNS = {"appointment_attachments": "isappointmentattachmentsyncenabled",
               "assigned_tasks": "isassignedtaskssyncenabled",
               "mailing_address_only": "iscontactmailingaddresssyncenabled",
               "resource_bookings": "isresourcebookingexchangesyncenabled"}

    @classmethod
    def from_org_row(cls, row: Mapping[str, Any]) -> "SyncSettings":
        kw = {}
        for name, col in cls.COLUMNS.items():
            if row.get(col) is not None:
                kw[name] = bool(row[col])
        return cls(**kw)

    def to_dict(self) -> dict[str, Any]:
        return {"appointment_attachments": self.appointment_attachments,
                "assigned_tasks": self.assigned_tasks,
                "contact_addresses": "mailing" if self.mailing_address_only else "all",
                "resource_bookings": self.resource_bookings}


def contact_address_mappings(mailing_only: bool, mailing_slot: str = "business") -> list[FieldMapping]:
    """Address pairs for one contact.

    Mailing-only: the org's mailing address (address1) pairs with whichever mailbox
    address is marked as the mailing address (Business unless the contact says
    otherwise). All three: Business/Home/Other pair with address1/2/3.
    """
    if mailing_only:
        return address_mappings(mailing_slot, "address1", f"Mailing Address ({mailing_slot})")
    out: list[FieldMapping] = []
    for slot, org in ADDRESS_SLOTS.items():
        out += address_mappings(slot, org, f"{slot.title()} Address")
    return out


COMPUTED_FIELDS = {"attachments", "recurrencepattern"}
# Set Regarding is the app's own action (as in Dynamics 365 App for Outlook), not an Exchange
# field mapping: both ways, whatever direction the org's mapping row for it names. Its value
# is ``TYPE:ID`` on both sides (the org side reads the lookup's table from the
# ``lookuplogicalname`` annotation): never the record's name.
APP_FIELDS = {"regardingobjectid"}


def apply_org_overrides(base: Iterable[FieldMapping],
                        rows: Iterable[Mapping[str, Any]] | None) -> list[FieldMapping]:
    """The org's ``syncattributemappings`` rows are the mapping table when it has them.

    A default whose column the org does not list is not synchronized (the org may not even
    have that column); computed pairs (attachments, recurrence) are governed by settings.
    """
    mappings = list(base)
    rows = list(rows or ())
    if not rows:
        return mappings
    by_org = {}
    for r in rows:
        crm = (r.get("attributecrmname") or "").lower()
        if crm and r.get("syncdirection") is not None:
            by_org[crm] = int(r["syncdirection"])
    out = []
    for m in mappings:
        if m.org_field in APP_FIELDS:
            out.append(m)
        elif m.org_field in by_org:
            out.append(replace(m, direction=by_org[m.org_field]))
        elif m.org_field in COMPUTED_FIELDS:
            out.append(m)
    return out


def effective_mappings(kind: str, settings: SyncSettings,
                       org_rows: Iterable[Mapping[str, Any]] | None = None,
                       *, mailing_slot: str = "business",
                       org_record: Mapping[str, Any] | None = None,
                       mailbox_data: Mapping[str, Any] | None = None) -> list[FieldMapping]:
    """The mappings in force for one item (settings can depend on the item)."""
    rows = list(org_rows or ())
    if kind == "contact":
        maps = CONTACT_FIELDS + contact_address_mappings(settings.mailing_address_only,
                                                         mailing_slot)
        return apply_org_overrides(maps, [r for r in rows if _entity(r) in ("contact", "")])
    maps = apply_org_overrides(DEFAULTS[kind], [r for r in rows if _entity(r) in (ENTITY_OF_KIND[kind], "")])
    if kind == "appointment":
        allowed = settings.appointment_attachments and not _recurring_or_service(
            org_record, mailbox_data)
        maps = [replace(m, direction=BOTH if allowed else NONE)
                if m.mailbox_field == "attachments" else m for m in maps]
    return maps


def _entity(row: Mapping[str, Any]) -> str:
    return (row.get("entitytypecode") or row.get("entityname") or "").lower()


def _recurring_or_service(org_record: Mapping[str, Any] | None,
                          mailbox_data: Mapping[str, Any] | None) -> bool:
    o, m = org_record or {}, mailbox_data or {}
    return bool(o.get("recurrencepattern") or m.get("recurrence") or o.get("seriesid")
                or o.get("instancetypecode") in (1, 2, 3, 4)
                or o.get("activitytypecode") == "serviceappointment"
                or m.get("is_service_activity"))
