#!/usr/bin/env python3
"""Time to first window: ``d365-wizard`` with 20 orgs configured vs a bare PySide6 window.

Each run is a fresh process; the clock runs from spawning it to the first paint of a
top-level window (seen by an event filter installed before the app code runs). The
median of N runs of each is printed, and their ratio (target: at most 1.5).

    python tests/benchmarks/bench_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import os, sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

state = {"complete": sys.argv[1] == "bare"}

class Paints(QObject):
    # First paint of a top-level window; for the wizard also the first paint after the
    # full window was built (it paints its frame first, then builds the rest).
    first = None
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and obj.isWidgetType() and obj.isWindow():
            now = time.time()
            if self.first is None:
                self.first = now
                print(f"painted {now:.6f}", flush=True)
            if state["complete"]:
                print(f"complete {now:.6f}", flush=True)
                os._exit(0)
        return False

app = QApplication([sys.argv[0]])
spy = Paints()
app.installEventFilter(spy)
if sys.argv[1] == "bare":
    from PySide6.QtWidgets import QMainWindow
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.resize(980, 520)
    window.show()
    app.exec()
else:
    from wizard.gui import main_window
    original = main_window.MainWindow._complete
    def complete(self):
        original(self)
        state["complete"] = True
        self.update()
    main_window.MainWindow._complete = complete
    from wizard.gui.app import main
    main(["--home", sys.argv[2]])
"""


def seed_home(home: Path, count: int = 20) -> None:
    sys.path.insert(0, str(ROOT))
    from wizard.engine.orgs import OrgProfile, OrgRegistry
    from wizard.engine.paths import AppPaths
    from wizard.engine.secrets import MemorySecretStore
    from wizard.engine.stamp import MailboxStore

    paths = AppPaths.resolve(home).ensure()
    registry = OrgRegistry(paths.registry_file, secrets=MemorySecretStore(),
                           mailbox=MailboxStore(paths.mailbox_db))
    for i in range(count):
        registry.add(OrgProfile(base_url=f"https://org{i:02d}.crm{i % 8 or ''}.dynamics.com",
                                display_name=f"Org {i:02d}", unique_name=f"org{i:02d}",
                                org_id=f"00000000-0000-4000-8000-{i:012d}", kind="online",
                                cloud="commercial", user="alice@contoso.example", auth_method="oauth"))


def once(kind: str, home: Path) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "D365_WIZARD_HOME": str(home),
           # An installed app runs from compiled bytecode; keep it outside the checkout.
           "PYTHONPYCACHEPREFIX": str(home.parent / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.time()
    done = subprocess.run([sys.executable, "-c", PROBE, kind, str(home)], env=env, capture_output=True,
                          text=True, timeout=120)
    marks = dict(line.split() for line in done.stdout.splitlines() if line.startswith(("painted", "complete")))
    if "complete" not in marks:
        raise SystemExit(f"{kind} never painted: {done.stderr[-2000:]}")
    return float(marks["painted"]) - started, float(marks["complete"]) - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        seed_home(home)
        once("bare", home)            # warm the file cache for both
        once("wizard", home)
        bare, first, full = [], [], []
        for _ in range(args.runs):     # interleaved, so load changes hit both alike
            bare.append(once("bare", home)[0])
            painted, complete = once("wizard", home)
            first.append(painted)
            full.append(complete)

    def show(label: str, values: list[float]) -> float:
        median = statistics.median(values)
        runs = ", ".join(f"{v * 1000:.0f}" for v in values)
        print(f"{label:<42} median {median * 1000:5.0f} ms  (runs: {runs})")
        return median

    b = show("bare PySide6 window, first paint:", bare)
    w = show("d365-wizard (20 orgs), first paint:", first)
    c = show("d365-wizard (20 orgs), full window painted:", full)
    print(f"ratio first window  wizard / bare: {w / b:.2f}  (target <= 1.5)")
    print(f"ratio full window   wizard / bare: {c / b:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
