"""The house rules, checked: data flows one way, no import cycles, every text key exists and is used, the
README's layout map names every module.

Layers (joblog_dash/__init__.py): config and text are the ground floor; then data; analysis and importing;
views; charts; exporting; ui; the cli on top. A module imports only from lower layers or its own package.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from joblog_dash.config import PACKAGE_ROOT
from joblog_dash.text.strings import DA

PACKAGE = PACKAGE_ROOT / "joblog_dash"
LAYERS = {
    "config": 0, "text": 0, "data": 1, "analysis": 2, "importing": 2, "views": 3, "charts": 4,
    "exporting": 5, "ui": 6, "cli": 7, "__init__": 0,
}  # fmt: skip
# Function-level imports are allowed only for heavy optional dependencies, which a page must not pay for.
LAZY_ALLOWED = {"kaleido", "playwright", "openpyxl", "tqdm", "scipy"}  # scipy.optimize: hex layout build only


def _modules() -> dict[str, Path]:
    return {
        ".".join(path.relative_to(PACKAGE_ROOT).with_suffix("").parts): path
        for path in PACKAGE.rglob("*.py")
        if "__pycache__" not in path.parts
    }


def _imports(path: Path) -> tuple[list[str], list[tuple[int, str]]]:
    """(module-level joblog_dash imports, function-level imports with their line)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = set(tree.body)
    for node in tree.body:  # imports under a module-level `if`/`try` still run at import time
        if isinstance(node, ast.If | ast.Try):
            top |= set(ast.walk(node))
    found, lazy = [], []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        if not names:
            continue
        if node not in top:
            lazy.append((node.lineno, names[0]))
        found += [n for n in names if n.startswith("joblog_dash")]
    return found, lazy


def _layer(module: str) -> int:
    part = module.split(".")[1] if "." in module else module
    return LAYERS[part]


def test_imports_flow_one_way_and_no_function_level_imports() -> None:
    modules = _modules()
    problems = []
    for name, path in modules.items():
        imports, lazy = _imports(path)
        for target in imports:
            if target not in modules and target.rsplit(".", 1)[0] not in modules and target != "joblog_dash":
                continue  # an imported name, checked through its module
            target = target if target in modules else target.rsplit(".", 1)[0]
            if target in ("joblog_dash", "joblog_dash.__init__"):
                continue
            own, other = name.split(".")[1], target.split(".")[1]
            if own != other and _layer(target) >= _layer(name) and not (_layer(name) == 0 == _layer(target)):
                problems.append(f"{name} imports {target} (same or higher layer)")
        for line, imported in lazy:
            if imported.split(".")[0] not in LAZY_ALLOWED:
                problems.append(f"{name}:{line} imports {imported} inside a function")
    assert not problems, "\n".join(problems)


def test_no_import_cycles() -> None:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for target in _imports(path)[0]:
            target = target if target in modules else target.rsplit(".", 1)[0]
            if target in modules and target != name and not target.endswith("__init__"):
                targets.add(target)
        graph[name] = targets
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            assert state.get(nxt) != 1, "import cycle: " + " -> ".join([*trail, node, nxt])
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [])


def _code_files() -> list[Path]:
    return [*PACKAGE.rglob("*.py"), PACKAGE_ROOT / "app.py", *(PACKAGE_ROOT / "pages").glob("*.py")]


def test_every_text_key_exists_and_is_used() -> None:
    called, named, prefixes = set(), set(), set()
    for path in _code_files():
        text = path.read_text(encoding="utf-8").replace('t("key"', "")  # strings.py's own docstring
        called |= set(re.findall(r"\bt\(\s*[\"']([a-z0-9_]+)[\"']", text))
        prefixes |= set(re.findall(r"\bt\(\s*f[\"']([a-z0-9_]+)\{", text))
        prefixes |= set(re.findall(r"\bt\(\s*[\"']([a-z0-9_]+_)[\"']\s*\+", text))
        # Keys handed to t() as data: column names, page registry entries ("persons_0", "nav_overview").
        named |= set(re.findall(r"[\"']([a-z0-9_]+)[\"']", text))
    called = {k for k in called if not k.endswith("_")}  # t("relation_" + key): a prefix, seen above
    assert not sorted(called - set(DA)), f"t() keys without a text: {sorted(called - set(DA))}"
    unused = sorted(k for k in DA if k not in called | named and not any(k.startswith(p) for p in prefixes))
    assert not unused, f"texts nobody uses: {unused}"


def test_readme_layout_names_every_module() -> None:
    readme = (PACKAGE_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Project layout", 1)[1].split("```", 2)[1]
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__init__.py" or "__pycache__" in path.parts:
            continue
        if not re.search(rf"\b{re.escape(path.stem)}(\.py)?\b", block):
            missing.append(str(path.relative_to(PACKAGE_ROOT)))
    assert not missing, f"README's layout map misses: {missing}"


def test_every_table_on_a_page_is_keyed() -> None:
    """st.dataframe without a key is identified by its data, so a rerun that changes the data makes the
    grid anew in the browser; a keyed table keeps its element and only its data change."""
    problems = []
    files = [*(PACKAGE / "ui").rglob("*.py"), PACKAGE_ROOT / "app.py", *(PACKAGE_ROOT / "pages").glob("*.py")]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            table = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            if table and node.func.attr == "dataframe" and not any(k.arg == "key" for k in node.keywords):  # type: ignore[union-attr]
                problems.append(f"{path.relative_to(PACKAGE_ROOT)}:{node.lineno}")  # type: ignore[attr-defined]
    assert not problems, "tables without key: " + ", ".join(problems)


# The ui modules that draw a screen's sections; the rest (the chrome) open the dataset and hand it on.
UI_CHROME = {"__init__", "cache", "layout", "state", "downloads", "admin", "upload"}


def test_ui_sections_do_not_open_the_database() -> None:
    """A section renders the view its page built (every number the screen shows is in it): it never opens
    the dataset, asks a query or builds a view or a part of one itself."""
    problems = []
    for path in sorted((PACKAGE / "ui").glob("*.py")):
        if path.stem in UI_CHROME:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        views = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                 and n.module == "joblog_dash.views" for a in n.names}  # fmt: skip
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in (
                "joblog_dash.views.parts",
                "joblog_dash.data.queries",
            ):
                problems.append(f"{path.name}:{node.lineno} imports {node.module}")
            if isinstance(node, ast.ImportFrom) and node.module == "joblog_dash.views":
                problems += [
                    f"{path.name}:{node.lineno} imports views.{a.name}"
                    for a in node.names
                    if a.name == "parts"
                ]
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = (
                func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
            )
            if name in ("db", "open_db") or (owner in views and name == "build"):
                problems.append(f"{path.name}:{node.lineno} calls {owner + '.' if owner else ''}{name}()")
    assert not problems, "\n".join(problems)
