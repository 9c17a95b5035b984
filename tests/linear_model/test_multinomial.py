"""Multinomial FisherLogisticRegression (K > 2) against statsmodels' MNLogit.

statsmodels' ``MNLogit`` fits the same model (first class the reference) by
Newton's method; its ``params`` are (n_columns, K − 1), a column per class, and
ours are class-major, so ``ours = mnlogit.params.T.ravel()``; its covariance,
Hessian and ``score_obs`` columns are already class-major. Frequency weights are
checked against MNLogit on repeated rows (it has no weights).
"""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from numpy.testing import assert_allclose, assert_array_equal
from scipy.optimize import minimize
from scipy.special import log_softmax, softmax
from sklearn.base import clone
from sklearn.datasets import load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skfisher import FisherLogisticRegression
from skfisher._linalg import Design
from skfisher._scoring import fisher_scoring
from skfisher._validation import separating_direction
from skfisher.exceptions import CollinearityWarning, PerfectSeparationWarning
from skfisher.linear_model._multinomial import MultinomialProblem, separation_contrasts

COV_TYPES = ("fisher", "observed", "empirical", "sandwich")

# Both fitters solve the score equations to near machine precision (ours to a
# step of 1e-10 standard errors, MNLogit's Newton to 1e-12 in θ), so the
# differences are rounding; the bounds leave orders of magnitude of margin.
PARAMS_RTOL = 1e-6
# An estimate near zero has no relative precision: both agree to a tiny
# fraction of its standard error, which is what the stopping rule controls.
PARAMS_SE_ATOL = 1e-6
SE_RTOL = 1e-5
LOGLIK_RTOL = 1e-8
# Matrices are compared after scaling to unit diagonal, so that columns of
# scale 1e-1 and 1e1 are judged alike; the entries are sums of n products
# accumulated in different orders.
MATRIX_ATOL = 1e-9


def _fit(X, y, sample_weight=None, **params):
    """Fit ours with every warning raised as an error: a clean fit must be silent."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return FisherLogisticRegression(tol=1e-10, **params).fit(X, y, sample_weight)


def assert_matrix_close(actual, expected, atol=MATRIX_ATOL):
    scale = np.sqrt(np.abs(np.diag(expected)))
    assert_allclose(actual / np.outer(scale, scale), expected / np.outer(scale, scale), atol=atol)


def assert_params_close(actual, expected, se):
    """``|actual − expected| <= PARAMS_RTOL |expected| + PARAMS_SE_ATOL se``, entrywise."""
    excess = np.abs(actual - expected) - PARAMS_RTOL * np.abs(expected) - PARAMS_SE_ATOL * se
    assert np.all(excess <= 0), f"estimates differ: {actual} vs {expected}"


def mnlogit_reference(X, y, sample_weight=None, fit_intercept=True):
    """MNLogit's estimates, standard errors by cov_type, matrices and log-likelihood."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if sample_weight is not None:
        X, y = np.repeat(X, sample_weight, axis=0), np.repeat(y, sample_weight)
    exog = np.column_stack([np.ones(len(X)), X]) if fit_intercept else X
    model = sm.MNLogit(np.searchsorted(np.unique(y), y), exog)
    options = dict(disp=0, method="newton", tol=1e-12, maxiter=100)
    result = model.fit(**options)
    assert result.mle_retvals["converged"]
    robust = model.fit(**options, cov_type="HC0")
    params = np.asarray(result.params)
    scores = model.score_obs(params)
    opg = scores.T @ scores
    return {
        "params": params.T.ravel(),
        "llf": result.llf,
        "aic": result.aic,
        "bic": result.bic,
        "information": -model.hessian(params),
        "empirical_fisher": opg,
        "se": {
            "fisher": np.asarray(result.bse).T.ravel(),
            "observed": np.asarray(result.bse).T.ravel(),
            "sandwich": np.asarray(robust.bse).T.ravel(),
            "empirical": np.sqrt(np.diag(np.linalg.inv(opg))),
        },
    }


def assert_matches_mnlogit(X, y, sample_weight=None, fit_intercept=True):
    reference = mnlogit_reference(X, y, sample_weight, fit_intercept)
    model = _fit(X, y, sample_weight, fit_intercept=fit_intercept)
    assert_params_close(model.params_, reference["params"], reference["se"]["fisher"])
    assert_allclose(model.loglik_, reference["llf"], rtol=LOGLIK_RTOL)
    # Both count (K − 1)(p + 1) parameters and Σw observations.
    assert_allclose([model.aic_, model.bic_], [reference["aic"], reference["bic"]], rtol=1e-8)
    assert_matrix_close(model.information_, reference["information"])
    assert_matrix_close(model.observed_information_, reference["information"])
    assert_matrix_close(model.empirical_fisher_, reference["empirical_fisher"])
    for cov_type in COV_TYPES:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fitted = clone(model).set_params(cov_type=cov_type).fit(X, y, sample_weight)
        assert_allclose(fitted.standard_errors_, reference["se"][cov_type], rtol=SE_RTOL)
    return model


# Real data ------------------------------------------------------------------------
def _anes96(levels):
    data = sm.datasets.anes96.load_pandas().data
    X = data[["logpopul", "selfLR", "age", "educ", "income", "TVnews"]]
    # PID runs from 0 (strong Democrat) to 6 (strong Republican); three levels
    # are Democrat (0–2), independent (3) and Republican (4–6).
    y = data["PID"].astype(int) if levels == 7 else np.digitize(data["PID"], [2.5, 3.5])
    return X, y


def _wine():
    # Two columns in which no class is separated from the others (all 13 are).
    data = load_wine(as_frame=True)
    return data.data[["alcohol", "malic_acid"]], data.target


def _modechoice():
    # The travel mode each of 210 travellers chose (air, train, bus, car),
    # from household income and party size.
    data = sm.datasets.modechoice.load_pandas().data
    chosen = data[data["choice"] == 1]
    return chosen[["hinc", "psize"]], chosen["mode"].astype(int)


REAL_DATA = {
    "anes96_pid7": lambda: _anes96(7),
    "anes96_pid3": lambda: _anes96(3),
    "wine": _wine,
    "modechoice": _modechoice,
}


@pytest.mark.parametrize("name", sorted(REAL_DATA))
def test_real_data_matches_mnlogit(name):
    X, y = REAL_DATA[name]()
    model = assert_matches_mnlogit(X, y)
    assert len(model.classes_) == len(np.unique(y)) > 2


def test_anes96_without_intercept_matches_mnlogit():
    X, y = _anes96(3)
    model = assert_matches_mnlogit(X, y, fit_intercept=False)
    assert_array_equal(model.intercept_, np.zeros(3))


# Random problems --------------------------------------------------------------------
def random_problem(seed):
    """A multinomial problem whose MLE exists: K 3–5, 1–5 features of mixed scale."""
    rng = np.random.default_rng(seed)
    n_classes = 3 + seed % 3
    n_features = 1 + seed % 5
    n = 50 * n_classes + int(rng.integers(0, 300))
    scale = 10 ** rng.uniform(-1, 1, n_features)
    X = rng.normal(size=(n, n_features)) * scale + rng.normal(size=n_features)
    coef = rng.normal(scale=0.7, size=(n_classes - 1, n_features)) / scale
    intercept = rng.normal(scale=0.5, size=n_classes - 1) - coef @ X.mean(axis=0)
    eta = np.column_stack([np.zeros(n), X @ coef.T + intercept])
    u = rng.random(n)[:, None]
    y = (softmax(eta, axis=1).cumsum(axis=1) < u).sum(axis=1)
    y = np.minimum(y, n_classes - 1)
    # Odd seeds carry integer frequency weights, zeros included.
    sample_weight = rng.integers(0, 4, size=n) if seed % 2 else None
    return X, y, sample_weight


SEEDS = range(20)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_problem_matches_mnlogit(seed):
    X, y, sample_weight = random_problem(seed)
    assert_matches_mnlogit(X, y, sample_weight)


def test_random_problems_cover_the_brief():
    problems = [random_problem(seed) for seed in SEEDS]
    assert {len(np.unique(y)) for _, y, _ in problems} == {3, 4, 5}
    assert {X.shape[1] for X, _, _ in problems} == {1, 2, 3, 4, 5}
    assert min(len(X) for X, _, _ in problems) < 300 < max(len(X) for X, _, _ in problems)
    weighted = [w for _, _, w in problems if w is not None]
    assert len(weighted) == 10 and all((w == 0).any() for w in weighted)


@pytest.mark.parametrize("case", ["anes96_pid7", "wine", "random_weighted"])
def test_cluster_robust_errors_match_mnlogit(case):
    if case == "random_weighted":
        X, y, sample_weight = random_problem(9)
    else:
        (X, y), sample_weight = REAL_DATA[case](), None
    X = np.asarray(X, dtype=float)
    groups = np.arange(len(y)) % 23
    repeat = np.ones(len(y), dtype=int) if sample_weight is None else sample_weight
    result = sm.MNLogit(np.repeat(y, repeat), np.repeat(sm.add_constant(X), repeat, axis=0)).fit(
        disp=0,
        method="newton",
        tol=1e-12,
        cov_type="cluster",
        cov_kwds={"groups": np.repeat(groups, repeat)},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = FisherLogisticRegression(tol=1e-10, cov_type="cluster")
        model.fit(X, y, sample_weight=sample_weight, groups=groups)
    assert model.n_groups_ == len(np.unique(groups[repeat > 0]))
    assert_allclose(model.standard_errors_, np.asarray(result.bse).T.ravel(), rtol=SE_RTOL)


# The multinomial problem at K = 2 is the binary model ----------------------------
@pytest.mark.parametrize("alpha", [0.0, 0.05])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_two_classes_through_the_multinomial_problem_equal_the_binary_fit(
    logistic_data, alpha, fit_intercept
):
    X, y = logistic_data
    sample_weight = np.random.default_rng(1).integers(1, 4, size=len(y)).astype(float)
    binary = _fit(X, y, sample_weight, alpha=alpha, fit_intercept=fit_intercept)
    problem = MultinomialProblem(Design(X, fit_intercept), y, 2, sample_weight, alpha=alpha)
    result = fisher_scoring(problem, np.zeros(problem.n_params), tol=1e-10)
    assert result.converged
    # Two fits of one strictly concave objective stopped 1e-10 standard errors
    # from its maximiser; the matrices are then equal to rounding.
    assert_allclose(result.theta, binary.params_, rtol=1e-9, atol=1e-12)
    assert_allclose(problem.loglik(result.theta), binary.loglik_, rtol=1e-12)
    assert_matrix_close(result.information, binary.information_, atol=1e-10)
    assert_matrix_close(
        problem.observed_information(result.theta), binary.observed_information_, atol=1e-10
    )
    assert_matrix_close(problem.empirical_fisher(result.theta), binary.empirical_fisher_, 1e-10)


# Penalty, derivatives --------------------------------------------------------------
def _penalised_objective(theta, X, y, sample_weight, alpha, n_classes):
    """−(ℓ − ½ α Σw Σ ||coef_j||²) and its gradient, written independently."""
    blocks = theta.reshape(n_classes - 1, X.shape[1] + 1)
    eta = np.column_stack([np.zeros(len(X)), X @ blocks[:, 1:].T + blocks[:, 0]])
    log_p = log_softmax(eta, axis=1)
    onehot = np.eye(n_classes)[y]
    penalty = alpha * sample_weight.sum()
    value = -sample_weight @ log_p[np.arange(len(y)), y] + 0.5 * penalty * np.sum(
        blocks[:, 1:] ** 2
    )
    residual = (onehot - np.exp(log_p))[:, 1:] * sample_weight[:, None]
    grad = np.column_stack([residual.sum(axis=0), residual.T @ X])
    grad[:, 1:] -= penalty * blocks[:, 1:]
    return value, -grad.ravel()


@pytest.mark.parametrize("alpha", [0.0, 0.01, 1.0])
def test_penalised_fit_maximises_the_penalised_objective(alpha):
    X, y, sample_weight = random_problem(3)
    model = _fit(X, y, sample_weight, alpha=alpha)
    args = (X, y, sample_weight.astype(float), alpha, len(model.classes_))
    optimum = minimize(
        _penalised_objective,
        np.zeros(len(model.params_)),
        args=args,
        jac=True,
        method="BFGS",
        options={"gtol": 1e-9, "maxiter": 10_000},
    )
    # BFGS stops on a gradient of 1e-9 on an objective of curvature ~Σw, so its
    # estimate is within ~1e-8 standard errors of the maximiser; rtol 1e-6 is
    # the brief's and applies against it directly.
    assert_params_close(model.params_, optimum.x, model.standard_errors_)
    assert_allclose(model.score_, 0.0, atol=1e-6)
    # The reported information is the negative Hessian of the penalised
    # objective: central differences of the independent gradient, whose
    # truncation error at h = 1e-5 · scale is about 1e-9 relative.
    step = 1e-5 * np.maximum(1.0, np.abs(model.params_))
    hessian = np.empty((len(step), len(step)))
    for j, h in enumerate(step):
        e = np.zeros(len(step))
        e[j] = h
        hessian[:, j] = (
            _penalised_objective(model.params_ + e, *args)[1]
            - _penalised_objective(model.params_ - e, *args)[1]
        ) / (2 * h)
    assert_matrix_close(model.information_, 0.5 * (hessian + hessian.T), atol=1e-6)


def test_penalty_adds_alpha_times_total_weight_to_the_coefficients():
    X, y, _ = random_problem(0)
    model = _fit(X, y, alpha=0.3)
    problem = MultinomialProblem(Design(X, True), y, len(model.classes_), np.ones(len(y)))
    unpenalised = problem.information(model.params_)
    difference = np.diag(model.information_ - unpenalised)
    intercepts = np.array([name.endswith(":intercept") for name in model.param_names_])
    assert_allclose(difference[intercepts], 0.0, atol=1e-9)
    assert_allclose(difference[~intercepts], 0.3 * len(y), rtol=1e-12)
    assert_allclose(model.empirical_fisher_, problem.empirical_fisher(model.params_))


def test_information_equals_the_dense_formula():
    # Xᵀ (diag(p) − p pᵀ) X over all n·(K − 1) rows, formed densely on a small problem.
    X, y, sample_weight = random_problem(5)
    model = _fit(X, y, sample_weight)
    Z = np.column_stack([np.ones(len(X)), X])
    p = model.predict_proba(X)[:, 1:]
    expected = np.zeros_like(model.information_)
    for i in range(len(X)):
        expected += sample_weight[i] * np.kron(
            np.diag(p[i]) - np.outer(p[i], p[i]), np.outer(Z[i], Z[i])
        )
    assert_matrix_close(model.information_, expected, atol=1e-12)


# Separation --------------------------------------------------------------------------
def test_iris_is_separated_and_warns_naming_the_class():
    data = load_iris()
    y = data.target_names[data.target]
    for cov_type in COV_TYPES:
        with pytest.warns(PerfectSeparationWarning, match=r"class 'setosa' from \['versicolor'"):
            model = FisherLogisticRegression(cov_type=cov_type).fit(data.data, y)
        assert not model.converged_
        assert np.isnan(model.standard_errors_).any()
    message = str(_separation_warning(data.data, y).message)
    assert "'versicolor:intercept'" in message or "'versicolor:x" in message


def _separation_warning(X, y, **params):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        FisherLogisticRegression(**params).fit(X, y)
    found = [w for w in caught if issubclass(w.category, PerfectSeparationWarning)]
    assert len(found) == 1
    return found[0]


def test_iris_with_a_penalty_is_not_separated():
    X, y = load_iris(return_X_y=True)
    model = _fit(X, y, alpha=0.01)
    assert model.converged_ and np.all(np.isfinite(model.standard_errors_))


def test_separation_of_one_class_names_it_and_its_parameters():
    # The feature "marker" is 1 only on some rows of class 2: those rows are
    # predicted exactly, and only the marker's parameters diverge.
    X, y, _ = random_problem(0)
    marker = ((y == 2) & (np.arange(len(y)) % 4 == 0)).astype(float)
    X = np.column_stack([X, marker])
    with pytest.warns(PerfectSeparationWarning, match=r"class 2 from \[0, 1\]") as caught:
        model = FisherLogisticRegression().fit(X, y)
    diverging = model.param_names_[np.isnan(model.standard_errors_)]
    assert "2:x1" in diverging and set(diverging) <= {"1:x1", "2:x1"}
    assert all(name in str(caught[0].message) for name in diverging)
    assert not model.converged_


def test_complete_separation_leaves_no_standard_error():
    # Three classes on three disjoint intervals: every row is predicted exactly.
    x = np.linspace(-3, 3, 60)
    y = np.digitize(x, [-1.0, 1.0])
    with pytest.warns(PerfectSeparationWarning, match=r"class 1 from \[0, 2\]"):
        model = FisherLogisticRegression().fit(x[:, None], y)
    assert not model.converged_
    assert np.isnan(model.standard_errors_).all()
    assert_array_equal(model.predict(x[:, None]), y)


def test_pairwise_separation_from_the_reference_is_not_separation():
    # Classes 0 and 1 are separated from each other, but class 2 covers both
    # ranges, so the multinomial MLE exists (MNLogit converges to it). A check
    # of each class against the reference alone would raise a false alarm.
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-3, -1, 20), rng.uniform(1, 3, 20), rng.uniform(-4, 4, 40)])
    y = np.repeat([0, 1, 2], [20, 20, 40])
    X = x[:, None]
    pair = y < 2
    design = np.column_stack([np.ones(pair.sum()), x[pair]])
    assert separating_direction(design, np.where(y[pair] == 1, 1.0, -1.0)) is not None
    problem = MultinomialProblem(Design(X, True), y, 3, np.ones(len(y)))
    model = assert_matches_mnlogit(X, y)
    diverging, pairs, complete = separation_contrasts(problem, model.params_, converged=False)
    assert diverging.size == 0 and pairs == [] and not complete


def test_an_improbable_other_class_does_not_trigger_the_check(monkeypatch):
    # Ordered, overlapping classes: a row far out on the left has a fitted
    # probability of the rightmost class far below e^-15, yet every row's own
    # class is neither certain nor impossible, so the costly programme
    # (n (K − 1) rows) must not run.
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 100)
    X = (rng.normal(size=300) * 2.5 + np.array([-6.0, 0.0, 6.0])[y])[:, None]

    def fail(*args, **kwargs):
        raise AssertionError("the separation programme ran")

    monkeypatch.setattr("skfisher.linear_model._multinomial.find_separation", fail)
    model = assert_matches_mnlogit(X, y)
    assert model.predict_log_proba(X).min() < -15


# scikit-learn behaviour --------------------------------------------------------------
def test_shapes_predictions_and_names():
    X, y = _anes96(3)
    model = _fit(X, y)
    assert model.coef_.shape == (3, 6) and model.intercept_.shape == (3,)
    assert_array_equal(model.coef_[0], 0.0)
    assert model.intercept_[0] == 0.0
    assert_array_equal(model.coef_[1:].ravel(), model.params_.reshape(2, 7)[:, 1:].ravel())
    assert list(model.param_names_[:3]) == ["1:intercept", "1:logpopul", "1:selfLR"]
    assert model.param_names_[7] == "2:intercept"
    assert model.information_.shape == (14, 14)
    eta = model.decision_function(X)
    proba = model.predict_proba(X)
    assert eta.shape == proba.shape == (len(y), 3)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-14)
    assert_allclose(model.predict_log_proba(X), np.log(proba), rtol=1e-12)
    assert_array_equal(model.predict(X), model.classes_[np.argmax(proba, axis=1)])
    assert model.__sklearn_tags__().classifier_tags.multi_class


def test_string_labels_and_summary_grouped_by_class():
    X, y = _anes96(3)
    labels = np.array(["Dem", "Ind", "Rep:x"])[y]
    model = _fit(X, labels)
    numeric = _fit(X, y)
    assert_array_equal(model.classes_, ["Dem", "Ind", "Rep:x"])
    assert model.param_names_[0] == "Ind:intercept"
    assert_allclose(model.params_, numeric.params_, rtol=1e-12)
    assert set(model.predict(X)) <= {"Dem", "Ind", "Rep:x"}
    text = str(model.summary())
    assert "class 'Ind' vs reference 'Dem'" in text
    assert "class 'Rep:x' vs reference 'Dem'" in text
    assert text.index("'Ind' vs") < text.index("  selfLR") < text.index("'Rep:x' vs")
    # A label with a colon is stripped by its length, not at its colon.
    assert text.count("\n  selfLR ") == 2 and "x:selfLR" not in text
    assert "MNLogit" in text
    frame = model.summary().to_frame()
    assert list(frame.index) == list(model.param_names_)
    assert_allclose(frame["std err"], model.standard_errors_)


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_integer_weights_equal_repeated_rows(cov_type):
    X, y, sample_weight = random_problem(7)
    weighted = _fit(X, y, sample_weight, cov_type=cov_type)
    repeated = _fit(
        np.repeat(X, sample_weight, axis=0), np.repeat(y, sample_weight), cov_type=cov_type
    )
    # Same objective summed in a different order: equal to rounding.
    assert_allclose(weighted.params_, repeated.params_, rtol=1e-9)
    assert_allclose(weighted.standard_errors_, repeated.standard_errors_, rtol=1e-9)
    for name in ("information_", "observed_information_", "empirical_fisher_"):
        assert_matrix_close(getattr(weighted, name), getattr(repeated, name), atol=1e-11)
    assert weighted.nobs_ == repeated.nobs_ == sample_weight.sum()


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_sparse_equals_dense(cov_type):
    X, y, sample_weight = random_problem(4)
    dense = _fit(X, y, sample_weight, cov_type=cov_type)
    sparse = _fit(sp.csr_matrix(X), y, sample_weight, cov_type=cov_type)
    assert_allclose(sparse.params_, dense.params_, rtol=1e-10)
    assert_allclose(sparse.standard_errors_, dense.standard_errors_, rtol=1e-10)
    assert_allclose(sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), rtol=1e-10)


def test_pipeline_and_grid_search_on_three_classes():
    X, y = load_wine(return_X_y=True)
    pipeline = make_pipeline(StandardScaler(), FisherLogisticRegression())
    search = GridSearchCV(pipeline, {"fisherlogisticregression__alpha": [0.01, 0.1, 1.0]}, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search.fit(X, y)
    best = search.best_estimator_[-1]
    assert best.coef_.shape == (3, 13)
    assert len(best.param_names_) == 2 * 14
    assert search.best_score_ > 0.9
    assert_allclose(search.predict_proba(X).sum(axis=1), 1.0)


def test_warm_start_starts_at_the_previous_fit():
    X, y = _anes96(7)
    cold = _fit(X, y)
    warm = clone(cold).set_params(warm_start=True)
    warm.params_ = cold.params_.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warm.fit(X, y)
    assert warm.n_iter_ == 0 < cold.n_iter_
    assert_allclose(warm.params_, cold.params_, rtol=1e-10)
    # A previous fit of another shape (two classes) is ignored.
    warm.params_ = np.zeros(3)
    warm.fit(X, y)
    assert_allclose(warm.params_, cold.params_, rtol=PARAMS_RTOL)


def test_collinear_columns_warn_and_report_nan():
    X, y = _anes96(3)
    X = X.assign(age2=2.0 * X["age"])
    with pytest.warns(CollinearityWarning, match=r"'1:age'.*'1:age2'"):
        model = FisherLogisticRegression().fit(X, y)
    names = list(model.param_names_)
    assert np.isnan(model.standard_errors_[names.index("2:age2")])
    assert np.isfinite(model.standard_errors_[names.index("2:selfLR")])


def test_max_iter_reached_warns():
    X, y = _anes96(7)
    with pytest.warns(ConvergenceWarning, match="did not converge after 1 iterations"):
        model = FisherLogisticRegression(max_iter=1).fit(X, y)
    assert not model.converged_


def test_pickle_round_trip():
    X, y = _anes96(3)
    model = _fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
