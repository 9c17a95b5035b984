"""Cluster-robust covariance (``cov_type="cluster"``) against statsmodels."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy.special import expit

from skfisher import FisherGLMRegressor, FisherLogisticRegression
from skfisher.distributions import MLEDistribution

# Both sides sandwich the same per-cluster score sums between the same
# Hessian at estimates that agree to ~1e-9; 1e-6 is the tolerance asked for
# and leaves orders of magnitude.
SE_RTOL = 1e-6


def _anes96():
    data = sm.datasets.anes96.load_pandas().data
    columns = ["logpopul", "TVnews", "selfLR", "ClinLR", "DoleLR", "PID", "age", "educ"]
    return data[columns], data["vote"], data["income"].to_numpy()


def _clustered_problem(seed, n=400, n_groups=30):
    """Binary data with a shared cluster effect, so clustering matters."""
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, n_groups, size=n)
    effect = rng.normal(size=n_groups)[groups]
    X = rng.normal(size=(n, 3)) + 0.5 * effect[:, None]
    y = (rng.random(n) < expit(0.3 + X @ [0.8, -0.5, 0.2] + effect)).astype(float)
    return X, y, groups


def _cluster_fit(X, y, groups, sample_weight=None, **params):
    model = FisherLogisticRegression(cov_type="cluster", tol=1e-10, **params)
    return model.fit(X, y, sample_weight=sample_weight, groups=groups)


def test_anes96_matches_logit_and_glm():
    X, y, groups = _anes96()
    ours = _cluster_fit(X, y, groups)
    exog = sm.add_constant(X)
    kwds = {"groups": groups.astype(int)}
    logit = sm.Logit(y, exog).fit(disp=0, cov_type="cluster", cov_kwds=kwds)
    glm = sm.GLM(y, exog, family=sm.families.Binomial()).fit(cov_type="cluster", cov_kwds=kwds)
    assert_allclose(ours.standard_errors_, logit.bse, rtol=SE_RTOL)
    assert_allclose(ours.standard_errors_, glm.bse, rtol=SE_RTOL)
    assert_allclose(ours.covariance_, logit.cov_params(), rtol=SE_RTOL, atol=1e-12)
    assert ours.n_groups_ == len(np.unique(groups))


@pytest.mark.parametrize("seed", range(4))
def test_random_problems_match_logit(seed):
    X, y, groups = _clustered_problem(seed)
    labels = np.array([f"g{g}" for g in groups])  # string labels work as well
    ours = _cluster_fit(X, y, labels)
    reference = sm.Logit(y, sm.add_constant(X)).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": groups}
    )
    assert_allclose(ours.standard_errors_, reference.bse, rtol=SE_RTOL)


def test_without_intercept_and_sparse():
    X, y, groups = _clustered_problem(7)
    ours = _cluster_fit(X, y, groups, fit_intercept=False)
    reference = sm.Logit(y, X).fit(disp=0, cov_type="cluster", cov_kwds={"groups": groups})
    assert_allclose(ours.standard_errors_, reference.bse, rtol=SE_RTOL)
    sparse = _cluster_fit(sp.csr_matrix(X), y, groups, fit_intercept=False)
    assert_allclose(sparse.standard_errors_, ours.standard_errors_, rtol=1e-10)


def test_singleton_clusters_scale_the_sandwich():
    # With one row per cluster C = F and the correction is n/(n − k).
    X, y, _ = _clustered_problem(3, n=150)
    n, k = X.shape[0], X.shape[1] + 1
    clustered = _cluster_fit(X, y, np.arange(n))
    sandwich = FisherLogisticRegression(cov_type="sandwich", tol=1e-10).fit(X, y)
    assert_allclose(clustered.cluster_fisher_, sandwich.empirical_fisher_, rtol=1e-10)
    assert_allclose(clustered.covariance_, sandwich.covariance_ * n / (n - k), rtol=1e-10)


def test_frequency_weights_are_repeated_rows():
    # A weight of 2 is a repeated row in the same cluster, and the correction
    # counts N = Σw, as statsmodels does on the expanded data.
    X, y, groups = _clustered_problem(11, n=200)
    weight = np.random.default_rng(0).integers(1, 4, size=len(y)).astype(float)
    weighted = _cluster_fit(X, y, groups, sample_weight=weight)
    rows = np.repeat(np.arange(len(y)), weight.astype(int))
    expanded = _cluster_fit(X[rows], y[rows], groups[rows])
    assert_allclose(weighted.standard_errors_, expanded.standard_errors_, rtol=1e-8)
    reference = sm.Logit(y[rows], sm.add_constant(X[rows])).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": groups[rows]}
    )
    assert_allclose(weighted.standard_errors_, reference.bse, rtol=SE_RTOL)


def test_zero_weight_rows_do_not_count_as_clusters():
    X, y, groups = _clustered_problem(5, n=200)
    base = _cluster_fit(X, y, groups)
    X2, y2 = np.vstack([X, X[:3]]), np.concatenate([y, 1 - y[:3]])
    groups2 = np.concatenate([groups, [1000, 1001, 1002]])
    weight = np.concatenate([np.ones(len(y)), np.zeros(3)])
    padded = _cluster_fit(X2, y2, groups2, sample_weight=weight)
    assert padded.n_groups_ == base.n_groups_
    assert_allclose(padded.standard_errors_, base.standard_errors_, rtol=1e-8)


def test_summary_names_the_clusters():
    X, y, groups = _clustered_problem(2)
    model = _cluster_fit(X, y, groups)
    assert f"cluster (G={model.n_groups_})" in str(model.summary())


GROUP_ERRORS = [
    ("cluster", None, "needs the cluster of every sample"),
    ("sandwich", "same", "used only by cov_type='cluster'"),
    ("cluster", "short", "one label per row"),
    ("cluster", "nan", "missing label"),
    ("cluster", "one", "at least 2 clusters"),
    ("cluster", "mixed", "one comparable type"),
]


@pytest.mark.parametrize(("cov_type", "kind", "match"), GROUP_ERRORS)
def test_bad_groups(cov_type, kind, match):
    X, y, groups = _clustered_problem(0, n=100)
    groups = {
        None: None,
        "same": groups,
        "short": groups[:-1],
        "nan": np.where(np.arange(100) == 3, np.nan, groups.astype(float)),
        "one": np.zeros(100),
        "mixed": np.array([1, "a"] * 50, dtype=object),
    }[kind]
    with pytest.raises(ValueError, match=match):
        FisherLogisticRegression(cov_type=cov_type).fit(X, y, groups=groups)


# Other estimators -------------------------------------------------------------
@pytest.mark.parametrize(
    ("family", "link"), [("poisson", "log"), ("poisson", "sqrt"), ("gamma", "log")]
)
def test_glm_matches_statsmodels(family, link):
    rng = np.random.default_rng(8)
    n, n_groups = 500, 40
    groups = rng.integers(0, n_groups, size=n)
    X = rng.normal(size=(n, 2))
    mu = np.exp(0.4 + X @ [0.3, -0.2] + 0.3 * rng.normal(size=n_groups)[groups])
    y = rng.poisson(mu).astype(float) if family == "poisson" else rng.gamma(2.0, mu / 2.0)
    ours = FisherGLMRegressor(family=family, link=link, cov_type="cluster", tol=1e-10).fit(
        X, y, groups=groups
    )
    links = sm.families.links
    sm_family = (sm.families.Poisson if family == "poisson" else sm.families.Gamma)(
        links.Log() if link == "log" else links.Sqrt()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' DomainWarning for Poisson sqrt
        reference = sm.GLM(y, sm.add_constant(X), family=sm_family).fit(
            tol=1e-13, cov_type="cluster", cov_kwds={"groups": groups}
        )
    assert_allclose(ours.standard_errors_, reference.bse, rtol=SE_RTOL)


def test_multinomial_matches_mnlogit():
    rng = np.random.default_rng(9)
    n = 400
    groups = rng.integers(0, 30, size=n)
    X = rng.normal(size=(n, 2))
    logits = np.column_stack([np.zeros(n), X @ [0.8, -0.3], X @ [-0.4, 0.6] + 0.2])
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(3, p=p) for p in probabilities])
    ours = _cluster_fit(X, y, groups)
    reference = sm.MNLogit(y, sm.add_constant(X)).fit(
        method="newton", disp=0, cov_type="cluster", cov_kwds={"groups": groups}
    )
    expected = np.asarray(reference.bse).ravel(order="F")  # class-major, as params_
    assert_allclose(ours.standard_errors_, expected, rtol=SE_RTOL)


def test_estimator_without_groups_refuses_cluster():
    y = np.random.default_rng(0).normal(size=100)
    with pytest.raises(ValueError, match="its fit takes no groups"):
        MLEDistribution("normal", cov_type="cluster").fit(y)
