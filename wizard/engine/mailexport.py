"""Export mailbox folders: Calendar and Tasks to iCalendar (.ics), Contacts to vCard 3.0 (.vcf).

The text comes from :mod:`wizard.engine.calcard`, the serializer the vdir and DAV
mailbox sides use too: times in UTC (never a ``TZID`` without its ``VTIMEZONE``), all-day
items as dates, attendees, recurrence, task status, priority and progress, and the three
contact addresses.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from wizard import APP_NAME
from wizard.engine import calcard

PRIORITY_TO_ICAL = calcard.PRIORITY_TO_ICAL
STATUS_TO_ICAL = calcard.STATUS_TO_ICAL


def _uid(item: Any) -> str:
    return f"{item.local_id}@{APP_NAME}"


def items_to_ics(items: Iterable[Any]) -> bytes:
    return calcard.calendar_file(
        (item.kind, item.data, _uid(item),
         datetime.fromtimestamp(item.modified_at or 0, tz=timezone.utc)) for item in items)


def contacts_to_vcf(items: Iterable[Any]) -> bytes:
    return calcard.vcard_file((item.data, _uid(item)) for item in items)
