"""``skfisher fit --model zeroinflated|hurdle`` and ``--family quasi_poisson``.

Every number printed is the estimator's, fitted in-process with the arguments the
options stand for, so a zero part on the wrong columns, a wrong family or a
parameter named after the wrong column fails; one fit with a one-hot encoded zero
part is checked against statsmodels' ``ZeroInflatedPoisson`` as well. Every
refusal runs in-process through ``main``; one fit runs as a user runs it, in a
subprocess.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.discrete.count_model import ZeroInflatedPoisson

from skfisher import FisherGLMRegressor, FisherHurdleRegressor, FisherZeroInflatedRegressor
from skfisher.datasets import load_randhie

# The CLI prints repr-precision floats of the fit it ran; the same fit in-process.
SAME_FIT_RTOL = 1e-12
# statsmodels' Newton steps stop within about 1e-8 of the optimum.
PARAMS_RTOL = 1e-6
ROOT = Path(__file__).resolve().parents[1]


def _visits_frame():
    """Counts with structural zeros that depend on a colour; an exposure and clusters."""
    rng = np.random.default_rng(5)
    n = 600
    x = rng.normal(size=n).round(6)
    color = rng.choice(["red", "blue", "green"], size=n)
    days = rng.integers(10, 60, size=n)
    mu = np.exp(0.3 + 0.5 * x + np.log(days / 30))
    never = rng.random(n) < np.select([color == "red", color == "green"], [0.5, 0.1], 0.25)
    y = np.where(never, 0, rng.poisson(mu))
    return pd.DataFrame(
        {
            "visits": y,
            "x": x,
            "color": color,
            "log_days": np.log(days / 30),
            "clinic": rng.integers(0, 25, size=n),
            "w": rng.integers(1, 4, size=n),
        }
    )


@pytest.fixture
def cli(run_cli, tmp_path):
    """``run_cli`` in a folder that holds ``visits.csv`` and a few small files."""
    _visits_frame().to_csv(tmp_path / "visits.csv", index=False)
    (tmp_path / "positive.csv").write_text(
        "y,x\n" + "".join(f"{1 + i % 4},{i}\n" for i in range(20))
    )
    (tmp_path / "halves.csv").write_text("y,x\n0,1\n1.5,2\n2,3\n0,4\n3,5\n")
    return run_cli


def _json(result):
    status, out, err = result
    assert status == 0, err
    return json.loads(out)


def _error(result):
    status, out, err = result
    assert status == 2 and out == "", (status, out, err)
    return err


def _randhie():
    return load_randhie(return_X_y=True, as_frame=True)


def _same_fit(payload, model, names):
    assert payload["param_names"] == names
    assert_allclose(payload["params"], model.params_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["standard_errors"], model.standard_errors_, rtol=SAME_FIT_RTOL)
    # Off-diagonal entries near 0 differ in their last digits between the two runs.
    scale = np.abs(model.covariance_).max()
    assert_allclose(payload["covariance"], model.covariance_, rtol=0, atol=SAME_FIT_RTOL * scale)
    assert_allclose(payload["loglik"], model.loglik_, rtol=SAME_FIT_RTOL)


def test_zeroinflated_without_data_fits_randhie(cli):
    status, out, err = cli("fit", "--model", "zeroinflated")
    assert status == 0, err
    assert out.startswith(
        "Zero-inflated Poisson regression (log link) of 'mdvis', by Fisher scoring"
    )
    assert "load_randhie" in out
    assert "Zero part (inflation:): the log odds of a structural zero" in out
    payload = _json(cli("fit", "--model", "zeroinflated", "--format", "json"))
    X, y = _randhie()
    model = FisherZeroInflatedRegressor().fit(X, y)
    names = [f"count:{c}" for c in ["intercept", *X.columns]]
    names += [f"inflation:{c}" for c in ["intercept", *X.columns]]
    _same_fit(payload, model, names)
    assert payload["model"] == "FisherZeroInflatedRegressor"


def test_hurdle_nb_with_a_constant_zero_part(cli):
    arguments = ["fit", "--model", "hurdle", "--family", "negative_binomial"]
    payload = _json(cli(*arguments, "--zero-features", "1", "--format", "json"))
    X, y = _randhie()
    model = FisherHurdleRegressor("negative_binomial", zero_features=[]).fit(X, y)
    names = [f"count:{c}" for c in ["intercept", *X.columns]] + ["zero:intercept", "alpha"]
    _same_fit(payload, model, names)
    assert payload["heading"].startswith("Hurdle negative binomial regression (log link)")
    status, out, _ = cli(*arguments, "--zero-features", "1")
    assert "Count part (count:): zero-truncated negative binomial (NB2, alpha estimated)" in out
    assert "logit P(y > 0)" in out


def test_a_one_hot_zero_part_is_the_fit_of_statsmodels(cli):
    # --zero-features color puts both of color's indicator columns in the zero part,
    # and nothing else: the model of statsmodels with those columns in exog_infl.
    arguments = ["fit", "visits.csv", "--target", "visits", "--features", "x,color"]
    options = ["--model", "zeroinflated", "--zero-features", "color", "--cov-type", "observed"]
    payload = _json(cli(*arguments, *options, "--format", "json"))
    frame = _visits_frame()
    dummies = pd.get_dummies(frame["color"], drop_first=True, dtype=float)  # blue dropped
    exog = np.column_stack([np.ones(len(frame)), frame["x"], dummies])
    exog_infl = np.column_stack([np.ones(len(frame)), dummies])
    reference = ZeroInflatedPoisson(frame["visits"], exog, exog_infl=exog_infl).fit(
        method="newton", maxiter=200, disp=0
    )
    count = ["intercept", "x", "color[T.green]", "color[T.red]"]
    inflation = ["intercept", "color[T.green]", "color[T.red]"]
    assert payload["param_names"] == [f"count:{c}" for c in count] + [
        f"inflation:{c}" for c in inflation
    ]
    # statsmodels orders its parameters inflation first.
    reordered = np.r_[reference.params[3:], reference.params[:3]]
    assert_allclose(payload["params"], reordered, rtol=PARAMS_RTOL)
    assert_allclose(payload["loglik"], reference.llf, rtol=1e-10)


@pytest.mark.parametrize("model", ["zeroinflated", "hurdle"])
def test_offset_weights_and_clusters_reach_the_estimator(cli, model):
    arguments = ["fit", "visits.csv", "--target", "visits", "--features", "x,color"]
    options = ["--model", model, "--offset", "log_days", "--weights", "w"]
    clusters = ["--cov-type", "cluster", "--groups", "clinic"]
    payload = _json(cli(*arguments, *options, *clusters, "--format", "json"))
    frame = _visits_frame()
    X = np.column_stack([frame["x"], frame["color"] == "green", frame["color"] == "red"]).astype(
        float
    )
    cls = FisherZeroInflatedRegressor if model == "zeroinflated" else FisherHurdleRegressor
    estimator = cls(cov_type="cluster").fit(
        X,
        frame["visits"],
        sample_weight=frame["w"],
        offset=frame["log_days"],
        groups=frame["clinic"],
    )
    assert_allclose(payload["params"], estimator.params_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["standard_errors"], estimator.standard_errors_, rtol=SAME_FIT_RTOL)
    assert payload["cov_type"] == "cluster"


def test_quasi_poisson_without_data_fits_randhie(cli):
    payload = _json(cli("fit", "--family", "quasi_poisson", "--format", "json"))
    X, y = _randhie()
    quasi = FisherGLMRegressor(family="quasi_poisson").fit(X, y)
    poisson = FisherGLMRegressor(family="poisson").fit(X, y)
    assert payload["heading"].startswith("Quasi-Poisson regression (log link) of 'mdvis'")
    assert payload["loglik"] is None and payload["aic"] is None
    assert_allclose(payload["params"], poisson.params_, rtol=1e-10)
    assert_allclose(payload["standard_errors"], quasi.standard_errors_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["dispersion"], quasi.dispersion_, rtol=SAME_FIT_RTOL)
    assert payload["dispersion"] > 5  # mdvis: variance 20.3 against a mean of 2.86


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--family", "gamma"], "--family poisson or negative_binomial, not 'gamma'"),
        (["--link", "identity"], "takes no --link identity: its count part has the log link"),
        (["--no-intercept"], "takes no --no-intercept: both of its parts have an intercept"),
        (["--bias-reduction", "firth"], "takes no --bias-reduction"),
        (["--levels", "0,1,2"], "takes no --levels"),
        (["--zero-features", "log_days"], "'log_days' is not a feature of --model zeroinflated"),
        (["--zero-features", "nosuch"], "--zero-features 'nosuch'"),
        (["--zero-features", ","], "--zero-features needs column names, or 1"),
    ],
)
def test_refusals_of_a_count_model(cli, options, message):
    arguments = ["fit", "visits.csv", "--target", "visits", "--features", "x,color"]
    err = _error(cli(*arguments, "--model", "zeroinflated", *options))
    assert message in err


def test_counts_without_zeros_point_to_the_plain_model_as_options(cli):
    err = _error(cli("fit", "positive.csv", "--target", "y", "--model", "hurdle"))
    assert "y has no zeros" in err
    assert "--model poisson, or --model glm --family negative_binomial" in err


def test_a_non_count_is_named(cli):
    err = _error(cli("fit", "halves.csv", "--target", "y", "--model", "zeroinflated"))
    assert "y[1] = 1.5 is not" in err


def test_a_user_runs_a_hurdle_model():
    command = [sys.executable, "-m", "skfisher", "fit", "--model", "hurdle", "--format", "csv"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[1].startswith("count:intercept,") and rows[-1].startswith("zero:hlthp,")


def test_command_line_page_shows_the_output(run_cli):
    # The page's zero-inflated example and the output it shows are those of the command.
    page = (ROOT / "docs" / "user_guide" / "command_line.rst").read_text(encoding="utf-8")
    match = re.search(
        r"\.\. code-block:: bash\n\n   skfisher (fit [^\n]*--model zeroinflated[^\n]*)\n\n"
        r"\.\. code-block:: text\n\n((?:   [^\n]*\n|\n)+)",
        page,
    )
    assert match, "the zero-inflated example of command_line.rst is missing"
    status, out, err = run_cli(*match.group(1).split())
    assert status == 0, err
    shown = "\n".join(line[3:] for line in match.group(2).rstrip("\n").splitlines())
    assert [line.rstrip() for line in shown.splitlines()] == [
        line.rstrip() for line in out.rstrip("\n").splitlines()
    ]
