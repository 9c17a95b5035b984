"""The generic path: any scipy.stats distribution, with numerical derivatives."""

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.base.model import GenericLikelihoodModel

from skfisher import MLEDistribution


class _ScipyLikelihood(GenericLikelihoodModel):
    def __init__(self, endog, dist, names, constants):
        self._dist, self._names, self._constants = dist, names, constants
        super().__init__(endog, extra_params_names=names)

    def loglikeobs(self, params):
        kwargs = {**self._constants, **dict(zip(self._names, params, strict=True))}
        method = self._dist.logpmf if hasattr(self._dist, "logpmf") else self._dist.logpdf
        return method(self.endog, **kwargs)


def _statsmodels(x, dist, names, start, constants=None):
    model = _ScipyLikelihood(x, dist, names, constants or {})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(start_params=start, method="newton", maxiter=200, disp=0, tol=1e-14)


CASES = {
    "gumbel_r-simulated": (
        stats.gumbel_r,
        lambda: stats.gumbel_r(1.0, 2.0).rvs(800, random_state=1),
    ),
    "gumbel_r-real": (
        stats.gumbel_r,
        lambda: sm.datasets.nile.load_pandas().data["volume"].to_numpy(float),
    ),
    "genextreme-simulated": (
        stats.genextreme,
        lambda: stats.genextreme(-0.1, 1.0, 2.0).rvs(1500, random_state=2),
    ),
    "logser-simulated": (stats.logser, lambda: stats.logser(0.6).rvs(800, random_state=3)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_generic_matches_statsmodels(case):
    dist, load = CASES[case]
    x = load().astype(float)
    model = MLEDistribution(dist, cov_type="observed").fit(x)
    assert model.converged_
    names = list(model.param_names_)
    constants = {"loc": 0.0} if isinstance(dist, stats.rv_discrete) else {}
    result = _statsmodels(x, dist, names, model.params_ * 1.02, constants)
    # Both maximise the same likelihood with numerical derivatives (~1e-9).
    np.testing.assert_allclose(model.params_, result.params, rtol=1e-6)
    np.testing.assert_allclose(model.loglik_, result.llf, rtol=1e-8)
    # Two numerical Hessians: statsmodels' second differences of ℓ (~1e-6) and
    # ours, differences of a differenced score (~1e-7).
    np.testing.assert_allclose(model.standard_errors_, result.bse, rtol=1e-4)


def test_generic_gamma_equals_analytic_gamma():
    """Quadrature information and numerical scores against the exact formulas."""
    x = stats.gamma(2.5, scale=3.0).rvs(size=2000, random_state=4)
    generic = MLEDistribution(stats.gamma, fixed={"loc": 0.0}).fit(x)
    analytic = MLEDistribution("gamma").fit(x)
    assert generic.param_names_.tolist() == ["a", "scale"]
    # Both converge to tol=1e-8 standard errors of the same optimum.
    np.testing.assert_allclose(generic.params_, analytic.params_, rtol=1e-8)
    np.testing.assert_allclose(generic.loglik_, analytic.loglik_, rtol=1e-13)
    # Quadrature of numerical scores: ~1e-10 relative.
    np.testing.assert_allclose(generic.information_, analytic.information_, rtol=1e-8)
    np.testing.assert_allclose(generic.empirical_fisher_, analytic.empirical_fisher_, rtol=1e-8)
    # Differences of a numerical score: ~1e-8 relative.
    np.testing.assert_allclose(
        generic.observed_information_, analytic.observed_information_, rtol=1e-6
    )
    np.testing.assert_allclose(generic.standard_errors_, analytic.standard_errors_, rtol=1e-8)


def test_generic_discrete_equals_analytic_with_a_held_integer_shape():
    x = stats.nbinom(3, 0.4).rvs(size=1000, random_state=5).astype(float)
    generic = MLEDistribution(stats.nbinom, fixed={"n": 3}).fit(x)
    analytic = MLEDistribution("negative_binomial", fixed={"n": 3}).fit(x)
    np.testing.assert_allclose(generic.params_, analytic.params_, rtol=1e-8)
    # An exact sum over the support of numerical scores: ~1e-10 relative.
    np.testing.assert_allclose(generic.information_, analytic.information_, rtol=1e-8)
    assert generic.distribution_.args == (3, generic.params_[0])


def test_large_sample_starts_from_a_subsample_fit():
    x = stats.gumbel_l(-1.0, 0.5).rvs(size=50_000, random_state=6)
    model = MLEDistribution(stats.gumbel_l).fit(x)
    np.testing.assert_allclose(model.params_, stats.gumbel_l.fit(x), rtol=1e-5)
    assert model.converged_


def test_integer_shape_must_be_held():
    with pytest.raises(ValueError, match=r"\['n'\].*integer values.*fixed"):
        MLEDistribution(stats.betabinom).fit(np.arange(10.0))


def test_frozen_distribution_is_rejected():
    with pytest.raises(ValueError, match="not a frozen one"):
        MLEDistribution(stats.gumbel_r(0, 1)).fit(np.arange(10.0))
