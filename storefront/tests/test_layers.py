"""The arrows between layers: the domain (commerce/) never imports a delivery layer (api/, storefront/).

Test modules under commerce/*/tests/ are outside the check: some of them drive the API end to end
(and compare its serialisers with the SQL fast paths); they belong to no runtime import graph.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DELIVERY_LAYERS = {"api", "storefront"}


def _imported_modules(tree: ast.AST, *, package: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return found


def _domain_imports_of_delivery_layers() -> list[str]:
    offenders = []
    for path in sorted((ROOT / "commerce").rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "tests" in relative.parts:
            continue
        package = ".".join(relative.with_suffix("").parts[:-1])
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for lineno, module in _imported_modules(tree, package=package):
            if module.split(".")[0] in DELIVERY_LAYERS:
                offenders.append(f"{relative}:{lineno} imports {module}")
    return offenders


def test_no_module_under_commerce_imports_api_or_storefront():
    assert _domain_imports_of_delivery_layers() == []


def test_the_import_check_sees_absolute_and_relative_imports():
    tree = ast.parse("import api.urls\nfrom storefront.cart import views\nfrom ..orders import models\n")
    modules = [m for _, m in _imported_modules(tree, package="commerce.cart")]
    assert modules == ["api.urls", "storefront.cart", "commerce.orders"]


@pytest.mark.parametrize("module", ["storefront.urls", "demo.management.commands.seed_demo"])
def test_delivery_and_demo_modules_import(module):
    __import__(module)
