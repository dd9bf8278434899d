"""Which requirements (and, through them, which measures) apply to an AI-Act profile.

A *profile* gives, per dimension of the AI-Act labels, the values that describe one
application: the outcomes of the AI-Act decision aid ("beslishulp"). Dimensions are the
frontmatter keys (``soort-toepassing``, ``risicogroep``, ``rol-ai-act``,
``transparantieverplichting``, ``systeemrisico``, ``open-source``); values are the frontmatter
values (``hoog-risico-ai-systeem``), so a profile reads like the framework's own labels. A
dimension the profile leaves out is unknown and does not filter.

The rule is AMT's, the Algoritme Management Toolkit's (``is_requirement_applicable`` in
``amt/services/task_registry.py`` of MinBZK/amt at 8b8145c; the contract tests run that very
function on every profile they enumerate and compare):

* a requirement that is not an AI-Act one always applies. AMT reads this from the registry's
  ``always_applicable``, which task-registry's converter sets to 0 exactly for the files whose
  name contains ``aia``: here, requirements whose id starts with ``aia-``;
* per dimension, a requirement restricts only with values that have a registry label
  (:mod:`akgraph.registry_labels`; ``niet-van-toepassing`` has none, so a dimension listing only
  that value does not restrict, as AMT sees an empty list). A restricted dimension needs at
  least one value of the profile among the requirement's values (OR within a dimension), in
  every dimension (AND across). A dimension the profile leaves out has no value, so it fails
  every requirement that restricts it (AMT does the same). A profile may hold several values in
  a dimension (AMT's ``role`` is a list). A profile value ``niet-van-toepassing`` (which AMT's
  labels cannot express) matches the requirements that list it.
* older releases' ``publicatiecategorie`` is the ``risicogroep`` dimension (the caller merges it,
  as the registry's converter did).

**Exceptions** (``uitzondering``, ``ak:exception``). AMT does not read them: task-registry's
converter drops the field. Each list item is a boolean expression over ``<dimension>-<value>``
tokens; a token holds when the profile has that value. We read an item that holds as *the
requirement does not apply*. Evidence: the decision aid (MinBZK/ai-verordening-beslishulp,
``decision-tree.yaml``) asks "Is er voor de (beoogde) toepassing sprake van een
uitzonderingsgrond?" (question 1.5, the scope exclusions of article 2 of the AI Act: military,
research, ...), labels a yes "uitzondering van toepassing" and concludes that the AI Act does
not apply; every AI-Act requirement carries ``risicogroep-uitzondering-van-toepassing`` as an
exception, while the non-AI-Act requirements list that value as an ordinary label (they keep
applying). The compound item ``(AI-systeem voor algemene doeleinden || AI-systeem) &&
open-source && geen transparantieverplichting && geen hoog-risico`` is the open-source
exclusion of article 2(12) of the AI Act (free and open-source AI systems are out of scope
unless high-risk, prohibited or under article 50). A token whose dimension the profile leaves
out does not hold (an exclusion is never assumed).

Grammar of an exception (every form in v2.0, v2.2.0 and v2.5.1, plus negation)::

    expr  := and ("||" and)*
    and   := unary ("&&" unary)*
    unary := "!" unary | "(" expr ")" | token
    token := '"' name '"' | name          name: letters, digits, "-", "_", "."
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from akgraph import fields, iris
from akgraph.registry_labels import dimensions as _dimensions

Profile = Mapping[str, frozenset[str]]
#: The AI-Act dimensions: the frontmatter keys of a requirement's AI-Act labels.
DIMENSIONS = tuple(f.key for f in fields.ai_act())


class ExpressionError(ValueError):
    """An exception expression that does not follow the grammar."""


# -- exception expressions ------------------------------------------------------------------

_TOKEN = re.compile(r'\s*(?:(\|\||&&|[()!])|"([^"\\]*)"|([A-Za-z0-9_.][A-Za-z0-9_.-]*))')


@dataclass(frozen=True)
class Token:
    name: str


@dataclass(frozen=True)
class Not:
    operand: Expr


@dataclass(frozen=True)
class And:
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Expr, ...]


Expr = Token | Not | And | Or


def _lex(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ExpressionError(f"unexpected {text[position : position + 10]!r} in {text!r}")
        operator, quoted, bare = match.groups()
        if operator:
            out.append(("op", operator))
        else:
            name = quoted if quoted is not None else bare
            if not name or not name.strip():
                raise ExpressionError(f"empty label in {text!r}")
            out.append(("name", name.strip()))
        position = match.end()
    return out


def parse_expression(text: str) -> Expr:
    """The syntax tree of one exception expression; ExpressionError when malformed."""
    return parse_tokens(_lex(text), text)


def parse_tokens(tokens: list[tuple[str, str]], text: str, label: str = "a label") -> Expr:
    """The syntax tree of lexed ``tokens`` (``("op", "&&")``, ``("name", "...")``) by the
    grammar above; also parses the decision aid's conditions, which differ only in how a label
    is written (``label`` names that form in messages)."""
    if not tokens:
        raise ExpressionError("empty expression")
    position = 0

    def peek() -> tuple[str, str] | None:
        return tokens[position] if position < len(tokens) else None

    def take(value: str) -> bool:
        nonlocal position
        if peek() == ("op", value):
            position += 1
            return True
        return False

    def expression() -> Expr:
        operands = [conjunction()]
        while take("||"):
            operands.append(conjunction())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def conjunction() -> Expr:
        operands = [unary()]
        while take("&&"):
            operands.append(unary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def unary() -> Expr:
        nonlocal position
        if take("!"):
            return Not(unary())
        if take("("):
            inner = expression()
            if not take(")"):
                raise ExpressionError(f"missing ')' in {text!r}")
            return inner
        found = peek()
        if found is None or found[0] != "name":
            raise ExpressionError(
                f"expected {label} at {found[1] if found else 'end'!r} in {text!r}"
            )
        position += 1
        return Token(found[1])

    tree = expression()
    if position != len(tokens):
        raise ExpressionError(f"unexpected {tokens[position][1]!r} in {text!r}")
    return tree


def labels(tree: Expr) -> set[str]:
    """Every token name in an expression."""
    if isinstance(tree, Token):
        return {tree.name}
    if isinstance(tree, Not):
        return labels(tree.operand)
    return set().union(*(labels(o) for o in tree.operands))


def split_label(name: str) -> tuple[str, str] | None:
    """``risicogroep-hoog-risico-ai-systeem`` → (``risicogroep``, ``hoog-risico-ai-systeem``)."""
    for dimension in sorted(DIMENSIONS, key=len, reverse=True):
        if name.startswith(dimension + "-") and len(name) > len(dimension) + 1:
            return dimension, name[len(dimension) + 1 :]
    return None


def holds(tree: Expr, profile: Profile) -> bool:
    """Whether an expression holds for ``profile`` (a label of an unknown dimension: false)."""
    if isinstance(tree, Token):
        found = split_label(tree.name)
        return found is not None and found[1] in profile.get(found[0], frozenset())
    if isinstance(tree, Not):
        return not holds(tree.operand, profile)
    if isinstance(tree, And):
        return all(holds(o, profile) for o in tree.operands)
    return any(holds(o, profile) for o in tree.operands)


def evaluate(text: str, profile: Profile) -> bool:
    """Parse and evaluate one exception expression."""
    return holds(parse_expression(text), profile)


# -- requirements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """What applicability needs to know of a requirement."""

    urn: str
    labels: Mapping[str, frozenset[str]] = field(default_factory=dict)
    exceptions: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()

    @property
    def ai_act(self) -> bool:
        """An AI-Act requirement (id ``urn:nl:ak:ver:aia-…``), the others always apply."""
        parsed = iris.parse(self.urn)
        return parsed is not None and parsed.local.lower().startswith("aia")


@dataclass(frozen=True)
class Decision:
    """The verdict on one requirement: ``stage`` is ``"rule"`` (AMT's label rule) or
    ``"exception"`` (an ``uitzondering`` held); ``expression`` and ``because`` (the profile's
    ``(dimension, value)`` pairs that made it hold) are set for an exception."""

    urn: str
    applies: bool
    reason: str
    stage: str = "rule"
    expression: str | None = None
    because: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Assessment:
    """The outcome for one profile: what applies, what an exception removed, the measures."""

    applicable: list[Requirement]
    excluded: list[Decision]
    measures: list[str]


def profile(values: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """A profile from plain values: URNs (``urn:nl:ak:risicogroep:…``) or frontmatter values;
    empty dimensions are left out."""
    found: dict[str, frozenset[str]] = {}
    for dimension, given in values.items():
        cleaned = set()
        for value in given:
            value = value.strip()
            parsed = iris.parse(value)
            cleaned.add(parsed.local if parsed and parsed.namespace == dimension else value)
        cleaned.discard("")
        if cleaned:
            found[dimension] = frozenset(cleaned)
    return found


def matches_rule(requirement: Requirement, profile: Profile) -> str | None:
    """AMT's label rule: None when ``requirement`` applies, else the dimension that fails."""
    if not requirement.ai_act:
        return None
    known = _dimensions()
    for dimension in DIMENSIONS:
        wanted = requirement.labels.get(dimension, frozenset())
        if not known[dimension].restricting(wanted):
            continue  # no value with a registry label: AMT sees an empty list
        if not wanted & profile.get(dimension, frozenset()):
            return dimension
    return None


def _because(tree: Expr, profile: Profile) -> tuple[tuple[str, str], ...]:
    found = []
    for name in sorted(labels(tree)):
        split = split_label(name)
        if split and split[1] in profile.get(split[0], frozenset()):
            found.append(split)
    return tuple(found)


def decide(requirement: Requirement, profile: Profile, exceptions: bool = True) -> Decision:
    """Whether ``requirement`` applies to ``profile`` (AMT's rule, then, unless ``exceptions``
    is false, the requirement's exceptions), with the reason in a few words."""
    if not requirement.ai_act:
        return Decision(requirement.urn, True, "geen AI-verordening: altijd van toepassing")
    failed = matches_rule(requirement, profile)
    if failed:
        return Decision(requirement.urn, False, f"{failed}: geen overeenkomst")
    if exceptions:
        for text in requirement.exceptions:
            tree = parse_expression(text)
            if holds(tree, profile):
                because = _because(tree, profile)
                shown = ", ".join(f"{d}={v}" for d, v in because)
                return Decision(
                    requirement.urn,
                    False,
                    f"uitzondering: {text} (geldt door {shown})",
                    "exception",
                    text,
                    because,
                )
    return Decision(requirement.urn, True, "labels komen overeen")


def assess(
    requirements: Iterable[Requirement], profile: Profile, exceptions: bool = True
) -> Assessment:
    """The plain-Python applicability engine (``/api/applicable``, the pages and the decision
    aid call it): AMT's rule, then the exceptions. ``requirements`` as built by the caller (the
    API builds them from the graph with ``Registry.applicability_input``), ``profile`` as
    :func:`profile` returns it. Returns the requirements that apply (input order), the decisions
    of those an exception removed, and the measures of the applicable ones (first seen first)."""
    chosen: list[Requirement] = []
    excluded: list[Decision] = []
    for requirement in requirements:
        decision = decide(requirement, profile, exceptions)
        if decision.applies:
            chosen.append(requirement)
        elif decision.stage == "exception":
            excluded.append(decision)
    measures = list(dict.fromkeys(m for r in chosen for m in r.measures))
    return Assessment(chosen, excluded, measures)


def applicable(
    requirements: Iterable[Requirement], profile: Profile, exceptions: bool = True
) -> tuple[list[Requirement], list[str]]:
    """The requirements that apply and the measures linked to them (URNs, first seen first)."""
    found = assess(requirements, profile, exceptions)
    return found.applicable, found.measures
