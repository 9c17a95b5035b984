"""Predictions and the score of the two-part count models, against explicit formulas.

The count probabilities are written here from scipy's Poisson and negative
binomial distributions (NB2: ``n = 1/α``, ``p = 1/(1 + αμ)``):

* zero-inflated: ``P(0) = π + (1 − π) f(0)``, ``P(k) = (1 − π) f(k)``;
* hurdle: ``P(0) = 1 − π``, ``P(k) = π f(k) / (1 − f(0))``, π = P(Y > 0);

the mean is ``Σ_k k P(k)`` summed until the tail is below 1e-15, and the
score's reference is an explicit fit of the model without features by
statsmodels.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from scipy.special import expit

from skfisher.counts import FisherHurdleRegressor, FisherZeroInflatedRegressor
from skfisher.exceptions import BoundaryWarning

from ._reference import (
    fit_logit,
    fit_tightly,
    hurdle_parts,
    simulate,
    zero_inflated_model,
)

KINDS = {"inflated": FisherZeroInflatedRegressor, "hurdle": FisherHurdleRegressor}
CASES = [(kind, family) for kind in KINDS for family in ("poisson", "negative_binomial")]


@pytest.fixture(scope="module", params=CASES, ids=lambda case: "-".join(case))
def fitted(request):
    kind, family = request.param
    X, y, offset = simulate(3, kind=kind, family=family, n=300, p=2, offset=True)
    columns = {"inflation_features" if kind == "inflated" else "zero_features": [1]}
    model = KINDS[kind](family, **columns).fit(X, y, offset=offset)
    return kind, family, X, y, offset, model


def _count_distribution(model, X, offset):
    mu = np.exp(model.intercept_ + X @ model.coef_ + (0.0 if offset is None else offset))
    if model.family == "poisson":
        return stats.poisson(mu[:, None])
    a = model.alpha_
    return stats.nbinom(1.0 / a, 1.0 / (1.0 + a * mu[:, None]))


def explicit_proba(model, X, counts, offset=None):
    """``P(Y = k | x)`` for the counts ``k`` (a row per sample), from scipy."""
    f = _count_distribution(model, X, offset)
    k = np.asarray(counts)[None, :]
    zero_part = X[:, model.zero_columns_]
    if isinstance(model, FisherZeroInflatedRegressor):
        pi = expit(model.inflation_intercept_ + zero_part @ model.inflation_coef_)[:, None]
        return np.where(k == 0, pi + (1 - pi) * f.pmf(0), (1 - pi) * f.pmf(k))
    pi = expit(model.zero_intercept_ + zero_part @ model.zero_coef_)[:, None]
    return np.where(k == 0, 1 - pi, pi * f.pmf(k) / f.sf(0))


def _enough_counts(model, X, offset):
    """A count beyond which each row's tail probability is below 1e-15."""
    return int(np.max(_count_distribution(model, X, offset).isf(1e-15))) + 1


def test_predict_proba_is_the_explicit_probability(fitted):
    _, _, X, _, offset, model = fitted
    counts = np.arange(25)
    proba = model.predict_proba(X, max_count=24, offset=offset)
    assert proba.shape == (X.shape[0], 25)
    assert_allclose(proba, explicit_proba(model, X, counts, offset), rtol=1e-10, atol=1e-300)
    assert_allclose(model.predict_zero_proba(X, offset=offset), proba[:, 0], rtol=1e-14)


def test_predict_is_the_mean_of_the_count_distribution(fitted):
    _, _, X, _, offset, model = fitted
    largest = _enough_counts(model, X, offset)
    counts = np.arange(largest + 1)
    mean = explicit_proba(model, X, counts, offset) @ counts
    assert_allclose(model.predict(X, offset=offset), mean, rtol=1e-10)
    # predict_proba over as many counts has the same mean and sums to 1.
    proba = model.predict_proba(X, max_count=largest, offset=offset)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert_allclose(proba @ counts, model.predict(X, offset=offset), rtol=1e-10)


def test_the_rows_of_predict_proba_rise_to_one(fitted):
    _, _, X, y, offset, model = fitted
    totals = [
        model.predict_proba(X, max_count=m, offset=offset).sum(axis=1) for m in (0, 2, 5, 10, 400)
    ]
    assert np.all(np.diff(totals, axis=0) >= 0)
    assert np.all(totals[0] < 1) and np.all(totals[-1] > 1 - 1e-9)
    # By default, up to the largest count of the fit.
    assert model.max_count_ == int(y.max())
    assert model.predict_proba(X, offset=offset).shape == (X.shape[0], int(y.max()) + 1)


def test_the_offset_scales_the_count_part_only(fitted):
    kind, _, X, _, _, model = fitted
    shift = np.log(2.0)
    doubled = model.predict(X, offset=np.full(X.shape[0], shift))
    counts = np.arange(_enough_counts(model, X, np.full(X.shape[0], shift)) + 1)
    explicit = explicit_proba(model, X, counts, np.full(X.shape[0], shift)) @ counts
    assert_allclose(doubled, explicit, rtol=1e-10)
    if kind == "inflated":  # E[Y] = (1 − π) μ: proportional to the exposure
        assert_allclose(doubled, 2.0 * model.predict(X), rtol=1e-13)
        assert_allclose(model.predict_zero_proba(X, offset=np.zeros(X.shape[0])),
                        model.predict_zero_proba(X), rtol=1e-14)  # fmt: skip
    else:  # P(Y = 0) = 1 − π does not depend on μ
        assert_allclose(
            model.predict_zero_proba(X, offset=np.full(X.shape[0], shift)),
            model.predict_zero_proba(X),
            rtol=1e-14,
        )


def _null_loglik(kind, family, y, offset):
    """ℓ₀ of the model without features, fitted explicitly by statsmodels."""
    ones = np.zeros((y.size, 0))
    if kind == "inflated":
        model = zero_inflated_model(y, ones, family, [], offset=offset)
        return fit_tightly(model).llf
    logit, truncated, _ = hurdle_parts(y, ones, family, [], offset=offset)
    return fit_logit(logit).llf + fit_tightly(truncated, bfgs=False).llf


@pytest.mark.parametrize("with_offset", [False, True])
def test_score_is_d2_against_the_model_without_features(fitted, with_offset):
    kind, family, X, y, offset, model = fitted
    offset = offset if with_offset else None
    null = _null_loglik(kind, family, y, offset)
    loglik = float(np.sum(np.log(explicit_proba(model, X, np.arange(y.max() + 1), offset)[
        np.arange(y.size), y.astype(int)])))  # fmt: skip
    assert_allclose(model.score(X, y, offset=offset), 1.0 - loglik / null, rtol=1e-8)
    if with_offset:
        assert_allclose(loglik, model.loglik_, rtol=1e-12)
        assert 0.0 < model.score(X, y, offset=offset) < 1.0


def test_score_with_weights_is_the_score_of_repeated_rows(fitted):
    _, _, X, y, offset, model = fitted
    weights = np.arange(y.size) % 3
    rows = np.repeat(np.arange(y.size), weights)
    assert_allclose(
        model.score(X, y, sample_weight=weights, offset=offset),
        model.score(X[rows], y[rows], offset=offset[rows]),
        rtol=1e-10,
    )


def test_score_of_a_perfect_and_of_a_constant_model():
    """ℓ₀ = 0 (every count 0): 1 for a perfect model, 0 otherwise; a worse model is < 0."""
    X, y, _ = simulate(1, n=300, p=2)
    model = FisherZeroInflatedRegressor().fit(X, y)
    assert model.score(X, np.zeros_like(y)) == 0.0
    shuffled = np.random.default_rng(0).permutation(y)
    assert model.score(X, shuffled) < model.score(X, y)


def test_predictions_of_a_dataframe_use_its_column_names():
    pd = pytest.importorskip("pandas")
    X, y, _ = simulate(2, n=300, p=3)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    model = FisherHurdleRegressor(zero_features=["c"]).fit(frame, y)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        assert_allclose(model.predict(frame), model.predict(frame.to_numpy()), rtol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(frame[["a", "b", "c"]])
    with pytest.raises(ValueError, match="feature names"):
        model.predict(frame[["c", "b", "a"]])


def test_extreme_rows_predict_limits_without_nan_or_warnings():
    """exp(η) beyond float64: an infinite mean and probabilities 0, never nan."""
    X, y, _ = simulate(4, n=300, p=2)
    far = X[:20] * 1e4
    for cls in KINDS.values():
        for family in ("poisson", "negative_binomial"):
            with warnings.catch_warnings():
                # Poisson counts: the negative binomial's α is at 0, which is not the point here.
                warnings.simplefilter("ignore", BoundaryWarning)
                model = cls(family).fit(X, y)
            with warnings.catch_warnings():
                warnings.simplefilter("error", RuntimeWarning)
                mean = model.predict(far)
                proba = model.predict_proba(far, max_count=5)
                zero = model.predict_zero_proba(far)
            assert not np.isnan(mean).any() and not np.isnan(proba).any()
            assert np.all((proba >= 0) & (proba <= 1)) and np.all((zero >= 0) & (zero <= 1))
            assert np.all(proba.sum(axis=1) <= 1 + 1e-12)
            assert np.isinf(mean).any() and np.any(mean == 0)
