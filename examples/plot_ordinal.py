"""
Ordered classes: party identification and ideology
==================================================

Party identification in the 1996 American National Election Study runs over seven
ordered classes, from strong Democrat to strong Republican: an order, but no scale
(a strong Republican is not "three independents" away from an independent).
:class:`~skfisher.FisherOrdinalRegression` fits the cumulative-link model

.. math::

   P(y \\le c_j \\mid x) = F(\\theta_j - x^\\top\\beta), \\qquad j = 1, \\dots, 6,

with one slope per feature for all the classes and six increasing thresholds
:math:`\\theta_j`; with the logit link it is the proportional-odds model. Here the
classes are explained by the voter's self-placement on a liberal–conservative scale
(``selfLR``, 1–7), age, education and income.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from skfisher import FisherOrdinalRegression
from skfisher.datasets import load_partyid

X, party = load_partyid(return_X_y=True, as_frame=True)
print(party.cat.categories.tolist())

model = FisherOrdinalRegression(link="logit").fit(X, party)
print(model.summary())

# %%
# ``party`` is an ordered pandas Categorical: its categories give the order of the
# classes, and each threshold is named after the two classes it separates. One step
# to the right on the ideology scale multiplies the odds of being above any given
# class by the same factor:

print(f"odds ratio per step of selfLR: {np.exp(model.coef_[0]):.2f}")
low, high = model.conf_int()[0]
print(f"95% interval: {np.exp(low):.2f} to {np.exp(high):.2f}")

# %%
# Predicted classes along one feature
# -----------------------------------
#
# ``predict_proba`` gives the seven class probabilities. Holding age, education and
# income at their means and moving ``selfLR`` from extremely liberal (1) to
# extremely conservative (7), the probability mass moves from the Democratic to the
# Republican classes; the bars are the classes' shares among the respondents at
# each point of the scale.

grid = np.linspace(1, 7, 121)
typical = pd.DataFrame({name: np.full(grid.size, X[name].mean()) for name in X.columns})
typical["selfLR"] = grid
proba = model.predict_proba(typical)

colors = plt.get_cmap("RdBu_r")(np.linspace(0.05, 0.95, len(model.classes_)))
colors[3] = (0.75, 0.75, 0.75, 1.0)  # the independents, grey rather than white
fig, (left, right) = plt.subplots(
    1, 2, figsize=(9.6, 4.2), layout="constrained", sharey=True, width_ratios=[3, 2]
)
left.stackplot(grid, proba.T, colors=colors, labels=model.classes_)
left.set_xlabel("selfLR (1 = extremely liberal … 7 = extremely conservative)")
left.set_ylabel("probability")
left.set_title("Predicted class probabilities")
left.set_xlim(1, 7)
left.set_ylim(0, 1)

points = np.arange(1, 8)
shares = np.array([np.bincount(party.cat.codes[X["selfLR"] == s], minlength=7) for s in points])
shares = shares / shares.sum(axis=1, keepdims=True)
bottom = np.zeros(points.size)
for k, share in enumerate(shares.T):
    right.bar(points, share, bottom=bottom, color=colors[k], width=0.8)
    bottom += share
right.set_xticks(points)
right.set_xlabel("selfLR")
right.set_title("Observed shares")
fig.legend(*left.get_legend_handles_labels(), loc="outside right center", fontsize="small")
plt.show()

# %%
# One slope for every cut
# -----------------------
#
# ``predict_cumulative_proba`` gives the six cumulative probabilities
# :math:`P(y \le c_j \mid x)`. On the logit scale they are the parallel lines
# :math:`\theta_j - x^\top\beta`, shifted by the thresholds: the proportional-odds
# assumption that one coefficient serves every cut of the scale.

cumulative = model.predict_cumulative_proba(typical)
fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
names = model.param_names_[len(model.coef_) :]
for j, name in enumerate(names):
    ax.plot(grid, np.log(cumulative[:, j] / (1 - cumulative[:, j])), color=colors[j], label=name)
ax.set_xlabel("selfLR")
ax.set_ylabel("log odds of y ≤ the lower class")
ax.set_title("Cumulative log odds: parallel lines, shifted by the thresholds")
ax.legend(fontsize="x-small", title="threshold", title_fontsize="small")
plt.show()
