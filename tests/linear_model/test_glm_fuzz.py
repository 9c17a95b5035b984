"""FisherGLMRegressor on random problems of every family/link pair.

Each example (see :mod:`._fuzz_strategies`) is fitted with the defaults
(``tol=1e-8``) and ``max_iter=1000``, warnings recorded, and checked for

- the stopping rule: ``converged_`` means the score at θ̂, measured at the
  reported φ̂ (``score_`` and ``information_`` are at φ̂), is below ``tol``
  standard errors, ``sqrt(Uᵀ I⁻¹ U) <= tol``; ``converged_=False`` comes with
  a warning naming the cause;
- agreement with statsmodels wherever statsmodels' own fit is trustworthy
  (its Newton decrement is below 1e-14 and its means are in the domain):
  estimates, the standard errors of every covariance, the log-likelihood and
  the dispersion. Where the likelihood is not concave and the two fits find
  different maxima, ours must be at least as good (a deviance no larger).

A failure is reported with its ``Spec``: ``make_problem(spec)`` rebuilds the
data. The examples are derandomized, so CI runs the same ones every time.
"""

import warnings
from collections import Counter

import hypothesis
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning

from skfisher import FisherGLMRegressor
from skfisher.exceptions import (
    BoundaryWarning,
    CollinearityWarning,
    DispersionWarning,
    DomainWarning,
    PerfectSeparationWarning,
)

from ._fuzz_strategies import (
    DISPERSION,
    NON_CONCAVE,
    PAIRS,
    Spec,
    glm_reference,
    make_problem,
    nb_alpha_reference,
    ours_family,
    specs,
)

TOL = 1e-8
# The reported score is recomputed at φ̂ after the loop stopped on its own
# (φ₀-scaled) copy: the two agree to rounding.
TOL_SLACK = 1e-6
CAUSES = (ConvergenceWarning, PerfectSeparationWarning, CollinearityWarning, BoundaryWarning)
COV_TYPES = ("fisher", "observed", "empirical", "sandwich")
# statsmodels is trusted to a step of 1e-7 standard errors and ours stops
# below 1e-8, so the estimates differ by less than 1e-6 standard errors; the
# standard errors move with the estimates by about as much, relatively.
PARAMS_SE_ATOL = 1e-6
SE_RTOL = 1e-5
LOGLIK_RTOL = 1e-8
DISPERSION_RTOL = 1e-7
# Our deviance against statsmodels' where the two maxima differ.
DEVIANCE_RTOL = 1e-10


def fit_ours(spec, X, y, w, offset, **params):
    """Fit with warnings recorded; a numpy RuntimeWarning stays an error.

    ``max_iter=1000``, except 200 with α estimated, whose every iteration sums
    the series of α's expected information (a fit stuck at α → 0 costs 20 s
    at 1000 iterations).
    """
    params.setdefault("max_iter", 200 if spec.family == "negative_binomial_alpha" else 1000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("error", RuntimeWarning)
        model = FisherGLMRegressor(ours_family(spec.family), spec.link, **params)
        model.fit(X, y, sample_weight=w, offset=offset)
    return model, [record.category for record in caught]


def _inverse(matrix):
    try:
        return np.linalg.inv(matrix)
    except np.linalg.LinAlgError:
        return np.full_like(matrix, np.nan)


def standard_errors(information, observed, empirical):
    """The standard errors of every cov_type from the three matrices (fisher: None skips).

    nan where a matrix is singular or not positive definite (the observed
    information of a non-concave likelihood may be indefinite).
    """
    bread = _inverse(observed)
    covariances = {
        "fisher": None if information is None else _inverse(information),
        "observed": bread,
        "empirical": _inverse(empirical),
        "sandwich": bread @ empirical @ bread,
    }
    with np.errstate(invalid="ignore"):
        return {
            name: np.sqrt(np.diag(cov)) for name, cov in covariances.items() if cov is not None
        }


def ours_standard_errors(model):
    return standard_errors(
        model.information_, model.observed_information_, model.empirical_fisher_
    )


def stopping_rule_problem(spec, model, categories, y, w):
    """Return what is wrong with ``converged_`` (None when nothing is)."""
    if not model.converged_:
        if any(issubclass(category, CAUSES) for category in categories):
            return None
        return f"converged_=False without a warning naming the cause (got {categories})"
    if spec.family in DISPERSION and model.dispersion_ < 1e-20 * np.average(y**2, weights=w):
        return None  # an exact fit stops at the rounding floor of its score
    score, information = model.score_, model.information_
    length = np.sqrt(max(float(score @ np.linalg.solve(information, score)), 0.0))
    if length <= TOL * (1 + TOL_SLACK):
        return None
    return f"converged_ with a score of {length:.3g} standard errors at the reported φ̂"


def scaled_condition(matrix):
    """The condition number of ``matrix`` scaled to a unit diagonal (in absolute value)."""
    root = np.sqrt(np.abs(np.diag(matrix)))
    return float(np.linalg.cond(matrix / np.outer(root, root)))


def _relative(actual, expected):
    """The largest relative difference; 0 where both are nan, inf where one is."""
    both = np.isnan(actual) & np.isnan(expected)
    with np.errstate(invalid="ignore", divide="ignore"):
        difference = np.abs(actual - expected) / np.abs(expected)
    return float(np.max(np.where(both, 0.0, np.nan_to_num(difference, nan=np.inf))))


def disagreement(spec, model, ref):
    """Return how ours and statsmodels' fits differ beyond tolerance (None if they agree)."""
    theirs = standard_errors(ref["information"], ref["observed"], ref["empirical"])
    se = theirs["fisher"] if "fisher" in theirs else theirs["observed"]
    steps = np.abs(model.params_ - ref["params"]) / se
    if np.max(steps) > PARAMS_SE_ATOL:
        if (spec.family, spec.link) in NON_CONCAVE:
            if model.deviance_ <= ref["deviance"] * (1 + DEVIANCE_RTOL):
                return None  # another maximum, and ours is at least as good
            return (
                f"a worse maximum: deviance {model.deviance_!r} against statsmodels' "
                f"{ref['deviance']!r}; params {model.params_} vs {ref['params']}"
            )
        return f"params {model.params_} vs {ref['params']}: {np.max(steps):.3g} SE apart"
    ours = ours_standard_errors(model)
    inverted = {
        "fisher": ref["information"],
        "observed": ref["observed"],
        "empirical": ref["empirical"],
        "sandwich": ref["observed"],
    }
    for cov_type, expected in theirs.items():
        # An inverse is determined to about κ ε of the matrix (κ its condition
        # number after unit-diagonal scaling): no two computations agree
        # closer, and beyond κ ≈ 1e11 ours may call the matrix singular (nan).
        condition = scaled_condition(inverted[cov_type])
        if condition > 1e11:
            continue
        rtol = max(SE_RTOL, 10 * np.finfo(float).eps * condition)
        if _relative(ours[cov_type], expected) > rtol:
            return f"{cov_type} SEs {ours[cov_type]} vs {expected} (condition {condition:.3g})"
    if abs(model.loglik_ - ref["loglik"]) > LOGLIK_RTOL * abs(ref["loglik"]):
        return f"loglik {model.loglik_!r} vs {ref['loglik']!r}"
    if abs(model.dispersion_ - ref["dispersion"]) > DISPERSION_RTOL * ref["dispersion"]:
        return f"dispersion {model.dispersion_!r} vs {ref['dispersion']!r}"
    return None


def mean_at_boundary(spec, model, X, w, offset):
    """Whether a fitted mean is at the boundary of the domain (no interior maximum)."""
    with warnings.catch_warnings():
        # Rows of weight 0 may have means outside the domain (DomainWarning).
        warnings.simplefilter("ignore", DomainWarning)
        mu = model.predict(X, offset=offset)
    mu = mu if w is None else mu[w > 0]
    if spec.family == "binomial":
        return bool(np.min(np.minimum(mu, 1 - mu)) < 1e-10)
    if spec.family == "gaussian" and spec.link != "inverse":
        return False
    # μ → 0 for a positive family, |μ| → ∞ where η → 0 (inverse links).
    mu = np.abs(mu)
    typical = np.median(mu)
    return bool(np.min(mu) < 1e-8 * typical or np.max(mu) > 1e8 * typical)


def check_example(spec, tally):
    """Fit ``spec`` and return the failures found (strings naming the spec)."""
    tally["examples"] += 1
    X, y, w, offset = make_problem(spec)
    try:
        model, categories = fit_ours(spec, X, y, w, offset)
    except ValueError as exc:
        if "No valid starting values" not in str(exc):
            return [f"{spec!r}: fit raised ValueError: {exc}"]
        # R's start and the intercept-only one both leave the domain (1/μ² < 0
        # with an offset): a clear error, and statsmodels fails there too.
        tally["no valid start"] += 1
        return []
    except Exception as exc:  # noqa: BLE001 - every error of a valid problem is reported
        return [f"{spec!r}: fit raised {type(exc).__name__}: {exc}"]
    failures = []
    problem = stopping_rule_problem(spec, model, categories, y, w)
    if problem is not None:
        failures.append(f"{spec!r}: {problem}")
    if spec.family == "negative_binomial_alpha":
        ref = nb_alpha_reference(X, y, w, offset, model.params_)
    else:
        ref = glm_reference(spec, X, y, w, offset, model.params_)
    if ref is None or not np.isfinite(model.dispersion_):
        tally["no reference"] += 1
        return failures
    if not model.converged_:
        if any(issubclass(category, CollinearityWarning) for category in categories):
            tally["collinear"] += 1
            return failures
        failures.append(f"{spec!r}: not converged where statsmodels converged ({categories})")
        return failures
    tally["compared"] += 1
    tally[spec.family, spec.link] += 1
    problem = disagreement(spec, model, ref)
    if problem is not None:
        failures.append(f"{spec!r}: {problem}")
    return failures


def run_fuzz(max_examples, seed=0):
    tally, failures = Counter(), []

    # A fixed seed: CI runs the same examples every time.
    @hypothesis.seed(seed)
    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(specs())
    def example(spec):
        failures.extend(check_example(spec, tally))

    example()
    assert not failures, f"{len(failures)} failure(s):\n" + "\n".join(failures)
    return tally


def test_fuzz_against_statsmodels():
    tally = run_fuzz(300)
    # Most examples are compared, and every pair at least once.
    assert tally["compared"] >= 0.8 * tally["examples"], tally
    assert all(tally[pair] > 0 for pair in PAIRS), tally


# Invariances -------------------------------------------------------------------
PROPERTY_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# Two fits of the same problem, each stopped below 1e-8 standard errors.
INVARIANCE_SE_ATOL = 1e-6
INVARIANCE_RTOL = 1e-7


def clean_fit(spec, X, y, w, offset, **params):
    """The fit, or None when it warned or did not converge (the property is then moot)."""
    model, categories = fit_ours(spec, X, y, w, offset, **params)
    return model if model.converged_ and not categories else None


def assert_same_params(actual, expected, standard_errors):
    difference = np.abs(actual - expected)
    assert np.all(difference <= INVARIANCE_SE_ATOL * standard_errors), (actual, expected)


def assert_close(actual, expected, rtol=INVARIANCE_RTOL, what=""):
    np.testing.assert_allclose(actual, expected, rtol=rtol, err_msg=what)


@PROPERTY_SETTINGS
@given(specs(), st.integers(-16, 16))
def test_scaling_all_weights_changes_only_the_standard_errors(spec, power):
    X, y, w, offset = make_problem(spec)
    w = np.ones(len(y)) if w is None else w
    c = 10.0**power
    k = X.shape[1] + 1 + (spec.family == "negative_binomial_alpha")
    undefined = spec.family in DISPERSION and c * w.sum() <= k
    base = clean_fit(spec, X, y, w, offset)
    assume(base is not None)
    scaled, categories = fit_ours(spec, X, y, c * w, offset)
    # The estimates do not depend on the scale of the weights, even where
    # φ̂ = χ² / (c Σw − k) is undefined (warned, nan).
    assert categories == ([DispersionWarning] if undefined else []), categories
    assert scaled.converged_
    assert_same_params(scaled.params_, base.params_, base.standard_errors_)
    if undefined:
        assert np.isnan(scaled.dispersion_)
        return
    # Frequency weights: I, J and F are totals (∝ c) with φ̂ in them once,
    # once and twice; φ̂ = c χ² / (c Σw − k) for the same χ² of the base fit.
    ratio = 1.0
    if spec.family in DISPERSION:
        chi2 = base.dispersion_ * (w.sum() - k)
        assert_close(scaled.dispersion_, c * chi2 / (c * w.sum() - k), what="dispersion")
        ratio = scaled.dispersion_ / base.dispersion_
    expected_factor = {
        "fisher": np.sqrt(ratio / c),
        "observed": np.sqrt(ratio / c),
        "empirical": ratio / np.sqrt(c),
        "sandwich": 1 / np.sqrt(c),
    }
    ours, theirs = ours_standard_errors(scaled), ours_standard_errors(base)
    for cov_type, factor in expected_factor.items():
        assert_close(ours[cov_type], theirs[cov_type] * factor, what=cov_type)


@PROPERTY_SETTINGS
@given(specs(), st.integers(-200, 200), st.data())
def test_scaling_a_column_scales_its_coefficient_inversely(spec, power, data):
    X, y, w, offset = make_problem(spec)
    j = data.draw(st.integers(0, X.shape[1] - 1))
    base = clean_fit(spec, X, y, w, offset, cov_type="sandwich")
    assume(base is not None)
    c = 10.0**power
    column = j + 1  # after the intercept
    # Representable: the column, its coefficient and its standard error.
    magnitudes = [np.max(np.abs(X[:, j])) * c, base.standard_errors_[column] / c]
    if base.params_[column] != 0:
        magnitudes.append(abs(base.params_[column]) / c)
    assume(all(1e-300 < value < 1e300 for value in magnitudes))
    scaled_X = X.copy()
    scaled_X[:, j] *= c
    expected = base.params_.copy()
    expected[column] /= c
    for cov_type in COV_TYPES:
        reference = (
            base if cov_type == "sandwich" else clean_fit(spec, X, y, w, offset, cov_type=cov_type)
        )
        scaled, categories = fit_ours(spec, scaled_X, y, w, offset, cov_type=cov_type)
        assert scaled.converged_ and not categories, (cov_type, categories)
        se = reference.standard_errors_.copy()
        se[column] /= c
        assert_same_params(scaled.params_, expected, se)
        assert_close(scaled.standard_errors_, se, what=cov_type)
        assert_close(scaled.loglik_, base.loglik_, rtol=1e-10, what="loglik")


@PROPERTY_SETTINGS
@given(specs().filter(lambda spec: spec.weights != "trials"), st.data())
def test_a_weight_of_two_is_a_repeated_row(spec, data):
    X, y, w, offset = make_problem(spec)
    w = np.ones(len(y)) if w is None else w
    i = data.draw(st.sampled_from(np.flatnonzero(w > 0).tolist()))
    doubled = w.copy()
    doubled[i] = 2 * w[i]
    rows = np.append(np.arange(len(y)), i)
    weighted = clean_fit(spec, X, y, doubled, offset)
    assume(weighted is not None)
    repeated, categories = fit_ours(
        spec, X[rows], y[rows], w[rows], None if offset is None else offset[rows]
    )
    assert repeated.converged_ and not categories, categories
    assert_same_params(repeated.params_, weighted.params_, weighted.standard_errors_)
    ours, theirs = ours_standard_errors(repeated), ours_standard_errors(weighted)
    for cov_type in COV_TYPES:
        assert_close(ours[cov_type], theirs[cov_type], what=cov_type)
    for name in ("loglik_", "dispersion_", "deviance_", "nobs_"):
        assert_close(getattr(repeated, name), getattr(weighted, name), what=name)


# Reproducers of what the examples found ----------------------------------------
BOUNDARY_SPECS = [
    # The data are quasi-separated (every row of one level of the feature has
    # y = 1): the cloglog mean reaches 1 at η ≈ 3.6.
    Spec("binomial", "cloglog", 20, 20, 1, "integer", offset=False, outlier=False),
    # Binomial-log: the maximum is at μ = 1 for some rows.
    Spec("binomial", "log", 1, 20, 1, "continuous", offset=False, outlier=False),
    # Poisson-identity: the maximum is at μ = 0 for a row.
    Spec("poisson", "identity", 218, 20, 2, "integer", offset=False, outlier=True),
    # Inverse Gaussian-inverse: the unconstrained maximum of the quadratic in η
    # has η < 0 for a row, so the maximum is at η → 0 (μ → ∞); that row's
    # information dominates, and the score in the directions it leaves
    # numerically singular is no rounding.
    Spec("inverse_gaussian", "inverse", 256, 100, 4, "continuous", offset=False, outlier=False),
]


@pytest.mark.parametrize("spec", BOUNDARY_SPECS, ids=lambda spec: f"{spec.family}-{spec.link}")
def test_a_mean_on_the_boundary_is_not_reported_converged(spec):
    X, y, w, offset = make_problem(spec)
    model, categories = fit_ours(spec, X, y, w, offset)
    assert mean_at_boundary(spec, model, X, w, offset)
    assert stopping_rule_problem(spec, model, categories, y, w) is None


@pytest.mark.parametrize("family, link", [("gamma", "log"), ("inverse_gaussian", "identity")])
def test_weights_too_small_for_a_dispersion_keep_the_estimates(family, link):
    # Σw = 1e-14 < k: φ̂ is undefined, the maximum-likelihood estimate is not.
    spec = Spec(family, link, 7, 100, 2, "none", offset=False, outlier=False)
    X, y, _, offset = make_problem(spec)
    base = clean_fit(spec, X, y, None, offset)
    tiny, categories = fit_ours(spec, X, y, np.full(len(y), 1e-16), offset)
    assert categories == [DispersionWarning]
    assert np.isnan(tiny.dispersion_)
    assert_same_params(tiny.params_, base.params_, base.standard_errors_)


def test_negative_binomial_alpha_with_huge_weights_converges():
    # Σw = 1e16: the estimates are those of unit weights, determined to the
    # score's rounding floor, above tol = 1e-8 standard errors.
    spec = Spec("negative_binomial_alpha", "log", 7, 100, 2, "none", offset=False, outlier=False)
    X, y, _, offset = make_problem(spec)
    base = clean_fit(spec, X, y, None, offset)
    huge, categories = fit_ours(spec, X, y, np.full(len(y), 1e14), offset)
    assert huge.converged_ and not categories, categories
    assert_same_params(huge.params_, base.params_, base.standard_errors_)


def test_cloglog_with_a_mean_that_overflows_fits_without_numpy_warnings():
    # A line-search candidate with η > 709, where e^η overflows.
    spec = Spec("binomial", "cloglog", 20, 20, 4, "continuous", offset=True, outlier=False)
    X, y, w, offset = make_problem(spec)
    model, categories = fit_ours(spec, X, y, w, offset)
    assert stopping_rule_problem(spec, model, categories, y, w) is None
