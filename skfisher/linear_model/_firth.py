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

from .. import families
from .._linalg import SymmetricFactor
from .._profile import FixedProblem
from .._scoring import ScoringProblem, fisher_scoring
from ..links import get_link

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
        The problem of a family and link that admit it
        (:meth:`~skfisher.links.Link.admits_firth`);
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

    # Why profile-likelihood quantities are not defined for this fit (None: they are).
    profile_refusal = None

    def __init__(self, glm):
        self.glm = glm
        self._key = None

    def objective_scale(self):
        """Return 1: the objective is the penalised log-likelihood itself (φ = 1)."""
        return 1.0

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
        """Return ``(expected weight, I, factor of I, log det I)`` at θ (cached)."""
        key = theta.tobytes()
        if key != self._key:
            _, weight = self.glm._eta_derivatives(theta, 1.0)
            weight = self.glm.w * weight
            information = self.glm.design.gram(weight)
            factor, logdet = None, -np.inf
            if np.all(np.isfinite(information)):
                factor = SymmetricFactor(information)
                logdet = factor.logdet
            self._key, self._state = key, (weight, information, factor, logdet)
        return self._state

    def objective(self, theta):
        value = self.glm.objective(theta)
        if not np.isfinite(value):
            return -np.inf
        logdet = self._at(theta)[3]
        if not np.isfinite(logdet):
            return -np.inf
        return value + 0.5 * logdet

    def hat_and_score(self, theta):
        """Return the hat diagonal ``h`` (shape (n,)) and the modified score ``U*`` at θ."""
        weight, _, factor, _ = self._at(theta)
        score_eta, _ = self.glm._eta_derivatives(theta, 1.0)
        _, mu, _ = self.glm._state(theta)
        # a = ½ V'(μ): ½ − μ for the binomial, ½ for the Poisson (module docstring).
        a = 0.5 * self.glm.family.variance_deriv(mu)
        root = factor.inverse_root()
        return hat_and_score(root, self.glm.design, weight, self.glm.w * score_eta, a)

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


def hat_and_score(root, design, weight, score_eta, a):
    """Return the hat diagonal ``h`` and ``[1, X]ᵀ (score_eta + h ⊙ a)`` in one pass.

    ``h_i = weight_i x̃_iᵀ I⁻¹ x̃_i`` over the rows ``x̃_i`` of ``[1, X]``, with
    ``I⁻¹ = B Bᵀ`` for ``B = root`` (``SymmetricFactor.inverse_root``), so that
    ``x̃_iᵀ I⁻¹ x̃_i = ||x̃_iᵀ B||²``: one matrix product per row chunk (a
    triangular solve per chunk does the same arithmetic but runs several times
    slower in LAPACK), no n × n or n × k temporary. When ``I`` is singular
    (collinear columns, or fewer rows than parameters) ``B Bᵀ`` is a
    generalised inverse; the quadratic forms of the rows of ``X`` are the same
    for every one, so the penalty's gradient is that of the model without the
    redundant columns.
    """
    h = np.empty(design.n_rows)
    score = np.zeros(design.n_cols)
    offset = int(design.fit_intercept)
    slopes = root[offset:]
    chunk = max(64, _HAT_CHUNK_BYTES // (8 * design.n_cols))
    buffer = np.empty((min(chunk, design.n_rows), root.shape[1]))
    for start in range(0, design.n_rows, chunk):
        stop = min(start + chunk, design.n_rows)
        rows = design.X[start:stop]
        if design.sparse:
            projected = np.asarray(rows @ slopes)
        else:
            projected = np.matmul(rows, slopes, out=buffer[: stop - start])
        if offset:
            projected += root[0]
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
    # The negative binomial with α estimated has no separate link object (its log).
    link = family.get_link() if link is None else link
    if not link.admits_firth(family):
        raise ValueError(
            f"bias_reduction={method!r} is implemented for the canonical-link pairs "
            f"{', '.join(_firth_pairs())}; got family={family.name!r} with "
            f"link={link.name!r}. Use one of these pairs, or bias_reduction=None."
        )
    if method == "flic" and not family.mean_is_probability:
        raise ValueError(
            "bias_reduction='flic' corrects the intercept of a logistic model; got "
            f"family={family.name!r}. Use bias_reduction='firth'."
        )
    if method == "flic" and not estimator.fit_intercept:
        raise ValueError(
            "bias_reduction='flic' re-estimates the intercept, but fit_intercept=False. "
            "Set fit_intercept=True, or use bias_reduction='firth'."
        )


def _firth_pairs():
    """The ``family-link`` pairs of the families in :mod:`skfisher.families` that admit Firth."""
    pairs = []
    for name in families.__all__:
        cls = getattr(families, name)
        if isinstance(cls, type) and issubclass(cls, families.GLMFamily) and cls.name:
            family = cls()
            pairs += [
                f"{family.name}-{link}"
                for link in family.links
                if get_link(link).admits_firth(family)
            ]
    return pairs


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
    return link.admits_firth(family)


def fit_bias_reduced(estimator, problem, theta0, max_iter):
    """Fit ``problem`` bias-reduced, as the estimator's ``bias_reduction`` asks.

    Returns the Firth problem (whose quantities the estimator reports) and
    the loop's result at the estimate, where the Firth problem's objective
    is ℓ*, the estimator's ``penalized_loglik_``.
    """
    method = estimator.bias_reduction
    check_bias_reduction(estimator, problem.family, getattr(problem, "link", None))
    firth = FirthProblem(problem)
    result = fisher_scoring(firth, theta0, max_iter=max_iter, tol=estimator.tol)
    if method == "flic":
        result = _flic(firth, result, max_iter, estimator.tol)
        firth.profile_refusal = (
            "Profile-likelihood quantities are not defined for bias_reduction='flic' (its "
            "intercept maximises a different function than its slopes). Use "
            "bias_reduction='firth' (the same slopes) or method='wald'."
        )
    return firth, result


def _flic(firth, result, max_iter, tol):
    """Re-estimate the intercept by maximum likelihood with Firth's slopes held fixed.

    The intercept's score equation ``Σ w (y − μ) = 0`` makes the mean fitted
    probability equal the (weighted) event rate. The result carries the
    score, information and factor at the FLIC estimate, so the reported
    covariance is ``I⁻¹`` there.
    """
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
