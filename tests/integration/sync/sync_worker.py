"""One sync run in its own process (the crash test kills it at random points).

argv: ORG_URL CA_FILE DB_PATH ORG_ID BATCH_SIZE. The access token arrives on stdin (never
on disk or the command line). Prints ``ready`` once set up, ``response`` after each HTTP
response (so the test can kill it at a counted point rather than at a moment of the clock),
and ``done`` when the run ends.
"""

from __future__ import annotations

import sys


def main() -> int:
    url, ca_file, db_path, org_id, batch_size = sys.argv[1:6]
    token = sys.stdin.readline().strip()
    from wizard.engine.dataverse import DataverseClient
    from wizard.engine.http import make_session
    from wizard.engine.mailstore import SqliteMailStore
    from wizard.engine.stamp import MailboxStore
    from wizard.engine.sync.engine import Synchronizer
    from wizard.engine.sync.webapi import DataverseOrgSide

    session = make_session(ca_bundles=[ca_file])
    session.hooks["response"].append(lambda response, *a, **kw: print("response", flush=True))
    client = DataverseClient(session, url, lambda: "Bearer " + token)
    side = DataverseOrgSide(client, org_id=org_id, org_name="sandbox", page_size=7)
    store = SqliteMailStore(db_path)
    sync = Synchronizer(store, side, stamp_store=MailboxStore(db_path),
                        batch_size=int(batch_size))
    print("ready", flush=True)
    sync.run(allow_mass_delete=True)
    print("done", flush=True)
    store.close()
    session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
