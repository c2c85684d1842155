"""Engine parts wired against the sandbox: our session, real msal, the encrypted cache."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from wizard.engine.auth import Authenticator
from wizard.engine.connect import Connector
from wizard.engine.http import RetryPolicy, make_session
from wizard.engine.orgs import OrgRegistry
from wizard.engine.secrets import MemorySecretStore
from wizard.engine.stamp import MailboxStore
from wizard.engine.token_cache import EncryptedTokenCache


@dataclass
class Parts:
    session: object
    cache: EncryptedTokenCache
    auth: Authenticator
    connector: Connector
    secrets: MemorySecretStore
    registry: OrgRegistry
    mailbox: MailboxStore


@pytest.fixture
def parts(sandbox, wizard_home):
    secrets = MemorySecretStore()
    session = make_session(ca_bundles=[sandbox.ca_file],
                           retry=RetryPolicy(backoff_base=0.05, connect_retries=1))
    cache = EncryptedTokenCache(wizard_home / "cache" / "tokens.bin", secrets)
    auth = Authenticator(session=session, cache=cache)
    mailbox = MailboxStore(wizard_home / "data" / "mailbox.sqlite3")
    registry = OrgRegistry(wizard_home / "config" / "organizations.json", secrets=secrets,
                           mailbox=mailbox)
    connector = Connector(session=session, authenticator=auth, secrets=secrets,
                          clouds={"sandbox": sandbox.cloud}, registry=registry,
                          mailbox=mailbox)
    yield Parts(session, cache, auth, connector, secrets, registry, mailbox)
    session.close()
