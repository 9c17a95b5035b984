"""The command line, run as a user runs it: output, exit status and the numbers printed.

Each command and each output format runs in a subprocess (the console script and
``python -m skfisher``), as do the bad-input cases of each kind; all the
bad-input cases also run in-process through ``main`` (an interpreter start-up
costs about a second, and there are many). The numbers printed are checked
against the library's own fit and against statsmodels (patsy's treatment coding
for the one-hot encoding), so a column mix-up or a wrong reference level fails.
"""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from numpy.testing import assert_allclose

import skfisher
from skfisher import FisherLogisticRegression
from skfisher.cli import main
from skfisher.datasets import load_anes96, load_engel, load_modechoice

# The CLI prints what the estimator computed with repr-precision floats, but a
# separate process may sum in another order (threaded BLAS), and a p-value in the
# far tail multiplies the relative rounding of z by about z² (≈ 175 at z = 13).
SAME_FIT_RTOL = 1e-9
# Against statsmodels, the project's cross-check tolerances.
PARAMS_RTOL, SE_RTOL, LOGLIK_RTOL = 1e-6, 1e-5, 1e-8

HAS_GLM = hasattr(skfisher, "FisherGLMRegressor")
HAS_POISSON = hasattr(skfisher, "FisherPoissonRegressor")
HAS_GAMMA = hasattr(skfisher, "FisherGammaRegressor")
HAS_DIST = hasattr(skfisher, "MLEDistribution")


def _colors_frame():
    """A binary response with a string feature of three levels and integer weights."""
    rng = np.random.default_rng(3)
    n = 300
    color = rng.choice(["red", "blue", "green"], size=n)
    x = rng.normal(size=n)
    eta = -0.3 + 0.8 * x + np.select([color == "red", color == "green"], [1.0, -0.5], 0.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return pd.DataFrame({"y": y, "x": x.round(6), "color": color, "w": rng.integers(1, 4, n)})


FILES = {
    "colors.csv": lambda: _colors_frame().to_csv(index=False),
    "missing.csv": lambda: "y,x\n1,0.5\n0,NA\n1,2.0\n",
    "ragged.csv": lambda: "y,x\n1,0.5\n0,1.5,7\n",
    "empty.csv": lambda: "",
    "words.csv": lambda: "y,x\nmany,0.5\nfew,1.5\nsome,2.5\n",
    "single.csv": lambda: "y,x,c\n1,0.5,a\n0,1.5,a\n1,0.1,a\n",
    "negweights.csv": lambda: "y,x,w\n1,0.5,1\n0,1.5,-1\n1,0.1,1\n0,0.3,1\n",
    "only_target.csv": lambda: "y\n1\n0\n1\n",
}

# Run in a subprocess. id -> (arguments after "skfisher", name of the standard input or None)
GOOD = {
    "bare": ([], None),
    "fit_default_text": (["fit"], None),
    "fit_default_csv": (["fit", "--format", "csv"], None),
    "fit_default_json": (["fit", "--format", "json", "--cov-type", "sandwich"], None),
    "fit_file_text": (["fit", "{colors.csv}", "--target", "y", "--weights", "w"], None),
    "fit_file_csv": (
        ["fit", "{colors.csv}", "--target", "y", "--weights", "w", "--format", "csv"],
        None,
    ),
    "fit_stdin": (["fit", "-", "--target", "y", "--features", "x", "--format", "csv"], "colors"),
}
if HAS_DIST:
    GOOD["dist_text"] = (["dist", "--family", "gamma"], None)
    GOOD["dist_auto_csv"] = (["dist", "--format", "csv"], None)
    GOOD["dist_json"] = (["dist", "--family", "lognormal", "--format", "json"], None)

# id -> (arguments, a phrase the one-line message must contain)
BAD = {
    "missing_file": (["fit", "{nowhere.csv}", "--target", "y"], "no such file"),
    "directory": (["fit", "{.}", "--target", "y"], "cannot read"),
    "empty_file": (["fit", "{empty.csv}", "--target", "y"], "is empty"),
    "ragged_row": (["fit", "{ragged.csv}", "--target", "y"], "line 3"),
    "missing_value": (["fit", "{missing.csv}", "--target", "y"], "missing value"),
    "no_target": (["fit", "{colors.csv}"], "--target is required"),
    "unknown_target": (["fit", "{colors.csv}", "--target", "nope"], "'nope' is not a column"),
    "unknown_feature": (["fit", "{colors.csv}", "--target", "y", "--features", "x,z"], "'z'"),
    "unknown_weights": (["fit", "{colors.csv}", "--target", "y", "--weights", "ww"], "'ww'"),
    "target_as_feature": (["fit", "{colors.csv}", "--target", "y", "--features", "x,y"], "both"),
    "non_numeric_target": (
        ["fit", "{words.csv}", "--target", "y", "--model", "poisson"],
        "not numeric",
    ),
    "non_numeric_weights": (
        ["fit", "{colors.csv}", "--target", "y", "--weights", "color"],
        "not numeric",
    ),
    "negative_weights": (
        ["fit", "{negweights.csv}", "--target", "y", "--features", "x", "--weights", "w"],
        "weight",
    ),
    "single_level": (["fit", "{single.csv}", "--target", "y"], "single level"),
    "unknown_model": (["fit", "--model", "probit"], "invalid choice"),
    "unknown_family": (["fit", "--family", "banana"], "Unknown family 'banana'"),
    "unknown_link": (["fit", "--family", "binomial", "--link", "banana"], "Unknown link"),
    "model_family_clash": (["fit", "--model", "poisson", "--family", "gamma"], "--model glm"),
    "glm_without_family": (["fit", "--model", "glm"], "--family"),
    "bad_cov_type": (["fit", "--cov-type", "hessian"], "--cov-type"),
    "bad_cov_type_bare": (["--cov-type", "hessian"], "--cov-type"),
    "bad_alpha": (["fit", "--alpha", "1.5"], "--alpha"),
    "bad_format": (["fit", "--format", "xml"], "--format"),
    "file_and_dataset": (["fit", "{colors.csv}", "--dataset", "anes96"], "not both"),
    "unknown_dataset": (["fit", "--dataset", "iris"], "invalid choice"),
    "unknown_command": (["predict"], "invalid choice"),
    "dist_unknown_column": (["dist", "{colors.csv}", "--column", "nope"], "'nope'"),
    "dist_non_numeric": (["dist", "{colors.csv}", "--column", "color"], "not numeric"),
    "dist_no_column": (["dist", "{colors.csv}"], "--column is required"),
    "too_many_classes": (["fit", "--dataset", "randhie", "--model", "logistic"], "classes"),
    "dist_labels": (["dist", "--dataset", "modechoice", "--column", "mode"], "labels"),
    "dist_cluster": (["dist", "--cov-type", "cluster"], "invalid choice: 'cluster'"),
    "cluster_without_groups": (["fit", "--cov-type", "cluster"], "--groups"),
    "groups_without_cluster": (["fit", "--groups", "PID"], "--groups"),
    "no_features_no_intercept": (
        ["fit", "{only_target.csv}", "--target", "y", "--no-intercept"],
        "nothing to fit",
    ),
}
# The bad-input cases that also run in a subprocess: one of each kind.
SUBPROCESS_BAD = [
    "missing_file",
    "unknown_target",
    "non_numeric_target",
    "unknown_family",
    "unknown_link",
    "unknown_model",
    "bad_cov_type",
    "bad_cov_type_bare",
]
if HAS_DIST:
    BAD["dist_unknown_family"] = (["dist", "--family", "banana"], "banana")


def _expand(arguments, folder):
    return [
        str(folder / a[1:-1]) if a.startswith("{") and a.endswith("}") else a for a in arguments
    ]


def _command():
    """``python -m skfisher``, and for the bare case the installed console script."""
    return [sys.executable, "-m", "skfisher"]


def _console_script():
    script = Path(sys.executable).with_name("skfisher")
    return str(script) if script.exists() else shutil.which("skfisher")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli")
    for name, make in FILES.items():
        (path / name).write_text(make(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def runs(folder):
    """Run every case (two at a time, the machine's cores); map id -> CompletedProcess."""
    env = {**os.environ, "PYTHONWARNINGS": "error::RuntimeWarning", "COLUMNS": "100"}
    stdin = {"colors": (folder / "colors.csv").read_text(encoding="utf-8")}
    cases = {key: (args, stdin.get(source)) for key, (args, source) in GOOD.items()}
    cases.update({key: (BAD[key][0], None) for key in SUBPROCESS_BAD})

    def run(item):
        key, (arguments, text) = item
        script = _console_script()
        command = [script] if key == "bare" and script else _command()
        completed = subprocess.run(
            command + _expand(arguments, folder),
            input=text,
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            cwd=folder,
        )
        return key, completed

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, cases.items()))


def _ok(runs, key):
    completed = runs[key]
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr
    return completed.stdout


def _check_one_line_error(status, out, err, phrase):
    assert status == 2, (out, err)
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("skfisher: error: ")
    assert phrase in lines[0]


@pytest.mark.parametrize("key", SUBPROCESS_BAD)
def test_bad_input_in_a_process(runs, key):
    completed = runs[key]
    _check_one_line_error(completed.returncode, completed.stdout, completed.stderr, BAD[key][1])


@pytest.fixture
def cli(folder, capsys, monkeypatch):
    """Run ``main`` in-process in the data folder; return (status, stdout, stderr)."""
    monkeypatch.chdir(folder)

    def run(arguments):
        status = main(_expand(arguments, folder))
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.mark.parametrize("key", sorted(BAD))
def test_bad_input_is_one_line_and_exit_2(cli, key):
    arguments, phrase = BAD[key]
    _check_one_line_error(*cli(arguments), phrase)


def _anes96_model(cov_type="fisher"):
    X, y = load_anes96(return_X_y=True)
    return FisherLogisticRegression(cov_type=cov_type).fit(X, y)


def test_bare_command_prints_the_anes96_table(runs):
    out = _ok(runs, "bare")
    model = _anes96_model()
    for name in ["intercept", *load_anes96().feature_names]:
        assert name in out
    assert "std err" in out and "Logistic regression" in out
    assert f"{model.standard_errors_[1]:.4f}" in out  # selfLR's standard error
    assert out == _ok(runs, "fit_default_text")


def _read_csv_output(text):
    rows = list(csv.reader(io.StringIO(text)))
    names = [row[0] for row in rows[1:]]
    values = np.array([[float(v) if v else np.nan for v in row[1:]] for row in rows[1:]])
    return rows[0], names, values


def test_csv_is_summary_to_frame(runs):
    header, names, values = _read_csv_output(_ok(runs, "fit_default_csv"))
    frame = _anes96_model().summary().to_frame()
    frame.index = ["intercept", *load_anes96().feature_names]
    assert header == ["", *frame.columns]
    assert names == list(frame.index)
    assert_allclose(values, frame.to_numpy(), rtol=SAME_FIT_RTOL)


def test_json_has_the_fit(runs):
    payload = json.loads(_ok(runs, "fit_default_json"))
    model = _anes96_model("sandwich")
    table = model.summary()
    assert payload["model"] == "FisherLogisticRegression"
    assert payload["cov_type"] == "sandwich" and payload["converged"] is True
    assert payload["nobs"] == 944 and payload["target"] == "vote"
    assert payload["param_names"] == ["intercept", *load_anes96().feature_names]
    assert_allclose(payload["params"], model.params_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["standard_errors"], model.standard_errors_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["z"], table.z, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["p_values"], table.pvalues, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["conf_int"], model.conf_int(), rtol=SAME_FIT_RTOL)
    assert_allclose(payload["covariance"], model.covariance_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["loglik"], model.loglik_, rtol=SAME_FIT_RTOL)


def _statsmodels_colors(weights=True):
    frame = _colors_frame()
    kwargs = {"freq_weights": frame["w"]} if weights else {}
    formula = "y ~ C(color) + x" if weights else "y ~ C(color) + x"
    return smf.glm(formula, frame, family=sm.families.Binomial(), **kwargs).fit()


def test_categorical_and_weights_match_statsmodels(runs):
    # patsy's treatment coding drops the first level in sorted order ("blue") and
    # names the others C(color)[T.green], C(color)[T.red]: the CLI must agree.
    _, names, values = _read_csv_output(_ok(runs, "fit_file_csv"))
    assert names == ["intercept", "x", "color[T.green]", "color[T.red]"]
    reference = _statsmodels_colors()
    order = ["Intercept", "x", "C(color)[T.green]", "C(color)[T.red]"]
    assert_allclose(values[:, 0], reference.params[order], rtol=PARAMS_RTOL)
    assert_allclose(values[:, 1], reference.bse[order], rtol=SE_RTOL)
    text = _ok(runs, "fit_file_text")
    assert "Reference levels: color = blue" in text
    assert "color[T.red]" in text


def _ok_in_process(result):
    status, out, err = result
    assert status == 0, err
    return out


def test_json_of_a_file_names_the_levels(cli):
    arguments = ["fit", "{colors.csv}", "--target", "y", "--features", "color,x"]
    payload = json.loads(_ok_in_process(cli([*arguments, "--format", "json"])))
    assert payload["param_names"] == ["intercept", "color[T.green]", "color[T.red]", "x"]
    assert payload["reference_levels"] == {"color": "blue"}
    reference = _statsmodels_colors(weights=False)
    order = ["Intercept", "C(color)[T.green]", "C(color)[T.red]", "x"]
    assert_allclose(payload["params"], reference.params[order], rtol=PARAMS_RTOL)
    assert_allclose(payload["standard_errors"], reference.bse[order], rtol=SE_RTOL)
    assert_allclose(payload["loglik"], reference.llf, rtol=LOGLIK_RTOL)


def test_standard_input(runs):
    _, names, values = _read_csv_output(_ok(runs, "fit_stdin"))
    frame = _colors_frame()
    model = FisherLogisticRegression().fit(frame[["x"]].to_numpy(), frame["y"])
    assert names == ["intercept", "x"]
    assert_allclose(values[:, 0], model.params_, rtol=SAME_FIT_RTOL)


def test_numeric_column_as_categorical(cli):
    arguments = ["fit", "--dataset", "anes96", "--features", "PID,age", "--categorical", "PID"]
    out = _ok_in_process(cli(arguments))
    assert "PID[T.1]" in out and "PID[T.6]" in out and "PID[T.0]" not in out
    assert "Reference levels: PID = 0" in out
    # Without an intercept the first categorical feature keeps every level.
    out = _ok_in_process(cli([*arguments, "--no-intercept"]))
    assert "PID[0]" in out and "PID[6]" in out and "intercept" not in out


def test_help_and_version(cli):
    out = _ok_in_process(cli(["--help"]))
    assert "fit" in out and "dist" in out
    fit_help = _ok_in_process(cli(["fit", "--help"]))
    for option in ("--target", "--features", "--model", "--family", "--link", "--cov-type"):
        assert option in fit_help
    for option in ("--weights", "--offset", "--format", "--groups"):
        assert option in fit_help
    assert _ok_in_process(cli(["--version"])).strip() == f"skfisher {skfisher.__version__}"


# ---------------------------------------------------------------------------
# GLMs and distributions, in-process, against statsmodels and the library.

needs_glm = pytest.mark.skipif(not HAS_GLM, reason="FisherGLMRegressor is not available")
needs_dist = pytest.mark.skipif(not HAS_DIST, reason="MLEDistribution is not available")


def _json(cli, arguments):
    return json.loads(_ok_in_process(cli([*arguments, "--format", "json"])))


def _assert_matches(payload, reference, names):
    assert_allclose(payload["params"], reference.params[names], rtol=PARAMS_RTOL)
    assert_allclose(payload["standard_errors"], reference.bse[names], rtol=SE_RTOL)
    assert_allclose(payload["loglik"], reference.llf, rtol=LOGLIK_RTOL)


@needs_glm
@pytest.mark.parametrize("cov_type, sm_cov_type", [("fisher", "nonrobust"), ("sandwich", "HC0")])
def test_poisson_on_randhie_matches_statsmodels(cli, cov_type, sm_cov_type):
    payload = _json(cli, ["fit", "--dataset", "randhie", "--cov-type", cov_type])
    frame = sm.datasets.randhie.load_pandas().data
    features = payload["param_names"][1:]
    # statsmodels' IRLS stops on a relative deviance change of 1e-8 by default,
    # about 1e-7 from the maximum; 1e-13 makes the comparison one of libraries.
    reference = sm.GLM(
        frame["mdvis"], sm.add_constant(frame[features]), family=sm.families.Poisson()
    ).fit(cov_type=sm_cov_type, tol=1e-13)
    assert payload["model"] == "FisherPoissonRegressor"
    assert payload["nobs"] == 20190
    _assert_matches(payload, reference, ["const", *features])


@needs_glm
def test_gamma_on_engel_matches_statsmodels(cli):
    payload = _json(cli, ["fit", "--dataset", "engel"])
    frame = sm.datasets.engel.load_pandas().data
    reference = sm.GLM(
        frame["foodexp"],
        sm.add_constant(frame[["income"]]),
        family=sm.families.Gamma(sm.families.links.Log()),
    ).fit(tol=1e-13)
    assert payload["link"] == "log" and payload["family"] == "gamma"
    assert_allclose(payload["dispersion"], reference.scale, rtol=SE_RTOL)
    _assert_matches(payload, reference, ["const", "income"])


@needs_glm
def test_probit_glm_matches_statsmodels(cli):
    arguments = ["fit", "--model", "glm", "--family", "binomial", "--link", "probit"]
    payload = _json(cli, arguments)
    X, y = load_anes96(return_X_y=True, as_frame=True)
    reference = sm.GLM(
        y, sm.add_constant(X), family=sm.families.Binomial(sm.families.links.Probit())
    ).fit(tol=1e-13)
    assert payload["model"] == "FisherGLMRegressor" and payload["link"] == "probit"
    _assert_matches(payload, reference, ["const", *X.columns])
    # --link alone on a binary response chooses the binomial GLM as well.
    assert _json(cli, ["fit", "--link", "probit"])["params"] == payload["params"]


@needs_glm
def test_offset_and_weights_match_statsmodels(cli, folder):
    rng = np.random.default_rng(5)
    n = 400
    frame = pd.DataFrame({"x": rng.normal(size=n).round(5), "days": rng.integers(1, 30, n)})
    frame["log_days"] = np.log(frame["days"])
    frame["y"] = rng.poisson(np.exp(-1.0 + 0.5 * frame["x"] + frame["log_days"]))
    frame["w"] = rng.integers(1, 3, n)
    frame.to_csv(folder / "exposure.csv", index=False)
    arguments = ["fit", "{exposure.csv}", "--target", "y", "--features", "x"]
    payload = _json(cli, [*arguments, "--offset", "log_days", "--weights", "w"])
    reference = sm.GLM(
        frame["y"],
        sm.add_constant(frame[["x"]]),
        family=sm.families.Poisson(),
        offset=frame["log_days"],
        freq_weights=frame["w"],
    ).fit(tol=1e-13)
    assert payload["model"] == "FisherPoissonRegressor"  # chosen from the counts
    _assert_matches(payload, reference, ["const", "x"])


@needs_glm
@pytest.mark.parametrize(
    "response, model",
    [("binary", "FisherLogisticRegression"), ("counts", "FisherPoissonRegressor")]
    + [("positive", "FisherGammaRegressor"), ("real", "FisherGLMRegressor")],
)
def test_model_chosen_from_the_response(cli, folder, response, model):
    rng = np.random.default_rng(7)
    x = rng.normal(size=200)
    y = {
        "binary": (rng.random(200) < 0.4).astype(int),
        "counts": rng.poisson(np.exp(0.3 * x)),
        "positive": rng.gamma(2.0, np.exp(0.2 * x)),
        "real": 1.0 + x + rng.normal(size=200),
    }[response]
    pd.DataFrame({"x": x, "y": y}).to_csv(folder / f"{response}.csv", index=False)
    payload = _json(cli, ["fit", f"{{{response}.csv}}", "--target", "y"])
    assert payload["model"] == model
    if response == "real":
        assert payload["family"] == "gaussian"


def test_cluster_covariance_equals_the_library(cli):
    arguments = ["fit", "--cov-type", "cluster", "--groups", "PID"]
    payload = _json(cli, arguments)
    X, y = load_anes96(return_X_y=True)
    groups = sm.datasets.anes96.load_pandas().data["PID"].to_numpy()
    model = FisherLogisticRegression(cov_type="cluster").fit(X, y, groups=groups)
    assert_allclose(payload["standard_errors"], model.standard_errors_, rtol=SAME_FIT_RTOL)


def test_fit_warnings_are_one_line_each(cli, folder):
    # x separates the classes: the fit warns, and still prints its table.
    (folder / "separated.csv").write_text("y,x\n0,1\n0,2\n0,3\n1,4\n1,5\n1,6\n")
    status, out, err = cli(["fit", "{separated.csv}", "--target", "y"])
    assert status == 0 and "std err" in out
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("skfisher: warning: ") for line in lines)
    assert any("separat" in line for line in lines)


@needs_dist
def test_dist_family_equals_the_library(runs):
    out = _ok(runs, "dist_text")
    food = load_engel().target
    model = skfisher.MLEDistribution("gamma").fit(food)
    assert "Gamma distribution of 'foodexp'" in out
    for name, se in zip(model.param_names_, model.standard_errors_, strict=True):
        assert name in out and f"{se:.4f}" in out
    payload = json.loads(_ok(runs, "dist_json"))
    lognormal = skfisher.MLEDistribution("lognormal").fit(food)
    assert payload["param_names"] == list(lognormal.param_names_)
    assert_allclose(payload["params"], lognormal.params_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["standard_errors"], lognormal.standard_errors_, rtol=SAME_FIT_RTOL)


@needs_dist
def test_dist_auto_ranks_by_aic(runs):
    rows = list(csv.DictReader(io.StringIO(_ok(runs, "dist_auto_csv"))))
    food = load_engel().target
    aic = [float(row["aic"]) for row in rows]
    assert aic == sorted(aic)
    for row in rows[:3]:
        model = skfisher.MLEDistribution(row["family"]).fit(food)
        assert_allclose(float(row["aic"]), model.aic(food), rtol=SAME_FIT_RTOL)
    assert {"normal", "gamma", "lognormal"} <= {row["family"] for row in rows}
    assert not {"poisson", "negative_binomial"} & {row["family"] for row in rows}


@needs_dist
def test_dist_auto_on_counts_with_discrete_uses_discrete_families(cli):
    out = _ok_in_process(cli(["dist", "--dataset", "randhie", "--discrete"]))
    assert "integer data" in out
    table = out.split("\n\n")[1]
    assert "negative_binomial" in table and "poisson" in table
    assert "gamma" not in table and "normal" not in table


def test_warnings_name_the_columns(cli, folder):
    # b = 2a: the collinearity warning must name the columns, not x0 and x1.
    pairs = [(0, 1), (1, 2), (0, 3), (1, 5), (1, 4), (0, 0)]
    rows = "\n".join(f"{y},{a},{2 * a}" for y, a in pairs)
    (folder / "collinear.csv").write_text("y,a,b\n" + rows + "\n")
    status, out, err = cli(["fit", "{collinear.csv}", "--target", "y"])
    assert status == 0 and "std err" in out
    assert "'a'" in err and "'b'" in err and "'x0'" not in err


def test_bundled_modechoice_is_multinomial(cli):
    payload = _json(cli, ["fit", "--dataset", "modechoice"])
    X, y = load_modechoice(return_X_y=True)
    model = FisherLogisticRegression().fit(X, y)
    features = load_modechoice().feature_names
    expected = [f"{c}:{n}" for c in ["bus", "car", "train"] for n in ["intercept", *features]]
    assert payload["param_names"] == expected
    assert_allclose(payload["standard_errors"], model.standard_errors_, rtol=SAME_FIT_RTOL)


def test_string_target_with_three_classes_is_multinomial(cli, folder):
    rng = np.random.default_rng(11)
    x = rng.normal(size=240).round(4)
    y = np.where(x + rng.normal(size=240) > 0.5, "high", "low")
    y[rng.random(240) < 0.3] = "mid"
    pd.DataFrame({"y": y, "x": x}).to_csv(folder / "three.csv", index=False)
    payload = _json(cli, ["fit", "{three.csv}", "--target", "y"])
    assert payload["heading"].startswith("Multinomial logistic regression")
    assert payload["param_names"] == ["low:intercept", "low:x", "mid:intercept", "mid:x"]
    model = FisherLogisticRegression().fit(x[:, None], y)
    assert_allclose(payload["standard_errors"], model.standard_errors_, rtol=SAME_FIT_RTOL)
