"""docs/architecture.md stays true: its diagram is the one scripts/architecture.py draws from
the code now, and the pipeline's direction holds (no stage imports a later one)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from tests.conftest import REPO


def _tool():
    path = REPO / "scripts" / "architecture.py"
    spec = importlib.util.spec_from_file_location("architecture", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_diagram_matches_the_code():
    tool = _tool()
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    shown = text.split(tool.BEGIN, 1)[1].split(tool.END, 1)[0].strip()
    assert shown == tool.diagram(), "run: .venv/bin/python scripts/architecture.py --write"


def test_no_stage_imports_a_later_one():
    """source -> mapping -> graph -> validate -> store -> web; shared modules anywhere."""
    tool = _tool()
    order = ["shared", "source", "mapping", "graph", "validate", "store", "web", "cli"]
    found = tool.modules()
    wrong = []
    for module, path in found.items():
        for target in tool.imports(path, set(found)):
            if order.index(tool.stage(target)) > order.index(tool.stage(module)):
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_the_reader_knows_no_rdf():
    """source/ imports neither rdflib nor pyoxigraph, itself or through another module."""
    names = sorted(p.stem for p in (REPO / "src" / "akgraph" / "source").glob("*.py"))
    code = "import sys\n" + "".join(f"import akgraph.source.{n}\n" for n in names)
    code += "print(sorted(m for m in ('rdflib', 'pyoxigraph', 'akgraph.iris') if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
    for path in (REPO / "src" / "akgraph" / "source").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import rdflib" not in text and "from rdflib" not in text, path.name
        assert "pyoxigraph" not in text, path.name


def test_no_module_imports_itself_through_others():
    """No import cycle between the package's modules (module-level or lazy imports alike); a
    module's import of its own package (``from akgraph.web import urls`` in ``web.api``) is
    Python's way to reach a sibling, not a dependency on the package's ``__init__``."""
    tool = _tool()
    found = tool.modules()
    graph = {
        m: {t for t in tool.imports(p, set(found)) if t != m and not m.startswith(t + ".")}
        for m, p in found.items()
    }
    cycles = []
    for start in graph:
        seen, todo = set(), list(graph[start])
        while todo:
            module = todo.pop()
            if module == start:
                cycles.append(start)
                break
            if module not in seen:
                seen.add(module)
                todo.extend(graph.get(module, ()))
    assert cycles == []


def test_the_command_line_starts_without_the_web_app_or_rdf():
    """Regression: cli.py imported akgraph.web at the top (for web.state), so every command,
    ``akgraph --help`` and ``akgraph build`` too, loaded Flask and rdflib first (0.37 s)."""
    code = (
        "import sys\nimport akgraph.cli\n"
        "print(sorted(m for m in ('flask', 'rdflib', 'pyoxigraph', 'akgraph.web') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
