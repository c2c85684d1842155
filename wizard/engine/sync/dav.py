"""The CalDAV/CardDAV mailbox side: a calendar and task list (RFC 4791) and an address book
(RFC 6352) on a server, through the app's one HTTP session (trust, proxies, retries).

- **Discovery** (RFC 6764, RFC 5397): from a base address, ``/.well-known/caldav`` and
  ``/.well-known/carddav``, then ``current-user-principal``, ``calendar-home-set`` and
  ``addressbook-home-set``, then the collections in the homes (which calendar holds
  events, which tasks, which address book). A collection's own address works too.
- **Changes**: ``sync-collection`` (RFC 6578) with the token of the last run; a server
  without it is asked for its ``getctag`` (nothing to do when unchanged) and else for the
  ``getetag`` of every item, which is compared with the index.
- **Reading**: ``calendar-multiget`` / ``addressbook-multiget``, a few hundred at a time.
- **Writing**: ``PUT`` with ``If-None-Match: *`` to create and ``If-Match`` to change,
  ``DELETE`` with ``If-Match``; 412 means someone changed the item (it is read again and
  the engine rebases). A server that changes an item on write sends no ETag: it is read
  back.
- **Sign-in**: Basic or Digest, whichever the server's ``WWW-Authenticate`` asks for
  (Basic only over HTTPS); the password comes from the keyring.
- **The mailbox stamp**: a small item of the calendar (``d365-wizard-stamp.ics``, an
  all-day private event on 1 January 1970), or of the address book when there is no
  calendar (``.vcf``), written with ``If-None-Match: *`` / ``If-Match``: two computers
  claiming the account at once for two orgs get one claim and one conflict. Every
  computer syncing the account reads it; the sync itself passes it by.

The caldav library was evaluated and not used: it has no CardDAV, and its HTTP stack
(niquests, which installs urllib3-future in place of urllib3) would bypass and break the
session every other request of the app goes through.
"""

from __future__ import annotations

import enum
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.etree import ElementTree as ET

import requests

from wizard.engine.errors import Action, WizardError
from wizard.engine.stamp import Stamp
from wizard.engine.sync.remote import Gone, Listing, PreconditionFailed, RemoteError, RemoteSide, safe_name
from wizard.engine.sync.stamps import StampChanged, StampKeeper, stamp_from_json, stamp_to_json

D, C, CARD, CS = "DAV:", "urn:ietf:params:xml:ns:caldav", "urn:ietf:params:xml:ns:carddav", \
    "http://calendarserver.org/ns/"
APP_NS = "urn:x-d365-wizard:"
STAMP_PROP = f"{{{APP_NS}}}mailbox-stamp"
MAX_REDIRECTS = 5
# Writes of new items one at a time: against Radicale (which serializes writes) four at a
# time measured 8% slower than one (tests/benchmarks/bench_dav.py).
PARALLEL_WRITES = 1
ET.register_namespace("d", D)
ET.register_namespace("c", C)
ET.register_namespace("card", CARD)
ET.register_namespace("cs", CS)
ET.register_namespace("x", APP_NS)


# --------------------------------------------------------------------------------------
# errors (plain words for 401, 403, 404, not a DAV server, TLS: see http.network_error)
# --------------------------------------------------------------------------------------
class DavRequest(str, enum.Enum):
    """What a request to the server was for: the ``what`` param of a :class:`DavError`.

    A code, not words: each class words it in its ``<what>_template`` variant, which the
    front ends render in their own language.
    """

    REQUEST = "request"          # any other request
    SIGN_IN = "sign_in"
    LISTING = "listing"          # PROPFIND: the properties or members of a collection
    CHECK = "check"              # OPTIONS: is it a WebDAV server
    DISCOVERY = "discovery"      # finding the account's collections
    CHANGES = "changes"          # REPORT sync-collection: the list of changes
    READ_ITEMS = "read_items"
    SAVE_ITEM = "save_item"
    DELETE_ITEM = "delete_item"
    READ_STAMP = "read_stamp"    # GET of the mailbox stamp item
    SAVE_STAMP = "save_stamp"    # PUT of the stamp item, or PROPPATCH of the stamp property
    REMOVE_STAMP = "remove_stamp"
    KEEP_STAMP = "keep_stamp"    # the server dropped the stamp property


class DavError(RemoteError):
    """``what`` (a :class:`DavRequest`) picks the class's ``<what>_template`` when it has one."""

    code = "dav_error"
    template = "The calendar server at {host} answered HTTP {status} to a request."
    listing_template = "The calendar server at {host} answered HTTP {status} to a listing."
    check_template = "The calendar server at {host} answered HTTP {status} to a check."
    changes_template = ("The calendar server at {host} answered HTTP {status} to a request "
                        "for the list of changes.")
    read_items_template = ("The calendar server at {host} answered HTTP {status} to reading "
                           "items.")
    save_item_template = ("The calendar server at {host} answered HTTP {status} to saving an "
                          "item.")
    delete_item_template = ("The calendar server at {host} answered HTTP {status} to deleting "
                            "an item.")
    save_stamp_template = ("The calendar server at {host} answered HTTP {status} to saving the "
                           "mailbox stamp.")
    read_stamp_template = ("The calendar server at {host} answered HTTP {status} to reading the "
                           "mailbox stamp.")
    remove_stamp_template = ("The calendar server at {host} answered HTTP {status} to removing "
                             "the mailbox stamp.")
    fix_template = "Try again later; if it keeps failing, check the address with your provider."

    def templates(self) -> tuple[str | None, str | None]:
        what = self.params.get("what")
        key = what.value if isinstance(what, DavRequest) else what
        chosen = vars(type(self)).get(f"{key}_template") if key else None
        if isinstance(chosen, str):   # only a class's own variants (a subclass words it anew)
            return chosen, self.fix_template
        return super().templates()


class DavAuthFailed(DavError):
    code = "dav_auth_failed"
    template = "The calendar server at {host} did not accept the user name and password."
    fix_template = ("Check the user name and password. Many providers (iCloud, Fastmail, "
                    "Google, Nextcloud with two-step sign-in) need an app password made for "
                    "this program in your account's security settings.")
    action = Action.ENTER_PASSWORD


class DavAuthUnsupported(DavError):
    code = "dav_auth_unsupported"
    template = ("The server at {host} asks for a kind of sign-in this app does not support "
                "({scheme}); it signs in to CalDAV/CardDAV servers with a user name and "
                "password.")
    fix_template = ("Check the address: it may not be a CalDAV/CardDAV server. Google "
                    "Calendar's CalDAV needs OAuth; sync Google through a vdir folder and "
                    "vdirsyncer instead.")


class DavForbidden(DavError):
    code = "dav_forbidden"
    template = "The calendar server at {host} refused this account's request (HTTP 403)."
    listing_template = "The calendar server at {host} does not let this account list the collection."
    changes_template = ("The calendar server at {host} does not let this account read the list "
                        "of changes.")
    read_items_template = "The calendar server at {host} does not let this account read items."
    save_item_template = "The calendar server at {host} does not let this account save items."
    delete_item_template = ("The calendar server at {host} does not let this account delete "
                            "items.")
    save_stamp_template = ("The calendar server at {host} does not let this account save the "
                           "mailbox stamp.")
    read_stamp_template = ("The calendar server at {host} does not let this account read the "
                           "mailbox stamp.")
    remove_stamp_template = ("The calendar server at {host} does not let this account remove the "
                             "mailbox stamp.")
    keep_stamp_template = ("The calendar server at {host} does not let this account keep the "
                           "mailbox stamp on the collection.")
    fix_template = "Choose a calendar or address book the account may change."


class DavNotFound(DavError):
    code = "dav_not_found"
    template = "There is no calendar or address book at {url}."
    fix_template = ("Check the address. Your provider's help names it; the server's own "
                    "address (https://server/) is often enough.")


class NotADavServer(DavError):
    code = "not_dav_server"
    template = "{url} is not a CalDAV or CardDAV server."
    fix_template = ("Check the address. Your provider's help names the CalDAV and CardDAV "
                    "address; it is not the address of the web calendar.")


class NoCollections(DavError):
    code = "dav_no_collections"
    template = "The account at {host} has no calendar, task list or address book."
    fix_template = "Create a calendar and an address book in your account, then try again."


# --------------------------------------------------------------------------------------
# XML
# --------------------------------------------------------------------------------------
def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _body(root: ET.Element) -> bytes:
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root)


def propfind_body(*props: str) -> bytes:
    root = ET.Element(_q(D, "propfind"))
    prop = ET.SubElement(root, _q(D, "prop"))
    for p in props:
        ET.SubElement(prop, p)
    return _body(root)


def _parse_xml(content: bytes) -> ET.Element:
    from defusedxml.ElementTree import fromstring

    root: ET.Element = fromstring(content)   # defusedxml has no type information
    return root


@dataclass
class DavResponse:
    href: str
    status: int | None                          # the response's own status (deleted: 404)
    props: dict[str, ET.Element] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)

    def text(self, name: str) -> str | None:
        el = self.props.get(name)
        return (el.text or "").strip() if el is not None and el.text is not None else None


def _only(responses: list[DavResponse]) -> DavResponse | None:
    """The one response of a Depth 0 PROPFIND, None when there is none (ValueError when
    there are more)."""
    if not responses:
        return None
    [one] = responses
    return one


def _status_code(text: str | None) -> int | None:
    parts = (text or "").split()
    return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None


def parse_multistatus(content: bytes) -> tuple[list[DavResponse], str | None]:
    """The responses of a 207 Multi-Status and its ``sync-token``."""
    root = _parse_xml(content)
    out = []
    for resp in root.findall(_q(D, "response")):
        href = unquote((resp.findtext(_q(D, "href")) or "").strip())
        r = DavResponse(href, _status_code(resp.findtext(_q(D, "status"))))
        for ps in resp.findall(_q(D, "propstat")):
            code = _status_code(ps.findtext(_q(D, "status")))
            for prop in ps.findall(_q(D, "prop")):
                for child in prop:
                    if code == 200:
                        r.props[child.tag] = child
                    else:
                        r.missing.add(child.tag)
        out.append(r)
    return out, root.findtext(_q(D, "sync-token"))


# --------------------------------------------------------------------------------------
# the client
# --------------------------------------------------------------------------------------
class DavClient:
    """Requests to one account, signed in with Basic or Digest as the server asks."""

    def __init__(self, session: requests.Session, url: str, *, user: str | None = None,
                 password: str | None = None) -> None:
        self.session = session
        self.url = url if url.endswith("/") else url + "/"
        self.user = user
        self.password = password
        self._auth: Any = None

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or self.url

    def absolute(self, href: str) -> str:
        return urljoin(self.url, quote(href, safe="/:@%+~!$&'()*,;=-._"))

    def _choose_auth(self, challenge: str) -> Any:
        if self.user is None or self.password is None:
            return None
        offered = {c.strip().split(" ", 1)[0].lower()
                   for c in challenge.replace(", ", ",").split(",") if c.strip()} \
            if challenge else {"basic"}
        offered = {o for o in offered if "=" not in o}
        if "digest" in offered and "basic" not in offered:
            return requests.auth.HTTPDigestAuth(self.user, self.password)
        if "basic" not in offered:
            raise DavAuthUnsupported(host=self.host, scheme=", ".join(sorted(offered)),
                                     status=401, what=DavRequest.SIGN_IN, url=self.url)
        if urlsplit(self.url).scheme != "https" and urlsplit(self.url).hostname not in (
                "localhost", "127.0.0.1", "::1"):
            return None          # never send a password in the clear
        return requests.auth.HTTPBasicAuth(self.user, self.password)

    def request(self, method: str, url: str, *, body: bytes | str | None = None,
                headers: dict[str, str] | None = None, what: DavRequest = DavRequest.REQUEST,
                ok: tuple[int, ...] = (200, 201, 204, 207)) -> requests.Response:
        from wizard.engine.http import network_error

        hdrs = {"Content-Type": "application/xml; charset=utf-8"} if body is not None else {}
        hdrs.update(headers or {})
        data = body.encode("utf-8") if isinstance(body, str) else body
        for _ in range(MAX_REDIRECTS + 2):
            try:
                response = self.session.request(method, url, data=data, headers=hdrs,
                                                auth=self._auth, allow_redirects=False)
            except requests.RequestException as exc:
                raise network_error(exc, url) from exc
            if response.status_code == 401 and self._auth is None:
                self._auth = self._choose_auth(response.headers.get("WWW-Authenticate", ""))
                if self._auth is not None:
                    continue
            if response.status_code in (301, 302, 303, 307, 308) and "Location" in response.headers:
                url = urljoin(url, response.headers["Location"])
                continue
            break
        status = response.status_code
        if status in ok:
            return response
        params: dict[str, Any] = {"host": self.host, "status": status, "what": what, "url": url}
        if status == 401:
            raise DavAuthFailed(**params)
        if status == 403:
            raise DavForbidden(**params)
        if status == 404:
            raise DavNotFound(**params)
        if status == 412:
            raise PreconditionFailed(href=url)
        if status in (405, 501) and method in ("PROPFIND", "REPORT"):
            raise NotADavServer(**params)
        raise DavError(**params, details=response.text[:500])

    def propfind(self, url: str, props: list[str], depth: str = "0") -> list[DavResponse]:
        r = self.request("PROPFIND", url, body=propfind_body(*props),
                         headers={"Depth": depth}, what=DavRequest.LISTING)
        if r.status_code != 207:
            raise NotADavServer(host=self.host, status=r.status_code, what=DavRequest.LISTING,
                                url=url)
        try:
            return parse_multistatus(r.content)[0]
        except ET.ParseError as exc:
            raise NotADavServer(host=self.host, status=r.status_code, what=DavRequest.LISTING,
                                url=url, details=str(exc)) from exc


# --------------------------------------------------------------------------------------
# discovery
# --------------------------------------------------------------------------------------
@dataclass
class FoundCollection:
    url: str
    name: str
    kinds: tuple[str, ...]                  # appointment, task / contact
    sync_token: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "name": self.name, "kinds": list(self.kinds),
                "sync_token": self.sync_token}


COLLECTION_PROPS = [_q(D, "resourcetype"), _q(D, "displayname"),
                    _q(C, "supported-calendar-component-set"), _q(D, "sync-token"),
                    _q(CS, "getctag")]


def _collection_of(r: DavResponse, base: str) -> FoundCollection | None:
    types = r.props.get(_q(D, "resourcetype"))
    if types is None:
        return None
    tags = {child.tag for child in types}
    name = r.text(_q(D, "displayname")) or r.href.rstrip("/").rsplit("/", 1)[-1]
    url = urljoin(base, quote(r.href, safe="/:@%+~!$&'()*,;=-._"))
    syncs = _q(D, "sync-token") in r.props
    if _q(CARD, "addressbook") in tags:
        return FoundCollection(url, name, ("contact",), syncs)
    if _q(C, "calendar") in tags:
        comps = r.props.get(_q(C, "supported-calendar-component-set"))
        names = {c.get("name", "").upper() for c in comps} if comps is not None else \
            {"VEVENT", "VTODO"}
        kinds = tuple(k for k, comp in (("appointment", "VEVENT"), ("task", "VTODO"))
                      if comp in names)
        return FoundCollection(url, name, kinds, syncs) if kinds else None
    return None


def _href_prop(r: DavResponse, name: str) -> list[str]:
    el = r.props.get(name)
    if el is None:
        return []
    return [unquote((h.text or "").strip()) for h in el.findall(_q(D, "href")) if h.text]


def _speaks_dav(client: DavClient) -> bool:
    """Whether the server says it is a WebDAV server (the ``DAV`` header of OPTIONS)."""
    try:
        r = client.request("OPTIONS", client.url, what=DavRequest.CHECK, ok=tuple(range(200, 500)))
    except WizardError:
        return False
    return bool(r.headers.get("DAV"))


def discover(client: DavClient) -> list[FoundCollection]:  # noqa: C901 - RFC 6764 discovery steps in order; sync internals in flux (issue 15b)
    """Every calendar, task list and address book of the account at ``client.url``."""
    base = client.url
    # The address may be a collection already.
    try:
        me = _only(client.propfind(base, COLLECTION_PROPS + [_q(D, "current-user-principal")]))
    except DavNotFound:
        me = None
    except NotADavServer:
        me = None
    if me is not None:
        found = _collection_of(me, base)
        if found is not None:
            return [found]
    principals: list[str] = []
    starts = [base]
    if urlsplit(base).path in ("", "/"):
        starts = [urljoin(base, "/.well-known/caldav"), urljoin(base, "/.well-known/carddav"),
                  base]
    answered = False
    failures: list[DavError] = []
    for start in starts:
        try:
            rs = client.propfind(start, [_q(D, "current-user-principal")])
        except (DavNotFound, NotADavServer) as exc:
            failures.append(exc)
            continue
        answered = True
        for r in rs:
            principals += _href_prop(r, _q(D, "current-user-principal"))
        if principals:
            break
    if not answered:
        if failures and all(isinstance(f, DavNotFound) for f in failures) and _speaks_dav(client):
            raise DavNotFound(host=client.host, status=404, what=DavRequest.DISCOVERY, url=base)
        raise NotADavServer(host=client.host, status=0, what=DavRequest.DISCOVERY, url=base)
    if not principals:
        principals = [urlsplit(base).path or "/"]
    homes: list[str] = []
    for principal in dict.fromkeys(principals):
        for r in client.propfind(urljoin(base, principal),
                                 [_q(C, "calendar-home-set"), _q(CARD, "addressbook-home-set")]):
            homes += _href_prop(r, _q(C, "calendar-home-set"))
            homes += _href_prop(r, _q(CARD, "addressbook-home-set"))
    out: dict[str, FoundCollection] = {}
    for home in dict.fromkeys(homes):
        for r in client.propfind(urljoin(base, home), COLLECTION_PROPS, depth="1"):
            found = _collection_of(r, base)
            if found is not None:
                out.setdefault(found.url, found)
    if not out:
        raise NoCollections(host=client.host, status=0, what=DavRequest.DISCOVERY, url=base)
    return list(out.values())


def choose(found: list[FoundCollection]) -> dict[str, FoundCollection]:
    """The collection for each kind: the first (a task list of its own before a calendar
    that also takes tasks)."""
    out: dict[str, FoundCollection] = {}
    for kind in ("appointment", "contact"):
        for f in found:
            if kind in f.kinds:
                out[kind] = f
                break
    only_tasks = [f for f in found if f.kinds == ("task",)]
    if only_tasks:
        out["task"] = only_tasks[0]
    elif "appointment" in out and "task" in out["appointment"].kinds:
        out["task"] = out["appointment"]
    else:
        for f in found:
            if "task" in f.kinds:
                out["task"] = f
                break
    return out


# --------------------------------------------------------------------------------------
# a collection
# --------------------------------------------------------------------------------------
class DavCollection:
    def __init__(self, client: DavClient, url: str, kinds: tuple[str, ...]) -> None:
        self.client = client
        self.url = url if url.endswith("/") else url + "/"
        self.kinds = kinds
        self.key = self.url
        self.path = urlsplit(self.url).path
        self.is_addressbook = kinds == ("contact",)
        self.ext = ".vcf" if self.is_addressbook else ".ics"
        self.ignore: set[str] = set()

    def _mine(self, href: str) -> bool:
        path = urlsplit(href).path
        return path.startswith(self.path) and path != self.path and path not in self.ignore

    def listing(self, token: str | None, known: dict[str, str | None]) -> Listing:
        if token is None or not token.startswith("ctag:"):
            try:
                return self._sync_collection(token)
            except (DavError, ET.ParseError):
                pass                         # no RFC 6578 here: compare ETags instead
        return self._etag_listing(token)

    def _sync_collection(self, token: str | None) -> Listing:
        changed: dict[str, str | None] = {}
        deleted: list[str] = []
        full = token is None
        for _ in range(1000):                 # truncated answers continue with the new token
            root = ET.Element(_q(D, "sync-collection"))
            ET.SubElement(root, _q(D, "sync-token")).text = token or ""
            ET.SubElement(root, _q(D, "sync-level")).text = "1"
            prop = ET.SubElement(root, _q(D, "prop"))
            ET.SubElement(prop, _q(D, "getetag"))
            try:
                r = self.client.request("REPORT", self.url, body=_body(root),
                                        headers={"Depth": "0"}, what=DavRequest.CHANGES,
                                        ok=(207,))
            except (DavForbidden, DavError) as exc:
                if token is not None and getattr(exc, "params", {}).get("status") in (403, 409):
                    return self._sync_collection(None)     # token no longer valid
                raise
            responses, new_token = parse_multistatus(r.content)
            truncated = False
            for resp in responses:
                if urlsplit(resp.href).path == self.path:
                    truncated = truncated or resp.status == 507
                    continue
                if not self._mine(resp.href):
                    continue
                if resp.status == 404:
                    deleted.append(urlsplit(resp.href).path)
                else:
                    changed[urlsplit(resp.href).path] = resp.text(_q(D, "getetag"))
            token = new_token
            if not truncated or not new_token:
                break
        return Listing(changed, deleted, token, full)

    def _etag_listing(self, token: str | None) -> Listing:
        me = _only(self.client.propfind(self.url, [_q(CS, "getctag")]))
        ctag = me.text(_q(CS, "getctag")) if me is not None else None
        if ctag and token == f"ctag:{ctag}":
            return Listing({}, [], token, False)
        changed = {}
        for r in self.client.propfind(self.url, [_q(D, "getetag"), _q(D, "resourcetype")],
                                      depth="1"):
            if self._mine(r.href) and r.text(_q(D, "getetag")) is not None:
                changed[urlsplit(r.href).path] = r.text(_q(D, "getetag"))
        return Listing(changed, [], f"ctag:{ctag}" if ctag else None, True)

    def read(self, hrefs: list[str]) -> dict[str, tuple[str, str | None]]:
        if not hrefs:
            return {}
        ns, report, data = ((CARD, "addressbook-multiget", "address-data")
                            if self.is_addressbook else (C, "calendar-multiget", "calendar-data"))
        root = ET.Element(_q(ns, report))
        prop = ET.SubElement(root, _q(D, "prop"))
        ET.SubElement(prop, _q(D, "getetag"))
        ET.SubElement(prop, _q(ns, data))
        for href in hrefs:
            ET.SubElement(root, _q(D, "href")).text = quote(href, safe="/:@%+~!$&'()*,;=-._")
        r = self.client.request("REPORT", self.url, body=_body(root), headers={"Depth": "1"},
                                what=DavRequest.READ_ITEMS, ok=(207,))
        out = {}
        for resp in parse_multistatus(r.content)[0]:
            text = resp.props.get(_q(ns, data))
            if text is not None and text.text:
                out[urlsplit(resp.href).path] = (text.text, _strong(resp.text(_q(D, "getetag"))))
        return out

    def href_for(self, uid: str, kind: str) -> str:
        return self.path + quote(safe_name(uid) or str(uuid.uuid4())) + self.ext

    def _put(self, href: str, raw: str, headers: dict[str, str]) -> str | None:
        ctype = "text/vcard; charset=utf-8" if self.is_addressbook else \
            "text/calendar; charset=utf-8"
        try:
            r = self.client.request("PUT", self.client.absolute(href), body=raw,
                                    headers={"Content-Type": ctype, **headers},
                                    what=DavRequest.SAVE_ITEM, ok=(200, 201, 204))
        except PreconditionFailed:
            raise PreconditionFailed(href=href) from None
        except DavNotFound:
            raise Gone(href=href) from None
        return _strong(r.headers.get("ETag"))

    def create(self, href: str, raw: str) -> str | None:
        return self._put(href, raw, {"If-None-Match": "*"})

    def update(self, href: str, raw: str, etag: str) -> str | None:
        return self._put(href, raw, {"If-Match": etag} if etag != "*" else {})

    def delete(self, href: str, etag: str | None) -> None:
        try:
            self.client.request("DELETE", self.client.absolute(href),
                                headers={"If-Match": etag} if etag else {},
                                what=DavRequest.DELETE_ITEM, ok=(200, 204))
        except PreconditionFailed:
            raise PreconditionFailed(href=href) from None
        except DavNotFound:
            raise Gone(href=href) from None


def _strong(etag: str | None) -> str | None:
    """An ETag usable in If-Match (a weak one never matches: RFC 9110 13.1.1)."""
    if not etag or etag.startswith("W/"):
        return None
    return etag


# --------------------------------------------------------------------------------------
# the stamp: a small item of the calendar (or the address book)
# --------------------------------------------------------------------------------------
STAMP_NAME = "d365-wizard-stamp"
STAMP_PROPERTY = "X-D365-WIZARD-STAMP"
_STAMP_ICS = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//d365-wizard//mailbox stamp//EN\r\n"
              "BEGIN:VEVENT\r\nUID:d365-wizard-mailbox-stamp\r\nDTSTAMP:19700101T000000Z\r\n"
              "DTSTART;VALUE=DATE:19700101\r\nSUMMARY:Dynamics 365 wizard: which organization "
              "this calendar synchronizes with (keep this)\r\nCLASS:PRIVATE\r\n"
              "TRANSP:TRANSPARENT\r\n{prop}:{value}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
_STAMP_VCF = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:d365-wizard-mailbox-stamp\r\n"
              "FN:Dynamics 365 wizard (which organization this address book synchronizes "
              "with: keep this)\r\nN:;;;;\r\n{prop}:{value}\r\nEND:VCARD\r\n")


def stamp_item_text(stamp: Stamp, addressbook: bool) -> str:
    """The stamp item: its JSON, base64url-encoded (no iCalendar/vCard escaping), in an
    X- property of an all-day event on 1 January 1970 (private, free) or a vCard."""
    import base64

    value = base64.urlsafe_b64encode(stamp_to_json(stamp).encode()).decode()
    return (_STAMP_VCF if addressbook else _STAMP_ICS).format(prop=STAMP_PROPERTY, value=value)


def stamp_from_item(text: str) -> Stamp | None:
    import base64
    import binascii
    import re

    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    m = re.search(rf"^{STAMP_PROPERTY}(?:;[^:]*)?:([A-Za-z0-9_=-]+)\s*$", unfolded, re.M | re.I)
    if m is None:
        return None
    try:
        return stamp_from_json(base64.urlsafe_b64decode(m.group(1)))
    except (binascii.Error, ValueError):
        return None


class DavStamp(StampKeeper):
    """The stamp as a small item of the collection (``d365-wizard-stamp.ics`` or
    ``.vcf``), written conditionally: ``If-None-Match: *`` when there was none,
    ``If-Match`` with the ETag read, so of two computers claiming one collection at once
    the second gets 412, reads again and is told of the conflict. A stamp that an earlier
    version kept as a property of the collection is read when there is no item, and
    removed once the item is written; a server that refuses the item (a calendar that
    takes no events) keeps the stamp in that property, written unconditionally."""

    def __init__(self, client: DavClient, url: str, *, addressbook: bool = False,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock=clock)
        self.client = client
        self.url = url if url.endswith("/") else url + "/"
        self.addressbook = addressbook
        self.item_url: str | None = self.url + STAMP_NAME + (".vcf" if addressbook else ".ics")
        self._etag: str | None = None       # the item's, at the last read (None: no item)
        self._in_property = False           # the last read found a property stamp

    @property
    def item_path(self) -> str:
        return urlsplit(self.url + STAMP_NAME + (".vcf" if self.addressbook else ".ics")).path

    def _read(self) -> Stamp | None:
        self._etag = None
        if self.item_url is not None:
            try:
                r = self.client.request("GET", self.item_url, what=DavRequest.READ_STAMP,
                                        ok=(200,))
            except DavNotFound:
                pass
            else:
                self._etag = r.headers.get("ETag") or "*"
                return stamp_from_item(r.text)
        found = _only(self.client.propfind(self.url, [STAMP_PROP]))
        stamp = stamp_from_json(found.text(STAMP_PROP)) if found is not None else None
        self._in_property = stamp is not None
        return stamp

    def _write(self, stamp: Stamp | None) -> None:
        if self.item_url is not None:
            try:
                self._write_item(stamp)
            except PreconditionFailed:
                raise StampChanged() from None
            except DavError as exc:
                if stamp is None or exc.params.get("status") not in (400, 403, 405, 409, 415):
                    raise
                self.item_url = None        # no such item here: the property it is
            else:
                if self._in_property:
                    self._write_property(None)
                    self._in_property = False
                return
        self._write_property(stamp)

    def _write_item(self, stamp: Stamp | None) -> None:
        assert self.item_url is not None
        if stamp is None:
            if self._etag is None:
                return
            try:
                self.client.request("DELETE", self.item_url, what=DavRequest.REMOVE_STAMP,
                                    headers={"If-Match": self._etag}, ok=(200, 204))
            except DavNotFound:
                raise StampChanged() from None
            self._etag = None
            return
        ctype = "text/vcard; charset=utf-8" if self.addressbook else "text/calendar; charset=utf-8"
        condition = {"If-Match": self._etag} if self._etag else {"If-None-Match": "*"}
        try:
            r = self.client.request("PUT", self.item_url, body=stamp_item_text(stamp, self.addressbook),
                                    headers={"Content-Type": ctype, **condition},
                                    what=DavRequest.SAVE_STAMP, ok=(200, 201, 204))
        except DavNotFound:                 # deleted since it was read
            raise StampChanged() from None
        self._etag = r.headers.get("ETag") or "*"

    def _write_property(self, stamp: Stamp | None) -> None:
        root = ET.Element(_q(D, "propertyupdate"))
        action = ET.SubElement(root, _q(D, "set" if stamp is not None else "remove"))
        prop = ET.SubElement(ET.SubElement(action, _q(D, "prop")), STAMP_PROP)
        if stamp is not None:
            prop.text = stamp_to_json(stamp)
        r = self.client.request("PROPPATCH", self.url, body=_body(root),
                                what=DavRequest.SAVE_STAMP, ok=(200, 207))
        if r.status_code == 207:
            for resp in parse_multistatus(r.content)[0]:
                if STAMP_PROP in resp.missing:
                    raise DavForbidden(host=self.client.host, status=403, url=self.url,
                                       what=DavRequest.KEEP_STAMP)


# --------------------------------------------------------------------------------------
# the side
# --------------------------------------------------------------------------------------
class DavSide(RemoteSide):
    name = "dav"
    parallel_writes = PARALLEL_WRITES

    def __init__(self, client: DavClient, collections: dict[str, FoundCollection],
                 index_path: str | Path, *, clock: Callable[[], float] = time.time,
                 vcard_version: str = "3.0") -> None:
        self.client = client
        self.found = collections
        self.vcard_version = vcard_version
        by_url: dict[str, DavCollection] = {}
        colls: dict[str, Any] = {}
        for kind, f in collections.items():
            coll = by_url.get(f.url)
            if coll is None:
                kinds = tuple(k for k, g in collections.items() if g.url == f.url)
                coll = by_url[f.url] = DavCollection(client, f.url, kinds)
            colls[kind] = coll
        stamp_at = (collections.get("appointment") or collections.get("contact")
                    or next(iter(collections.values())))
        stamp = DavStamp(client, stamp_at.url, clock=clock,
                         addressbook=stamp_at.kinds == ("contact",))
        by_url[stamp_at.url].ignore.add(stamp.item_path)      # not an item to synchronize
        super().__init__(index_path, colls, stamp_store=stamp, clock=clock)

    def describe(self) -> str:
        return self.client.url
