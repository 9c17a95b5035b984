"""The result of a ``solver="cg"`` fit: the estimate, and the covariance columns asked for."""

from dataclasses import dataclass, replace

import numpy as np

from ._cg_errors import covariance_columns, drop_unsolved


@dataclass(frozen=True, eq=False)
class CGResult:
    """What a ``solver="cg"`` fit found, as :class:`~skfisher._result.FisherResult` for the dense.

    Attributes
    ----------
    theta : ndarray of shape (k,)
        The estimate, in the units of the fit (columns of extreme scale
        rescaled, as the dense fit: ``θ = D θ'``).
    names : ndarray of shape (k,)
        The parameter names.
    loglik : float
        The log-likelihood at ``theta`` (nan where the dispersion is not defined).
    score : ndarray of shape (k,)
        The score at ``theta`` at the reported dispersion.
    n_iter, cg_iterations : int
        The Newton steps and the conjugate-gradient iterations of the loop.
    converged : bool
    nobs : float
        Σw.
    cov_type : str
        The covariance of ``columns``.
    defined : bool
        False when the dispersion cannot be estimated (every standard error nan).
    scale : ndarray of shape (k,) or None
        The factors ``d`` of a fit on rescaled columns.
    se_for : ndarray of int or None
        The parameters whose covariance columns were computed.
    columns : ndarray of shape (k, m) or None
        Those columns ``Σ e_j``, in the units of the fit.
    """

    theta: np.ndarray
    names: np.ndarray
    loglik: float
    score: np.ndarray
    n_iter: int
    converged: bool
    nobs: float
    cov_type: str
    cg_iterations: int
    defined: bool = True
    scale: np.ndarray = None
    se_for: np.ndarray = None
    columns: np.ndarray = None

    @classmethod
    def from_fit(cls, problem, result, names, *, cov_type, nobs, phi, loop_phi, scale, **unused):
        """Evaluate the log-likelihood and the score of ``problem`` at the loop's ``result``.

        ``unused`` are the driver's arguments for what a ``"cg"`` fit does
        not offer: clusters (its groups and rows) and dropped parameters (its
        diagnostics drop none).
        """
        defined = bool(np.isfinite(phi))
        theta = result.theta
        same_scale = phi == loop_phi or not defined
        return cls(
            theta=np.asarray(theta, dtype=float),
            names=np.asarray(names, dtype=object),
            loglik=float(problem.loglik(theta)) if defined else np.nan,
            score=result.score if same_scale else problem.score(theta),
            n_iter=int(result.n_iter),
            converged=bool(result.converged),
            nobs=float(nobs),
            cov_type=cov_type,
            cg_iterations=int(result.cg_iterations),
            defined=defined,
            scale=scale,
        )

    def with_columns(self, problem, indices, cov_type=None):
        """Return this result with the covariance columns of ``indices`` (by ``cov_type``)."""
        cov_type = self.cov_type if cov_type is None else cov_type
        indices = np.asarray(indices, dtype=int)
        if not self.defined:
            columns = np.full((self.theta.size, indices.size), np.nan)
        else:
            columns, residuals = covariance_columns(problem, self.theta, indices, cov_type)
            columns = drop_unsolved(columns, residuals, self.names[indices])
        return replace(self, se_for=indices, columns=columns, cov_type=cov_type)

    def errors(self):
        """Return the standard errors, shape (k,), nan but for ``se_for``, in the data's units."""
        errors = np.full(self.theta.size, np.nan)
        if self.se_for is not None:
            variances = self.columns[self.se_for, np.arange(self.se_for.size)]
            errors[self.se_for] = np.sqrt(np.where(variances >= 0, variances, np.nan))
        return errors if self.scale is None else errors * self.scale

    def data_columns(self):
        """Return ``columns`` in the units of the data: ``Σ e_j = d ⊙ Σ' e_j d_j``."""
        if self.scale is None:
            return self.columns
        return self.columns * self.scale[:, None] * self.scale[self.se_for][None, :]

    def attributes(self):
        """Return the estimator attributes of this result, by name, in the units of the data."""
        d = np.ones_like(self.theta) if self.scale is None else self.scale
        published = {
            "params_": self.theta * d,
            "param_names_": self.names,
            "n_iter_": self.n_iter,
            "n_cg_iter_": self.cg_iterations,
            "converged_": self.converged,
            "nobs_": self.nobs,
            "loglik_": self.loglik,
            "score_": self.score / d,
            "standard_errors_": self.errors(),
        }
        if self.se_for is not None:
            published["se_for_"] = self.se_for
            published["covariance_columns_"] = self.data_columns()
        return published
