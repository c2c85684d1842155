"""How long a switch of the synchronizing org takes on the servers when every request is slow.

A 5-org switch (read every org's mailbox record, set four to None and the new org to
Server-Side Synchronization with "this org only", Test & Enable, wait for its result, read
every record back) against one org's same read + write, with LATENCY seconds added to every
sandbox request (the sandbox's ``latency`` fault). The orgs are read and written in
parallel, so the 5-org switch should take about as long as one org's (target: within 2x),
not five times as long.

Run: python tests/benchmarks/bench_switch.py [LATENCY] [ROUNDS]   (default 0.3 s, 3 rounds)
Not collected by pytest (speed goals are not tests). Prints the median of the rounds, each
measured side by side in the same run.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path


def main(latency: float = 0.3, rounds: int = 3) -> None:
    from wizard.engine.connect import SignInOptions
    from wizard.engine.context import Engine
    from wizard.engine.paths import AppPaths
    from wizard.engine.secrets import MemorySecretStore
    from wizard.sandbox import seed
    from wizard.sandbox.server import start_sandbox

    with start_sandbox(extra_orgs=3) as sandbox, tempfile.TemporaryDirectory() as tmp:
        names = ["contosona", "contosojp", "contosox1", "contosox2", "contosox3"]
        options = SignInOptions(method="password", username=f"alice@{seed.TENANT_DOMAIN}",
                                password=seed.PRACTICE_PASSWORD)

        def engine(home: str, orgs: list[str]) -> Engine:
            e = Engine(AppPaths.resolve(Path(tmp) / home).ensure(),
                       cloud_files=[sandbox.cloud_file], secret_store=MemorySecretStore())
            for name in orgs:
                e.connector.add_org(sandbox.org_urls[name], options)
            e.switcher.poll_interval = 0
            return e

        five = engine("five", names)
        single = engine("single", ["contosox1"])
        targets = ["contosojp", "contosox1"]

        def switch(e: Engine, target: str) -> tuple[float, int]:
            sandbox.store.exchange.reset()           # every round starts from the seed
            mark = sandbox.requests.mark()
            start = time.perf_counter()
            plan = e.switcher.plan(target)
            result = e.switcher.apply(plan, override=True)
            plan.close()
            elapsed = time.perf_counter() - start
            assert result.complete and result.test_enable.state == "success", result.lines()
            return elapsed, len(sandbox.requests.entries(since=mark))

        switch(five, targets[0])                     # warm up both (imports, connections)
        switch(single, "contosox1")
        sandbox.faults.set("latency", latency)
        one, fives, serial = [], [], []
        try:
            for n in range(rounds):
                t1, r1 = switch(single, "contosox1")
                t5, r5 = switch(five, targets[(n + 1) % 2])
                ts = sum(switch(single, "contosox1")[0] for _ in range(5))
                one.append(t1)
                fives.append(t5)
                serial.append(ts)
        finally:
            sandbox.faults.clear("latency")
        m1, m5, ms = (statistics.median(v) for v in (one, fives, serial))
        print(f"latency {latency:.3f} s per request, {rounds} rounds, medians:")
        print(f"  1 org, read + write (+ Test & Enable): {m1:.2f} s  ({r1} requests)")
        print(f"  5 orgs, one switch:                   {m5:.2f} s  ({r5} requests)  "
              f"= {m5 / m1:.2f} x one org (target <= 2)")
        print(f"  5 single-org switches, one by one:     {ms:.2f} s  = {ms / m1:.2f} x one org")
        print("  per round (1 org / 5 orgs): " + ", ".join(
            f"{a:.2f}/{b:.2f}" for a, b in zip(one, fives)))
        for e in (five, single):
            e.session.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    main(float(args[0]) if args else 0.3, int(args[1]) if len(args) > 1 else 3)
