"""The README's promises: its example runs, CI runs its test command, the CLI works."""

import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from skfisher import FisherLogisticRegression
from skfisher.datasets import load_anes96

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def _blocks(language):
    """The fenced code blocks of the README in ``language``, in order."""
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def test_readme_example_runs(capsys):
    blocks = _blocks("python")
    assert blocks, "README.md has no python example"
    namespace = {"__name__": "readme_example"}
    exec(compile(blocks[0], str(README), "exec"), namespace)
    printed = capsys.readouterr().out
    model = namespace["model"]
    assert isinstance(model, FisherLogisticRegression)
    assert model.standard_errors_.shape == model.params_.shape
    assert np.all(np.isfinite(model.standard_errors_))
    assert np.all(model.standard_errors_ > 0)
    assert "std err" in printed
    for name in model.param_names_:
        assert name in printed


def test_ci_runs_the_readme_test_command():
    commands = [block.strip() for block in _blocks("bash") if "pytest" in block]
    assert len(commands) == 1, "README.md should give one test command"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[0] in ci.splitlines()


def test_pickle_round_trip():
    X, y = load_anes96(return_X_y=True)
    model = FisherLogisticRegression(cov_type="sandwich").fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert np.array_equal(restored.predict_proba(X), model.predict_proba(X))
    assert np.array_equal(restored.predict(X), model.predict(X))
    fitted = [name for name in vars(model) if name.endswith("_") and not name.startswith("_")]
    assert {"params_", "covariance_", "standard_errors_", "empirical_fisher_"} <= set(fitted)
    for name in fitted:
        np.testing.assert_array_equal(getattr(restored, name), getattr(model, name), name)
    assert str(restored.summary()) == str(model.summary())
    assert restored.get_params() == model.get_params()


def _run(command):
    env = {**os.environ, "PYTHONWARNINGS": "error::RuntimeWarning"}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


def test_python_m_skfisher_prints_the_table():
    completed = _run([sys.executable, "-m", "skfisher"])
    assert completed.returncode == 0, completed.stderr
    assert "selfLR" in completed.stdout
    assert "std err" in completed.stdout
    assert "intercept" in completed.stdout


def _console_script():
    # The script sits next to the interpreter of the environment the package
    # is installed in (the README's `pip install .`).
    script = Path(sys.executable).with_name("skfisher")
    if script.exists():
        return str(script)
    found = shutil.which("skfisher")
    if found is None:
        pytest.fail("the skfisher console script is not installed (pip install .)")
    return found


def test_console_script_rejects_a_bad_alpha_in_one_line():
    completed = _run([_console_script(), "--alpha", "2"])
    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("skfisher: error:")
    assert "--alpha" in lines[0]
    assert "Traceback" not in completed.stderr


def test_pickle_carries_no_training_data():
    # A pickle holds the fitted quantities only; profile intervals then ask for
    # a refit, while the estimator that was pickled keeps them.
    X, y = load_anes96(return_X_y=True)
    model = FisherLogisticRegression().fit(X, y)
    payload = pickle.dumps(model)
    assert len(payload) < X.nbytes / 4
    restored = pickle.loads(payload)
    with pytest.raises(ValueError, match="does not hold the data of its fit"):
        restored.conf_int(method="profile")
    np.testing.assert_allclose(restored.conf_int(), model.conf_int(), rtol=0)
    assert np.all(np.isfinite(model.conf_int(method="profile")))
