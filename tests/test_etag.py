"""ETags come from the content: an edited title gives another ETag, so a browser revalidating
its copy gets the new page, not 304; the same content gives the same ETag in another process."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from contextlib import contextmanager

import yaml

from akgraph.web import create_app, state
from tests.live import live


def _measure(checkout):
    """A measure file of the checkout and its URN, read from its frontmatter."""
    path = next((checkout / "docs/voldoen-aan-wetten-en-regels/maatregelen").glob("*.md"))
    meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1])
    return path, meta["id"], meta["title"]


@contextmanager
def _served(source):
    app = create_app({"TESTING": True, "SOURCE": str(source), "WORKERS": 1})
    try:
        with live(app) as url:
            yield url
    finally:
        state.of(app).backend.close()


def _get(url: str, etag: str | None = None) -> tuple[int, str | None, str]:
    headers = {"Accept": "text/html", **({"If-None-Match": etag} if etag else {})}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
            return response.status, response.headers["ETag"], response.read().decode()
    except urllib.error.HTTPError as exc:  # 304 Not Modified
        return exc.code, exc.headers["ETag"], ""


def test_edited_title_changes_the_etag(checkout, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(checkout, copy)
    path, urn, title = _measure(checkout)
    with _served(checkout) as url:
        status, etag, page = _get(f"{url}/doc/{urn}")
        assert status == 200 and etag and title in page
        assert _get(f"{url}/doc/{urn}", etag)[0] == 304
    with _served(copy) as url:  # the same content, built and served again
        assert _get(f"{url}/doc/{urn}")[1] == etag
        assert _get(f"{url}/doc/{urn}", etag)[0] == 304
    edited = f"{title} (herzien)"
    path.write_text(
        path.read_text(encoding="utf-8").replace(f"title: {title}", f"title: {edited}", 1),
        encoding="utf-8",
    )
    with _served(checkout) as url:
        status, new_etag, page = _get(f"{url}/doc/{urn}", etag)
        assert status == 200, "the browser's old copy must not be revalidated"
        assert new_etag != etag and edited in page
