"""``akgraph query``: run a named query (``queries/*.rq``) locally or against an endpoint.

Locally the source (a checkout or a graph file from ``akgraph build``; default: the bundled
sample) is loaded into an in-memory pyoxigraph store and queried in this process, with the
same dataset as the server (the union of the graphs; with several releases the newest).
With ``--endpoint URL`` the bound query goes to that SPARQL endpoint through SPARQLWrapper.
Either way the answer is SPARQL JSON results, written as a table, JSON or CSV.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # imported where used: the CLI's other commands need not load rdflib
    from akgraph import queries

FORMATS = ("table", "json", "csv")
MAX_WIDTH = 60


def add_parser(commands) -> None:
    """The ``query`` subcommand's arguments.

    argparse cannot put a positional after an option (``NAME --param k=v SOURCE``) once it has
    seen the first positional, so what follows NAME is parsed again by :func:`_rest`.
    """
    cmd = commands.add_parser(
        "query",
        help="run a named query",
        description="Run a named query from queries/ on a checkout or graph file (loaded "
        "locally) or on a SPARQL endpoint. Exit status: 0 answered, 1 the query failed, "
        "2 usage or input error (unknown query or parameter, unreadable source).",
        usage="akgraph query NAME [--param K=V ...] [SOURCE] [--endpoint URL] "
        "[--format table|json|csv] | akgraph query --list",
    )
    cmd.add_argument("name", nargs="?", metavar="NAME", help="the query (file name without .rq)")
    cmd.add_argument(
        "rest",
        nargs=argparse.REMAINDER,
        metavar="SOURCE",
        help="checkout root or graph file (default: the bundled sample; not with --endpoint)",
    )
    _options(cmd)


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="K=V",
        help="a parameter value (see --list); may be repeated; an empty value means any",
    )
    parser.add_argument("--endpoint", metavar="URL", help="a SPARQL endpoint, e.g. .../sparql")
    parser.add_argument("--format", choices=FORMATS, default="table", help="default: table")
    parser.add_argument("--list", action="store_true", help="list the named queries and exit")
    parser.add_argument("--timeout", type=float, default=60.0, help="endpoint timeout (seconds)")


def _rest(args: argparse.Namespace) -> argparse.Namespace:
    """The options and SOURCE after NAME, on top of those before it."""
    parser = argparse.ArgumentParser(prog="akgraph query NAME")
    parser.add_argument("source", nargs="?")
    _options(parser)
    parser.set_defaults(**{k: v for k, v in vars(args).items() if k not in ("param", "rest")})
    found = parser.parse_intermixed_args(args.rest)
    found.param = list(args.param) + found.param
    found.name = args.name
    return found


def main(args: argparse.Namespace) -> int:
    from akgraph import queries

    named = queries.read_folder()
    args = _rest(args)
    if args.list:
        sys.stdout.write(listing(named))
        return 0
    if not args.name:
        print("akgraph query: give a query name (see --list)", file=sys.stderr)
        return 2
    name, source = args.name, args.source
    if source and args.endpoint:
        print("akgraph query: give a SOURCE or --endpoint, not both", file=sys.stderr)
        return 2
    try:
        text = bind(named, name, args.param)
    except queries.NamedQueryError as exc:
        print(f"akgraph query: {exc}", file=sys.stderr)
        return 2
    try:
        if args.endpoint:
            results = remote(text, args.endpoint, args.timeout)
        else:
            results = local(text, source)
    except SourceProblem as exc:
        print(f"akgraph query: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # the store's or the endpoint's refusal, a failed query
        print(f"akgraph query: {name} failed: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(render(results, args.format))
    return 0


class SourceProblem(Exception):
    """The source cannot be read."""


def listing(named: dict[str, queries.NamedQuery]) -> str:
    """One line per query: name, title, and its parameters with their defaults."""
    width = max((len(n) for n in named), default=0)
    lines = []
    for name, query in named.items():
        lines.append(f"{name.ljust(width)}  {query.title.get('nl', '')}")
        for p in query.parameters:
            default = p.default if p.default is not None else "(elke waarde)"
            lines.append(f"{''.ljust(width)}    --param {p.name}=…  {p.description} [{default}]")
    return "\n".join(lines) + "\n"


def bind(named: dict[str, queries.NamedQuery], name: str, params: list[str]) -> str:
    """The text of query ``name`` with ``k=v`` parameters bound."""
    from akgraph import queries

    if name not in named:
        raise queries.NamedQueryError(f"unknown query {name!r}; known: {', '.join(named)}")
    values: dict[str, str] = {}
    for param in params:
        key, sep, value = param.partition("=")
        if not sep or not key.strip():
            raise queries.NamedQueryError(f"--param {param!r}: write NAME=VALUE")
        values[key.strip()] = value.strip()
    return named[name].bind(values)


def local(text: str, source: str | None) -> dict[str, Any]:
    """SPARQL JSON results of ``text`` on ``source`` loaded in this process."""
    from pyoxigraph import (
        QueryBoolean,
        QueryResultsFormat,
        QuerySolutions,
        QueryTriples,
    )

    from akgraph import queries, store
    from akgraph.graph import to_store

    query = store.inspect(text, store.Limits(max_query_length=10**6))
    try:
        loaded = to_store(source)
    except Exception as exc:
        raise SourceProblem(f"cannot read {source}: {exc}") from exc
    options = store.dataset_options(query, None, None, store.default_graphs(loaded))
    try:
        result = loaded.query(query.text, **options)
    except SyntaxError as exc:
        raise store.BadQuery(f"malformed query: {exc}") from None
    if isinstance(result, QueryTriples):
        raise queries.NamedQueryError("only SELECT and ASK queries have a table")
    out = io.BytesIO()
    table = cast(QuerySolutions | QueryBoolean, result)
    table.serialize(out, QueryResultsFormat.JSON)
    return json.loads(out.getvalue())


def remote(text: str, endpoint: str, timeout: float) -> dict[str, Any]:
    """SPARQL JSON results of ``text`` from ``endpoint``."""
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    client = SPARQLWrapper(endpoint)
    client.setQuery(text)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setTimeout(math.ceil(timeout))  # it truncates to int, and 0 means no timeout
    return cast(dict[str, Any], client.queryAndConvert())


def _value(binding: dict[str, str] | None) -> str:
    return "" if binding is None else binding["value"]


def render(results: dict[str, Any], fmt: str) -> str:
    """SPARQL JSON results as ``table``, ``json`` (the results as they are) or ``csv``."""
    if fmt == "json":
        return json.dumps(results, ensure_ascii=False, indent=2) + "\n"
    if "boolean" in results:
        answer = "true" if results["boolean"] else "false"
        return f"boolean\r\n{answer}\r\n" if fmt == "csv" else answer + "\n"
    names = results["head"]["vars"]
    rows = [[_value(b.get(n)) for n in names] for b in results["results"]["bindings"]]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows(rows)
        return out.getvalue()
    cells = [[_clip(" ".join(v.split())) for v in row] for row in rows]
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"({len(rows)} {'rij' if len(rows) == 1 else 'rijen'})")
    return "\n".join(lines) + "\n"


def _clip(text: str) -> str:
    return text if len(text) <= MAX_WIDTH else text[: MAX_WIDTH - 1] + "…"
