"""
Testing hypotheses and drawing the information
==============================================

A fitted skfisher estimator carries its information matrices, so the classical
tests need nothing more: the **Wald** test uses the full fit's covariance, the
**likelihood-ratio** test compares two fits, and Rao's **score** test needs only
the restricted fit — which makes it the cheap way to screen many candidate
features. The plots in :mod:`skfisher.plotting` draw the estimates with their
intervals, the joint confidence region of two parameters, and the three
information matrices side by side.

The data are the vote intentions (Clinton or Dole) of 944 respondents of the 1996
American National Election Study (:func:`skfisher.datasets.load_anes96`).
"""

import matplotlib.pyplot as plt
import pandas as pd

from skfisher import FisherLogisticRegression
from skfisher.datasets import load_anes96
from skfisher.inference import (
    information_matrix_test,
    lr_test,
    score_screen,
    score_test,
    wald_test,
)
from skfisher.plotting import plot_coefficients, plot_confidence_ellipse, plot_information

X, y = load_anes96(return_X_y=True, as_frame=True)
full = FisherLogisticRegression().fit(X, y)
print(full.summary())

# %%
# The three classical tests of "age and TV news do not matter"
# ------------------------------------------------------------
# Wald from the full fit, likelihood ratio from both fits, score from the
# restricted fit alone. They are asymptotically equivalent and here agree closely.

kept = ["selfLR", "educ", "income"]
restricted = FisherLogisticRegression().fit(X[kept], y)
print(wald_test(full, "age = 0, TVnews = 0"))
print(lr_test(restricted, full))
print(score_test(restricted, X[["age", "TVnews"]], y, X=X[kept]))

# %%
# Screening candidate features with score tests
# ---------------------------------------------
# Each candidate's 1-degree-of-freedom score statistic comes from the restricted
# fit: no model is refitted, whatever the number of candidates. Here the
# candidates are the left-out columns, squares and pairwise products.

candidates = {"age": X["age"], "TVnews": X["TVnews"]}
for a in kept:
    candidates[f"{a}^2"] = X[a] ** 2
    for b in kept:
        if a < b:
            candidates[f"{a}*{b}"] = X[a] * X[b]
screen = score_screen(restricted, pd.DataFrame(candidates), y, X=X[kept])
print(screen)

# %%
# Is the logistic model itself adequate? White's information-matrix test compares
# the empirical Fisher with the expected information.

print(information_matrix_test(full, X, y))

# %%
# Estimates with intervals, model-based and cluster-robust
# --------------------------------------------------------
# Treating the 24 income categories as clusters of respondents gives the
# cluster-robust intervals on the right (with statsmodels' small-sample correction).

clustered = FisherLogisticRegression(cov_type="cluster").fit(X, y, groups=X["income"])
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True, layout="constrained")
plot_coefficients(full, ax=left, include_intercept=False)
plot_coefficients(clustered, ax=right, include_intercept=False)
left.set_title("cov_type='fisher'")
right.set_title("cov_type='cluster' (income groups)")

# %%
# The joint confidence region of two estimates
# --------------------------------------------
# The ellipse is the 95% Wald region of (educ, income) from ``covariance_``; the
# dashed lines are the two marginal 95% intervals, whose rectangle is not a joint
# region when the estimates are correlated.

fig, ax = plt.subplots(figsize=(5, 4), layout="constrained")
plot_confidence_ellipse(full, "educ", "income", ax=ax)

# %%
# The three information matrices
# -------------------------------
# Scaled so that the expected information has a unit diagonal. For the logit
# link the observed information equals the expected one; the empirical Fisher
# agrees with both up to sampling noise when the model is right.

plot_information(full)
plt.show()
