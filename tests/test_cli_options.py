"""The fit options of the command line: bias reduction, the L2 penalty, the confidence
level, the iterations, and the remedies that messages name (each an option of the CLI).

Each run is in-process through ``main``; the numbers printed are checked against
the library's estimator fitted with the same arguments.
"""

import json
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from skfisher import FisherLogisticRegression
from skfisher._cli_args import as_options, build_parser
from skfisher._cli_fit import _link_name, _model_title
from skfisher.datasets import load_anes96

# The CLI prints repr-precision floats of the fit it ran; the same fit in-process.
SAME_FIT_RTOL = 1e-12

SEPARATED = "y,x,z\n0,1,0.3\n0,2,1.2\n0,3,0.4\n1,4,0.9\n1,5,0.1\n1,6,1.5\n0,2.5,0.7\n1,4.5,0.2\n"


@pytest.fixture
def cli(run_cli, tmp_path):
    """``run_cli`` in a folder that holds ``separated.csv``."""
    (tmp_path / "separated.csv").write_text(SEPARATED)
    return run_cli


def _json(result):
    status, out, err = result
    assert status == 0, err
    return json.loads(out)


def _anes96_fit(**params):
    X, y = load_anes96(return_X_y=True)
    return FisherLogisticRegression(**params).fit(X, y)


def _fit_options():
    """Every option string of ``skfisher fit``."""
    commands = next(
        action for action in build_parser()._actions if action.dest == "command"
    ).choices
    return {s for action in commands["fit"]._actions for s in action.option_strings}


@pytest.mark.parametrize("method", ["firth", "flic"])
def test_bias_reduction(cli, method):
    payload = _json(cli("fit", "--bias-reduction", method, "--format", "json"))
    model = _anes96_fit(bias_reduction=method)
    assert_allclose(payload["params"], model.params_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["standard_errors"], model.standard_errors_, rtol=SAME_FIT_RTOL)


def test_firth_under_separation_is_finite_and_quiet(cli):
    status, out, err = cli("fit", "separated.csv", "--target", "y", "--bias-reduction", "firth")
    assert status == 0 and "std err" in out
    assert "separat" not in err  # the remedy the warning names works


def test_penalty_is_the_l2_alpha(cli):
    payload = _json(cli("fit", "--penalty", "0.05", "--format", "json"))
    model = _anes96_fit(alpha=0.05)
    assert_allclose(payload["params"], model.params_, rtol=SAME_FIT_RTOL)
    assert_allclose(payload["standard_errors"], model.standard_errors_, rtol=SAME_FIT_RTOL)
    assert not np.allclose(payload["params"], _anes96_fit().params_)


def test_conf_level(cli):
    payload = _json(cli("fit", "--conf-level", "0.9", "--format", "json"))
    model = _anes96_fit()
    # Wald interval: estimate ± z_{0.95} se, with scipy's normal quantile.
    z = stats.norm.ppf(0.95)
    expected = np.column_stack(
        [model.params_ - z * model.standard_errors_, model.params_ + z * model.standard_errors_]
    )
    assert payload["conf_level"] == 0.9
    assert_allclose(payload["conf_int"], expected, rtol=1e-12)
    status, out, _ = cli("fit", "--conf-level", "0.9", "--format", "csv")
    assert out.splitlines()[0].endswith("[0.05,0.95]")


@pytest.mark.parametrize(
    "deprecated, current",
    [
        (["--alpha", "0.1"], ["--conf-level", "0.9"]),
        (
            ["fit", "--alpha", "0.1", "--format", "csv"],
            ["fit", "--conf-level", "0.9", "--format", "csv"],
        ),
    ],
)
def test_alpha_is_a_deprecated_conf_level(cli, deprecated, current):
    status, out, err = cli(*deprecated)
    assert status == 0
    assert "--alpha is deprecated" in err and "--conf-level 0.9" in err and "--penalty" in err
    assert out == cli(*current)[1]


@pytest.mark.parametrize(
    "arguments, phrase",
    [
        (["fit", "--alpha", "0.1", "--conf-level", "0.9"], "--conf-level only"),
        (["fit", "--conf-level", "95"], "--conf-level must be in (0, 1)"),
        (["--conf-level", "0"], "--conf-level must be in (0, 1)"),
        (["fit", "--bias-reduction", "ridge"], "invalid choice: 'ridge'"),
        (["fit", "--dataset", "modechoice", "--bias-reduction", "firth"], "no --bias-reduction"),
    ],
)
def test_bad_options_are_one_line(cli, arguments, phrase):
    status, out, err = cli(*arguments)
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1, err
    assert phrase in err


def _options_named(text):
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", text))


def test_separation_warning_names_cli_options(cli):
    # The warning advised bias_reduction='firth' and alpha > 0, which the CLI
    # did not take (its --alpha was the confidence level).
    status, out, err = cli("fit", "separated.csv", "--target", "y", "--features", "x")
    assert status == 0 and "std err" in out
    assert "--bias-reduction firth" in err and "--penalty > 0" in err
    assert "bias_reduction=" not in err and "alpha > 0" not in err
    assert _options_named(err) <= _fit_options()


def test_convergence_warning_names_cli_options(cli):
    status, out, err = cli("fit", "--max-iter", "1")
    assert status == 0
    assert "Increase --max-iter, loosen --tol" in err and "(--tol 1e-08)" in err
    assert _options_named(err) <= _fit_options()


@pytest.mark.parametrize(
    "message, expected",
    [
        ("set bias_reduction='firth' (finite)", "set --bias-reduction firth (finite)"),
        ("setting alpha > 0.", "setting --penalty > 0."),
        ("Set bias_reduction=None, or fit", "Set no --bias-reduction, or fit"),
        ("Use cov_type='sandwich'.", "Use --cov-type sandwich."),
        ("Use family='poisson'.", "Use --family poisson."),
        (
            "steps long (tol=1e-08). Increase max_iter",
            "steps long (--tol 1e-08). Increase --max-iter",
        ),
        ("hold them with fixed={'n': ...}.", "hold them with --fixed n=VALUE."),
        ("but fit_intercept=False. Set", "but --no-intercept. Set"),
        # Quoted words are column names: left as they are.
        (
            "the parameters ['tol', 'max_iter'] are not",
            "the parameters ['tol', 'max_iter'] are not",
        ),
        # The negative binomial's alpha is not the penalty: left as it is.
        ("(alpha=1.2e-08 after 9 iterations)", "(alpha=1.2e-08 after 9 iterations)"),
    ],
)
def test_as_options(message, expected):
    assert as_options(message) == expected


def test_column_names_in_errors_are_not_rewritten(cli, tmp_path):
    (tmp_path / "data.csv").write_text("y,tol\n1,0.5\n0,1.5\n")
    status, _, err = cli("fit", "data.csv", "--target", "y", "--features", "toll")
    assert status == 2 and "did you mean 'tol'?" in err and "--tol" not in err


@pytest.mark.parametrize(
    "arguments", [["--cov-type", "sandwich", "fit"], ["--conf-level", "0.9", "dist"]]
)
def test_options_before_the_command_are_refused(cli, arguments):
    # They were ignored: the fit ran with the defaults.
    status, out, err = cli(*arguments)
    assert status == 2 and out == ""
    assert f"{arguments[0]} comes after the command: skfisher {arguments[-1]}" in err


def test_the_logistic_model_is_recognised_by_its_class():
    # The CLI compared type(estimator).__name__ with "FisherLogisticRegression":
    # a subclass was titled a "Binomial regression".
    class Subclass(FisherLogisticRegression):
        pass

    X, y = load_anes96(return_X_y=True)
    model = Subclass().fit(X, y)
    assert _link_name(model, "binomial", None) == "logit"
    assert _model_title(model, "binomial", "logit") == "Logistic regression"


def test_help_lists_the_options(cli):
    status, out, _ = cli("fit", "--help")
    for option in ("--bias-reduction", "--penalty", "--conf-level", "--max-iter", "--tol"):
        assert option in out
    for option in ("--sep", "--encoding", "--na-values", "--dropna", "--decimal"):
        assert option in out
