"""Multinomial fits at the edges: classes without information, extreme magnitudes.

A class of weight 0 or separated from the others, and columns whose squares
leave float64's range. Complements test_multinomial.py (the agreement with
statsmodels' MNLogit).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from numpy.testing import assert_allclose
from sklearn.datasets import load_wine

from skfisher import FisherLogisticRegression
from skfisher.exceptions import PerfectSeparationWarning


def _three_classes(seed=0, n=90):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = rng.integers(0, 2, n)
    return X, y


@pytest.mark.parametrize("labels", [[0, 1, 2], ["a", "b", "c"]])
def test_a_class_of_weight_zero_is_refused(labels):
    # Class 2 occurs only on rows of weight 0. The fit used to report
    # converged_=True with its intercept at −41 and a standard error of 1.6e8.
    X, y = _three_classes()
    y[:3] = 2
    weights = np.ones(len(y))
    weights[:3] = 0.0
    named = np.asarray(labels)[y]
    with pytest.raises(ValueError, match=rf"every row of the class\(es\) \[{labels[2]!r}\]"):
        FisherLogisticRegression().fit(X, named, sample_weight=weights)
    with pytest.raises(ValueError, match="give them a positive weight"):
        FisherLogisticRegression().fit(X, named, sample_weight=weights)


def test_a_binary_class_of_weight_zero_is_refused():
    X, y = _three_classes()
    weights = np.where(y == 1, 0.0, 1.0)
    with pytest.raises(ValueError, match=r"every row of the class\(es\) \[1\]"):
        FisherLogisticRegression().fit(X, y, sample_weight=weights)


def test_rows_of_weight_zero_of_a_class_with_weight_are_dropped():
    # Weight 0 on some rows of a class that keeps weight elsewhere: the fit is
    # that of the data without those rows.
    X, y = _three_classes()
    y[:6] = 2
    weights = np.ones(len(y))
    weights[:3] = 0.0
    weighted = FisherLogisticRegression().fit(X, y, sample_weight=weights)
    dropped = FisherLogisticRegression().fit(X[3:], y[3:])
    assert_allclose(weighted.params_, dropped.params_, rtol=1e-10)
    assert_allclose(weighted.standard_errors_, dropped.standard_errors_, rtol=1e-10)


def test_a_completely_separated_class_has_none_of_its_standard_errors():
    # Class 2 is exactly the rows with x0 > 1: every parameter of class 2
    # diverges (its intercept and x1 included, which kept SEs of 1e8), and
    # those of class 1 are those of the binary fit of classes 0 and 1.
    X, y = _three_classes()
    y[X[:, 0] > 1.0] = 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = FisherLogisticRegression().fit(X, y)
    caught = [w for w in caught if issubclass(w.category, PerfectSeparationWarning)]
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "['2:intercept', '2:x0', '2:x1']" in message
    assert "class 2 from [0, 1]" in message
    assert not model.converged_
    assert np.isnan(model.standard_errors_[3:]).all()
    # The rows of class 2 leave the likelihood of the others as their fitted
    # probability of class 2 tends to 1 (to about 1e-9 where the fit stops).
    rest = y < 2
    reference = sm.Logit(y[rest], sm.add_constant(X[rest])).fit(disp=0, tol=1e-12)
    assert_allclose(model.params_[:3], reference.params, rtol=1e-6)
    assert_allclose(model.standard_errors_[:3], reference.bse, rtol=1e-6)


def test_the_separation_warning_points_at_the_callers_line():
    X, y = _three_classes()
    y[X[:, 0] > 1.0] = 2
    with pytest.warns(PerfectSeparationWarning) as record:
        FisherLogisticRegression().fit(X, y)
    assert record[0].filename == __file__


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("magnitude", [1e160, 1e-160])
def test_extreme_columns_give_the_fit_in_their_units(magnitude, sparse):
    # X × 1e160 squared to inf in the information ("non-finite entries" after
    # numpy overflow warnings), and X × 1e-160 to 0. The fit runs on columns
    # rescaled by powers of two: the slopes and their standard errors are
    # those of the unscaled fit divided by the magnitude, to rounding (the
    # power-of-two rescaling is exact; the fits stop at different rounding).
    data = load_wine()
    X, y = data.data[:, :3], data.target
    reference = FisherLogisticRegression(tol=1e-10).fit(X, y)
    scaled = X * magnitude
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = FisherLogisticRegression(tol=1e-10).fit(
            sp.csr_matrix(scaled) if sparse else scaled, y
        )
    assert model.converged_
    d = np.tile([1.0, 1 / magnitude, 1 / magnitude, 1 / magnitude], 2)
    assert_allclose(model.params_, reference.params_ * d, rtol=1e-8)
    assert_allclose(model.standard_errors_, reference.standard_errors_ * d, rtol=1e-8)
    assert_allclose(model.intercept_, reference.intercept_, rtol=1e-8)
    assert_allclose(model.predict_proba(scaled), reference.predict_proba(X), atol=1e-10)
