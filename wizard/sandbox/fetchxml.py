"""A FetchXML subset for the sandbox: what saved views and Outlook/offline sync filters use.

`parse_fetch(text)` -> `Fetch` (entity, attributes, filter tree, orders). `Fetch.matches(row,
user_id=)` evaluates the filter against a store row. Supported: `<attribute>`,
`<all-attributes>`, `<order>`, nested `<filter type="and|or">`, and conditions with operators
`eq ne gt ge lt le like not-like null not-null in not-in eq-userid ne-userid`. Lookup attributes
(`ownerid`) compare against the row's `_ownerid_value`. Anything else (`link-entity`,
aggregates, other operators) raises `ODataError` with a clear message, never a crash.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wizard.sandbox.odata import ODataError, _compare

INVALID_FETCH = "0x80041103"          # inferred: Dataverse's "QueryBuilderNoAttribute"-style 400s

_OPERATORS = {"eq", "ne", "gt", "ge", "lt", "le", "like", "not-like", "null", "not-null", "in",
              "not-in", "eq-userid", "ne-userid"}


@dataclass(frozen=True)
class Condition:
    attribute: str
    operator: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Filter:
    kind: str                                      # "and" | "or"
    items: tuple["Condition | Filter", ...] = ()


@dataclass
class Fetch:
    entity: str
    attributes: list[str] | None = None            # None: all attributes
    filter: Filter | None = None
    orders: list[tuple[str, bool]] = field(default_factory=list)
    top: int | None = None

    def matches(self, row: Mapping[str, Any], *, user_id: str | None) -> bool:
        return self.filter is None or _eval_filter(self.filter, row, user_id)


def _error(message: str) -> ODataError:
    return ODataError(message, code=INVALID_FETCH)


def parse_fetch(text: str) -> Fetch:  # noqa: C901 - one branch per FetchXML element
    if not text or len(text) > 64_000:
        raise _error("The FetchXML query is empty or too long.")
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise _error("The FetchXML query must not contain a DOCTYPE or entity declarations.")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        raise _error(f"The FetchXML query is not well-formed XML: {e}.") from None
    if root.tag != "fetch":
        raise _error("The FetchXML query must start with <fetch>.")
    if root.get("aggregate") in ("true", "1"):
        raise _error("The sandbox does not support aggregate FetchXML queries.")
    entities = root.findall("entity")
    if len(entities) != 1 or not entities[0].get("name"):
        raise _error("The FetchXML query needs exactly one <entity name=\"...\">.")
    entity = entities[0]
    fetch = Fetch(entity=entity.get("name", ""))
    top = root.get("top") or root.get("count")
    if top:
        if not top.isdigit():
            raise _error(f"The value '{top}' of top/count is not a number.")
        fetch.top = int(top)
    filters = []
    for child in entity:
        if child.tag == "attribute":
            if fetch.attributes is None:
                fetch.attributes = []
            fetch.attributes.append(_name(child))
        elif child.tag == "all-attributes":
            fetch.attributes = None
        elif child.tag == "order":
            fetch.orders.append((_name(child), child.get("descending") in ("true", "1")))
        elif child.tag == "filter":
            filters.append(_parse_filter(child, 0))
        else:
            raise _error(f"The sandbox does not support <{child.tag}> in FetchXML.")
    if len(filters) == 1:
        fetch.filter = filters[0]
    elif filters:
        fetch.filter = Filter("and", tuple(filters))
    return fetch


def _name(element: ET.Element) -> str:
    name = element.get("attribute") or element.get("name")
    if not name or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise _error(f"<{element.tag}> needs a valid attribute name.")
    return name


def _parse_filter(element: ET.Element, depth: int) -> Filter:
    if depth > 20:
        raise _error("The FetchXML filter is nested too deeply.")
    kind = element.get("type", "and")
    if kind not in ("and", "or"):
        raise _error(f"Filter type '{kind}' is not and/or.")
    items: list[Condition | Filter] = []
    for child in element:
        if child.tag == "filter":
            items.append(_parse_filter(child, depth + 1))
        elif child.tag == "condition":
            op = child.get("operator", "")
            if op not in _OPERATORS:
                raise _error(f"The sandbox does not support the FetchXML operator '{op}'.")
            if child.get("entityname"):
                raise _error("The sandbox does not support conditions on linked entities.")
            values = [v.text or "" for v in child.findall("value")]
            if child.get("value") is not None:
                values.insert(0, child.get("value", ""))
            if op in ("eq", "ne", "gt", "ge", "lt", "le", "like", "not-like") and len(values) != 1:
                raise _error(f"The operator '{op}' needs exactly one value.")
            items.append(Condition(_name(child), op, tuple(values)))
        else:
            raise _error(f"The sandbox does not support <{child.tag}> inside <filter>.")
    return Filter(kind, tuple(items))


def _row_value(row: Mapping[str, Any], attribute: str) -> Any:
    lookup = f"_{attribute}_value"
    if lookup in row:
        return row[lookup]
    return row.get(attribute)


def _coerce(text: str, like: Any) -> Any:
    """A FetchXML value (always text) as the kind of the row's value."""
    if isinstance(like, bool):
        return text.strip().lower() in ("1", "true")
    if isinstance(like, int):
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return text
    if isinstance(like, float):
        try:
            return float(text)
        except ValueError:
            return text
    return text.strip("{}") if re.fullmatch(r"\{?[0-9a-fA-F-]{36}\}?", text) else text


def _like(value: Any, pattern: str) -> bool:
    if not isinstance(value, str):
        return False
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, value, flags=re.IGNORECASE | re.DOTALL) is not None


def _eval_condition(cond: Condition, row: Mapping[str, Any], user_id: str | None) -> bool:
    value = _row_value(row, cond.attribute)
    op = cond.operator
    if op == "null":
        return value is None
    if op == "not-null":
        return value is not None
    if op in ("eq-userid", "ne-userid"):
        same = value is not None and user_id is not None and str(value).lower() == user_id.lower()
        return same if op == "eq-userid" else not same
    if op in ("like", "not-like"):
        hit = _like(value, cond.values[0])
        return hit if op == "like" else not hit
    if op in ("in", "not-in"):
        hit = any(_compare("eq", value, _coerce(v, value), False) for v in cond.values)
        return hit if op == "in" else not hit
    return _compare(op, value, _coerce(cond.values[0], value), False)


def _eval_filter(flt: Filter, row: Mapping[str, Any], user_id: str | None) -> bool:
    results = (_eval_filter(i, row, user_id) if isinstance(i, Filter)
               else _eval_condition(i, row, user_id) for i in flt.items)
    return all(results) if flt.kind == "and" else any(results)
