"""Marginal effects of GLMs and of the multinomial logit, with delta-method standard errors.

The marginal effect of a feature ``x_m`` on the mean response ``F(x)`` is
``∂F/∂x_m`` at each sample; the *average* marginal effect averages it over a
sample, the effect *at the mean* evaluates it at the sample's mean row. For a
0/1 feature (``dummy=True``) the effect is the discrete change
``F(x; x_m = 1) − F(x; x_m = 0)``, for a count feature (``count=True``) the
centred change ``[F(x; x_m + 1) − F(x; x_m − 1)] / 2``, as statsmodels'
``get_margeff(dummy=True, count=True)``.

Every effect ``m(θ)`` is a smooth function of the parameters, so its
covariance is ``G Σ Gᵀ`` (the delta method) with ``Σ = covariance_`` and the
Jacobian ``G = ∂m/∂θ``, here analytic (statsmodels differentiates numerically).

The models are written as K outputs ``F_o`` of H linear predictors
``η_h = x̃ᵀθ_h`` (``x̃ = [1, x]``): a GLM has one output ``g⁻¹(η)`` of one
predictor; the multinomial logit has the K class probabilities
``softmax(0, η_1, …, η_{K−1})``. With ``B`` the (H, p) slopes, the effect of a
continuous feature is ``Σ_h ∂F_o/∂η_h B_hm`` and its gradient in ``θ_g`` is
``Σ_h ∂²F_o/∂η_h∂η_g B_hm x̃ + ∂F_o/∂η_g e_m``, so only the first two
derivatives of the outputs in η are needed.
"""

from ._effects import (
    SingleIndexResponse,
    SoftmaxResponse,
    discrete_columns,
    effects_and_jacobian,
)
from ._marginal import MarginalEffectsMixin, MarginalEffectsTable

__all__ = [
    "MarginalEffectsMixin",
    "MarginalEffectsTable",
    "SingleIndexResponse",
    "SoftmaxResponse",
    "discrete_columns",
    "effects_and_jacobian",
]
