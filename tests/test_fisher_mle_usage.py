"""FisherMLE in use: scikit-learn's tools, densities without y, identification and bad input.

The models are those of ``test_fisher_mle.py``, module-level functions so that
the fitted estimators pickle.
"""

import doctest
import pickle
import re
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.utils.estimator_checks import estimator_checks_generator

from skfisher import FisherMLE, FisherPoissonRegressor
from skfisher._likelihood import _estimator
from skfisher.exceptions import CollinearityWarning

from .test_fisher_mle import (
    POISSON_DERIVATIVES,
    beta_loglik,
    gaussian_information,
    gaussian_loglik,
    gaussian_model,
    gaussian_score,
    poisson_data,
    poisson_information,
    poisson_loglik,
    poisson_predict,
    poisson_score,
    student_loglik,
    tobit_data,
    tobit_loglik,
)


def gumbel_loglik(params, X, y):
    return stats.gumbel_r.logpdf(X[:, 0], params[0], np.exp(params[1]))


def test_an_unconditional_density_fits_without_y():
    x = stats.gumbel_r.rvs(2.0, 3.0, size=400, random_state=6)
    model = FisherMLE(gumbel_loglik, start=[np.median(x), np.log(np.std(x))])
    model.fit(x.reshape(-1, 1))
    loc, scale = stats.gumbel_r.fit(x)
    assert_allclose(model.params_, [loc, np.log(scale)], rtol=1e-6)
    assert_allclose(model.loglik_, stats.gumbel_r.logpdf(x, loc, scale).sum(), rtol=1e-12)
    assert_allclose(model.score(x.reshape(-1, 1)), model.loglik_ / 400)


@pytest.mark.parametrize("derivatives", POISSON_DERIVATIVES, ids=str)
def test_parameters_the_data_do_not_identify_are_named_and_get_nan(derivatives):
    X, y, _, _ = poisson_data()
    twice = np.column_stack([X, X[:, 0]])
    reference = FisherPoissonRegressor()
    with pytest.warns(CollinearityWarning):
        reference.fit(twice, y)
    model = FisherMLE(poisson_loglik, start=np.zeros(5), **POISSON_DERIVATIVES[derivatives])
    with pytest.warns(CollinearityWarning, match=r"\['theta1', 'theta4'\] are not identified"):
        model.fit(twice, y)
    assert_allclose(model.standard_errors_, reference.standard_errors_, rtol=1e-9)
    assert np.isnan(model.standard_errors_[[1, 4]]).all()
    assert_allclose(model.params_[1] + model.params_[4], reference.params_[[1, 4]].sum())


# -- (6) scikit-learn integration ------------------------------------------------


def test_cross_validation_and_grid_search_choose_by_held_out_likelihood():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(240, 2))
    y = X @ [1.0, -0.5] + stats.t.rvs(df=3, size=240, random_state=rng)
    cv = KFold(4, shuffle=True, random_state=0)
    model = gaussian_model(score_obs=gaussian_score, information_obs=gaussian_information)
    scores = cross_val_score(model, X, y, cv=cv)
    train, test = next(cv.split(X))
    fitted = clone(model).fit(X[train], y[train])
    assert_allclose(scores[0], gaussian_loglik(fitted.params_, X[test], y[test]).mean())
    search = GridSearchCV(model, {"loglik_obs": [gaussian_loglik, student_loglik]}, cv=cv)
    search.fit(X, y)
    # Student-t noise: the t₃ likelihood wins on held-out data.
    assert search.best_params_["loglik_obs"] is student_loglik
    assert search.best_estimator_.information_ is not None


def test_clone_keeps_the_callables_and_pickle_keeps_the_fit():
    X, y, weights, _ = poisson_data()
    model = FisherMLE(poisson_loglik, start=np.zeros(4), predict_func=poisson_predict)
    copy = clone(model)
    assert copy.loglik_obs is poisson_loglik and copy.predict_func is poisson_predict
    model.fit(X, y, sample_weight=weights)
    restored = pickle.loads(pickle.dumps(model))
    assert_allclose(restored.covariance_, model.covariance_, rtol=0)
    assert_allclose(restored.predict(X), model.predict(X), rtol=0)
    assert_allclose(restored.score(X, y), model.score(X, y), rtol=0)
    assert "FisherMLE(poisson_loglik)" in str(restored.summary())


def test_summary_conf_int_and_loglik_samples():
    X, y = tobit_data()
    names = ["const", "x1", "x2", "log_sigma"]
    model = FisherMLE(tobit_loglik, start=np.zeros(4), param_names=names).fit(X, y)
    frame = model.summary().to_frame()
    assert frame.index.tolist() == names
    assert_allclose(frame["std err"], model.standard_errors_)
    z = stats.norm.ppf(0.975)
    assert_allclose(model.conf_int()[:, 1], model.params_ + z * model.standard_errors_)
    assert_allclose(model.loglik_samples(X, y), tobit_loglik(model.params_, X, y))
    assert_allclose(model.score(X, y), model.loglik_ / len(y))
    assert_allclose(model.aic_, -2 * model.loglik_ + 8)


def _guide_blocks(kind):
    text = (Path(__file__).parents[1] / "docs" / "user_guide" / "extending.rst").read_text()
    pattern = rf"\.\. code-block:: {kind}\n\n((?:   .*\n|\n)+)"
    return [textwrap.dedent(block) for block in re.findall(pattern, text)]


@pytest.mark.slow
def test_user_guide_code_runs_and_prints_the_summary_it_shows(capsys):
    namespace = {}
    for block in _guide_blocks("python"):
        exec(compile(block, "extending.rst", "exec"), namespace)
    printed = capsys.readouterr().out
    shown = _guide_blocks("text")[0]
    assert [line.rstrip() for line in printed.strip("\n").splitlines()] == [
        line.rstrip() for line in shown.strip("\n").splitlines()
    ]
    assert np.abs(namespace["fast"].params_ - namespace["model"].params_).max() < 1e-12
    assert_allclose(namespace["robust"].standard_errors_, [0.0471, 0.0552, 0.041], atol=5e-5)


def test_docstring_example_runs():
    result = doctest.testmod(_estimator, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5 and result.failed == 0


def _named_checks(estimator, expected_failed_checks):
    """scikit-learn's checks of ``estimator``, each with the check's name alone as its id.

    The estimator's repr shows its functions' addresses, which differ between
    processes (each pytest-xdist worker collects the tests itself).
    """
    for item in estimator_checks_generator(
        estimator, expected_failed_checks=expected_failed_checks, mark="xfail"
    ):
        values, marks = (item.values, item.marks) if hasattr(item, "marks") else (item, ())
        check = values[1]
        yield pytest.param(*values, id=getattr(check, "func", check).__name__, marks=marks)


@pytest.mark.parametrize(
    ("estimator", "check"),
    _named_checks(
        gaussian_model(score_obs=gaussian_score, information_obs=gaussian_information),
        # 30 features on 15 rows: the normal likelihood is unbounded (σ → 0) and no
        # maximum exists for weights and repeated rows to agree on.
        {"check_sample_weight_equivalence_on_dense_data": "more parameters than rows"},
    ),
)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", CollinearityWarning)
        check(estimator)


# -- (7) bad input -----------------------------------------------------------------


def summed_loglik(params, X, y):
    return poisson_loglik(params, X, y).sum()


def short_loglik(params, X, y):
    return poisson_loglik(params, X, y)[:-1]


def wide_score(params, X, y):
    return np.hstack([poisson_score(params, X, y), np.ones((len(y), 1))])


def flat_information(params, X, y):
    return poisson_information(params, X, y).reshape(len(y), -1)


def negative_information(params, X, y):
    return -poisson_information(params, X, y)


def lopsided_information(params, X, y):
    info = poisson_information(params, X, y)
    info[:, 0, 1] += 1.0
    return info


def near_zero_scale_loglik(params, X, y):
    return stats.norm.logpdf(y, params[0], 1.0) + np.log(params[1]) - params[1]


def bad_start(X, y):
    return np.zeros((2, 2))


def row_predict(params, X):
    return np.zeros(3)


BAD_FITS = {
    "no loglik": ({}, "needs loglik_obs"),
    "loglik not callable": ({"loglik_obs": 3.0}, "'loglik_obs' parameter"),
    "score not callable": (
        {"loglik_obs": poisson_loglik, "score_obs": "x"},
        "'score_obs' parameter",
    ),
    "no start": ({"loglik_obs": poisson_loglik, "start": None}, "needs starting values"),
    "start 2-D": ({"loglik_obs": poisson_loglik, "start": bad_start}, "1-D array"),
    "start nan": ({"loglik_obs": poisson_loglik, "start": [0, np.nan, 0, 0]}, "finite"),
    "sum returned": ({"loglik_obs": summed_loglik}, "not their sum"),
    "one row short": ({"loglik_obs": short_loglik}, r"shape \(300,\); got shape \(299,\)"),
    "not finite at start": (
        {"loglik_obs": poisson_loglik, "start": [800.0, 0, 0, 0]},
        "not finite at the starting values",
    ),
    "names too few": (
        {"loglik_obs": poisson_loglik, "param_names": ["a", "b"]},
        "each of the 4 parameters",
    ),
    "names repeat": (
        {"loglik_obs": poisson_loglik, "param_names": ["a", "b", "a", "c"]},
        "distinct",
    ),
    "score shape": ({"loglik_obs": poisson_loglik, "score_obs": wide_score}, r"\(300, 4\)"),
    "information shape": (
        {"loglik_obs": poisson_loglik, "information_obs": flat_information},
        r"\(300, 4, 4\)",
    ),
    "information negative": (
        {"loglik_obs": poisson_loglik, "information_obs": negative_information},
        "not positive semi-definite",
    ),
    "information asymmetric": (
        {"loglik_obs": poisson_loglik, "information_obs": lopsided_information},
        "symmetric",
    ),
}


@pytest.mark.parametrize("case", BAD_FITS, ids=str)
def test_bad_input_raises_a_value_error_with_a_remedy(case):
    X, y, _, _ = poisson_data()
    kwargs, message = BAD_FITS[case]
    model = FisherMLE(**{"start": np.zeros(4), **kwargs})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ValueError, not a numpy RuntimeWarning
        with pytest.raises(ValueError, match=message):
            model.fit(X, y)


def test_a_difference_point_outside_the_domain_is_named():
    rng = np.random.default_rng(5)
    y = rng.normal(size=50)
    X = np.zeros((50, 1))
    model = FisherMLE(near_zero_scale_loglik, start=[0.0, 1e-12], param_names=["mu", "scale"])
    with pytest.raises(ValueError, match=r"\['scale'\].*unconstrained scale"):
        model.fit(X, y)


def test_bad_weights_groups_and_predictions():
    X, y, _, clusters = poisson_data()
    model = FisherMLE(poisson_loglik, start=np.zeros(4))
    with pytest.raises(ValueError, match="non-negative"):
        model.fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="groups are used only by cov_type='cluster'"):
        model.fit(X, y, groups=clusters)
    with pytest.raises(ValueError, match="needs the cluster of every sample"):
        clone(model).set_params(cov_type="cluster").fit(X, y)
    model.fit(X, y)
    with pytest.raises(ValueError, match=r"predict_func.*set_params\(predict_func="):
        model.predict(X)
    with pytest.raises(ValueError, match="one prediction per row"):
        model.set_params(predict_func=row_predict).predict(X)
    y_nan = y.copy()
    y_nan[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.score(X, y_nan)


def test_a_nan_log_density_on_new_data_is_an_error_not_a_nan_score():
    rng = np.random.default_rng(7)
    X = np.column_stack([np.ones(50), rng.normal(size=50)])
    y = rng.beta(3.0, 4.0, size=50)
    model = FisherMLE(beta_loglik, start=np.zeros(3)).fit(X, y)
    outside = y.copy()
    outside[3] = 1.5  # log1p(-1.5) is nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="nan at params_ for 1 of 50 rows"):
            model.score(X, outside)
