# Reference values of quasi-Poisson and quasi-binomial fits, from R's glm, for
# tests/families/test_quasi.py: coefficients, standard errors, the dispersion
# (Pearson's chi^2 / residual df) and the profile intervals of confint (MASS's
# profile.glm: the signed root of (D(b) - D) / phi). Run from the repository root:
#     Rscript tests/reference/make_quasi_reference.R
# It writes tests/reference/quasi_r.json.
suppressPackageStartupMessages(library(MASS))

data_file <- function(name) file.path("skfisher", "datasets", "data", paste0(name, ".csv"))

# randhie stores each distinct row once with its number n of person-years.
randhie <- read.csv(data_file("randhie"))
randhie <- randhie[rep(seq_len(nrow(randhie)), randhie$n), ]
randhie$n <- NULL
anes96 <- read.csv(data_file("anes96"))

fits <- list(
  randhie_quasi_poisson = glm(
    mdvis ~ lncoins + idp + lpi + fmde + physlm + disea + hlthg + hlthf + hlthp,
    family = quasipoisson, data = randhie
  ),
  anes96_quasi_binomial = glm(
    vote ~ selfLR + age + educ + income + TVnews, family = quasibinomial, data = anes96
  )
)

numbers <- function(x) paste0("[", paste(sprintf("%.17g", x), collapse = ", "), "]")
entry <- function(name, fit) {
  s <- summary(fit)
  ci <- suppressMessages(confint(fit, level = 0.95))
  paste0(
    '  "', name, '": {\n',
    '    "coefficients": ', numbers(coef(fit)), ",\n",
    '    "standard_errors": ', numbers(s$coefficients[, 2]), ",\n",
    '    "dispersion": ', sprintf("%.17g", s$dispersion), ",\n",
    '    "deviance": ', sprintf("%.17g", deviance(fit)), ",\n",
    '    "profile_lower": ', numbers(ci[, 1]), ",\n",
    '    "profile_upper": ', numbers(ci[, 2]), "\n",
    "  }"
  )
}
header <- paste0(
  '  "source": "tests/reference/make_quasi_reference.R",\n',
  '  "R": "', R.version.string, '",\n',
  '  "MASS": "', as.character(packageVersion("MASS")), '"'
)
body <- mapply(entry, names(fits), fits)
writeLines(
  c("{", paste0(header, ","), paste(body, collapse = ",\n"), "}"),
  file.path("tests", "reference", "quasi_r.json")
)
