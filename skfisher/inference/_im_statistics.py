"""The statistics of White's information-matrix test: per-row quantities and variances.

Under a correctly specified model the information-matrix equality holds: the
expected outer product of the per-row scores equals the expected information,
``E[s sᵀ] = E[−∇² log p]``. The test measures, at the fit, the distance between
the empirical Fisher ``F = Σ w s sᵀ`` and the information (expected ``I`` or
observed ``J``), over the distinct entries of the k × k matrices.

For a GLM row with linear predictor ``η = x̃ᵀθ`` every entry is a quadratic in
the residual ``r = y − μ`` times a product of two columns,

    ``d_i = (a² r² + b r − e) vech(x̃ x̃ᵀ)``,

with ``a = μ'/(φV)`` (so ``s = a r x̃``), ``e = μ' a`` the expected-information
weight, and ``b`` the part of the observed weight linear in ``r`` (``b = 0``
for the expected information and for canonical links). Its variance follows
from the first four cumulants of ``y``, which an exponential-dispersion
family derives from its variance function alone: ``κ₂ = φV``, ``κ₃ = φ²VV'``,
``κ₄ = φ³V(V'² + VV'')`` (McCullagh & Nelder 1989, §2.2.2, the recursion
``κ_{r+1} = φ V dκ_r/dμ``).
"""

import numpy as np

from .._linalg import SymmetricFactor

# A direction of the indicators' variance (scaled to unit diagonal) whose
# eigenvalue is below this share of the largest carries no information: an
# indicator repeating another (x_j² = x_j for a dummy) or an exact identity
# of the fit (Σ r²/V = (n − k) φ̂ for the intercept with an estimated φ).
RANK_RTOL = 1e-9
CHUNK_ROWS = 4096


def variance_deriv2(family, mu):
    """``V''(μ)`` by a central difference of the family's ``V'``."""
    step = 1e-4 * np.maximum(np.abs(mu), 1e-6)
    return (family.variance_deriv(mu + step) - family.variance_deriv(mu - step)) / (2 * step)


def row_quantities(problem, theta, information):
    """Per-row residual, polynomial coefficients and cumulants (see module docstring)."""
    family, link, phi = problem.family, problem.link, problem.phi
    eta = problem.linear_predictor(theta)
    mu, var = family.mean_and_variance(eta, link)
    dmu = link.inverse_deriv(eta)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(var > 0, dmu / (phi * var), 0.0)
        dvar = family.variance_deriv(mu)
        b = np.zeros_like(mu)
        if information == "observed" and not link.is_canonical(family):
            curvature = link.inverse_deriv2(eta) - np.where(var > 0, dmu**2 * dvar / var, 0.0)
            b = np.where(dmu != 0, a * curvature / dmu, 0.0)
    kappa2 = phi * var
    kappa3 = phi**2 * var * dvar
    kappa4 = phi**3 * var * (dvar**2 + var * variance_deriv2(family, mu))
    return {
        "r": problem.y - mu,
        "a": a,
        "b": b,
        "e": dmu * a,
        "var": var,
        "dmu": dmu,
        "dvar": dvar,
        "k2": kappa2,
        "k3": kappa3,
        "m4": kappa4 + 2 * kappa2**2,  # E[(r² − κ₂)²]
    }


def chunks(problem):
    """Yield (rows, x̃ chunk dense) over the design."""
    design = problem.design
    for start in range(0, design.n_rows, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, design.n_rows)
        yield slice(start, stop), design.dense_rows(start, stop)


def pairs(k):
    return np.triu_indices(k)


def pseudo_quadratic(vector, matrix, reference=None):
    """``vᵀ M⁺ v`` and the rank of ``M``.

    ``M`` is scaled to the unit diagonal of ``reference`` (default ``M``)
    before its small eigenvalues are dropped. The model form passes the
    variance of the indicators before the estimation of θ and φ is taken into
    account: a direction that the estimation removes entirely then shows as a
    null eigenvalue, where scaling by its own (zero) variance would blow
    rounding noise up to 1.
    """
    reference = matrix if reference is None else reference
    scale = np.sqrt(np.clip(np.diag(reference), 0, None))
    scale[scale == 0] = 1.0
    values, vectors = np.linalg.eigh(matrix / np.outer(scale, scale))
    keep = values > RANK_RTOL * max(values[-1], np.finfo(float).tiny)
    projected = vectors[:, keep].T @ (vector / scale)
    return float(projected @ (projected / values[keep])), int(keep.sum())


def model_variance_statistic(problem, theta, q, rows_of):
    """The statistic with the variance of the indicators implied by the model."""
    has_phi = bool(problem.family.has_dispersion)
    w = problem.w
    k = problem.design.n_cols
    jj, ll = pairs(k)
    difference, cross, d_phi = np.zeros(q), np.zeros((q, k)), np.zeros(q)
    information, p_theta = np.zeros((k, k)), np.zeros(k)
    for rows, x in chunks(problem):
        row = rows_of(rows)
        z = x[:, jj] * x[:, ll]
        h = row["a"] ** 2 * row["r"] ** 2 + row["b"] * row["r"] - row["e"]
        difference += (w[rows] * h) @ z
        # C = Σ w E[d sᵀ], with E[h · a r] = a³κ₃ + a b κ₂.
        c = w[rows] * (row["a"] ** 3 * row["k3"] + row["a"] * row["b"] * row["k2"])
        cross += (z * c[:, None]).T @ x
        information += (x * (w[rows] * row["e"])[:, None]).T @ x
        if has_phi:
            # ∂E[d]/∂φ = −e z / φ; E[∂p/∂η] = −φ V' μ'/V for p = r²/V − φ.
            d_phi -= (w[rows] * row["e"] / problem.phi) @ z
            with np.errstate(divide="ignore", invalid="ignore"):
                slope = np.where(row["var"] > 0, row["dvar"] * row["dmu"] / row["var"], 0.0)
            p_theta -= (w[rows] * problem.phi * slope) @ x
    n_total = w.sum()
    correction = -cross + (np.outer(d_phi, p_theta) / n_total if has_phi else 0.0)
    # A pseudo-inverse for collinear columns: their indicators drop out of df.
    M = SymmetricFactor(information).solve(correction.T).T
    variance, unadjusted = np.zeros((q, q)), np.zeros(q)
    for rows, x in chunks(problem):
        row = rows_of(rows)
        z = x[:, jj] * x[:, ll]
        c1 = z * row["b"][:, None] + (x @ M.T) * row["a"][:, None]
        c2 = z * (row["a"] ** 2)[:, None]
        if has_phi:
            with np.errstate(divide="ignore", invalid="ignore"):
                inverse_var = np.where(row["var"] > 0, 1.0 / row["var"], 0.0)
            c2 = c2 + np.outer(inverse_var, d_phi / n_total)
        wr = w[rows]
        cross_term = c1.T @ (c2 * (wr * row["k3"])[:, None])
        variance += c1.T @ (c1 * (wr * row["k2"])[:, None])
        variance += cross_term + cross_term.T
        variance += c2.T @ (c2 * (wr * row["m4"])[:, None])
        # Var(d) per indicator before the adjustment, E[(b r + a² (r² − κ₂))²].
        a2 = row["a"] ** 2
        spread = row["b"] ** 2 * row["k2"] + 2 * row["b"] * a2 * row["k3"] + a2**2 * row["m4"]
        unadjusted += (wr * spread) @ (z * z)
    return (*pseudo_quadratic(difference, variance, np.diag(unadjusted)), difference)


def opg_statistic(problem, theta, q, rows_of):
    """Chesher's and Lancaster's form: ``n R²`` of regressing 1 on the scores and indicators."""
    has_phi = bool(problem.family.has_dispersion)
    w = problem.w
    k = problem.design.n_cols
    jj, ll = pairs(k)
    width = k + q + has_phi
    total, outer = np.zeros(width), np.zeros((width, width))
    for rows, x in chunks(problem):
        row = rows_of(rows)
        r = row["r"]
        columns = [
            x * (row["a"] * r)[:, None],
            x[:, jj] * x[:, ll] * (row["a"] ** 2 * r**2 + row["b"] * r - row["e"])[:, None],
        ]
        if has_phi:
            with np.errstate(divide="ignore", invalid="ignore"):
                pearson = np.where(row["var"] > 0, r**2 / row["var"], 0.0) - problem.phi
            columns.append(pearson[:, None])
        g = np.hstack(columns)
        total += w[rows] @ g
        outer += g.T @ (g * w[rows][:, None])
    statistic, rank = pseudo_quadratic(total, outer)
    nuisance = np.r_[np.arange(k), np.arange(k + q, width)]
    _, rank_nuisance = pseudo_quadratic(total[nuisance], outer[np.ix_(nuisance, nuisance)])
    return statistic, rank - rank_nuisance, total[k : k + q]
