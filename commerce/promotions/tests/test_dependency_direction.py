"""Orders call promotions; promotions never import orders (issue 13, item 7)."""

import ast
from pathlib import Path

import commerce.promotions

PROMOTIONS = Path(commerce.promotions.__file__).parent


def test_promotions_code_never_imports_the_orders_app():
    offenders = []
    for path in PROMOTIONS.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("commerce.orders")]
    assert offenders == []
