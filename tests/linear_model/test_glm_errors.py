"""Bad input to FisherGLMRegressor: each case a ValueError (or warning) naming the problem."""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skfisher import FisherGammaRegressor, FisherGLMRegressor, FisherPoissonRegressor
from skfisher.exceptions import CovarianceWarning, DispersionWarning
from skfisher.families import NegativeBinomial, Tweedie

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 2))
COUNTS = RNG.poisson(2.0, size=40).astype(float)
POSITIVE = RNG.gamma(2.0, 1.0, size=40)
PROPORTIONS = RNG.uniform(size=40)


@pytest.mark.parametrize(
    "estimator, y, bad, match",
    [
        (
            FisherGLMRegressor("poisson"),
            COUNTS,
            -1.0,
            r"The poisson family requires y in \[0, inf\).*-1\.0",
        ),
        (
            FisherPoissonRegressor(),
            COUNTS,
            -3.0,
            r"The poisson family requires y in \[0, inf\).*-3\.0",
        ),
        (
            FisherGLMRegressor("negative_binomial"),
            COUNTS,
            -2.0,
            r"negative_binomial family .*-2\.0",
        ),
        (
            FisherGLMRegressor("gamma"),
            POSITIVE,
            0.0,
            r"The gamma family requires y in \(0, inf\).*0\.0",
        ),
        (
            FisherGammaRegressor(),
            POSITIVE,
            -1.5,
            r"The gamma family requires y in \(0, inf\).*-1\.5",
        ),
        (FisherGLMRegressor("inverse_gaussian"), POSITIVE, 0.0, r"inverse_gaussian family .*0\.0"),
        (
            FisherGLMRegressor("tweedie"),
            POSITIVE,
            -0.1,
            r"tweedie family requires y in \[0, inf\)",
        ),
        (
            FisherGLMRegressor("binomial"),
            PROPORTIONS,
            1.5,
            r"The binomial family requires y in \[0, 1\].*1\.5",
        ),
        (
            FisherGLMRegressor("binomial"),
            PROPORTIONS,
            -0.5,
            r"binomial family requires y in \[0, 1\].*-0\.5",
        ),
    ],
)
def test_response_outside_the_support(estimator, y, bad, match):
    y = y.copy()
    y[7] = bad
    with pytest.raises(ValueError, match=match):
        estimator.fit(X, y)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_offset(value):
    offset = np.zeros(len(COUNTS))
    offset[3] = value
    with pytest.raises(ValueError, match="offset contains NaN or infinity"):
        FisherGLMRegressor().fit(X, COUNTS, offset=offset)
    model = FisherGLMRegressor().fit(X, COUNTS)
    with pytest.raises(ValueError, match="offset contains NaN or infinity"):
        model.predict(X, offset=offset)


def test_offset_of_the_wrong_length():
    with pytest.raises(ValueError, match="offset has 39 entries but X has 40 rows"):
        FisherGLMRegressor().fit(X, COUNTS, offset=np.zeros(39))


@pytest.mark.parametrize(
    "family, link, allowed",
    [
        ("poisson", "logit", r"\['log', 'identity', 'sqrt'\]"),
        ("gamma", "probit", r"\['inverse', 'log', 'identity'\]"),
        ("binomial", "identity", r"\['logit', 'probit', 'cloglog', 'log'\]"),
        ("inverse_gaussian", "sqrt", r"\['inverse_squared', 'log', 'inverse', 'identity'\]"),
        ("negative_binomial", "identity", r"\['log'\]"),
        ("tweedie", "inverse", r"\['log', 'identity'\]"),
        ("gaussian", "cloglog", r"\['identity', 'log', 'inverse'\]"),
    ],
)
def test_undefined_family_link_pair_lists_the_allowed_links(family, link, allowed):
    with pytest.raises(
        ValueError, match=rf"{link!r} is not defined for the {family} family.*{allowed}"
    ):
        FisherGLMRegressor(family, link).fit(X, POSITIVE)


def test_unknown_family_or_link_name():
    with pytest.raises(ValueError, match="'family' parameter of FisherGLMRegressor must be"):
        FisherGLMRegressor("cauchy").fit(X, POSITIVE)
    with pytest.raises(ValueError, match="'link' parameter of FisherGLMRegressor must be"):
        FisherGLMRegressor("gamma", "cauchit").fit(X, POSITIVE)


def test_family_constants_are_checked():
    with pytest.raises(ValueError, match="alpha parameter of NegativeBinomial must be a positive"):
        NegativeBinomial(alpha=-0.5)
    with pytest.raises(ValueError, match="power parameter of Tweedie must be 0 .* or at least 1"):
        Tweedie(power=0.5)


def test_no_valid_starting_values():
    # The log link needs a positive mean; every response here is negative.
    with pytest.raises(
        ValueError, match="No valid starting values for the gaussian family with the log"
    ):
        FisherGLMRegressor("gaussian", "log").fit(X, -POSITIVE)


def test_dispersion_without_residual_degrees_of_freedom_warns_and_gives_nan():
    with pytest.warns(
        DispersionWarning, match=r"dispersion of the gamma family cannot be estimated.*n_samples=3"
    ):
        model = FisherGLMRegressor("gamma", "log").fit(X[:3], POSITIVE[:3])
    assert np.isnan(model.dispersion_) and np.isnan(model.loglik_)
    assert np.all(np.isnan(model.standard_errors_))
    assert np.all(np.isfinite(model.params_))


def test_predict_and_score_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        FisherGLMRegressor().predict(X)


def test_score_checks_the_response():
    model = FisherGLMRegressor("gamma").fit(X, POSITIVE)
    with pytest.raises(ValueError, match=r"The gamma family requires y in \(0, inf\)"):
        model.score(X, -POSITIVE)


def test_negative_sample_weight():
    w = np.ones(len(COUNTS))
    w[0] = -1.0
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        FisherGLMRegressor().fit(X, COUNTS, sample_weight=w)


def test_no_valid_starting_values_with_the_default_link_names_no_other_link():
    # The log link is the Poisson's default: the remedy is the data, not a
    # link. No intercept keeps e^η finite for both offsets 0 and 1e6.
    offset = np.where(np.arange(len(COUNTS)) % 2, 1e6, 0.0)
    with pytest.raises(ValueError, match=r"No valid starting values.*Check the response") as info:
        FisherGLMRegressor("poisson").fit(X, COUNTS, offset=offset)
    assert str(info.value).endswith("Check the response and offset.")


def test_an_indefinite_observed_information_warns_with_its_own_class():
    # Held at a point far from the maximum (max_iter=0 from a warm start), the
    # observed information of the Gaussian-log likelihood is negative definite.
    rng = np.random.default_rng(0)
    X1 = rng.normal(size=(50, 1))
    y = np.exp(1 + X1[:, 0]) + 0.1 * rng.normal(size=50)
    model = FisherGLMRegressor("gaussian", "log", cov_type="observed", warm_start=True, max_iter=0)
    model.params_ = np.array([-1.0, 0.0])
    with pytest.warns(CovarianceWarning, match="not positive semi-definite") as record:
        with pytest.warns(ConvergenceWarning):
            model.fit(X1, y)
    assert np.all(np.linalg.eigvalsh(model.observed_information_) < 0)
    assert [r.filename for r in record if r.category is CovarianceWarning] == [__file__]
