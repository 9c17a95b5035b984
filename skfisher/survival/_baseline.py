"""The baseline cumulative hazard of a fitted Cox model, its curves and their standard errors.

The baseline's increment at an event group is the hazard increment of the
partial likelihood, ``h_g = Σ_j c_j / (S0 − f_j E0)``: Breslow's ``d/S0`` under
``ties="breslow"`` and, under ``ties="efron"``, Efron's, ``Σ_j 1/(S0 − (j/d) E0)``
for d tied events (R's ``survfit.coxph`` default, ``ctype = 2``, for an Efron
fit). The curve of a row x in stratum s is ``Λ(t | x) = Λ_s(t) exp(xᵀβ)`` and
``S(t | x) = exp(−Λ(t | x))`` (R's default ``stype = 2``, and scikit-survival's).

The standard error of ``Λ(t | x)`` is R's (Tsiatis 1981; ``survfit`` for new
data): ``r² [Σ_g c_j/(S0 − f_j E0)² + d(t)ᵀ V d(t)]`` with the relative risk r,
``d(t) = Σ_{t_g ≤ t} (x h_g − ψ_g)`` (ψ the hazard-weighted mean of x at each
term) and V the covariance of β̂. The pointwise intervals are R's
``conf.type = "log"``: ``S exp(∓z se)``, the upper end at most 1.
"""

import numpy as np
from scipy import stats


class StepFunction:
    """A right-continuous step function of time, as scikit-survival's ``StepFunction``.

    Parameters
    ----------
    x : ndarray of shape (m,)
        The increasing times at which it jumps.
    y : ndarray of shape (m,)
        Its value from each time on.
    before : float
        Its value before the first time (0 for a cumulative hazard, 1 for a
        survival function).

    Attributes
    ----------
    x, y : ndarray of shape (m,)
    domain : (float, float)
        ``(0, x[-1])``: where it changes (from ``x[0]`` when that is negative,
        as counting-process data allow). It is defined for every t (constant
        before the first time and after the last), not only on its domain.
    """

    def __init__(self, x, y, before):
        self.x, self.y, self.before = x, y, float(before)
        low = min(0.0, float(x[0])) if x.size else 0.0
        self.domain = (low, float(x[-1]) if x.size else 0.0)

    def __call__(self, t):
        """Return the value at the times ``t`` (scalar or array)."""
        t = np.asarray(t, dtype=float)
        if np.any(np.isnan(t)):
            raise ValueError("The times at which a step function is evaluated must not be NaN.")
        index = np.searchsorted(self.x, t, side="right") - 1
        values = self.y[np.maximum(index, 0)] if self.y.size else np.zeros(t.shape)
        return np.where(index >= 0, values, self.before)

    def __repr__(self):
        return f"StepFunction(x={self.x!r}, y={self.y!r}, before={self.before!r})"


class Baseline:
    """The per-stratum baseline of a fit, in the units in which the fit computed it.

    Parameters
    ----------
    problem : CoxProblem
        The fitted problem.
    beta : ndarray of shape (k,)
        β̂.
    """

    def __init__(self, problem, beta):
        state = problem.state(beta)
        risk = problem.risk
        a10, a11, a20, a21, a22, _ = state.moments
        S0 = state.S0[:, None]
        psi = (a20[:, None] * state.xbar - a21[:, None] * state.ebar) / S0
        self.center = problem.center
        self.offset = state.shift + float(problem.center @ beta)
        self.times, self.cumhaz, self.variance, self.drift = [], [], [], []
        for g0, g1 in risk.group_bounds:
            ascending = np.arange(g1 - 1, g0 - 1, -1)  # the stratum's groups, time increasing
            self.times.append(risk.group_time[ascending])
            self.cumhaz.append(np.cumsum(state.hazard[ascending]))
            self.variance.append(np.cumsum((a20 / state.S0**2)[ascending]))
            # Σ (x h − ψ) = x Λ − Ψ: the hazard and the cumulative ψ.
            self.drift.append(np.cumsum(psi[ascending], axis=0))
        self.unique_times = np.unique(np.concatenate(self.times))

    def _at(self, values, stratum, grid):
        """The cumulative ``values`` of a stratum at the times of ``grid`` (0 before the first)."""
        if not self.times[stratum].size:  # a stratum without events
            return np.zeros((grid.size,) + values[stratum].shape[1:])
        index = np.searchsorted(self.times[stratum], grid, side="right") - 1
        out = values[stratum][np.maximum(index, 0)]
        mask = index >= 0 if out.ndim == 1 else (index >= 0)[:, None]
        return np.where(mask, out, 0.0)

    def at_zero(self, grid):
        """``Λ_s(t)`` of a row of zeros at the times of ``grid``, shape (len(grid), n_strata)."""
        with np.errstate(over="ignore"):
            scale = np.exp(-self.offset)
        columns = [scale[s] * self._at(self.cumhaz, s, grid) for s in range(len(self.times))]
        return np.column_stack(columns)

    def relative_risk(self, eta, codes):
        """``exp(xᵀβ − offset_s)``: the rows' risks in the units of the baseline."""
        return np.exp(eta - self.offset[codes])

    def cumulative_hazard(self, eta, codes, grid):
        """``Λ(t | x)`` of each row at the times of ``grid``, shape (n, len(grid))."""
        out = np.empty((eta.size, grid.size))
        risk = self.relative_risk(eta, codes)
        for s in np.unique(codes):
            rows = codes == s
            out[rows] = risk[rows, None] * self._at(self.cumhaz, s, grid)[None, :]
        return out

    def functions(self, eta, codes, survival):
        """One :class:`StepFunction` per row, on its stratum's event times."""
        risk = self.relative_risk(eta, codes)
        out = np.empty(eta.size, dtype=object)
        for i, (r, s) in enumerate(zip(risk, codes, strict=True)):
            values = r * self.cumhaz[s]
            if survival:
                out[i] = StepFunction(self.times[s], np.exp(-values), 1.0)
            else:
                out[i] = StepFunction(self.times[s], values, 0.0)
        return out

    def standard_errors(self, X, eta, codes, grid, covariance):
        """The standard error of ``Λ(t | x)`` at the times of ``grid``, shape (n, len(grid))."""
        centred = X - self.center
        risk = self.relative_risk(eta, codes)
        out = np.empty((eta.size, grid.size))
        for s in np.unique(codes):
            rows = np.flatnonzero(codes == s)
            cumhaz = self._at(self.cumhaz, s, grid)
            variance = self._at(self.variance, s, grid)
            drift = self._at(self.drift, s, grid)
            # d(t) for each row and time, shape (rows, times, k).
            d = centred[rows, None, :] * cumhaz[None, :, None] - drift[None, :, :]
            quadratic = np.einsum("rtk,kl,rtl->rt", d, covariance, d)
            out[rows] = risk[rows, None] * np.sqrt(variance[None, :] + quadratic)
        return out


def log_intervals(survival, std_err, alpha):
    """R's ``conf.type = "log"`` intervals of S: ``S exp(∓z se)``, the upper end at most 1."""
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(over="ignore"):
        return survival * np.exp(-z * std_err), np.minimum(survival * np.exp(z * std_err), 1.0)
