"""What the engine needs of a request to stop: :class:`CancelEvent`.

Long engine work (sign-in, the connection test, a switch, a sync) takes an optional
``cancel`` object and checks it between steps. Anything with ``is_set()`` and
``wait(timeout)`` will do: a ``threading.Event`` (the CLI's Ctrl+C handler, tests) or the
GUI's ``wizard.gui.tasks.CancelToken`` (its Cancel buttons).
"""

from __future__ import annotations

from typing import Protocol


class CancelEvent(Protocol):
    def is_set(self) -> bool:
        """True once someone asked to stop."""
        ...

    def wait(self, timeout: float | None = None) -> bool:
        """Sleep up to ``timeout`` seconds; True when asked to stop meanwhile."""
        ...
