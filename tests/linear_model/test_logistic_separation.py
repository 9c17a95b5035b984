"""Which parameters a separated binary logistic fit reports as diverging.

Under separation the rows that some separating direction moves drop out of
the likelihood as θ runs off; a parameter keeps a finite estimate and standard
error exactly when the remaining rows identify it. The checks here compare the
parameters named (and given nan standard errors) with that set, and the
finite ones with the fit on the remaining rows alone.
"""

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.special import expit

from skfisher import FisherLogisticRegression
from skfisher._validation import find_separation
from skfisher.exceptions import PerfectSeparationWarning


def _fit_recording(X, y, **params):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = FisherLogisticRegression(**params).fit(X, y)
    return model, [w for w in caught if issubclass(w.category, PerfectSeparationWarning)]


def test_complete_separation_with_zero_on_one_side_names_the_intercept():
    # The classes split at x = 0.5, so the intercept runs off with the slope;
    # a direction of least L1 norm, (0, 1), only touches the row at x = 0,
    # which hid the complete separation and left the intercept an SE of 1e8.
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0, 3.0])[:, None]
    y = (x[:, 0] > 0.5).astype(int)
    model, caught = _fit_recording(x, y)
    assert len(caught) == 1
    assert "['intercept', 'x0']" in str(caught[0].message)
    assert np.isnan(model.standard_errors_).all()
    assert not model.converged_


def test_a_column_seen_only_on_separated_rows_is_named():
    # "marker" separates 15 rows of class 1; "only_there" is non-zero on those
    # rows alone, so once they are predicted exactly nothing identifies it.
    rng = np.random.default_rng(4)
    x = rng.normal(size=120)
    y = (rng.random(120) < expit(0.3 + x)).astype(int)
    marker, only_there = np.zeros(120), np.zeros(120)
    marker[:15], only_there[:15] = 1.0, rng.normal(size=15)
    y[:15] = 1
    X = np.column_stack([x, marker, only_there])
    model, caught = _fit_recording(X, y)
    assert len(caught) == 1
    assert "['x1', 'x2']" in str(caught[0].message)
    assert np.isnan(model.standard_errors_[2:]).all()
    # The other parameters are those of the fit without the separated rows,
    # to the size of their vanishing weight μ(1 − μ) where the fit stops.
    reference = sm.Logit(y[15:], sm.add_constant(x[15:])).fit(disp=0, tol=1e-12)
    assert_allclose(model.params_[:2], reference.params, rtol=1e-6)
    assert_allclose(model.standard_errors_[:2], reference.bse, rtol=1e-6)


def test_find_separation_reports_the_rows_and_parameters():
    # Quasi-complete: the two rows at x = 0 (one of each class) stay.
    X = np.column_stack([np.ones(6), [-2.0, -1.0, 0.0, 0.0, 1.0, 2.0]])
    sign = np.array([-1.0, -1.0, -1.0, 1.0, 1.0, 1.0])
    found = find_separation(X, sign)
    assert found.separated.tolist() == [True, True, False, False, True, True]
    assert found.diverging.tolist() == [1] and not found.complete
    assert np.all(sign * (X @ found.direction) >= -1e-12)
    assert find_separation(X, np.array([-1.0, 1.0, -1.0, 1.0, -1.0, 1.0])) is None


@settings(max_examples=25, deadline=None)
@given(
    threshold=st.floats(-2.5, 2.5),
    shift=st.floats(-3.0, 3.0),
    flip=st.booleans(),
)
def test_complete_separation_leaves_every_parameter_without_an_error(threshold, shift, flip):
    # Twelve points split at an arbitrary threshold: whatever the position of
    # 0, every parameter diverges and every one is named.
    x = np.linspace(-3.0, 3.0, 12) + shift
    y = x > threshold + shift
    if flip:
        y = ~y
    if y.all() or not y.any():
        return
    model, caught = _fit_recording(x[:, None], y.astype(int))
    assert len(caught) == 1
    assert "['intercept', 'x0']" in str(caught[0].message)
    assert np.isnan(model.standard_errors_).all()


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_the_warning_points_at_the_callers_line(fit_intercept):
    x = np.arange(10.0)[:, None] - 4.7
    with pytest.warns(PerfectSeparationWarning) as record:
        FisherLogisticRegression(fit_intercept=fit_intercept).fit(x, x[:, 0] > 0)
    assert record[0].filename == __file__
