"""Shared fixtures: the real corpus (from AKGRAPH_CORPUS, default ../shared/corpus), the
bundled sample, and small checkouts made per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from akgraph import build, resources
from akgraph.web import state

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("AKGRAPH_CORPUS", REPO.parent / "shared" / "corpus"))
RELEASES = ["v2.0", "v2.2.0", "v2.5.1"]


def corpus_release(tag: str) -> Path:
    """Path of a real release export; skips the test where the corpus is absent."""
    path = CORPUS / f"algoritmekader-{tag}"
    if not (path / "docs").is_dir():
        pytest.skip(f"real Algoritmekader export {path} not found (set AKGRAPH_CORPUS)")
    return path


@pytest.fixture(scope="session", autouse=True)
def build_cache(tmp_path_factory) -> Path:
    """Builds from git made by the tests (in this process or the CLI's) keep their cache in a
    folder of this session, never in the user's ``~/.cache``."""
    folder = tmp_path_factory.mktemp("build-cache")
    before = os.environ.get("AKGRAPH_CACHE_DIR")
    os.environ["AKGRAPH_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        del os.environ["AKGRAPH_CACHE_DIR"]
    else:
        os.environ["AKGRAPH_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return resources.data_dir("content")


@pytest.fixture(scope="session")
def sample_build(sample_path):
    return build(sample_path)


@pytest.fixture(scope="session", params=RELEASES)
def release_path(request) -> Path:
    return corpus_release(request.param)


@pytest.fixture(scope="session")
def release_build(release_path):
    return build(release_path)


@pytest.fixture(scope="session")
def latest_path() -> Path:
    return corpus_release("v2.5.1")


@pytest.fixture(scope="session")
def latest_build(latest_path):
    return build(latest_path)


@pytest.fixture
def checkout(tmp_path, sample_path) -> Path:
    """A writable copy of the bundled sample, for tests that break it."""
    target = tmp_path / "checkout"
    shutil.copytree(sample_path, target)
    return target


@pytest.fixture(scope="session")
def app(sample_path):
    """The web app (Flask tutorial style) on the bundled sample; its query workers are shared."""
    from akgraph.web import create_app

    app = create_app({"TESTING": True, "SOURCE": str(sample_path), "TIMEOUT": 5})
    yield app
    state.of(app).backend.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def corpus_app(latest_build):
    """The web app on the real release v2.5.1, with a 3 s query timeout."""
    from akgraph.web import create_app

    # Shared by many tests from one address: fair-share limits are tested on their own app
    # (tests/test_load.py), so they are relaxed here.
    app = create_app(
        {"TESTING": True, "SOURCE": latest_build, "TIMEOUT": 3, "WORKERS": 2,
         "QUERIES_PER_CLIENT": 8, "TIMEOUT_COOLDOWN": 0}
    )  # fmt: skip
    yield app
    state.of(app).backend.close()


@pytest.fixture(scope="session")
def corpus_server(corpus_app):
    """Base URL of ``corpus_app`` served over HTTP on loopback."""
    from tests.live import live

    with live(corpus_app) as url:
        yield url


@pytest.fixture(scope="session")
def corpus_releases():
    """The shared releases v2.0, v2.2.0 and v2.5.1 built together (oldest first, with history)."""
    from akgraph.graph import build_releases

    return build_releases([build(corpus_release(tag)) for tag in RELEASES])


@pytest.fixture(scope="session")
def releases_server(corpus_releases):
    """Base URL of the app on :func:`corpus_releases`, served over HTTP on loopback."""
    from akgraph.web import create_app
    from tests.live import live

    app = create_app({"TESTING": True, "SOURCE": corpus_releases, "WORKERS": 1})
    try:
        with live(app) as url:
            yield url
    finally:
        state.of(app).backend.close()
