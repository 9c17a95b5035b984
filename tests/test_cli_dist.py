"""``skfisher dist``: integer measurements, scipy.stats families by name, the options listed.

Runs are in-process through ``main``; the fits are checked against scipy's own
maximum-likelihood fit and the comparison's log-likelihoods against scipy's
distribution functions.
"""

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from skfisher import MLEDistribution
from skfisher._cli_dist import integer_loglik, resolve_family
from skfisher._cli_table import CLIError

# scipy's fit stops its Nelder-Mead/brentq search at about 1e-7 relative.
SCIPY_FIT_RTOL = 1e-5
# The same fit in-process: repr-precision floats, the same arithmetic.
SAME_FIT_RTOL = 1e-12


@pytest.fixture
def cli(run_cli):
    return run_cli


def _json(result):
    status, out, err = result
    assert status == 0, err
    return json.loads(out)


@pytest.fixture
def heights(tmp_path):
    """Heights in whole centimetres: integer data from a continuous law."""
    rng = np.random.default_rng(4)
    height = np.round(rng.normal(172.0, 7.0, size=400))
    pd.DataFrame({"height": height.astype(int)}).to_csv(tmp_path / "heights.csv", index=False)
    return height


def test_integer_measurements_try_continuous_families(cli, heights):
    # Integer data were fitted with the discrete families only.
    payload = _json(cli("dist", "heights.csv", "--column", "height", "--format", "json"))
    families = [row["family"] for row in payload["comparison"]]
    assert "normal" in families and "poisson" in families
    assert families[0] in {"normal", "logistic", "student_t"}  # not a count law
    normal = next(row for row in payload["comparison"] if row["family"] == "normal")
    fitted = MLEDistribution("normal").fit(heights).distribution_
    # The rounded law's probability of each integer, from scipy's normal cdf.
    expected = np.sum(np.log(fitted.cdf(heights + 0.5) - fitted.cdf(heights - 0.5)))
    assert_allclose(normal["loglik"], expected, rtol=1e-10)
    assert_allclose(normal["aic"], -2 * expected + 4, rtol=1e-10)


def test_discrete_keeps_the_discrete_families(cli, heights):
    payload = _json(
        cli("dist", "heights.csv", "--column", "height", "--discrete", "--format", "json")
    )
    families = {row["family"] for row in payload["comparison"]}
    assert "poisson" in families and "normal" not in families


def test_discrete_on_non_integer_data_is_refused(cli):
    status, out, err = cli("dist", "--discrete")
    assert status == 2 and out == "" and "--discrete needs integer data" in err


def test_integer_loglik_is_minus_inf_where_the_law_gives_nothing():
    model = MLEDistribution("normal").fit(np.array([0.0, 1.0, 2.0, 1.0]))
    assert integer_loglik(model, np.array([1.0, 1.0e6])) == -np.inf
    assert np.isfinite(integer_loglik(model, np.array([1.0, 2.0])))


def test_scipy_distribution_by_name(cli):
    # --family gumbel_r suggested a "scipy.stats distribution object".
    payload = _json(cli("dist", "--family", "gumbel_r", "--format", "json"))
    from skfisher.datasets import load_engel

    food = load_engel().target
    loc, scale = stats.gumbel_r.fit(food)
    assert_allclose(payload["params"], [loc, scale], rtol=SCIPY_FIT_RTOL)
    model = MLEDistribution(stats.gumbel_r).fit(food)
    assert_allclose(payload["standard_errors"], model.standard_errors_, rtol=SAME_FIT_RTOL)


@pytest.mark.parametrize("name", ["banana", "kstest", "rv_continuous", "norm_gen"])
def test_names_that_are_not_distributions_are_refused(cli, name):
    status, out, err = cli("dist", "--family", name)
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert f"Unknown family {name!r}" in err and "--family gumbel_r" in err
    assert "object" not in err  # a CLI user cannot pass an object


def test_resolve_family():
    assert resolve_family("Gaussian") == "Gaussian"  # skfisher's alias, left to it
    assert resolve_family("gumbel_r") is stats.gumbel_r
    with pytest.raises(CLIError, match="Unknown family 'ttest_ind'"):
        resolve_family("ttest_ind")


def test_fixed_binomial_trials(cli, tmp_path):
    rng = np.random.default_rng(2)
    k = rng.binomial(10, 0.3, size=300)
    pd.DataFrame({"k": k}).to_csv(tmp_path / "k.csv", index=False)
    arguments = ["dist", "k.csv", "--column", "k", "--family", "binomial"]
    status, _, err = cli(*arguments)
    assert status == 2 and "--fixed n=10" in err  # the remedy, as an option
    payload = _json(cli(*arguments, "--fixed", "n=10", "--format", "json"))
    assert_allclose(payload["params"], [k.mean() / 10], rtol=1e-10)  # the MLE of p
    status, _, err = cli(*arguments, "--fixed", "n")
    assert status == 2 and "NAME=VALUE" in err


def test_help_lists_only_working_cov_types(cli):
    status, out, _ = cli("dist", "--help")
    assert status == 0 and "--cov-type" in out and "cluster" not in out
    assert "--discrete" in out and "--fixed" in out
    status, out, _ = cli("fit", "--help")
    assert "cluster" in out
