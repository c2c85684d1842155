"""Shared by the server-side switch tests: an engine signed in to sandbox orgs, and the
sandbox's own view of the user's mailbox records."""

from __future__ import annotations

from wizard.engine.connect import SignInOptions
from wizard.engine.context import Engine
from wizard.engine.paths import AppPaths
from wizard.engine.secrets import MemorySecretStore
from wizard.sandbox import seed

ALICE = f"alice@{seed.TENANT_DOMAIN}"
BOB = f"bob@{seed.TENANT_DOMAIN}"
NA, JP = "contosona", "contosojp"
ORG_ID = {o.unique_name: o.org_id for o in seed.ORGS}


def signed_in_engine(sandbox, home, user=ALICE, orgs=(NA, JP)) -> Engine:
    """An engine on ``home`` with ``orgs`` added (and signed in) as ``user``; the first org
    synchronizes (the registry's rule for the first org). Test & Enable results are read
    without waiting between reads."""
    engine = Engine(AppPaths.resolve(home).ensure(), cloud_files=[sandbox.cloud_file],
                    secret_store=MemorySecretStore())
    options = SignInOptions(method="password", username=user, password=seed.PRACTICE_PASSWORD)
    for name in orgs:
        engine.connector.add_org(sandbox.org_urls[name], options)
    engine.switcher.poll_interval = 0
    return engine


def box(sandbox, org: str, user: str = ALICE) -> dict:
    """The user's mailbox record as the sandbox holds it (runs a scheduled Test & Enable
    first, as a read through the Web API would)."""
    sandbox.store.exchange.run_scheduled(org)
    return next(r for r in sandbox.store.rows(org, "mailbox") if r["emailaddress"] == user)


def synchronizing(sandbox, orgs=(NA, JP), user: str = ALICE) -> list[str]:
    """The orgs whose record synchronizes appointments, contacts and tasks (not None)."""
    return [o for o in orgs if box(sandbox, o, user)["actdeliverymethod"] != 2]


def marked_primary(sandbox, orgs=(NA, JP), user: str = ALICE) -> list[str]:
    return [o for o in orgs if box(sandbox, o, user)["orgmarkedasprimaryforexchangesync"]]


def key_of(engine: Engine, unique_name: str) -> str:
    return engine.registry.get(unique_name).key
