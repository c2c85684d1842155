"""One sync of a file-backed org with the DAV side, in its own process (the DAV crash test
kills it). argv: ORG_JSON INDEX_PATH DAV_URL CA_FILE USER. The password arrives on stdin.
Prints ``ready``, ``response`` after each HTTP response to the DAV server, ``done``."""

from __future__ import annotations

import sys


def main() -> int:
    org_json, index, url, ca_file, user = sys.argv[1:6]
    password = sys.stdin.readline().strip()
    from wizard.engine.http import make_session
    from wizard.engine.sync.dav import DavClient, DavSide, choose, discover
    from wizard.engine.sync.engine import Synchronizer
    from wizard.engine.sync.orgside import FileOrgSide

    session = make_session(ca_bundles=[ca_file])
    client = DavClient(session, url, user=user, password=password)
    side = DavSide(client, choose(discover(client)), index)
    side.parallel_writes = 1               # one write per counted response
    session.hooks["response"].append(lambda response, *a, **kw: print("response", flush=True))
    org = FileOrgSide(org_json, "user-me")
    sync = Synchronizer(side, org, stamp_store=side.stamp_store, batch_size=3)
    print("ready", flush=True)
    sync.run(allow_mass_delete=True)
    print("done", flush=True)
    side.close()
    session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
