#!/usr/bin/env python3
"""Longest GUI event-loop stall while the sandbox adds latency to every request.

A 5 ms timer ticks on the GUI thread; the longest gap between ticks, minus the interval,
is the stall. Meanwhile the window does real work against the sandbox with
``latency`` seconds added to every request: load the list and check each org's status,
sign in through the in-app form, discover orgs, connect (the full connection test), add,
switch the synchronizing org, run a connection test. Target: under 50 ms. With
``--sync-contacts N`` (the issue's figure: 20000) the sandbox's orgs hold N contacts and,
before the switch, *Synchronize Now* runs the initial sync of all of them into the mailbox
(its own phase in the report).

The journey acts like a person: the event loop turns between two actions, so one gap never
holds two clicks. The app's modules are byte-compiled first, as in an installed app. Each
stall is split into the GUI thread's own work, its wait for a CPU (Linux schedstat) and the
rest, its wait for the GIL; ``--explain`` adds garbage collections and the GUI-thread
callbacks and imports inside the worst gaps.

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_gui_stall.py [--latency 2] [--explain]
        [--sync-contacts 20000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def serve_sandbox(data_dir: str, conn, contacts: int | None = None) -> None:
    """Child process: the sandbox tenant, so its TLS, JWT signing and request handling do
    not share the GUI process's interpreter lock (a real Dynamics 365 is another machine)."""
    from wizard.sandbox.server import start_sandbox

    sandbox = start_sandbox(data_dir, contacts=contacts)
    conn.send({"cloud_file": str(sandbox.cloud_file)})
    while True:
        command = conn.recv()
        if command[0] == "set":
            sandbox.faults.set(command[1], command[2])
        elif command[0] == "reset":
            sandbox.faults.reset()
        else:
            break
        conn.send("ok")
    sandbox.stop()
    conn.send("stopped")


def runqueue_wait() -> float:
    """Milliseconds this thread has waited for a CPU while runnable (Linux), or -1."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            return int(f.read().split()[1]) / 1e6
    except (OSError, IndexError, ValueError):
        return -1.0


class RemoteFaults:
    def __init__(self, conn) -> None:
        self.conn = conn

    def set(self, name, value) -> None:
        self.conn.send(("set", name, value))
        self.conn.recv()

    def reset(self) -> None:
        self.conn.send(("reset",))
        self.conn.recv()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=2.0)
    parser.add_argument("--python-default-switch", action="store_true",
                        help="keep Python's 5 ms thread switch interval (the app sets 1 ms)")
    parser.add_argument("--explain", action="store_true",
                        help="also print garbage-collection pauses and the GUI-thread callbacks in the worst gaps")
    parser.add_argument("--in-process", action="store_true",
                        help="run the sandbox in this process (its work then competes for the GIL)")
    parser.add_argument("--sync-contacts", type=int, default=0, metavar="N",
                        help="N contacts per org, and a Synchronize Now (initial sync) phase")
    args = parser.parse_args()
    import compileall
    import multiprocessing

    # An installed app runs byte-compiled modules (pip compiles them at install, PyInstaller
    # bundles them). Compiling a module from source instead holds the GIL for up to 15 ms,
    # and this environment sets PYTHONDONTWRITEBYTECODE, so the cache is written here.
    compileall.compile_dir(str(ROOT / "wizard"), quiet=1)

    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWizard

    from wizard.engine.context import Engine
    from wizard.engine.paths import AppPaths
    from wizard.gui.add_org_wizard import PAGE_CONNECT, PAGE_PICK, PAGE_SIGN_IN, PAGE_SUMMARY
    from wizard.gui.main_window import MainWindow
    from wizard.gui.runtime import favour_gui_thread
    from wizard.gui.services import EngineServices
    from wizard.sandbox import seed
    from wizard.sandbox.server import start_sandbox

    app = QApplication([sys.argv[0]])
    if not args.python_default_switch:
        favour_gui_thread()            # as d365-wizard does
    home = Path(tempfile.mkdtemp(prefix="d365-stall-"))
    os.environ["D365_WIZARD_HOME"] = str(home)
    if args.in_process:
        sandbox = start_sandbox(home / "sandbox", contacts=args.sync_contacts or None)
        cloud_file, faults = sandbox.cloud_file, sandbox.faults
    else:
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe()
        child = context.Process(target=serve_sandbox, args=(str(home / "sandbox"), child_end,
                                                            args.sync_contacts or None), daemon=True)
        child.start()
        cloud_file = parent_end.recv()["cloud_file"]
        faults = RemoteFaults(parent_end)
    services = EngineServices(Engine(AppPaths.resolve(home / "profile").ensure(),
                                     cloud_files=[cloud_file]), sandbox_mode=True)
    window = MainWindow(services)
    window.show()

    gaps: list[tuple[float, str, float, float]] = []   # (wall ms, phase, GUI-thread CPU ms, its CPU wait ms)
    phase = ["start"]
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed(), time.thread_time(), runqueue_wait()]
    ends: list[float] = []                        # perf_counter() at each tick (for --explain)

    def tick() -> None:
        now, cpu, queued = clock.nsecsElapsed(), time.thread_time(), runqueue_wait()
        gaps.append(((now - last[0]) / 1e6, phase[0], (cpu - last[1]) * 1000, queued - last[2]))
        ends.append(time.perf_counter())
        last[0], last[1], last[2] = now, cpu, queued

    ticker = QTimer()
    ticker.setInterval(5)
    ticker.timeout.connect(tick)

    def wait_until(condition, timeout=600.0):
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise TimeoutError(phase[0])
            app.processEvents()
            time.sleep(0.001)

    def step(name: str) -> None:
        phase[0] = name

    def user(action) -> None:
        """One user action (a click, a keystroke). A person's actions are separate events,
        so the loop turns (two ticks) before each: one gap never holds two actions."""
        ticks = len(gaps)
        wait_until(lambda: len(gaps) >= ticks + 2)
        action()

    synced_counts: dict[str, int] = {}
    explainer = Explainer(phase) if args.explain else None
    # First the same ticker with nothing to do: what this machine's scheduler alone costs.
    ticker.start()
    step("idle baseline")
    idle_end = time.monotonic() + 3
    wait_until(lambda: time.monotonic() > idle_end)
    faults.set("latency", args.latency)
    started = time.monotonic()
    step("load list")
    loaded = []
    window.orgs_loaded.connect(lambda: loaded.append(1))
    window.start()
    wait_until(lambda: loaded)

    step("sign in (in-app form)")
    user(window.add)
    wizard = window.add_wizard
    start = wizard.currentPage()
    user(lambda: start.online_radio.setChecked(True))
    user(lambda: start.cloud_combo.setCurrentIndex(start.cloud_combo.findData("sandbox")))
    user(wizard.next)
    assert wizard.currentId() == PAGE_SIGN_IN
    page = wizard.currentPage()
    user(page.sign_in_button.click)
    wait_until(lambda: page.dialog is not None and page.dialog.isVisible())
    user(lambda: page.dialog.user_edit.setText("alice@contoso.example"))
    user(lambda: page.dialog.password_edit.setText(seed.PRACTICE_PASSWORD))
    user(page.dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click)
    wait_until(page.isComplete)
    step("discover")
    user(wizard.next)
    assert wizard.currentId() == PAGE_PICK
    pick = wizard.currentPage()
    wait_until(lambda: pick.loaded)
    user(pick.view.clearSelection)
    user(lambda: pick.select_unique_names({"contosona", "contosojp"}))
    step("connect (connection test x2)")
    user(wizard.next)
    assert wizard.currentId() == PAGE_CONNECT
    wait_until(lambda: wizard.currentPage().isComplete())
    user(wizard.next)
    assert wizard.currentId() == PAGE_SUMMARY
    step("add (Finish)")
    loaded.clear()
    user(wizard.button(QWizard.WizardButton.FinishButton).click)
    wait_until(lambda: loaded and not wizard.isVisible())
    step("status checks")
    wait_until(lambda: all(r.status not in ("checking", "unknown") for r in window.model.rows()))
    if args.sync_contacts:
        step(f"Synchronize Now ({args.sync_contacts} contacts)")
        synced: list[str] = []
        window.action_done.connect(synced.append)
        user(window.actions_by_name["sync_now"].trigger)
        wait_until(lambda: "sync_now" in synced)
        result = window.sync_dialog.result_summary
        if result is None:
            raise RuntimeError("Synchronize Now did not finish: " + window.sync_dialog.summary.text())
        synced_counts = dict(result.came_in)
        user(window.sync_dialog.reject)
    step("switch synchronizing org")
    other = next(r for r in window.model.rows() if not r.is_primary)
    user(lambda: window.select_key(other.key))
    user(window.synchronize)
    wait_until(lambda: getattr(window, "switch_dialog", None) is not None and window.switch_dialog.isVisible())
    loaded.clear()
    user(window.switch_dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click)
    wait_until(lambda: loaded)
    step("connection test")
    done = []
    window.action_done.connect(done.append)
    user(window.test_connection)
    wait_until(lambda: "test" in done)
    ticker.stop()
    if explainer:
        explainer.stop()
    elapsed = time.monotonic() - started

    faults.reset()
    window.runner.cancel_all()
    window.runner.wait_for_done(60000)
    window.close()
    services.close()
    if args.in_process:
        sandbox.stop()
    else:
        parent_end.send(("stop",))
        parent_end.recv()
        child.join(30)

    schedstat = runqueue_wait() >= 0
    measured = [g for g in gaps[1:] if g[1] != "idle baseline"]
    idle = max((g[0] - 5.0 for g in gaps[1:] if g[1] == "idle baseline"), default=0.0)
    stalls = sorted(((wall - 5.0, where, cpu, queued) for wall, where, cpu, queued in measured), reverse=True)
    worst, where, worst_cpu, worst_queued = stalls[0]
    busiest = max((cpu, where) for _wall, where, cpu, _queued in measured)
    where_sandbox = "in this process" if args.in_process else "in a child process"
    print(f"sandbox {where_sandbox}; latency added per request: {args.latency:.1f} s; journey took {elapsed:.1f} s; "
          f"{len(gaps)} ticks of 5 ms")
    print(f"longest event-loop stall:  {worst:.1f} ms  (during: {where})  target < 50 ms")
    if args.sync_contacts:
        phase_name = f"Synchronize Now ({args.sync_contacts} contacts)"
        in_sync = max((s for s in stalls if s[1] == phase_name), default=(0.0, "", 0.0, 0.0))
        print(f"longest stall during {phase_name}: {in_sync[0]:.1f} ms; into the mailbox: {synced_counts}")
    print(f"  of that gap the GUI thread ran {worst_cpu:.1f} ms, " + (
        f"waited {worst_queued:.1f} ms for a CPU (others ran), and "
        f"{max(0.0, worst + 5 - worst_cpu - worst_queued):.1f} ms "
        "for a lock (the GIL, or an import)" if schedstat else "and waited the rest (for a CPU or the GIL)"))
    print(f"most GUI-thread CPU in one gap: {busiest[0]:.1f} ms  (during: {busiest[1]})")
    over = sum(1 for s in stalls if s[0] > 50)
    print(f"gaps over 50 ms:           {over} of {len(stalls)}")
    print(f"idle baseline (no work):   {idle:.1f} ms longest gap on this machine")
    print("worst five:                " + ", ".join(
        f"{s:.1f} ms ({w}, ran {c:.0f}" + (f", CPU wait {q:.0f})" if schedstat else ")") for s, w, c, q in stalls[:5]))
    if explainer:
        explainer.report(ends)
    return 0


class Explainer:
    """``--explain``: what happened in the worst gaps.

    Garbage collections (any thread; a collection holds the GIL, so the GUI waits for it)
    and the Python callbacks the event loop ran on the GUI thread, with their CPU time.
    The profiler slows the GUI thread, so read its figures as shares, not as the stall.
    """

    def __init__(self, phase: list[str]) -> None:
        import gc
        import threading

        self.phase = phase
        self.collections: list[tuple[float, float, int, str]] = []   # (start, end, generation, thread)
        self.calls: list[tuple[float, float, float, str]] = []       # (start, end, cpu ms, function)
        self._gc_started: dict[int, float] = {}
        self._open: list[tuple[object, float, float]] = []
        self._imports: list[tuple[object, float, float]] = []

        def on_gc(stage: str, info: dict) -> None:
            now = time.perf_counter()
            thread = threading.current_thread()
            if stage == "start":
                self._gc_started[thread.ident] = now
            else:
                began = self._gc_started.pop(thread.ident, now)
                self.collections.append((began, now, info["generation"], thread.name))

        def on_call(frame, event, _arg) -> None:
            # Only callbacks entered from the event loop (called from wait_until's processEvents)
            # or the bench's own user actions.
            if event == "call":
                caller = frame.f_back
                name = frame.f_code.co_name
                if caller is not None and caller.f_code.co_name in ("wait_until", "user", "<lambda>") \
                        and name not in ("<lambda>", "tick", "wait_until"):
                    self._open.append((frame, time.perf_counter(), time.thread_time()))
                elif name == "_find_and_load":        # an import on the GUI thread (it may wait for a worker's)
                    self._imports.append((frame, time.perf_counter(), time.thread_time()))
            elif event == "return":
                if self._open and self._open[-1][0] is frame:
                    _frame, began, cpu = self._open.pop()
                    code = frame.f_code
                    label = f"{Path(code.co_filename).name}:{code.co_firstlineno} {code.co_name}"
                elif self._imports and self._imports[-1][0] is frame:
                    _frame, began, cpu = self._imports.pop()
                    label = f"import {frame.f_locals.get('name')} (GUI thread)"
                else:
                    return
                self.calls.append((began, time.perf_counter(), (time.thread_time() - cpu) * 1000, label))

        self._on_gc = on_gc
        gc.callbacks.append(on_gc)
        sys.setprofile(on_call)

    def stop(self) -> None:
        import gc

        sys.setprofile(None)
        gc.callbacks.remove(self._on_gc)

    def report(self, ends: list[float], worst: int = 6) -> None:
        spans = sorted(zip(ends, ends[1:]), key=lambda span: span[0] - span[1])[:worst]
        for began, ended in spans:
            print(f"\ngap of {(ended - began) * 1000:.1f} ms:")
            for start, end, generation, thread in self.collections:
                if end > began and start < ended and end - start > 0.002:
                    print(f"    garbage collection, generation {generation}, on {thread}: "
                          f"{(end - start) * 1000:.1f} ms")
            totals: dict[str, list[float]] = {}
            for start, end, cpu, name in self.calls:
                if end > began and start < ended:
                    entry = totals.setdefault(name, [0, 0.0, 0.0])
                    entry[0] += 1
                    entry[1] += cpu
                    entry[2] += (min(end, ended) - max(start, began)) * 1000
            for name, (count, cpu, wall) in sorted(totals.items(), key=lambda kv: -kv[1][2])[:8]:
                if wall >= 0.5:
                    print(f"    {wall:6.1f} ms ({cpu:.1f} ms CPU) in {count} call(s) of {name}")
        longest = sorted(self.collections, key=lambda c: c[0] - c[1])[:3]
        print("\nlongest garbage collections: " + ", ".join(
            f"{(end - start) * 1000:.1f} ms (generation {generation}, {thread})"
            for start, end, generation, thread in longest))


if __name__ == "__main__":
    sys.exit(main())
