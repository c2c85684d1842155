"""The OData v4 query subset the sandbox serves: `$filter`, `$select`, `$orderby`, `$top`, `$count`.

A small tokenizer, a recursive-descent parser that builds a tree of frozen dataclasses, and an
evaluator over plain dict rows. Nothing here calls eval/exec; the only exception that leaves this
module is `ODataError` (status, Dataverse-style code, message), so a server can turn it into the
documented JSON error body as is.

Comparison rules (documented, partly inferred):
- Dataverse compares strings case-insensitively (SQL collation); Global Discovery compares them
  case-sensitively. The evaluator takes `case_sensitive=` so both can share this parser.
- `null` only equals `null`; any ordering comparison with `null` is false (SQL semantics).
- GUIDs compare case-insensitively; datetimes compare as instants (a row's ISO string is parsed
  when the literal is a datetime); values of different kinds are never equal and never ordered.
- Operator precedence follows the OData ABNF: `not` binds tighter than comparisons, then `and`,
  then `or`. `not name eq 'x'` is therefore a type error, exactly as in OData; write
  `not (name eq 'x')`.

Error codes: 0x80060888 for query syntax errors and unsupported query options is what
Dataverse returns for OData URI errors (inferred from observed responses; Microsoft Learn's
troubleshooting page documents 0x8006088a for unknown segments and 0x0 for unknown properties).
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wizard.sandbox.sandbox_error import SandboxError

SYNTAX_ERROR_CODE = "0x80060888"
UNKNOWN_PROPERTY_CODE = "0x0"

COMPARISON_OPS = ("eq", "ne", "gt", "ge", "lt", "le")
STRING_FUNCTIONS = ("contains", "startswith", "endswith")
MAX_FILTER_LENGTH = 32_000
MAX_DEPTH = 100


class ODataError(SandboxError):
    """A query the service refuses; `status`/`code`/`message` go straight into the error body."""

    def __init__(self, message: str, *, code: str = SYNTAX_ERROR_CODE, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status

    def to_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


# --------------------------------------------------------------------------- tokens

_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_DATETIME = (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?"
             r"(?:Z|[+-]\d{2}:\d{2})")
_DATE = r"\d{4}-\d{2}-\d{2}"

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<guid>""" + _GUID + r""")(?![\w-])
  | (?P<datetime>""" + _DATETIME + r""")(?![\w:.])
  | (?P<date>""" + _DATE + r""")(?![\w:.-])
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w.])
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:[./][A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<comma>,)
  | (?P<equals>=)
  | (?P<lbracket>\[)
  | (?P<rbracket>\])
  """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    pos: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            raise ODataError(f"Syntax error at position {pos} in '{text}'.")
        kind = m.lastgroup or ""
        if kind != "ws":
            tokens.append(_Token(kind, m.group(kind), pos))
        pos = m.end()
    return tokens


# --------------------------------------------------------------------------- tree

@dataclass(frozen=True)
class Literal:
    value: Any                      # None, bool, int, float, str, Guid, datetime, date


@dataclass(frozen=True)
class Guid:
    text: str                       # lower-case canonical form

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Prop:
    name: str


@dataclass(frozen=True)
class Compare:
    op: str
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class And:
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Or:
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Not:
    operand: "Expr"


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple["Expr", ...]


@dataclass(frozen=True)
class QueryFunction:
    """A Dataverse query function, e.g. Microsoft.Dynamics.CRM.EqualUserId(PropertyName='ownerid')."""
    name: str                       # without the Microsoft.Dynamics.CRM. prefix
    prop: str                       # the column compared (lookups as _<name>_value)
    values: tuple[str, ...] = ()


Expr = Literal | Prop | Compare | And | Or | Not | Call | QueryFunction

QUERY_FUNCTIONS = ("EqualUserId", "NotEqualUserId", "In", "NotIn", "Null", "NotNull")
_QF_PREFIX = "Microsoft.Dynamics.CRM."


def properties_of(expr: Expr) -> set[str]:
    """Every property name an expression reads (for validation against an entity's columns)."""
    if isinstance(expr, Prop):
        return {expr.name}
    if isinstance(expr, (Compare, And, Or)):
        return properties_of(expr.left) | properties_of(expr.right)
    if isinstance(expr, Not):
        return properties_of(expr.operand)
    if isinstance(expr, Call):
        out: set[str] = set()
        for a in expr.args:
            out |= properties_of(a)
        return out
    if isinstance(expr, QueryFunction):
        return {expr.prop}
    return set()


# --------------------------------------------------------------------------- parser

class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0

    def error(self, token: _Token | None = None) -> ODataError:
        pos = token.pos if token is not None else len(self.text)
        return ODataError(f"Syntax error at position {pos} in '{self.text}'.")

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def next(self) -> _Token:
        tok = self.peek()
        if tok is None:
            raise self.error()
        self.i += 1
        return tok

    def peek_word(self, *words: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "ident" and tok.text in words

    def expect(self, kind: str) -> _Token:
        tok = self.next()
        if tok.kind != kind:
            raise self.error(tok)
        return tok

    def parse(self) -> Expr:
        if not self.tokens:
            raise self.error()
        expr = self.parse_or()
        if self.peek() is not None:
            raise self.error(self.peek())
        return expr

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ODataError("The $filter expression is nested too deeply.")

    def parse_or(self) -> Expr:
        self._enter()
        left = self.parse_and()
        while self.peek_word("or"):
            self.next()
            left = Or(left, self.parse_and())
        self.depth -= 1
        return left

    def parse_and(self) -> Expr:
        left = self.parse_comparison()
        while self.peek_word("and"):
            self.next()
            left = And(left, self.parse_comparison())
        return left

    def parse_comparison(self) -> Expr:
        left = self.parse_unary()
        if self.peek_word(*COMPARISON_OPS):
            op_tok = self.next()
            right = self.parse_unary()
            if isinstance(left, Not) or isinstance(right, Not):
                raise ODataError(
                    "A binary operator with incompatible types was detected. Found operand "
                    f"types 'Edm.Boolean' and a non-boolean for operator kind '{op_tok.text}'. "
                    "Put the comparison in parentheses: not (a eq b).")
            if self.peek_word(*COMPARISON_OPS):
                raise self.error(self.peek())
            return Compare(op_tok.text, left, right)
        return left

    def parse_unary(self) -> Expr:
        if self.peek_word("not"):
            self.next()
            self._enter()
            operand = self.parse_unary()
            self.depth -= 1
            return Not(operand)
        return self.parse_primary()

    def parse_primary(self) -> Expr:
        tok = self.next()
        if tok.kind == "lparen":
            expr = self.parse_or()
            self.expect("rparen")
            return expr
        if tok.kind == "string":
            return Literal(tok.text[1:-1].replace("''", "'"))
        if tok.kind == "guid":
            return Literal(Guid(tok.text.lower()))
        if tok.kind == "datetime":
            return Literal(_parse_datetime(tok.text, self))
        if tok.kind == "date":
            try:
                return Literal(_dt.date.fromisoformat(tok.text))
            except ValueError:
                raise self.error(tok) from None
        if tok.kind == "number":
            if re.fullmatch(r"-?\d+", tok.text):
                return Literal(int(tok.text))
            return Literal(float(tok.text))
        if tok.kind == "ident":
            word = tok.text
            if word == "null":
                return Literal(None)
            if word in ("true", "false"):
                return Literal(word == "true")
            if word in ("and", "or", "not", *COMPARISON_OPS):
                raise self.error(tok)
            nxt = self.peek()
            if nxt is not None and nxt.kind == "lparen":
                return self.parse_call(tok)
            if "/" in word or "." in word:
                raise ODataError(
                    f"The property path '{word}' is not supported by this service: "
                    "filter on lookup values with _<name>_value instead.",
                    code=UNKNOWN_PROPERTY_CODE)
            return Prop(word)
        raise self.error(tok)

    def parse_call(self, name_tok: _Token) -> Expr:
        name = name_tok.text
        if name.startswith(_QF_PREFIX):
            return self.parse_query_function(name_tok)
        if name not in STRING_FUNCTIONS:
            raise ODataError(f"An unknown function with name '{name}' was found. "
                             f"Supported functions: {', '.join(STRING_FUNCTIONS)}.")
        self.expect("lparen")
        args: list[Expr] = [self.parse_or()]
        while self.peek() is not None and self.peek().kind == "comma":  # type: ignore[union-attr] # peek() was just checked for None
            self.next()
            args.append(self.parse_or())
        self.expect("rparen")
        if len(args) != 2:
            raise ODataError(f"The function '{name}' takes two arguments, got {len(args)}.")
        return Call(name, tuple(args))


    def parse_query_function(self, name_tok: _Token) -> Expr:
        name = name_tok.text[len(_QF_PREFIX):]
        if name not in QUERY_FUNCTIONS:
            raise ODataError(f"The query function '{name_tok.text}' is not supported by the "
                             f"sandbox. Supported: {', '.join(QUERY_FUNCTIONS)}.")
        self.expect("lparen")
        params: dict[str, Any] = {}
        while True:
            key = self.expect("ident")
            self.expect("equals")
            if self.peek() is not None and self.peek().kind == "lbracket":  # type: ignore[union-attr] # peek() was just checked for None
                self.next()
                values: list[str] = []
                while True:
                    tok = self.next()
                    if tok.kind != "string":
                        raise self.error(tok)
                    values.append(tok.text[1:-1].replace("''", "'"))
                    sep = self.next()
                    if sep.kind == "rbracket":
                        break
                    if sep.kind != "comma":
                        raise self.error(sep)
                params[key.text] = values
            else:
                tok = self.expect("string")
                params[key.text] = tok.text[1:-1].replace("''", "'")
            sep = self.next()
            if sep.kind == "rparen":
                break
            if sep.kind != "comma":
                raise self.error(sep)
        prop = params.get("PropertyName")
        if not isinstance(prop, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", prop):
            raise ODataError(f"The query function '{name}' needs PropertyName='<column>'.")
        values = params.get("PropertyValues", [])
        if name in ("In", "NotIn") and (not isinstance(values, list) or not values):
            raise ODataError(f"The query function '{name}' needs PropertyValues=['...'].")
        return QueryFunction(name, prop, tuple(values) if isinstance(values, list) else ())


def _parse_datetime(text: str, parser: _Parser | None = None) -> _dt.datetime:
    t = text.replace("Z", "+00:00")
    # Python's fromisoformat accepts at most 6 fractional digits; OData allows 7.
    t = re.sub(r"(\.\d{6})\d+", r"\1", t)
    try:
        value = _dt.datetime.fromisoformat(t)
    except ValueError:
        raise (parser.error() if parser else ODataError(f"Invalid datetime '{text}'.")) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value


def parse_datetime(text: str) -> _dt.datetime:
    """An OData/ISO 8601 datetime literal as an aware datetime (UTC when no offset)."""
    return _parse_datetime(text)


def parse_filter(text: str) -> Expr:
    """Parse a `$filter` value (already URL-decoded). Raises `ODataError` on anything invalid."""
    if not isinstance(text, str):
        raise ODataError("The $filter value must be text.")
    if len(text) > MAX_FILTER_LENGTH:
        raise ODataError("The $filter expression is too long.")
    try:
        return _Parser(text).parse()
    except RecursionError:  # pragma: no cover - MAX_DEPTH keeps us well below the limit
        raise ODataError("The $filter expression is nested too deeply.") from None


# --------------------------------------------------------------------------- evaluation

_MISSING = object()


def _coerce_pair(a: Any, b: Any, case_sensitive: bool) -> tuple[Any, Any] | None:  # noqa: C901 - one branch per OData literal type
    """Bring two operands to comparable Python values, or None when they cannot be compared."""
    if isinstance(a, Guid) or isinstance(b, Guid):
        sa = str(a).lower() if isinstance(a, (Guid, str)) else None
        sb = str(b).lower() if isinstance(b, (Guid, str)) else None
        if sa is None or sb is None:
            return None
        return sa, sb
    if isinstance(a, _dt.datetime) or isinstance(b, _dt.datetime):
        try:
            da = a if isinstance(a, _dt.datetime) else _parse_datetime(a) if isinstance(a, str) else None
            db = b if isinstance(b, _dt.datetime) else _parse_datetime(b) if isinstance(b, str) else None
        except ODataError:
            return None
        if da is None or db is None:
            return None
        return da, db
    if isinstance(a, _dt.date) or isinstance(b, _dt.date):
        def as_date(v: Any) -> _dt.date | None:
            if isinstance(v, _dt.date):
                return v
            if isinstance(v, str):
                try:
                    return _dt.date.fromisoformat(v[:10])
                except ValueError:
                    return None
            return None
        day_a, day_b = as_date(a), as_date(b)
        if day_a is None or day_b is None:
            return None
        return day_a, day_b
    if isinstance(a, bool) or isinstance(b, bool):
        if isinstance(a, bool) and isinstance(b, bool):
            return a, b
        return None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a, b
    if isinstance(a, str) and isinstance(b, str):
        if case_sensitive:
            return a, b
        return a.casefold(), b.casefold()
    return None


def _compare(op: str, a: Any, b: Any, case_sensitive: bool) -> bool:
    if a is None or b is None:
        if op == "eq":
            return a is None and b is None
        if op == "ne":
            return not (a is None and b is None)
        return False
    pair = _coerce_pair(a, b, case_sensitive)
    if pair is None:
        return op == "ne"
    x, y = pair
    if op == "eq":
        return x == y
    if op == "ne":
        return x != y
    if op == "gt":
        return x > y
    if op == "ge":
        return x >= y
    if op == "lt":
        return x < y
    return x <= y                   # "le"


def _value(expr: Expr, row: Mapping[str, Any], case_sensitive: bool,
           user_id: str | None = None) -> Any:
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Prop):
        return row.get(expr.name)
    return evaluate(expr, row, case_sensitive=case_sensitive, user_id=user_id)


def _lookup_value(row: Mapping[str, Any], prop: str) -> Any:
    """Query functions name lookups by their logical name (ownerid) or as _ownerid_value."""
    key = f"_{prop}_value"
    return row.get(key) if key in row else row.get(prop)


def evaluate(expr: Expr, row: Mapping[str, Any], *, case_sensitive: bool = False,
             user_id: str | None = None) -> bool:
    """True when `row` matches `expr` (`user_id`: the caller, for EqualUserId). Never raises."""
    sub = functools.partial(evaluate, row=row, case_sensitive=case_sensitive, user_id=user_id)
    if isinstance(expr, And):
        return sub(expr.left) and sub(expr.right)
    if isinstance(expr, Or):
        return sub(expr.left) or sub(expr.right)
    if isinstance(expr, Not):
        return not sub(expr.operand)
    if isinstance(expr, Compare):
        return _compare(expr.op, _value(expr.left, row, case_sensitive, user_id),
                        _value(expr.right, row, case_sensitive, user_id), case_sensitive)
    if isinstance(expr, QueryFunction):
        value = _lookup_value(row, expr.prop)
        if expr.name in ("EqualUserId", "NotEqualUserId"):
            same = value is not None and user_id is not None and \
                str(value).lower() == user_id.lower()
            return same if expr.name == "EqualUserId" else not same
        if expr.name in ("Null", "NotNull"):
            return (value is None) == (expr.name == "Null")
        hit = any(_compare("eq", value, _typed(v, value), case_sensitive) for v in expr.values)
        return hit if expr.name == "In" else not hit
    if isinstance(expr, Call):
        hay = _value(expr.args[0], row, case_sensitive, user_id)
        needle = _value(expr.args[1], row, case_sensitive, user_id)
        if not isinstance(hay, str) or not isinstance(needle, str):
            return False
        if not case_sensitive:
            hay, needle = hay.casefold(), needle.casefold()
        if expr.name == "contains":
            return needle in hay
        if expr.name == "startswith":
            return hay.startswith(needle)
        return hay.endswith(needle)
    if isinstance(expr, Prop):
        return row.get(expr.name) is True
    if isinstance(expr, Literal):
        return expr.value is True
    raise TypeError(f"not an expression: {expr!r}")  # pragma: no cover


def _typed(text: str, like: Any) -> Any:
    """A query-function value (always text in the URL) as the kind of the row's value."""
    if isinstance(like, bool):
        return text.lower() in ("true", "1")
    if isinstance(like, (int, float)):
        try:
            return int(text) if re.fullmatch(r"-?\d+", text) else float(text)
        except ValueError:
            return text
    return text


def compile_filter(text: str, *, case_sensitive: bool = False,
                   properties: Iterable[str] | None = None, type_name: str = "",
                   user_id: str | None = None) -> Callable[[Mapping[str, Any]], bool]:
    """Parse once; return a predicate. With `properties`, unknown names are refused up front."""
    expr = parse_filter(text)
    if properties is not None:
        known = set(properties)
        used = set()
        for name in properties_of(expr):
            # Query functions may name a lookup by its logical name (ownerid).
            used.add(f"_{name}_value" if f"_{name}_value" in known and name not in known
                     else name)
        check_properties(used, known, type_name)
    return lambda row: evaluate(expr, row, case_sensitive=case_sensitive, user_id=user_id)


def check_properties(used: Iterable[str], known: Iterable[str], type_name: str) -> None:
    known_set = set(known)
    for name in sorted(set(used)):
        if name not in known_set:
            raise ODataError(
                f"Could not find a property named '{name}' on type "
                f"'Microsoft.Dynamics.CRM.{type_name}'.", code=UNKNOWN_PROPERTY_CODE)


# --------------------------------------------------------------------------- other options

_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def parse_select(text: str) -> list[str]:
    """`$select=a,b,c` -> ["a", "b", "c"] (order kept, duplicates dropped)."""
    names: list[str] = []
    for part in text.split(","):
        name = part.strip()
        if not _IDENT_RE.match(name):
            raise ODataError(f"Syntax error: '{name}' in $select is not a property name.")
        if name not in names:
            names.append(name)
    return names


def parse_orderby(text: str) -> list[tuple[str, bool]]:
    """`$orderby=a desc,b` -> [("a", True), ("b", False)]; the bool says descending."""
    keys: list[tuple[str, bool]] = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or not _IDENT_RE.match(words[0]):
            raise ODataError(f"Syntax error in $orderby at '{part.strip()}'.")
        direction = words[1].lower() if len(words) == 2 else "asc"
        if direction not in ("asc", "desc"):
            raise ODataError(f"Syntax error in $orderby: '{words[1]}' is not asc or desc.")
        keys.append((words[0], direction == "desc"))
    return keys


def parse_top(text: str) -> int:
    if not re.fullmatch(r"\d{1,10}", text.strip()):
        raise ODataError(f"Invalid value '{text}' for $top query option found. "
                         "The $top query option requires a non-negative integer value.")
    return int(text)


def parse_count(text: str) -> bool:
    if text not in ("true", "false"):
        raise ODataError(f"'{text}' is not a valid count option.")
    return text == "true"


class _Desc:
    """Wraps a sort key so descending keys can share one stable sort with ascending ones."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __lt__(self, other: "_Desc") -> bool:
        return other.key < self.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and other.key == self.key


def _sort_key(value: Any, case_sensitive: bool) -> tuple[int, Any]:
    # Nulls sort first ascending (SQL Server), then kinds never mix inside one column.
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (2, value)
    if isinstance(value, str):
        return (3, value if case_sensitive else value.casefold())
    return (4, str(value))


def sort_rows(rows: Sequence[Mapping[str, Any]], keys: Sequence[tuple[str, bool]], *,
              case_sensitive: bool = False) -> list[Mapping[str, Any]]:
    def key(row: Mapping[str, Any]) -> tuple[Any, ...]:
        parts = []
        for name, desc in keys:
            k = _sort_key(row.get(name), case_sensitive)
            parts.append(_Desc(k) if desc else k)
        return tuple(parts)

    return sorted(rows, key=key)
