# Reference values of Cox proportional-hazards fits from R's survival package, for
# tests/survival/: coefficients, naive and robust standard errors, the log partial
# likelihood, the concordance, the likelihood-ratio, Wald and score tests, score
# residuals and survfit curves with their standard errors. The data are simulated
# here (integer times, so that many event times are tied; three strata, 30
# clusters, integer weights) and written into the JSON with the fits. Run from the
# repository root:
#     Rscript tests/reference/make_cox_reference.R
# It writes tests/reference/cox_r.json.
suppressPackageStartupMessages(library(survival))

set.seed(20240611)
n <- 180
data <- data.frame(
  x1 = round(rnorm(n), 3),
  x2 = rbinom(n, 1, 0.4),
  x3 = round(runif(n, -1, 1), 3),
  stratum = sample(0:2, n, replace = TRUE),
  cluster = sample(0:29, n, replace = TRUE),
  weight = sample(1:3, n, replace = TRUE)
)
rate <- exp(0.6 * data$x1 - 0.8 * data$x2 + 0.4 * data$x3) * c(0.05, 0.08, 0.12)[data$stratum + 1]
latent <- rexp(n, rate)
censor <- rexp(n, 0.04)
data$time <- pmax(ceiling(pmin(latent, censor)), 1)
data$event <- as.integer(latent <= censor)
expanded <- data[rep(seq_len(n), data$weight), ]

fml <- Surv(time, event) ~ x1 + x2 + x3
fml_strata <- Surv(time, event) ~ x1 + x2 + x3 + strata(stratum)
newdata <- data.frame(x1 = c(0, 1.2, -0.7), x2 = c(0, 1, 0), x3 = c(0, -0.5, 0.9), stratum = c(0, 1, 2))

fits <- list()
for (ties in c("efron", "breslow")) {
  fits[[paste0(ties)]] <- coxph(fml, data, ties = ties)
  fits[[paste0(ties, "_robust")]] <- coxph(fml, data, ties = ties, robust = TRUE)
  fits[[paste0(ties, "_cluster")]] <- coxph(fml, data, ties = ties, cluster = cluster)
  fits[[paste0(ties, "_strata")]] <- coxph(fml_strata, data, ties = ties)
  fits[[paste0(ties, "_strata_cluster")]] <- coxph(fml_strata, data, ties = ties, cluster = cluster)
  fits[[paste0(ties, "_weights")]] <- coxph(fml, data, ties = ties, weights = weight)
  fits[[paste0(ties, "_expanded")]] <- coxph(fml, expanded, ties = ties)
}

numbers <- function(x) paste0("[", paste(sprintf("%.17g", as.vector(x)), collapse = ", "), "]")
field <- function(name, value) paste0('    "', name, '": ', value)
# summary(fit) rounds the tests to two decimals; these are the fit's own values.
test_entry <- function(statistic, df) numbers(c(statistic, df, pchisq(statistic, df, lower.tail = FALSE)))

entry <- function(name, fit) {
  lines <- c(
    field("coefficients", numbers(coef(fit))),
    field("standard_errors", numbers(sqrt(diag(fit$var)))),
    field("loglik", numbers(fit$loglik)),
    field("concordance", sprintf("%.17g", fit$concordance[["concordance"]])),
    field("likelihood_ratio", test_entry(2 * diff(fit$loglik), length(coef(fit)))),
    field("wald", test_entry(fit$wald.test, length(coef(fit)))),
    field("score", test_entry(fit$score, length(coef(fit)))),
    field("iterations", sprintf("%d", fit$iter))
  )
  if (!is.null(fit$naive.var)) {
    lines <- c(lines, field("naive_standard_errors", numbers(sqrt(diag(fit$naive.var)))))
    lines <- c(lines, field("robust_score", test_entry(fit$rscore, length(coef(fit)))))
  }
  if (!grepl("expanded|weights", name)) {
    lines <- c(lines, field("score_residuals", numbers(t(residuals(fit, type = "score")))))
  }
  if (name %in% c("efron", "breslow", "efron_strata", "breslow_strata")) {
    curve <- survfit(fit, newdata = newdata)
    lines <- c(
      lines,
      field("survfit_time", numbers(curve$time)),
      field("survfit_strata", numbers(if (is.null(curve$strata)) 0 else curve$strata)),
      field("survfit_surv", numbers(curve$surv)),
      field("survfit_cumhaz", numbers(curve$cumhaz)),
      field("survfit_std_err", numbers(curve$std.err)),
      field("survfit_lower", numbers(curve$lower)),
      field("survfit_upper", numbers(curve$upper))
    )
  }
  paste0('  "', name, '": {\n', paste(lines, collapse = ",\n"), "\n  }")
}

columns <- c("x1", "x2", "x3", "stratum", "cluster", "weight", "time", "event")
data_entry <- paste0(
  '  "data": {\n',
  paste(sapply(columns, function(col) field(col, numbers(data[[col]]))), collapse = ",\n"),
  ",\n", field("newdata", numbers(t(as.matrix(newdata)))), "\n  }"
)
header <- paste0(
  '  "source": "tests/reference/make_cox_reference.R",\n',
  '  "R": "', R.version.string, '",\n',
  '  "survival": "', as.character(packageVersion("survival")), '",\n',
  '  "note": "survfit_* are stacked over the rows of newdata (time-major, as R returns ',
  'them: curve k is column k of a (n_times, 3) matrix); for stratified fits each row of ',
  'newdata is its own stratum and the curves are concatenated; score_residuals are ',
  'row-major (n, 3)"'
)
body <- mapply(entry, names(fits), fits)
writeLines(
  c("{", paste0(header, ","), paste0(data_entry, ","), paste(body, collapse = ",\n"), "}"),
  file.path("tests", "reference", "cox_r.json")
)
