"""Progress of a fit: ``verbose`` logs each Fisher-scoring iteration to the "skfisher" logger.

``verbose`` is a constructor parameter of the GLM estimators; the driver reads
it from any estimator that has one.
"""

import logging
import re

import numpy as np
import pytest

from skfisher import FisherGLMRegressor, FisherLogisticRegression
from skfisher._scoring import LOGGER

ITERATION = "Fisher scoring iteration %d: objective %.12g, step %.3g standard errors (%.2f s)"


def _logistic(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + X @ [0.8, -0.5, 0.2])))).astype(float)
    return X, y


def _iterations(caplog):
    """The (number, objective, step) of each iteration record, in order."""
    records = [r for r in caplog.records if r.name == "skfisher" and r.msg == ITERATION]
    return [record.args[:3] for record in records]


def test_verbose_logs_each_iteration_of_an_in_memory_fit(caplog):
    X, y = _logistic()
    with caplog.at_level(logging.INFO, logger="skfisher"):
        model = FisherLogisticRegression(verbose=1).fit(X, y)
    logged = _iterations(caplog)
    numbers = [number for number, _, _ in logged]
    # R's least-squares start counts as the first iteration: numbered 1 to n_iter_.
    assert numbers == list(range(1, model.n_iter_ + 1))
    _, objective, step = logged[-1]
    np.testing.assert_allclose(objective, model.loglik_, rtol=1e-14)
    assert step <= model.tol  # the stop: the last step is below tol standard errors
    assert all(earlier > model.tol for _, _, earlier in logged[:-1])
    objectives = [value for _, value, _ in logged]
    assert objectives == sorted(objectives)  # the line search never lets it fall
    assert all(record.levelno == logging.INFO for record in caplog.records)


def test_verbose_logs_each_iteration_of_a_conjugate_gradient_fit(caplog):
    X, y = _logistic()
    with caplog.at_level(logging.INFO, logger="skfisher"):
        model = FisherLogisticRegression(solver="cg", verbose=1).fit(X, y)
    logged = _iterations(caplog)
    # The intercept-only start counts for no iteration: numbered 0 to n_iter_.
    assert [number for number, _, _ in logged] == list(range(model.n_iter_ + 1))
    _, objective, step = logged[-1]
    np.testing.assert_allclose(objective, model.loglik_, rtol=1e-14)
    assert step <= model.tol
    objectives = [value for _, value, _ in logged]
    assert objectives == sorted(objectives)


def test_verbose_zero_logs_nothing(caplog, capsys):
    X, y = _logistic()
    with caplog.at_level(logging.DEBUG, logger="skfisher"):
        FisherLogisticRegression().fit(X, y)
        FisherGLMRegressor(verbose=0).fit(X, y)
    assert not [record for record in caplog.records if record.name.startswith("skfisher")]
    assert capsys.readouterr() == ("", "")


def test_records_show_without_any_logging_set_up(monkeypatch, capsys):
    # Nothing configured: no handler reaches the logger and its level is
    # inherited from a root at WARNING; verbose=1 still shows the iterations,
    # on stderr, and leaves the logger as it found it.
    monkeypatch.setattr(LOGGER, "propagate", False)
    assert not LOGGER.hasHandlers() and LOGGER.level == logging.NOTSET
    X, y = _logistic()
    model = FisherLogisticRegression(verbose=1).fit(X, y)
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == model.n_iter_
    assert lines[-1].startswith(f"Fisher scoring iteration {model.n_iter_}: objective ")
    assert LOGGER.handlers == [] and LOGGER.level == logging.NOTSET


def test_a_level_the_user_set_is_kept(caplog):
    X, y = _logistic()
    with caplog.at_level(logging.WARNING, logger="skfisher"):
        FisherLogisticRegression(verbose=1).fit(X, y)
        assert LOGGER.level == logging.WARNING
    assert _iterations(caplog) == []


@pytest.mark.parametrize("verbose", [-1, 1.5, "yes", None])
def test_bad_verbose_is_a_value_error(verbose):
    X, y = _logistic(n=50)
    # The message names the argument and the value received.
    with pytest.raises(ValueError, match=f"verbose.*{re.escape(repr(verbose))}"):
        FisherLogisticRegression(verbose=verbose).fit(X, y)


def test_dask_fit_logs_its_blocks_and_each_iteration(caplog, capsys):
    da = pytest.importorskip("dask.array")
    dask = pytest.importorskip("dask")
    X, y = _logistic(n=2000)
    Xd, yd = da.from_array(X, chunks=(500, 3)), da.from_array(y, chunks=500)
    with dask.config.set(scheduler="sync"), caplog.at_level(logging.INFO, logger="skfisher"):
        model = FisherLogisticRegression(verbose=1).fit(Xd, yd)
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0].startswith("dask fit of 2000 rows in 4 blocks: their problems (about ")
    assert messages[0].endswith(" are persisted")
    logged = _iterations(caplog)
    # The dask start (intercept only) counts for no iteration: numbered 0 to n_iter_.
    assert [number for number, _, _ in logged] == list(range(model.n_iter_ + 1))
    np.testing.assert_allclose(logged[-1][1], model.loglik_, rtol=1e-14)
    assert logged[-1][2] <= model.tol
    assert capsys.readouterr().out == ""  # the progress bars are for verbose >= 2


def test_bad_verbose_of_a_dask_fit_is_a_value_error():
    da = pytest.importorskip("dask.array")
    X, y = _logistic(n=100)
    with pytest.raises(ValueError, match="verbose.*-2"):
        FisherGLMRegressor(verbose=-2).fit(
            da.from_array(X, chunks=(50, 3)), da.from_array(y, chunks=50)
        )


def test_dask_fit_at_verbose_2_shows_a_progress_bar_per_pass(caplog, capsys):
    da = pytest.importorskip("dask.array")
    dask = pytest.importorskip("dask")
    X, y = _logistic(n=1000)
    with dask.config.set(scheduler="sync"), caplog.at_level(logging.INFO, logger="skfisher"):
        model = FisherGLMRegressor("poisson", verbose=2).fit(
            da.from_array(X, chunks=(250, 3)), da.from_array(y, chunks=250)
        )
    out = capsys.readouterr().out
    # One bar per pass: the blocks' totals, each objective, the reported quantities.
    assert out.count("100% Completed") == model.n_iter_ + 3
    assert len(_iterations(caplog)) == model.n_iter_ + 1


def test_distributed_progress_bar_at_verbose_2(capsys):
    da = pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    X, y = _logistic(n=1000)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        capsys.readouterr()
        model = FisherGLMRegressor("poisson", verbose=2).fit(
            da.from_array(X, chunks=(250, 3)), da.from_array(y, chunks=250)
        )
        out = capsys.readouterr().out
    assert out.count("100% Completed") == model.n_iter_ + 3
