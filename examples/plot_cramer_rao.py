"""
The variance of the estimate against the Cramér–Rao bound
=========================================================

The inverse Fisher information :math:`I(\\theta)^{-1}` bounds the variance of any
unbiased estimator (the Cramér–Rao bound), and the maximum-likelihood estimate
attains it as the sample grows. Standard errors are the square roots of that bound
evaluated at the estimate.

This example checks both claims by simulation. For each sample size :math:`n` it
fixes a design of :math:`n` rows, computes the bound at the true parameter, then
draws the responses 400 times from a logistic model, refits, and records the spread
of the estimates and the standard errors each fit reports.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit

from skfisher import FisherLogisticRegression

rng = np.random.default_rng(0)
theta_true = np.array([-0.5, 1.0, -0.5])  # intercept and two slopes
sizes = [50, 100, 200, 400, 800, 1600]
n_repeats = 400


def bound(X, theta):
    """The Cramér–Rao bound: the inverse Fisher information at the true θ."""
    design = np.column_stack([np.ones(len(X)), X])
    mu = expit(design @ theta)
    information = design.T @ (design * (mu * (1 - mu))[:, None])
    return np.linalg.inv(information)


results = []
for n in sizes:
    X = rng.normal(size=(n, 2))
    mu = expit(theta_true[0] + X @ theta_true[1:])
    estimates, reported = [], []
    for _ in range(n_repeats):
        y = (rng.random(n) < mu).astype(int)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a rare separated small sample
            model = FisherLogisticRegression().fit(X, y)
        if model.converged_:
            estimates.append(model.params_)
            reported.append(model.standard_errors_)
    estimates, reported = np.array(estimates), np.array(reported)
    results.append(
        {
            "n": n,
            "variance": estimates[:, 1].var(ddof=1),
            "bound": bound(X, theta_true)[1, 1],
            "mean_se2": np.mean(reported[:, 1] ** 2),
            "bias": estimates[:, 1].mean() - theta_true[1],
        }
    )
    print(
        f"n = {n:5d}: var = {results[-1]['variance']:.5f}, "
        f"bound = {results[-1]['bound']:.5f}, "
        f"ratio = {results[-1]['variance'] / results[-1]['bound']:.3f}, "
        f"bias = {results[-1]['bias']:+.4f}"
    )

# %%
# On a log–log scale both the simulated variance of the slope estimate and the
# bound fall like :math:`1/n`. At small :math:`n` the estimate is biased away from
# zero and its variance exceeds the bound (the bound is for unbiased estimators and
# the MLE is only asymptotically unbiased); the ratio approaches 1 as :math:`n`
# grows. The mean of the squared reported standard errors tracks the truth too:
# what ``standard_errors_`` promises is what repeated sampling delivers. The
# shaded band is the simulation's own noise: a variance estimated from
# :math:`R` draws scatters by about :math:`\pm 2\sqrt{2/(R-1)}` around the truth.

n = np.array([r["n"] for r in results])
variance = np.array([r["variance"] for r in results])
crb = np.array([r["bound"] for r in results])
mean_se2 = np.array([r["mean_se2"] for r in results])

fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.4), layout="constrained")
left.loglog(n, variance, "o-", label="variance over simulations")
left.loglog(n, crb, "s--", label="Cramér–Rao bound  $[I(\\theta)^{-1}]_{11}$")
left.loglog(n, mean_se2, "^:", label="mean reported se$^2$")
left.set_xlabel("sample size n")
left.set_ylabel("variance of the slope estimate")
left.legend(fontsize="small")
right.semilogx(n, variance / crb, "o-")
right.axhline(1, color="grey", lw=0.8)
noise = 2 * np.sqrt(2 / (n_repeats - 1))
right.axhspan(1 - noise, 1 + noise, color="grey", alpha=0.2, label="simulation noise")
right.legend(fontsize="small")
right.set_xlabel("sample size n")
right.set_ylabel("variance / bound")
right.set_title("efficiency of the MLE", fontsize="medium")
fig.suptitle("Logistic regression: the MLE attains the Cramér–Rao bound")
plt.show()
