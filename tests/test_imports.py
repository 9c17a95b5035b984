"""The import contracts of pyproject.toml (layers, no cycles, private modules) hold."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports():
    """The lint-imports executable of this environment, or None when it is not installed."""
    beside = Path(sys.executable).with_name("lint-imports")
    if beside.exists():
        return str(beside)
    return shutil.which("lint-imports")


def test_import_contracts_are_kept():
    lint_imports = _lint_imports()
    if lint_imports is None:
        pytest.skip("import-linter is not installed (it comes with the test extras)")
    completed = subprocess.run(
        [lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
