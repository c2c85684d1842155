"""Global Discovery Service v2.0: the orgs a signed-in user belongs to, per cloud."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import requests

from wizard.engine.clouds import Cloud
from wizard.engine.dataverse import error_for
from wizard.engine.errors import WizardError
from wizard.engine.http import network_error

INSTANCES_PATH = "/api/discovery/v2.0/Instances"


class DiscoveryError(WizardError):
    code = "discovery_failed"


class DiscoveryRefused(DiscoveryError):
    """The service answered with an error (``cause``: the Web API error; its code is kept)."""

    keeps_cause_code = True
    template = "{cause}"


class DiscoveryUnexpected(DiscoveryError):
    template = "The discovery service answered with something unexpected."


@dataclass(frozen=True)
class DiscoveredOrg:
    org_id: str
    unique_name: str
    url_name: str
    friendly_name: str
    url: str
    api_url: str
    region: str | None
    version: str | None
    state: int
    tenant_id: str | None
    environment_id: str | None
    status_message: str | None
    can_add: bool
    reason: str | None  # why it cannot be added

    @property
    def state_label(self) -> str:
        return "enabled" if self.state == 0 else "disabled"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["state_label"] = self.state_label
        return out


def _instance(raw: dict[str, Any]) -> DiscoveredOrg:
    state = raw.get("State")
    try:
        state_n = int(state) if state is not None else 0
    except (TypeError, ValueError):
        state_n = 1 if str(state).lower() == "disabled" else 0
    can_add = state_n == 0
    reason = None
    if not can_add:
        reason = ("This organization is disabled" + (
            f" ({raw['StatusMessage']})" if raw.get("StatusMessage") else "")
            + ". Ask your administrator to enable it.")
    return DiscoveredOrg(
        org_id=str(raw.get("Id") or ""), unique_name=str(raw.get("UniqueName") or ""),
        url_name=str(raw.get("UrlName") or ""),
        friendly_name=str(raw.get("FriendlyName") or raw.get("UniqueName") or ""),
        url=str(raw.get("Url") or "").rstrip("/"), api_url=str(raw.get("ApiUrl") or "").rstrip("/"),
        region=raw.get("Region") or None, version=raw.get("Version") or None, state=state_n,
        tenant_id=raw.get("TenantId") or None, environment_id=raw.get("EnvironmentId") or None,
        status_message=raw.get("StatusMessage") or None, can_add=can_add, reason=reason)


def list_instances(session: requests.Session, cloud: Cloud,
                   token_provider: Callable[[], str]) -> list[DiscoveredOrg]:
    """Every org of the signed-in user in ``cloud``, enabled first, then by name."""
    url = cloud.discovery_url.rstrip("/") + INSTANCES_PATH
    headers = {"Accept": "application/json", "OData-MaxVersion": "4.0", "OData-Version": "4.0",
               "Authorization": token_provider()}
    try:
        response = session.get(url, headers=headers)
    except requests.exceptions.RequestException as exc:
        raise network_error(exc, url) from exc
    if response.status_code >= 400:
        err = error_for(response, org=f"The discovery service of {cloud.display_name}")
        raise DiscoveryRefused(cause=err, details=err.details)
    try:
        value = response.json().get("value")
    except (ValueError, AttributeError) as exc:
        raise DiscoveryUnexpected(details=response.text[:300]) from exc
    if not isinstance(value, list):
        raise DiscoveryUnexpected()
    orgs = [_instance(v) for v in value if isinstance(v, dict)]
    return sorted(orgs, key=lambda o: (not o.can_add, o.friendly_name.casefold()))


def discovery_scopes(cloud: Cloud) -> list[str]:
    return [cloud.discovery_scope]
