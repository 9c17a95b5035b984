"""A log-likelihood written by the user, as a :class:`~skfisher._scoring.ScoringProblem`.

:class:`LikelihoodProblem` is ``ℓ(θ) = Σ_i w_i ℓ_i(θ)`` for a function
``loglik_obs(θ, X, y)`` that returns the per-row log-densities ``ℓ_i``. The
per-row scores ``s_i = ∂ℓ_i/∂θ`` and expected informations ``i_i`` come from the
user's ``score_obs`` and ``information_obs`` when given, and otherwise by
numerical differentiation:

* the score, row by row, by the five-point stencil of
  :func:`~skfisher._numdiff.richardson_derivative` along each
  parameter (``4 k`` evaluations of ``loglik_obs``);
* the observed information ``J = −∇²ℓ``: with an analytic score, minus the
  Jacobian of the weighted total score by the same stencil (``4 k`` calls of
  ``score_obs``); without one, the second differences of ℓ on the product of
  two such stencils (``8 k² + k`` evaluations of ``loglik_obs``), see
  :func:`~skfisher._likelihood._numdiff.second_differences`.

The steps of both are set in each parameter's natural unit
(:mod:`skfisher._likelihood._numdiff`).

Without ``information_obs`` the loop steps with ``J``: Newton's method. Far
from the maximum ``J`` can be indefinite, and a step along it need not ascend;
there the step uses the empirical Fisher ``F = Σ w s sᵀ`` instead, which is
positive semi-definite, so that its step always ascends (Berndt, Hall, Hall
and Hausman 1974, "BHHH").
"""

import numpy as np
import scipy.linalg

from .._linalg import SymmetricFactor
from .._numdiff import richardson_derivative, richardson_jacobian
from .._scoring import ScoringProblem
from ._numdiff import STEP, natural_steps, power_of_two, second_differences


class LikelihoodProblem(ScoringProblem):
    """``ℓ(θ) = Σ w_i ℓ_i(θ)`` for the user's ``loglik_obs(θ, X, y)``.

    Parameters
    ----------
    loglik_obs : callable
        ``loglik_obs(params, X, y)`` → per-row log-densities, shape (n,).
    X : ndarray of shape (n, n_features)
        The rows of positive weight.
    y : ndarray of shape (n,) or (n, n_outputs), or None
        Their responses.
    w : ndarray of shape (n,)
        Their (positive) frequency weights.
    k : int
        The number of parameters.
    names : list of str
        Parameter names, for messages.
    score_obs : callable, optional
        ``score_obs(params, X, y)`` → per-row scores, shape (n, k).
    information_obs : callable, optional
        ``information_obs(params, X, y)`` → per-row expected information,
        shape (n, k, k).
    """

    def __init__(self, loglik_obs, X, y, w, k, names, *, score_obs=None, information_obs=None):
        self.loglik_fn = loglik_obs
        self.score_fn = score_obs
        self.information_fn = information_obs
        self.X, self.y, self.w = X, y, w
        self.n, self.k = X.shape[0], int(k)
        self.names = list(names)
        self.steps = STEP * np.ones(self.k)
        # Scores and J at the last θ asked for: the loop, the reported
        # matrices and the sandwich all ask for them at θ̂ again. Replaced,
        # never mutated, so that shallow copies (the profile's) keep theirs.
        self._memo = (None, {})

    @property
    def newton(self):
        """Whether the loop steps with the observed information (no ``information_obs``)."""
        return self.information_fn is None

    # -- the user's functions, with their outputs checked -------------------

    def loglik_values(self, theta):
        """Return the per-row log-densities at θ, shape (n,) (non-finite values kept)."""
        with np.errstate(all="ignore"):
            values = self.loglik_fn(theta, self.X, self.y)
        return _checked(values, (self.n,), "loglik_obs", "one log-density per row")

    def _analytic_scores(self, theta):
        with np.errstate(all="ignore"):
            values = self.score_fn(theta, self.X, self.y)
        return _checked(values, (self.n, self.k), "score_obs", "one score per row and parameter")

    def _analytic_information(self, theta):
        with np.errstate(all="ignore"):
            values = self.information_fn(theta, self.X, self.y)
        values = _checked(
            values, (self.n, self.k, self.k), "information_obs", "a k × k matrix per row"
        )
        total = np.einsum("i,ijk->jk", self.w, values)
        if not np.all(np.isfinite(total)):
            raise ValueError(
                f"information_obs returned non-finite values at params={format_params(theta)}. "
                "Check it there, or leave it out to use the observed information."
            )
        scale = np.max(np.abs(total), initial=0.0)
        if np.max(np.abs(total - total.T), initial=0.0) > 1e-8 * scale:
            raise ValueError(
                "information_obs must return symmetric matrices (i_jk = i_kj); the weighted "
                f"total at params={format_params(theta)} is not. Check its off-diagonal entries."
            )
        return 0.5 * (total + total.T)

    # -- per-row scores --------------------------------------------------------

    def scores(self, theta):
        """Return the per-row scores at θ, shape (n, k): analytic or numerical."""
        return self._memoised("scores", theta, self._scores)

    def _scores(self, theta):
        if self.score_fn is not None:
            scores = self._analytic_scores(theta)
        else:
            scores = np.column_stack(
                [self._score_column(theta, j, h) for j, h in enumerate(self.steps)]
            )
        bad = ~np.all(np.isfinite(scores), axis=0)
        if bad.any():
            where = [self.names[j] for j in np.flatnonzero(bad)]
            how = (
                "score_obs returned non-finite values"
                if self.score_fn is not None
                else "the numerical score is not finite (a difference point θ ± 2h lies "
                "outside the domain of loglik_obs)"
            )
            raise ValueError(
                f"At params={format_params(theta)}, {how} for the parameters {where}. Put "
                "constrained parameters on an unconstrained scale (log σ rather than σ), "
                "or pass score_obs=."
            )
        return scores

    def _score_column(self, theta, j, h):
        unit = np.zeros(self.k)
        unit[j] = 1.0
        return richardson_derivative(lambda t: self.loglik_values(theta + t * unit), 0.0, h)

    # -- ScoringProblem --------------------------------------------------------

    def objective(self, theta):
        values = self.loglik_values(theta)
        with np.errstate(all="ignore"):
            total = float(self.w @ values)
        return total if np.isfinite(total) else -np.inf

    def loglik(self, theta):
        return self.objective(theta)

    def score(self, theta):
        """Return the gradient ``Σ w s`` at θ, shape (k,)."""
        return self.w @ self.scores(theta)

    def information(self, theta):
        """Return the loop's information at θ: ``Σ w i`` given, else ``J`` (or ``F``)."""
        if not self.newton:
            return self._analytic_information(theta)
        observed = self._memoised("observed", theta, self._observed)
        if _positive_definite(observed):
            return observed
        return self.empirical_fisher(theta)

    def score_information(self, theta):
        return self.score(theta), self.information(theta)

    def observed_information(self, theta):
        observed = self._memoised("observed", theta, self._observed)
        if not np.all(np.isfinite(observed)):
            raise ValueError(
                f"The observed information is not finite at params={format_params(theta)}: the "
                "difference points of the second derivatives (up to θ ± 4h) leave the domain "
                "of loglik_obs. Put constrained parameters on an unconstrained scale, or "
                "pass score_obs=."
            )
        return observed

    def _observed(self, theta):
        """``−∇²ℓ`` by the five-point stencil, symmetrised (may be non-finite).

        The Jacobian of the total analytic score; without one, the second
        differences of ℓ on the product of the score's stencils, which is the
        stencil differentiated twice at half the cost (``8k² + k`` calls).
        """
        if self.score_fn is None:
            # Differences of each row from its value at θ sum without the
            # rounding of the totals (the stencil's weights sum to 0).
            base = self.loglik_values(theta)

            def total_change(point):
                with np.errstate(all="ignore"):
                    return float(self.w @ (self.loglik_values(point) - base))

            return -second_differences(total_change, theta, self.steps)

        def total_score(point):
            with np.errstate(all="ignore"):
                return self.w @ self._analytic_scores(point)

        jacobian = richardson_jacobian(total_score, theta, self.steps)
        return -0.5 * (jacobian + jacobian.T)

    def empirical_fisher(self, theta):
        scores = self.scores(theta)
        outer = scores.T @ (self.w[:, None] * scores)
        return 0.5 * (outer + outer.T)

    def cluster_fisher(self, theta, groups):
        """Return ``Σ_g u_g u_gᵀ``, ``u_g`` the sum of ``w_i s_i`` over cluster ``g``."""
        groups = np.asarray(groups, dtype=np.intp)
        sums = np.zeros((int(groups.max()) + 1, self.k))
        np.add.at(sums, groups, self.w[:, None] * self.scores(theta))
        outer = sums.T @ sums
        return 0.5 * (outer + outer.T)

    # -- set-up ----------------------------------------------------------------

    def check_start(self, theta):
        """Raise ``ValueError`` unless the likelihood and its derivatives are usable at θ₀."""
        values = self.loglik_values(theta)
        bad = ~np.isfinite(values)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"loglik_obs is not finite at the starting values params="
                f"{format_params(theta)} for {int(bad.sum())} of {self.n} rows (the first: "
                f"row {first} of the rows with positive weight, value {values[first]!r}). "
                "Choose starting values inside the model's domain, or check y against the "
                "model's support."
            )
        if not self.newton:
            factor = SymmetricFactor(self._analytic_information(theta))
            if factor.negative:
                raise ValueError(
                    "information_obs is not positive semi-definite at the starting values: "
                    "an expected information is a covariance of scores. Check its signs "
                    "(it is minus the expected Hessian), or leave it out."
                )

    def calibrate(self, theta):
        """Set the steps of the numerical derivatives in each parameter's natural unit at θ.

        A first pass measures the scores with steps of ``1e-3 max(|θ_j|, 1)``
        (shrunk where a difference point leaves the domain), two more with the
        steps the scores before imply; an analytic score needs one pass.
        """
        theta = np.asarray(theta, dtype=float)
        magnitude = np.maximum(np.abs(theta), 1.0)
        self.steps = power_of_two(STEP * magnitude)
        passes = 1
        if self.score_fn is None:
            self.steps, passes = self._pilot_steps(theta), 2
        for _ in range(passes):
            self._memo = (None, {})
            self.steps = natural_steps(self.scores(theta), self.w, magnitude)
        self._memo = (None, {})

    def _pilot_steps(self, theta):
        steps = self.steps.copy()
        for j in range(self.k):
            for _ in range(8):
                if np.all(np.isfinite(self._score_column(theta, j, steps[j]))):
                    break
                steps[j] /= 16.0
        return steps

    def _memoised(self, name, theta, compute):
        theta = np.asarray(theta, dtype=float)
        key, values = self._memo
        if key != theta.tobytes():
            values = {}
            self._memo = (theta.tobytes(), values)
        if name not in values:
            values[name] = compute(theta)
        return values[name]


def _positive_definite(matrix):
    """Whether ``matrix`` is finite and positive definite (Cholesky at unit diagonal)."""
    diag = np.diag(matrix)
    if not np.all(np.isfinite(matrix)) or np.any(diag <= 0):
        return False
    root = np.sqrt(diag)
    try:
        scipy.linalg.cholesky(matrix / np.outer(root, root), check_finite=False)
    except np.linalg.LinAlgError:
        return False
    return True


def _checked(values, shape, name, what):
    """``values`` as a float array of ``shape``, else a ``ValueError`` naming ``name``."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name}(params, X, y) must return an array of numbers ({what}, shape {shape}); "
            f"got {type(values).__name__}."
        ) from exc
    if array.shape != shape:
        hint = " Return the per-row values, not their sum." if array.ndim < len(shape) else ""
        raise ValueError(
            f"{name}(params, X, y) must return {what}, shape {shape}; got shape "
            f"{array.shape}.{hint}"
        )
    return array


def format_params(theta):
    """θ for a message, four significant digits."""
    return np.array2string(np.asarray(theta, dtype=float), precision=4, separator=", ")
