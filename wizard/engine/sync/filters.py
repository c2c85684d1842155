"""Outlook sync filters and offline filters, evaluated on the client.

Dynamics keeps them as ``userquery`` rows (``querytype`` 256 sync, 16 offline) whose
``fetchxml`` holds the conditions. Change tracking refuses ``$filter``, so the engine
reads every row of a table through the delta link and decides membership here: a record
syncs when it matches any of the user's filters for its table (system filters set by an
admin and the user's own). Without any filter the defaults apply: *My Contacts*, *My
Appointments*, *My Tasks* (records the user owns).
"""

from __future__ import annotations

import operator
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SYNC_QUERYTYPE = 256
OFFLINE_QUERYTYPE = 16
OWNER = "_ownerid_value"

# Numbers compare as numbers; anything else as text (both sides the same type).
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt, "lt": operator.lt, "ge": operator.ge, "le": operator.le}


@dataclass(frozen=True)
class Condition:
    attribute: str
    operator: str                # eq ne like not-like null not-null in eq-userid ne-userid gt lt ge le
    values: tuple[Any, ...] = ()

    def matches(self, row: Mapping[str, Any], user_id: str) -> bool:
        attr = self.attribute
        if attr in ("ownerid", "createdby", "modifiedby", "regardingobjectid") or (
                attr.endswith("id") and f"_{attr}_value" in row):
            attr = f"_{attr}_value"
        v = row.get(attr)
        op = self.operator
        if op == "eq-userid":
            return v == user_id or _same(v, user_id)
        if op == "ne-userid":
            return not _same(v, user_id)
        if op == "null":
            return v in (None, "")
        if op == "not-null":
            return v not in (None, "")
        first = self.values[0] if self.values else None
        if op == "eq":
            return _same(v, first)
        if op == "ne":
            return not _same(v, first)
        if op == "in":
            return any(_same(v, x) for x in self.values)
        if op in ("like", "not-like"):
            hit = _like(str(v or ""), str(first or ""))
            return hit if op == "like" else not hit
        if op in ("gt", "lt", "ge", "le"):
            if v is None or first is None:
                return False
            compare = _ORDER[op]
            try:
                return compare(float(v), float(first))
            except (TypeError, ValueError):
                return compare(str(v), str(first))
        return False


@dataclass(frozen=True)
class FilterGroup:
    kind: str = "and"            # and / or
    conditions: tuple[Condition, ...] = ()
    groups: tuple["FilterGroup", ...] = ()

    def matches(self, row: Mapping[str, Any], user_id: str) -> bool:
        results = [c.matches(row, user_id) for c in self.conditions] + \
                  [g.matches(row, user_id) for g in self.groups]
        if not results:
            return True
        return all(results) if self.kind == "and" else any(results)


@dataclass(frozen=True)
class SyncFilter:
    entity: str                  # contact, appointment, task, ...
    name: str
    where: FilterGroup = field(default_factory=FilterGroup)
    scope: str = "user"          # "system" (set by an admin) or "user"
    querytype: int = SYNC_QUERYTYPE
    active: bool = True

    def matches(self, row: Mapping[str, Any], user_id: str) -> bool:
        return self.where.matches(row, user_id)

    def to_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "name": self.name, "scope": self.scope,
                "querytype": self.querytype, "fetchxml": to_fetchxml(self)}


def mine(entity: str, name: str, *, querytype: int = SYNC_QUERYTYPE) -> SyncFilter:
    return SyncFilter(entity, name, FilterGroup("and", (Condition("ownerid", "eq-userid"),)),
                      scope="user", querytype=querytype)


DEFAULT_SYNC_FILTERS = (
    mine("contact", "My Contacts"),
    mine("appointment", "My Appointments"),
    mine("task", "My Tasks"),
)


def matches_any(filters: Iterable[SyncFilter], entity: str, row: Mapping[str, Any],
                user_id: str) -> bool:
    return any(f.active and f.entity == entity and f.matches(row, user_id) for f in filters)


def compile_filters(filters: Iterable[SyncFilter], entity: str, user_id: str
                    ) -> Callable[[Mapping[str, Any]], bool]:
    """``matches_any`` for one entity and user as one function (an initial sync asks it
    for every row of a table). The common "records I own" filter gets a direct test."""
    chosen = [f for f in filters if f.active and f.entity == entity]
    me = user_id.strip("{}").lower()
    if any(_owned_by_me(f) for f in chosen):
        def mine(row: Mapping[str, Any]) -> bool:
            v = row.get(OWNER)
            return v in (user_id, me) or v is not None and _same(v, user_id)
        rest = [f for f in chosen if not _owned_by_me(f)]
        if not rest:
            return mine
        return lambda row: mine(row) or any(f.matches(row, user_id) for f in rest)
    return lambda row: any(f.matches(row, user_id) for f in chosen)


def _owned_by_me(f: SyncFilter) -> bool:
    return (f.where.kind == "and" and not f.where.groups and len(f.where.conditions) == 1
            and f.where.conditions[0].attribute == "ownerid"
            and f.where.conditions[0].operator == "eq-userid")


def filters_for(filters: Iterable[SyncFilter], entity: str,
                querytype: int = SYNC_QUERYTYPE) -> list[SyncFilter]:
    chosen = [f for f in filters if f.entity == entity and f.querytype == querytype and f.active]
    if chosen or querytype != SYNC_QUERYTYPE:
        return chosen
    return [f for f in DEFAULT_SYNC_FILTERS if f.entity == entity]


def parse_fetchxml(text: str) -> tuple[str, FilterGroup]:
    """The entity name and the conditions of a FetchXML query (attributes and order ignored)."""
    root = ET.fromstring(text)
    entity = root.find("entity")
    if entity is None:
        raise ValueError("FetchXML without <entity>")

    def group(node: ET.Element) -> FilterGroup:
        conds, groups = [], []
        for child in node:
            if child.tag == "condition":
                vals = tuple(v.text for v in child.findall("value"))
                if child.get("value") is not None:
                    vals = (child.get("value"),)
                conds.append(Condition(child.get("attribute", ""), child.get("operator", "eq"),
                                       vals))
            elif child.tag == "filter":
                groups.append(group(child))
        return FilterGroup(node.get("type", "and"), tuple(conds), tuple(groups))

    filters = entity.findall("filter")
    if not filters:
        return entity.get("name", ""), FilterGroup()
    if len(filters) == 1:
        return entity.get("name", ""), group(filters[0])
    return entity.get("name", ""), FilterGroup("and", (), tuple(group(f) for f in filters))


def to_fetchxml(f: SyncFilter) -> str:
    def g(group: FilterGroup) -> str:
        parts = []
        for c in group.conditions:
            if len(c.values) == 1 and c.operator != "in":
                parts.append(f'<condition attribute="{c.attribute}" operator="{c.operator}" '
                             f'value="{_xml(c.values[0])}"/>')
            elif c.values:
                vals = "".join(f"<value>{_xml(v)}</value>" for v in c.values)
                parts.append(f'<condition attribute="{c.attribute}" operator="{c.operator}">'
                             f"{vals}</condition>")
            else:
                parts.append(f'<condition attribute="{c.attribute}" operator="{c.operator}"/>')
        parts += [g(x) for x in group.groups]
        return f'<filter type="{group.kind}">{"".join(parts)}</filter>'

    return (f'<fetch version="1.0" mapping="logical"><entity name="{f.entity}">'
            f"{g(f.where)}</entity></fetch>")


def from_userquery(row: Mapping[str, Any], *, scope: str = "user") -> SyncFilter | None:
    try:
        entity, where = parse_fetchxml(row.get("fetchxml") or "")
    except (ET.ParseError, ValueError):
        return None
    entity = (row.get("returnedtypecode") or entity or "").lower()
    active = row.get("statecode", 0) in (0, None)
    return SyncFilter(entity, row.get("name") or entity, where, scope,
                      int(row.get("querytype") or SYNC_QUERYTYPE), active)


def _xml(v: Any) -> str:
    return (str(v).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;"))


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return str(a).lower() in ("1", "true") if isinstance(b, bool) and b else \
            str(a).lower() == str(b).lower()
    return str(a).strip("{}").lower() == str(b).strip("{}").lower()


def _like(value: str, pattern: str) -> bool:
    import fnmatch

    return fnmatch.fnmatchcase(value.lower(), pattern.lower().replace("%", "*").replace("_", "?"))
