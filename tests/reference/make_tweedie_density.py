"""Reference log-densities of the Tweedie distribution for p > 2, at high precision.

For tests/families/test_tweedie_range.py. The Tweedie density for p > 2 is
``a(y, φ) exp[(y θ − κ)/φ]`` with ``a`` the density of a scaled positive stable
law, whose series (Dunn & Smyth 2005, §4)

    a(y, φ) = 1/(π y) Σ_{k≥1} (−1)^{k+1} Γ(αk + 1)/k! sin(kπα) z^k,
    α = (p − 2)/(p − 1),  z = (y/c)^{−α},  c = (p − 1) φ ((p − 2) φ)^{−1/α},

converges for every y but cancels catastrophically where z is large; mpmath
sums it with enough digits to absorb the cancellation (the largest term's
digits plus 60), which is independent of skfisher's double-precision
evaluation (the series only where z ≤ 1/2, Zolotarev's integral or Laplace's
method elsewhere).
Points that would need more than 500 digits are left out. Run from the
repository root (needs mpmath):

    python tests/reference/make_tweedie_density.py

It writes tests/reference/tweedie_density.json.
"""

import json
from pathlib import Path

import mpmath as mp
import numpy as np
from scipy.special import gammaln

POWERS = [2.02, 2.2, 2.5, 3.5, 5.0, 12.0]
Y = [0.01, 0.3, 1.0, 3.0, 30.0]
PHI = [0.05, 0.3, 1.0, 5.0]
MU = 1.5
MAX_DIGITS = 500


def _digits(y, phi, p):
    """Decimal digits of the largest term of the series (its cancellation)."""
    alpha = (p - 2) / (p - 1)
    log_c = np.log((p - 1) * phi) - np.log((p - 2) * phi) / alpha
    log_z = -alpha * (np.log(y) - log_c)
    k = np.arange(1, 200_000.0)
    return float(np.max(gammaln(alpha * k + 1) - gammaln(k + 1) + k * log_z)) / np.log(10)


def log_density(y, mu, phi, p):
    """``log f(y; μ, φ)`` by the series at enough digits, or None beyond MAX_DIGITS."""
    dps = int(max(_digits(y, phi, p), 0.0)) + 60
    while dps <= MAX_DIGITS:
        value = _series(y, mu, phi, p, dps)
        if value is not None:
            return value
        dps *= 2
    return None


def _series(y, mu, phi, p, dps):
    """The log-density at ``dps`` digits; None when the cancellation leaves under 40."""
    with mp.workdps(dps):
        p, y, mu, phi = (mp.mpf(v) for v in (p, y, mu, phi))
        alpha = (p - 2) / (p - 1)
        c = (p - 1) * phi * ((p - 2) * phi) ** (-1 / alpha)
        z = (y / c) ** (-alpha)
        total, largest, k = mp.mpf(0), mp.mpf(0), 1
        while True:
            size = mp.gamma(alpha * k + 1) / mp.factorial(k) * z**k
            total += (-1) ** (k + 1) * size * mp.sin(k * mp.pi * alpha)
            largest = max(largest, size)
            if k > 5 and size < abs(total) * mp.mpf(10) ** -40:
                break
            k += 1
        if not (total > 0 and largest / total < mp.mpf(10) ** (dps - 40)):
            return None
        theta = mu ** (1 - p) / (1 - p)
        kappa = mu ** (2 - p) / (2 - p)
        return float(mp.log(total / (mp.pi * y)) + (y * theta - kappa) / phi)


def main():
    rows = []
    for p in POWERS:
        for phi in PHI:
            for y in Y:
                value = log_density(y, MU, phi, p)
                if value is not None:
                    rows.append([p, y, MU, phi, value])
    out = {
        "source": "tests/reference/make_tweedie_density.py",
        "mpmath": mp.__version__,
        "columns": ["power", "y", "mu", "phi", "log_density"],
        "rows": rows,
    }
    path = Path(__file__).with_name("tweedie_density.json")
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
