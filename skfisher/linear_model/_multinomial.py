"""The multinomial logit log-likelihood as a :class:`~skfisher._scoring.ScoringProblem`.

With K classes and the first one as reference, class ``j`` has the linear
predictor ``η_j = x̃ᵀβ_j`` (``x̃ = [1, x]``) for ``j = 1, …, K−1`` and ``η_0 = 0``;
``p_j = exp(η_j) / Σ_l exp(η_l)``. The parameters are class-major,
``θ = [β_1, …, β_{K−1}]``, as statsmodels ``MNLogit`` and R ``nnet::multinom``.
"""

import copy

import numpy as np
import scipy.sparse as sp
from scipy.special import logsumexp

from .._scoring import ScoringProblem
from .._summary import SummaryTable
from .._validation import find_separation
from .._warnings import warn
from ..exceptions import PerfectSeparationWarning
from ._problem import group_score_sums

# A row whose observed class has a fitted probability within exp(-15) of 0 or
# 1 is suspiciously well (or badly) predicted and the separation check runs:
# the binary path's |η| > 15. Only the observed class counts, since in a model
# with many classes some other class is often legitimately that improbable.
_SEPARATION_LOG_P = -15.0


class MultinomialProblem(ScoringProblem):
    """Log-likelihood of the multinomial logit with a reference class.

    Parameters
    ----------
    design : Design
        The model matrix ``[1, X]`` (or ``X``), shared by every class.
    y_index : ndarray of shape (n,)
        The class of each row as an integer in ``0, …, n_classes − 1``;
        class 0 is the reference.
    n_classes : int
        K, at least 2.
    sample_weight : ndarray of shape (n,)
        Frequency weights.
    alpha : float
        L2 penalty in scikit-learn's GLM convention: the objective is
        ``ℓ(θ) − ½ α Σw Σ_j ||coef_j||²``; the intercepts are not penalised.

    Notes
    -----
    With ``r_ij = y_ij − p_ij`` (``y_ij`` the indicator of class j) the score of
    class j is ``U_j = Σ w_i r_ij x̃_i`` and the expected information has the
    blocks

        ``I_jl = Σ w_i p_ij (δ_jl − p_il) x̃_i x̃_iᵀ``,

    each one weighted Gram product of the design, so the nK × nK weight matrix
    is never formed and an evaluation costs O(n K² k²) in BLAS for k columns.
    The logit is the canonical link of the multinomial, so the observed
    information equals the expected one. The per-row score is
    ``s_i = r_i ⊗ x̃_i`` and the empirical Fisher has the blocks
    ``F_jl = Σ w_i r_ij r_il x̃_i x̃_iᵀ``.
    """

    def __init__(self, design, y_index, n_classes, sample_weight, *, alpha=0.0):
        self.design = design
        self.n_classes = int(n_classes)
        self.y_index = np.asarray(y_index, dtype=np.intp)
        self.Y = np.zeros((design.n_rows, self.n_classes))
        self.Y[np.arange(design.n_rows), self.y_index] = 1.0
        self.w = sample_weight
        block = np.full(design.n_cols, alpha * sample_weight.sum())
        if design.fit_intercept:
            block[0] = 0.0
        self.penalty = np.tile(block, self.n_classes - 1)
        self._key = None

    @property
    def n_params(self):
        """The number of free parameters, ``(K − 1) k``."""
        return (self.n_classes - 1) * self.design.n_cols

    def _blocks(self, theta):
        return np.asarray(theta, dtype=float).reshape(self.n_classes - 1, self.design.n_cols)

    # Per-row state -----------------------------------------------------------
    def _state(self, theta):
        """Return η (n, K) and log p (n, K) at θ, cached for the last θ."""
        key = theta.tobytes()
        if key != self._key:
            eta = np.zeros((self.design.n_rows, self.n_classes))
            for j, beta in enumerate(self._blocks(theta), start=1):
                eta[:, j] = self.design.matvec(beta)
            # log p = η − log Σ exp η, exact for any finite η.
            with np.errstate(all="ignore"):
                log_p = eta - logsumexp(eta, axis=1, keepdims=True)
            self._key, self._eta, self._log_p = key, eta, log_p
        return self._eta, self._log_p

    def linear_predictor(self, theta):
        """Return ``η`` of every class, shape (n, K), the reference column 0."""
        return self._state(theta)[0]

    def log_proba(self, theta):
        """Return ``log p``, shape (n, K)."""
        return self._state(theta)[1]

    def _probabilities(self, theta):
        """Return ``p`` and ``1 − p`` (the sum of the other classes, exact near p = 1)."""
        p = np.exp(self._state(theta)[1])
        complement = np.empty_like(p)
        for j in range(self.n_classes):
            complement[:, j] = np.delete(p, j, axis=1).sum(axis=1)
        return p, complement

    def _residuals(self, p, complement):
        """Return ``r = y − p`` of the non-reference classes, shape (n, K − 1)."""
        # 1 − p_ij from the other classes keeps r exact for a well-predicted row.
        return np.where(self.Y[:, 1:] > 0, complement[:, 1:], -p[:, 1:])

    def _block_gram(self, weights, vectors=None, off_sign=1.0):
        """Assemble ``[X̃ᵀ diag(weights(j, h)) X̃]`` from its upper blocks.

        The off-diagonal blocks are multiplied by ``off_sign``, so that weights
        of one sign can be passed as non-negative (the Gram product then takes
        the symmetric rank-k update, half the work of a general product). With
        ``vectors`` (n, K − 1), also return the stacked ``X̃ᵀ vectors[:, j]``,
        each formed in the same pass over the rows as the diagonal block j.
        """
        k = self.design.n_cols
        n_blocks = self.n_classes - 1
        out = np.empty((n_blocks * k, n_blocks * k))
        products = np.empty(n_blocks * k)
        for j in range(n_blocks):
            rows = slice(j * k, (j + 1) * k)
            if vectors is None:
                out[rows, rows] = self.design.gram(weights(j, j))
            else:
                out[rows, rows], products[rows] = self.design.gram(weights(j, j), vectors[:, j])
            for h in range(j + 1, n_blocks):
                block = off_sign * self.design.gram(weights(j, h))
                out[rows, h * k : (h + 1) * k] = block
                out[h * k : (h + 1) * k, rows] = block.T
        return out if vectors is None else (out, products)

    def _information(self, theta, with_score=False):
        """Return ``I`` (unpenalised), and with ``with_score`` the unpenalised score."""
        p, complement = self._probabilities(theta)
        w = self.w

        def weights(j, h):
            # Classes j + 1 and h + 1 (the reference is column 0 of p); the
            # off-diagonal weight is −w p_j p_h, passed positive (off_sign).
            if j == h:
                return w * p[:, j + 1] * complement[:, j + 1]
            return w * p[:, j + 1] * p[:, h + 1]

        vectors = w[:, None] * self._residuals(p, complement) if with_score else None
        return self._block_gram(weights, vectors, off_sign=-1.0)

    # ScoringProblem -------------------------------------------------------------
    def loglik(self, theta):
        log_p = self._state(theta)[1]
        value = float(np.dot(self.w, log_p[np.arange(self.design.n_rows), self.y_index]))
        return value if np.isfinite(value) else -np.inf

    def objective(self, theta):
        return self.loglik(theta) - 0.5 * float(self.penalty @ np.square(theta))

    def score(self, theta):
        """Return the gradient of the objective, shape ((K − 1) k,)."""
        residuals = self._residuals(*self._probabilities(theta))
        score = np.concatenate([self.design.rmatvec(self.w * r) for r in residuals.T])
        return score - self.penalty * theta

    def information(self, theta):
        """Return the expected information of the objective (penalty included)."""
        return self._penalised(self._information(theta))

    def score_information(self, theta):
        information, score = self._information(theta, with_score=True)
        return score - self.penalty * theta, self._penalised(information)

    def observed_information(self, theta):
        # Canonical link: the Hessian does not depend on y, so J = I.
        return self.information(theta)

    def positive_rows(self):
        return self.w > 0

    def cluster_fisher(self, theta, groups):
        """Return ``Σ_g u_g u_gᵀ``, ``u_g = Σ_{i ∈ g} w_i s_i`` with ``s_i = r_i ⊗ x̃_i``."""
        residuals = self._residuals(*self._probabilities(theta))
        sums = np.hstack([group_score_sums(self.design, self.w * r, groups) for r in residuals.T])
        return sums.T @ sums

    def empirical_fisher(self, theta):
        residuals = self._residuals(*self._probabilities(theta))
        w = self.w
        return self._block_gram(lambda j, h: w * residuals[:, j] * residuals[:, h])

    def _penalised(self, matrix):
        matrix[np.diag_indices_from(matrix)] += self.penalty
        return matrix


def start_theta(problem):
    """Starting θ: intercepts at the log odds of each class's share, slopes at 0."""
    blocks = np.zeros((problem.n_classes - 1, problem.design.n_cols))
    if problem.design.fit_intercept:
        share = problem.w @ problem.Y
        # Half a row per class keeps the log odds finite for a class of weight 0.
        log_share = np.log(share + 0.5)
        blocks[:, 0] = log_share[1:] - log_share[0]
    return blocks.ravel()


def separation_contrasts(problem, theta, converged):
    """Return the parameters that diverge because classes are separated.

    The check runs when the fit did not converge or the fitted probability of
    some row's own class is within ``exp(-15)`` of 0 or 1, as the binary check
    does. Its linear programme has n (K − 1) rows and (K − 1) k columns.

    The maximum-likelihood estimate does not exist exactly when some direction
    ``d = [d_1, …, d_{K−1}]`` (``d_0 = 0``) raises no row's log-likelihood less
    than it raises the others: ``x̃_iᵀ(d_{y_i} − d_l) >= 0`` for every row i and
    class ``l ≠ y_i``, with at least one strict inequality (Albert & Anderson
    1984, Biometrika 71:1). This is a Konis linear programme whose rows are
    the contrasts ``(e_{y_i} − e_l) ⊗ x̃_i``; checking each class against the
    reference alone would miss a separation between two other classes and
    could flag a pair that a third class keeps apart.
    :func:`~skfisher._validation.find_separation` finds every contrast that
    some direction moves, and the parameters that the other contrasts do not
    identify: every parameter of a class separated from all the others, for
    example, intercept included.

    Returns
    -------
    diverging : ndarray of int
        The indices in θ of the parameters that diverge (empty if none).
    pairs : list of (int, int)
        The (class, other class) indices of the separated contrasts.
    complete : bool
        Whether every row is separated from every other class (complete
        separation): every fitted probability then tends to 0 or 1.
    """
    free = problem.w > 0
    if converged and not _extreme_fit(problem, theta, free):
        return np.array([], dtype=int), [], False
    A, pairs = _contrast_rows(problem, free)
    found = find_separation(A, np.ones(A.shape[0]))
    if found is None:
        return np.array([], dtype=int), [], False
    separated = sorted({(int(a), int(b)) for a, b in pairs[found.separated]})
    return found.diverging, separated, found.complete


def _contrast_rows(problem, free):
    """Return the contrasts ``(e_{y_i} − e_l) ⊗ x̃_i`` and their ``(y_i, l)`` pairs."""
    X = problem.design.X[free]
    X = X.toarray() if sp.issparse(X) else np.asarray(X)
    if problem.design.fit_intercept:
        X = np.column_stack([np.ones(X.shape[0]), X])
    y = problem.y_index[free]
    K = problem.n_classes
    rows, pairs = [], []
    for other in range(K):
        rows_of = y != other
        m = int(rows_of.sum())
        # (e_{y_i} − e_other) restricted to the non-reference classes.
        contrast = np.zeros((m, K))
        contrast[np.arange(m), y[rows_of]] = 1.0
        contrast[:, other] -= 1.0
        rows.append((contrast[:, 1:, None] * X[rows_of, None, :]).reshape(m, -1))
        pairs.append(np.column_stack([y[rows_of], np.full(m, other)]))
    return np.vstack(rows), np.vstack(pairs)


def _extreme_fit(problem, theta, free):
    """Whether some row's observed class has ``p < e^-15`` or ``1 − p < e^-15``."""
    log_p = problem.log_proba(theta)[free]
    observed = problem.Y[free] > 0
    log_observed = log_p[observed]
    # log(1 − p) as the log-sum-exp of the other classes: exact near p = 1.
    log_others = logsumexp(np.where(observed, -np.inf, log_p), axis=1)
    return bool(min(log_observed.min(), log_others.min()) < _SEPARATION_LOG_P)


def warn_multinomial_separation(diverging, pairs, names, classes, *, remedy):
    """Warn that some classes are separated, naming them and the diverging parameters."""
    by_class = {}
    for a, b in pairs:
        by_class.setdefault(a, []).append(b)
    described = "; ".join(
        f"class {_label(classes[a])!r} from {[_label(classes[b]) for b in others]}"
        for a, others in by_class.items()
    )
    warn(
        f"Perfect or quasi-complete separation of {described}: a combination of the "
        "parameters predicts those observations' classes exactly, so the maximum "
        f"likelihood estimate does not exist and the parameters {[names[j] for j in diverging]} "
        "diverge (or are identified only by those observations). The fit is reported "
        "with converged_=False and nan standard errors for them. "
        f"Possible remedies: {remedy}.",
        PerfectSeparationWarning,
    )


def _label(value):
    return value.item() if hasattr(value, "item") else value


class ClassGroupedSummary(SummaryTable):
    """A :class:`~skfisher._summary.SummaryTable` whose rows are grouped by class.

    Printing shows one heading per non-reference class and the features under
    it; :meth:`to_frame` keeps the full ``"<class>:<feature>"`` names.

    Parameters
    ----------
    table : SummaryTable
        The table with ``"<class>:<feature>"`` row names, class-major.
    classes : ndarray of shape (K,)
        The class labels; the first is the reference.
    """

    def __init__(self, table, classes):
        self.__dict__.update(table.__dict__)
        self.classes = classes

    def __str__(self):
        group_size = len(self.names) // (len(self.classes) - 1)
        short = copy.copy(self)
        # Strip each row's "<class>:" by its length (a label may contain ":").
        prefixes = [len(f"{label}:") for label in self.classes[1:] for _ in range(group_size)]
        short.names = ["  " + name[cut:] for name, cut in zip(self.names, prefixes, strict=True)]
        lines = SummaryTable.__str__(short).split("\n")
        first_row = next(i for i, line in enumerate(lines) if line and set(line) == {"-"}) + 1
        reference = _label(self.classes[0])
        for g, label in reversed(list(enumerate(self.classes[1:]))):
            heading = f"class {_label(label)!r} vs reference {reference!r}"
            lines.insert(first_row + g * group_size, heading)
        return "\n".join(lines)
