"""Bad input and boundary estimates: a ValueError (or warning) that names the problem."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skfisher import MLEDistribution
from skfisher.distributions import cramer_rao_bound


@pytest.mark.parametrize(
    "family, x, fixed, message",
    [
        ("gamma", [1.0, -2.0, 3.0], None, r"gamma family requires X in \(0, inf\).*-2\.0"),
        ("lognormal", [1.0, 0.0, 3.0], None, r"lognormal family requires X in \(0, inf\)"),
        ("inverse_gaussian", [1.0, -1.0], None, r"inverse_gaussian family requires X in \(0, inf"),
        ("poisson", [1.0, 2.5, 3.0], None, r"poisson family requires X in integers in \[0, inf\)"),
        ("poisson", [1.0, -1.0, 3.0], None, r"poisson family requires X in integers"),
        ("beta", [0.2, 1.0, 0.5], None, r"beta family requires X in \(0, 1\).*1\.0"),
        ("geometric", [0.0, 1.0, 3.0], None, r"geometric family requires X in integers in \[1"),
        (
            "bernoulli",
            [0.0, 1.0, 2.0],
            None,
            r"bernoulli family requires X in integers in \[0, 1\]",
        ),
        (
            "binomial",
            [0.0, 4.0, 6.0],
            {"n": 5},
            r"binomial family requires X in integers in \[0, 5\]",
        ),
    ],
)
def test_data_outside_the_support(family, x, fixed, message):
    with pytest.raises(ValueError, match=message):
        MLEDistribution(family, fixed=fixed).fit(np.array(x))


# gamma and beta check their support from the sums of log x (and log(1 − x)),
# so they take the other path to the same messages.
@pytest.mark.parametrize("family", ["normal", "gamma", "beta", "poisson"])
@pytest.mark.parametrize("bad, word", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_non_finite_data(family, bad, word):
    with pytest.raises(ValueError, match=f"Input X contains {word}"):
        MLEDistribution(family).fit(np.array([0.25, bad, 0.5]))


def test_fewer_samples_than_parameters():
    with pytest.raises(ValueError, match=r"at least 3 samples.*student_t.*got 2 samples"):
        MLEDistribution("student_t").fit(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="got 1 sample with positive weight"):
        MLEDistribution("gamma").fit(np.array([1.0, 2.0, 3.0]), sample_weight=[0, 1, 0])


def test_unknown_family_lists_the_known_ones():
    with pytest.raises(
        ValueError, match=r"Unknown family 'gama'\. Known families: bernoulli, beta"
    ):
        MLEDistribution("gama").fit(np.ones(3))
    with pytest.raises(ValueError, match="family must be a family name"):
        MLEDistribution(3).fit(np.ones(3))


@pytest.mark.parametrize(
    "family, fixed, message",
    [
        ("normal", {"mu": 0}, r"fixed names \['mu'\].*parameters are \['loc', 'scale'\]"),
        ("normal", {"scale": -1}, r"fixed\['scale'\] must be a number > 0.*-1\.0"),
        ("bernoulli", {"p": 1.5}, r"fixed\['p'\] must be a number in \(0, 1\)"),
        ("normal", {"loc": 0, "scale": 1}, "fixed holds every parameter"),
        ("binomial", None, r"needs the known constant\(s\) \['n'\]"),
        ("binomial", {"n": 2.5}, "n must be a positive integer"),
    ],
)
def test_bad_fixed(family, fixed, message):
    with pytest.raises(ValueError, match=message):
        MLEDistribution(family, fixed=fixed).fit(np.array([0.0, 1.0, 1.0]))


@pytest.mark.parametrize(
    "family, x, fixed, message",
    [
        ("poisson", [0, 0, 0, 0], None, r"poisson mu lies on the boundary.*all counts are 0"),
        ("normal", [2.0, 2.0, 2.0], None, "normal scale.*all observations are equal"),
        ("normal", [2.0, 2.0], {"loc": 2.0}, "normal scale.*all observations are equal"),
        ("gamma", [3.0, 3.0, 3.0], None, "gamma shape.*all observations are equal"),
        ("exponential", [0.0, 0.0], None, "exponential scale.*all observations are 0"),
        ("negative_binomial", [1, 2, 3, 2, 2], None, "variance 0.4 does not exceed the mean 2"),
        ("negative_binomial", [0, 0, 0], None, "all counts are 0"),
        ("bernoulli", [1, 1, 1], None, r"bernoulli p.*every observation is 1, so it is 1"),
        ("binomial", [0, 0, 0], {"n": 4}, r"binomial p.*every observation is 0, so it is 0"),
        ("geometric", [1, 1], None, "geometric p.*every observation is 1"),
        ("von_mises", [0.5, 0.5 + 2 * np.pi], None, "von_mises kappa.*angles are equal"),
        ("beta", [0.3, 0.3], None, "beta a and b.*all observations are equal"),
    ],
)
def test_boundary_estimates_raise(family, x, fixed, message):
    with pytest.raises(ValueError, match=message):
        MLEDistribution(family, fixed=fixed).fit(np.array(x, dtype=float))


def test_constant_data_with_the_location_held_elsewhere_is_fine():
    model = MLEDistribution("normal", fixed={"loc": 0.0}).fit(np.array([2.0, 2.0, 2.0]))
    np.testing.assert_allclose(model.params_, [2.0])
    assert np.all(np.isfinite(model.standard_errors_))


def test_weights_and_shapes():
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        MLEDistribution().fit(x, sample_weight=[1, -1, 1])
    model = MLEDistribution().fit(x)
    with pytest.raises(ValueError, match="X has 2 features"):
        model.score_samples(np.ones((3, 2)))
    with pytest.raises(ValueError, match="n_samples must be a positive integer"):
        model.sample(0)
    with pytest.raises(NotFittedError):
        MLEDistribution().score_samples(x)


def test_cramer_rao_bound_checks_its_arguments():
    with pytest.raises(ValueError, match=r"params lacks a value for \['scale'\]"):
        cramer_rao_bound("normal", {"loc": 0.0})
    with pytest.raises(ValueError, match=r"params\['scale'\] must be a number > 0"):
        cramer_rao_bound("normal", [0.0, -1.0])
    with pytest.raises(ValueError, match="n must be positive"):
        cramer_rao_bound("normal", [0.0, 1.0], n=0)
    bound = cramer_rao_bound("normal", {"loc": 0.0, "scale": 2.0}, n=100, fixed={"loc": 0.0})
    np.testing.assert_allclose(bound, [[4.0 / 200]])
