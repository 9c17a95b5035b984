"""The result of a Fisher-scoring fit: estimates, the three matrices, every covariance.

:class:`FisherResult` is built once, at the end of ``fit``, from the scoring
problem and the loop's result (:meth:`FisherResult.from_fit`). It is
immutable; an estimator keeps it in ``fisher_result_`` and publishes its
scikit-learn attributes (``params_``, ``covariance_``, …) from it in one
place, so a covariance asked for after the fit (``covariance(cov_type)``) is
computed by the same code, from the same matrices, as the one ``fit`` reported.

The matrices are held in the units the fit ran in. A fit on columns rescaled
by powers of two (``extreme_column_scale``) records the factors ``d`` and
maps each published quantity back, ``θ = D θ'``, ``I = D⁻¹ I' D⁻¹``,
``Σ = D Σ' D``, one factor at a time so that entries the units of X put
beyond float64's range become 0 or inf rather than nan.
"""

from dataclasses import dataclass, replace

import numpy as np

from ._linalg import SymmetricFactor
from ._warnings import warn
from .exceptions import CovarianceWarning

COV_TYPES = ("fisher", "observed", "empirical", "sandwich", "cluster")

# The matrices (k, k) a result publishes, by attribute name.
_MATRICES = ("information", "observed_information", "empirical_fisher")


@dataclass(frozen=True, eq=False)
class FisherResult:
    """What a Fisher-scoring fit found, and every covariance of it.

    Attributes
    ----------
    theta : ndarray of shape (k,)
        The estimate, in the units of the fit.
    names : ndarray of shape (k,)
        The parameter names.
    loglik : float
        The log-likelihood at ``theta`` (without a penalty).
    score, information, observed_information, empirical_fisher : ndarray
        ``U``, ``I``, ``J`` and ``F`` at ``theta``, at the reported dispersion.
    factor : SymmetricFactor
        The loop's factorisation of its information; ``I⁻¹`` is its inverse
        times ``fisher_scale``.
    fisher_scale : float
        ``φ̂ / φ₀``: the loop's information is at φ₀, the reported one at φ̂.
    n_iter : int
    converged : bool
    nobs : float
        Σw.
    cov_type : str
        The covariance the estimator reports by default.
    dropped : ndarray of int
        Parameters without a standard error (diverging under separation, or
        at a boundary): the others' covariance comes from the matrices with
        these rows and columns removed.
    defined : bool
        False when the dispersion cannot be estimated: the matrices, the
        log-likelihood and every covariance are nan.
    scale : ndarray of shape (k,) or None
        The factors ``d`` of a fit on rescaled columns.
    cluster_fisher : ndarray of shape (k, k) or None
        ``Σ_g u_g u_gᵀ`` for the groups passed to ``fit``.
    n_groups : int or None
    problem : ScoringProblem or None
        The fitted problem, for covariances of other groups; not pickled.
    rows : ndarray of bool or None
        Which rows of the data passed to ``fit`` the problem holds (rows of
        weight 0 are dropped); None for all.
    n_rows : int or None
        The number of rows passed to ``fit`` (for groups given after it).
    """

    theta: np.ndarray
    names: np.ndarray
    loglik: float
    score: np.ndarray
    information: np.ndarray
    observed_information: np.ndarray
    empirical_fisher: np.ndarray
    factor: SymmetricFactor
    fisher_scale: float
    n_iter: int
    converged: bool
    nobs: float
    cov_type: str
    dropped: np.ndarray
    defined: bool = True
    scale: np.ndarray = None
    cluster_fisher: np.ndarray = None
    n_groups: int = None
    problem: object = None
    rows: np.ndarray = None
    n_rows: int = None

    @classmethod
    def from_fit(cls, fitted, result, names, *, nobs, cov_type, phi=1.0, loop_phi=1.0, **extra):
        """Evaluate the matrices of the ``fitted`` problem at the loop's ``result``.

        ``phi`` is the dispersion the matrices are reported at; the loop ran
        at ``loop_phi``. A nan ``phi`` (a dispersion that cannot be
        estimated) gives nan matrices and log-likelihood, with the loop's
        estimate kept. ``extra`` sets the optional fields.
        """
        theta = result.theta
        defined = bool(np.isfinite(phi))
        phi = phi if defined else loop_phi
        if phi == loop_phi:
            score, information = result.score, result.information
        else:
            score, information = fitted.score(theta), fitted.information(theta)
        fields = {
            "score": score,
            "information": information,
            "observed_information": fitted.observed_information(theta),
            "empirical_fisher": fitted.empirical_fisher(theta),
            "loglik": float(fitted.loglik(theta)),
        }
        if not defined:
            fields = {name: np.full_like(value, np.nan) for name, value in fields.items()}
        return cls(
            theta=np.asarray(theta, dtype=float),
            names=np.asarray(names, dtype=object),
            factor=result.factor,
            fisher_scale=phi / loop_phi,
            n_iter=int(result.n_iter),
            converged=bool(result.converged),
            nobs=float(nobs),
            cov_type=cov_type,
            dropped=np.asarray(extra.pop("dropped", ()), dtype=int),
            defined=defined,
            **fields,
            **extra,
        )

    def __eq__(self, other):
        """Equal when every published attribute is (the problem and factor aside)."""
        if not isinstance(other, FisherResult):
            return NotImplemented
        ours, theirs = self.attributes(), other.attributes()
        return ours.keys() == theirs.keys() and all(
            np.array_equal(ours[name], theirs[name], equal_nan=_is_float(ours[name]))
            for name in ours
        )

    __hash__ = None

    def covariance(self, cov_type=None):
        """Return the covariance of the estimates by ``cov_type`` (default: the fit's).

        In the units of the data; nan rows and columns for the parameters
        without a standard error.
        """
        return self._unscaled(self._fit_covariance(cov_type), -1)

    def standard_errors(self, cov_type=None):
        """Return ``sqrt(diag(covariance(cov_type)))``, nan where a variance is negative.

        Taken in the units of the fit and then scaled, so that a standard
        error stays finite where its variance would overflow.
        """
        return self._errors_of(self._fit_covariance(cov_type))

    def _errors_of(self, covariance):
        """The standard errors of a covariance in the units of the fit, in those of the data."""
        variances = np.diag(covariance).copy()
        variances[variances < 0] = np.nan
        return self._unscaled(np.sqrt(variances), -1)

    def _fit_covariance(self, cov_type):
        """The covariance by ``cov_type`` in the units of the fit."""
        cov_type = self.cov_type if cov_type is None else cov_type
        if cov_type == "cluster" and self.cluster_fisher is None:
            raise ValueError(
                "cov_type='cluster' needs the cluster of every sample: pass groups=..."
            )
        k = self.theta.size
        if not self.defined:
            return np.full((k, k), np.nan)
        if self.dropped.size:
            covariance = np.full((k, k), np.nan)
            remaining = np.setdiff1d(np.arange(k), self.dropped)
            if remaining.size:
                keep = np.ix_(remaining, remaining)
                factor = SymmetricFactor(self.information[keep])
                covariance[keep] = self._covariance(cov_type, factor, 1.0, keep)
        else:
            covariance = self._covariance(cov_type, self.factor, self.fisher_scale)
        undefined = np.union1d(self.factor.deficient, self.dropped).astype(int)
        covariance[undefined, :] = np.nan
        covariance[:, undefined] = np.nan
        return covariance

    def with_clusters(self, cluster_fisher, n_groups):
        """Return this result with the cluster meat of other groups."""
        return replace(self, cluster_fisher=cluster_fisher, n_groups=int(n_groups))

    def without_problem(self):
        """Return this result without the problem (which holds the training data)."""
        return replace(self, problem=None)

    def attributes(self):
        """Return the estimator attributes of this result, by name, in the units of the data."""
        published = {
            "params_": self._unscaled(self.theta, -1),
            "param_names_": self.names,
            "n_iter_": self.n_iter,
            "converged_": self.converged,
            "nobs_": self.nobs,
            "loglik_": self.loglik,
            "score_": self._unscaled(self.score, 1),
        }
        for name in _MATRICES:
            published[name + "_"] = self._unscaled(getattr(self, name), 1)
        covariance = self._fit_covariance(None)  # once: its warnings once
        published["covariance_"] = self._unscaled(covariance, -1)
        published["standard_errors_"] = self._errors_of(covariance)
        if self.cluster_fisher is not None:
            published["cluster_fisher_"] = self._unscaled(self.cluster_fisher, 1)
            published["n_groups_"] = self.n_groups
        return published

    def _unscaled(self, value, power):
        """Map a vector or matrix of the rescaled fit back: times ``d`` (power −1) or over it."""
        if self.scale is None:
            return value
        d = self.scale if power < 0 else 1.0 / self.scale
        with np.errstate(over="ignore", under="ignore"):
            if value.ndim == 1:
                return value * d
            # One factor at a time: d_i d_j may underflow where the entry does not.
            return value * d[:, None] * d[None, :]

    def _covariance(self, cov_type, fisher_factor, phi, keep=(slice(None), slice(None))):
        """The covariance by ``cov_type`` over the parameters indexed by ``keep``."""
        observed, empirical = self.observed_information[keep], self.empirical_fisher[keep]
        if cov_type == "fisher":
            return fisher_factor.inverse() * phi
        if cov_type == "empirical":
            return _factor(empirical, "empirical Fisher").inverse()
        if cov_type == "observed":
            return _factor(observed, "observed information").inverse()
        # With a singular J the bread is the pseudo-inverse, not the inverse with
        # nan rows (whose product would be nan everywhere): the sandwich of the
        # identified parameters is the same for every generalised inverse of J.
        factor = _factor(observed, "observed information")
        bread = factor.solve(np.eye(factor.k))
        meat = empirical if cov_type == "sandwich" else self._cluster_meat(keep)
        sandwich = bread @ meat @ bread
        # The two products round differently above and below the diagonal.
        sandwich = 0.5 * (sandwich + sandwich.T)
        sandwich[factor.deficient, :] = np.nan
        sandwich[:, factor.deficient] = np.nan
        return sandwich

    def _cluster_meat(self, keep):
        """``c C`` with the small-sample correction ``c = G/(G−1) · (N−1)/(N−k)``."""
        G, N, k = self.n_groups, self.nobs, self.theta.size
        return self.cluster_fisher[keep] * (G / (G - 1) * (N - 1) / (N - k))


def _is_float(value):
    return np.asarray(value).dtype.kind == "f"


def cluster_codes(groups, n_rows):
    """Return integer cluster codes, one per row, from labels of any comparable type."""
    groups = np.asarray(groups)
    if groups.ndim == 2 and groups.shape[1] == 1:
        groups = groups.ravel()
    if groups.ndim != 1 or groups.shape[0] != n_rows:
        raise ValueError(
            f"groups must have one label per row of X ({n_rows}); got shape {groups.shape}."
        )
    missing = np.array([g is None or (isinstance(g, float) and g != g) for g in groups])
    if missing.any():
        raise ValueError(
            f"groups contains {int(missing.sum())} missing label(s) (None or NaN); give "
            "every sample a cluster."
        )
    try:
        return np.unique(groups, return_inverse=True)[1].ravel()
    except TypeError as exc:
        raise ValueError(
            "groups must hold labels of one comparable type (all numbers or all "
            f"strings); got {sorted({type(g).__name__ for g in groups})}."
        ) from exc


def _factor(matrix, what):
    factor = SymmetricFactor(matrix)
    if factor.negative:
        warn(
            f"The {what} is not positive semi-definite at the fit; the covariance "
            "from it is not a valid covariance and some standard errors may be nan. "
            "Use cov_type='fisher'.",
            CovarianceWarning,
        )
    return factor
