"""Rao's score test and score screening against statsmodels and independent formulas."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning

from skfisher import FisherGLMRegressor, FisherLogisticRegression
from skfisher.exceptions import PerfectSeparationWarning
from skfisher.inference import lr_test, score_screen, score_test, wald_test

# statsmodels evaluates the same score and information at a restricted
# estimate that agrees with ours to ~1e-9; 1e-5 is the tolerance asked for.
SCORE_RTOL = 1e-5

ANES_COLUMNS = ["logpopul", "TVnews", "selfLR", "ClinLR", "DoleLR", "PID", "age", "educ"]


def _anes96():
    data = sm.datasets.anes96.load_pandas().data
    return data[ANES_COLUMNS], data["vote"]


def _fit(X, y, sample_weight=None, **params):
    return FisherLogisticRegression(tol=1e-10, **params).fit(X, y, sample_weight)


def _random_problem(seed, n=300, k=3, m=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k)) * rng.uniform(0.3, 2.0, size=k)
    Z = rng.normal(size=(n, m)) + 0.3 * X[:, :1]
    eta = 0.2 + X @ rng.normal(scale=0.5, size=k) + Z @ rng.normal(scale=0.2, size=m)
    y = (rng.random(n) < expit(eta)).astype(float)
    return X, Z, y


def _statsmodels_glm(X, y, sample_weight=None):
    kwargs = {} if sample_weight is None else {"freq_weights": sample_weight}
    model = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial(), **kwargs)
    return model.fit(tol=1e-13)


def _robust_reference(X, Z, y, params_restricted):
    """Boos' robust statistic from statsmodels' per-row scores and Hessian of the full model."""
    exog = np.column_stack([sm.add_constant(X), Z])
    full = sm.GLM(y, exog, family=sm.families.Binomial())
    theta = np.concatenate([params_restricted, np.zeros(Z.shape[1])])
    scores = full.score_obs(theta)
    A_inv = np.linalg.inv(-full.hessian(theta))
    R = np.eye(len(theta))[-Z.shape[1] :]
    effective = R @ A_inv @ scores.sum(axis=0)
    middle = R @ A_inv @ (scores.T @ scores) @ A_inv @ R.T
    return effective @ np.linalg.solve(middle, effective)


SPLITS = [
    (["selfLR", "PID"], ["age"]),
    (["selfLR", "PID", "logpopul"], ["age", "educ", "TVnews"]),
    (["ClinLR"], ["DoleLR", "PID", "selfLR"]),
]


@pytest.mark.parametrize(("kept", "extra"), SPLITS)
@pytest.mark.parametrize("information", ["expected", "observed"])
def test_anes96_matches_statsmodels_glm(kept, extra, information):
    X, y = _anes96()
    ours = score_test(_fit(X[kept], y), X[extra], y, X=X[kept], information=information)
    reference = _statsmodels_glm(X[kept], y).score_test(
        exog_extra=X[extra].to_numpy(), observed=information == "observed"
    )
    assert_allclose(ours.statistic, reference.statistic[0], rtol=SCORE_RTOL)
    assert_allclose(ours.pvalue, reference.pvalue[0], rtol=SCORE_RTOL)
    assert ours.df == reference.k_constraint == len(extra)
    assert ours.hypotheses == tuple(f"{name} = 0" for name in extra)


@pytest.mark.parametrize("seed", range(5))
def test_random_problems_match_statsmodels(seed):
    X, Z, y = _random_problem(seed)
    restricted = _fit(X, y)
    reference = _statsmodels_glm(X, y)
    plain = score_test(restricted, Z, y, X=X)
    assert_allclose(plain.statistic, reference.score_test(exog_extra=Z).statistic[0], rtol=1e-5)
    robust = score_test(restricted, Z, y, X=X, robust=True)
    assert_allclose(
        robust.statistic, _robust_reference(X, Z, y, reference.params), rtol=SCORE_RTOL
    )


def test_frequency_weights_are_repeated_rows():
    X, Z, y = _random_problem(3, n=150)
    weight = np.random.default_rng(1).integers(1, 4, size=len(y)).astype(float)
    rows = np.repeat(np.arange(len(y)), weight.astype(int))
    for robust in (False, True):
        weighted = score_test(_fit(X, y, weight), Z, y, X=X, sample_weight=weight, robust=robust)
        expanded = score_test(_fit(X[rows], y[rows]), Z[rows], y[rows], X=X[rows], robust=robust)
        assert_allclose(weighted.statistic, expanded.statistic, rtol=1e-8)


def test_sparse_columns_give_the_same_statistic():
    X, Z, y = _random_problem(4)
    restricted = _fit(X, y)
    dense = score_test(restricted, Z, y, X=X)
    sparse = score_test(restricted, sp.csr_matrix(Z), y, X=sp.csr_matrix(X))
    assert_allclose(sparse.statistic, dense.statistic, rtol=1e-10)


def test_screen_equals_one_test_per_column():
    X, y = _anes96()
    kept, candidates = ["selfLR", "PID"], ["age", "educ", "TVnews", "ClinLR", "logpopul"]
    restricted = _fit(X[kept], y)
    for robust in (False, True):
        screen = score_screen(restricted, X[candidates], y, X=X[kept], robust=robust, block_size=2)
        single = [
            score_test(restricted, X[[c]], y, X=X[kept], robust=robust).statistic
            for c in candidates
        ]
        assert_allclose(screen.statistic, single, rtol=1e-10)
        assert screen.names.tolist() == candidates
    frame = screen.to_frame()
    assert frame.index[0] == "ClinLR"
    assert "ClinLR" in repr(screen).splitlines()[1]


def test_screen_flags_a_collinear_candidate_with_nan():
    X, Z, y = _random_problem(6)
    candidates = np.column_stack([Z[:, 0], X[:, 1] * 2.0, np.ones(len(y))])
    screen = score_screen(_fit(X, y), candidates, y, X=X)
    assert np.isfinite(screen.statistic[0])
    assert np.all(np.isnan(screen.statistic[1:]))
    assert screen.names.tolist() == ["candidate0", "candidate1", "candidate2"]


def test_trinity_agrees_on_a_large_problem():
    # Under a local alternative the Wald, likelihood-ratio and score statistics
    # differ by O(n^-1/2) relative to each other.
    rng = np.random.default_rng(2024)
    n = 20000
    X = rng.normal(size=(n, 2))
    Z = rng.normal(size=(n, 2))
    y = (rng.random(n) < expit(0.3 + X @ [0.5, -0.4] + Z @ [0.02, -0.015])).astype(float)
    restricted, full = _fit(X, y), _fit(np.column_stack([X, Z]), y)
    score = score_test(restricted, Z, y, X=X).statistic
    lr = lr_test(restricted, full).statistic
    wald = wald_test(full, "x2 = 0, x3 = 0").statistic
    assert 5 < lr < 60  # a moderate effect: the comparison is not trivial
    assert_allclose([score, wald], lr, rtol=0.02)


def test_score_test_errors():
    X, Z, y = _random_problem(0)
    restricted = _fit(X, y)
    with pytest.raises(ValueError, match="L2 penalty"):
        score_test(_fit(X, y, alpha=0.5), Z, y, X=X)
    with pytest.raises(ValueError, match="bias_reduction='firth'"):
        score_test(_fit(X, y, bias_reduction="firth"), Z, y, X=X)
    with pytest.raises(ValueError, match="X has 2 features"):
        score_test(restricted, Z, y, X=X[:, :2])
    with pytest.raises(ValueError, match="X_extra has 299 rows"):
        score_test(restricted, Z[:-1], y, X=X)
    with pytest.raises(ValueError, match="singular"):
        score_test(restricted, X[:, :1] * 3.0, y, X=X)
    with pytest.raises(ValueError, match="information must be one of"):
        score_test(restricted, Z, y, X=X, information="hessian")
    with pytest.raises(ValueError, match="not seen in fit"):
        score_test(restricted, Z, np.where(y == 1, 2.0, 0.0), X=X)
    with pytest.raises(ValueError, match="0 feature"):
        score_test(restricted, np.empty((len(y), 0)), y, X=X)
    with pytest.raises(ValueError, match="block_size must be a positive integer"):
        score_screen(restricted, Z, y, X=X, block_size=0)
    three = np.digitize(Z[:, 0], [-0.5, 0.5])
    with pytest.raises(ValueError, match="multinomial"):
        score_test(_fit(X, three), Z, three, X=X)


def test_score_test_refuses_a_restricted_fit_without_a_maximum():
    # At max_iter=1 the restricted parameters' own score is not zero and
    # entered the statistic; under separation the null model has no estimate.
    X, Z, y = _random_problem(0)
    with pytest.warns(ConvergenceWarning):
        early = _fit(X, y, max_iter=1)
    for test in (score_test, score_screen):
        with pytest.raises(ValueError, match="restricted did not converge.*larger max_iter"):
            test(early, Z, y, X=X)
    separating = (X[:, :1] > 0).astype(float)
    with pytest.warns(PerfectSeparationWarning):
        separated = _fit(separating, separating[:, 0])
    with pytest.raises(ValueError, match="restricted has no maximum-likelihood estimate"):
        score_test(separated, Z, separating[:, 0], X=separating)


# Generalised linear models beyond the logistic ---------------------------------
def _glm_case(family, link, seed=0, n=400):
    rng = np.random.default_rng(seed)
    X, Z = rng.normal(size=(n, 2)), rng.normal(size=(n, 2))
    mu = np.exp(0.5 + X @ [0.3, -0.2] + Z @ [0.05, 0.0])
    y = {
        "poisson": lambda: rng.poisson(mu).astype(float),
        "gamma": lambda: rng.gamma(3.0, mu / 3.0),
        "gaussian": lambda: mu + rng.normal(size=n),
        "inverse_gaussian": lambda: rng.wald(mu, 5.0),
    }[family]()
    links = sm.families.links
    sm_link = {"log": links.Log(), "sqrt": links.Sqrt(), "identity": links.Identity()}.get(link)
    sm_family = {
        "poisson": sm.families.Poisson,
        "gamma": sm.families.Gamma,
        "gaussian": sm.families.Gaussian,
        "inverse_gaussian": sm.families.InverseGaussian,
    }[family]
    sm_family = sm_family() if sm_link is None else sm_family(sm_link)
    return X, Z, y, sm_family


GLM_CASES = [
    ("poisson", "log"),
    ("poisson", "sqrt"),
    ("gamma", "log"),
    ("gamma", "inverse"),
    ("gaussian", "identity"),
    ("gaussian", "log"),
    ("inverse_gaussian", "log"),
]


@pytest.mark.parametrize(("family", "link"), GLM_CASES)
@pytest.mark.parametrize("information", ["expected", "observed"])
def test_glm_families_match_statsmodels(family, link, information):
    # Families with a dispersion use the restricted fit's Pearson φ̂, as
    # statsmodels' GLMResults.score_test does.
    X, Z, y, sm_family = _glm_case(family, link)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' DomainWarning for Poisson sqrt
        reference = sm.GLM(y, sm.add_constant(X), family=sm_family).fit(tol=1e-13)
        expected = reference.score_test(
            exog_extra=Z, observed=information == "observed"
        ).statistic[0]
    restricted = FisherGLMRegressor(family=family, link=link, tol=1e-10).fit(X, y)
    ours = score_test(restricted, Z, y, X=X, information=information)
    assert_allclose(ours.statistic, expected, rtol=SCORE_RTOL)


def test_glm_offset_is_used():
    X, Z, y, _ = _glm_case("poisson", "log", seed=3)
    offset = np.log(np.random.default_rng(0).uniform(0.5, 2.0, size=len(y)))
    restricted = FisherGLMRegressor(tol=1e-10).fit(X, y, offset=offset)
    reference = sm.GLM(y, sm.add_constant(X), family=sm.families.Poisson(), offset=offset).fit(
        tol=1e-13
    )
    ours = score_test(restricted, Z, y, X=X, offset=offset)
    assert_allclose(ours.statistic, reference.score_test(exog_extra=Z).statistic[0], rtol=1e-5)
