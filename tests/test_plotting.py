"""Smoke tests of the plots (Agg backend) and the geometry of the confidence ellipse."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skfisher import FisherLogisticRegression  # noqa: E402
from skfisher.datasets import load_anes96  # noqa: E402
from skfisher.inference import wald_test  # noqa: E402
from skfisher.plotting import (  # noqa: E402
    confidence_ellipse,
    plot_coefficients,
    plot_confidence_ellipse,
    plot_information,
)


@pytest.fixture(scope="module")
def model():
    X, y = load_anes96(return_X_y=True, as_frame=True)
    return FisherLogisticRegression(cov_type="sandwich").fit(X[["selfLR", "age", "educ"]], y)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_coefficients(model):
    ax = plot_coefficients(model)
    assert isinstance(ax, matplotlib.axes.Axes)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["intercept", "selfLR", "age", "educ"]
    without = plot_coefficients(model, alpha=0.1, include_intercept=False)
    assert [t.get_text() for t in without.get_yticklabels()] == ["selfLR", "age", "educ"]
    assert "90%" in without.get_xlabel() and "sandwich" in without.get_xlabel()
    _, given = plt.subplots()
    assert plot_coefficients(model, ax=given) is given


def test_plot_confidence_ellipse(model):
    ax = plot_confidence_ellipse(model, "selfLR", "age")
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.get_xlabel() == "selfLR" and ax.get_ylabel() == "age"
    assert plot_confidence_ellipse(model, 1, 2, alpha=0.1) is not None


def test_ellipse_boundary_is_the_wald_contour(model):
    # Every boundary point has a joint Wald statistic equal to the χ²₂ quantile.
    boundary = confidence_ellipse(model, "selfLR", "educ", alpha=0.05, n_points=12)
    quantile = stats.chi2.ppf(0.95, 2)
    for a, b in boundary:
        statistic = wald_test(model, np.array([[0, 1, 0, 0], [0, 0, 0, 1]]), q=[a, b]).statistic
        assert_allclose(statistic, quantile, rtol=1e-10)


def test_plot_information(model):
    axes = plot_information(model)
    assert len(axes) == 3
    assert all(isinstance(ax, matplotlib.axes.Axes) for ax in axes)
    assert [ax.get_title() for ax in axes] == ["expected  I", "observed  J", "empirical  F"]
    # The expected information is drawn with a unit diagonal.
    assert_allclose(np.diag(axes[0].images[0].get_array()), 1.0)


def test_plot_errors(model):
    with pytest.raises(ValueError, match="is not a parameter"):
        plot_confidence_ellipse(model, "selfLR", "income")
    with pytest.raises(ValueError, match="must differ"):
        confidence_ellipse(model, "age", 2)
    with pytest.raises(ValueError, match="out of range"):
        confidence_ellipse(model, 0, 9)
    with pytest.raises(ValueError, match="alpha must be in"):
        plot_coefficients(model, alpha=1.5)
    _, one = plt.subplots()
    with pytest.raises(ValueError, match="3 Axes"):
        plot_information(model, ax=[one])


def test_missing_matplotlib_gives_a_clear_error(monkeypatch, model):
    import importlib

    real = importlib.import_module

    def refuse(name, *args):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", refuse)
    with pytest.raises(ImportError, match=r"pip install 'skfisher\[plot\]'"):
        plot_coefficients(model)
