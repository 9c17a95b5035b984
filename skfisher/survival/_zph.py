"""The test of proportional hazards of a Cox fit: R's ``cox.zph`` (survival 3.x).

For a function g of time, the test of covariate j is the score test, at β̂,
of adding the time-varying column ``g(t) x_j`` to the model (Therneau and
Grambsch 2000, §6.2; ``cox.zph`` since survival 3.0, R's C routine ``zph1``).
With the Schoenfeld residuals ``r_i = x_i − x̃_g`` of the events (x̃_g the mean
of x over group g's risk set, averaged over Efron's terms under Efron's ties)
and the information ``I_g`` of each event group (``Σ_g I_g = J``), the score of
the added columns is ``u = Σ_g g(t_g) Σ_{i ∈ D_g} w_i r_i``, and the information
of the model with them is

    [[A, B], [B, C]],   A = Σ_g I_g,  B = Σ_g g(t_g) I_g,  C = Σ_g g(t_g)² I_g.

The score of β is 0 at β̂, so the statistic of columns K is ``u_Kᵀ (S_KK)⁻¹ u_K``
with the Schur complement ``S = C − B A⁻¹ B``: one covariate's on 1 df and the
global one on k. g is centred at its mean over the events, as R's (the
statistic does not depend on the centre). The transforms are R's: ``"km"``,
``1 − S(t−)`` with S the Kaplan-Meier estimate of all the rows, pooled over the
strata; ``"rank"``, the rank of t among all the rows (ties averaged);
``"identity"`` and ``"log"``.

The scaled Schoenfeld residuals are ``β̂ + r_i V⁻¹`` with ``V = J / d``
(Grambsch and Therneau 1994), d the number of events; in R's form, with strata,
V divides ``J`` entrywise by ``Σ_s min(d_sj, d_sl)``, where ``d_sj`` is stratum
s's number of events when x_j varies in s and 0 when it is constant there (its
residuals in s are then nan, and its row and column left out of V for them).

Weights are frequency weights, as in the fit: every quantity is that of the
data with each row repeated w times (R's ``cox.zph`` of a fit on the repeated
rows), one residual per event row.

With counting-process data (rows at risk over (start, stop]) the risk sets
and information are the fit's, the Kaplan-Meier estimate of ``"km"`` is that
of the intervals and the rank that of the stop times: R's ``cox.zph`` (its C
routine ``zph2``).
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .._linalg import SymmetricFactor
from ._global_tests import ChiSquareTest

TRANSFORMS = ("km", "rank", "identity", "log")


@dataclass(frozen=True, eq=False)
class ProportionalHazardsTest:
    """The proportional-hazards test of a Cox fit and its scaled Schoenfeld residuals.

    What R's ``cox.zph(fit, transform, terms = FALSE)`` returns: ``chisq``,
    ``df`` and ``p`` of its table (``statistic``, ``df``, ``pvalue`` and
    ``global_test``), ``time``, ``x`` (``transformed_time``), ``y``
    (``scaled_residuals``), ``strata`` and ``var`` (``variance``).

    Attributes
    ----------
    names : ndarray of shape (n_features,)
        The covariates.
    statistic : ndarray of shape (n_features,)
        Each covariate's score statistic for adding ``g(t) x_j``.
    df : ndarray of int of shape (n_features,)
        1 for each.
    pvalue : ndarray of shape (n_features,)
        ``P(χ²_1 ≥ statistic)``: small where the covariate's hazard ratio
        changes with time.
    global_test : ChiSquareTest
        All covariates at once, on ``n_features`` df.
    transform : str
        The g of the test: ``"km"``, ``"rank"``, ``"identity"`` or ``"log"``.
    time : ndarray of shape (n_events,)
        The time of each event row, by stratum and then time (R's order; tied
        events by row, decreasing with counting-process data, as R's).
    transformed_time : ndarray of shape (n_events,)
        ``g(time)``, not centred: the x-axis of R's ``plot.cox.zph``.
    scaled_residuals : ndarray of shape (n_events, n_features)
        ``β̂ + r V⁻¹`` at each event: their smoothed plot against
        ``transformed_time`` estimates ``β_j(t)``. nan for a covariate constant
        in the event's stratum.
    variance : ndarray of shape (n_features, n_features)
        ``V⁻¹`` of one event (R's ``var``), for the bands of that plot.
    strata : ndarray of shape (n_events,) or None
        The stratum label of each event (None without strata).
    rows : ndarray of int of shape (n_events,)
        The row of the data passed to ``fit`` of each event.
    """

    names: np.ndarray
    statistic: np.ndarray
    df: np.ndarray
    pvalue: np.ndarray
    global_test: ChiSquareTest
    transform: str
    time: np.ndarray
    transformed_time: np.ndarray
    scaled_residuals: np.ndarray
    variance: np.ndarray
    strata: np.ndarray
    rows: np.ndarray

    def test(self, name):
        """Return one covariate's test, by name or position, as a :class:`ChiSquareTest`."""
        names = [str(n) for n in self.names]
        if isinstance(name, (int, np.integer)):
            if not -len(names) <= name < len(names):
                raise ValueError(f"There are {len(names)} covariates; got position {name}.")
            j = int(name)
        elif str(name) in names:
            j = names.index(str(name))
        else:
            raise ValueError(f"No covariate {name!r}; the covariates are {', '.join(names)}.")
        return ChiSquareTest(float(self.statistic[j]), int(self.df[j]), float(self.pvalue[j]))

    def to_frame(self):
        """Return R's table: ``chisq``, ``df`` and ``p`` for each covariate and ``GLOBAL``."""
        from .._optional import check_pandas_support

        pd = check_pandas_support("ProportionalHazardsTest.to_frame")
        g = self.global_test
        return pd.DataFrame(
            {
                "chisq": [*self.statistic, g.statistic],
                "df": [*self.df, g.df],
                "p": [*self.pvalue, g.pvalue],
            },
            index=pd.Index([*map(str, self.names), "GLOBAL"]),
        )

    def __repr__(self):
        return (
            f"<Proportional-hazards test ({self.transform}): global chi2({self.global_test.df})"
            f" = {self.global_test.statistic:.6g}, p-value = {self.global_test.pvalue:.4g}>"
        )

    def __str__(self):
        labels = [*map(str, self.names), "GLOBAL"]
        width = max(len(label) for label in labels)
        lines = [f"Proportional-hazards test, transform={self.transform!r}"]
        lines.append(f"{'':<{width}}  {'chisq':>12}  {'df':>3}  {'p':>10}")
        g = self.global_test
        rows = [*zip(self.statistic, self.df, self.pvalue, strict=True)]
        rows.append((g.statistic, g.df, g.pvalue))
        for label, (chisq, df, p) in zip(labels, rows, strict=True):
            lines.append(f"{label:<{width}}  {chisq:>12.6g}  {int(df):>3}  {p:>10.4g}")
        return "\n".join(lines)


def transformed_times(transform, time, event, weights, at, start=None):
    """Return g at the times ``at`` (times of the rows), from all the rows.

    ``"km"``: ``1 − S(t−)`` with S the weighted Kaplan-Meier estimate (with
    ``start``, of the rows at risk over (start, time]); ``"rank"``: ``W(< t) +
    (W(= t) + 1)/2`` (the mean rank of t among the rows' times, each repeated by
    its weight); ``"identity"``; ``"log"``.
    """
    if transform == "identity":
        return at.astype(float)
    if transform == "log":
        if np.any(at <= 0):
            raise ValueError(
                "transform='log' needs positive event times; "
                f"{int(np.sum(at <= 0))} event group(s) are at time 0."
            )
        return np.log(at)
    unique, inverse = np.unique(time, return_inverse=True)
    total = np.bincount(inverse, weights)
    where = np.searchsorted(unique, at)
    if transform == "rank":
        below = np.cumsum(total) - total
        return below[where] + 0.5 * (total[where] + 1.0)
    deaths = np.bincount(inverse, weights * event)
    at_risk = np.cumsum(total[::-1])[::-1]
    if start is not None:  # less the rows that start at or after each time
        entered = np.argsort(start)
        cumulative = np.r_[0.0, np.cumsum(weights[entered])]
        at_risk -= cumulative[-1] - cumulative[np.searchsorted(start[entered], unique)]
    survival = np.cumprod(1.0 - deaths / at_risk)
    return 1.0 - np.r_[1.0, survival[:-1]][where]


def schoenfeld_residuals(state):
    """``x_i − x̃_g`` of the events (in ``risk.events`` order) and ``Σ_{D_g} w r`` per group."""
    problem = state.problem
    risk = problem.risk
    X_events = problem.data[risk.order[risk.events]] - problem.center
    a10, a11 = state.moments[:2]
    # Σ_D w x̃ = a10 x̄ − a11 ē: the risk set's mean, over Efron's terms.
    expected = a10[:, None] * state.xbar - a11[:, None] * state.ebar
    residuals = X_events - (expected / risk.deaths[:, None])[risk.event_group]
    per_group = risk.event_sums(risk.weights[risk.events, None] * X_events) - expected
    return residuals, per_group


def score_statistics(state, omega, penalty):
    """The 1-df statistics of each ``g(t) x_j`` and the global one, and the penalised J."""
    A = state.information + np.diag(penalty)
    B = state.group_information(omega)
    C = state.group_information(omega**2) + np.diag(penalty)
    u = omega @ schoenfeld_residuals(state)[1]
    schur = C - B @ SymmetricFactor(A).solve(B)
    schur = 0.5 * (schur + schur.T)
    if not np.all(np.diag(schur) > 1e-12 * np.maximum(np.abs(np.diag(C)), 1e-300)):
        raise ValueError(
            "g(t) x is collinear with x for some covariate (g is constant over the event "
            "times: one distinct event time?): the proportional-hazards test is not defined."
        )
    each = u**2 / np.diag(schur)
    return each, float(u @ SymmetricFactor(schur).solve(u)), A


def scaled_residuals(state, residuals, A, beta):
    """R's scaled Schoenfeld residuals of the events (``risk.events`` order) and R's ``var``."""
    problem = state.problem
    risk, k = problem.risk, problem.n_params
    stratum = risk.stratum[risk.events]
    used = {}
    for start, stop in risk.stratum_bounds:
        code = risk.stratum[start]
        varies = np.ptp(problem.data[risk.order[start:stop]], axis=0) > 0
        used[code] = np.where(varies, risk.deaths[risk.group_stratum == code].sum(), 0.0)
    counts = sum(np.minimum(d[:, None], d[None, :]) for d in used.values())
    vmean = A / np.where(counts == 0, 1.0, counts)
    out = np.full((residuals.shape[0], k), np.nan)
    for code, d in used.items():
        keep, rows = d > 0, stratum == code
        if keep.any() and rows.any():
            block = SymmetricFactor(vmean[np.ix_(keep, keep)])
            out[np.ix_(rows, keep)] = block.solve(residuals[np.ix_(rows, keep)].T).T
    return out + beta, SymmetricFactor(vmean).inverse()


def proportional_hazards_test(problem, beta, names, transform, strata=None, rows=None):
    """Return the :class:`ProportionalHazardsTest` of the fitted ``problem`` at ``beta``.

    ``strata`` are the fit's stratum labels (None without strata), ``rows`` the
    fit's mask of the rows passed to ``fit`` that it kept (None for all).
    """
    if transform not in TRANSFORMS:
        raise ValueError(f"transform must be one of {TRANSFORMS}; got {transform!r}.")
    if np.any(problem.penalty > 0):
        raise ValueError(
            "The proportional-hazards test is of the unpenalised partial likelihood; "
            "this fit has alpha > 0: refit with alpha=0."
        )
    risk = problem.risk
    state = problem.state(beta)
    g = transformed_times(
        transform, risk.time, risk.event, risk.weights, risk.group_time, risk.start
    )
    omega = g - (risk.deaths @ g) / risk.deaths.sum()
    each, overall, A = score_statistics(state, omega, problem.penalty)
    residuals = schoenfeld_residuals(state)[0]
    scaled, variance = scaled_residuals(state, residuals, A, beta)
    # R's order: stratum, then time increasing, then row (decreasing with a
    # start: R's zph2 runs backwards over the stop times).
    source = np.arange(risk.order.size) if rows is None else np.flatnonzero(rows)
    source = source[risk.order[risk.events]]
    time, stratum = risk.time[risk.events], risk.stratum[risk.events]
    order = np.lexsort((source if risk.start is None else -source, time, stratum))
    k = beta.size
    return ProportionalHazardsTest(
        names=np.asarray(names),
        statistic=each,
        df=np.ones(k, dtype=int),
        pvalue=stats.chi2.sf(each, 1),
        global_test=ChiSquareTest.of(overall, k),
        transform=transform,
        time=time[order],
        transformed_time=g[risk.event_group][order],
        scaled_residuals=scaled[order],
        variance=variance,
        strata=None if strata is None else np.asarray(strata)[stratum[order]],
        rows=source[order],
    )
