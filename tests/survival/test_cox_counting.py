"""FisherCoxRegressor on counting-process data, y = [start, stop, event].

Against statsmodels' ``PHReg(stop, X, status, entry=start)``: Breslow's and
Efron's ties, strata, frequency weights (statsmodels has none: the rows
repeated), the baseline, and the robust covariance by subject (of split rows,
against statsmodels' of the rows unsplit). statsmodels counts a row in the
risk set of a time equal to its entry (R and this estimator do not: the row
is at risk over (start, stop]), so the starts here are never event times.
Then the forms and checks of y, the estimator in a pipeline and in
cross-validation, and the invariance to a shift of the time origin.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.model_selection import GroupKFold, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from statsmodels.duration.hazard_regression import PHReg

from skfisher.survival import FisherCoxRegressor

from ._data import simulate


def counting_data(subjects=150, seed=0, tied=False, strata=1):
    """Return ``X, y, subject, strata``: rows (start, stop] of subjects whose x3 changes.

    Each subject enters at a time in [0, 1), is followed to an exponential time
    (its hazard doubling when x3 switches on), and is split at up to two
    times, x3 drawn anew on each piece. ``tied=True`` rounds the stops up to
    integers and puts the starts and cuts at half-integers, so that event
    times tie and no start is an event time.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for subject in range(subjects):
        x1, x2, stratum = rng.normal(), rng.binomial(1, 0.5), rng.integers(strata)
        entry = rng.uniform(0.0, 1.0)
        end = entry + rng.exponential(3.0 * np.exp(-0.6 * x1 + 0.4 * x2) / (1 + stratum))
        event = float(rng.uniform() < 0.75)
        cuts = np.sort(rng.uniform(entry, end, rng.integers(0, 3)))
        if tied:
            entry, end = np.floor(entry) + 0.5, max(np.ceil(end), np.floor(entry) + 1.0)
            cuts = np.unique(np.floor(cuts) + 0.5)
            cuts = cuts[(cuts > entry) & (cuts < end)]
        bounds = np.r_[entry, cuts, end]
        for j in range(bounds.size - 1):
            last = j == bounds.size - 2
            x3 = rng.normal() + 0.5 * j
            rows.append([x1, x2, x3, bounds[j], bounds[j + 1], event * last, subject, stratum])
    rows = np.array(rows)
    return rows[:, :3], rows[:, 3:6], rows[:, 6].astype(int), rows[:, 7].astype(int)


TIES = ["efron", "breslow"]
CASES = [
    pytest.param({"tied": False}, id="distinct"),
    pytest.param({"tied": True}, id="tied"),
    pytest.param({"tied": True, "strata": 3}, id="tied-strata"),
]


def _statsmodels(X, y, ties, strata=None, groups=None):
    model = PHReg(y[:, 1], X, status=y[:, 2], entry=y[:, 0], ties=ties, strata=strata)
    return model, model.fit(groups=groups, tol=1e-12)


def test_the_data_have_what_the_tests_need():
    X, y, subject, _ = counting_data(tied=True)
    events = y[y[:, 2] == 1, 1]
    assert np.unique(events).size < events.size  # tied event times
    assert not np.isin(y[:, 0], events).any()  # no start at an event time
    assert np.bincount(subject).max() >= 3 and np.all(y[:, 0] < y[:, 1])


@pytest.mark.parametrize("ties", TIES)
@pytest.mark.parametrize("case", CASES)
def test_estimates_errors_loglik_and_matrices_equal_phreg(ties, case):
    X, y, _, codes = counting_data(seed=1, **case)
    strata = codes if "strata" in case else None
    model, ref = _statsmodels(X, y, ties, strata)
    ours = FisherCoxRegressor(ties).fit(X, y, strata=strata)
    assert_allclose(ours.coef_, ref.params, rtol=1e-6)
    assert_allclose(ours.standard_errors_, ref.bse, rtol=1e-5)
    assert_allclose(ours.loglik_, ref.llf, rtol=1e-8)
    assert_allclose(ours.observed_information_, -model.hessian(ref.params), rtol=1e-6)
    assert_allclose(ours.score_, model.score(ours.coef_), atol=1e-8)
    assert_allclose(ours.null_loglik_, model.loglike(np.zeros(3)), rtol=1e-10)


def split(y, seed, times=None):
    """Split each row of ``[time, event]`` data at up to three interior times.

    Returns ``(y, rows)``: the pieces ``[start, stop, event]``, the first from
    0, the event on the last, and the row each comes from. The cuts are drawn
    from ``times`` (e.g. the event times, where a piece ending there is at
    risk and the next is not) and uniformly.
    """
    rng = np.random.default_rng(seed)
    pieces = []
    for i, (time, event) in enumerate(y):
        cuts = rng.uniform(0.0, time, rng.integers(0, 4))
        if times is not None and rng.uniform() < 0.5:
            cuts = np.r_[cuts, rng.choice(times, 2)]
        cuts = np.unique(cuts[(cuts > 0) & (cuts < time)])
        bounds = np.r_[0.0, cuts, time]
        for j in range(bounds.size - 1):
            pieces.append([bounds[j], bounds[j + 1], event * (j == bounds.size - 2), i])
    pieces = np.array(pieces)
    return pieces[:, :3], pieces[:, 3].astype(int)


@pytest.mark.parametrize("case", CASES)
def test_the_robust_covariance_by_subject_equals_phreg_s_of_the_unsplit_rows(case):
    # statsmodels' score residuals leave the rows in the risk set after their
    # entry time has passed (their loop never takes them out), so its robust
    # covariance with entry= is not that of the data; R's is
    # (test_cox_counting_r.py). On rows split into pieces, the covariance by
    # subject is that of the unsplit rows, where statsmodels' is right.
    X, y, codes = simulate(n=400, seed=2, **case)
    strata = codes if "strata" in case else None
    pieces, subject = split(y, seed=2, times=y[y[:, 1] == 1, 0])
    assert pieces.shape[0] > 1.5 * y.shape[0]
    model, ref = _statsmodels_plain(X, y, "breslow", strata, groups=np.arange(y.shape[0]))
    ours = FisherCoxRegressor("breslow", cov_type="cluster").fit(
        X[subject], pieces, strata=None if strata is None else strata[subject], groups=subject
    )
    assert_allclose(ours.standard_errors_, ref.bse, rtol=1e-5)
    summed = np.zeros_like(X)
    np.add.at(summed, subject, ours.score_residuals())
    assert_allclose(summed, model.score_residuals(ref.params), atol=1e-8)


def _statsmodels_plain(X, y, ties, strata=None, groups=None):
    model = PHReg(y[:, 0], X, status=y[:, 1], ties=ties, strata=strata)
    return model, model.fit(groups=groups, tol=1e-12)


@pytest.mark.parametrize("ties", TIES)
def test_frequency_weights_equal_phreg_on_the_repeated_rows(ties):
    X, y, _, codes = counting_data(subjects=100, seed=3, tied=True, strata=2)
    weights = np.random.default_rng(3).integers(1, 4, y.shape[0])
    rows = np.repeat(np.arange(y.shape[0]), weights)
    _, ref = _statsmodels(X[rows], y[rows], ties, codes[rows])
    ours = FisherCoxRegressor(ties).fit(X, y, sample_weight=weights, strata=codes)
    assert_allclose(ours.coef_, ref.params, rtol=1e-6)
    assert_allclose(ours.standard_errors_, ref.bse, rtol=1e-5)
    assert_allclose(ours.loglik_, ref.llf, rtol=1e-8)


def test_the_breslow_baseline_is_phreg_s_just_before_each_event_time():
    X, y, _, _ = counting_data(seed=4, tied=True)
    model, ref = _statsmodels(X, y, "breslow")
    times, cumhaz, _ = model.baseline_cumulative_hazard(ref.params)[0]
    ours = FisherCoxRegressor("breslow").fit(X, y)
    assert_allclose(ours.unique_times_, times, rtol=0)
    before = ours.predict_cumulative_hazard_function(np.zeros((1, 3)))[0](times - 1e-9)
    assert_allclose(before, cumhaz, rtol=1e-6, atol=1e-12)


def _structured(y, names=("event", "start", "stop")):
    """``y`` as a structured array, its fields named ``names`` (event, start, stop)."""
    out = np.empty(y.shape[0], dtype=[(names[0], "?"), (names[1], "<f8"), (names[2], "<f8")])
    out[names[0]], out[names[1]], out[names[2]] = y[:, 2] == 1, y[:, 0], y[:, 1]
    return out


def test_a_structured_target_reads_its_numeric_fields_as_start_and_stop():
    X, y, _, _ = counting_data(subjects=60, seed=5)
    columns = FisherCoxRegressor().fit(X, y)
    fields = FisherCoxRegressor().fit(X, _structured(y, ("dead", "t0", "t1")))
    assert_allclose(fields.coef_, columns.coef_, rtol=0)
    assert_allclose(fields.standard_errors_, columns.standard_errors_, rtol=0)
    assert fields.score(X, _structured(y)) == columns.score(X, y)


def _with(y, row, column, value):
    out = y.copy()
    out[row, column] = value
    return out


X0, Y0, _, _ = counting_data(subjects=40, seed=6)


@pytest.mark.parametrize(
    ("y", "message"),
    [
        (_with(Y0, 3, 0, Y0[3, 1]), r"start must be below its stop; 1 row.*at 3\)"),
        (_with(_with(Y0, 2, 0, 50.0), 7, 0, 60.0), r"2 row.*at 2, 7\).*start 50 and stop"),
        (_with(Y0, 4, 0, np.nan), "start times must be finite; 1 row.*at 4"),
        (_with(Y0, 5, 1, np.inf), "stop times must be finite; 1 row.*at 5"),
        (_with(Y0, 6, 0, -np.inf), "start times must be finite"),
        (_with(Y0, 1, 2, 2.0), "0 .censored. or 1 .event.*at 1"),
        (np.column_stack([Y0[:, :2], np.zeros(Y0.shape[0])]), "no events"),
        (np.column_stack([Y0, Y0[:, :1]]), r"shape \(n, 3\) with the columns \[start, stop"),
        (Y0[:-1], f"y has {Y0.shape[0] - 1} rows; X has {Y0.shape[0]}"),
    ],
    ids=["equal", "after", "nan", "inf", "minus_inf", "event_2", "no_events", "4_columns", "len"],
)
def test_bad_counting_targets_are_refused_by_name(y, message):
    with pytest.raises(ValueError, match=message):
        FisherCoxRegressor().fit(X0, y)


def test_the_refusals_say_how_y_was_read():
    swapped = _with(Y0, 0, 0, Y0[0, 1] + 1.0)
    with pytest.raises(ValueError, match=r"read as the columns \[start, stop, event\]"):
        FisherCoxRegressor().fit(X0, swapped)
    fields = _structured(Y0[:, [1, 0, 2]], ("event", "stop", "start"))  # stop first
    with pytest.raises(ValueError, match="read as .event, start, stop., the numeric fields in"):
        FisherCoxRegressor().fit(X0, fields)
    dtype = [("a", "?"), ("b", "<f8"), ("c", "<f8"), ("d", "<f8")]
    with pytest.raises(ValueError, match="or two .start and stop, in this order."):
        FisherCoxRegressor().fit(X0, np.zeros(Y0.shape[0], dtype=dtype))
    model = FisherCoxRegressor().fit(X0, Y0)
    with pytest.raises(ValueError, match="start must be below its stop"):
        model.score(X0, swapped)


def test_weight_zero_rows_are_left_out_of_counting_data():
    X, y, subject, _ = counting_data(subjects=60, seed=7)
    weights = np.ones(y.shape[0])
    weights[[0, 5, 9]] = 0.0
    keep = weights > 0
    weighted = FisherCoxRegressor(cov_type="cluster").fit(
        X, y, sample_weight=weights, groups=subject
    )
    dropped = FisherCoxRegressor(cov_type="cluster").fit(X[keep], y[keep], groups=subject[keep])
    assert_allclose(weighted.coef_, dropped.coef_, rtol=1e-12)
    assert_allclose(weighted.standard_errors_, dropped.standard_errors_, rtol=1e-10)
    assert np.isnan(weighted.score_residuals()[[0, 5, 9]]).all()


def test_a_shift_of_the_time_origin_changes_nothing_but_the_times():
    # The partial likelihood depends on the order of the times only; the shift
    # makes every start negative, which counting-process data allow.
    X, y, subject, codes = counting_data(subjects=80, seed=8, tied=True, strata=2)
    shifted = y.copy()
    shifted[:, :2] -= 100.0
    for ties in TIES:
        model = FisherCoxRegressor(ties, cov_type="cluster")
        one = model.fit(X, y, strata=codes, groups=subject)
        other = FisherCoxRegressor(ties, cov_type="cluster").fit(
            X, shifted, strata=codes, groups=subject
        )
        assert_allclose(other.coef_, one.coef_, rtol=1e-10)
        assert_allclose(other.standard_errors_, one.standard_errors_, rtol=1e-9)
        assert_allclose(other.loglik_, one.loglik_, rtol=1e-12)
        assert other.concordance_ == one.concordance_
        assert_allclose(other.unique_times_, one.unique_times_ - 100.0, rtol=1e-12)
        assert_allclose(other.baseline_cumulative_hazard_, one.baseline_cumulative_hazard_)
        curve = other.predict_survival_function(X[:1], strata=codes[:1])[0]
        assert curve.domain[0] == other.unique_times_[0] < 0
        test = other.proportional_hazards_test("km")
        assert_allclose(test.statistic, one.proportional_hazards_test("km").statistic)


def test_a_pipeline_and_cross_validation_take_counting_targets():
    X, y, subject, _ = counting_data(subjects=120, seed=9)
    pipeline = make_pipeline(StandardScaler(), FisherCoxRegressor())
    scores = cross_val_score(
        pipeline, X * 10.0 + 3.0, y, cv=KFold(4, shuffle=True, random_state=0)
    )
    assert scores.shape == (4,) and np.all((scores > 0.5) & (scores < 1.0))
    by_subject = cross_val_score(pipeline, X, y, cv=GroupKFold(3), groups=subject)
    assert by_subject.shape == (3,) and np.all(np.isfinite(by_subject))
    fitted = pipeline.fit(X, y)
    assert fitted.score(X, y) == fitted[-1].concordance_  # one stratum: all pairs
    assert_allclose(fitted.predict(X), fitted[-1].predict(fitted[0].transform(X)))


def test_the_summary_and_the_tests_of_a_counting_fit():
    X, y, subject, _ = counting_data(subjects=80, seed=10, tied=True)
    model = FisherCoxRegressor(cov_type="cluster").fit(X, y, groups=subject)
    text = str(model.summary())
    assert "Concordance" in text and "Robust score test" in text
    tests = model.global_tests()
    assert tests.robust_score is not None and tests.wald.df == 3
    # The robust Wald test is that of the cluster covariance.
    wald = model.coef_ @ np.linalg.solve(model.covariance_, model.coef_)
    assert_allclose(tests.wald.statistic, wald, rtol=1e-10)


@pytest.mark.parametrize("cov_type", ["fisher", "observed", "empirical", "sandwich", "cluster"])
def test_every_covariance_and_the_penalty_on_counting_data(cov_type):
    X, y, subject, codes = counting_data(subjects=80, seed=11, tied=True, strata=2)
    groups = subject if cov_type == "cluster" else None
    model = FisherCoxRegressor(cov_type=cov_type).fit(X, y, strata=codes, groups=groups)
    J, F = model.information_, model.empirical_fisher_
    assert_allclose(model.observed_information_, J, rtol=0)
    assert_allclose(F, model.score_residuals().T @ model.score_residuals(), rtol=1e-10)
    inverse = np.linalg.inv(J)
    expected = {
        "fisher": inverse,
        "observed": inverse,
        "empirical": np.linalg.inv(F),
        "sandwich": inverse @ F @ inverse,
        "cluster": inverse @ getattr(model, "cluster_fisher_", F) @ inverse,
    }[cov_type]
    assert_allclose(model.covariance_, expected, rtol=1e-8)
    # The penalised fit's score is α Σw β, Σw over the rows.
    penalised = FisherCoxRegressor(alpha=0.1, cov_type=cov_type)
    penalised.fit(X, y, strata=codes, groups=groups)
    score = penalised._fitted_problem.state(penalised.coef_).score()
    assert_allclose(score, 0.1 * y.shape[0] * penalised.coef_, atol=1e-7)
    assert np.linalg.norm(penalised.coef_) < np.linalg.norm(model.coef_)
