"""Microsoft clouds (where to sign in, where discovery lives, which org hosts belong to it).

Built-in clouds follow REFERENCE.md. Custom clouds (sovereign, ADFS, the sandbox) come
from ``--cloud-file`` JSON files::

    {
      "name": "sandbox",                      # key, lower case, no spaces
      "display_name": "Sandbox (Contoso)",
      "authority": "https://127.0.0.1:44360/<tenant>",   # msal authority incl. tenant path
      "discovery_url": "https://127.0.0.1:44360",        # Global Discovery base URL
      "org_domains": ["crm.contoso.example"],            # host suffixes of online orgs
      "org_hosts": {"127.0.0.1:44361": {"region": "NAM"}},  # exact host[:port] online orgs
      "ca_bundle": "/path/to/ca.pem",                    # optional extra trusted CA (PEM)
      "client_id": "51f81489-12ee-4a9e-aaae-a2591f45987d", # optional
      "adfs": false                                      # optional: authority is ADFS
    }
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard.engine.errors import ConfigError

SAMPLE_CLIENT_ID = "51f81489-12ee-4a9e-aaae-a2591f45987d"

# Commercial regions by the number in crmN.dynamics.com (Microsoft's datacenter table;
# 19-22 from community sources). Unknown numbers are commercial with an unknown region.
COMMERCIAL_REGIONS: dict[str, str] = {
    "crm": "NAM", "crm2": "SAM", "crm3": "CAN", "crm4": "EUR", "crm5": "APJ", "crm6": "OCE",
    "crm7": "JPN", "crm8": "IND", "crm11": "GBR", "crm12": "FRA", "crm14": "ZAF",
    "crm15": "UAE", "crm16": "GER", "crm17": "CHE", "crm19": "NOR", "crm20": "SGP",
    "crm21": "KOR", "crm22": "SWE",
}


@dataclass(frozen=True)
class Cloud:
    name: str
    display_name: str
    authority_host: str                  # e.g. "login.microsoftonline.com" or "127.0.0.1:44360"
    discovery_url: str                   # Global Discovery Service base, no trailing slash
    org_domains: tuple[str, ...] = ()    # host suffixes, e.g. ("crm.dynamics.com",)
    tenant: str = "organizations"        # authority path segment
    org_hosts: dict[str, dict[str, Any]] = field(default_factory=dict)
    ca_bundle: str | None = None
    client_id: str = SAMPLE_CLIENT_ID
    adfs: bool = False
    builtin: bool = True

    @property
    def authority(self) -> str:
        return f"https://{self.authority_host}/{self.tenant}"

    def authority_for(self, tenant: str | None) -> str:
        return f"https://{self.authority_host}/{tenant or self.tenant}"

    @property
    def discovery_scope(self) -> str:
        # Microsoft's sample uses the double slash; Entra accepts it.
        return f"{self.discovery_url}//user_impersonation"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "display_name": self.display_name,
            "authority": self.authority, "discovery_url": self.discovery_url,
            "org_domains": list(self.org_domains), "org_hosts": self.org_hosts,
            "ca_bundle": self.ca_bundle, "client_id": self.client_id, "adfs": self.adfs,
        }


BUILTIN_CLOUDS: dict[str, Cloud] = {c.name: c for c in (
    Cloud("commercial", "Commercial", "login.microsoftonline.com",
          "https://globaldisco.crm.dynamics.com", ("dynamics.com",)),
    Cloud("gcc", "GCC", "login.microsoftonline.com",
          "https://globaldisco.crm9.dynamics.com", ("crm9.dynamics.com",)),
    Cloud("gcchigh", "GCC High", "login.microsoftonline.us",
          "https://globaldisco.crm.microsoftdynamics.us", ("crm.microsoftdynamics.us",)),
    Cloud("dod", "DoD", "login.microsoftonline.us",
          "https://globaldisco.crm.appsplatform.us", ("crm.appsplatform.us",)),
    Cloud("china", "China", "login.chinacloudapi.cn",
          "https://globaldisco.crm.dynamics.cn", ("crm.dynamics.cn",)),
)}


MAX_CLOUD_FILE_BYTES = 256_000
# Keys and values that mean a secret: a cloud file describes public endpoints only (the app
# is a public client), so one that carries a secret is refused, never used or copied.
SECRET_KEY = re.compile(
    r"pass(word|wd|phrase)?|pwd|secret|token|credential|cookie|api_?key|auth(orization)?$"
    r"|bearer|assertion|private_?key|refresh|session", re.IGNORECASE)
SECRET_VALUE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}|://[^/\s@]*:[^/\s@]*@")


def find_secret(data: Any, where: str = "") -> tuple[str, str] | None:
    """``(path, "key"|"value")`` of the first secret-looking key or value in ``data``."""
    if isinstance(data, dict):
        for k, v in data.items():
            path = f"{where}.{k}" if where else str(k)
            if SECRET_KEY.search(str(k)):
                return path, "key"
            found = find_secret(v, path)
            if found:
                return found
    elif isinstance(data, list):
        for i, v in enumerate(data):
            found = find_secret(v, f"{where}[{i}]")
            if found:
                return found
    elif isinstance(data, str) and SECRET_VALUE.search(data):
        return where, "value"
    return None


class CloudFileSecret(ConfigError):
    code = "cloud_file_contains_secret"
    template = ("The cloud file {path} contains “{field}”, which looks like a password, "
                "secret or token. Cloud files never carry secrets (d365-wizard signs in as a "
                "public client), so it was not used.")
    fix_template = ("Remove it from the file; credentials are entered when signing in and "
                    "saved only in the OS keyring.")


class CloudFileMissing(ConfigError):
    template = "The cloud file {path} does not exist."
    fix_template = "Check the path given to --cloud-file."


class CloudFileUnreadable(ConfigError):
    """``cause`` is the file problem; its code is reported."""

    keeps_cause_code = True
    template = "{cause}"


class CloudFileNotObject(ConfigError):
    template = "The cloud file {path} must hold a JSON object."


class CloudFieldMissing(ConfigError):
    """``source`` names the cloud file (or definition), ``field`` the missing field."""

    template = "{source}: the field '{field}' is missing or empty."
    fix_template = "Ask your administrator for a corrected cloud file."


class AuthorityNotHttps(ConfigError):
    template = "{source}: 'authority' must be an https:// URL."
    fix_template = "Sign-in only works over HTTPS."


class CaBundleNotPath(ConfigError):
    template = "{source}: 'ca_bundle' must be a file path."


class OrgDomainsNotList(ConfigError):
    template = "{source}: 'org_domains' must be a list of host suffixes."


class OrgHostsNotMap(ConfigError):
    template = "{source}: 'org_hosts' must map host[:port] to details."


class UnknownCloud(ConfigError):
    template = "Unknown cloud '{name}'."
    fix_template = "Use one of: {choices}, or give --cloud-file."


def load_cloud_file(path: str | Path) -> Cloud:
    """Read a custom cloud definition; errors say which field is wrong."""
    from wizard.engine.fileio import FileNotFound, FileProblem, read_json

    p = Path(path)
    try:
        raw = read_json(p, what="the cloud file", max_bytes=MAX_CLOUD_FILE_BYTES)
    except FileNotFound as exc:
        raise CloudFileMissing(path=str(p)) from exc
    except FileProblem as exc:
        raise CloudFileUnreadable(cause=exc, details=exc.details) from exc
    if not isinstance(raw, dict):
        raise CloudFileNotObject(path=str(p))
    secret = find_secret(raw)
    if secret is not None:
        raise CloudFileSecret(path=str(p), field=secret[0])
    return cloud_from_dict(raw, source=str(p))


def cloud_from_dict(raw: dict[str, Any], *, source: str = "cloud definition") -> Cloud:
    from urllib.parse import urlsplit

    def need(key: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise CloudFieldMissing(source=source, field=key)
        return value.strip()

    name = need("name").lower()
    authority = urlsplit(need("authority"))
    if authority.scheme != "https" or not authority.netloc:
        raise AuthorityNotHttps(source=source)
    tenant = authority.path.strip("/") or "organizations"
    discovery = need("discovery_url").rstrip("/")
    ca_bundle = raw.get("ca_bundle")
    if ca_bundle is not None and not isinstance(ca_bundle, str):
        raise CaBundleNotPath(source=source)
    domains = raw.get("org_domains", [])
    hosts = raw.get("org_hosts", {})
    if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
        raise OrgDomainsNotList(source=source)
    if not isinstance(hosts, dict):
        raise OrgHostsNotMap(source=source)
    return Cloud(
        name=name, display_name=str(raw.get("display_name") or name),
        authority_host=authority.netloc, tenant=tenant, discovery_url=discovery,
        org_domains=tuple(d.lower().strip(".") for d in domains),
        org_hosts={h.lower(): dict(v or {}) for h, v in hosts.items()},
        ca_bundle=ca_bundle, client_id=str(raw.get("client_id") or SAMPLE_CLIENT_ID),
        adfs=bool(raw.get("adfs", False)), builtin=False,
    )


def get_cloud(name: str, custom: dict[str, Cloud] | None = None) -> Cloud:
    key = name.strip().lower().replace(" ", "").replace("-", "").replace("_", "")
    merged = {**BUILTIN_CLOUDS, **(custom or {})}
    if key in merged:
        return merged[key]
    raise UnknownCloud(name=name, choices=", ".join(merged))
