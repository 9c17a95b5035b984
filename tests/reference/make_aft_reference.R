# Reference values of accelerated-failure-time fits from R's survival package, for
# tests/survival/test_aft_r.py: survreg fits with the weibull, exponential, lognormal
# and loglogistic distributions (coefficients, Log(scale), naive and robust standard
# errors, the log-likelihood on the time scale, the scale, the iterations) and the
# predicted quantiles with their standard errors. The data are simulated here
# (Weibull times, about a third censored, three covariates, integer weights, 25
# clusters) and written into the JSON with the fits. Run from the repository root:
#     Rscript tests/reference/make_aft_reference.R
# It writes tests/reference/aft_r.json.
suppressPackageStartupMessages(library(survival))

set.seed(20240917)
n <- 160
data <- data.frame(
  x1 = round(rnorm(n), 3),
  x2 = rbinom(n, 1, 0.45),
  x3 = round(runif(n, -1, 1), 3),
  cluster = sample(0:24, n, replace = TRUE),
  weight = sample(1:3, n, replace = TRUE)
)
latent <- exp(1.2 + 0.5 * data$x1 - 0.7 * data$x2 + 0.3 * data$x3) *
  rweibull(n, shape = 1.6, scale = 1)
censor <- runif(n, 0.3, 5)
data$time <- round(pmin(latent, censor), 4)
data$event <- as.integer(latent <= censor)
expanded <- data[rep(seq_len(n), data$weight), ]

fml <- Surv(time, event) ~ x1 + x2 + x3
control <- survreg.control(rel.tolerance = 1e-13, maxiter = 200)
newdata <- data.frame(x1 = c(0, 1.2, -0.7), x2 = c(0, 1, 0), x3 = c(0, -0.5, 0.9))
probabilities <- c(0.1, 0.5, 0.9)

fits <- list()
for (dist in c("weibull", "exponential", "lognormal", "loglogistic")) {
  fits[[dist]] <- survreg(fml, data, dist = dist, control = control)
  fits[[paste0(dist, "_weights")]] <- survreg(fml, data, weights = weight, dist = dist,
                                              control = control)
  fits[[paste0(dist, "_expanded")]] <- survreg(fml, expanded, dist = dist, control = control)
  fits[[paste0(dist, "_robust")]] <- survreg(fml, data, dist = dist, robust = TRUE,
                                             control = control)
  fits[[paste0(dist, "_cluster")]] <- survreg(fml, data, dist = dist, cluster = cluster,
                                              control = control)
}
fits[["weibull_no_intercept"]] <- survreg(Surv(time, event) ~ x1 + x2 + x3 - 1, data,
                                          dist = "weibull", control = control)
fits[["weibull_weights_robust"]] <- survreg(fml, data, weights = weight, dist = "weibull",
                                            robust = TRUE, control = control)
fits[["lognormal_uncensored"]] <- survreg(Surv(time) ~ x1 + x2 + x3, data[data$event == 1, ],
                                          dist = "lognormal", control = control)

numbers <- function(x) paste0("[", paste(sprintf("%.17g", as.vector(x)), collapse = ", "), "]")
field <- function(name, value) paste0('    "', name, '": ', value)

entry <- function(name, fit) {
  # The parameters as skfisher orders them: coefficients, then Log(scale) when free.
  free_scale <- length(fit$var) > length(coef(fit))^2
  params <- c(coef(fit), if (free_scale) log(fit$scale))
  lines <- c(
    field("params", numbers(params)),
    field("standard_errors", numbers(sqrt(diag(fit$var)))),
    field("loglik", numbers(fit$loglik)),
    field("scale", sprintf("%.17g", fit$scale)),
    field("iterations", sprintf("%d", fit$iter))
  )
  if (!is.null(fit$naive.var)) {
    lines <- c(lines, field("naive_standard_errors", numbers(sqrt(diag(fit$naive.var)))))
  }
  if (!grepl("no_intercept|uncensored", name)) {
    quantile <- predict(fit, newdata, type = "uquantile", p = probabilities, se.fit = TRUE)
    lines <- c(
      lines,
      field("median", numbers(predict(fit, newdata, type = "quantile", p = 0.5))),
      field("log_quantile", numbers(t(quantile$fit))),
      field("log_quantile_se", numbers(t(quantile$se.fit)))
    )
  }
  paste0('  "', name, '": {\n', paste(lines, collapse = ",\n"), "\n  }")
}

columns <- c("x1", "x2", "x3", "cluster", "weight", "time", "event")
data_entry <- paste0(
  '  "data": {\n',
  paste(sapply(columns, function(col) field(col, numbers(data[[col]]))), collapse = ",\n"),
  ",\n", field("newdata", numbers(t(as.matrix(newdata)))),
  ",\n", field("probabilities", numbers(probabilities)), "\n  }"
)
header <- paste0(
  '  "source": "tests/reference/make_aft_reference.R",\n',
  '  "R": "', R.version.string, '",\n',
  '  "survival": "', as.character(packageVersion("survival")), '",\n',
  '  "note": "params are coef(fit) then log(fit$scale) where the scale is estimated ',
  '(R names it Log(scale)); standard_errors are sqrt(diag(fit$var)), robust for the ',
  'robust and cluster fits (naive_standard_errors beside them); loglik is fit$loglik ',
  '(intercept only, then the model), on the time scale; log_quantile and ',
  'log_quantile_se are predict(type = \\"uquantile\\", se.fit = TRUE) at probabilities, ',
  'row-major (3 rows of newdata, 3 probabilities)"'
)
body <- mapply(entry, names(fits), fits)
writeLines(
  c("{", paste0(header, ","), paste0(data_entry, ","), paste(body, collapse = ",\n"), "}"),
  file.path("tests", "reference", "aft_r.json")
)
