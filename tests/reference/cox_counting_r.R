# Reference values of Cox fits on counting-process data, Surv(start, stop, event),
# from R's survival package, for tests/survival/test_cox_counting_r.py:
# coefficients, naive and robust (cluster(id)) standard errors, the log partial
# likelihoods, the likelihood-ratio, Wald, score and robust score tests, the
# concordance, survfit curves at covariate profiles and cox.zph.
#
# Two data sets: survival's `heart` (Stanford heart transplant: 172 rows of 103
# patients, the transplant a time-varying covariate) and one simulated here and
# written into the JSON (integer times, so that event times tie and some starts
# equal event times; some starts negative; three strata; integer weights; each
# subject's rows split where its covariate z switches). Run from the
# repository root:
#     Rscript tests/reference/cox_counting_r.R
# It writes tests/reference/cox_counting_r.json.
suppressPackageStartupMessages(library(survival))

heart_data <- data.frame(
  start = heart$start, stop = heart$stop, event = heart$event, age = heart$age,
  year = heart$year, surgery = heart$surgery,
  transplant = as.numeric(heart$transplant == "1"), id = heart$id
)

set.seed(20240612)
subjects <- 150
rows <- list()
for (id in seq_len(subjects)) {
  x1 <- round(rnorm(1), 2)
  x2 <- rbinom(1, 1, 0.5)
  stratum <- sample(0:2, 1)
  weight <- sample(1:3, 1)
  entry <- sample(c(-2, 0, 0, 0, 1, 2), 1)
  switch_at <- entry + sample(1:12, 1)
  rate <- 0.08 * exp(0.5 * x1 - 0.6 * x2)
  # Before the switch z = 0, after it z = 1 with a hazard twice as high.
  t0 <- entry + rexp(1, rate)
  t1 <- if (t0 <= switch_at) t0 else switch_at + rexp(1, 2 * rate)
  end <- max(ceiling(min(t1, entry + rexp(1, 0.03))), entry + 1)
  died <- as.integer(t1 <= end)
  cuts <- c(entry, if (switch_at < end) switch_at, end)
  for (j in seq_len(length(cuts) - 1)) {
    rows[[length(rows) + 1]] <- data.frame(
      id = id, start = cuts[j], stop = cuts[j + 1],
      event = if (j == length(cuts) - 1) died else 0L,
      x1 = x1, x2 = x2, z = as.numeric(j > 1), stratum = stratum, weight = weight
    )
  }
}
sim <- do.call(rbind, rows)
expanded <- sim[rep(seq_len(nrow(sim)), sim$weight), ]

heart_fml <- Surv(start, stop, event) ~ age + year + surgery + transplant
heart_strata <- Surv(start, stop, event) ~ age + year + transplant + strata(surgery)
sim_fml <- Surv(start, stop, event) ~ x1 + x2 + z
sim_strata <- Surv(start, stop, event) ~ x1 + x2 + z + strata(stratum)

fits <- list()
for (ties in c("efron", "breslow")) {
  fits[[paste0("heart_", ties)]] <- coxph(heart_fml, heart_data, ties = ties)
  fits[[paste0("heart_", ties, "_cluster")]] <- coxph(heart_fml, heart_data, ties = ties, cluster = id)
  fits[[paste0("heart_", ties, "_strata")]] <- coxph(heart_strata, heart_data, ties = ties)
  fits[[paste0("sim_", ties)]] <- coxph(sim_fml, sim, ties = ties)
  fits[[paste0("sim_", ties, "_cluster")]] <- coxph(sim_fml, sim, ties = ties, cluster = id)
  fits[[paste0("sim_", ties, "_strata_cluster")]] <- coxph(sim_strata, sim, ties = ties, cluster = id)
  fits[[paste0("sim_", ties, "_expanded")]] <- coxph(sim_fml, expanded, ties = ties)
}
# R's weights under Efron's ties are not repeated rows (see FisherCoxRegressor's
# Notes); under Breslow's they are.
fits[["sim_breslow_weights"]] <- coxph(sim_fml, sim, ties = "breslow", weights = weight)

profiles <- list(
  heart = data.frame(age = c(0, 10), year = c(0, 2), surgery = c(0, 1), transplant = c(0, 1)),
  sim = data.frame(x1 = c(0, 0.8), x2 = c(0, 1), z = c(0, 1))
)

numbers <- function(x) paste0("[", paste(sprintf("%.17g", as.vector(x)), collapse = ", "), "]")
field <- function(name, value) paste0('    "', name, '": ', value)
test_entry <- function(statistic, df) numbers(c(statistic, df, pchisq(statistic, df, lower.tail = FALSE)))

survfit_lines <- function(fit, newdata) {
  curve <- survfit(fit, newdata = newdata)
  c(
    field("survfit_time", numbers(curve$time)),
    field("survfit_surv", numbers(curve$surv)),
    field("survfit_std_err", numbers(curve$std.err)),
    field("survfit_lower", numbers(curve$lower)),
    field("survfit_upper", numbers(curve$upper))
  )
}

zph_lines <- function(fit) {
  out <- character(0)
  for (transform in c("km", "rank", "identity")) {
    zph <- cox.zph(fit, transform = transform, terms = FALSE)
    out <- c(
      out,
      field(paste0("zph_", transform, "_chisq"), numbers(zph$table[, "chisq"])),
      field(paste0("zph_", transform, "_x"), numbers(zph$x)),
      field(paste0("zph_", transform, "_y"), numbers(t(zph$y)))
    )
  }
  c(out, field("zph_time", numbers(zph$time)))
}

entry <- function(name, fit) {
  k <- length(coef(fit))
  lines <- c(
    field("coefficients", numbers(coef(fit))),
    field("standard_errors", numbers(sqrt(diag(fit$var)))),
    field("loglik", numbers(fit$loglik)),
    field("concordance", sprintf("%.17g", fit$concordance[["concordance"]])),
    field("likelihood_ratio", test_entry(2 * diff(fit$loglik), k)),
    field("wald", test_entry(fit$wald.test, k)),
    field("score", test_entry(fit$score, k))
  )
  if (!is.null(fit$naive.var)) {
    lines <- c(lines, field("naive_standard_errors", numbers(sqrt(diag(fit$naive.var)))))
    lines <- c(lines, field("robust_score", test_entry(fit$rscore, k)))
  }
  if (name %in% c("heart_efron", "heart_breslow", "sim_efron", "sim_breslow")) {
    lines <- c(lines, survfit_lines(fit, profiles[[sub("_.*", "", name)]]))
  }
  if (name %in% c("heart_efron", "heart_breslow", "sim_efron_strata_cluster")) {
    lines <- c(lines, zph_lines(fit))
  }
  paste0('  "', name, '": {\n', paste(lines, collapse = ",\n"), "\n  }")
}

data_entry <- function(name, frame) {
  columns <- sapply(names(frame), function(col) field(col, numbers(frame[[col]])))
  paste0('  "', name, '": {\n', paste(columns, collapse = ",\n"), "\n  }")
}

header <- paste0(
  '  "source": "tests/reference/cox_counting_r.R",\n',
  '  "R": "', R.version.string, '",\n',
  '  "survival": "', as.character(packageVersion("survival")), '",\n',
  '  "note": "survfit_* hold the columns of R\'s (n_times, 2) matrices, the curve of the ',
  "first row of the profile and then that of the second; zph_*_y are row-major ",
  '(n_events, k); the fits with cluster in their name have cluster = id"'
)
profile_entry <- paste0(
  '  "profiles": {\n',
  field("heart", numbers(t(as.matrix(profiles$heart)))), ",\n",
  field("sim", numbers(t(as.matrix(profiles$sim)))), "\n  }"
)
body <- mapply(entry, names(fits), fits)
writeLines(
  c(
    "{", paste0(header, ","), paste0(data_entry("heart_data", heart_data), ","),
    paste0(data_entry("sim_data", sim), ","), paste0(profile_entry, ","),
    paste(body, collapse = ",\n"), "}"
  ),
  file.path("tests", "reference", "cox_counting_r.json")
)
