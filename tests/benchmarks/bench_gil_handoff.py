#!/usr/bin/env python3
"""What a busy worker thread costs the GUI thread's paints, and what wizard.gui.runtime does about it.

Repaints a table of 20 rows x 4 columns, once through a Python model (Qt calls ``data()``
about seven times per cell, each call taking the GIL back) and once through Qt's own
``QStandardItemModel`` (no Python while painting), first with no other thread, then while
a worker thread runs Python code, at Python's default thread switch interval (5 ms) and at
the app's (1 ms). Prints the median repaint time of each, side by side.

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_gil_handoff.py
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROWS, COLUMNS, REPEATS = 20, 4, 7


def main() -> int:
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView

    from wizard.gui.runtime import SWITCH_INTERVAL

    app = QApplication([sys.argv[0]])

    class PythonModel(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()):
            return 0 if parent.isValid() else ROWS

        def columnCount(self, parent=QModelIndex()):
            return 0 if parent.isValid() else COLUMNS

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            return f"row {index.row()}, column {index.column()}" if role == Qt.ItemDataRole.DisplayRole else None

    qt_model = QStandardItemModel(ROWS, COLUMNS)
    for row in range(ROWS):
        for column in range(COLUMNS):
            qt_model.setItem(row, column, QStandardItem(f"row {row}, column {column}"))
    views = {}
    for name, model in (("Python model", PythonModel()), ("Qt model", qt_model)):
        view = QTableView()
        view.setModel(model)
        view.resize(700, 700)
        view.show()
        views[name] = (view, model)
    for _ in range(5):
        app.processEvents()

    def repaint_ms(view) -> float:
        times = []
        for _ in range(REPEATS):
            view.viewport().update()
            began = time.perf_counter()
            app.processEvents()
            times.append((time.perf_counter() - began) * 1000)
        return statistics.median(times)

    def row(label: str) -> None:
        figures = "   ".join(f"{name}: {repaint_ms(view):7.1f} ms" for name, (view, _m) in views.items())
        print(f"{label:<42} {figures}")

    print(f"median repaint of a {ROWS} x {COLUMNS} table ({REPEATS} repaints each)")
    row("no other thread")
    stop = threading.Event()

    def busy() -> None:
        count = 0
        while not stop.is_set():
            count += 1

    worker = threading.Thread(target=busy)
    worker.start()
    try:
        for interval in (0.005, SWITCH_INTERVAL):
            sys.setswitchinterval(interval)
            row(f"worker running Python, switch {interval * 1000:.0f} ms")
    finally:
        stop.set()
        worker.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
