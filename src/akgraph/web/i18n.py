"""The interface's languages: Dutch (the source text of every template) and English.

The language of a page is ``?lang=`` when it names one of :data:`LANGUAGES`, else the first
of them the ``Accept-Language`` header asks for, else Dutch. Links on a page asked for with
``?lang=`` keep it (a ``url_defaults`` hook on the pages' URL builder), so no cookie is needed
and a shared cache keeps the two versions apart by URL or by ``Vary: Accept-Language``. Messages are
Flask-Babel's: the templates mark text with ``_()``; the English catalogue is
``translations/en/LC_MESSAGES/messages.po`` with its compiled ``messages.mo`` beside it
(``scripts/translations`` extracts, updates and compiles; a test checks the two agree). The
framework's own content stays Dutch: templates mark it ``lang="nl"`` on English pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, g, has_request_context, request
from flask_babel import Babel  # type: ignore[import-untyped]
from markupsafe import Markup

LANGUAGES = ("nl", "en")
DEFAULT = "nl"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
#: Endpoints whose URLs never carry ``lang`` (machine answers, not pages).
_MACHINE_BLUEPRINTS = ("api", "sparql", "operations", "feed")


def init_app(app: Flask) -> None:
    """Babel on ``app`` with akgraph's catalogue, the language hooks and template globals."""
    Babel(app, locale_selector=language, default_translation_directories=str(TRANSLATIONS))
    app.url_defaults(_keep_language)
    app.after_request(_vary)
    app.context_processor(
        lambda: {"lang": language(), "language_links": language_links, "lang_input": lang_input}
    )


def language() -> str:
    """The language of the current request (see the module docstring)."""
    if not has_request_context():
        return DEFAULT
    if "akgraph_lang" not in g:
        asked = request.args.get("lang", "").lower()
        if asked in LANGUAGES:
            g.akgraph_lang = asked
        else:
            g.akgraph_lang = _preferred()
    return str(g.akgraph_lang)


def _preferred() -> str:
    """The first of :data:`LANGUAGES` in ``Accept-Language`` by quality, comparing primary
    subtags (``nl-NL`` asks for ``nl``); the default when none is there."""
    for value, quality in request.accept_languages:  # highest quality first
        primary = value.split("-", 1)[0].lower()
        if quality > 0 and primary in LANGUAGES:
            return primary
    return DEFAULT


def language_links() -> list[dict[str, Any]]:
    """The language switch of a page: this page in each language, the current one marked."""
    links = []
    for code, name in (("nl", "Nederlands"), ("en", "English")):
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
        query = urlencode([*args, ("lang", code)])
        current = code == language()
        links.append(
            {
                "code": code,
                "name": name,
                "href": f"{request.script_root}{request.path}?{query}",
                "current": current,
            }
        )
    return links


def lang_input() -> Markup:
    """A hidden ``lang`` field for GET forms (a form's action loses its query string), where
    the page was asked for with ``?lang=``; empty otherwise."""
    asked = request.args.get("lang", "").lower()
    if asked not in LANGUAGES:
        return Markup("")
    return Markup('<input type="hidden" name="lang" value="{}">').format(asked)


def _keep_language(endpoint: str | None, values: dict[str, Any]) -> None:
    """Links from a page asked for with ``?lang=`` keep that language."""
    if not has_request_context() or "lang" in values or endpoint is None:
        return
    if endpoint.split(".", 1)[0] in _MACHINE_BLUEPRINTS or endpoint.endswith("static"):
        return
    asked = request.args.get("lang", "").lower()
    if asked in LANGUAGES:
        values["lang"] = asked


def _vary(response: Response) -> Response:
    """Pages differ by language: say so to caches, and which language this one is."""
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
        response.headers["Content-Language"] = language()
    return response


def cache_key(*parts: Any) -> tuple[Any, ...]:
    """``parts`` with the current language, for caches of rendered pages and ETags."""
    return (*parts, language())
