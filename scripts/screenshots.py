#!/usr/bin/env python3
"""Screenshots of every page type of the app in headless Chromium (Debian's ``chromium``, driven
by Playwright) at 1280 and 390 px: ``docs/screenshots/<type>-<width>.png`` and the index
``docs/screenshots.md``. Usage: ``.venv/bin/python scripts/screenshots.py [--shared DIR]``.

The app runs on the bundled sample (``content/``, text we wrote ourselves), so the committed
images hold none of the framework's own text; a page type the sample cannot show (the diff
needs two releases) is left out and said so. ``--shared DIR`` (``../shared``) photographs the
shared releases v2.2.0 and v2.5.1 with their decision aid and instrument registry instead, to
look at locally: those images are not for the repository.
``tests/test_page_types.py`` checks the same page types (:data:`PAGE_TYPES`)."""

from __future__ import annotations

import argparse
import base64
import logging
import os
import struct
import sys
import urllib.parse
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

#: viewport (width, height) per screenshot; the home page is also taken full length
VIEWPORTS = {1280: 900, 390: 844}
QUERY = "SELECT ?s ?t WHERE { ?s <http://purl.org/dc/terms/title> ?t } LIMIT 5"
PROFILE = "rol-ai-act=aanbieder&soort-toepassing=ai-systeem&risicogroep=hoog-risico-ai-systeem"


@dataclass(frozen=True)
class PageType:
    """One kind of page: a file-name slug, what it is, an address that shows it, its status."""

    name: str
    title: str
    path: str
    status: int = 200
    #: False where only the shared releases hold it (two releases, the shared registry)
    sample: bool = True


PAGE_TYPES = [
    PageType("home", "Startpagina", "/"),
    PageType("measures", "Lijst: maatregelen", "/maatregelen"),
    PageType("requirements", "Lijst: vereisten, gefilterd", "/vereisten?levenscyclus=ontwerp"),
    PageType("instruments", "Lijst: hulpmiddelen", "/hulpmiddelen"),
    PageType("measure", "Maatregel", "/doc/urn:nl:ak:mtr:org-02"),
    PageType("requirement", "Vereiste", "/doc/urn:nl:ak:ver:aia-09"),
    PageType("instrument", "Hulpmiddel", "/doc/urn:nl:ak:hlp:iama"),
    PageType("glossary-term", "Begrip", "/doc/urn:nl:ak:begrip:algoritme"),
    PageType("audit-criterion", "Toetsingscriterium", "/doc/urn:nl:ak:adr:SV.8", sample=False),
    PageType("lifecycle-phase", "Levenscyclusfase", "/doc/urn:nl:ak:levenscyclus:ontwerp"),
    PageType("role", "Rol", "/doc/urn:nl:ak:rollen:jurist"),
    PageType("topic", "Onderwerp", "/doc/urn:nl:ak:onderwerp:privacy-en-gegevensbescherming"),
    PageType("ai-act-label", "AI-verordening: risicogroep",
             "/doc/urn:nl:ak:risicogroep:hoog-risico-ai-systeem"),
    PageType("scheme", "Begrippenstelsel (levenscyclus)", "/doc/urn:nl:ak:levenscyclus"),
    PageType("item-version", "Versie van een item in een release",
             "/doc/urn:nl:ak:versie:v2.5.1:ver:aia-09", sample=False),
    PageType("release", "Release", "/doc/urn:nl:ak:release:v2.5.1", sample=False),
    PageType("law", "Wet", "/doc/https://wetten.overheid.nl/BWBR0001840", sample=False),
    PageType("law-article", "Wetsartikel", "/doc/jci1.3:c:BWBR0005537&artikel=3:46",
             sample=False),
    PageType("eu-article", "Artikel van een EU-verordening",
             "/doc/http://data.europa.eu/eli/reg/2016/679/art_14/oj", sample=False),
    PageType("registry-instrument", "Instrument uit het takenregister",
             "/doc/urn:nl:aivt:tr:iama:1.0"),
    PageType("registry-task", "Taak van een instrument", "/doc/urn:nl:aivt:tr:iama:1.0:2.A.2.2",
             sample=False),
    PageType("decision-tree", "Beslishulp als data", "/doc/urn:nl:ak:beslishulp"),
    PageType("decision-aid", "Beslishulp: eerste vraag", "/beslishulp"),
    PageType("decision-aid-question", "Beslishulp: volgende vraag", "/beslishulp?pad=0"),
    PageType("decision-aid-conclusion", "Beslishulp: conclusie", "/beslishulp?pad=0.0.0.0.0",
             sample=False),
    PageType("applicability", "Wat geldt voor ons? (formulier)", "/wat-geldt-voor-ons"),
    PageType("applicability-result", "Wat geldt voor ons? (antwoord)",
             f"/wat-geldt-voor-ons?{PROFILE}"),
    PageType("search", "Zoeken", "/zoeken?q=transparantie"),
    PageType("query", "SPARQL-querypagina (YASGUI)", "/query"),
    PageType("query-result", "SPARQL-querypagina met resultaat",
             "/query?" + urllib.parse.urlencode({"query": QUERY})),
    PageType("named-queries", "Kant-en-klare queries", "/queries/"),
    PageType("named-query", "Kant-en-klare query", "/queries/measures-for-requirement"),
    PageType("named-query-result", "Kant-en-klare query met resultaat",
             "/queries/measures-for-requirement?requirement=urn:nl:ak:ver:aia-09"),
    PageType("validation", "Validatierapport", "/validatie"),
    PageType("releases", "Releases", "/releases"),
    PageType("diff", "Verschil tussen twee releases", "/diff?from=v2.2.0&to=v2.5.1",
             sample=False),
    PageType("ontology", "Ontologie", "/def"),
    PageType("about", "Over de data", "/over"),
    PageType("accessibility", "Toegankelijkheidsverklaring", "/toegankelijkheid"),
    PageType("not-found", "Onbekende URN (404)", "/doc/urn:nl:ak:mtr:bestaat-niet", 404),
    PageType("not-found-path", "Onbekend pad (404)", "/bestaat-niet", 404),
]  # fmt: skip


#: The pixels of a PNG (base64) as decoded by the browser: width, height, RGBA (base64).
DECODE = """async (data) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + data;
  await image.decode();
  const canvas = new OffscreenCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, image.width, image.height).data;
  let text = '';
  for (let i = 0; i < pixels.length; i += 32768)
    text += String.fromCharCode(...pixels.subarray(i, i + 32768));
  return [image.width, image.height, btoa(text)];
}"""


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def smaller_png(png: bytes, decoder: Any) -> bytes:
    """``png`` with at most 256 colours (the most frequent ones; every other pixel takes the
    nearest of them), as an indexed PNG: about 40 % of Chromium's size, no visible change on
    these pages. Decoded by the browser page ``decoder``; unchanged without numpy."""
    try:
        import numpy as np
    except ImportError:
        return png
    width, height, pixels = decoder.evaluate(DECODE, base64.b64encode(png).decode())
    rgba = np.frombuffer(base64.b64decode(pixels), np.uint8).reshape(height, width, 4)
    flat = rgba[:, :, :3].reshape(-1, 3).astype(np.int32)
    keys = (flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2]
    colours, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    rgb = np.stack([(colours >> 16) & 255, (colours >> 8) & 255, colours & 255], 1)
    palette = rgb[np.argsort(-counts)[:256]]
    nearest = np.empty(len(colours), dtype=np.uint8)
    for start in range(0, len(colours), 4096):
        part = rgb[start : start + 4096]
        nearest[start : start + 4096] = ((part[:, None] - palette[None]) ** 2).sum(2).argmin(1)
    rows = np.concatenate(
        [np.zeros((height, 1), np.uint8), nearest[inverse.reshape(-1)].reshape(height, width)], 1
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)  # 8-bit indexed colour
    return b"".join(
        (b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header),
         _chunk(b"PLTE", palette.astype(np.uint8).tobytes()),
         _chunk(b"IDAT", zlib.compress(rows.tobytes(), 9)), _chunk(b"IEND", b""))
    )  # fmt: skip


def shared_folder() -> Path | None:
    """``AKGRAPH_SHARED`` or ``../shared``, where it holds the corpus."""
    folder = Path(os.environ.get("AKGRAPH_SHARED", REPO.parent / "shared"))
    return folder if (folder / "corpus" / "algoritmekader-v2.5.1" / "docs").is_dir() else None


def make_app(shared: Path | None, workers: int = 2) -> tuple[Any, bool]:
    """The app on v2.2.0 and v2.5.1 of ``shared`` with its decision aid and instrument
    registry, or on the bundled sample; and whether it is the shared one."""
    from akgraph import resources
    from akgraph.graph import build, build_releases
    from akgraph.web import create_app

    config: dict[str, Any] = {"TESTING": True, "WORKERS": workers, "TIMEOUT": 10,
                              "QUERIES_PER_CLIENT": workers, "TIMEOUT_COOLDOWN": 0}  # fmt: skip
    if shared is None:
        config["SOURCE"] = str(resources.data_dir("content"))
        return create_app(config), False
    corpus, aid = shared / "corpus", shared / "beslishulp"
    registry = shared / "clients" / "task-registry" / "instruments"
    old = build(corpus / "algoritmekader-v2.2.0")
    new = build(corpus / "algoritmekader-v2.5.1", decision_aid=aid, instrument_registry=registry)
    config.update(SOURCE=build_releases([old, new]), BESLISHULP=str(aid))
    return create_app(config), True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, help="photograph the shared releases of this folder")
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="default docs/")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from tests.live import live
    from tests.test_browser import ARGS, CHROMIUM

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app, on_shared = make_app(args.shared)
    folder = args.out / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    shown, left_out = [], []
    try:
        with live(app) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            decoder = browser.new_page()

            def shoot(page: Any, name: str, full_page: bool = False) -> None:
                png = page.screenshot(full_page=full_page)
                (folder / f"{name}.png").write_bytes(smaller_png(png, decoder))

            for width, height in VIEWPORTS.items():
                viewport = {"width": width, "height": height}
                context = browser.new_context(locale="nl-NL", viewport=viewport)
                page = context.new_page()
                for kind in PAGE_TYPES:
                    if not (on_shared or kind.sample):
                        left_out.append(kind) if width == 1280 else None
                        continue
                    response = page.goto(base + kind.path, timeout=120_000)
                    status = response.status if response else None
                    if status != kind.status:
                        raise SystemExit(f"{kind.path}: HTTP {status}, expected {kind.status}")
                    shoot(page, f"{kind.name}-{width}")
                    if width == 1280:
                        shown.append(kind)
                if width == 1280:
                    page.goto(base + "/")
                    shoot(page, "home-full-1280", full_page=True)
                context.close()
            browser.close()
    finally:
        from akgraph.web import state

        state.of(app).backend.close()
    source = (
        "de releases v2.2.0 en v2.5.1 uit ../shared" if on_shared else "het meegeleverde voorbeeld"
    )
    lines = [
        "# Screenshots",
        "",
        f"Elk paginatype van de app in headless Chromium, op {source}, 1280 px breed (venster",
        "1280 x 900) en 390 px (390 x 844), zonder door te scrollen. Gemaakt met",
        "`.venv/bin/python scripts/screenshots.py`; `tests/test_page_types.py` test dezelfde",
        "pagina's. De volledige startpagina: [home-full-1280.png](screenshots/home-full-1280.png).",
        "",
    ]
    for kind in shown:
        lines += [
            f"## {kind.title}",
            "",
            f"`{kind.path}`" + (f" (HTTP {kind.status})" if kind.status != 200 else ""),
            "",
            f'<img src="screenshots/{kind.name}-1280.png" width="640" alt="{kind.title}, 1280 px">'
            f' <img src="screenshots/{kind.name}-390.png" width="195" alt="{kind.title}, 390 px">',
            "",
        ]
    if left_out:
        lines += ["Niet op deze bron: " + ", ".join(k.title for k in left_out) + ".", ""]
    (args.out / "screenshots.md").write_text("\n".join(lines), encoding="utf-8")
    total = sum(p.stat().st_size for p in folder.glob("*.png"))
    print(f"{len(shown)} page types, {total / 1e6:.1f} MB in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
