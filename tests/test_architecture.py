"""The house plan holds: wings layered without cycles, each wing's docstring true, the map current.

The layering itself is import-linter's contract in pyproject.toml; these tests run it and check
what it cannot: that a wing's docstring names every wing it imports, that no module reaches into
another wing's private names, and that docs/ARCHITECTURE.md names every module there is.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

PACKAGE = REPO / "src" / "tradegraph"
WINGS = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
TOP = sorted(p.stem for p in PACKAGE.glob("*.py") if not p.name.startswith("__"))


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every ``from tradegraph... import`` in a file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "tradegraph":
            found.append((node.lineno, node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, []) for alias in node.names if alias.name.startswith("tradegraph"))
    return found


def _wing(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_import_linter_keeps_every_contract() -> None:
    run = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=REPO,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


@pytest.mark.parametrize("wing", WINGS)
def test_a_wing_says_what_it_owns_and_what_it_may_import(wing: str) -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / wing / "__init__.py").read_text("utf-8"))) or ""
    modules = sorted(p.stem for p in (PACKAGE / wing).glob("*.py") if p.name != "__init__.py")
    owns = doc.split("Owns:", 1)[1] if "Owns:" in doc else ""
    assert [m for m in modules if f"``{m}``" not in owns] == [], f"{wing}/__init__.py does not name these modules"
    match = re.search(r"^May import: (.+)\.$", doc, re.MULTILINE)
    assert match, f"{wing}/__init__.py has no 'May import:' line"
    allowed = {name.strip() for name in match.group(1).split(",")}
    if allowed == {"every wing"}:
        return
    used = {}
    for path in (PACKAGE / wing).glob("*.py"):
        for line, module, _ in _imports(path):
            other = _wing(module)
            if other and other != wing:
                used.setdefault(other, f"{path.relative_to(REPO)}:{line}")
    assert {w: where for w, where in used.items() if w not in allowed} == {}


def test_no_module_imports_another_wings_private_names() -> None:
    reaching = []
    for path in PACKAGE.rglob("*.py"):
        own = _wing(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
        for line, module, names in _imports(path):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private and _wing(module) != own:
                reaching.append(f"{path.relative_to(REPO)}:{line}: {module} {private}")
    assert reaching == []


def test_the_architecture_page_names_every_wing_and_module() -> None:
    page = (REPO / "docs" / "ARCHITECTURE.md").read_text("utf-8")
    missing = [f"{wing}/" for wing in WINGS if f"`{wing}/`" not in page]
    missing += [f"{p.relative_to(PACKAGE)}" for wing in WINGS for p in sorted((PACKAGE / wing).glob("*.py"))
                if p.name != "__init__.py" and f"`{p.stem}`" not in _section(page, wing)]
    missing += [f"{name}.py" for name in TOP if f"`{name}.py`" not in page]
    assert missing == []


def _section(page: str, wing: str) -> str:
    """The lines of the page's map that describe ``wing``."""
    return "\n".join(line for line in page.splitlines() if f"`{wing}/`" in line)


def test_only_the_public_api_and_the_command_table_import_by_name() -> None:
    """import-linter sees ``import`` statements only; a module named at run time (importlib,
    ``__import__``) would slip past the layering. Only the two places whose job it is do so:
    the package's lazy public API and the CLI's lazy command table, both at the top."""
    allowed = {PACKAGE / "__init__.py", PACKAGE / "cli" / "main.py"}
    dynamic = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            called = node.func if isinstance(node, ast.Call) else None
            name = (called.attr if isinstance(called, ast.Attribute) else called.id if isinstance(called, ast.Name)
                    else None)
            if name in ("import_module", "__import__") and path not in allowed:
                dynamic.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert dynamic == []
