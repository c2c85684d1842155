"""Field names, sync steps and their reasons as users read them, never the internal names.

Mailbox fields (``first_name``, ``home_address_street``) are the app's own item shapes
(:mod:`wizard.engine.itemtypes`), so their labels are ours and translated here. Organization
columns (``firstname``, ``address2_line1``) are worded by the org itself: the display names
from its metadata (``EntityDefinitions(...)/Attributes`` ``DisplayName``, which the engine
reads with ``OrgSide.attribute_labels``); when the org did not say, the label of the mailbox
field the column is synchronized with stands in. A synchronization's Details lists each step
(``mailbox-create``) and reason in the same words (tests/gui/test_fields.py checks that
every step and reason the engine reports has a label here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wizard.gui.i18n import tr


def _contact_labels() -> dict[str, str]:
    return {
        "first_name": tr("First name"), "middle_name": tr("Middle name"), "last_name": tr("Last name"),
        "full_name": tr("Full name"), "salutation": tr("Title"), "job_title": tr("Job title"),
        "company": tr("Company"), "department": tr("Department"), "email1": tr("E-mail"),
        "email2": tr("E-mail 2"), "email3": tr("E-mail 3"), "business_phone": tr("Business phone"),
        "business_phone2": tr("Business phone 2"), "home_phone": tr("Home phone"),
        "mobile_phone": tr("Mobile phone"), "other_phone": tr("Other phone"),
        "business_fax": tr("Business fax"), "web_page": tr("Web page"), "birthday": tr("Birthday"),
        "notes": tr("Notes"), "mailing_address": tr("Mailing address"),
    }


def _address_label(field: str) -> str | None:
    slot, sep, part = field.partition("_address_")
    if not sep:
        return None
    where = {"business": tr("Business address"), "home": tr("Home address"),
             "other": tr("Other address")}.get(slot)
    what = {"street": tr("street"), "street2": tr("street 2"), "street3": tr("street 3"),
            "city": tr("city"), "state": tr("state/province"), "postal_code": tr("postal code"),
            "country": tr("country/region")}.get(part)
    if where is None or what is None:
        return None
    return tr("{address}: {part}").format(address=where, part=what)


def _item_labels() -> dict[str, dict[str, str]]:
    return {
        "appointment": {
            "subject": tr("Subject"), "start": tr("Start"), "end": tr("End"), "all_day": tr("All day"),
            "location": tr("Location"), "body": tr("Notes"), "importance": tr("Importance"),
            "required_attendees": tr("Required attendees"),
            "optional_attendees": tr("Optional attendees"), "organizer": tr("Organizer"),
            "recurrence": tr("Recurrence"), "show_as": tr("Show as"),
            "attachments": tr("Attachments"), "is_service_activity": tr("Service activity"),
            "is_resource_booking": tr("Resource booking"), "regarding": tr("Regarding"),
        },
        "task": {
            "subject": tr("Subject"), "start": tr("Start date"), "due": tr("Due date"),
            "completed_on": tr("Date completed"), "priority": tr("Priority"), "status": tr("Status"),
            "percent_complete": tr("% complete"), "actual_work": tr("Actual work"),
            "body": tr("Notes"), "owner": tr("Owner"), "assignee": tr("Assigned to"),
            "regarding": tr("Regarding"),
        },
        "email": {
            "subject": tr("Subject"), "sender": tr("From"), "to": tr("To"), "cc": tr("Cc"),
            "body": tr("Message"), "received_at": tr("Received"),
            "regarding": tr("Regarding"),
        },
    }


def mailbox_field_label(kind: str, field: str) -> str:
    """``first_name`` -> "First name", ``home_address_street`` -> "Home address: street"."""
    if kind == "contact":
        return _contact_labels().get(field) or _address_label(field) or field
    items = _item_labels()
    table = items.get("appointment" if kind == "booking" else kind, {})
    return table.get(field) or items["appointment"].get(field) or field


def org_field_label(kind: str, field: str, labels: Mapping[str, str] | None = None) -> str:
    """An organization column as the org names it (``labels``: its metadata display names);
    else the label of the mailbox field synchronized with it."""
    if labels and labels.get(field):
        return labels[field]
    from wizard.engine.sync.mapping import DEFAULTS, address_mappings

    maps = list(DEFAULTS.get(kind, []))
    if kind == "contact":
        for slot, org_prefix in (("business", "address1"), ("home", "address2"), ("other", "address3")):
            maps += address_mappings(slot, org_prefix, "")
    for m in maps:
        if m.org_field == field:
            return mailbox_field_label(kind, m.mailbox_field)
    return field


def item_kind_label(kind: str) -> str:
    return {"contact": tr("Contact"), "appointment": tr("Appointment"), "task": tr("Task"),
            "booking": tr("Resource booking"), "email": tr("E-mail")}.get(kind, kind)


def step_labels() -> dict[str, str]:
    """The steps of a synchronization (the engine's ``Action.op``) in the user's words."""
    return {
        "mailbox-create": tr("Added to your mailbox"), "mailbox-update": tr("Changed in your mailbox"),
        "mailbox-delete": tr("Removed from your mailbox"),
        "org-create": tr("Added to the organization"), "org-update": tr("Changed in the organization"),
        "org-delete": tr("Removed from the organization"), "unlink": tr("No longer synchronized"),
        "exclude": tr("Left out"), "not-tracked": tr("Not tracked"),
    }


def step_label(op: str) -> str:
    return step_labels().get(op, op)


def reason_labels() -> dict[str, str]:
    """Why the engine took a step (it reports that in English), in the user's language."""
    return {
        "deleted in the mailbox but changed in the org: restored":
            tr("deleted in your mailbox but changed in the organization, so it was restored"),
        "deleted in the mailbox; you own it": tr("deleted in your mailbox; you own it"),
        "deleted in the mailbox; owned by someone else, so the org's copy stays":
            tr("deleted in your mailbox; someone else owns it, so the organization's copy stays"),
        "untracked; already gone from the org": tr("no longer tracked; already gone from the organization"),
        "untracked; you own it, so the org's copy is deleted":
            tr("no longer tracked; you own it, so the organization's copy is deleted"),
        "untracked; owned by someone else, so the org's copy stays":
            tr("no longer tracked; someone else owns it, so the organization's copy stays"),
        "deleted in the org": tr("deleted in the organization"),
        "deleted in the org; your copy is kept, no longer tracked":
            tr("deleted in the organization; your copy is kept and no longer tracked"),
        "no longer matches your synchronization filters (the org's record stays)":
            tr("no longer matches your synchronization filters (the organization's record stays)"),
        "its org record was deleted before the first sync finished":
            tr("its organization record was deleted before the first synchronization finished"),
        "untracked before its first sync finished":
            tr("no longer tracked before its first synchronization finished"),
        "tracked in the mailbox": tr("tracked in your mailbox"),
        "matches your synchronization filters": tr("matches your synchronization filters"),
        "changed in the mailbox": tr("changed in your mailbox"),
        "changed in the org": tr("changed in the organization"),
        "resource bookings no longer synchronize": tr("resource bookings no longer synchronize"),
        "nothing in the organization matches its sender or recipients":
            tr("nothing in the organization matches its sender or recipients"),
    }


def reason_label(reason: str) -> str:
    return reason_labels().get(reason, reason)


def notice_text(code: str, params: Mapping[str, str], english: str) -> str:
    """A synchronization's notice (the engine's ``SyncReport.notice_codes``) in the user's words."""
    if code == "org_changed" and params.get("previous"):
        return tr("Your mailbox now synchronizes with {org} instead of {previous}; items from {previous} "
                  "are kept but no longer tracked.").format(org=params.get("org", ""), previous=params["previous"])
    if code == "org_changed":
        return tr("Your mailbox now synchronizes with {org} instead of the previous synchronizing "
                  "organization; its items are kept but no longer tracked.").format(org=params.get("org", ""))
    if code == "email_tracking":
        return tr("To decide whether an e-mail can be tracked, only its sender, recipients and subject "
                  "are sent to the organization. The rest of the message is sent only once it is tracked.")
    return english


def action_line(action: Any, labels: Mapping[str, Mapping[str, str]]) -> str:
    """One line of a synchronization's Details: step, item type, title, fields, reason."""
    if action.op.startswith("org-"):
        names = [org_field_label(action.kind, f, labels.get(action.kind)) for f in action.fields]
    else:
        names = [mailbox_field_label(action.kind, f) for f in action.fields]
    line = tr("{step}: {kind} “{title}”").format(step=step_label(action.op),
                                                  kind=item_kind_label(action.kind), title=action.title)
    if names:
        line += " " + tr("({fields})").format(fields=tr(", ").join(names))
    if action.reason:
        line += tr(" — {reason}").format(reason=reason_label(action.reason))
    return line


def conflict_line(conflict: Any, labels: Mapping[str, Mapping[str, str]]) -> str:
    """A conflict as the result dialog lists it (``field`` is an organization column)."""
    field = org_field_label(conflict.kind, conflict.field, labels.get(conflict.kind))
    winner = tr("the organization's value was kept") if conflict.winner == "org" else \
        tr("your mailbox's value was kept")
    return tr("{kind} {field}: your mailbox “{mailbox}”, the organization “{org}”; {winner}").format(
        kind=item_kind_label(conflict.kind), field=field,
        mailbox="" if conflict.mailbox_value is None else conflict.mailbox_value,
        org="" if conflict.org_value is None else conflict.org_value, winner=winner)
