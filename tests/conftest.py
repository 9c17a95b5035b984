"""Fixtures shared by the test modules."""

import numpy as np
import pytest
from scipy.special import expit


@pytest.fixture
def logistic_data():
    """A well-posed binary problem (n=200, k=3): the MLE exists and is moderate."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)) * [1.0, 0.5, 2.0]
    y = (rng.random(200) < expit(0.2 + X @ [1.0, -1.0, 0.3])).astype(int)
    return X, y


@pytest.fixture
def run_cli(tmp_path, capsys, monkeypatch):
    """Run the command line in-process in ``tmp_path``; return (status, stdout, stderr)."""
    from skfisher.cli import main

    monkeypatch.chdir(tmp_path)

    def run(*arguments):
        status = main([str(a) for a in arguments])
        out, err = capsys.readouterr()
        return status, out, err

    return run
