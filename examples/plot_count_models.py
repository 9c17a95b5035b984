"""
Doctor visits: Poisson, negative binomial, zero-inflated and hurdle models
==========================================================================

The number of outpatient visits to a doctor in a year, ``mdvis``, in the RAND
Health Insurance Experiment (20,190 person-years) is a count with a long tail and
many zeros: 31% of the person-years have no visit at all, and the variance (20.3)
is seven times the mean (2.86). Five models of it, all with the Fisher contract:

* **Poisson**: ``log E[Y] = xᵀβ``, ``Var Y = E[Y]``;
* **quasi-Poisson**: the Poisson estimates with ``Var Y = φ E[Y]``, φ estimated
  from the Pearson residuals; no likelihood;
* **negative binomial** (NB2): ``Var Y = μ + α μ²``, α estimated;
* **zero-inflated negative binomial**: a structural zero with probability
  ``π(x)`` (a logit model, the *inflation* part), otherwise an NB2 count;
* **hurdle negative binomial**: a logit model of ``P(Y > 0)`` (the *zero*
  part), and a zero-truncated NB2 for the positive counts.

The covariates are the log coinsurance rate ``lncoins``, the individual
deductible ``idp``, a physical limitation ``physlm``, the number of chronic
diseases ``disea`` and poor self-rated health ``hlthp``; the two-part models use
them in both parts.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from skfisher import FisherGLMRegressor, FisherHurdleRegressor, FisherZeroInflatedRegressor
from skfisher.datasets import load_randhie
from skfisher.inference import overdispersion_test, vuong_test

X, y = load_randhie(return_X_y=True, as_frame=True)
X = X[["lncoins", "idp", "physlm", "disea", "hlthp"]]
print(f"n = {y.size}, zeros {np.mean(y == 0):.1%}, mean {y.mean():.2f}, variance {y.var():.1f}")

models = {
    "Poisson": FisherGLMRegressor(family="poisson"),
    "quasi-Poisson": FisherGLMRegressor(family="quasi_poisson"),
    "NB": FisherGLMRegressor(family="negative_binomial"),
    "ZINB": FisherZeroInflatedRegressor("negative_binomial"),
    "hurdle NB": FisherHurdleRegressor("negative_binomial"),
}
for model in models.values():
    model.fit(X, y)

# %%
# The count part across the models
# ---------------------------------
#
# Every estimator names its parameters in ``param_names_``; the two-part models
# prefix the count part with ``count:``. ``conf_int()`` gives Wald intervals from
# ``covariance_`` (here the inverse expected information, and for the
# quasi-Poisson the Poisson's scaled by φ̂).


def interval_table(models, prefix="", rows=None):
    """Estimates (95% intervals), a column per model, of the parameters named prefix…"""
    columns = {}
    for name, model in models.items():
        cells = {}
        for term, estimate, (low, high) in zip(
            model.param_names_, model.params_, model.conf_int(), strict=True
        ):
            if term.startswith(prefix) or term == "alpha":
                cells[term.removeprefix(prefix)] = f"{estimate:.3f} ({low:.3f}, {high:.3f})"
        columns[name] = cells
    return pd.DataFrame(columns).reindex(rows).fillna("")


rows = ["intercept", *X.columns, "alpha"]
one_part = interval_table({name: models[name] for name in ["Poisson", "quasi-Poisson", "NB"]})
two_part = interval_table({name: models[name] for name in ["ZINB", "hurdle NB"]}, "count:")
print(one_part.join(two_part).reindex(rows).fillna("").to_string())

# %%
# The Poisson and quasi-Poisson estimates are the same; the quasi-Poisson
# intervals are :math:`\sqrt{\hat\phi}` times wider (φ̂ below). The negative
# binomial moves the estimates a little and widens the intervals about as much.
# In the two-part models the count part describes the visits of those who see a
# doctor at all (hurdle) or who are not structural zeros (ZINB), so its
# coefficients differ from the one-part models'.
#
# The zero parts
# --------------
#
# The signs of the two zero parts are opposite by construction: the ZINB's
# inflation part is the logit of the probability of a *structural zero* (never a
# visit), the hurdle's zero part the logit of ``P(Y > 0)`` (at least one visit),
# as in R's ``pscl::hurdle``. Coinsurance and a deductible make a structural zero
# more likely and a first visit less likely; chronic diseases the reverse.

zero_parts = interval_table({"ZINB": models["ZINB"]}, "inflation:", rows[:-1]).join(
    interval_table({"hurdle NB": models["hurdle NB"]}, "zero:", rows[:-1])
)
zero_parts.columns = ["ZINB logit P(structural zero)", "hurdle logit P(Y > 0)"]
print(zero_parts.to_string())

# %%
# Fit and tests
# -------------
#
# The log-likelihood, AIC and BIC of each model. The quasi-Poisson has none: it
# specifies only a mean and a variance, not a distribution, so ``loglik_``,
# ``aic_`` and ``bic_`` are nan (its φ̂ is ``dispersion_``).

fit = pd.DataFrame(
    {
        name: {
            "parameters": len(model.params_),
            "log-likelihood": model.loglik_,
            "AIC": model.aic_,
            "BIC": model.bic_,
        }
        for name, model in models.items()
    }
).T
print(fit.to_string(float_format=lambda v: f"{v:.1f}"))
print(f"quasi-Poisson dispersion phi = {models['quasi-Poisson'].dispersion_:.2f}")

# %%
# The negative binomial nests the Poisson at α = 0, the edge of its parameter
# space, so the likelihood-ratio statistic is referred to ½χ²₀ + ½χ²₁
# (:func:`~skfisher.inference.overdispersion_test`, R's ``pscl::odTest``). The
# zero-inflated and hurdle models do not nest the negative binomial in that way,
# and Vuong's test compares them through the per-observation log-likelihoods
# (:func:`~skfisher.inference.vuong_test`; z > 0 favours the first model).

print(overdispersion_test(models["Poisson"], models["NB"]))
print()
print(vuong_test(models["ZINB"], models["NB"], X, y))
print()
print(vuong_test(models["hurdle NB"], models["ZINB"], X, y))

# %%
# The raw and the AIC-corrected statistics prefer the ZINB to the NB; the BIC
# correction, which charges the six inflation parameters :math:`\log(n)/2` each,
# leaves the two indistinguishable. The hurdle NB and the ZINB have the same
# number of parameters, so the three statistics agree, and they prefer the
# hurdle. For the two-part models ``score`` is D², the share of the log-loss of
# the model without features (a constant share of zeros and a truncated count
# distribution) that the model explains:

for name in ["ZINB", "hurdle NB"]:
    print(f"{name}: D^2 = {models[name].score(X, y):.4f}")

# %%
# Observed and expected frequencies
# ---------------------------------
#
# The expected number of person-years with ``k`` visits is
# :math:`\sum_i P(Y_i = k \mid x_i)`: from the Poisson and NB2 distributions at
# the fitted means for the GLMs, and from ``predict_proba(X, max_count)`` for the
# two-part models. In a hanging rootogram (Kleiber and Zeileis 2016) each bar of
# height :math:`\sqrt{\text{observed}}` hangs from the curve of
# :math:`\sqrt{\text{expected}}`: a bar that ends below 0 is a count the model
# expects too rarely, one that ends above 0 a count it expects too often. The
# quasi-Poisson has no distribution, and so no expected frequencies.

max_count = 20
grid = np.arange(max_count + 1)
observed = np.bincount(y.astype(int), minlength=max_count + 1)[: max_count + 1]


def expected_frequencies(model):
    """Σ_i P(Y_i = k) for k = 0, …, max_count."""
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X, max_count=max_count).sum(axis=0)
    mu = model.predict(X)[:, None]
    if model.family == "poisson":
        return stats.poisson.pmf(grid, mu).sum(axis=0)
    alpha = model.params_[-1]
    return stats.nbinom.pmf(grid, 1 / alpha, 1 / (1 + alpha * mu)).sum(axis=0)


shown = ["Poisson", "NB", "ZINB", "hurdle NB"]
expected = {name: expected_frequencies(models[name]) for name in shown}
frequencies = pd.DataFrame({"observed": observed, **expected}).round(0).astype(int)
print(frequencies.head(11).T.to_string())

fig, axes = plt.subplots(2, 2, figsize=(9, 6), sharex=True, sharey=True, layout="constrained")
for ax, name in zip(axes.flat, shown, strict=True):
    root = np.sqrt(expected[name])
    ax.bar(grid, np.sqrt(observed), bottom=root - np.sqrt(observed), color="0.75", width=0.8)
    ax.plot(grid, root, "o-", color="C3", ms=3, label="expected")
    ax.axhline(0, color="k", lw=0.8)
    ax.set_title(f"{name}: expected zeros {root[0] ** 2:.0f} (observed {observed[0]})")
for ax in axes[1]:
    ax.set_xlabel("doctor visits in the year")
for ax in axes[:, 0]:
    ax.set_ylabel("√frequency")
axes[0, 0].legend(loc="upper right")
fig.suptitle("Hanging rootograms of mdvis (grey bars: √observed, hung from √expected)")
plt.show()

# %%
# The Poisson expects a quarter of the zeros (1,634 of 6,308) and far too many
# counts of 2 to 5: its variance is too small for these data. The negative
# binomial's extra variance brings the zeros close (6,461) and the body within a
# few per cent, with too few counts of 2. The hurdle model expects exactly the
# observed number of zeros, as any logit model with an intercept does of its
# ones, but too many single visits; the zero-inflated model expects a few per
# cent more zeros than observed and too few ones and twos. All three expect about
# 1,450 person-years with 9 to 20 visits, against 1,238 observed.
#
# Reference: Kleiber, C. and Zeileis, A. (2016). Visualizing count data
# regressions using rootograms. *The American Statistician* 70, 296–303.
