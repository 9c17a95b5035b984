"""``skfisher fit --model ordinal``: ordered classes on the command line.

The numbers printed are checked against the estimator fitted in-process with the
same arguments and against statsmodels' ``OrderedModel`` (its thresholds are the
first one and the logarithms of the increments), so a wrong order of the classes,
a wrong reference level or a threshold named after the wrong classes fails. Every
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
from statsmodels.miscmodels.ordinal_model import OrderedModel

from skfisher import FisherOrdinalRegression
from skfisher._cli_args import MODELS, ORDINAL_LINKS
from skfisher.datasets import load_partyid

# The CLI prints repr-precision floats of the fit it ran; the same fit in-process.
SAME_FIT_RTOL = 1e-12
# statsmodels takes Newton's steps with a differenced Hessian, whose inverse is its
# covariance: its optimum agrees with the exact one to about 1e-8, its standard
# errors with those of the observed information to about 1e-6.
PARAMS_RTOL, SE_RTOL = 1e-6, 1e-5
ROOT = Path(__file__).resolve().parents[1]
LEVELS = ["low", "mid", "high"]  # alphabetically: high < low < mid


def _ratings_frame():
    """Three ordered ratings from a logistic latent variable, a colour and weights."""
    rng = np.random.default_rng(11)
    n = 400
    x = rng.normal(size=n).round(6)
    color = rng.choice(["red", "blue", "green"], size=n)
    latent = 1.2 * x + np.select([color == "red", color == "green"], [0.8, -0.6], 0.0)
    codes = np.digitize(latent + rng.logistic(size=n), [-0.7, 0.9])
    rating = np.array(LEVELS, dtype=object)[codes]
    return pd.DataFrame({"rating": rating, "x": x, "color": color, "w": rng.integers(1, 4, n)})


@pytest.fixture
def cli(run_cli, tmp_path):
    """``run_cli`` in a folder that holds ``ratings.csv`` and a few small files."""
    _ratings_frame().to_csv(tmp_path / "ratings.csv", index=False)
    (tmp_path / "two.csv").write_text("y,x\na,1\nb,2\na,3\nb,0\n")
    (tmp_path / "halves.csv").write_text(
        "y,x\n" + "".join(f"{1.5 + (i % 3)},{i % 5}\n" for i in range(30))
    )
    (tmp_path / "separated.csv").write_text(
        "y,x,z\n"
        + "".join(f"{'abc'[i // 4]},{i},{(7 * i) % 5}\n" for i in range(12))  # x orders y
    )
    return run_cli


def _json(result):
    status, out, err = result
    assert status == 0, err
    return json.loads(out)


def _ordered(frame, levels=LEVELS):
    return pd.Categorical(frame["rating"], categories=levels, ordered=True)


def _statsmodels(y, X, link="logit"):
    """statsmodels' estimates and standard errors in θ = [β, thresholds]."""
    distr = {"logit": "logit", "probit": "probit"}[link]
    result = OrderedModel(y, X, distr=distr).fit(method="newton", disp=0, maxiter=200)
    phi, cov = result.params.to_numpy(), result.cov_params().to_numpy()
    p = X.shape[1]
    theta = np.concatenate([phi[:p], np.cumsum([phi[p], *np.exp(phi[p + 1 :])])])
    # The delta method: θ_j = φ_p + Σ_{k<j} exp(φ_{p+k}), so ∂θ/∂φ is lower triangular.
    jacobian = np.eye(len(phi))
    jacobian[p:, p] = 1.0
    for j in range(1, len(phi) - p):
        jacobian[p + j, p + 1 : p + j + 1] = np.exp(phi[p + 1 : p + j + 1])
    return theta, np.sqrt(np.diag(jacobian @ cov @ jacobian.T))


def test_partyid_is_the_ordinal_fit_of_statsmodels(cli):
    # The bundled dataset's default model is ordinal; it is the fit of statsmodels.
    arguments = ["fit", "--dataset", "partyid", "--format", "json", "--cov-type", "observed"]
    payload = _json(cli(*arguments))
    X, y = load_partyid(return_X_y=True, as_frame=True)
    theta, se = _statsmodels(y.cat.codes, X)
    assert payload["model"] == "FisherOrdinalRegression" and payload["link"] == "logit"
    assert payload["levels"] == [str(k) for k in range(7)]
    assert payload["param_names"] == [*X.columns, "0|1", "1|2", "2|3", "3|4", "4|5", "5|6"]
    assert_allclose(payload["params"], theta, rtol=PARAMS_RTOL)
    assert_allclose(payload["standard_errors"], se, rtol=SE_RTOL)
    model = FisherOrdinalRegression(cov_type="observed").fit(X, y)
    assert_allclose(payload["params"], model.params_, rtol=SAME_FIT_RTOL)
    # Entries near 0 differ by rounding in the matrix's scale (1e-17 against 1e-5).
    scale = np.abs(model.covariance_).max()
    assert_allclose(
        payload["covariance"], model.covariance_, rtol=SAME_FIT_RTOL, atol=SAME_FIT_RTOL * scale
    )
    assert_allclose(payload["loglik"], model.loglik_, rtol=SAME_FIT_RTOL)


def test_model_ordinal_without_data_fits_partyid(cli):
    # --model ordinal alone picks the bundled ordinal dataset, as --model poisson does.
    status, out, err = cli("fit", "--model", "ordinal")
    assert status == 0, err
    assert out.startswith("Ordinal regression (logit link) of 'PID', by Fisher scoring")
    assert "load_partyid" in out and "Classes, lowest first: 0 < 1 < 2 < 3 < 4 < 5 < 6" in out


@pytest.mark.parametrize("link", ORDINAL_LINKS)
def test_each_link_is_the_estimators(cli, link):
    payload = _json(cli("fit", "--dataset", "partyid", "--link", link, "--format", "json"))
    X, y = load_partyid(return_X_y=True)
    model = FisherOrdinalRegression(link=link).fit(X, y)
    assert payload["link"] == link
    assert payload["heading"].startswith(f"Ordinal regression ({link} link)")
    assert_allclose(payload["params"], model.params_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["standard_errors"], model.standard_errors_, rtol=SAME_FIT_RTOL)


def test_levels_give_the_order_of_string_classes(cli):
    # --levels low,mid,high is the fit of the ordered Categorical; the sorted labels
    # (high < low < mid) are another model, with other thresholds.
    command = ["fit", "ratings.csv", "--target", "rating", "--features", "x", "--model"]
    levels = ["--levels", "low,mid,high", "--cov-type", "observed"]
    ordered = _json(cli(*command, "ordinal", *levels, "--format", "json"))
    frame = _ratings_frame()
    model = FisherOrdinalRegression(cov_type="observed").fit(frame[["x"]], _ordered(frame))
    assert ordered["param_names"] == ["x", "low|mid", "mid|high"]
    assert_allclose(ordered["params"], model.params_, rtol=SAME_FIT_RTOL)
    theta, se = _statsmodels(_ordered(frame).codes, frame[["x"]])
    assert_allclose(ordered["params"], theta, rtol=PARAMS_RTOL)
    assert_allclose(ordered["standard_errors"], se, rtol=SE_RTOL)
    assert ordered["params"][0] > 1.0  # the latent slope of 1.2
    alphabetical = _json(cli(*command, "ordinal", "--format", "json"))
    assert alphabetical["param_names"] == ["x", "high|low", "low|mid"]
    assert alphabetical["levels"] == ["high", "low", "mid"]
    assert abs(alphabetical["params"][0] - ordered["params"][0]) > 0.5


def test_levels_alone_imply_the_ordinal_model(cli):
    status, out, err = cli("fit", "ratings.csv", "--target", "rating", "--levels", "low,mid,high")
    assert status == 0, err
    assert out.startswith("Ordinal regression (logit link) of 'rating'")
    assert "Classes, lowest first: low < mid < high" in out
    assert re.search(r"^mid\|high\s", out, flags=re.MULTILINE)


def test_categorical_feature_against_statsmodels_formula(cli):
    # One-hot against the first sorted level (blue), as patsy's treatment coding;
    # weights, probit, and the sandwich covariance on top.
    arguments = ["fit", "ratings.csv", "--target", "rating", "--features", "x,color"]
    arguments += ["--levels", "low,mid,high", "--link", "probit", "--format", "json"]
    payload = _json(cli(*arguments))
    frame = _ratings_frame()
    reference = OrderedModel.from_formula(
        "y ~ x + C(color)", frame.assign(y=_ordered(frame).codes), distr="probit"
    ).fit(method="newton", disp=0, maxiter=200)
    assert payload["param_names"] == [
        "x",
        "color[T.green]",
        "color[T.red]",
        "low|mid",
        "mid|high",
    ]
    assert payload["reference_levels"] == {"color": "blue"}
    assert_allclose(payload["params"][:3], reference.params.to_numpy()[[2, 0, 1]], rtol=1e-5)
    weighted = _json(cli(*arguments, "--weights", "w", "--cov-type", "sandwich"))
    dummies = pd.get_dummies(frame["color"], dtype=float)[["green", "red"]]
    X = np.column_stack([frame["x"], dummies])
    model = FisherOrdinalRegression(link="probit", cov_type="sandwich")
    model.fit(X, _ordered(frame), sample_weight=frame["w"])
    assert_allclose(weighted["params"], model.params_, rtol=SAME_FIT_RTOL)
    assert_allclose(weighted["standard_errors"], model.standard_errors_, rtol=SAME_FIT_RTOL)


def test_cluster_penalty_and_csv_output(cli):
    arguments = ["fit", "--dataset", "partyid", "--cov-type", "cluster", "--groups", "educ"]
    payload = _json(
        cli(*arguments, "--features", "selfLR,age", "--penalty", "0.01", "--format", "json")
    )
    X, y = load_partyid(return_X_y=True, as_frame=True)
    model = FisherOrdinalRegression(cov_type="cluster", alpha=0.01)
    model.fit(X[["selfLR", "age"]], y, groups=X["educ"])
    assert_allclose(payload["params"], model.params_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["standard_errors"], model.standard_errors_, rtol=SAME_FIT_RTOL)
    status, out, err = cli("fit", "--dataset", "partyid", "--format", "csv")
    assert status == 0, err
    rows = [line.split(",") for line in out.splitlines()]
    assert rows[0][:3] == ["", "coef", "std err"]
    assert [row[0] for row in rows[-6:]] == ["0|1", "1|2", "2|3", "3|4", "4|5", "5|6"]


def test_numeric_classes_keep_their_values(cli):
    # 1.5 < 2.5 < 3.5 sort numerically and are named as written; --levels orders numbers.
    payload = _json(
        cli("fit", "halves.csv", "--target", "y", "--model", "ordinal", "--format", "json")
    )
    assert payload["param_names"] == ["x", "1.5|2.5", "2.5|3.5"]
    reverse = _json(
        cli("fit", "halves.csv", "--target", "y", "--levels", "3.5,2.5,1.5", "--format", "json")
    )
    assert reverse["param_names"] == ["x", "3.5|2.5", "2.5|1.5"]
    assert_allclose(reverse["params"][0], -payload["params"][0], rtol=1e-8)  # mirrored classes
    assert_allclose(reverse["params"][1:], -np.array(payload["params"][:0:-1]), rtol=1e-8)


def test_separation_warning_names_columns_and_classes(cli):
    status, out, err = cli("fit", "separated.csv", "--target", "y", "--model", "ordinal")
    assert status == 0, err
    assert "skfisher: warning: Perfect separation" in err
    assert "'x'" in err and "'a|b'" in err
    assert "'x0'" not in err and "'0|1'" not in err


# id -> (arguments after "skfisher fit", a phrase the one-line message must contain)
BAD = {
    "two_classes": (["two.csv", "--target", "y", "--model", "ordinal"], "--model logistic"),
    "too_many": (["--dataset", "randhie", "--model", "ordinal"], "too many classes"),
    "level_missing": (
        ["ratings.csv", "--target", "rating", "--levels", "low,high"],
        "'mid', which --levels does not list",
    ),
    "level_unknown": (
        ["ratings.csv", "--target", "rating", "--levels", "low,mid,top,high"],
        "'top', which no row",
    ),
    "level_twice": (
        ["ratings.csv", "--target", "rating", "--levels", "low,mid,low,high"],
        "'low' more than once",
    ),
    "level_not_number": (
        ["--dataset", "partyid", "--levels", "0,1,2,3,4,5,six"],
        "--levels 0,1,2,3,4,5,6",
    ),
    "levels_other_model": (
        ["--dataset", "partyid", "--model", "poisson", "--levels", "0,1,2,3,4,5,6"],
        "takes no --levels",
    ),
    "family": (["--model", "ordinal", "--family", "binomial"], "takes no --family"),
    "no_intercept": (["--model", "ordinal", "--no-intercept"], "thresholds take its place"),
    "offset": (
        ["--model", "ordinal", "--features", "selfLR", "--offset", "age"],
        "takes no --offset",
    ),
    "bias_reduction": (["--model", "ordinal", "--bias-reduction", "firth"], "--bias-reduction"),
    "link": (["--model", "ordinal", "--link", "log"], "logit, probit, cloglog, loglog, cauchit"),
    "empty_class": (
        ["ratings.csv", "--target", "rating", "--features", "x", "--weights", "zero_mid"],
        "'mid'",
    ),
}


@pytest.mark.parametrize("key", sorted(BAD))
def test_bad_input_is_one_line_and_status_2(cli, tmp_path, key):
    frame = _ratings_frame()
    frame["zero_mid"] = np.where(frame["rating"] == "mid", 0, 1)
    frame.to_csv(tmp_path / "ratings.csv", index=False)
    arguments, phrase = BAD[key]
    status, out, err = cli("fit", *arguments, *(["--model", "ordinal"] * (key == "empty_class")))
    assert status == 2, (out, err)
    assert out == "" and err.startswith("skfisher: error: ") and err.count("\n") == 1
    assert phrase in err, err


def test_ordinal_links_are_the_estimators():
    constraint = FisherOrdinalRegression._parameter_constraints["link"][0]
    assert set(ORDINAL_LINKS) == constraint.options
    assert "ordinal" in MODELS


def test_subprocess_text_output():
    completed = subprocess.run(
        [sys.executable, "-m", "skfisher", "fit", "--dataset", "partyid", "--link", "probit"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    lines = completed.stdout.splitlines()
    assert lines[0] == "Ordinal regression (probit link) of 'PID', by Fisher scoring"
    X, y = load_partyid(return_X_y=True)
    model = FisherOrdinalRegression(link="probit").fit(X, y)
    row = next(line for line in lines if line.startswith("5|6 "))
    assert float(row.split()[1]) == pytest.approx(model.thresholds_[-1], abs=5e-5)


def test_command_line_page_shows_the_output(run_cli):
    # The page's ordinal example and the output it shows are those of the command.
    page = (ROOT / "docs" / "user_guide" / "command_line.rst").read_text(encoding="utf-8")
    match = re.search(
        r"\.\. code-block:: bash\n\n   skfisher (fit [^\n]*--model ordinal[^\n]*)\n\n"
        r"\.\. code-block:: text\n\n((?:   [^\n]*\n|\n)+)",
        page,
    )
    assert match, "the ordinal example of command_line.rst is missing"
    status, out, err = run_cli(*match.group(1).split())
    assert status == 0, err
    shown = "\n".join(line[3:] for line in match.group(2).rstrip("\n").splitlines())
    assert [line.rstrip() for line in shown.splitlines()] == [
        line.rstrip() for line in out.rstrip("\n").splitlines()
    ]
