"""Firth's bias reduction: the Jeffreys-penalised likelihood as a scoring problem.

Firth (1993) removes the O(1/n) bias of the maximum-likelihood estimate by
maximising the penalised log-likelihood

    ℓ*(β) = ℓ(β) + ½ log det I(β),

the log-likelihood plus the log of Jeffreys' invariant prior. Its maximiser is
finite under complete and quasi-complete separation, where the plain estimate
diverges (Heinze & Schemper 2002).

**The modified score for a canonical link.** With ``θ = η`` (φ = 1), ``μ = b'(η)``,
``V = b''(η)`` and frequency weights ``w``, the information is
``I = Xᵀ diag(w V) X`` and ``dV/dη = V'(μ) dμ/dη = V'(μ) V``, so

    ∂ log det I / ∂β_j = tr(I⁻¹ ∂I/∂β_j) = Σ_i w_i V_i V'(μ_i) x_ij x_iᵀ I⁻¹ x_i
                       = Σ_i h_i V'(μ_i) x_ij,

with ``h_i = w_i V_i x_iᵀ I⁻¹ x_i`` the diagonal of the weighted hat matrix
``W^{1/2} X I⁻¹ Xᵀ W^{1/2}`` (``W = diag(w V)``). The modified score is therefore

    U*(β) = Xᵀ (w (y − μ) + h ⊙ a),     a = ½ V'(μ):

- binomial with the logit link: ``V = μ(1 − μ)``, ``a = ½ − μ`` (each row gains
  ``h/2`` pseudo-successes and ``h/2`` pseudo-failures, logistf's reading);
- Poisson with the log link: ``V = μ``, ``a = ½`` (each row gains ``h/2``
  pseudo-counts).

The loop steps by ``I(β)⁻¹ U*(β)`` (as logistf and brglm2) and halves the step
on ℓ*, which therefore never decreases. The hat diagonal costs one more
O(n k²) pass per iteration, made over row chunks (a triangular solve with the
Cholesky factor of ``I``), never an n × n matrix.

**Reported matrices.** The information, observed information and empirical
Fisher are those of the unpenalised log-likelihood at the Firth estimate, and
``cov_type="fisher"`` gives ``I(β̂)⁻¹``, as R's ``logistf`` and ``brglm2`` report.
The Python package ``firthmodels`` reports instead the inverse of
``Xᵀ diag((w + h) V) X`` (the information of the pseudo-data), whose standard
errors are smaller by a relative O(k/n).

FLIC (Puhr, Heinze, Nold, Lusa & Geroldinger 2017) keeps Firth's slopes and
re-estimates the intercept by maximum likelihood with the slopes held fixed,
so that the mean predicted probability equals the event rate.
"""

import numpy as np
import scipy.linalg

from .._linalg import RANK_RTOL
from .._scoring import ScoringProblem, fisher_scoring

# The (family, link) pairs for which the modified score above is implemented.
FIRTH_PAIRS = (("binomial", "logit"), ("poisson", "log"))
BIAS_REDUCTIONS = ("firth", "flic")

# Rows per chunk of the hat diagonal: a product block of about 128 KiB. Larger
# blocks were up to 10× slower per row on 2 cores (n = 10⁵, k = 21), where
# OpenBLAS starts threading the product.
_HAT_CHUNK_BYTES = 1 << 17


class FirthProblem(ScoringProblem):
    """The Jeffreys-penalised log-likelihood ``ℓ + ½ log det I`` of a canonical-link GLM.

    Parameters
    ----------
    glm : GLMProblem
        The problem of the family and link (one of ``FIRTH_PAIRS``);
        ``loglik``, ``empirical_fisher`` and ``cluster_fisher`` are its own.
        Its L2 penalty (``alpha > 0``), if any, is kept: the objective is then
        ``ℓ + ½ log det I − ½ α Σw ||coef||²`` and the information of the step
        and of the reported matrices gains ``α Σw`` on the diagonal, as for
        a plain penalised fit; the log-determinant is that of the model's
        information ``I`` (Jeffreys' prior), without the penalty.

    Notes
    -----
    The state of the last θ (the information, its factor and ``log det I``)
    is cached: the line search evaluates ℓ* at the candidate, which needs
    ``I``, and the loop's next call reuses it for the score.
    """

    def __init__(self, glm):
        self.glm = glm
        self._key = None

    # Forwarded so that the estimator treats this problem as the GLM it wraps.
    @property
    def design(self):
        return self.glm.design

    @property
    def w(self):
        return self.glm.w

    def linear_predictor(self, theta):
        """Return ``η = X θ + offset``, shape (n,)."""
        return self.glm.linear_predictor(theta)

    def _at(self, theta):
        """Return ``(expected weight, I, root of I⁻¹)`` at θ (cached)."""
        key = theta.tobytes()
        if key != self._key:
            _, weight = self.glm._eta_derivatives(theta, 1.0)
            weight = self.glm.w * weight
            information = self.glm.design.gram(weight)
            root = InformationRoot(information) if np.all(np.isfinite(information)) else None
            self._key, self._state = key, (weight, information, root)
        return self._state

    def objective(self, theta):
        value = self.glm.objective(theta)
        if not np.isfinite(value):
            return -np.inf
        root = self._at(theta)[2]
        if root is None or not np.isfinite(root.logdet):
            return -np.inf
        return value + 0.5 * root.logdet

    def hat_and_score(self, theta):
        """Return the hat diagonal ``h`` (shape (n,)) and the modified score ``U*`` at θ."""
        weight, _, root = self._at(theta)
        score_eta, _ = self.glm._eta_derivatives(theta, 1.0)
        _, mu, _ = self.glm._state(theta)
        # a = ½ V'(μ): ½ − μ for the binomial, ½ for the Poisson (module docstring).
        a = 0.5 * self.glm.family.variance_deriv(mu)
        return root.hat_and_score(self.glm.design, weight, self.glm.w * score_eta, a)

    def score_information(self, theta):
        _, score = self.hat_and_score(theta)
        return score - self.glm.penalty * theta, self.observed_information(theta)

    def loglik(self, theta):
        return self.glm.loglik(theta)

    def observed_information(self, theta):
        # Canonical link: the Hessian of ℓ does not involve y, so J = I (plus
        # the L2 penalty's, as GLMProblem reports it).
        information = self._at(theta)[1].copy()
        information[np.diag_indices_from(information)] += self.glm.penalty
        return information

    def empirical_fisher(self, theta):
        return self.glm.empirical_fisher(theta)

    def cluster_fisher(self, theta, groups):
        return self.glm.cluster_fisher(theta, groups)


class InformationRoot:
    """``log det I`` and the quadratic forms ``x_iᵀ I⁻¹ x_i`` of an information matrix.

    ``I`` is scaled to unit diagonal and factorised by Cholesky, ``D⁻¹ I D⁻¹ = RᵀR``,
    so that ``I⁻¹ = B Bᵀ`` with ``B = D⁻¹ R⁻¹`` and ``x_iᵀ I⁻¹ x_i = ||x_iᵀ B||²``:
    one matrix product per row chunk (a triangular solve per chunk does the
    same arithmetic but runs several times slower in LAPACK). When ``I`` is
    singular (collinear columns, or fewer rows than parameters), the
    eigendecomposition ``I = U Λ Uᵀ`` on the eigenvalues above
    ``RANK_RTOL · λ_max`` gives ``B = U Λ^{-1/2}`` (a generalised inverse) and
    the log pseudo-determinant. The quadratic forms of the rows of ``X`` are
    the same for every generalised inverse, and the pseudo-determinant
    differs from the determinant of the identified model by a constant factor,
    so the penalty and its gradient are those of the model without the
    redundant columns.

    Parameters
    ----------
    information : ndarray of shape (k, k)
        Symmetric positive semi-definite, finite.
    """

    def __init__(self, information):
        diag = np.diag(information)
        if np.all(diag > 0):
            scale = np.sqrt(diag)
            scaled = information / np.outer(scale, scale)
            try:
                upper = scipy.linalg.cholesky(scaled, lower=False, check_finite=False)
            except np.linalg.LinAlgError:
                upper = None
            if upper is not None and np.min(np.diag(upper)) ** 2 > RANK_RTOL:
                logdet = 2.0 * np.sum(np.log(np.diag(upper)) + np.log(scale))
                # LAPACK's triangular inverse: scipy's solve_triangular of the
                # identity takes milliseconds even for k = 2 (its threading).
                inverse, info = scipy.linalg.lapack.dtrtri(upper, lower=0)
                if info == 0:
                    self.logdet = logdet
                    self.root = np.triu(inverse) / scale[:, None]
                    return
        values, vectors = scipy.linalg.eigh(information, check_finite=False)
        keep = values > RANK_RTOL * max(values[-1], 0.0)
        self.logdet = float(np.sum(np.log(values[keep]))) if keep.any() else -np.inf
        self.root = vectors[:, keep] / np.sqrt(values[keep])

    def hat_and_score(self, design, weight, score_eta, a):
        """Return the hat diagonal ``h`` and ``[1, X]ᵀ (score_eta + h ⊙ a)`` in one pass.

        ``h_i = weight_i x̃_iᵀ I⁻¹ x̃_i`` over the rows ``x̃_i`` of ``[1, X]``,
        computed over row chunks of the design (no n × n or n × k temporary).
        """
        h = np.empty(design.n_rows)
        score = np.zeros(design.n_cols)
        offset = int(design.fit_intercept)
        root = self.root[offset:]
        chunk = max(64, _HAT_CHUNK_BYTES // (8 * design.n_cols))
        buffer = np.empty((min(chunk, design.n_rows), self.root.shape[1]))
        for start in range(0, design.n_rows, chunk):
            stop = min(start + chunk, design.n_rows)
            rows = design.X[start:stop]
            if design.sparse:
                projected = np.asarray(rows @ root)
            else:
                projected = np.matmul(rows, root, out=buffer[: stop - start])
            if offset:
                projected += self.root[0]
            quadratic = np.einsum("ij,ij->i", projected, projected)
            h[start:stop] = weight[start:stop] * quadratic
            v = score_eta[start:stop] + h[start:stop] * a[start:stop]
            score[offset:] += np.asarray(rows.T @ v).ravel()
            if offset:
                score[0] += v.sum()
        return h, score


def check_bias_reduction(estimator, family, link):
    """Raise ``ValueError`` unless ``estimator.bias_reduction`` applies to the model."""
    method = estimator.bias_reduction
    if method is None:
        return
    # The negative binomial with α estimated has no separate link object (log).
    link_name = "log" if link is None else link.name
    pair = (family.name, link_name)
    if pair not in FIRTH_PAIRS:
        supported = ", ".join(f"{f}-{g}" for f, g in FIRTH_PAIRS)
        raise ValueError(
            f"bias_reduction={method!r} is implemented for the canonical-link pairs "
            f"{supported}; got family={family.name!r} with link={link_name!r}. Use one "
            "of these pairs, or bias_reduction=None."
        )
    if method == "flic" and pair != ("binomial", "logit"):
        raise ValueError(
            "bias_reduction='flic' corrects the intercept of a logistic model; got "
            f"family={family.name!r}. Use bias_reduction='firth'."
        )
    if method == "flic" and not estimator.fit_intercept:
        raise ValueError(
            "bias_reduction='flic' re-estimates the intercept, but fit_intercept=False. "
            "Set fit_intercept=True, or use bias_reduction='firth'."
        )


def firth_available(estimator):
    """Return whether ``bias_reduction="firth"`` applies to the estimator's model."""
    classes = getattr(estimator, "classes_", None)
    if classes is not None and len(classes) > 2:
        return False
    family_and_link = getattr(estimator, "_family_and_link", None)
    if family_and_link is None:
        return True
    try:
        family, link = family_and_link()
    except (ValueError, TypeError):
        return False
    return (family.name, link.name) in FIRTH_PAIRS


def fit_scoring(estimator, problem, theta0, max_iter):
    """Fit ``problem`` by the one loop, bias-reduced if the estimator asks for it.

    Returns the problem whose quantities the estimator reports (the Firth
    problem for a bias-reduced fit) and the loop's result at the estimate.
    Sets ``penalized_loglik_`` (ℓ* at the estimate) on a bias-reduced fit and
    removes a stale one otherwise.
    """
    method = getattr(estimator, "bias_reduction", None)
    if method is None:
        if hasattr(estimator, "penalized_loglik_"):
            del estimator.penalized_loglik_
        return problem, fisher_scoring(problem, theta0, max_iter=max_iter, tol=estimator.tol)
    check_bias_reduction(estimator, problem.family, getattr(problem, "link", None))
    firth = FirthProblem(problem)
    result = fisher_scoring(firth, theta0, max_iter=max_iter, tol=estimator.tol)
    if method == "flic":
        result = _flic(firth, result, max_iter, estimator.tol)
    estimator.penalized_loglik_ = float(firth.objective(result.theta))
    return firth, result


def _flic(firth, result, max_iter, tol):
    """Re-estimate the intercept by maximum likelihood with Firth's slopes held fixed.

    The intercept's score equation ``Σ w (y − μ) = 0`` makes the mean fitted
    probability equal the (weighted) event rate. The result carries the
    score, information and factor at the FLIC estimate, so the reported
    covariance is ``I⁻¹`` there.
    """
    from ._profile import FixedProblem

    theta = result.theta
    slopes = np.arange(1, theta.size)
    intercept = FixedProblem(firth.glm, theta.size, slopes, theta[1:])
    refit = fisher_scoring(intercept, theta[:1], max_iter=max_iter, tol=tol)
    flic_theta = intercept.full(refit.theta)
    # max_iter=0 evaluates the loop's quantities at θ without moving it.
    final = fisher_scoring(firth, flic_theta, max_iter=0)
    final.n_iter = result.n_iter + refit.n_iter
    final.converged = bool(result.converged and refit.converged)
    return final
