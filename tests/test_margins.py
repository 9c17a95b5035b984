"""Marginal effects: against statsmodels' get_margeff and against numerical derivatives."""

import functools
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import statsmodels.api as sm
from sklearn.datasets import load_wine

from skfisher import FisherGLMRegressor, FisherLogisticRegression, _effects
from skfisher.datasets import load_anes96, load_engel, load_randhie
from skfisher.exceptions import DomainWarning
from skfisher.margins import MarginalEffectsTable

# The acceptance tolerance. Both fits converge to ~1e-10 and statsmodels
# differentiates the effects by complex step (Logit, MNLogit, Poisson, NB) or
# by finite differences (Probit, ~1e-8), against our analytic Jacobian.
RTOL = 1e-5
KINDS = {"average": "overall", "at_mean": "mean"}


def _spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog, data.endog.to_numpy()  # GPA, TUCE (a count), PSI (a dummy)


def _anes():
    X, y = load_anes96(return_X_y=True, as_frame=True)
    return X, y.to_numpy()  # integer columns: counts


def _randhie():
    X, y = load_randhie(return_X_y=True, as_frame=True)
    return X.iloc[:2000], y.to_numpy()[:2000]  # idp, hlthg, hlthf, hlthp: dummies


def _wine_target():
    return load_wine().target


def _wine_with_dummy():
    data = load_wine(as_frame=True)
    X = pd.DataFrame(
        {
            "alcohol": data.data["alcohol"],
            "high_malic": (data.data["malic_acid"] > 2.0).astype(float),
        }
    )
    return X, data.target.to_numpy()


def _quiet_fit(model, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(disp=0, **kwargs)


# name -> (data, our estimator, statsmodels fit). The covariances agree: IRLS
# and Newton coincide for canonical links; Probit and NB2 are fitted by Newton in
# statsmodels, whose covariance is then the inverse observed information.
CASES = {
    "logit_spector": (
        _spector,
        lambda: FisherLogisticRegression(),
        lambda X, y: _quiet_fit(sm.Logit(y, X), method="newton", tol=1e-12),
    ),
    "logit_anes96": (
        _anes,
        lambda: FisherLogisticRegression(),
        lambda X, y: _quiet_fit(sm.Logit(y, X), method="newton", tol=1e-12),
    ),
    "probit_anes96": (
        _anes,
        lambda: FisherGLMRegressor(family="binomial", link="probit", cov_type="observed"),
        lambda X, y: _quiet_fit(sm.Probit(y, X), method="newton", tol=1e-12),
    ),
    "poisson_randhie": (
        _randhie,
        lambda: FisherGLMRegressor(family="poisson"),
        lambda X, y: _quiet_fit(sm.Poisson(y, X), method="newton", tol=1e-12),
    ),
    "negbin_randhie": (
        _randhie,
        lambda: FisherGLMRegressor(family="negative_binomial", cov_type="observed"),
        lambda X, y: _quiet_fit(
            sm.NegativeBinomial(y, X), method="newton", tol=1e-12, maxiter=100
        ),
    ),
    # Three classes and three columns of exog (constant, alcohol, a dummy):
    # statsmodels' MNLogit dummy Jacobian repeats each class's exp(η) J times
    # where it needs K (the number of columns), so it runs only when K = J.
    "mnlogit_wine": (
        _wine_with_dummy,
        lambda: FisherLogisticRegression(),
        lambda X, y: _quiet_fit(sm.MNLogit(y, X), method="newton", tol=1e-12),
    ),
}


@functools.cache
def _fitted(case):
    load, ours, theirs = CASES[case]
    X, y = load()
    return X, ours().fit(X, y), theirs(sm.add_constant(X.to_numpy()), y)


# The wine data have no count column, so the multinomial runs without count=True.
SETTINGS = [
    (case, dummy, count)
    for case in CASES
    for dummy, count in [(False, False), (True, False), (False, True)]
    if not (case == "mnlogit_wine" and count)
]


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("case,dummy,count", SETTINGS)
def test_matches_statsmodels_get_margeff(case, kind, dummy, count):
    X, model, result = _fitted(case)
    reference = result.get_margeff(at=KINDS[kind], dummy=dummy, count=count)
    table = model.marginal_effects(X, kind, dummy=dummy, count=count)
    # statsmodels' multinomial arrays are (features, classes); ours class-major.
    expected_effects = reference.margeff.ravel("F")
    expected_se = reference.margeff_se.ravel("F")
    np.testing.assert_allclose(table.effects, expected_effects, rtol=RTOL)
    np.testing.assert_allclose(table.standard_errors, expected_se, rtol=RTOL)
    frame = reference.summary_frame()
    np.testing.assert_allclose(table.to_frame().iloc[:, 4:], frame.iloc[:, 4:], rtol=RTOL)
    discrete = reference.dummy_idx if dummy else reference.count_idx
    expected_discrete = [] if discrete is None else [X.columns[j - 1] for j in discrete]
    assert table.discrete == expected_discrete


def test_robust_covariance_gives_robust_standard_errors():
    X, y = _spector()
    model = FisherLogisticRegression(cov_type="sandwich").fit(X, y)
    result = _quiet_fit(sm.Logit(y, sm.add_constant(X.to_numpy())), tol=1e-12, cov_type="HC0")
    for kind, at in KINDS.items():
        reference = result.get_margeff(at=at, dummy=True)
        table = model.marginal_effects(X, kind, dummy=True)
        np.testing.assert_allclose(table.standard_errors, reference.margeff_se, rtol=RTOL)


# --- Against numerical derivatives: models statsmodels' get_margeff does not cover ---------


def _numerical_table(mean, theta, covariance, X, kind, discrete, weights=None):
    """Effects by complex step in x (dummies by differences), Jacobian by central differences."""
    X = np.asarray(X, dtype=float)
    weights = np.ones(len(X)) if weights is None else np.asarray(weights, dtype=float)
    if kind == "at_mean":
        X, weights = (weights @ X / weights.sum())[None, :], np.ones(1)

    def effects(t):
        out = []
        for m in range(X.shape[1]):
            if m in discrete:
                one, zero = X.copy(), X.copy()
                one[:, m], zero[:, m] = 1.0, 0.0
                change = mean(t, one) - mean(t, zero)
            else:
                shifted = X.astype(complex)
                shifted[:, m] += 1e-30j
                change = mean(t, shifted).imag / 1e-30
            out.append(weights @ change / weights.sum())
        return np.column_stack(out).ravel()  # (outputs, features) class-major

    # Steps relative to each parameter: the gamma-inverse η is ~2e-3, where an
    # absolute step of 1e-6 would leave a 0.2% truncation error.
    steps = 1e-5 * np.abs(theta) + 1e-12
    jacobian = np.column_stack(
        [
            (effects(theta + h * e) - effects(theta - h * e)) / (2 * h)
            for h, e in zip(steps, np.eye(theta.size), strict=True)
        ]
    )
    values = effects(theta)
    return values, np.sqrt(np.diag(jacobian @ covariance @ jacobian.T))


def _softmax_mean(K, k):
    def mean(t, X):
        eta = np.column_stack([np.zeros(len(X)), X @ t.reshape(K - 1, k)[:, 1:].T])
        eta = eta + np.concatenate([[0.0], t.reshape(K - 1, k)[:, 0]])
        p = np.exp(eta)
        return p / p.sum(axis=1, keepdims=True)

    return mean


@pytest.mark.parametrize("kind", list(KINDS))
def test_multinomial_with_more_columns_than_classes(kind):
    data = load_wine(as_frame=True)
    X = data.data[["alcohol", "malic_acid", "ash"]].copy()
    X["high_color"] = (data.data["color_intensity"] > 5).astype(float)
    y = data.target.to_numpy()
    model = FisherLogisticRegression(cov_type="sandwich").fit(X, y)
    mean = _softmax_mean(3, 5)
    for dummy in (False, True):
        table = model.marginal_effects(X, kind, dummy=dummy)
        discrete = {3} if dummy else set()
        values, se = _numerical_table(mean, model.params_, model.covariance_, X, kind, discrete)
        np.testing.assert_allclose(table.effects, values, rtol=1e-9)
        # Central differences of exact effects: error ~1e-9 relative.
        np.testing.assert_allclose(table.standard_errors, se, rtol=1e-6)
    # The K x p table: effects sum to zero over the classes (probabilities sum to 1).
    np.testing.assert_allclose(table.effects.reshape(3, 4).sum(axis=0), 0.0, atol=1e-15)
    # Without dummy handling, the multinomial effects match statsmodels too.
    result = _quiet_fit(sm.MNLogit(y, sm.add_constant(X.to_numpy())), tol=1e-12)
    reference = result.get_margeff(at=KINDS[kind])
    fisher = FisherLogisticRegression().fit(X, y).marginal_effects(X, kind)
    np.testing.assert_allclose(fisher.effects, reference.margeff.ravel("F"), rtol=RTOL)
    np.testing.assert_allclose(fisher.standard_errors, reference.margeff_se.ravel("F"), rtol=RTOL)


@pytest.mark.parametrize("link", ["log", "inverse", "identity"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_gamma_regression_by_the_link_derivative(kind, link):
    X, y = load_engel(return_X_y=True, as_frame=True)
    rng = np.random.default_rng(0)
    X = X.assign(income=X["income"] / 1000, urban=rng.integers(0, 2, len(X)).astype(float))
    model = FisherGLMRegressor(family="gamma", link=link).fit(X, y.to_numpy())
    inverse = {"log": np.exp, "inverse": lambda eta: 1 / eta, "identity": lambda eta: eta}[link]

    def mean(t, rows):
        return inverse(t[0] + rows @ t[1:])[:, None]

    for dummy in (False, True):
        table = model.marginal_effects(X, kind, dummy=dummy)
        discrete = {1} if dummy else set()
        values, se = _numerical_table(mean, model.params_, model.covariance_, X, kind, discrete)
        np.testing.assert_allclose(table.effects, values, rtol=1e-9)
        np.testing.assert_allclose(table.standard_errors, se, rtol=1e-6)


def test_frequency_weights_are_repeated_rows():
    X, y = _spector()
    model = FisherLogisticRegression().fit(X, y)
    weights = np.arange(len(X)) % 3
    repeated = X.loc[X.index.repeat(weights)]
    for kind in KINDS:
        weighted = model.marginal_effects(X, kind, dummy=True, sample_weight=weights)
        expanded = model.marginal_effects(repeated, kind, dummy=True)
        np.testing.assert_allclose(weighted.effects, expanded.effects, rtol=1e-12)
        np.testing.assert_allclose(weighted.covariance, expanded.covariance, rtol=1e-10)


def test_offset_shifts_the_linear_predictor():
    X, y = _randhie()
    model = FisherGLMRegressor(family="poisson").fit(X, y)
    shifted = FisherGLMRegressor(family="poisson").fit(X, y)
    shifted.intercept_ += 0.3
    shifted.params_ = shifted.params_ + np.r_[0.3, np.zeros(X.shape[1])]
    offset = np.full(len(X), 0.3)
    for kind in KINDS:
        with_offset = model.marginal_effects(X, kind, dummy=True, offset=offset)
        moved = shifted.marginal_effects(X, kind, dummy=True)
        np.testing.assert_allclose(with_offset.effects, moved.effects, rtol=1e-12)
        np.testing.assert_allclose(with_offset.standard_errors, moved.standard_errors, rtol=1e-12)


def test_sparse_and_chunked_input_give_the_same_table(monkeypatch):
    X, y = _randhie()
    model = FisherGLMRegressor(family="poisson").fit(X.to_numpy(), y)
    dense = model.marginal_effects(X.to_numpy(), dummy=True, count=True)
    monkeypatch.setattr(_effects, "_CHUNK_BYTES", 8 * 9 * 37)  # 37-row chunks
    chunked = model.marginal_effects(X.to_numpy(), dummy=True, count=True)
    sparse = model.marginal_effects(sp.csr_matrix(X.to_numpy()), dummy=True, count=True)
    for table in (chunked, sparse):
        np.testing.assert_allclose(table.effects, dense.effects, rtol=1e-12)
        np.testing.assert_allclose(table.covariance, dense.covariance, rtol=1e-10)
        assert table.discrete == dense.discrete


def test_table_prints_and_converts():
    X, model, _ = _fitted("logit_spector")
    table = model.marginal_effects(X, "at_mean", dummy=True)
    assert isinstance(table, MarginalEffectsTable)
    text = str(table)
    assert "dy/dx" in text and "at the mean of X" in text and "P(y = 1.0)" in text
    assert "Discrete change:" in text and "PSI" in text
    frame = table.to_frame()
    assert list(frame.index) == ["GPA", "TUCE", "PSI"]
    assert list(frame.columns) == ["dy/dx", "std err", "z", "P>|z|", "[0.025", "0.975]"]
    np.testing.assert_allclose(frame["z"], table.effects / table.standard_errors)
    assert table.jacobian.shape == (3, 4) and table.covariance.shape == (3, 3)

    X, model, _ = _fitted("mnlogit_wine")
    table = model.marginal_effects(X, alpha=0.1)
    assert table.names[:3] == ["0:alcohol", "0:high_malic", "1:alcohol"]
    text = str(table)
    for label in (0, 1, 2):
        assert f"P(y = {label})" in text
    assert "[0.05" in text and "0:alcohol" not in text  # grouped: the prefix is a heading
    # A label with a colon keeps the feature names intact.
    labelled = FisherLogisticRegression().fit(X, np.array(["a:1", "b", "c"])[_wine_target()])
    text = str(labelled.marginal_effects(X))
    assert "P(y = 'a:1')" in text and "  alcohol" in text and "1:alcohol" not in text


def test_errors():
    X, model, _ = _fitted("logit_spector")
    with pytest.raises(ValueError, match="does not keep its training data"):
        model.marginal_effects()
    with pytest.raises(ValueError, match="kind must be one of"):
        model.marginal_effects(X, kind="overall")
    with pytest.raises(ValueError, match="alpha must be a number in"):
        model.marginal_effects(X, alpha=1.0)
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        model.marginal_effects(X, sample_weight=-np.ones(len(X)))
    with pytest.raises(ValueError, match="at least one non-zero"):
        model.marginal_effects(X, sample_weight=np.zeros(len(X)))
    with pytest.raises(ValueError, match="offset has 2 entries"):
        model.marginal_effects(X, offset=[0.0, 1.0])
    with pytest.raises(ValueError, match="feature names should match"):
        model.marginal_effects(X.iloc[:, :2])
    with pytest.raises(ValueError, match="0 sample"):
        model.marginal_effects(X.iloc[:0])
    X, model, _ = _fitted("mnlogit_wine")
    with pytest.raises(ValueError, match="offset is not used by the multinomial logit"):
        model.marginal_effects(X, offset=np.zeros(len(X)))


# --- Overflow, poles and means outside the domain ------------------------------------------


def _poisson():
    rng = np.random.default_rng(5)
    X = np.column_stack([rng.normal(size=300), rng.integers(0, 2, 300)]).astype(float)
    y = rng.poisson(np.exp(0.2 + X @ [0.5, -0.4]))
    return X, FisherGLMRegressor(family="poisson").fit(X, y)


def test_overflowing_rows_are_refused_by_position_without_runtime_warnings():
    X, model = _poisson()
    far = np.vstack([X[:3], [[20000.0, 0.0]], X[3:5], [[16000.0, 1.0]]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=r"not finite at 2 of 7 rows \(positions \[3, 6\]\)"):
            model.marginal_effects(far)
        with pytest.raises(ValueError, match="at the mean row of X"):
            model.marginal_effects(far, "at_mean")
        # Weight 0 leaves a row out, as the message suggests: the effects are
        # then those of the other rows (no 0 · inf = nan).
        weights = np.ones(len(far))
        weights[[3, 6]] = 0.0
        kept = model.marginal_effects(far, sample_weight=weights, dummy=True)
    expected = model.marginal_effects(np.delete(far, [3, 6], axis=0), dummy=True)
    np.testing.assert_allclose(kept.effects, expected.effects, rtol=1e-12)
    np.testing.assert_allclose(kept.covariance, expected.covariance, rtol=1e-12)


def test_overflow_in_a_discrete_change_is_refused():
    X, model = _poisson()
    model.params_ = model.params_ + np.array([0.0, 0.0, 800.0])  # x1 = 1 overflows exp
    rows = np.array([[0.0, 0.0], [0.5, 0.0], [0.1, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=r"3 of 3 rows .*a discrete feature changed"):
            model.marginal_effects(rows, dummy=True)


def test_means_outside_the_domain_warn_with_the_rows():
    X, y = load_engel(return_X_y=True, as_frame=True)
    X = X / 1000.0
    model = FisherGLMRegressor(family="gamma").fit(X, y.to_numpy())
    new = pd.concat([X.iloc[:4], pd.DataFrame({"income": [10.0, 12.0]})], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(DomainWarning, match=r"2 of 6 rows \(positions \[4, 5\]\) of X") as w:
            table = model.marginal_effects(new)
    assert w[0].filename == __file__  # the caller's line, not skfisher's
    assert np.isfinite(table.effects).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.marginal_effects(X)  # the training rows are inside the domain


def test_feature_names_name_the_rows_of_the_table():
    X, model = _poisson()
    table = model.marginal_effects(X, dummy=True, feature_names=["age", "treated"])
    assert list(table.to_frame().index) == ["age", "treated"] and table.discrete == ["treated"]
    with pytest.raises(ValueError, match="feature_names has 3 names but FisherGLMRegressor"):
        model.marginal_effects(X, feature_names=["a", "b", "c"])
