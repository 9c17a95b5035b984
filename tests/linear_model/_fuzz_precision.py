"""How precisely float64 determines the standard errors of a GLM fit.

Every standard error is a diagonal entry of an inverse (or of a sandwich of
inverses) of a matrix summed over rows, ``M = Σ w m_i x̃_i x̃_iᵀ``. Its
per-row terms carry the rounding of ``η_i = x̃_iᵀ θ`` (about
``ε Σ_j |x̃_ij θ_j|``, large where the columns cancel) and of ``y_i − μ_i``
(``ε (|y_i| + |μ_i|)``, large against a small residual). A fit with an
outlier concentrates its standard errors in the rows whose residuals are
small: in a gaussian-log fit, the rounding of one residual of 1.6e-8 put an
error of 5e-8 in the empirical Fisher's entries and of 6e-6 in its standard
errors (exact arithmetic at the same estimate); in a gaussian-inverse fit
whose empirical Fisher is singular to 1e-11, entries right to 1e-15 gave
sandwich standard errors right to 8e-5 only.

:func:`se_precision` bounds that movement to first order: the per-row terms
are evaluated at the corners ``(y_i ± δy_i, η_i ± δη_i)``, and with ``Δ_i``
their largest change a variance ``(M⁻¹)_aa`` moves by at most
``Σ w Δ_i (x̃_iᵀ v)²`` for ``v = M⁻¹ e_a`` (plus the rounding of the sums that
form ``M``); a sandwich ``C = B J B`` (``B = H⁻¹``) by
``2 Σ w Δ^H_i |x̃_iᵀ B e_a| |x̃_iᵀ C e_a| + Σ w Δ^J_i (x̃_iᵀ B e_a)²``.
"""

import numpy as np

from skfisher.families import get_family
from skfisher.links import get_link

from ._fuzz_strategies import ours_family

EPS = np.finfo(float).eps
# Headroom over the first-order estimates (the corners bound each row's change,
# not the products that follow).
ROUNDING_SLACK = 2.0


def _design(X):
    return np.column_stack([np.ones(len(X)), X])


def _row_terms(family, link, y, eta, phi):
    """Return the per-row (score², expected, observed) weights at ``y``, ``η`` and ``φ``."""
    with np.errstate(all="ignore"):
        mu, var = family.mean_and_variance(eta, link)
        score, expected = family.eta_derivatives(y, eta, mu, var, link, phi)
        observed = family.observed_weight(y, eta, mu, var, link, phi)
    return np.square(score), expected, observed


def _row_errors(family, link, y, eta, d_y, d_eta, phi):
    """Return the largest change of each per-row term over the corners of its rounding."""
    base = _row_terms(family, link, y, eta, phi)
    largest = [np.zeros_like(y) for _ in base]
    for sign_y in (-1.0, 1.0):
        for sign_eta in (-1.0, 1.0):
            moved = _row_terms(family, link, y + sign_y * d_y, eta + sign_eta * d_eta, phi)
            for value, at, out in zip(moved, base, largest, strict=True):
                np.maximum(out, np.abs(value - at), out=out)
    return base, largest


def _changes(design, w, terms, changes, left, right):
    """Return a bound on ``|lᵀ δM r|`` for each pair of columns ``l_a``, ``r_a``.

    A change ``δm_i`` of row i's term moves ``M`` by ``w δm_i x̃_i x̃_iᵀ`` (the
    row ``x̃_i`` is data, exact), so ``lᵀ δM r`` by ``w δm_i (x̃_iᵀ l)(x̃_iᵀ r)``.
    The sum over n rows rounds each entry by about ``√n ε`` of the sum of the
    absolute terms, ``Σ w |m_i| |x̃_i| |x̃_i|ᵀ``.
    """
    with np.errstate(all="ignore"):
        rows = np.where(np.isfinite(changes), w * changes, np.inf)
        moved = rows @ (np.abs(design @ left) * np.abs(design @ right))
        absolute = np.abs(design)
        sums = absolute.T @ (absolute * (w * np.abs(terms))[:, None])
        moved += (
            (np.sqrt(len(w)) + 4)
            * EPS
            * np.einsum("ia,ij,ja->a", np.abs(left), sums, np.abs(right))
        )
    return ROUNDING_SLACK * moved


def _inverse(matrix):
    try:
        return np.linalg.inv(matrix)
    except np.linalg.LinAlgError:
        return np.full_like(matrix, np.nan)


def se_precision(spec, model, X, y, w, offset):
    """Return, per cov_type, the relative precision of each standard error of ``model``.

    None for the negative binomial with α estimated (its α terms are not GLM
    rows); inf where a bound is not finite.
    """
    if spec.family == "negative_binomial_alpha":
        return None
    family = get_family(ours_family(spec.family))
    link = get_link(spec.link)
    w = np.ones(len(y)) if w is None else w
    keep = w > 0
    design, y, w = _design(X)[keep], y[keep], w[keep]
    offset = 0.0 if offset is None else offset[keep]
    theta = model.params_
    eta = design @ theta + offset
    with np.errstate(all="ignore"):
        mu = link.inverse(eta)
    d_eta = EPS * (np.abs(design) @ np.abs(theta) + np.abs(offset))
    d_y = EPS * (np.abs(y) + np.abs(mu))
    terms, changes = _row_errors(family, link, y, eta, d_y, d_eta, model.dispersion_)
    rows = dict(
        zip(("empirical", "fisher", "observed"), zip(terms, changes, strict=True), strict=True)
    )
    matrices = {
        "fisher": model.information_,
        "observed": model.observed_information_,
        "empirical": model.empirical_fisher_,
    }
    precision = {}
    with np.errstate(all="ignore"):
        for name, matrix in matrices.items():
            inverse = _inverse(matrix)
            moved = _changes(design, w, *rows[name], inverse, inverse)
            precision[name] = moved / np.abs(np.diag(inverse))
        bread = _inverse(matrices["observed"])
        sandwich = bread @ matrices["empirical"] @ bread
        moved = 2 * _changes(design, w, *rows["observed"], bread, sandwich)
        moved += _changes(design, w, *rows["empirical"], bread, bread)
        precision["sandwich"] = moved / np.abs(np.diag(sandwich))
    # A variance's relative change is twice its standard error's.
    return {name: np.nan_to_num(0.5 * value, nan=np.inf) for name, value in precision.items()}
