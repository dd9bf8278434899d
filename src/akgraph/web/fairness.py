"""Fair use of the query workers: no client, and no group of clients, can hold them all.

Every visitor's query that needs a worker (answers already cached need none) is admitted here
first, and a refusal is immediate (it holds no thread):

* **Bounded wait**: at most ``capacity`` (the workers) + ``queue`` queries are admitted at once
  (running or waiting for a worker); a further one gets 503 with ``Retry-After``.
* **Per client** (by address): ``per_client`` queries in flight; a further one waits (up to
  ``wait`` seconds, counted in the bound above) for one of them to finish.
* **Heavy clients**: a client whose queries used much worker time recently (more than
  ``heavy`` seconds, decaying with a half-life of ``cooldown``), or one of whose queries ran out
  of time, memory, or crashed its worker in the last ``cooldown`` seconds, is heavy. All heavy
  clients *together* may have ``heavy_slots`` queries in flight (default one worker); a further
  query from any of them is answered 429 with ``Retry-After`` at once. So a crowd of addresses
  streaming slow queries or parse bombs holds one worker, and everyone else keeps the rest.

Behind a reverse proxy, run the app with werkzeug's ``ProxyFix`` so the client's address is
the real one.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from akgraph.store import QueryError


class TooManyQueries(QueryError):
    """The client has its share of queries in flight; ``retry_after`` in seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Busy(TooManyQueries):
    """Every worker is busy and the wait queue is full."""


@dataclass
class Ticket:
    """An admitted query; ``seconds``: the worker time it used."""

    seconds: float = 0.0


@dataclass
class Fairness:
    """Per-client admission to the query workers (per process)."""

    per_client: int = 2
    cooldown: float = 30.0
    wait: float = 10.0
    capacity: int = 2
    queue: int = 4
    heavy: float = 5.0
    heavy_slots: int = 1
    _in_flight: dict[str, int] = field(default_factory=dict)
    _heavy_in_flight: int = 0
    _admitted: int = 0
    _penalised: dict[str, float] = field(default_factory=dict)
    _cost: dict[str, tuple[float, float]] = field(default_factory=dict)
    _changed: threading.Condition = field(default_factory=threading.Condition)
    #: called at each refusal (the web layer counts them for ``/metrics``)
    on_refusal: Callable[[], None] = lambda: None

    def _recent_cost(self, client: str, now: float) -> float:
        value, stamp = self._cost.get(client, (0.0, now))
        return value * 0.5 ** ((now - stamp) / self.cooldown) if self.cooldown else 0.0

    def _penalty(self, client: str, now: float) -> float:
        """Seconds until ``client`` is no longer heavy (0: it is not)."""
        until = self._penalised.get(client, 0.0)
        if until <= now:
            self._penalised.pop(client, None)
            until = 0.0
        cost = self._recent_cost(client, now)
        if cost <= self.heavy:
            if client in self._cost and cost < 0.01:
                del self._cost[client]
            return max(0.0, until - now)
        decay = self.cooldown * math.log2(cost / self.heavy) if self.heavy > 0 else self.cooldown
        return max(until - now, decay, 1.0)

    @contextmanager
    def slot(self, client: str) -> Iterator[Ticket]:
        """Hold one of ``client``'s query slots while the block runs; the block sets the
        ticket's ``seconds`` to the worker time the query used (charged to the client)."""
        deadline = time.monotonic() + self.wait
        with self._changed:
            now = time.monotonic()
            if self._admitted >= self.capacity + self.queue:
                raise self._refused(
                    Busy("every query worker is busy and the queue is full; try again", 1)
                )
            penalty = self._penalty(client, now)
            if penalty and self._heavy_in_flight >= self.heavy_slots:
                raise self._refused(
                    TooManyQueries(
                        f"too many queries from {client}: its recent queries used much time (or"
                        " ran out of time or memory); it may run one at a time, when a worker for"
                        " such queries is free",
                        max(1, math.ceil(min(penalty, self.cooldown))),
                    )
                )
            self._admitted += 1
            try:
                while self._in_flight.get(client, 0) >= self.per_client:
                    if now >= deadline:
                        raise self._refused(
                            TooManyQueries(
                                f"too many queries at once from {client}: at most "
                                f"{self.per_client} in flight; try again when the running one "
                                "has finished",
                                1,
                            )
                        )
                    self._changed.wait(deadline - now)
                    now = time.monotonic()
            except BaseException:
                self._admitted -= 1
                raise
            heavy = bool(self._penalty(client, now))
            self._in_flight[client] = self._in_flight.get(client, 0) + 1
            self._heavy_in_flight += heavy
        ticket = Ticket()
        try:
            yield ticket
        finally:
            with self._changed:
                now = time.monotonic()
                if ticket.seconds:
                    self._cost[client] = (self._recent_cost(client, now) + ticket.seconds, now)
                left = self._in_flight[client] - 1
                if left:
                    self._in_flight[client] = left
                else:
                    del self._in_flight[client]
                self._heavy_in_flight -= heavy
                self._admitted -= 1
                self._changed.notify_all()

    def _refused(self, error: TooManyQueries) -> TooManyQueries:
        self.on_refusal()
        return error

    def penalise(self, client: str) -> None:
        """``client``'s query ran out of time or memory or crashed: heavy for a while."""
        with self._changed:
            self._penalised[client] = time.monotonic() + self.cooldown
