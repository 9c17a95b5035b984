"""Numerical derivatives of a log-likelihood: steps in natural units, second differences.

**Steps.** A difference step is only small or large relative to how fast the
likelihood changes: ``1e-3`` is fine for a coefficient of a feature in units
of 1 and ruinous for one in units of 10⁶. The steps are therefore set in each
parameter's natural unit, ``1/RMS(s_ij)`` (the change that moves a typical
row's log-density by 1), times ``1e-3``, near the optimum of the stencil's
truncation error ``O(h⁴)`` against its rounding error ``O(ε/h)``. They are
rounded to powers of two, so that ``θ ± h`` and ``θ ± 2h`` are exact, set at
the start and again at the fit (``LikelihoodProblem.calibrate``).
"""

import numpy as np

# Steps of the numerical derivatives, in each parameter's natural unit.
STEP = 1e-3
# Bounds of a step relative to max(|θ_j|, 1): below, θ ± h loses the digits of
# h; above, a parameter that barely moves the likelihood would be stepped out
# of its domain.
STEP_RANGE = (1e-10, 1e-1)


# The five-point stencil of richardson_derivative: f'(x) ≈ Σ c_a f(x + a h) / h.
_OFFSETS = np.array([1.0, -1.0, 2.0, -2.0])
_WEIGHTS = np.array([8.0, -8.0, -1.0, 1.0]) / 12.0


def second_differences(f, theta, steps):
    """Return ``∇²f(θ)`` by the product of five-point stencils, shape (k, k).

    ``H_ij = Σ_ab c_a c_b f(θ + a h_i e_i + b h_j e_j) / (h_i h_j)`` is the
    stencil of the stencil, exact for polynomials of degree 4 in each
    direction; on the diagonal the points with equal ``a + b`` are merged.
    """
    theta = np.asarray(theta, dtype=float)
    k = theta.size
    units = np.eye(k) * steps
    hessian = np.empty((k, k))
    merged = {}
    for a, c_a in zip(_OFFSETS, _WEIGHTS, strict=True):
        for b, c_b in zip(_OFFSETS, _WEIGHTS, strict=True):
            merged[a + b] = merged.get(a + b, 0.0) + c_a * c_b
    for i in range(k):
        diagonal = sum(c * f(theta + s * units[i]) for s, c in merged.items())
        hessian[i, i] = diagonal / steps[i] ** 2
        for j in range(i):
            total = sum(
                c_a * c_b * f(theta + a * units[i] + b * units[j])
                for a, c_a in zip(_OFFSETS, _WEIGHTS, strict=True)
                for b, c_b in zip(_OFFSETS, _WEIGHTS, strict=True)
            )
            hessian[i, j] = hessian[j, i] = total / (steps[i] * steps[j])
    return hessian


def natural_steps(scores, w, magnitude):
    """``1e-3 / RMS(s_ij)`` over the rows whose score in θ_j is not 0, as powers of two."""
    steps = STEP * magnitude
    for j in range(scores.shape[1]):
        column = np.abs(scores[:, j])
        largest = float(column.max(initial=0.0))
        if not np.isfinite(largest) or largest == 0.0:
            continue  # θ_j moves no row: keep the default step
        active = column > 1e-8 * largest
        rms = np.sqrt(np.average((column[active] / largest) ** 2, weights=w[active])) * largest
        steps[j] = STEP / rms
    low, high = STEP_RANGE
    return power_of_two(np.clip(steps, low * magnitude, high * magnitude))


def power_of_two(steps):
    return np.exp2(np.round(np.log2(steps)))
