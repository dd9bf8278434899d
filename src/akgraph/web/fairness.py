"""Fair use of the query workers: one client cannot hold them all.

Each client (by address) may have ``per_client`` queries in flight at once; a further query waits
(up to ``wait`` seconds) until one of them is done. A client whose query ran out of time may run
only one at a time for ``cooldown`` seconds after it, without waiting: a query over that share
is answered 429 Too Many Requests with ``Retry-After`` (as is one that waited in vain). So a
stream of pathological queries occupies at most one worker, and everyone else keeps being
answered. Behind a reverse proxy, run the app with werkzeug's ``ProxyFix`` so the client's
address is the real one.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from akgraph.store import QueryError


class TooManyQueries(QueryError):
    """The client has its share of queries in flight; ``retry_after`` in seconds."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class Fairness:
    """Per-client admission to the query workers (per process)."""

    per_client: int = 2
    cooldown: float = 30.0
    wait: float = 10.0
    _in_flight: dict[str, int] = field(default_factory=dict)
    _penalised: dict[str, float] = field(default_factory=dict)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def _allowed(self, client: str, now: float) -> tuple[int, float]:
        until = self._penalised.get(client, 0.0)
        if until <= now:
            self._penalised.pop(client, None)
            return self.per_client, 0.0
        return 1, until - now

    @contextmanager
    def slot(self, client: str) -> Iterator[None]:
        """Hold one of ``client``'s query slots while the block runs."""
        deadline = time.monotonic() + self.wait
        with self._changed:
            while True:
                now = time.monotonic()
                allowed, penalty = self._allowed(client, now)
                if self._in_flight.get(client, 0) < allowed:
                    break
                if penalty or now >= deadline:
                    raise TooManyQueries(
                        f"too many queries at once from {client}: at most {allowed} in flight"
                        + (" after a query that ran out of time" if penalty else "")
                        + "; try again when the running one has finished",
                        max(1, math.ceil(penalty or 1)),
                    )
                self._changed.wait(deadline - now)
            self._in_flight[client] = self._in_flight.get(client, 0) + 1
        try:
            yield
        finally:
            with self._changed:
                left = self._in_flight[client] - 1
                if left:
                    self._in_flight[client] = left
                else:
                    del self._in_flight[client]
                self._changed.notify_all()

    def penalise(self, client: str) -> None:
        """``client``'s query ran out of time: one query at a time for a while."""
        with self._changed:
            self._penalised[client] = time.monotonic() + self.cooldown
