"""The import graph: arrows only go cli -> layers -> traverse -> geodesy, with no cycle.

Parsed from the source with :mod:`ast` (every import, also those inside
functions), so an import added anywhere is checked.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("traverse", "layers")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


def _imports(path: Path, name: str, known: set[str]) -> list[tuple[str, list[str]]]:
    """(project module imported, names taken from it) for every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.split(".")[0] in PACKAGES]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] not in PACKAGES:
                continue
            names = [a.name for a in node.names]
            # "from traverse.read import quirks" imports the module traverse.read.quirks
            subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in known]
            found += [(s, []) for s in subs] or [(target, names)]
    return found


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {name: {t for t, _ in _imports(path, name, known) if t != name} for name, path in mods.items()}


def _layer(module: str) -> int:
    """0 geodesy/errors/datafiles (the bottom), 1 traverse, 2 layers, 3 traverse.cli."""
    if module.startswith("traverse.cli"):
        return 3
    if module.startswith("layers"):
        return 2
    if module in ("traverse.geodesy", "traverse.errors", "traverse.datafiles"):
        return 0
    return 1


def test_arrows_only_point_down():
    wrong = [
        f"{a} -> {b}"
        for a, targets in _graph().items()
        for b in targets
        if _layer(b) > _layer(a) and a != "traverse"  # the package root re-exports its verbs
    ]
    assert not wrong, "imports against cli -> layers -> traverse -> geodesy:\n" + "\n".join(wrong)
    assert _graph()["traverse.errors"] == set()  # the bottom imports nothing of the project


def test_no_import_cycle():
    graph = _graph()
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, stack: list[str]) -> bool:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycle.extend(stack[stack.index(nxt):] + [node, nxt] if nxt in stack else [node, nxt])
                return True
            if state.get(nxt) is None and visit(nxt, [*stack, node]):
                return True
        state[node] = 2
        return False

    for node in sorted(graph):
        if node not in state and node != "traverse" and visit(node, []):
            break
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_no_private_names_imported_across_modules():
    mods = _modules()
    private = [
        f"{name} imports {target}.{n}"
        for name, path in mods.items()
        for target, names in _imports(path, name, set(mods))
        for n in names
        if n.startswith("_") and not n.startswith("__") and target != name
    ]
    assert not private, "\n".join(private)


def test_layers_never_read_the_archive():
    """Layers draw what the pipeline made: no layers module imports traverse.read (or its package)."""
    wrong = [f"{a} -> {b}" for a, targets in _graph().items() if a.startswith("layers")
             for b in targets if b == "traverse.read" or b.startswith("traverse.read.")]
    assert not wrong, "layers importing traverse.read:\n" + "\n".join(wrong)


def test_read_and_path_do_not_import_each_other():
    """Reading products and reconstructing the path are separate stages: no arrow either way."""
    graph = _graph()
    wrong = [f"{a} -> {b}" for a, targets in graph.items() for b in targets
             if (a.startswith("traverse.read") and b.startswith("traverse.path"))
             or (a.startswith("traverse.path") and b.startswith("traverse.read"))]
    assert not wrong, "\n".join(wrong)


def test_cli_subcommands_do_not_import_each_other():
    """Each subcommand module stands alone; what they share lives in cli.options/cli.reading/cli.outputs."""
    from traverse.cli import SUBCOMMANDS

    commands = {f"traverse.cli.{name}" for name in SUBCOMMANDS}
    wrong = [f"{a} -> {b}" for a, targets in _graph().items() if a in commands
             for b in targets if b in commands]
    assert not wrong, "\n".join(wrong)


def test_every_error_and_warning_class_is_in_errors_py():
    """One place lists what can go wrong: no ``class XError``/``XWarning`` elsewhere."""
    elsewhere = []
    for name, path in _modules().items():
        if name == "traverse.errors":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name.endswith(("Error", "Warning")):
                elsewhere.append(f"{name}.{node.name}")
    assert not elsewhere, "error/warning classes outside traverse/errors.py: " + ", ".join(elsewhere)


def test_no_mission_key_compared_outside_the_registry():
    """Missions are data: no code outside traverse.missions compares a mission's key."""
    found = []
    for name, path in _modules().items():
        if name == "traverse.missions" or name.startswith("traverse.synthetic"):
            continue  # synthetic products are written for one named mission on purpose
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(
                    isinstance(c, ast.Constant) and c.value in ("ce4", "tw1") for c in node.comparators):
                found.append(f"{name}:{node.lineno}")
            if isinstance(node, ast.Call) and any(
                    isinstance(a, ast.Constant) and a.value in ("ce4", "tw1") for a in node.args):
                found.append(f"{name}:{node.lineno}")
    assert not found, "mission keys in code: " + ", ".join(found)


def test_the_graph_sees_real_arrows():
    graph = _graph()  # the test would pass vacuously on an empty graph
    assert "traverse.geodesy" in graph["traverse.read.frames"]
    assert "traverse.cli.options" in graph["traverse.cli.build"]
    assert "layers.geopackage" in graph["traverse.cli.build"]
    assert "traverse.read.quirks" in graph["traverse.read.poses"]


#: Size limits a reviewer can check (issue 21): functions of ``layers/``, the map's JS modules.
MAX_FUNCTION_LINES = 80
MAX_PARAMETERS = 6
MAX_JS_LINES = 200


def _functions(path: Path):
    """(name, lines, parameters) of every function and method in ``path`` (``self``/``cls`` not counted)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and hasattr(node, "name"):
            a = node.args
            params = [*a.posonlyargs, *a.args, *a.kwonlyargs, *filter(None, (a.vararg, a.kwarg))]
            if params and params[0].arg in ("self", "cls"):
                params = params[1:]
            yield node.name, node.end_lineno - node.lineno + 1, len(params)


def test_layers_functions_are_short_with_few_parameters():
    too_big = [
        f"{path.relative_to(ROOT)}: {name} has {lines} lines, {params} parameters"
        for path in sorted((ROOT / "layers").rglob("*.py"))
        for name, lines, params in _functions(path)
        if lines > MAX_FUNCTION_LINES or params > MAX_PARAMETERS
    ]
    assert not too_big, (f"layers/ functions over {MAX_FUNCTION_LINES} lines or {MAX_PARAMETERS}"
                         " parameters:\n" + "\n".join(too_big))


def test_the_size_check_sees_a_long_function(tmp_path):
    args = ", ".join(f"a{i}" for i in range(7))
    body = "\n".join(f"    x{i} = {i}" for i in range(80))
    (tmp_path / "big.py").write_text(f"def big({args}):\n{body}\n", encoding="utf-8")
    assert list(_functions(tmp_path / "big.py")) == [("big", 81, 7)]


def test_map_js_modules_stay_under_200_lines():
    from layers.page import ASSETS, MODULES

    modules = sorted(ASSETS.glob("traverse-*.js"))
    assert sorted(p.name for p in modules) == sorted(MODULES)
    lines = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in modules}
    long = {name: n for name, n in lines.items() if n > MAX_JS_LINES}
    assert not long, f"JS modules over {MAX_JS_LINES} lines: {long}"


def test_no_state_on_the_shared_namespace():
    """Modules register functions on ``TraverseMap``; per-map state lives in the object ``create`` returns."""
    from layers.page import ASSETS, MODULES

    for name in MODULES:
        text = (ASSETS / name).read_text(encoding="utf-8")
        assert not re.search(r"\bT\._\w+\s*=", text), f"{name} keeps state on TraverseMap"
        assert "window.TraverseMap" in text and "TRAVERSE_BODY" not in text
