"""
Expected, observed and empirical Fisher information on a probit model
=====================================================================

For a canonical link (the logit of logistic regression) the observed information
equals the expected information exactly. The probit link is not canonical: the
observed information :math:`J = -\\nabla^2 \\ell(\\hat\\theta)` then differs from
the expected information :math:`I(\\hat\\theta)` by terms proportional to the
residuals, and the empirical Fisher :math:`F = \\sum_i s_i s_i^\\top` differs from
both by sampling noise — or by more, if the model is wrong.

A fitted :class:`~skfisher.FisherGLMRegressor` exposes all three, whatever its
``cov_type``. Here they are on a probit model of the 1996 US presidential vote.
"""

import matplotlib.pyplot as plt
import numpy as np

from skfisher import FisherGLMRegressor
from skfisher.datasets import load_anes96
from skfisher.plotting import plot_information

X, y = load_anes96(return_X_y=True, as_frame=True)
probit = FisherGLMRegressor(family="binomial", link="probit").fit(X, y)
print(probit.summary())

# %%
# The three matrices are totals over the sample, in the order of ``param_names_``.
# Scaling each by the square roots of the expected information's diagonal puts them
# on one scale: the expected information then has ones on its diagonal.

scale = np.sqrt(np.diag(probit.information_))
for label, matrix in [
    ("expected information I", probit.information_),
    ("observed information J", probit.observed_information_),
    ("empirical Fisher F", probit.empirical_fisher_),
]:
    print(f"{label}, scaled:")
    print(np.array2string(matrix / np.outer(scale, scale), precision=3, suppress_small=True))

# %%
# :func:`skfisher.plotting.plot_information` draws the three on one colour scale.

plot_information(probit)
plt.show()
# sphinx_gallery_thumbnail_number = 2

# %%
# Each matrix gives a covariance, chosen by ``cov_type``; ``"sandwich"`` combines
# the observed information and the empirical Fisher as :math:`J^{-1} F J^{-1}`,
# which stays valid when the model is misspecified.

cov_types = ["fisher", "observed", "empirical", "sandwich"]
errors = {
    cov_type: FisherGLMRegressor(family="binomial", link="probit", cov_type=cov_type)
    .fit(X, y)
    .standard_errors_
    for cov_type in cov_types
}
for cov_type in cov_types:
    ratio = errors[cov_type] / errors["fisher"]
    print(f"{cov_type:>10}: standard errors / fisher = {np.round(ratio, 3)}")

# %%
# The figure shows each standard error relative to the one from the expected
# information. Observed and expected agree to within a few per cent here — the
# residual terms average out over 944 respondents — while the empirical Fisher and
# the sandwich move further, as they estimate the variance of the score from the
# data alone.

fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
names = probit.param_names_
width = 0.2
for k, cov_type in enumerate(cov_types):
    ax.bar(
        np.arange(len(names)) + (k - 1.5) * width,
        errors[cov_type] / errors["fisher"],
        width,
        label=cov_type,
    )
ax.axhline(1, color="grey", lw=0.8)
ax.set_xticks(np.arange(len(names)), names)
ax.set_ylim(0.8, 1.2)
ax.set_ylabel("standard error / fisher standard error")
ax.set_title("Probit model of the 1996 vote: four covariances")
ax.legend(ncols=4, loc="upper center", fontsize="small")
plt.show()
