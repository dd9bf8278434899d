"""The app's shared objects, made once by :func:`akgraph.web.create_app` and reached through
one typed accessor each (no string keys into ``app.extensions`` anywhere else)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from akgraph import store
    from akgraph.source.beslishulp import DecisionTree
    from akgraph.web.data import Data
    from akgraph.web.fairness import Fairness
    from akgraph.web.operations import Metrics
    from akgraph.web.registry import Registry

_KEY = "akgraph"


@dataclass
class State:
    """What every request of one app shares."""

    backend: store.Backend
    limits: store.Limits
    fairness: Fairness
    data: Data
    #: the AI-Act decision aid served at /beslishulp, if one is loaded
    decision_tree: DecisionTree | None = None
    metrics: Metrics | None = None
    _registries: dict[str | None, Registry] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def registry(self, tag: str | None) -> Registry:
        """The registry view of release ``tag`` (None: the newest), made once per app; only
        its making takes the lock, so requests for views already made never wait on one."""
        found = self._registries.get(tag)
        if found is not None:
            return found
        with self._lock:
            if tag not in self._registries:
                from akgraph.web.registry import Registry

                self._registries[tag] = Registry(self.data, tag)
            return self._registries[tag]


def install(app: Flask, state: State) -> None:
    """Make ``state`` the shared objects of ``app``."""
    app.extensions[_KEY] = state


def of(app: Flask) -> State:
    """The shared objects of ``app`` (for code that holds the app, such as tests)."""
    return app.extensions[_KEY]


def current() -> State:
    """The shared objects of the app handling this request."""
    return of(current_app)


def data() -> Data:
    """The dataset's page cache, dumps and indexes (:class:`akgraph.web.data.Data`)."""
    return current().data


def backend() -> store.Backend:
    """The store that answers queries."""
    return current().backend
