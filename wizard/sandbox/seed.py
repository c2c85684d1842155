"""The sandbox tenant "Contoso": who and what exists, identical on every run.

Shared by the identity provider, Global Discovery and the Web API so they agree on
ids. Passwords here are public practice passwords for the sandbox only, documented
in wizard/sandbox/README.md; they are not secrets and never leave the sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TENANT_ID = "7f3c2a51-6b1e-4c1a-9d2e-0c5a1f2b3c4d"
TENANT_NAME = "Contoso"
TENANT_DOMAIN = "contoso.example"
# A second tenant, so "user not in tenant" and guest scenarios exist.
GUEST_TENANT_ID = "2b8e9f10-3c4d-4e5f-8a9b-1c2d3e4f5a6b"
PRACTICE_PASSWORD = "Contoso-Sandbox-1"
MFA_CODE = "424242"                 # the sandbox's one-time code for MFA users
NTLM_DOMAIN = "CONTOSO"


@dataclass(frozen=True)
class User:
    object_id: str                  # Entra object id (oid claim)
    upn: str                        # sign-in name
    display_name: str
    systemuser_id: str              # Dataverse systemuserid (same in every org, for simplicity)
    home_tenant_id: str = TENANT_ID
    sync_privilege: bool = True     # prvSyncToOutlook
    requires_mfa: bool = False
    disabled: bool = False
    orgs: tuple[str, ...] = ()      # unique names of the orgs the user belongs to
    # Tables the user's security role cannot read (no prvRead<Table>): reads answer 403.
    unreadable: tuple[str, ...] = ()

    @property
    def ntlm_name(self) -> str:
        return f"{NTLM_DOMAIN}\\{self.upn.split('@')[0]}"


@dataclass(frozen=True)
class Org:
    org_id: str                     # OrganizationId
    unique_name: str
    url_name: str
    friendly_name: str
    region: str                     # GDS "Region" (e.g. "NA", "JP")
    geo: str                        # RetrieveCurrentOrganization "Geo"
    environment_id: str
    version: str
    kind: str                       # "online" (own port), "onprem" (path on the main port)
    auth: str = "oauth"             # "oauth" (sandbox Entra), "ntlm", "adfs"
    state: int = 0                  # 0 enabled, 1 disabled
    datacenter_id: str = "f3b8e2a4-9c1d-4e6f-a7b8-c9d0e1f2a3b4"
    purpose: str = ""
    organization_type: int = 0      # 0 customer/production, 2 sandbox, ...
    extra: dict[str, str] = field(default_factory=dict)
    members: tuple[str, ...] | None = None  # sign-in names; None: the users' own ``orgs``


ORGS: tuple[Org, ...] = (
    Org("a1b2c3d4-0001-4000-8000-000000000001", "contosona", "contoso",
        "Contoso (North America)", "NA", "NA", "0f5a1b2c-0001-4000-8000-0000000000e1",
        "9.2.24101.00185", "online"),
    Org("a1b2c3d4-0002-4000-8000-000000000002", "contosojp", "contosojp",
        "Contoso (Japan)", "JP", "JP", "0f5a1b2c-0002-4000-8000-0000000000e2",
        "9.2.24101.00185", "online"),
    Org("a1b2c3d4-0003-4000-8000-000000000003", "contosoretired", "contosoretired",
        "Contoso (Retired)", "NA", "NA", "0f5a1b2c-0003-4000-8000-0000000000e3",
        "9.2.23071.00123", "online", state=1),
    Org("a1b2c3d4-0004-4000-8000-000000000004", "contosoonprem", "contosoonprem",
        "Contoso On-Premises", "", "", "", "9.1.28.11", "onprem", auth="ntlm"),
    Org("a1b2c3d4-0005-4000-8000-000000000005", "contosoadfs", "contosoadfs",
        "Contoso Claims (ADFS)", "", "", "", "9.1.28.11", "onprem", auth="adfs"),
)
ONLINE_ORGS = tuple(o for o in ORGS if o.kind == "online")
ALL_ORG_NAMES = tuple(o.unique_name for o in ORGS)

USERS: tuple[User, ...] = (
    User("c0ffee00-0001-4000-8000-00000000a11c", f"alice@{TENANT_DOMAIN}", "Alice Adams",
         "5e7a0001-0000-4000-8000-000000000001", orgs=ALL_ORG_NAMES),
    User("c0ffee00-0002-4000-8000-00000000b0b0", f"bob@{TENANT_DOMAIN}", "Bob Brown",
         "5e7a0002-0000-4000-8000-000000000002", sync_privilege=False,
         unreadable=("lead", "incident"),
         orgs=("contosona", "contosojp", "contosoonprem")),
    User("c0ffee00-0003-4000-8000-00000000ca01", f"carol@{TENANT_DOMAIN}", "Carol Clark",
         "5e7a0003-0000-4000-8000-000000000003", requires_mfa=True,
         orgs=("contosona", "contosojp")),
    User("c0ffee00-0004-4000-8000-00000000da7e", f"dave@{TENANT_DOMAIN}", "Dave Davis",
         "5e7a0004-0000-4000-8000-000000000004", disabled=True, orgs=("contosona",)),
    # A guest from another tenant, invited to the NA org only.
    User("c0ffee00-0005-4000-8000-00000000e1e1", "erin@fabrikam.example", "Erin Evans",
         "5e7a0005-0000-4000-8000-000000000005", home_tenant_id=GUEST_TENANT_ID,
         orgs=("contosona",)),
)


def is_member(user: User, org: Org) -> bool:
    if org.members is not None:
        return user.upn in org.members
    return org.unique_name in user.orgs


def extra_online_orgs(count: int) -> tuple[Org, ...]:
    """``count`` more online orgs Alice belongs to (``start_sandbox(extra_orgs=N)``: the
    switch benchmark needs five orgs that sign in alike)."""
    alice = f"alice@{TENANT_DOMAIN}"
    return tuple(
        Org(f"a1b2c3d4-01{i:02d}-4000-8000-0000000001{i:02d}", f"contosox{i}", f"contosox{i}",
            f"Contoso Extra {i}", "NA", "NA", f"0f5a1b2c-01{i:02d}-4000-8000-0000000001{i:02d}",
            "9.2.24101.00185", "online", members=(alice,))
        for i in range(1, count + 1))


def user_by_upn(upn: str) -> User | None:
    upn = upn.strip().lower()
    for u in USERS:
        if u.upn == upn or u.ntlm_name.lower() == upn:
            return u
    return None


def org_by_name(unique_name: str) -> Org | None:
    for o in ORGS:
        if o.unique_name == unique_name:
            return o
    return None
