"""The one place that mints and parses akgraph identifiers.

Scheme (all under ``urn:nl:ak:``):

* items keep the URN of their ``id`` field (``urn:nl:ak:mtr:org-02``); instruments, which have
  no id, and items whose id is missing, malformed or taken get ``urn:nl:ak:<code>:<slug>``
  (``urn:nl:ak:hlp:iama``), marked ``ak:identifierMinted true`` in the graph;
* a value of a controlled list is ``urn:nl:ak:<list>:<value>`` and the list itself
  ``urn:nl:ak:<list>``, with ``<list>`` the frontmatter key (``urn:nl:ak:rollen:jurist``);
* audit criteria are ``urn:nl:ak:adr:<code>`` and ``urn:nl:ak:ark:<code>``;
* glossary terms are ``urn:nl:ak:begrip:<slug of the term>``;
* a release is ``urn:nl:ak:release:<tag>``, and what an item's URN named in that release
  ``urn:nl:ak:versie:<tag>:<code>:<id>`` (``urn:nl:ak:versie:v2.0:mtr:dat-12``);
* a page of the site that is no item and no list value (``docs/ai-verordening/index.md``) is
  ``urn:nl:ak:pagina:<its path in docs/ without .md>`` (``urn:nl:ak:pagina:ai-verordening/index``);
* a link in a text is the text's IRI with fragment ``#link-<n>``;
* a reference that matched nothing is ``urn:nl:ak:ref:<field>:<value>``;
* a section of an item's text is the item's URN with the slug of its heading as fragment
  (``urn:nl:ak:mtr:org-02#toelichting``; the text before the first heading is ``#inleiding``);
  a repeated heading or glossary term gets ``-2``, ``-3``... appended.

Characters outside the URN syntax (RFC 8141) are percent-encoded; :func:`parse` decodes them.

Legislation is not ours, so it gets the identifiers of its publishers:

* an EU regulation, directive or decision its ELI (``http://data.europa.eu/eli/reg/2024/1689/oj``)
  and a part of it an ELI subdivision, the EUR-Lex anchor inserted before ``/oj``
  (``…/reg/2024/1689/art_14/oj``, ``rct_39``, ``anx_III``, ``cpt_III.sct_3``); another EU act
  (a treaty, the Charter) its CELEX resource in Cellar
  (``http://publications.europa.eu/resource/celex/12012P%2FTXT``), parts as ``#art_52``;
* a Dutch law its BWB page (``https://wetten.overheid.nl/BWBR0005537``), an article its
  Juriconnect reference without view dates (``jci1.3:c:BWBR0005537&artikel=3:2``) and another
  part the Juriconnect reference with the enclosing parts the source gives
  (``jci1.3:c:BWBR0005537&hoofdstuk=3&afdeling=3.2``);
* a legal link in an item's text is the item's URN with fragment ``#wetsverwijzing-<n>``.

The ontology is ``https://w3id.org/algoritmekader/def`` (:data:`ONTOLOGY`), its terms
``…/def#<Name>`` (:data:`AK`); the dataset holds it in the named graph of that IRI.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

import pyoxigraph
from rdflib import Namespace, URIRef

if TYPE_CHECKING:  # the source package imports this module
    from akgraph.source.legal import Act, Part

#: The persistent base of akgraph's own web addresses: w3id.org redirects ``<W3ID><path>`` to
#: ``<server>/<path>`` (the ontology ``def``, the JSON-LD context ``context.jsonld``).
W3ID = "https://w3id.org/algoritmekader/"
AK = Namespace(W3ID + "def#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ELI_ROOT = "http://data.europa.eu/eli/"
CELLAR_CELEX = "http://publications.europa.eu/resource/celex/"
#: EUR-Lex, where the EU publishes its legislation, and its page of a CELEX document
EURLEX = "https://eur-lex.europa.eu/"
EURLEX_CELEX = EURLEX + "legal-content/NL/TXT/?uri=CELEX:"
WETTEN = "https://wetten.overheid.nl/"
#: the ontology's IRI (the ``ak:`` namespace without ``#``), also the name of its graph
ONTOLOGY = URIRef(W3ID + "def")
VOCABULARY_GRAPH = URIRef("urn:nl:ak:graph:vocabularies")
HISTORY_GRAPH = URIRef("urn:nl:ak:graph:history")
DECISION_AID_GRAPH = URIRef("urn:nl:ak:graph:beslishulp")
DECISION_AID = URIRef("urn:nl:ak:beslishulp")
#: the instrument registry's instruments and their questions (task-registry's ``instruments/``)
INSTRUMENT_REGISTRY_GRAPH = URIRef("urn:nl:ak:graph:instrumenten")
PREFIX = "urn:nl:ak:"

#: Type codes of items in the URN, by item kind.
ITEM_CODES = {"measure": "mtr", "requirement": "ver", "instrument": "hlp"}

# RFC 8141 NSS characters besides ALPHA / DIGIT (pchar without "%", plus "/").
_SAFE = "-._~!$&'()*+,;=:@/"
_WELL_FORMED = re.compile(
    r"^urn:nl:ak:[a-z][a-z0-9-]*:(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})+$"
)


def _nss(value: str) -> str:
    return quote(value, safe=_SAFE)


def item(kind: str, local: str) -> URIRef:
    """Minted IRI of an item of ``kind`` (measure, requirement, instrument) named ``local``."""
    return URIRef(f"{PREFIX}{ITEM_CODES[kind]}:{_nss(local)}")


def scheme(list_name: str) -> URIRef:
    """IRI of the concept scheme of a controlled list (``levenscyclus``, ``adr``, ...)."""
    return URIRef(f"{PREFIX}{_nss(list_name)}")


def concept(list_name: str, value: str) -> URIRef:
    """IRI of ``value`` in the controlled list ``list_name``."""
    return URIRef(f"{PREFIX}{_nss(list_name)}:{_nss(value)}")


def glossary_term(term: str, occurrence: int = 1) -> URIRef:
    """IRI of a glossary term, from an ASCII slug of the term (``-n`` for its n-th definition)."""
    slug = slugify(term)
    return concept("begrip", slug if occurrence == 1 else f"{slug}-{occurrence}")


def item_version(item_iri: str, tag: str) -> URIRef:
    """IRI of what ``item_iri`` named in release ``tag``: ``urn:nl:ak:versie:<tag>:<code>:<id>``."""
    parsed = parse(item_iri)
    if parsed is None:
        raise ValueError(f"not an akgraph URN: {item_iri}")
    return URIRef(f"{PREFIX}versie:{_nss(tag)}:{_nss(parsed.namespace)}:{_nss(parsed.local)}")


def section(item_iri: str, heading: str | None, occurrence: int = 1) -> URIRef:
    """IRI of a section of an item's text: the item with the heading's slug as fragment."""
    slug = slugify(heading) if heading else "inleiding"
    if occurrence > 1:
        slug += f"-{occurrence}"
    return URIRef(f"{item_iri.split('#', 1)[0]}#{slug}")


_REGISTRY_URN = re.compile(r"^urn:nl:aivt:tr:([a-z0-9]+):[0-9]+\.[0-9]+(?::[0-9A-Za-z.]+)?$")


def registry_urn(urn: str) -> URIRef | None:
    """The IRI of a task-registry URN (``urn:nl:aivt:tr:iama:1.0``, a task
    ``urn:nl:aivt:tr:iama:1.0:1.1.1``): the URN itself, or None when it is not one."""
    return URIRef(urn) if _REGISTRY_URN.match(urn) else None


def registry_code(urn: str) -> str | None:
    """The instrument code of a task-registry URN (``iama``)."""
    found = _REGISTRY_URN.match(urn)
    return found.group(1) if found else None


def page(doc_path: str) -> URIRef:
    """IRI of the page made from ``doc_path`` (relative to the checkout: ``docs/a/b.md``)."""
    return concept("pagina", doc_path.removeprefix("docs/").removesuffix(".md"))


def link(iri: str, number: int) -> URIRef:
    """IRI of the ``number``-th distinct link in the text of ``iri``."""
    return part(iri, "link", number)


def part(iri: str, kind: str, number: int) -> URIRef:
    """A numbered part of a resource, as a fragment: ``<task>#link-2``."""
    return URIRef(f"{iri.split('#', 1)[0]}#{kind}-{number}")


def decision_aid(kind: str, *parts: str | int) -> URIRef:
    """IRI of a node of the AI-Act decision aid: ``urn:nl:ak:beslishulp:vraag:1.2``,
    ``…:vraag:1.2:antwoord:1`` (answers and redirects counted from 1),
    ``…:conclusie:12.0.1``, ``…:label:<slug>``, ``…:definitie:<slug>``."""
    return URIRef(":".join([str(DECISION_AID), kind, *(_nss(str(p)) for p in parts)]))


def release(tag: str) -> URIRef:
    """IRI of a release of the framework."""
    return URIRef(f"{PREFIX}release:{_nss(tag)}")


def is_release(iri: str) -> bool:
    """Whether ``iri`` names a release (and so the named graph of its data)."""
    return iri.startswith(f"{PREFIX}release:")


def release_tag(iri: str) -> str | None:
    """The tag of a release IRI (``urn:nl:ak:release:v2.0`` gives ``v2.0``); None for another."""
    return local(iri) if is_release(iri) else None


def unresolved(field: str, value: str) -> URIRef:
    """IRI of a reference from ``field`` that matched no item."""
    return URIRef(f"{PREFIX}ref:{_nss(field)}:{_nss(value)}")


def normalize(text: str) -> str:
    """``text`` (a URN as typed or pasted) with characters outside the URN syntax
    percent-encoded, as :func:`item` and :func:`concept` mint them."""
    head, sep, fragment = text.strip().partition("#")
    return _nss(head) + (sep + _nss(fragment) if sep else "")


def is_well_formed(identifier: str) -> bool:
    """Whether ``identifier`` is a syntactically valid ``urn:nl:ak:`` URN."""
    return bool(_WELL_FORMED.match(identifier))


def slugify(text: str) -> str:
    """Lower-case ASCII slug: accents dropped, runs of other characters turned into ``-``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "leeg"


def official_page(site: str, doc_path: str) -> URIRef:
    """URL of the page MkDocs builds from ``doc_path`` (relative to ``docs/``) on ``site``."""
    page = doc_path.removesuffix(".md")
    if page == "index" or page.endswith("/index"):
        page = page.removesuffix("index")
    else:
        page += "/"
    return URIRef(site.rstrip("/") + "/" + quote(page, safe="/-._~"))


def web_iri(url: str) -> URIRef:
    """An IRI for a link target from the source, with characters IRIs forbid percent-encoded."""
    return URIRef(quote(url.strip(), safe="/:?#[]@!$&'()*+,;=%-._~"))


def is_valid_iri(iri: str) -> bool:
    """Whether ``iri`` is an absolute IRI (RFC 3987) that every RDF writer accepts."""
    try:
        pyoxigraph.NamedNode(iri)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Parsed:
    """The parts of an akgraph URN: ``urn:nl:ak:<namespace>:<local>``."""

    namespace: str
    local: str


def parse(iri: str) -> Parsed | None:
    """Split an akgraph URN into namespace and (decoded) local part; None for other IRIs.

    A fragment (a section) is not part of the local name.
    """
    if not iri.startswith(PREFIX):
        return None
    iri = iri.split("#", 1)[0]
    namespace, sep, local = iri[len(PREFIX) :].partition(":")
    if not namespace:
        return None
    return Parsed(unquote(namespace), unquote(local) if sep else "")


def local(iri: str) -> str:
    """The decoded local part of an akgraph URN (``urn:nl:ak:release:v2.0`` gives ``v2.0``);
    ValueError for another IRI."""
    parsed = parse(iri)
    if parsed is None:
        raise ValueError(f"not an akgraph URN: {iri}")
    return parsed.local


# -- legislation ------------------------------------------------------------------------------

_EU_ANCHORS = {
    "artikel": "art",
    "overweging": "rct",
    "bijlage": "anx",
    "hoofdstuk": "cpt",
    "afdeling": "sct",
}
_LABELS = {"artikel": "Artikel", "overweging": "Overweging", "bijlage": "Bijlage"}


def law(act: Act) -> URIRef:
    """IRI of an act: ELI for EU regulations, directives and decisions, CELEX resource for other
    EU acts, BWB page for Dutch laws. Raises ValueError for an EU act without type or CELEX."""
    if act.system == "nl":
        return URIRef(f"{WETTEN}{act.bwb}")
    if act.type and act.year is not None and act.number is not None:
        return URIRef(f"{ELI_ROOT}{act.type}/{act.year}/{act.number}/oj")
    if act.celex:
        return URIRef(CELLAR_CELEX + quote(act.celex, safe=""))
    raise ValueError(f"EU act without type or CELEX number: {act}")


def _eu_anchor(part: Part) -> str:
    chain = [*part.within, (part.kind, part.number)]
    return ".".join(f"{_EU_ANCHORS[kind]}_{quote(number, safe='')}" for kind, number in chain)


def _jci(act: Act, part: Part) -> str:
    chain = [(part.kind, part.number)] if part.kind == "artikel" else [*part.within, part.key]
    return f"jci1.3:c:{act.bwb}" + "".join(f"&{k}={quote(n, safe=':.')}" for k, n in chain)


def law_part(act: Act, part: Part) -> URIRef:
    """IRI of a part (article, recital, annex, division) of ``act``."""
    if act.system == "nl":
        return URIRef(_jci(act, part))
    base = str(law(act))
    if base.endswith("/oj"):
        return URIRef(f"{base.removesuffix('/oj')}/{_eu_anchor(part)}/oj")
    return URIRef(f"{base}#{_eu_anchor(part)}")


def law_page(act: Act, part: Part | None = None) -> URIRef | None:
    """The page of an act or part on EUR-Lex or wetten.overheid.nl (None: no CELEX known)."""
    if act.system == "nl":
        return URIRef(WETTEN + (_jci(act, part) if part else str(act.bwb)))
    if not act.celex:
        return None
    return URIRef(EURLEX_CELEX + act.celex + (f"#{_eu_anchor(part)}" if part else ""))


def law_part_label(part: Part) -> str:
    """A Dutch label for a part: ``Artikel 14``, ``Overweging 39``, ``Afdeling 3.2``."""
    return f"{_LABELS.get(part.kind) or part.kind.capitalize()} {part.number}"


def legal_citation(item_iri: str, occurrence: int) -> URIRef:
    """IRI of the ``occurrence``-th legal link in an item's text."""
    return URIRef(f"{item_iri.split('#', 1)[0]}#wetsverwijzing-{occurrence}")
