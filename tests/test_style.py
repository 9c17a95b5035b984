"""CI gates on the linter and the formatter (ruff, configured in pyproject.toml)."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _ruff():
    """The ruff executable of this environment, or None when it is not installed."""
    beside = Path(sys.executable).with_name("ruff")
    if beside.exists():
        return str(beside)
    return shutil.which("ruff")


@pytest.mark.parametrize(
    "arguments", [["check", "."], ["format", "--check", "."]], ids=["check", "format"]
)
def test_ruff(arguments):
    ruff = _ruff()
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the test extras)")
    completed = subprocess.run(
        [ruff, *arguments], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _code_lines(function):
    """The lines of a function without its docstring."""
    lines = function.end_lineno - function.lineno + 1
    first = function.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        if isinstance(first.value.value, str):
            lines -= first.end_lineno - first.lineno + 1
    return lines


def test_modules_and_functions_stay_small():
    """No module over 400 lines, no function over 60 (its docstring aside)."""
    too_long = []
    for path in sorted((ROOT / "skfisher").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT)
        if source.count("\n") > MAX_MODULE_LINES:
            too_long.append(f"{name}: {source.count(chr(10))} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if _code_lines(node) > MAX_FUNCTION_LINES:
                    too_long.append(f"{name}:{node.lineno} {node.name}: {_code_lines(node)} lines")
    assert not too_long, "\n".join(too_long)
