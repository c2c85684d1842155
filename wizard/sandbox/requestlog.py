"""The sandbox's request log: every Web API request that reached an org, in order.

Tests read it to prove what a flow did (for example that pressing Cancel sent no write)
and hook into it to act at a counted request: ``on_request`` callbacks run after the org
has processed a request and before its answer is sent, so a test can kill a client right
after the server applied its Nth write, whatever the machine's speed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

WRITE_METHODS = frozenset(("POST", "PATCH", "PUT", "DELETE", "MERGE"))


@dataclass(frozen=True)
class LoggedRequest:
    seq: int
    org: str                # unique name
    method: str
    path: str               # below /api/data/v9.2/, e.g. "mailboxes(…)"
    query: str
    status: int
    user: str | None        # the caller's sign-in name

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS

    @property
    def entity_set(self) -> str:
        return self.path.split("(", 1)[0].split("/", 1)[0]


class RequestLog:
    """Thread-safe; ``clear()`` between tests (the sandbox's ``reset()`` does)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []
        self._seq = 0
        self.on_request: list[Callable[[LoggedRequest], None]] = []

    def record(self, org: str, method: str, path: str, query: str, status: int,
               user: str | None) -> LoggedRequest:
        with self._lock:
            self._seq += 1
            entry = LoggedRequest(self._seq, org, method.upper(), path, query, status, user)
            self._entries.append(entry)
            hooks = list(self.on_request)
        for hook in hooks:
            hook(entry)
        return entry

    def entries(self, *, since: int = 0) -> list[LoggedRequest]:
        with self._lock:
            return [e for e in self._entries if e.seq > since]

    def writes(self, entity_set: str | None = None, *, since: int = 0) -> list[LoggedRequest]:
        return [e for e in self.entries(since=since)
                if e.is_write and (entity_set is None or e.entity_set == entity_set)]

    def mark(self) -> int:
        """The number of the last request so far (``entries(since=mark)`` is what follows)."""
        with self._lock:
            return self._seq

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.on_request.clear()


class RequestLogMiddleware:
    """Wraps one org's Web API app (inside authentication, so the caller is known)."""

    PREFIX = "/api/data/v9.2/"

    def __init__(self, app: Any, org: str, log: RequestLog) -> None:
        self.app = app
        self.org = org
        self.log = log

    def __call__(self, environ, start_response):
        status: list[int] = []

        def capture(code, headers, exc_info=None):
            status.append(int(str(code).split(" ", 1)[0]))
            return start_response(code, headers, exc_info)

        result = self.app(environ, capture)
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.PREFIX):
            path = path[len(self.PREFIX):]
        user = environ.get("sandbox.user")
        if status:
            self.log.record(self.org, environ.get("REQUEST_METHOD", "GET"), path,
                            environ.get("QUERY_STRING", ""), status[0],
                            getattr(user, "upn", None))
        return result
