# Reference values of censored maximum-likelihood fits from R's fitdistrplus
# (fitdistcens), for tests/distributions/test_censored_r.py: estimates, standard
# errors and log-likelihoods, and the inverse of numDeriv's Hessian of the censored
# log-likelihood at the estimate. Data: fitdistrplus's salinity and smokedfish
# (left, right and interval censoring) and samples simulated here with every kind
# of censoring, written into the JSON with the fits. Run from the repository root:
#     Rscript tests/reference/make_censored_reference.R
# It writes tests/reference/censored_r.json.
suppressPackageStartupMessages({
  library(fitdistrplus)
  library(numDeriv)
  library(jsonlite)
})

data(salinity)
data(smokedfish)

# A sample with uncensored, left-, right- and interval-censored rows (columns left
# and right as fitdistcens reads them: NA for an open end, left == right exact).
simulate <- function(draw, n, lod, cap, width) {
  x <- draw(n)
  kind <- sample(0:3, n, replace = TRUE)
  left <- round(x, 4)
  right <- round(x, 4)
  low <- kind == 1 & x < lod
  left[low] <- NA
  right[low] <- lod
  high <- kind == 2
  cut <- round(x[high] * runif(sum(high), 0.3, 1), 4)
  left[high] <- cut
  right[high] <- NA
  binned <- kind == 3
  start <- floor(x[binned] / width) * width
  left[binned] <- start
  right[binned] <- start + width
  above <- kind == 0 & x > cap
  left[above] <- cap
  right[above] <- NA
  data.frame(left = left, right = right)
}

set.seed(20240717)
samples <- list(
  norm = simulate(function(n) rnorm(n, 1, 2), 150, -1, 4, 1),
  logis = simulate(function(n) rlogis(n, 1, 2), 150, -2, 5, 1.5),
  lnorm = simulate(function(n) rlnorm(n, 1, 0.7), 150, 1.2, 8, 1),
  weibull = simulate(function(n) rweibull(n, 1.7, 3), 150, 0.8, 5, 0.5),
  gamma = simulate(function(n) rgamma(n, 2.5, 1 / 3), 150, 2, 14, 2),
  exp = simulate(function(n) rexp(n, 1 / 3), 150, 0.5, 8, 1)
)

cases <- list(
  list(name = "salinity_lnorm", data = salinity, distr = "lnorm"),
  list(name = "salinity_logis", data = salinity, distr = "logis"),
  list(name = "salinity_weibull", data = salinity, distr = "weibull"),
  list(name = "salinity_gamma", data = salinity, distr = "gamma"),
  list(name = "smokedfish_lnorm", data = smokedfish, distr = "lnorm"),
  list(name = "smokedfish_log10_norm", data = log10(smokedfish), distr = "norm")
)
for (distr in names(samples)) {
  cases[[length(cases) + 1]] <- list(
    name = paste0("simulated_", distr), data = samples[[distr]], distr = distr
  )
}

# The censored log-likelihood, as fitdistcens defines it.
loglik <- function(par, data, distr) {
  args <- as.list(par)
  d <- function(x) do.call(paste0("d", distr), c(list(x), args, list(log = TRUE)))
  p <- function(q, lower) {
    do.call(paste0("p", distr), c(list(q), args, list(lower.tail = lower, log.p = TRUE)))
  }
  l <- data$left
  r <- data$right
  exact <- !is.na(l) & !is.na(r) & l == r
  lc <- is.na(l)
  rc <- is.na(r)
  ic <- !is.na(l) & !is.na(r) & l != r
  sum(d(l[exact])) + sum(p(r[lc], TRUE)) + sum(p(l[rc], FALSE)) +
    sum(log(do.call(paste0("p", distr), c(list(r[ic]), args)) -
      do.call(paste0("p", distr), c(list(l[ic]), args))))
}

fits <- list()
for (case in cases) {
  control <- list(reltol = 1e-15, maxit = 20000)
  fit <- fitdistcens(case$data, case$distr, control = control)
  # A second Nelder-Mead run from the first's estimate, which it often improves.
  fit <- fitdistcens(case$data, case$distr, start = as.list(fit$estimate), control = control)
  hessian <- numDeriv::hessian(loglik, fit$estimate, data = case$data, distr = case$distr)
  fits[[case$name]] <- list(
    distr = case$distr,
    left = case$data$left,
    right = case$data$right,
    estimate = as.list(fit$estimate),
    sd = as.list(fit$sd),
    loglik = fit$loglik,
    loglik_check = loglik(fit$estimate, case$data, case$distr),
    covariance_numderiv = solve(-hessian)
  )
}

out <- list(
  R = R.version.string,
  fitdistrplus = as.character(packageVersion("fitdistrplus")),
  numDeriv = as.character(packageVersion("numDeriv")),
  note = paste(
    "fitdistcens maximises by Nelder-Mead (optim, reltol 1e-15, run twice) and takes",
    "sd from optim's finite-difference Hessian; covariance_numderiv is the inverse of",
    "numDeriv::hessian of the censored log-likelihood at the estimate."
  ),
  fits = fits
)
writeLines(
  toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
  file.path("tests", "reference", "censored_r.json")
)
