"""``skfisher fit --model cox|aft``: survival regression on the command line.

Every number printed is checked against the estimator fitted in-process with the
arguments the options stand for, and the fits of the bundled veteran data against
R's ``coxph`` and ``survreg`` (``tests/reference/make_veteran_reference.R``), so a
wrong reference level, a stratum or weight dropped on the way, or a parameter
named after the wrong column fails. Every refusal runs in-process through
``main``; one fit runs as a user runs it, in a subprocess.
"""

import csv
import io
import json
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from skfisher import datasets
from skfisher._cli_args import AFT_DISTRIBUTIONS
from skfisher.datasets import load_veteran
from skfisher.survival import FisherCoxRegressor, FisherSurvivalRegressor

# The CLI prints repr-precision floats of the fit it ran; the same fit in-process.
SAME_FIT_RTOL = 1e-12
# R's coxph and survreg stop their Newton steps within about 1e-9 of the optimum.
PARAMS_RTOL, SE_RTOL = 1e-6, 1e-5
ROOT = Path(__file__).resolve().parents[1]
REFERENCE = json.loads((ROOT / "tests" / "reference" / "veteran_r.json").read_text())
FEATURES = ["trt", "smallcell", "adeno", "large", "karno", "diagtime", "age", "prior"]
LEVELS = ["control", "drug", "placebo"]  # the trial's arms, sorted: control the reference


def _trial_frame():
    """Tied survival times with a three-arm text column, two centres, clinics and weights."""
    rng = np.random.default_rng(21)
    n = 300
    x = rng.normal(size=n).round(6)
    arm = rng.choice(["placebo", "drug", "control"], size=n)
    centre = rng.choice(["north", "south"], size=n)
    effect = np.select([arm == "drug", arm == "placebo"], [-0.7, 0.2], 0.0)
    rate = np.exp(0.5 * x + effect) * np.where(centre == "north", 0.05, 0.1)
    latent, censor = rng.exponential(1 / rate), rng.exponential(20.0, size=n)
    return pd.DataFrame(
        {
            "days": np.ceil(np.minimum(latent, censor)),  # whole days: many ties
            "died": (latent <= censor).astype(int),
            "x": x,
            "arm": arm,
            "centre": centre,
            "clinic": rng.integers(0, 20, size=n),
            "w": rng.integers(1, 4, size=n),
        }
    )


def _trial_design(frame):
    """The features x and arm as the command line codes them (control the reference)."""
    X = pd.DataFrame({"x": frame["x"]})
    for level in ("drug", "placebo"):
        X[f"arm[T.{level}]"] = (frame["arm"] == level).astype(float)
    y = np.empty(len(frame), dtype=[("event", bool), ("time", float)])
    y["event"], y["time"] = frame["died"] == 1, frame["days"]
    return X, y


@pytest.fixture
def cli(run_cli, tmp_path):
    """``run_cli`` in a folder that holds ``trial.csv``, the raw veteran file and small files."""
    _trial_frame().to_csv(tmp_path / "trial.csv", index=False)
    raw = resources.files(datasets).joinpath("data", "veteran.csv").read_text()
    (tmp_path / "veteran.csv").write_text(raw)
    (tmp_path / "small.csv").write_text(
        "days,died,x,label\n5,1,0.3,a\n-2,0,1.2,b\n8,2,0.5,a\n4,1,0.1,b\n"
    )
    (tmp_path / "censored.csv").write_text("days,died,x\n5,0,1\n3,0,2\n7,0,3\n")
    (tmp_path / "zero.csv").write_text("days,died,x\n5,1,1\n0,1,2\n7,0,3\n4,1,5\n")
    (tmp_path / "gap.csv").write_text("days,died,x\n5,1,1\n3,0,2\n,1,3\n4,1,5\n9,1,4\n")
    (tmp_path / "separated.csv").write_text(
        "days,died,x\n" + "".join(f"{t},1,{-t}\n" for t in range(1, 9))  # x orders the deaths
    )
    return run_cli


def _json(result):
    status, out, err = result
    assert status == 0, err
    return json.loads(out)


def _error(result):
    status, out, err = result
    assert status == 2 and out == "", (status, out, err)
    assert err.startswith("skfisher: error: ") and err.count("\n") == 1, err
    return err


def _csv_rows(result):
    status, out, err = result
    assert status == 0, err
    return list(csv.reader(io.StringIO(out)))


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_veteran_cox_is_coxph_and_the_estimator(cli, ties):
    payload = _json(cli("fit", "--dataset", "veteran", "--ties", ties, "--format", "json"))
    expected = REFERENCE[ties]
    assert payload["model"] == "FisherCoxRegressor" and payload["ties"] == ties
    assert payload["param_names"] == FEATURES
    assert (payload["time"], payload["event"], payload["n_events"]) == ("time", "event", 128)
    assert_allclose(payload["params"], expected["coefficients"], rtol=PARAMS_RTOL)
    assert_allclose(payload["standard_errors"], expected["standard_errors"], rtol=SE_RTOL)
    assert_allclose([payload["null_loglik"], payload["loglik"]], expected["loglik"], rtol=1e-10)
    for name in ("likelihood_ratio", "wald", "score"):
        test = payload["global_tests"][name]
        assert_allclose([test["statistic"], test["df"]], expected[name][:2], rtol=PARAMS_RTOL)
        assert_allclose(test["pvalue"], expected[name][2], rtol=1e-4)
    assert payload["global_tests"]["robust_score"] is None
    X, y = load_veteran(return_X_y=True)
    model = FisherCoxRegressor(ties).fit(X, y)
    assert_allclose(payload["params"], model.params_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["covariance"], model.covariance_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["hazard_ratios"], np.exp(model.params_), rtol=SAME_FIT_RTOL)
    intervals = np.exp(model.summary().conf_int)
    assert_allclose(payload["hazard_ratio_conf_int"], intervals, rtol=SAME_FIT_RTOL)
    assert payload["concordance"] == pytest.approx(model.concordance_, rel=SAME_FIT_RTOL)


@pytest.mark.parametrize("distribution", AFT_DISTRIBUTIONS)
def test_veteran_aft_is_the_estimator(cli, distribution):
    arguments = ["fit", "--dataset", "veteran", "--model", "aft", "--format", "json"]
    payload = _json(cli(*arguments, "--distribution", distribution))
    X, y = load_veteran(return_X_y=True)
    model = FisherSurvivalRegressor(distribution).fit(X, y)
    tail = [] if distribution == "exponential" else ["log_scale"]
    assert payload["param_names"] == ["intercept", *FEATURES, *tail]
    assert payload["distribution"] == distribution
    assert_allclose(payload["params"], model.params_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["covariance"], model.covariance_, rtol=SAME_FIT_RTOL)
    assert payload["scale"] == pytest.approx(model.scale_, rel=SAME_FIT_RTOL)
    assert payload["null_loglik"] == pytest.approx(model.null_loglik_, rel=SAME_FIT_RTOL)
    test = payload["likelihood_ratio"]
    assert test["df"] == 8
    assert test["statistic"] == pytest.approx(2 * (model.loglik_ - model.null_loglik_))


def test_veteran_weibull_is_survreg(cli):
    # The default distribution is R's: survreg(dist = "weibull").
    payload = _json(cli("fit", "--dataset", "veteran", "--model", "aft", "--format", "json"))
    expected = REFERENCE["weibull"]
    params = [*expected["coefficients"], expected["log_scale"]]
    assert_allclose(payload["params"], params, rtol=PARAMS_RTOL, atol=1e-9)
    assert_allclose(payload["standard_errors"], expected["standard_errors"], rtol=SE_RTOL)
    assert_allclose([payload["null_loglik"], payload["loglik"]], expected["loglik"], rtol=1e-9)


CLUSTER = ["--cov-type", "cluster", "--groups", "clinic"]
OPTION_FITS = [
    ([], {}, {}),
    (["--ties", "breslow"], {"ties": "breslow"}, {}),
    (["--strata", "centre"], {}, {"strata": "centre"}),
    (["--weights", "w"], {}, {"sample_weight": "w"}),
    (["--cov-type", "sandwich"], {"cov_type": "sandwich"}, {}),
    (CLUSTER, {"cov_type": "cluster"}, {"groups": "clinic"}),
    (["--penalty", "0.5"], {"alpha": 0.5}, {}),
]


@pytest.mark.parametrize(("options", "params", "columns"), OPTION_FITS)
def test_cox_options_are_the_estimator_arguments(cli, options, params, columns):
    arguments = ["fit", "trial.csv", "--model", "cox", "--time", "days", "--event", "died"]
    payload = _json(cli(*arguments, "--features", "x,arm", *options, "--format", "json"))
    frame = _trial_frame()
    X, y = _trial_design(frame)
    fit_params = {name: frame[column].to_numpy() for name, column in columns.items()}
    model = FisherCoxRegressor(**params).fit(X, y, **fit_params)
    assert payload["param_names"] == ["x", "arm[T.drug]", "arm[T.placebo]"]
    assert payload["reference_levels"] == {"arm": "control"}
    assert_allclose(payload["params"], model.params_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["covariance"], model.covariance_, rtol=SAME_FIT_RTOL)
    assert payload["loglik"] == pytest.approx(model.loglik_, rel=SAME_FIT_RTOL)
    assert payload["strata"] == columns.get("strata")


WEIGHTS = {"sample_weight": "w"}
AFT_OPTION_FITS = [
    ([], {}, {}),
    (
        ["--weights", "w", "--cov-type", "observed"],
        {"cov_type": "observed"},
        {"sample_weight": "w"},
    ),
    (["--no-intercept"], {"fit_intercept": False}, {}),
]


@pytest.mark.parametrize(("options", "params", "columns"), AFT_OPTION_FITS)
def test_aft_options_are_the_estimator_arguments(cli, options, params, columns):
    arguments = ["fit", "trial.csv", "--model", "aft", "--time", "days", "--event", "died"]
    payload = _json(cli(*arguments, "--features", "x,arm", *options, "--format", "json"))
    frame = _trial_frame()
    X, y = _trial_design(frame)
    if "fit_intercept" in params:  # without an intercept arm keeps all its levels, as patsy
        X = X[["x"]].assign(**{f"arm[{level}]": frame["arm"] == level for level in LEVELS})
    fit_params = {name: frame[column].to_numpy() for name, column in columns.items()}
    model = FisherSurvivalRegressor(**params).fit(X.astype(float), y, **fit_params)
    assert payload["param_names"] == [str(name) for name in model.param_names_]
    assert_allclose(payload["params"], model.params_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["covariance"], model.covariance_, rtol=SAME_FIT_RTOL)
    assert ("likelihood_ratio" in payload) == ("fit_intercept" not in params)


def test_every_other_column_is_a_feature_and_text_columns_are_one_hot(cli):
    # The raw veteran file, as R has it: celltype one-hot against its first sorted
    # level (adeno), trt coded 1/2 and prior 0/10. The fit is coxph's all the same:
    # the log partial likelihood does not depend on the coding.
    arguments = ["fit", "veteran.csv", "--model", "cox", "--time", "time", "--event", "status"]
    payload = _json(cli(*arguments, "--format", "json"))
    assert payload["param_names"] == [
        "trt",
        "celltype[T.large]",
        "celltype[T.smallcell]",
        "celltype[T.squamous]",
        "karno",
        "diagtime",
        "age",
        "prior",
    ]
    assert payload["reference_levels"] == {"celltype": "adeno"}
    expected = dict(zip(FEATURES, REFERENCE["efron"]["coefficients"], strict=True))
    assert_allclose(payload["loglik"], REFERENCE["efron"]["loglik"][1], rtol=1e-10)
    params = dict(zip(payload["param_names"], payload["params"], strict=True))
    assert params["trt"] == pytest.approx(expected["trt"], rel=PARAMS_RTOL)
    assert params["prior"] == pytest.approx(expected["prior"] / 10, rel=PARAMS_RTOL)
    assert params["celltype[T.squamous]"] == pytest.approx(-expected["adeno"], rel=PARAMS_RTOL)


def test_text_output(cli):
    status, out, err = cli("fit", "--dataset", "veteran")
    assert status == 0 and err == "", err
    lines = out.splitlines()
    X, y = load_veteran(return_X_y=True, as_frame=True)
    model = FisherCoxRegressor().fit(X, y)
    assert lines[0] == (
        "Cox proportional-hazards regression of 'time' (event 'event'), by Fisher scoring"
    )
    assert lines[1].startswith("Data: the Veterans' Administration lung cancer trial")
    assert lines[2] == "Events: 128 of 137 (9 censored)"
    assert lines[3] == (
        f"Log partial likelihood = {model.loglik_:.6g}, at beta = 0: {model.null_loglik_:.6g}"
    )
    # Then the estimator's table, with the concordance and the three tests under it.
    assert out == "\n".join(lines[:4]) + "\n\n" + str(model.summary()) + "\n"
    assert lines[-3:] == str(model.global_tests()).splitlines()


def test_aft_text_says_the_likelihood_ratio_test(cli):
    status, out, _ = cli("fit", "--dataset", "veteran", "--model", "aft", "--distribution",
                         "loglogistic")  # fmt: skip
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("Log-logistic accelerated-failure-time regression of 'time'")
    X, y = load_veteran(return_X_y=True)
    model = FisherSurvivalRegressor("loglogistic").fit(X, y)
    statistic = 2 * (model.loglik_ - model.null_loglik_)
    assert lines[3].startswith(
        f"Log-likelihood = {model.loglik_:.6g}, intercept only: {model.null_loglik_:.6g}; "
        f"likelihood ratio test = {statistic:.6g} on 8 df, p="
    )
    assert any(line.startswith("log_scale ") for line in lines)


@pytest.mark.parametrize("model", ["cox", "aft"])
def test_csv_output_is_the_summary_table(cli, model):
    rows = _csv_rows(
        cli("fit", "--dataset", "veteran", "--model", model, "--format", "csv",
            "--conf-level", "0.9")
    )  # fmt: skip
    X, y = load_veteran(return_X_y=True)
    estimator = (FisherCoxRegressor() if model == "cox" else FisherSurvivalRegressor()).fit(X, y)
    table = estimator.summary(alpha=0.1)
    assert rows[0] == ["", *table.columns]
    assert rows[0][5:7] == ["[0.05", "0.95]"]
    if model == "cox":
        assert rows[0][7:] == ["exp(coef)", "exp [0.05", "0.95]"]
    names = [row[0] for row in rows[1:]]
    assert names == (FEATURES if model == "cox" else ["intercept", *FEATURES, "log_scale"])
    values = np.array([[float(cell) for cell in row[1:]] for row in rows[1:]])
    assert_allclose(values, table.values, rtol=SAME_FIT_RTOL)


def test_a_monotone_likelihood_warns_with_the_column_name(cli):
    arguments = ["fit", "separated.csv", "--model", "cox", "--time", "days", "--event", "died"]
    status, out, err = cli(*arguments, "--format", "json")
    assert status == 0
    assert "skfisher: warning: Monotone likelihood" in err
    assert "['x']" in err and "(x → +inf)" in err
    assert "--penalty > 0" in err  # the estimator's remedies, said as the options
    assert "--bias-reduction firth" in err
    payload = json.loads(out)
    assert payload["converged"] is False and payload["standard_errors"] == [None]
    status, out, err = cli(*arguments, "--bias-reduction", "firth", "--format", "json")
    assert status == 0 and "Monotone" not in err
    assert json.loads(out)["converged"] is True


def test_dropna_drops_a_missing_time(cli):
    arguments = ["fit", "gap.csv", "--model", "cox", "--time", "days", "--event", "died"]
    _error(cli(*arguments))
    status, out, err = cli(*arguments, "--dropna", "--format", "json")
    assert status == 0 and "dropped 1 of 5 rows" in err
    assert json.loads(out)["nobs"] == 4


def test_bundled_features_can_be_chosen(cli):
    arguments = ["fit", "--dataset", "veteran", "--features", "karno,trt", "--format", "json"]
    payload = _json(cli(*arguments, "--categorical", "trt"))
    X, y = load_veteran(return_X_y=True)
    model = FisherCoxRegressor().fit(X[:, [4, 0]], y)
    assert payload["param_names"] == ["karno", "trt[T.1]"]
    assert_allclose(payload["params"], model.params_, rtol=SAME_FIT_RTOL)


COX = ["fit", "trial.csv", "--model", "cox"]
AFT = ["fit", "trial.csv", "--model", "aft"]
GLM = ["fit", "trial.csv", "--target", "died"]
SMALL = ["fit", "small.csv", "--model", "cox"]
RESPONSE = ["--time", "days", "--event", "died"]
# Each bad input and a part of its one-line message.
ERRORS = [
    (COX, "--model cox needs --time COL and --event COL"),
    ([*COX, "--time", "days"], "--model cox needs --time COL and --event COL"),
    ([*AFT, "--event", "died"], "--model aft needs --time"),
    (["fit", "--dataset", "anes96", "--model", "cox"], "survival data are --dataset veteran"),
    ([*COX, "--time", "dayz", "--event", "died"], "--time 'dayz' is not a column of trial.csv"),
    ([*COX, "--time", "dayz", "--event", "died"], "(did you mean 'days'?)"),
    ([*COX, "--time", "days", "--event", "dead"], "--event 'dead' is not a column"),
    ([*COX, *RESPONSE, "--strata", "centr"], "--strata 'centr' is not a column"),
    ([*COX, "--time", "arm", "--event", "died"], "column 'arm' (--time) is not numeric"),
    ([*COX, "--time", "days", "--event", "arm"], "column 'arm' (--event) is not numeric"),
    ([*SMALL, *RESPONSE], "has the time -2 on data row 2; survival times must be non-negative"),
    ([*SMALL, "--time", "x", "--event", "died"], "'died' (--event) has the value 2 on data row 3"),
    ([*SMALL, "--time", "x", "--event", "died"], "code it 1 for an event and 0 for a censored"),
    (["fit", "censored.csv", "--model", "cox", *RESPONSE], "'died' (--event) has no events"),
    (["fit", "zero.csv", "--model", "aft", *RESPONSE], "time 0 on data row 2; survival times"),
    ([*COX, "--time", "days", "--event", "days"], "--time and --event name the same column"),
    ([*COX, *RESPONSE, "--features", "x,days"], "days cannot be both a feature and the time"),
    ([*COX, *RESPONSE, "--features", "x,w", "--weights", "w"], "w cannot be both a feature"),
    ([*COX, *RESPONSE, "--features", "x", "--categorical", "arm"], "'arm' is not a feature"),
    ([*COX, *RESPONSE, "--distribution", "weibull"], "--distribution is the law of the survival"),
    ([*GLM, "--distribution", "lognormal"], "add --model aft"),
    ([*AFT, *RESPONSE, "--ties", "breslow"], "--ties handles tied event times in --model cox"),
    ([*GLM, "--ties", "efron"], "--ties handles tied event times in --model cox only"),
    ([*AFT, *RESPONSE, "--strata", "centre"], "its own baseline hazard in --model cox only"),
    ([*GLM, *RESPONSE], "--time and --event are the response of the survival models"),
    ([*GLM, "--model", "poisson", "--event", "died"], "add --model cox"),
    ([*COX, *RESPONSE, "--target", "x"], "--model cox takes no --target"),
    ([*COX, *RESPONSE, "--family", "poisson"], "--model cox takes no --family"),
    ([*COX, *RESPONSE, "--link", "log"], "--model cox takes no --link"),
    ([*COX, *RESPONSE, "--levels", "a,b,c"], "--model cox takes no --levels"),
    ([*COX, *RESPONSE, "--zero-features", "x"], "--model cox takes no --zero-features"),
    ([*COX, *RESPONSE, "--offset", "x"], "--model cox takes no --offset"),
    ([*AFT, *RESPONSE, "--bias-reduction", "firth"], "--model aft takes no --bias-reduction"),
    ([*COX, *RESPONSE, "--bias-reduction", "flic"], "--model cox takes no --bias-reduction flic"),
    ([*COX, *RESPONSE, "--no-intercept"], "--model cox takes no --no-intercept"),
    ([*AFT, *RESPONSE, "--offset", "x"], "--model aft takes no --offset"),
    ([*COX, *RESPONSE, "--cov-type", "cluster"], "--cov-type cluster and --groups COL go"),
    ([*COX, *RESPONSE, "--groups", "clinic"], "--cov-type cluster and --groups COL go"),
    ([*COX, *RESPONSE, "--distribution", "gamma"], "argument --distribution: invalid choice"),
    ([*COX, *RESPONSE, "--ties", "exact"], "argument --ties: invalid choice"),
    ([*COX, *RESPONSE, "--weights", "arm"], "column 'arm' (--weights) is not numeric"),
    ([*COX, *RESPONSE, "--penalty", "-1"], "'alpha' parameter of FisherCoxRegressor"),
]


@pytest.mark.parametrize(("arguments", "message"), ERRORS, ids=[m[:40] for _, m in ERRORS])
def test_bad_input_is_one_line_and_status_2(cli, arguments, message):
    assert message in _error(cli(*arguments))


def test_a_user_fits_the_bundled_data():
    command = [sys.executable, "-m", "skfisher", "fit", "--dataset", "veteran", "--format", "csv"]
    result = subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[0].endswith(",exp(coef),exp [0.025,0.975]")
    assert [row.split(",")[0] for row in rows[1:]] == FEATURES


def test_help_lists_the_survival_options(cli):
    status, out, _ = cli("fit", "--help")
    assert status == 0
    for option in ("--time", "--event", "--ties", "--strata", "--distribution"):
        assert option in out


@pytest.mark.parametrize("model", ["cox", "aft"])
def test_command_line_page_shows_the_output(run_cli, model):
    # The page's survival examples and the output they show are those of the command.
    page = (ROOT / "docs" / "user_guide" / "command_line.rst").read_text(encoding="utf-8")
    match = re.search(
        rf"\.\. code-block:: bash\n\n   skfisher (fit [^\n]*--model {model}[^\n]*)\n\n"
        r"\.\. code-block:: text\n\n((?:   [^\n]*\n|\n)+)",
        page,
    )
    assert match, f"the --model {model} example of command_line.rst is missing"
    status, out, err = run_cli(*match.group(1).split())
    assert status == 0, err
    shown = "\n".join(line[3:] for line in match.group(2).rstrip("\n").splitlines())
    assert [line.rstrip() for line in shown.splitlines()] == [
        line.rstrip() for line in out.rstrip("\n").splitlines()
    ]


@pytest.mark.parametrize("model", ["cox", "aft"])
def test_a_survival_model_without_data_fits_the_bundled_survival_data(cli, model):
    bundled = _json(cli("fit", "--dataset", "veteran", "--model", model, "--format", "json"))
    assert _json(cli("fit", "--model", model, "--format", "json")) == bundled


def test_firth_cox_is_the_estimator(cli):
    arguments = ["fit", "--dataset", "veteran", "--bias-reduction", "firth", "--format", "json"]
    payload = _json(cli(*arguments))
    X, y = load_veteran(return_X_y=True)
    model = FisherCoxRegressor(bias_reduction="firth").fit(X, y)
    plain = FisherCoxRegressor().fit(X, y)
    assert not np.allclose(model.params_, plain.params_, rtol=1e-6)
    assert_allclose(payload["params"], model.params_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["covariance"], model.covariance_, rtol=SAME_FIT_RTOL)
    assert payload["loglik"] == pytest.approx(model.loglik_, rel=SAME_FIT_RTOL)
