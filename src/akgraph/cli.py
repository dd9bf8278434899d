"""Command line (``akgraph build``, ``validate``, ``diff``, ``serve``, ``publish``, ``query``).
Thin: it parses arguments and calls the library."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from akgraph import querycli
from akgraph.problems import Problem, Severity, SourceError

if TYPE_CHECKING:  # imported where used: ``akgraph --help`` need not load rdflib
    from akgraph.graph import Build, Releases

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``akgraph`` console script."""
    parser = argparse.ArgumentParser(
        prog="akgraph", description="The Algoritmekader as linked data."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser(
        "build",
        help="convert a checkout of the Algoritmekader to RDF",
        description="Convert a checkout of the Algoritmekader (a folder with docs/) to RDF. "
        "Exit status: 0 converted (possibly with warnings), 1 a file could not be converted "
        "(or, with --strict, any warning), 2 the source cannot be read or bad arguments.",
    )
    build_cmd.add_argument(
        "source",
        nargs="*",
        help="checkout root (default: the bundled sample in content/); several make one "
        "dataset with a named graph per release and a history graph (write .trig or .nq)",
    )
    build_cmd.add_argument(
        "--tags",
        metavar="TAGS",
        help="with one git checkout: build these tags, read from git's objects "
        "(comma-separated; A..B for every tag from A to B in version order; all for every tag); "
        "tags on one commit make one release",
    )
    build_cmd.add_argument(
        "-o",
        "--output",
        help="write the graph here; format from the extension "
        "(.ttl .nt .jsonld .rdf .trig .nq); '-' writes Turtle to standard output",
    )
    build_cmd.add_argument(
        "--beslishulp",
        metavar="DIR",
        help="a folder of the AI-Act decision aid (decision-tree.yaml, ...) to convert into "
        "its own graph (default: SOURCE/beslishulp where it exists)",
    )
    build_cmd.add_argument(
        "--instruments",
        metavar="DIR",
        help="a folder of instrument registry YAML (task-registry's instruments/) to convert "
        "into its own graph (default: SOURCE/instruments where it exists)",
    )
    build_cmd.add_argument(
        "--no-cache",
        action="store_true",
        help="with --tags: neither read nor keep built releases in the build cache "
        "(default: ~/.cache/akgraph, or $AKGRAPH_CACHE_DIR)",
    )
    build_cmd.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="with --tags: convert the releases in N processes (default: one per core)",
    )
    build_cmd.add_argument("--strict", action="store_true", help="treat warnings as failures")
    build_cmd.add_argument("-v", "--verbose", action="store_true", help="also list info notes")
    validate_cmd = commands.add_parser(
        "validate",
        help="check a checkout or a graph file against the SHACL shapes",
        description="Build a checkout (or read a graph file from akgraph build) and validate "
        "it with the SHACL shapes in shapes/. Exit status: 0 conforms at the chosen severity, "
        "1 it does not, 2 usage or input error.",
    )
    validate_cmd.add_argument(
        "source", nargs="?", help="checkout root or graph file (default: the bundled sample)"
    )
    validate_cmd.add_argument(
        "--format",
        choices=["text", "ttl", "json"],
        default="text",
        help="text: readable report by file; ttl/json: the SHACL validation report itself",
    )
    validate_cmd.add_argument(
        "--severity",
        choices=["violation", "warning", "info"],
        default="violation",
        help="lowest severity that makes the run fail (default: violation)",
    )
    validate_cmd.add_argument(
        "--shapes",
        action="append",
        default=[],
        metavar="FILE",
        help="extra SHACL shapes (Turtle), e.g. the NL-SBB SKOS profile; may be repeated",
    )
    validate_cmd.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="for a file of several releases: validate them in N processes "
        "(default: one per core)",
    )
    _add_serve_and_publish(commands)
    diff_cmd = commands.add_parser(
        "diff",
        help="what changed between two releases",
        description="Compare two releases: items added, removed, changed (which fields), "
        "relations added and removed, URNs reassigned to another item, items moved to another "
        "URN (matched by file, or a renamed file by similar title or text). A and B are checkouts, "
        "or tags of the git checkout given with --repo. Exit status: 0 compared, 2 usage or "
        "input error.",
    )
    diff_cmd.add_argument("old", metavar="A", help="the older release")
    diff_cmd.add_argument("new", metavar="B", help="the newer release")
    diff_cmd.add_argument("--repo", help="a git checkout of the framework: A and B are its tags")
    diff_cmd.add_argument("--format", choices=["text", "json"], default="text")
    querycli.add_parser(commands)
    args = parser.parse_args(argv)
    handlers = {
        "build": _build,
        "validate": _validate,
        "serve": _serve,
        "publish": _publish,
        "diff": _diff,
        "query": querycli.main,
    }
    return handlers[args.command](args)


def _add_serve_and_publish(commands) -> None:
    serve_cmd = commands.add_parser(
        "serve",
        help="serve the graph over HTTP: a read-only SPARQL 1.1 endpoint at /sparql",
        description="Build a checkout (or load a graph file) into an embedded store and serve "
        "it at http://HOST:PORT/sparql; or, with --store, answer from an existing SPARQL "
        "server. For production use gunicorn (see the README).",
    )
    serve_cmd.add_argument(
        "source",
        nargs="*",
        help="checkout root or graph file (default: the bundled sample); several checkouts "
        "are served as one dataset, the newest release as default graph",
    )
    serve_cmd.add_argument(
        "--beslishulp", metavar="DIR", help="a folder of the AI-Act decision aid to serve"
    )
    serve_cmd.add_argument(
        "--instruments", metavar="DIR", help="a folder of instrument registry YAML to serve"
    )
    serve_cmd.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=5000, help="default: 5000")
    serve_cmd.add_argument("--store", metavar="URL", help="query endpoint of a SPARQL server")
    serve_cmd.add_argument(
        "--timeout", type=float, default=10.0, metavar="S", help="query time limit (default 10)"
    )
    serve_cmd.add_argument(
        "--workers", type=int, default=2, help="query worker processes (default 2)"
    )
    publish_cmd = commands.add_parser(
        "publish",
        help="upload the graph to a SPARQL 1.1 Graph Store Protocol endpoint",
        description="Build a checkout (or load a graph file) and PUT each named graph to a "
        "Graph Store Protocol endpoint (e.g. http://host:7878/store for Oxigraph server), "
        "replacing what it held under those names. Exit status: 0 uploaded, 1 upload failed, "
        "2 usage or input error.",
    )
    publish_cmd.add_argument(
        "source", nargs="?", help="checkout root or graph file (default: the bundled sample)"
    )
    publish_cmd.add_argument("--to", required=True, metavar="URL", help="Graph Store endpoint")


def _serve(args: argparse.Namespace) -> int:
    from akgraph.web import create_app, state

    source = args.source[0] if len(args.source) == 1 else (args.source or None)
    given = {
        "SOURCE": source,
        "STORE": args.store,
        "BESLISHULP": args.beslishulp,
        "INSTRUMENTS": args.instruments,
    }
    config = {key: value for key, value in given.items() if value is not None}
    config |= {"TIMEOUT": args.timeout, "WORKERS": args.workers}
    try:
        app = create_app(config)
    except (SourceError, ValueError, OSError) as exc:
        print(f"akgraph: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    home = f"http://{args.host}:{args.port}/"
    print(f"akgraph: serving {home} (SPARQL endpoint at {home}sparql)", file=sys.stderr)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        app.run(host=args.host, port=args.port, threaded=True)  # returns on Ctrl+C
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        state.of(app).backend.close()
    print("akgraph: stopped", file=sys.stderr)
    return EXIT_OK


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops the server as Ctrl+C does."""
    raise KeyboardInterrupt


def _publish(args: argparse.Namespace) -> int:
    from akgraph import store
    from akgraph.graph import to_store

    try:
        loaded = to_store(args.source)
    except (SourceError, ValueError, OSError) as exc:
        print(f"akgraph: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        for graph, status in store.publish(loaded, args.to):
            print(f"published {graph} to {args.to} (HTTP {status})")
    except store.QueryError as exc:
        print(f"akgraph: error: {exc.message}", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def _builds(args: argparse.Namespace) -> list[Build]:
    """The builds asked for: each checkout, or the tags of one git checkout (through the build
    cache, in parallel); the decision aid and the instrument registry go with the newest."""
    from akgraph import resources
    from akgraph.graph import add_decision_aid, add_instruments, build

    sources, tags, decision_aid = args.source, args.tags, args.beslishulp
    instrument_registry = args.instruments
    if tags:
        if len(sources) != 1:
            raise ValueError("--tags needs exactly one git checkout")
        from akgraph import tagbuild

        specs = [t.strip() for t in tags.split(",") if t.strip()]
        builds = tagbuild.build_tags(sources[0], specs, not args.no_cache, args.jobs)
        if decision_aid and builds:
            add_decision_aid(builds[-1], decision_aid)
        if instrument_registry and builds:
            add_instruments(builds[-1], instrument_registry)
        return builds
    folders = [Path(s) for s in sources or [str(resources.data_dir("content"))]]
    return [
        build(f, decision_aid=decision_aid, instrument_registry=instrument_registry)
        for f in folders
    ]


def _build(args: argparse.Namespace) -> int:
    from akgraph.graph import Releases, build_releases, format_for, serialize

    to_stdout = args.output == "-"
    try:
        builds = _builds(args)
        several = len(builds) > 1
        fmt = format_for(args.output) if args.output and not to_stdout else None
        fmt = fmt or ("trig" if several else "turtle")
        repository = args.source[0] if args.tags else None
        built = build_releases(builds, repository) if several else builds[0]
        if args.output:
            data = serialize(built, fmt)
    except (SourceError, ValueError) as exc:
        print(f"akgraph: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = sys.stderr if to_stdout else sys.stdout
    for one in builds:
        where = f"{args.source[0]}@{one.checkout.release.tag}" if args.tags else one.checkout.root
        print(summary(one, where, verbose=args.verbose), file=report)
    if isinstance(built, Releases):
        print(history_summary(built), file=report)
    if args.output:
        if to_stdout:
            sys.stdout.buffer.write(data)
        else:
            Path(args.output).write_bytes(data)
            print(f"written: {args.output} ({fmt}, {len(data)} bytes)", file=report)
    failing = Severity.WARNING if args.strict else Severity.ERROR
    return EXIT_PROBLEMS if any(p.severity >= failing for p in built.problems) else EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    import json

    from akgraph.graph import build, build_tags
    from akgraph.history import diff

    try:
        if args.repo:
            old, new = build_tags(args.repo, [args.old, args.new])
        else:
            old, new = build(Path(args.old)), build(Path(args.new))
    except (SourceError, ValueError) as exc:
        print(f"akgraph: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    renames = None
    if args.repo and old.checkout.release.commit and new.checkout.release.commit:
        from akgraph.source.git import renames as git_renames

        renames = git_renames(args.repo, old.checkout.release.commit, new.checkout.release.commit)
    result = diff(old.checkout.release.tag, old.data, new.checkout.release.tag, new.data, renames)
    if args.format == "json":
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        print(result.text())
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from rdflib import Graph

    from akgraph import resources
    from akgraph.graph import build, named_statements
    from akgraph.tagbuild import default_jobs
    from akgraph.validate import Level, validate, validate_graphs

    source = Path(args.source) if args.source else resources.data_dir("content")
    problems: list[Problem] = []
    data: Graph | None = None
    try:
        if source.is_file():
            graphs = named_statements(source)
        else:
            built = build(source)
            data, problems = built.union(), built.problems
        extra = Graph()
        for path in args.shapes:
            extra.parse(path, format="turtle")
    except (SourceError, ValueError, OSError) as exc:
        print(f"akgraph: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a parser's error on a malformed graph or shapes file
        print(f"akgraph: error: cannot read input: {exc}", file=sys.stderr)
        return EXIT_USAGE
    shapes = extra if args.shapes else None
    report = (
        validate(data, shapes, problems)
        if data is not None
        else validate_graphs(graphs, shapes, args.jobs or default_jobs())
    )
    level = Level[args.severity.upper()]
    if args.format == "ttl":
        sys.stdout.write(report.graph.serialize(format="turtle"))
    elif args.format == "json":
        sys.stdout.write(report.graph.serialize(format="json-ld", indent=2))
    else:
        print(validation_text(report))
    return EXIT_OK if report.conforms(level) else EXIT_PROBLEMS


def validation_text(report) -> str:
    """The findings grouped by source file, with counts per severity at the end."""
    lines = []
    for path, findings in report.by_file().items():
        lines.append(path)
        for f in findings:
            lines.append(f"  {f.level}: {f.focus}{f.where}")
            lines.append(f"    nl: {f.message_nl}")
            lines.append(f"    en: {f.message_en}")
    counts = report.counts()
    lines.append(", ".join(f"{n} {level}" for level, n in counts.items()))
    return "\n".join(lines)


def history_summary(releases: Releases) -> str:
    """Releases read together: what the history found."""
    tags = [b.checkout.release.tag for b in releases.builds]
    reassigned = releases.reassigned()
    lines = [f"releases: {', '.join(tags)} (default graph: {tags[-1]})"]
    lines.append(f"  URNs reassigned to another item in a later release: {len(reassigned)}")
    lines += [f"    {urn}" for urn in reassigned]
    moved = releases.moved()
    lines.append(f"  items moved to another URN in a later release: {len(moved)}")
    return "\n".join(lines)


def summary(built: Build, source: str | Path, verbose: bool = False) -> str:
    """A readable account of a build: counts, unresolved references, skipped files, problems."""
    release = built.checkout.release
    lines = [
        f"akgraph build {source}: release {release.tag}"
        + (f" (also tagged {', '.join(built.aliases)})" if built.aliases else "")
        + (f" (commit {release.commit[:12]}, {release.date})" if release.commit else "")
    ]
    lines.append("  " + ", ".join(f"{name} {n}" for name, n in built.counts().items()))
    lines.append(f"  triples: {built.triples()} data, {len(built.vocabularies)} vocabularies")
    lines += built.figure_lines()
    lines.append(f"  unresolved references: {len(built.unresolved)}")
    lines += [f"    {path} [{field} = {value!r}]" for path, field, value in built.unresolved]
    skipped = built.skipped()
    lines.append(f"  files skipped: {len(skipped)}")
    lines += [f"    {p.path}: {p.message}" for p in skipped]
    by_severity = {s: [p for p in built.problems if p.severity is s] for s in Severity}
    lines.append(
        "  problems: "
        + ", ".join(f"{len(by_severity[s])} {s}" for s in sorted(Severity, reverse=True))
    )
    shown = [p for p in built.problems if verbose or p.severity >= Severity.WARNING]
    lines += [f"    {p}" for p in shown if p.code != "unresolved-reference" and p not in skipped]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
