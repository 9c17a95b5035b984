"""
Survival after lung cancer: Cox and Weibull regression
======================================================

The Veterans' Administration lung cancer trial followed 137 men with inoperable
lung cancer to their deaths; 128 deaths were seen, and 9 times are censored (the
patient was alive when last seen). :class:`~skfisher.FisherCoxRegressor` fits Cox's
proportional-hazards model

.. math::

   \\lambda(t \\mid x) = \\lambda_0(t)\\, e^{x^\\top\\beta},

whose baseline hazard :math:`\\lambda_0` is left free, by maximum partial
likelihood, with the standard errors, the tests and the survival curves of R's
``coxph``; :class:`~skfisher.FisherSurvivalRegressor` fits the Weibull
accelerated-failure-time model :math:`\\log T = \\beta_0 + x^\\top\\beta + \\sigma W`
of R's ``survreg``. The features are the treatment (``trt``, 1 for the test
chemotherapy), the cell type (``smallcell``, ``adeno``, ``large``; squamous the
reference), the Karnofsky performance score (``karno``, 100 for full health), the
months since diagnosis, the age and prior therapy.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from skfisher import FisherCoxRegressor, FisherSurvivalRegressor
from skfisher.datasets import load_veteran

X, y = load_veteran(return_X_y=True, as_frame=True)
deaths, median = y["event"].sum(), np.median(y["time"])
print(f"{y.size} patients, {deaths} deaths, median observed time {median:.0f} days")

cox = FisherCoxRegressor().fit(X, y)  # Efron's ties, as R's default
print(cox.summary())

# %%
# Hazard ratios
# -------------
#
# ``summary()`` prints :math:`e^{\beta_j}` with the exponentials of the Wald
# interval's ends; ``conf_int()`` gives the interval itself. The continuous
# features are shown per 10 units (10 Karnofsky points, 10 months, 10 years), the
# exponential of 10 β and of 10 times the interval's ends.

per = pd.Series(1.0, index=cox.param_names_)
per[["karno", "diagtime", "age"]] = 10.0
ratios = np.exp(per.to_numpy()[:, None] * np.column_stack([cox.coef_, cox.conf_int()]))
labels = [name if per[name] == 1 else f"{name} (per 10)" for name in cox.param_names_]


def forest(ax, ratios, labels, color, xlabel):
    """Ratios with their intervals, one row per feature, on a log axis."""
    rows = np.arange(len(labels))[::-1]
    errors = [ratios[:, 0] - ratios[:, 1], ratios[:, 2] - ratios[:, 0]]
    ax.errorbar(ratios[:, 0], rows, xerr=errors, fmt="o", color=color, capsize=3)
    ax.axvline(1.0, color="grey", lw=0.8, ls="--")
    ax.set_xscale("log")
    ticks = [0.25, 0.5, 1, 2, 4, 8]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(rows, labels)
    ax.set_xlabel(xlabel)


fig, ax = plt.subplots(figsize=(6.4, 3.8), layout="constrained")
forest(ax, ratios, labels, "C0", "hazard ratio (95% interval, log scale)")
ax.set_xlim(0.4, 8)
ax.set_title("Cox model: hazard ratios")
plt.show()

# %%
# Small-cell and adenocarcinoma tumours more than double the hazard of death
# against squamous ones, and ten Karnofsky points lower it by a quarter; the
# treatment's effect is not distinguishable from none. The three tests of all
# coefficients at once are those R's ``summary(coxph)`` prints under its table:

print(cox.global_tests())

# %%
# Survival curves with their bands
# --------------------------------
#
# ``predict_survival_interval`` gives the survival :math:`S(t \mid x) =
# \exp(-\Lambda_0(t)\, e^{x^\top\beta})` at the event times with R's pointwise 95%
# intervals (``survfit(fit, newdata)``: the delta method for the uncertainty of
# both β̂ and the baseline, on the log scale). Two patients with the other features
# at their means (the means of the cell-type indicators are the shares of the cell
# types), one severely disabled (Karnofsky 30), one able to carry on normal
# activity with effort (80). The dashed lines are the Weibull model's curves for
# the same patients, fitted below.

aft = FisherSurvivalRegressor("weibull").fit(X, y)

patients = pd.DataFrame([X.mean(), X.mean()])
patients["karno"] = [30.0, 80.0]
survival, lower, upper, _ = cox.predict_survival_interval(patients)
times = np.r_[0.0, cox.unique_times_]
weibull = aft.predict_survival_function(patients)
grid = np.linspace(0.0, 600.0, 301)

fig, ax = plt.subplots(figsize=(6.4, 3.8), layout="constrained")
for i, (karno, color) in enumerate(zip(patients["karno"], ["C3", "C0"], strict=True)):
    ax.step(
        times, np.r_[1.0, survival[i]], where="post", color=color, label=f"Karnofsky {karno:.0f}"
    )
    ax.fill_between(
        times, np.r_[1.0, lower[i]], np.r_[1.0, upper[i]], step="post", color=color, alpha=0.2
    )
    ax.plot(grid, weibull[i](grid), color=color, ls="--", lw=1)
ax.set_xlim(0, 600)
ax.set_ylim(0, 1)
ax.set_xlabel("days")
ax.set_ylabel("survival")
ax.set_title("Cox curves with 95% bands (dashed: Weibull)")
ax.legend()
plt.show()

# %%
# Is the hazard ratio constant in time?
# -------------------------------------
#
# The model takes each hazard ratio as the same at every time.
# ``proportional_hazards_test`` is R's ``cox.zph``: for each feature the score test
# of adding :math:`g(t)\, x_j` (g one minus the Kaplan-Meier estimate by default),
# and a global test.

test = cox.proportional_hazards_test()
print(test)

# %%
# The Karnofsky score fails it, the classic violation on these data. The scaled
# Schoenfeld residuals, one per death, estimate :math:`\beta(t)` when smoothed
# (here a cubic in log time fitted by least squares, beside the fit's constant
# β̂): the score predicts the early deaths strongly and the late ones hardly at
# all.

j = list(test.names).index("karno")
residuals = test.scaled_residuals[:, j]
log_time = np.log(test.time)
smooth = np.polynomial.Polynomial.fit(log_time, residuals, 3)
curve = np.linspace(log_time.min(), log_time.max(), 200)

fig, ax = plt.subplots(figsize=(6.4, 3.8), layout="constrained")
ax.scatter(test.time, residuals, s=10, color="grey", alpha=0.7, label="scaled residuals")
ax.plot(np.exp(curve), smooth(curve), color="C3", label="cubic in log t")
ax.axhline(cox.coef_[j], color="C0", ls="--", label=f"β̂ = {cox.coef_[j]:.4f}")
ax.axhline(0.0, color="black", lw=0.6)
ax.set_xscale("log")
ax.set_ylim(-0.25, 0.2)
ax.set_xlabel("days (log scale)")
ax.set_ylabel("β(t) of karno")
ax.set_title(f"karno: test of proportional hazards, p = {test.test('karno').pvalue:.2g}")
ax.legend(fontsize="small")
plt.show()

# %%
# The Weibull model beside it
# ---------------------------
#
# The accelerated-failure-time model acts on the time scale: :math:`e^{\beta_j}` is
# a *time ratio*, the factor by which a unit of the feature stretches the median
# and every other quantile. The Weibull model is also a proportional-hazards model,
# with the hazard ratio :math:`e^{-\beta_j/\sigma}`, which is close to Cox's on
# these data. ``params_`` ends with ``log_scale`` = log σ (R's ``Log(scale)``).

print(aft.summary())
features = list(cox.param_names_)
coef = aft.coef_
table = pd.DataFrame(
    {
        "Cox hazard ratio": cox.hazard_ratios_,
        "Weibull hazard ratio": np.exp(-coef / aft.scale_),
        "Weibull time ratio": np.exp(coef),
    },
    index=features,
)
print(table.round(4))

# %%
# ``predict`` gives the median survival time, and ``predict_quantile_interval`` the
# quantiles with their delta-method intervals (R's ``predict(type = "uquantile",
# se.fit = TRUE)``):

median, low, high, _ = aft.predict_quantile_interval(patients, 0.5)
for karno, m, lo, hi in zip(patients["karno"], median, low, high, strict=True):
    print(f"Karnofsky {karno:.0f}: median {m:.1f} days (95% interval {lo:.1f} to {hi:.1f})")

# %%
# The time ratios with their Wald intervals, the exponentials of ``conf_int()``
# (the continuous features again per 10 units): an adenocarcinoma shortens the
# median survival time, and every other quantile, to a third of a squamous
# tumour's, and ten Karnofsky points lengthen it by a third.

bounds = aft.conf_int()[1 : 1 + len(features)]
times_ratio = np.exp(per.to_numpy()[:, None] * np.column_stack([coef, bounds]))
fig, ax = plt.subplots(figsize=(6.4, 3.8), layout="constrained")
forest(ax, times_ratio, labels, "C2", "time ratio (95% interval, log scale)")
ax.set_xlim(0.15, 2.5)
ax.set_title("Weibull model: time ratios")
plt.show()
