"""The package's import structure: no cycles, an engine-free core, and light settings.

The import graph counts imports that run when a module is loaded: those at module level,
also inside ``if``/``try``/``with`` blocks (``if TYPE_CHECKING:`` included) and class bodies.
Imports inside functions are left out: they are the deliberate way to load something heavy,
or another part of the package, only when it is used.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "plugins" / "aanhetwoord"
ENGINES = {"mkdocs", "material", "properdocs"}


def module_names(root: Path) -> dict[str, Path]:
    """Every module of the package at ``root``, by dotted name."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _load_time_imports(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue  # runs when called, not when the module is loaded
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    statements = [child for child in children if isinstance(child, ast.stmt)]
                    statements += [
                        statement
                        for handler in children
                        if isinstance(handler, ast.ExceptHandler)
                        for statement in handler.body
                    ]
                    found += _load_time_imports(statements)
    return found


def _all_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    return [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The dotted names an import statement loads."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0:
        base = node.module or ""
    else:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([node.module] if node.module else [])])
    return [*(f"{base}.{alias.name}" for alias in node.names), base]


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the package's modules it imports while it loads."""
    modules = module_names(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in _load_time_imports(tree.body):
            targets = _targets(node, name, is_package)
            if isinstance(node, ast.ImportFrom):
                # ``from x import y`` loads the submodule x.y when there is one, else takes y from x.
                *names, base = targets
                submodules = [target for target in names if target in modules]
                edges.update(submodules)
                if len(submodules) < len(names) and base in modules:
                    edges.add(base)
            else:
                edges.update(target for target in targets if target in modules)
        edges.discard(name)
        graph[name] = edges
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that import each other, directly or round about."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def cycles(root: Path) -> list[list[str]]:
    return [group for group in strongly_connected(import_graph(root)) if len(group) > 1]


def test_the_package_has_no_import_cycle() -> None:
    assert cycles(PACKAGE) == []


def test_the_graph_sees_the_package_s_own_imports() -> None:
    graph = import_graph(PACKAGE)
    # A few edges that are there today, so an empty graph cannot pass the test above.
    assert "aanhetwoord.model" in graph["aanhetwoord.memo"]
    assert "aanhetwoord.pipeline" in graph["aanhetwoord.commands.cli"]  # from .. import pipeline
    assert "aanhetwoord.settings" in graph["aanhetwoord.intake.sitedata"]  # from ..settings import
    assert graph["aanhetwoord.model"] == set()


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return root


def test_a_cycle_is_found_also_round_about_and_under_type_checking(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "a.py": "from .b import thing\n",
            "b.py": "from . import c\n",
            "c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import x\n",
            "d.py": "from .a import thing\n",
        },
    )
    assert cycles(root) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_imports_inside_functions_do_not_count(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "a.py": "from .b import thing\n",
            "b.py": "def later():\n    from .a import x\n",
            "sub/__init__.py": "",
            "sub/c.py": "from .. import a\nfrom ..sub import d\n",
            "sub/d.py": "class K:\n    from ..sub import c\n",
        },
    )
    assert import_graph(root)["pkg.b"] == set()
    assert import_graph(root)["pkg.sub.c"] == {"pkg.a", "pkg.sub.d"}
    assert cycles(root) == [["pkg.sub.c", "pkg.sub.d"]]


def test_the_core_imports_nothing_from_a_site_engine() -> None:
    found = []
    for name, path in module_names(PACKAGE).items():
        if name.startswith("aanhetwoord.adapters"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _all_imports(tree):  # inside functions too: a lazy import is still a dependency
            if isinstance(node, ast.ImportFrom) and node.level:
                continue
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module]
            found += [f"{name}: {target}" for target in names if target and target.split(".")[0] in ENGINES]
    assert found == []


def test_nothing_below_the_commands_imports_them() -> None:
    """The command line stands on top: the pipeline, the adapters and the intake never reach up to it."""
    found = []
    for name, path in module_names(PACKAGE).items():
        if name == "aanhetwoord.commands" or name.startswith("aanhetwoord.commands."):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        for node in _all_imports(tree):  # inside functions too: a lazy import still reaches up
            found += [
                f"{name}: {target}"
                for target in _targets(node, name, is_package)
                if target == "aanhetwoord.commands" or target.startswith("aanhetwoord.commands.")
            ]
    assert found == []


def test_reading_settings_loads_no_image_library() -> None:
    code = (
        "import sys\n"
        "import aanhetwoord.settings, aanhetwoord.options, aanhetwoord.config_file\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PIL', 'pillow_heif', 'mkdocs')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
