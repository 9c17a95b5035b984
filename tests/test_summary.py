"""summary(): what the table's numbers are, and that its labels say so.

A penalised fit names its penalty and explains its standard errors; a table
with profile intervals shows the likelihood-ratio tests that those intervals
invert (penalised for Firth fits, as R's logistf prints), checked against a
likelihood-ratio test computed here from the densities and against
firthmodels where it is installed.
"""

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import optimize, stats
from scipy.special import expit
from sklearn.datasets import load_wine

from skfisher import FisherLogisticRegression
from skfisher._summary import SummaryTable
from skfisher.datasets import load_anes96


def _fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return model.fit(X, y)


@pytest.fixture(scope="module")
def anes96():
    X, y = load_anes96(return_X_y=True, as_frame=True)
    return X, y


# Penalised fits -------------------------------------------------------------------
def test_a_penalised_table_names_the_penalty_and_what_its_errors_are(anes96):
    X, y = anes96
    model = _fit(FisherLogisticRegression(alpha=0.01), X, y)
    table = model.summary()
    printed = str(table)
    assert "L2 penalty:" in printed and "alpha=0.01" in printed
    # The note is printed under the table, wrapped to its width.
    assert " ".join(printed.split("=" * 78)[-1].split()) == " ".join(table.notes[0].split())
    note = table.notes[0]
    assert "inverse of the penalised information" in note
    assert "not the usual Wald tests" in note and "refit with alpha=0" in note
    # What the note says: the errors are those of I(θ̂) + α Σw on the slopes,
    # the curvature of the penalised objective, formed here from the data.
    X1 = np.column_stack([np.ones(len(y)), X.to_numpy()])
    mu = expit(X1 @ model.params_)
    curvature = X1.T @ (X1 * (mu * (1 - mu))[:, None])
    curvature += np.diag(np.r_[0.0, np.full(X.shape[1], 0.01 * len(y))])
    # Two inversions of the same 6 × 6 matrix: rounding only.
    assert_allclose(model.summary().standard_errors, np.sqrt(np.diag(np.linalg.inv(curvature))))
    plain = str(_fit(FisherLogisticRegression(), X, y).summary())
    assert "penalty" not in plain and "Note" not in plain


@pytest.mark.parametrize(
    ("cov_type", "phrase"),
    [("fisher", "posterior"), ("sandwich", "shrunk, expectation"), ("empirical", "outer")],
)
def test_the_note_describes_each_covariance(anes96, cov_type, phrase):
    X, y = anes96
    model = _fit(FisherLogisticRegression(alpha=0.1, cov_type=cov_type), X, y)
    table = model.summary()
    assert len(table.notes) == 1 and phrase in table.notes[0]
    assert "alpha=0.1" in table.notes[0]


def test_a_penalised_multinomial_table_keeps_its_note_under_the_classes():
    data = load_wine(as_frame=True)
    X, y = data.data[["alcohol", "malic_acid"]], data.target
    printed = str(_fit(FisherLogisticRegression(alpha=0.05), X, y).summary())
    assert "class 1 vs reference 0" in printed and "alpha=0.05" in printed
    assert printed.index("class 2 vs reference 0") < printed.index("Note: the fit maximises")


# Likelihood-ratio tests beside profile intervals --------------------------------------
def _small_quasi_separated():
    """40 rows; the dummy is 1 on 6 events and on a single non-event."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=40)
    dummy = np.zeros(40)
    y = (rng.random(40) < expit(-0.5 + x)).astype(int)
    dummy[:7], y[:6], y[6] = 1.0, 1, 0
    return np.column_stack([x, dummy]), y


def _penalised_loglik(beta, X1, y):
    eta = X1 @ beta
    mu = expit(eta)
    _, logdet = np.linalg.slogdet(X1.T @ (X1 * (mu * (1 - mu))[:, None]))
    return y @ eta - np.logaddexp(0, eta).sum() + 0.5 * logdet


def _penalised_lr(X1, y, j, start):
    """2 [ℓ*(β̂) − max ℓ*(β | β_j = 0)] by BFGS on the densities, from ``start``."""
    free = np.delete(np.arange(X1.shape[1]), j)

    def negative(b, columns):
        beta = np.zeros(X1.shape[1])
        beta[columns] = b
        return -_penalised_loglik(beta, X1, y)

    full = optimize.minimize(
        negative, start, args=(np.arange(X1.shape[1]),), method="BFGS", options={"gtol": 1e-10}
    )
    restricted = optimize.minimize(
        negative, start[free], args=(free,), method="BFGS", options={"gtol": 1e-10}
    )
    return 2 * (restricted.fun - full.fun)


def test_a_firth_profile_table_shows_penalised_likelihood_ratio_tests():
    X, y = _small_quasi_separated()
    model = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y)
    table = model.summary(ci="profile")
    frame = table.to_frame()
    assert list(frame.columns[2:4]) == ["LR chi2", "P>chi2 (LR)"]
    printed = str(table)
    assert "P>chi2 (LR)" in printed and "P>|z|" not in printed
    assert "penalized LR" in printed and "profile likelihood" in printed
    X1 = np.column_stack([np.ones(len(y)), X])
    expected = [_penalised_lr(X1, y, j, model.params_) for j in range(3)]
    # BFGS to a gradient of 1e-10 on three parameters against refits to a
    # Newton decrement of 1e-10: the statistics agree to 1e-6.
    assert_allclose(table.statistic, expected, rtol=1e-6)
    assert_allclose(table.pvalues, stats.chi2.sf(expected, 1), rtol=1e-6)
    assert_allclose(table.pvalues, model.lr_pvalues_, rtol=0)
    assert_allclose(table.conf_int, model.conf_int(method="profile"), rtol=0)
    # The Wald p-value of the dummy is far from the penalised LR one (the
    # difference logistf users see), and the table no longer shows it.
    wald = model.summary().pvalues
    assert table.pvalues[2] < 0.5 * wald[2]
    # Each interval excludes 0 exactly when its test rejects at 5%.
    excludes = (table.conf_int[:, 0] > 0) | (table.conf_int[:, 1] < 0)
    assert np.array_equal(excludes, table.pvalues < 0.05)


def test_the_firth_tests_agree_with_firthmodels():
    firthmodels = pytest.importorskip("firthmodels")
    X, y = _small_quasi_separated()
    ours = _fit(FisherLogisticRegression(bias_reduction="firth"), X, y)
    theirs = firthmodels.FirthLogisticRegression(gtol=1e-8, xtol=1e-8, max_iter=200)
    theirs.fit(X, y).lrt()
    order = [1, 2, 0]  # theirs put the intercept last
    # Their solver stops at a gradient of 1e-8: p-values agree to 1e-5.
    assert_allclose(ours.summary(ci="profile").pvalues[order], theirs.lrt_pvalues_, rtol=1e-5)


def test_a_plain_profile_table_shows_the_likelihood_ratio_tests_of_statsmodels(anes96):
    X, y = anes96
    X = X[["selfLR", "age", "educ"]]
    model = _fit(FisherLogisticRegression(), X, y)
    table = model.summary(ci="profile")
    full = sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-12)
    reduced = sm.Logit(y, sm.add_constant(X.drop(columns="age"))).fit(disp=0, tol=1e-12)
    # Both fits to Newton steps of 1e-10 and below: the difference of
    # log-likelihoods near −500 keeps about 8 digits.
    assert_allclose(table.statistic[2], 2 * (full.llf - reduced.llf), rtol=1e-6)
    assert "likelihood ratio" in str(table) and "penalized" not in str(table)


# The table itself -----------------------------------------------------------------
def test_to_frame_and_print_follow_the_columns():
    table = SummaryTable("t", [("Model", "m")], ["a", "b"], [1.0, -2.0], [0.5, 1.0])
    assert table.columns == ["coef", "std err", "z", "P>|z|", "[0.025", "0.975]"]
    assert_allclose(table.values[:, 2], [2.0, -2.0])
    table.use_likelihood_ratio([4.0, 1.0], [0.0455, 0.3173], [[0.1, 2.0], [-4.0, 0.1]])
    frame = table.to_frame()
    assert list(frame.columns) == ["coef", "std err", "LR chi2", "P>chi2 (LR)", "[0.025", "0.975]"]
    assert_allclose(frame["LR chi2"], [4.0, 1.0])
    assert_allclose(table.z, [2.0, -2.0])  # the Wald statistics stay available
    header = next(line for line in str(table).splitlines() if "coef" in line)
    # Every heading stands apart from its neighbour.
    assert " P>chi2 (LR)" in header and header.split() == [
        "coef",
        "std",
        "err",
        "LR",
        "chi2",
        "P>chi2",
        "(LR)",
        "[0.025",
        "0.975]",
    ]
