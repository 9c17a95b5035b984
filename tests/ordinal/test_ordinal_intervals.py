"""Intervals for the predicted probabilities and marginal effects of FisherOrdinalRegression.

The references are built from scipy's cdf and pdf of each link (not from the
estimator's own code): the delta method with a central-difference gradient of
the predicted probabilities in ``params_``, numerical derivatives of
``predict_proba`` in the columns of X, and statsmodels' ``OrderedModel``
``get_prediction(which="prob")`` standard errors (its own numerical delta
method, in its parametrisation of the thresholds).
"""

import doctest
import re
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import expit, logit
from sklearn.base import clone
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from skfisher import FisherOrdinalRegression

from ._reference import DISTRIBUTIONS

LINKS = list(DISTRIBUTIONS)
Z = stats.norm.ppf(0.975)
GUIDE = Path(__file__).parents[2] / "docs" / "user_guide" / "ordinal.rst"


def _problem(seed, n=400):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=n), rng.normal(size=n), rng.integers(0, 2, n)])
    latent = X @ [0.9, -0.6, 0.7] + rng.logistic(size=n)
    return X, np.digitize(latent, [-1.0, 0.2, 1.4])


def _proba(params, X, distribution, n_features):
    """``p_ik`` from scipy's cdf at ``params = [β, θ]``."""
    beta, cuts = params[:n_features], params[n_features:]
    gamma = cuts[None, :] - (X @ beta)[:, None]
    n = X.shape[0]
    return np.diff(np.column_stack([np.zeros(n), distribution.cdf(gamma), np.ones(n)]), axis=1)


def _jacobian(function, params, step=1e-6):
    """The central-difference Jacobian of ``function`` (any shape) in ``params``."""
    columns = []
    for j in range(params.size):
        shift = np.zeros(params.size)
        shift[j] = step
        columns.append((function(params + shift) - function(params - shift)) / (2 * step))
    return np.stack(columns, axis=-1)


@pytest.fixture(scope="module", params=LINKS)
def fitted(request):
    X, y = _problem(1)
    return FisherOrdinalRegression(link=request.param).fit(X, y), X, y


@pytest.mark.parametrize("cov_type", ["fisher", "sandwich"])
def test_proba_intervals_match_a_numerical_delta_method(fitted, cov_type):
    model, X, y = fitted
    rows = X[:40]
    distribution = DISTRIBUTIONS[model.link]
    gradient = _jacobian(lambda t: _proba(t, rows, distribution, 3), model.params_)
    covariance = model.covariance(cov_type)
    se = np.sqrt(np.einsum("ika,ab,ikb->ik", gradient, covariance, gradient))
    p = _proba(model.params_, rows, distribution, 3)
    half = Z * se / (p * (1 - p))
    expected = np.stack([expit(logit(p) - half), expit(logit(p) + half)], axis=2)
    # covariance_ is the one of the fit's cov_type.
    refit = clone(model).set_params(cov_type=cov_type).fit(X, y)
    actual = refit.predict_proba_interval(rows)
    # Central differences of step 1e-6 are good to about 1e-9 relative.
    np.testing.assert_allclose(actual, expected, rtol=1e-7)


def test_cumulative_intervals_are_the_wald_interval_of_the_cumulative_predictor(fitted):
    model, X, _ = fitted
    rows = X[:40]
    # γ_j = θ_j − xᵀβ is linear in the parameters: its gradient is [−x, e_j].
    gradient = np.zeros((40, 3, model.params_.size))
    gradient[:, :, :3] = -rows[:, None, :]
    gradient[:, np.arange(3), 3 + np.arange(3)] = 1.0
    se = np.sqrt(np.einsum("ija,ab,ijb->ij", gradient, model.covariance_, gradient))
    gamma = model.thresholds_[None, :] - (rows @ model.coef_)[:, None]
    cdf = DISTRIBUTIONS[model.link].cdf
    expected = np.stack([cdf(gamma - Z * se), cdf(gamma + Z * se)], axis=2)
    actual = model.predict_cumulative_proba_interval(rows)
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-14)
    cumulative = model.predict_cumulative_proba(rows)
    assert np.all((actual[:, :, 0] < cumulative) & (cumulative < actual[:, :, 1]))


def test_intervals_contain_the_estimate_and_lie_in_the_unit_interval(fitted):
    model, X, _ = fitted
    # The sample and rows far from it, where some probabilities are near 0 or 1.
    rows = np.vstack([X, [[4.0, -4.0, 1.0], [-4.0, 4.0, 0.0], [8.0, 0.0, 1.0]]])
    proba = model.predict_proba(rows)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    intervals = model.predict_proba_interval(rows)
    assert intervals.shape == (rows.shape[0], 4, 2)
    assert np.all((intervals >= 0) & (intervals <= 1))
    assert np.all((intervals[:, :, 0] <= proba) & (proba <= intervals[:, :, 1]))
    # Away from underflow the estimate is strictly inside.
    inner = (proba > 1e-6) & (proba < 1 - 1e-6)
    assert np.all(intervals[:, :, 0][inner] < proba[inner])
    assert np.all(proba[inner] < intervals[:, :, 1][inner])


def test_logit_end_classes_agree_with_the_cumulative_intervals():
    # Under the logit link logit(p_0) = γ_0 and logit(p_{K−1}) = −γ_{K−2}.
    X, y = _problem(2)
    model = FisherOrdinalRegression().fit(X, y)
    classes = model.predict_proba_interval(X[:30])
    cumulative = model.predict_cumulative_proba_interval(X[:30])
    np.testing.assert_allclose(classes[:, 0], cumulative[:, 0], rtol=1e-10)
    np.testing.assert_allclose(classes[:, -1], 1 - cumulative[:, -1, ::-1], rtol=1e-10)


def _statsmodels_prediction_se(X, y, link, rows):
    model = OrderedModel(y, X, distr=link)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = model.fit(method="bfgs", disp=0, maxiter=5000, gtol=1e-8).params
    result = model.fit(start_params=start, method="newton", disp=0, maxiter=100, tol=1e-8)
    prediction = result.get_prediction(rows, which="prob")
    return np.asarray(prediction.predicted), np.asarray(prediction.se)


@pytest.mark.parametrize("link", ["logit", "probit"])
def test_probability_standard_errors_match_statsmodels(link):
    X, y = _problem(3)
    rows = X[:25]
    expected_p, expected_se = _statsmodels_prediction_se(X, y, link, rows)
    # statsmodels' covariance is the inverse observed information.
    model = FisherOrdinalRegression(link=link, cov_type="observed").fit(X, y)
    p = model.predict_proba(rows)
    intervals = model.predict_proba_interval(rows)
    se = (logit(intervals[:, :, 1]) - logit(intervals[:, :, 0])) / (2 * Z) * p * (1 - p)
    # statsmodels differentiates numerically twice (Hessian, then the
    # prediction's gradient): agreement to about 1e-5 relative.
    np.testing.assert_allclose(p, expected_p, rtol=1e-6)
    np.testing.assert_allclose(se, expected_se, rtol=1e-4)


def test_dataframe_input_gives_a_frame_per_class():
    X, y = _problem(4)
    frame = pd.DataFrame(X, columns=["a", "b", "d"], index=np.arange(400) + 100)
    model = FisherOrdinalRegression().fit(frame, y)
    out = model.predict_proba_interval(frame.iloc[:5])
    assert list(out.index) == list(range(100, 105))
    assert list(out.columns) == [
        (k, e) for k in range(4) for e in ["mean_ci_lower", "mean_ci_upper"]
    ]
    np.testing.assert_allclose(
        out.to_numpy(),
        FisherOrdinalRegression().fit(X, y).predict_proba_interval(X[:5]).reshape(5, 8),
        rtol=1e-12,
    )
    cumulative = model.predict_cumulative_proba_interval(frame.iloc[:5])
    assert cumulative.columns.get_level_values(0).unique().tolist() == [0, 1, 2]


def _average_effects(params, X, distribution, n_features):
    """``mean_i −β_m (f(γ_ik) − f(γ_i,k−1))`` from scipy's pdf, shape (K, p)."""
    beta, cuts = params[:n_features], params[n_features:]
    gamma = cuts[None, :] - (X @ beta)[:, None]
    n = X.shape[0]
    pdf = np.column_stack([np.zeros(n), distribution.pdf(gamma), np.zeros(n)])
    return -np.diff(pdf, axis=1).mean(axis=0)[:, None] * beta[None, :]


def test_average_effects_are_the_mean_derivative_of_predict_proba(fitted):
    model, X, _ = fitted
    table = model.marginal_effects(X)
    step = 1e-6
    derivatives = []
    for m in range(3):
        shift = np.zeros(3)
        shift[m] = step
        change = model.predict_proba(X + shift) - model.predict_proba(X - shift)
        derivatives.append(change.mean(axis=0) / (2 * step))
    expected = np.column_stack(derivatives)  # (K, p)
    np.testing.assert_allclose(table.effects, expected.ravel(), rtol=1e-6, atol=1e-10)
    assert table.names[:3] == ["0:x0", "0:x1", "0:x2"]
    # The class probabilities sum to one, so the effects sum to zero.
    np.testing.assert_allclose(table.effects.reshape(4, 3).sum(axis=0), 0.0, atol=1e-12)


@pytest.mark.parametrize("kind", ["average", "at_mean"])
def test_effect_standard_errors_match_a_numerical_delta_method(fitted, kind):
    model, X, _ = fitted
    distribution = DISTRIBUTIONS[model.link]
    sample = X if kind == "average" else X.mean(axis=0, keepdims=True)
    jacobian = _jacobian(
        lambda t: _average_effects(t, sample, distribution, 3).ravel(), model.params_
    )
    table = model.marginal_effects(X, kind=kind)
    np.testing.assert_allclose(
        table.effects, _average_effects(model.params_, sample, distribution, 3).ravel(), rtol=1e-10
    )
    np.testing.assert_allclose(table.jacobian, jacobian, rtol=1e-6, atol=1e-9)
    se = np.sqrt(np.diag(jacobian @ model.covariance_ @ jacobian.T))
    np.testing.assert_allclose(table.standard_errors, se, rtol=1e-6)


def test_dummy_effect_is_the_average_discrete_change(fitted):
    model, X, _ = fitted
    table = model.marginal_effects(X, dummy=True)
    assert table.discrete == ["x2"]
    up, down = X.copy(), X.copy()
    up[:, 2], down[:, 2] = 1.0, 0.0
    change = (model.predict_proba(up) - model.predict_proba(down)).mean(axis=0)
    np.testing.assert_allclose(table.effects.reshape(4, 3)[:, 2], change, rtol=1e-12)
    distribution = DISTRIBUTIONS[model.link]

    def average_change(params):
        return (_proba(params, up, distribution, 3) - _proba(params, down, distribution, 3)).mean(
            0
        )

    jacobian = _jacobian(average_change, model.params_)
    np.testing.assert_allclose(table.jacobian[2::3], jacobian, rtol=1e-6, atol=1e-9)


def test_effects_table_prints_a_block_per_class(fitted):
    model, X, _ = fitted
    text = str(model.marginal_effects(X))
    assert [line for line in text.splitlines() if line.startswith("P(y = ")] == [
        f"P(y = {k})" for k in range(4)
    ]
    assert model.marginal_effects(X).to_frame().shape[0] == 12


@pytest.mark.parametrize("method", ["predict_proba_interval", "predict_cumulative_proba_interval"])
@pytest.mark.parametrize("alpha", [0, 1, 1.5, -0.1, "0.05"])
def test_interval_alpha_outside_the_unit_interval_is_refused(fitted, method, alpha):
    model, X, _ = fitted
    with pytest.raises(ValueError, match="alpha must be a number in"):
        getattr(model, method)(X[:3], alpha=alpha)


@pytest.mark.parametrize("method", ["predict_proba_interval", "predict_cumulative_proba_interval"])
def test_wrong_number_of_features_is_refused(fitted, method):
    model, X, _ = fitted
    with pytest.raises(ValueError, match="features"):
        getattr(model, method)(X[:3, :2])


def test_marginal_effects_bad_input_is_refused(fitted):
    model, X, _ = fitted
    with pytest.raises(ValueError, match="needs the sample X"):
        model.marginal_effects()
    with pytest.raises(ValueError, match="features"):
        model.marginal_effects(X[:, :2])
    with pytest.raises(ValueError, match="alpha must be a number in"):
        model.marginal_effects(X, alpha=1.0)
    with pytest.raises(ValueError, match="kind must be one of"):
        model.marginal_effects(X, kind="overall")


def test_narrower_level_gives_a_narrower_interval(fitted):
    model, X, _ = fitted
    wide = model.predict_proba_interval(X[:10], alpha=0.01)
    narrow = model.predict_proba_interval(X[:10], alpha=0.2)
    assert np.all(wide[:, :, 0] < narrow[:, :, 0]) and np.all(narrow[:, :, 1] < wide[:, :, 1])


def test_user_guide_interval_examples_run():
    blocks = re.findall(r"\.\. code-block:: pycon\n\n((?:   .*\n|\n)+)", GUIDE.read_text())
    assert blocks
    text = "\n".join(textwrap.dedent(block) for block in blocks)
    test = doctest.DocTestParser().get_doctest(text, {}, "ordinal.rst", str(GUIDE), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        runner.run(test)
    assert runner.failures == 0 and runner.tries > 2
