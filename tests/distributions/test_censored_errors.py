"""Censored samples that MLEDistribution refuses: each with a ValueError that says why."""

import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.exceptions import ConvergenceWarning

from skfisher import MLEDistribution
from skfisher.distributions._censored_problem import CensoredProblem

CD = stats.CensoredData


def _mutated(**arrays):
    """A valid CensoredData whose arrays are then replaced (CensoredData itself checks them)."""
    data = CD([1.0, 2.0, 3.0], right=[2.5])
    for name, values in arrays.items():
        setattr(data, f"_{name}", np.asarray(values, dtype=float))
    return data


def _fit(family, data, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy RuntimeWarning, no other warning
        return MLEDistribution(family, **kwargs).fit(data)


def test_scipy_refuses_what_is_checked_again_here():
    with pytest.raises(ValueError, match="must not contain nan"):
        CD([1.0, np.nan])
    with pytest.raises(ValueError, match="left value must not exceed the right"):
        CD(interval=[[3.0, 2.0]])


CASES = {
    "discrete family": ("poisson", CD([1.0, 2.0, 3.0], right=[2.0]), "continuous families only"),
    "discrete scipy": (stats.poisson, CD([1.0, 2.0], right=[2.0]), "continuous families only"),
    "von mises": ("von_mises", CD([1.0, 2.0, 3.0], right=[2.0]), "angles on a circle"),
    "nan": ("normal", _mutated(uncensored=[1.0, np.nan, 2.0]), "1 NaN among its uncensored"),
    "nan interval": ("normal", _mutated(interval=[[np.nan, 1.0]]), "NaN among its interval"),
    "infinite": ("normal", _mutated(right=[np.inf]), "infinite right-censored value"),
    "infinite end": ("normal", _mutated(interval=[[1.0, np.inf]]), "infinite interval"),
    "reversed interval": (
        "normal",
        _mutated(interval=[[1.0, 2.0], [3.0, 2.0]]),
        r"1 interval\(s\) whose lower end exceeds the upper one, the first being \[3.0, 2.0\]",
    ),
    "uncensored outside": (
        "exponential",
        CD([-1.0, 2.0], right=[1.0]),
        r"requires uncensored values in \[0, inf\); got 1 value\(s\) outside it, the first "
        r"being -1.0",
    ),
    "left at the lower end": (
        "weibull",
        CD([1.0, 2.0], left=[0.0]),
        r"left-censored values in \(0",
    ),
    "right outside": ("gamma", CD([1.0, 2.0], right=[-1.0]), r"right-censored values in \[0, inf"),
    "interval outside": (
        "lognormal",
        CD([1.0, 2.0], interval=[[-1.0, 2.0]]),
        r"interval-censored end values in \[0, inf\]",
    ),
    "right at the upper end": ("beta", CD([0.2, 0.4], right=[1.0]), r"right-censored .* \[0, 1\)"),
    "left beyond the upper end": (
        "beta",
        CD([0.2, 0.4], left=[1.5]),
        r"left-censored .* \(0, 1\]",
    ),
    "empty": ("normal", CD(), "The CensoredData is empty"),
    "nothing informative": (
        "exponential",
        CD(right=[0.0, 0.0]),
        "no uncensored and no informative observation",
    ),
    "only right-censored": ("weibull", CD(right=[1.0, 2.0, 3.0]), "Every observation is right"),
    "only left-censored": ("normal", CD(left=[1.0, 2.0, 3.0]), "Every observation is left"),
    "left and from 0": (
        "lognormal",
        CD(left=[1.0, 2.0], interval=[[0.0, 3.0]]),
        "Every observation is left",
    ),
    "a point every one allows": (
        "normal",
        CD(interval=[[1.0, 3.0], [2.0, 4.0], [0.0, 2.5]]),
        r"allows the values in \(2, 2.5\], and none is uncensored",
    ),
    "constant uncensored that every one allows": (
        "weibull",
        CD([5.0, 5.0], right=[4.0], interval=[[4.0, 6.0]]),
        "All uncensored values equal 5, which every censored observation allows",
    ),
    "too few": ("gamma", CD(interval=[[1.0, 2.0]]), "at least 2 informative observations"),
    "one value": (
        "normal",
        CD(left=[-5.0] * 3, right=[-5.0] * 3, interval=[[-6.0, -4.0]]),
        r"Every observation's value .* is -5: no starting values for \['scale'\]",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused(case):
    family, data, message = CASES[case]
    with pytest.raises(ValueError, match=message):
        _fit(family, data)


def test_outside_a_support_that_moves_with_the_parameters():
    # uniform(0, scale) starts at the largest value, 0.9, where S(0.9) = 0.
    data = CD([0.2, 0.5], right=[0.9])
    with pytest.raises(ValueError, match="not finite at the starting values"):
        _fit(stats.uniform, data, fixed={"loc": 0.0})


def test_sample_weight_must_match_and_be_non_negative():
    data = CD([1.0, 2.0, 3.0], right=[2.0])
    with pytest.raises(ValueError, match=r"sample_weight.shape == \(2,\), expected \(4,\)"):
        MLEDistribution().fit(data, sample_weight=[1.0, 2.0])
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        MLEDistribution().fit(data, sample_weight=[1.0, 1.0, 1.0, -1.0])
    with pytest.raises(ValueError, match="at least one non-zero"):
        MLEDistribution().fit(data, sample_weight=np.zeros(4))


def test_a_row_of_weight_zero_takes_no_part():
    data = CD([-1.0, 2.0, 3.0], right=[2.5])
    with pytest.raises(ValueError, match="lognormal family requires uncensored values"):
        MLEDistribution("lognormal").fit(data, sample_weight=[1.0, 1.0, 1.0, 1.0])
    model = MLEDistribution("lognormal").fit(data, sample_weight=[0.0, 1.0, 1.0, 1.0])
    reference = MLEDistribution("lognormal").fit(CD([2.0, 3.0], right=[2.5]))
    np.testing.assert_array_equal(model.params_, reference.params_)


def test_score_samples_of_censored_data_needs_one_column():
    model = MLEDistribution().fit(np.c_[np.arange(5.0), np.arange(5.0) ** 2])
    with pytest.raises(ValueError, match="CensoredData sample is one column; this fit has 2"):
        model.score_samples(CD([1.0, 2.0]))


def test_not_a_maximum_is_reported(monkeypatch):
    """Where J is not positive definite the loop steps with |J|; J's sign is then reported.

    With J negated everywhere every step is taken with |J|: the fit still
    reaches the maximum, then reports that J there is no maximum's, without
    an error.
    """
    data = CD(stats.weibull_min(2.0).rvs(60, random_state=0), right=[1.5, 2.0, 2.5])
    reference = MLEDistribution("weibull").fit(data)
    observed = CensoredProblem.observed_information
    monkeypatch.setattr(
        CensoredProblem, "observed_information", lambda self, theta: -observed(self, theta)
    )
    with pytest.warns(ConvergenceWarning, match="not positive definite"):
        model = MLEDistribution("weibull", max_iter=500).fit(data)
    assert not model.converged_
    np.testing.assert_allclose(model.params_, reference.params_, rtol=1e-6)
    np.testing.assert_array_equal(model.information_, model.observed_information_)


def test_derivatives_that_are_not_finite_are_reported(monkeypatch):
    monkeypatch.setattr(CensoredProblem, "score", lambda self, theta: np.full(len(theta), np.nan))
    with pytest.raises(ValueError, match="derivatives of the censored weibull log-likelihood"):
        MLEDistribution("weibull").fit(CD([1.0, 2.0, 3.0], right=[2.5]))
