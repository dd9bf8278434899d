"""Draw akgraph's module diagram from the code: which module imports which (``ast``, no
import is run), grouped by pipeline stage, as a Mermaid flowchart.

    .venv/bin/python scripts/architecture.py           # print the diagram
    .venv/bin/python scripts/architecture.py --write   # put it into docs/architecture.md

The diagram sits in docs/architecture.md between the two marker lines; tests/test_architecture.py
fails when it no longer matches the code.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "akgraph"
DOC = ROOT / "docs" / "architecture.md"
BEGIN = "<!-- diagram: made by scripts/architecture.py, do not edit -->"
END = "<!-- end of diagram -->"
#: Pipeline stage of each module (by name, or by package for ``source``, ``store`` and ``web``).
STAGES = {
    "source": "source: read the checkout",
    "mapping": "mapping: to RDF, no I/O",
    "graph": "graph: build, history, formats",
    "validate": "validate: SHACL",
    "store": "store: sandboxed SPARQL",
    "web": "web: Flask app",
    "shared": "shared: identifiers, tables, problems",
    "cli": "command line",
}
#: Packages whose modules are all of the package's stage.
PACKAGES = ("source", "store", "web")
MODULE_STAGE = {
    "mapping": "mapping", "mapping_law": "mapping", "mapping_beslishulp": "mapping",
    "mapping_instruments": "mapping", "applicability": "mapping", "decision_aid": "mapping",
    "graph": "graph", "history": "graph", "resources": "graph", "cache": "graph",
    "tagbuild": "graph",
    "validate": "validate", "shacl_sparql": "validate",
    "queries": "store",
    "iris": "shared", "problems": "shared", "registry_labels": "shared", "fields": "shared",
    "cli": "cli", "querycli": "cli",
}  # fmt: skip


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name below ``akgraph`` (``web.api``)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            found[".".join(parts)] = path
    return found


def imports(path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``path`` imports (at module level or inside functions; not
    those under ``if TYPE_CHECKING:``, which are for the type checker only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name.startswith("akgraph."):
                local = name.removeprefix("akgraph.")
                while local and local not in known:
                    local = local.rpartition(".")[0]
                if local:
                    found.add(local)
    return found


def stage(module: str) -> str:
    top = module.split(".")[0]
    return top if top in PACKAGES else MODULE_STAGE.get(module, "shared")


def diagram() -> str:
    """The Mermaid flowchart: one box per module, in a box per stage; an arrow per import."""
    found = modules()
    known = set(found)
    edges = sorted(
        (module, target)
        for module, path in found.items()
        for target in imports(path, known)
        if target != module and not module.startswith(target + ".")
    )
    lines = ["```mermaid", "flowchart LR"]
    for key, title in STAGES.items():
        members = [m for m in found if stage(m) == key]
        if members:
            lines.append(f'  subgraph stage_{key}["{title}"]')
            lines += [f'    m_{m.replace(".", "_")}["{m}"]' for m in members]
            lines.append("  end")
    lines += [f"  m_{a.replace('.', '_')} --> m_{b.replace('.', '_')}" for a, b in edges]
    lines.append("```")
    return "\n".join(lines)


def write() -> None:
    text = DOC.read_text(encoding="utf-8")
    before, _, rest = text.partition(BEGIN)
    _, _, after = rest.partition(END)
    DOC.write_text(f"{before}{BEGIN}\n{diagram()}\n{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv[1:]:
        write()
    else:
        print(diagram())
