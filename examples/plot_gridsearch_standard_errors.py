"""
Standard errors after a grid search in a pipeline
=================================================

A skfisher estimator is an ordinary scikit-learn estimator: it can sit at the end
of a :class:`~sklearn.pipeline.Pipeline` and be tuned by
:class:`~sklearn.model_selection.GridSearchCV`. Unlike scikit-learn's own
estimators, the refitted best model then carries its standard errors, covariance
and confidence intervals.

Here a logistic regression of the 1996 US presidential vote (1 = Dole) is tuned
over its L2 penalty ``alpha`` on standardised features of the American National
Election Study data.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skfisher import FisherLogisticRegression
from skfisher.datasets import load_anes96

X, y = load_anes96(return_X_y=True, as_frame=True)
pipe = make_pipeline(StandardScaler().set_output(transform="pandas"), FisherLogisticRegression())
grid = {"fisherlogisticregression__alpha": [0.0, 1e-3, 1e-2, 1e-1]}
search = GridSearchCV(pipe, grid, cv=5, scoring="neg_log_loss").fit(X, y)
print("best alpha:", search.best_params_["fisherlogisticregression__alpha"])

# %%
# The refitted pipeline's last step is a fitted :class:`~skfisher.FisherLogisticRegression`
# with the whole information picture. The feature names travel through the scaler,
# so the table is labelled.

model = search.best_estimator_[-1]
print(model.summary())

# %%
# With ``alpha > 0`` the standard errors describe the penalised fit (see the
# estimator's docstring); the plain maximum-likelihood fit is ``alpha=0``. The
# figure shows the 95% Wald intervals of both. The coefficients are per standard
# deviation of each feature, so they can be compared with each other.

plain = make_pipeline(
    StandardScaler().set_output(transform="pandas"), FisherLogisticRegression()
).fit(X, y)[-1]

fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
names = model.param_names_[1:]
rows = np.arange(len(names))
for shift, fitted, label in [
    (-0.15, plain, "alpha = 0 (MLE)"),
    (0.15, model, f"alpha = {model.alpha:g} (grid search)"),
]:
    low, high = fitted.conf_int()[1:].T
    ax.errorbar(
        fitted.params_[1:],
        rows + shift,
        xerr=[fitted.params_[1:] - low, high - fitted.params_[1:]],
        fmt="o",
        capsize=3,
        label=label,
    )
ax.axvline(0, color="grey", lw=0.8)
ax.set_yticks(rows, names)
ax.invert_yaxis()
ax.set_xlabel("coefficient per standard deviation (95% Wald interval)")
ax.set_title("Vote for Dole, 1996: estimates with standard errors")
ax.legend(loc="lower right")
plt.show()
