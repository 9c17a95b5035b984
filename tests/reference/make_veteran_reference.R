# Reference values of Cox fits to the bundled Veterans' Administration lung cancer
# data (skfisher/datasets/data/veteran.csv, R's survival::veteran), for
# tests/datasets/ and tests/test_cli_survival.py: coefficients, standard errors,
# the log partial likelihood and the likelihood-ratio, Wald and score tests of
#     coxph(Surv(time, status) ~ trt + celltype + karno + diagtime + age + prior)
# with Efron's and Breslow's ties, and of a Weibull survreg on the same terms.
# The file is checked against survival::veteran, then trt and prior are coded 0/1
# as load_veteran() codes them. Run from the repository root:
#     Rscript tests/reference/make_veteran_reference.R
# It writes tests/reference/veteran_r.json.
suppressPackageStartupMessages(library(survival))

veteran <- read.csv(file.path("skfisher", "datasets", "data", "veteran.csv"))
veteran$celltype <- factor(veteran$celltype, levels = c("squamous", "smallcell", "adeno", "large"))
stopifnot(isTRUE(all.equal(veteran, survival::veteran, check.attributes = FALSE)))
# The 0/1 coding of load_veteran(), so that the coefficients are the same numbers.
veteran$trt <- as.integer(veteran$trt == 2)
veteran$prior <- as.integer(veteran$prior == 10)

numbers <- function(x) paste0("[", paste(sprintf("%.17g", as.vector(x)), collapse = ", "), "]")
field <- function(name, value) paste0('    "', name, '": ', value)
test_entry <- function(statistic, df) numbers(c(statistic, df, pchisq(statistic, df, lower.tail = FALSE)))

fml <- Surv(time, status) ~ trt + celltype + karno + diagtime + age + prior
cox_entry <- function(ties) {
  fit <- coxph(fml, veteran, ties = ties)
  k <- length(coef(fit))
  lines <- c(
    field("names", paste0("[", paste0('"', names(coef(fit)), '"', collapse = ", "), "]")),
    field("coefficients", numbers(coef(fit))),
    field("standard_errors", numbers(sqrt(diag(fit$var)))),
    field("loglik", numbers(fit$loglik)),
    field("likelihood_ratio", test_entry(2 * diff(fit$loglik), k)),
    field("wald", test_entry(fit$wald.test, k)),
    field("score", test_entry(fit$score, k)),
    field("n_events", sprintf("%d", fit$nevent))
  )
  paste0('  "', ties, '": {\n', paste(lines, collapse = ",\n"), "\n  }")
}

weibull <- survreg(fml, veteran, dist = "weibull")
weibull_lines <- c(
  field("coefficients", numbers(coef(weibull))),
  field("log_scale", sprintf("%.17g", log(weibull$scale))),
  field("standard_errors", numbers(sqrt(diag(vcov(weibull))))),
  field("loglik", numbers(weibull$loglik))
)
header <- paste0(
  '  "source": "tests/reference/make_veteran_reference.R",\n',
  '  "R": "', R.version.string, '",\n',
  '  "survival": "', as.character(packageVersion("survival")), '",\n',
  '  "note": "trt = 1 for the test chemotherapy and prior = 1 for prior therapy, as ',
  'load_veteran() codes them; celltype with squamous the reference level; the weibull ',
  'standard errors end with that of log(scale)"'
)
body <- c(
  cox_entry("efron"),
  cox_entry("breslow"),
  paste0('  "weibull": {\n', paste(weibull_lines, collapse = ",\n"), "\n  }")
)
writeLines(
  c("{", paste0(header, ","), paste(body, collapse = ",\n"), "}"),
  file.path("tests", "reference", "veteran_r.json")
)
