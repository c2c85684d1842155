"""Understanding whatever a user pastes as an organization address.

``parse_org_url(text, clouds=None)`` turns a browser address, a Web API address, an
Organization service address or a bare host name into the org's base URL, and says
whether it is a Dynamics 365 (online) org (and in which cloud and region), an
on-premises org, or an Internet-facing deployment (IFD). Anything else raises
``InvalidOrgUrl`` whose message tells the user what to paste instead.

Decisions (the rules a helpdesk can predict):

* Clean-up first: surrounding whitespace, quotes and ``<...>`` are dropped; line breaks,
  tabs and zero-width characters inside the text are removed (mail clients wrap long
  links); the text is NFKC-normalised (full-width letters); backslashes become slashes.
  Text around one ``scheme://`` address ("Our CRM: https://...") is dropped when no
  other word has a dot, slash or @; otherwise a space inside the address is an error. Text
  longer than 32,768 characters is refused.
* Only ``http`` and ``https`` are accepted. No scheme means https. ``mailto:``,
  ``file:``, ``ftp:``, Windows paths and other schemes are refused with a message
  saying what an org address looks like. A percent-encoded URL (``https%3A%2F%2F...``,
  e.g. copied out of a sign-in redirect) is decoded once.
* ``user@`` or ``user:password@`` in the address is refused; the message never repeats
  the text (so a password is never echoed) and nothing here logs.
* Online (built-in clouds): ``<org>.crm[N].dynamics.com`` is commercial, region from
  ``COMMERCIAL_REGIONS`` (unknown N: commercial, region None) except ``crm9``, which is
  GCC; ``<org>.crm.microsoftdynamics.us`` GCC High; ``<org>.crm.appsplatform.us`` DoD;
  ``<org>.crm.dynamics.cn`` China. Sovereign clouds have region None. The Web API host
  ``<org>.api.<domain>`` maps back to the org host. Path, query and fragment
  (``main.aspx?...``, ``#...``, ``/apps/<x>/main.aspx``, ``/api/data/v9.2/...``,
  ``/XRMServices/2011/Organization.svc``) are ignored. Online is always
  ``https://<org host>`` (http is upgraded, the port dropped); the org name is lower case.
* Custom clouds (``clouds``: name -> ``Cloud`` or an iterable of ``Cloud``, e.g. from
  ``--cloud-file``; built-in ``Cloud`` objects in it are skipped) are checked
  before the built-in ones: an exact ``org_hosts`` entry (``host:port``; the port may be
  left out when it is 443) or a host under one of its ``org_domains`` is an online org of
  that cloud. Region and org name come from the ``org_hosts`` details (``region``,
  ``url_name``/``unique_name``) when given. For custom clouds ``api_url`` is the org URL
  itself (Dataverse serves the Web API on the org host too; we cannot guess another
  host). The cloud's own discovery and sign-in addresses are refused like Microsoft's.
* Look-alikes are refused: a host that merely contains a Dynamics domain
  (``contoso.crm.dynamics.com.example.net``) and an online org name in punycode
  (``xn--...``, non-Latin look-alike letters; Dataverse URL names are ASCII).
* Microsoft addresses that are not an org are refused with a specific message: the
  Power Platform admin and maker portals, Power Automate, the Power Apps player, the
  sign-in pages (``login.microsoftonline.com``/``.us``, ``login.chinacloudapi.cn``,
  ``login.live.com``), the instance pickers (``home.dynamics.com``, ``port.crm*``),
  the (global) discovery services, Finance and Operations, Power Pages sites, and
  any other Microsoft/Office/Outlook/SharePoint/Teams/Azure host. Well-known websites
  (search engines, mail, social media) are refused too.
* IP addresses: a custom cloud's ``org_hosts`` entry is online; with an org segment in
  the path (``http://10.0.0.5/contoso``) it is on-premises; alone it is refused (an
  online org always has a name such as ``contoso.crm.dynamics.com``).
* A host with one label (``crmserver``, ``localhost``) is an on-premises server: the
  first path segment is the org (``http://crmserver:5555/contoso/main.aspx`` ->
  ``http://crmserver:5555/contoso``). Without it the address is refused, because the
  Web API lives under the org segment.
* A host with several labels: if the first path segment looks like an org name (letters,
  digits, ``_`` and ``-``, no dot) and is not one of Dynamics' own top-level paths
  (``main.aspx``, ``api``, ``XRMServices``, ``apps``, ``WebResources``, ``_root``, ...)
  it is on-premises (``https://crm.contoso.local/contoso``); anything after it must
  then be one of Dynamics' paths (so ``https://example.org/blog/post-1`` is refused).
  Otherwise, with no path or a Dynamics path, a host of at least three labels is an IFD
  org (``https://contoso.crm.contoso.com``), always over https; the first label must
  not be one of ``www``, ``adfs``, ``sts``, ``auth``, ``dev``, ``login`` (the web site,
  the ADFS server and the IFD discovery/sign-in addresses). Two labels
  (``contoso.com``) is a website domain and refused.
* On-premises keeps the scheme given (``http`` stays ``http``; missing means https),
  drops the default port, and lower-cases host and org segment (Dynamics treats org
  names case-insensitively; one spelling lets the registry spot duplicates).
* ``parse_org_url(result.base_url)`` gives the same result (tested with hypothesis).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from wizard.engine import url_errors as E
from wizard.engine.clouds import BUILTIN_CLOUDS, COMMERCIAL_REGIONS, Cloud
from wizard.engine.errors import InvalidOrgUrl

__all__ = ["OrgUrl", "parse_org_url", "KINDS", "KIND_NAMES", "REGION_NAMES", "WEB_API_PATH",
           "CRM_ROOT_PATHS"]

KINDS = ("online", "onprem", "ifd")
KIND_NAMES = {"online": "Dynamics 365 (online)", "onprem": "On-premises",
              "ifd": "Internet-facing deployment (IFD)"}
# Names of the region codes in COMMERCIAL_REGIONS (Microsoft's datacenter table).
REGION_NAMES = {
    "NAM": "North America", "SAM": "South America", "CAN": "Canada", "EUR": "Europe",
    "APJ": "Asia Pacific", "OCE": "Australia", "JPN": "Japan", "IND": "India",
    "GBR": "United Kingdom", "FRA": "France", "ZAF": "South Africa",
    "UAE": "United Arab Emirates", "GER": "Germany", "CHE": "Switzerland", "NOR": "Norway",
    "SGP": "Singapore", "KOR": "Korea", "SWE": "Sweden",
}
WEB_API_PATH = "/api/data/v9.2/"
MAX_LENGTH = 32768

@dataclass(frozen=True)
class OrgUrl:
    """An organization's address, normalised."""

    base_url: str                # no trailing slash
    kind: str                    # "online" | "onprem" | "ifd"
    cloud: str | None            # built-in cloud key, custom cloud name, or None (on-prem/IFD)
    region: str | None           # e.g. "EUR"; None when unknown
    host: str                    # lower case, no port; IPv6 without brackets
    org_name: str | None         # url name / on-prem org segment / IFD first label
    api_url: str                 # Web API root without the /api/data part
    scheme: str = "https"
    port: int | None = None      # None for the scheme's default port

    @property
    def web_api_base(self) -> str:
        return self.api_url + WEB_API_PATH

    @property
    def is_online(self) -> bool:
        return self.kind == "online"

    def to_dict(self) -> dict[str, object]:
        return {"base_url": self.base_url, "kind": self.kind, "cloud": self.cloud,
                "region": self.region, "host": self.host, "port": self.port,
                "scheme": self.scheme, "org_name": self.org_name, "api_url": self.api_url,
                "web_api_base": self.web_api_base}


# -- tables ------------------------------------------------------------------------------

# Commercial orgs live under crm[N].dynamics.com; GCC is one of those numbers (crm9).
_GCC_CRM = BUILTIN_CLOUDS["gcc"].org_domains[0].split(".")[0]
# (host suffix after "<org>." or "<org>.api.", cloud) for the other built-in clouds.
_SOVEREIGN_DOMAINS = tuple((domain, cloud.name) for cloud in BUILTIN_CLOUDS.values()
                           if cloud.name not in ("commercial", "gcc")
                           for domain in cloud.org_domains)
_DYNAMICS_DOMAINS = ("dynamics.com", "dynamics.cn", "microsoftdynamics.us", "appsplatform.us")
_COMMERCIAL_RE = re.compile(
    r"^(?:(?P<org>[a-z0-9-]+)\.)?(?P<api>api\.)?(?P<crm>crm\d*)\.dynamics\.com$")

# Labels that are Microsoft services under an org domain, not orgs.
_DISCOVERY_LABELS = {"globaldisco", "disco"}
_PICKER_LABELS = {"port"}

_SIGNIN_HOSTS = {
    "login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn",
    "login.partner.microsoftonline.cn", "login.windows.net", "login.microsoft.com",
    "login.live.com", "account.live.com", "account.microsoft.com", "sts.windows.net",
    "device.login.microsoftonline.com", "aka.ms",
    "myaccount.microsoft.com", "mysignins.microsoft.com", "myapps.microsoft.com",
}
_PORTAL_HOSTS = {
    "admin.powerplatform.microsoft.com": "the Power Platform admin center",
    "admin.powerplatform.com": "the Power Platform admin center",
    "gcc.admin.powerplatform.microsoft.us": "the Power Platform admin center",
    "high.admin.powerplatform.microsoft.us": "the Power Platform admin center",
    "admin.appsplatform.us": "the Power Platform admin center",
    "admin.powerplatform.azure.cn": "the Power Platform admin center",
    "admin.powerapps.com": "the Power Apps admin center",
    "make.powerapps.com": "the Power Apps maker portal",
    "make.preview.powerapps.com": "the Power Apps maker portal",
    "make.gov.powerapps.us": "the Power Apps maker portal",
    "make.high.powerapps.us": "the Power Apps maker portal",
    "make.apps.appsplatform.us": "the Power Apps maker portal",
    "make.powerapps.cn": "the Power Apps maker portal",
    "web.powerapps.com": "the Power Apps maker portal",
    "create.powerapps.com": "Power Apps Studio",
    "make.powerautomate.com": "Power Automate",
    "make.preview.powerautomate.com": "Power Automate",
    "make.gov.powerautomate.us": "Power Automate",
    "make.high.powerautomate.us": "Power Automate",
    "flow.microsoft.com": "Power Automate",
    "powerautomate.microsoft.com": "Power Automate",
    "copilotstudio.microsoft.com": "Copilot Studio",
    "web.powerva.microsoft.com": "Copilot Studio",
    "make.powerpages.microsoft.com": "the Power Pages maker portal",
    "app.powerbi.com": "Power BI",
    "admin.microsoft.com": "the Microsoft 365 admin center",
    "portal.office.com": "Microsoft 365",
    "portal.azure.com": "the Azure portal",
    "entra.microsoft.com": "the Microsoft Entra admin center",
    "admin.dynamics.com": "the Dynamics 365 admin center",
}
_PICKER_HOSTS = {"home.dynamics.com", "apps.powerapps.com", "apps.gov.powerapps.us",
                 "apps.high.powerapps.us", "apps.powerapps.cn", "www.office.com",
                 "office.com", "www.microsoft365.com", "microsoft365.com",
                 "home.dynamics.cn", "online.dynamics.com"}
# Domains that are never a customer's IFD or on-premises server.
_MICROSOFT_DOMAINS = (
    "microsoft.com", "microsoftonline.com", "microsoftonline.us", "chinacloudapi.cn",
    "office.com", "office365.com", "office.net", "microsoft365.com", "live.com",
    "outlook.com", "sharepoint.com", "sharepoint.us", "onmicrosoft.com", "teams.microsoft.com",
    "skype.com", "powerapps.com", "powerapps.us", "powerapps.cn", "powerautomate.com",
    "powerautomate.us", "powerplatform.com", "powerbi.com", "azure.com", "azure.net",
    "azure.cn", "windows.net", "windows.com", "aka.ms",
    "dynamics.com", "dynamics.cn", "microsoftdynamics.us", "appsplatform.us",
    "microsoftdynamics.de", "powerappsportals.com", "powerappsportals.us",
    "microsoftcrmportals.com", "sharepointonline.com", "visualstudio.com",
    "dev.azure.com", "cloudapp.net", "msauth.net", "msftauth.net",
)
_WEBSITES = (
    "google.com", "google.co.uk", "google.de", "google.fr", "bing.com", "duckduckgo.com",
    "yahoo.com", "msn.com", "baidu.com", "yandex.ru", "github.com", "gitlab.com",
    "stackoverflow.com",
    "youtube.com", "facebook.com", "linkedin.com", "twitter.com", "x.com", "instagram.com",
    "wikipedia.org", "gmail.com", "icloud.com", "apple.com", "amazon.com", "zoom.us",
    "slack.com", "dropbox.com", "example.com", "example.org", "example.net",
)
# Sign-in servers: refused even with a path (an on-premises server is never called that).
_SIGNIN_FIRST_LABELS = {"adfs", "sts", "login"}
# First path segments that are Dynamics' own and never an org name (lower case).
CRM_ROOT_PATHS = frozenset({
    "main.aspx", "default.aspx", "api", "xrmservices", "apps", "webresources", "tools",
    "uclient", "nga", "organizationdata.svc", "appwebservices", "isv", "_root", "_common",
    "_forms", "_grid", "_controls", "_static", "_imgs", "_nav", "_resources", "_ui",
})
# Further paths seen under an org (CRM 2011-era pages); after an org segment they confirm
# the address is Dynamics, but as a first segment they may also be an org's name.
_CRM_PATHS = CRM_ROOT_PATHS | {
    "form", "sfa", "cs", "ma", "biz", "workplace", "userdefined", "crmreports", "activities",
    "advancedfind", "m", "services", "home", "homepage", "dashboards", "settings", "g",
    "sitemap", "search", "entities", "loader.aspx",
}
_ORG_SEGMENT_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_LABEL_RE = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")
_ORG_LABEL_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_INVISIBLE = dict.fromkeys(map(ord, "\r\n\t\v\f\u200b\u200c\u200d\u2060\ufeff\u00ad"))


# -- the parser --------------------------------------------------------------------------

def parse_org_url(text: object,
                  clouds: Mapping[str, Cloud] | Iterable[Cloud] | None = None) -> OrgUrl:
    """Return the organization address in ``text`` or raise ``InvalidOrgUrl``.

    No control or invisible character survives (also none written percent-encoded, such as
    a trailing ``%0A``), and the result parses to itself: ``parse(parse(t).base_url)``
    equals ``parse(t)``.
    """
    found = _parse(text, clouds)
    for url in (found.base_url, found.api_url):
        if _has_control(url) or any(c.isspace() for c in url):
            raise E.ControlCharacters()
    return found


def _parse(text: object, clouds: Mapping[str, Cloud] | Iterable[Cloud] | None) -> OrgUrl:
    parts = _split(_clean(text))
    if isinstance(clouds, Mapping):
        clouds = clouds.values()
    # Built-in clouds (e.g. from Engine.clouds) are handled by the rules below; their
    # broad org_domains ("dynamics.com") would otherwise swallow the picker and portals.
    custom = [c for c in (clouds or ()) if not getattr(c, "builtin", False)]
    for cloud in custom:
        found = _match_custom_cloud(parts, cloud)
        if found is not None:
            return found
    _refuse_known_non_orgs(parts)
    for finder in (_match_builtin_online, _match_server):
        found = finder(parts)
        if found is not None:
            return found
    raise E.NotDynamicsAtAll()


@dataclass(frozen=True)
class _Parts:
    scheme: str | None     # "http" / "https" / None when not given
    host: str              # lower case, IDNA, no trailing dot, no brackets
    port: int | None       # None when not given or the scheme's default
    segments: tuple[str, ...]  # decoded path segments, empty ones dropped
    is_ip: bool
    netloc_host: str       # host as written in a URL (IPv6 in brackets)

    @property
    def labels(self) -> list[str]:
        return self.host.split(".")

    def host_port(self, default: int = 443) -> str:
        return f"{self.netloc_host}:{self.port or default}"


def _clean(text: object) -> str:
    if text is None:
        raise E.NoAddress()
    if not isinstance(text, str):
        raise E.NotText()
    if len(text) > MAX_LENGTH:
        raise E.TooLong()
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).strip()
    for _ in range(3):
        stripped = text.strip().strip("\"'`").strip()
        if stripped.startswith("<") and stripped.endswith(">"):
            stripped = stripped[1:-1].strip()
        if stripped == text:
            break
        text = stripped
    text = text.rstrip(".,;")
    if not text:
        raise E.NoAddress()
    if re.match(r"^https?%3a", text, re.IGNORECASE):
        text = unquote(text)
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise E.ControlCharacters()
    if any(c.isspace() for c in text):
        text = _address_in_sentence(text)
    if any(c.isspace() for c in text):
        raise E.HasSpaces()
    return text.replace("\\", "/")


def _address_in_sentence(text: str) -> str:
    """The one web address in a sentence ("Our CRM: https://...") if that is clear-cut."""
    tokens = [t.strip("\"'`<>()[]{},;") for t in text.split()]
    addresses = [t for t in tokens if "://" in t]
    others = [t for t in tokens if "://" not in t]
    if len(addresses) == 1 and not any("." in t or "/" in t or "@" in t for t in others):
        return addresses[0].rstrip(".,;:")
    return text


def _split(text: str) -> _Parts:
    if re.match(r"^[a-z]:/", text, re.IGNORECASE):
        raise E.FilePath()
    scheme: str | None = None
    m = _SCHEME_RE.match(text)
    rest = text
    if m and (m.group(1).lower() in ("http", "https")
              or not re.match(r"^\d+(?:[/?#]|$)", text[m.end():])):
        scheme = m.group(1).lower()
        rest = text[m.end():]
        if scheme not in ("http", "https"):
            raise _scheme_error(scheme)
        rest = rest.lstrip("/")
    elif text.startswith("//"):
        rest = text[2:]
    for sep in ("#", "?"):
        rest = rest.split(sep, 1)[0]
    netloc, _, path = rest.partition("/")
    if "@" in netloc:
        userinfo = netloc.rpartition("@")[0]
        if ":" in userinfo:
            raise E.HasPassword()
        if scheme is None and not path:
            raise E.EmailAddress()
        raise E.HasUserName()
    host, port = _split_host_port(netloc)
    segments = tuple(unquote(s) for s in path.split("/") if s)
    if any(_has_control(seg) for seg in segments):
        # e.g. "/contoso%0A": decoded, a line break would become part of the org name
        raise E.ControlCharacters()
    return _Parts(scheme, host, _drop_default_port(scheme, port), segments,
                  _is_ip(host), f"[{host}]" if ":" in host else host)


def _scheme_error(scheme: str) -> InvalidOrgUrl:
    if scheme == "mailto":
        return E.MailtoLink()
    if scheme == "file":
        return E.FilePath()
    if scheme in ("ftp", "ftps", "sftp", "ssh", "ws", "wss", "ldap", "smb", "tel", "data",
                  "javascript", "about", "chrome", "edge", "urn", "ms-outlook", "outlook"):
        return E.OtherScheme(scheme=scheme)
    return E.NotWebAddress()


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 or unicodedata.category(c) in ("Cc", "Cf", "Zl",
                                                                          "Zp")
               for c in text)


def _split_host_port(netloc: str) -> tuple[str, int | None]:
    netloc = unquote(netloc)
    if _has_control(netloc) or any(c.isspace() for c in netloc):
        raise E.ControlCharacters()
    port_text = ""
    if netloc.startswith("["):
        host, sep, after = netloc[1:].partition("]")
        if not sep or (after and not after.startswith(":")):
            raise E.BadServerPart()
        port_text = after[1:]
        try:
            host = ipaddress.IPv6Address(host).compressed
        except ValueError:
            raise E.BadServerPart() from None
    else:
        if netloc.count(":") > 1:
            raise E.UnbracketedIpv6()
        host, _, port_text = netloc.partition(":")
        host = _normalise_host(host)
    port: int | None = None
    if port_text:
        if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise E.BadPort()
        port = int(port_text)
    return host, port


def _normalise_host(host: str) -> str:
    host = host.lower().rstrip(".")
    if not host:
        raise E.NoServerName()
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except (UnicodeError, ValueError):
            raise E.BadServerName() from None
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL_RE.match(label) for label in labels):
        raise E.BadServerName()
    if labels[-1].isdigit():
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise E.BadServerName() from None
    return host


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _drop_default_port(scheme: str | None, port: int | None) -> int | None:
    if port == {"http": 80, "https": 443, None: 443}[scheme]:
        return None
    return port


def _url(scheme: str, netloc_host: str, port: int | None, path: str = "") -> str:
    default = 80 if scheme == "http" else 443
    netloc = netloc_host if port in (None, default) else f"{netloc_host}:{port}"
    return f"{scheme}://{netloc}{path}"


# -- custom clouds -------------------------------------------------------------------------

def _match_custom_cloud(parts: _Parts, cloud: Cloud) -> OrgUrl | None:
    hosts = {k.lower(): v for k, v in cloud.org_hosts.items()}
    key = parts.host_port()
    details = hosts.get(key)
    if details is None and parts.port is None:
        details = hosts.get(parts.netloc_host)
    if details is not None:
        base = _url("https", parts.netloc_host, parts.port or 443)
        name = details.get("url_name") or details.get("unique_name") or details.get("org_name")
        region = details.get("region")
        return OrgUrl(base, "online", cloud.name, str(region) if region else None,
                      parts.host, str(name) if name else None, base,
                      "https", parts.port)
    for domain in cloud.org_domains:
        domain = domain.lower().strip(".")
        if parts.host == domain:
            raise E.CustomCloudWithoutOrg(cloud=cloud.display_name, domain=domain)
        if not domain or not parts.host.endswith("." + domain):
            continue
        labels = parts.host[: -len(domain) - 1].split(".")
        if len(labels) == 2 and labels[1] == "api":
            labels = labels[:1]
        if len(labels) != 1 or not _ORG_LABEL_RE.match(labels[0]):
            raise E.CustomCloudNotOrg(cloud=cloud.display_name, domain=domain)
        if labels[0] in _DISCOVERY_LABELS:
            raise _discovery_error()
        host = f"{labels[0]}.{domain}"
        base = _url("https", host, parts.port)
        return OrgUrl(base, "online", cloud.name, None, host, labels[0], base, "https",
                      parts.port)
    _refuse_cloud_service(parts, cloud)
    return None


def _refuse_cloud_service(parts: _Parts, cloud: Cloud) -> None:
    """The custom cloud's sign-in and discovery addresses are not orgs."""
    first = parts.segments[0].lower() if parts.segments else ""
    auth_hosts = {cloud.authority_host.lower()}
    if ":" not in cloud.authority_host:
        auth_hosts.add(cloud.authority_host.lower() + ":443")
    if _key_in(parts, auth_hosts) and (first in {cloud.tenant.lower(), "adfs", "oauth2",
                                                "common", "organizations", "consumers"}):
        raise _signin_error()
    disco = cloud.discovery_url.lower().split("://", 1)[-1].split("/", 1)[0]
    disco_hosts = {disco} | ({disco + ":443"} if ":" not in disco else set())
    if _key_in(parts, disco_hosts) and (not parts.segments or first == "api"
                                       and len(parts.segments) > 1
                                       and parts.segments[1].lower() == "discovery"):
        raise _discovery_error()


def _key_in(parts: _Parts, hosts: set[str]) -> bool:
    return parts.host_port() in hosts or (parts.port is None and parts.netloc_host in hosts)


# -- Microsoft's own addresses -----------------------------------------------------------

def _signin_error() -> InvalidOrgUrl:
    return E.MicrosoftSignInPage()


def _discovery_error() -> InvalidOrgUrl:
    return E.DiscoveryAddress()


def _picker_error() -> InvalidOrgUrl:
    return E.OrgPicker()


def _portal_error(what: str) -> InvalidOrgUrl:
    return E.AdminPortal(portal=what)


def _under(host: str, domains: Iterable[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def _refuse_known_non_orgs(parts: _Parts) -> None:
    host = parts.host
    first_seg = parts.segments[0].lower() if parts.segments else ""
    if any(s.lower() == "discovery.svc" for s in parts.segments):
        raise _discovery_error()
    if host in _SIGNIN_HOSTS or host.startswith("login.") and _under(host, _MICROSOFT_DOMAINS):
        raise _signin_error()
    if host in ("microsoft.com", "www.microsoft.com") and first_seg == "devicelogin":
        raise _signin_error()
    if host in _PORTAL_HOSTS:
        raise _portal_error(_PORTAL_HOSTS[host])
    if host in _PICKER_HOSTS:
        raise _picker_error()
    labels = parts.labels
    if _under(host, ("operations.dynamics.com", "operations.dynamics.cn",
                     "operations.microsoftdynamics.us", "axcloud.dynamics.com")):
        raise E.FinanceAndOperations()
    if _under(host, ("powerappsportals.com", "powerappsportals.us", "microsoftcrmportals.com",
                     "powerpagesites.com")):
        raise E.PowerPagesSite()
    if len(labels) >= 3 and labels[0] == "globaldisco":
        raise _discovery_error()
    if _under(host, _DYNAMICS_DOMAINS):
        # Instance picker and discovery under an org domain (port.crm4.dynamics.com, ...).
        if len(labels) >= 3 and labels[0] in _PICKER_LABELS:
            raise _picker_error()
        if len(labels) >= 3 and labels[0] in _DISCOVERY_LABELS:
            raise _discovery_error()
        return  # the built-in online matcher decides
    if _under(host, ("powerapps.com", "powerapps.us", "powerapps.cn", "powerautomate.com",
                     "powerplatform.com", "powerplatform.microsoft.com",
                     "powerplatform.microsoft.us")):
        raise _portal_error("a Power Platform portal")
    if _under(host, _MICROSOFT_DOMAINS):
        raise E.MicrosoftService()
    if _under(host, _WEBSITES) or re.match(r"^(www\.)?google\.[a-z.]+$", host):
        raise E.PublicWebsite()


# -- online orgs in the built-in clouds ----------------------------------------------------

def _match_builtin_online(parts: _Parts) -> OrgUrl | None:
    host = parts.host
    inner = "." + host + "."
    if not _under(host, _DYNAMICS_DOMAINS) and any(f".{d}." in inner for d in _DYNAMICS_DOMAINS):
        raise E.Lookalike(host=parts.host)
    m = _COMMERCIAL_RE.match(host)
    if m:
        crm = m.group("crm")
        org = m.group("org")
        if not org:
            raise E.CloudWithoutOrg(domain=f"{crm}.dynamics.com")
        cloud = "gcc" if crm == _GCC_CRM else "commercial"
        region = COMMERCIAL_REGIONS.get(crm) if cloud == "commercial" else None
        return _online(org, f"{crm}.dynamics.com", cloud, region)
    for domain, cloud in _SOVEREIGN_DOMAINS:
        if host == domain:
            raise E.CloudWithoutOrg(domain=domain)
        if host.endswith("." + domain):
            labels = host[: -len(domain) - 1].split(".")
            if len(labels) == 2 and labels[1] == "api":
                labels = labels[:1]
            if len(labels) == 1:
                return _online(labels[0], domain, cloud, None)
    if _under(host, _DYNAMICS_DOMAINS):
        raise E.DynamicsNotOrg()
    return None


def _online(org: str, domain: str, cloud: str, region: str | None) -> OrgUrl:
    if org.startswith("xn--"):
        raise E.PunycodeOrgName()
    if not _ORG_LABEL_RE.match(org):
        raise E.BadOrgName()
    if org in _DISCOVERY_LABELS:
        raise _discovery_error()
    if org in _PICKER_LABELS:
        raise _picker_error()
    host = f"{org}.{domain}"
    return OrgUrl(f"https://{host}", "online", cloud, region, host, org,
                  f"https://{org}.api.{domain}", "https", None)


# -- on-premises and IFD -------------------------------------------------------------------

def _looks_like_org_segment(segment: str) -> bool:
    s = segment.lower()
    return bool(_ORG_SEGMENT_RE.match(s)) and s not in CRM_ROOT_PATHS


def _is_crm_page(segment: str) -> bool:
    """A first path segment that is Dynamics' own (so the host alone is the org)."""
    s = segment.lower()
    return s in _CRM_PATHS or s.endswith((".aspx", ".svc"))


def _is_crm_path(segment: str) -> bool:
    """A segment after an org segment that Dynamics serves (pages, services, resources)."""
    s = segment.lower()
    return s in _CRM_PATHS or s.endswith((".aspx", ".svc", ".ashx", ".axd", ".js", ".css",
                                          ".htm", ".html", ".png", ".gif", ".svg", ".ico"))


def _onprem(parts: _Parts) -> OrgUrl:
    org = parts.segments[0].lower()
    scheme = parts.scheme or "https"
    port = parts.port
    if port == (80 if scheme == "http" else 443):
        port = None
    base = _url(scheme, parts.netloc_host, port, "/" + org)
    return OrgUrl(base, "onprem", None, None, parts.host, org, base, scheme, port)


def _match_server(parts: _Parts) -> OrgUrl | None:
    segs = parts.segments
    has_org = bool(segs) and _looks_like_org_segment(segs[0])
    if parts.is_ip:
        if has_org:
            return _onprem(parts)
        raise E.BareIp(server=parts.netloc_host)
    labels = parts.labels
    if len(labels) == 1:
        if has_org:
            return _onprem(parts)
        raise E.ServerWithoutOrg(host=parts.host)
    if len(labels) >= 3 and labels[0] in _SIGNIN_FIRST_LABELS:
        raise E.NOT_ORG_FIRST_LABELS[labels[0]]()
    if has_org:
        if len(segs) > 1 and not _is_crm_path(segs[1]):
            raise E.NotDynamicsAddress()
        return _onprem(parts)
    if segs and not _is_crm_page(segs[0]):
        raise E.NotDynamicsAddress()
    if labels[0] in E.NOT_ORG_FIRST_LABELS:
        raise E.NOT_ORG_FIRST_LABELS[labels[0]]()
    if len(labels) == 2:
        raise E.DomainWithoutOrg(host=parts.host)
    port = parts.port if parts.port != 443 else None
    base = _url("https", parts.host, port)
    return OrgUrl(base, "ifd", None, None, parts.host, labels[0], base, "https", port)
