# Reference fits of Tweedie GLMs from R's glm with statmod's tweedie family, for
# tests/families/test_tweedie_range.py: the data (made here), the coefficients,
# the standard errors of summary() and the dispersion (Pearson's chi^2 over the
# residual degrees of freedom), for each variance power p with the log link
# (link.power = 0) and p = 1.5 with the identity link (link.power = 1).
# Run from the repository root:
#     Rscript tests/reference/make_tweedie_reference.R
# It writes tests/reference/tweedie_r.json.
suppressPackageStartupMessages(library(statmod))

set.seed(20240611)
n <- 200
X <- matrix(rnorm(3 * n), n, 3)
eta <- 0.5 + X %*% c(0.2, -0.1, 0.15)

# A Tweedie response with 1 < p < 2: a Poisson number of gamma summands.
rcompound <- function(mu, phi, p) {
  counts <- rpois(length(mu), mu^(2 - p) / (phi * (2 - p)))
  y <- rgamma(length(mu), shape = pmax(counts, 1) * (2 - p) / (p - 1), scale = phi * (p - 1) * mu^(p - 1))
  y[counts == 0] <- 0
  y
}
cases <- list(
  list(name = "p0_log", p = 0, link = 0, y = exp(eta) + rnorm(n, sd = 0.7)),
  list(name = "p1_log", p = 1, link = 0, y = rpois(n, exp(eta)) + 0),
  list(name = "p1.5_log", p = 1.5, link = 0, y = rcompound(exp(eta), 0.7, 1.5)),
  list(name = "p2_log", p = 2, link = 0, y = rgamma(n, 3, scale = exp(eta) / 3)),
  list(name = "p3_log", p = 3, link = 0, y = rinvgauss(n, mean = exp(eta), dispersion = 0.1)),
  list(name = "p1.5_identity", p = 1.5, link = 1, y = rcompound(2 + eta - 0.5, 0.7, 1.5))
)

numbers <- function(x) paste0("[", paste(sprintf("%.17g", x), collapse = ", "), "]")
entry <- function(case) {
  # statmod's start, y + 0.1 (y == 0), has no logarithm for a negative y (p = 0).
  fit <- glm(case$y ~ X, family = tweedie(var.power = case$p, link.power = case$link),
             mustart = pmax(case$y, 0.1), control = glm.control(epsilon = 1e-14, maxit = 500))
  s <- summary(fit)
  paste0(
    '  "', case$name, '": {\n',
    '    "power": ', case$p, ', "link": "', c("log", "identity")[case$link + 1], '",\n',
    '    "y": ', numbers(case$y), ",\n",
    '    "coefficients": ', numbers(coef(fit)), ",\n",
    '    "standard_errors": ', numbers(s$coefficients[, 2]), ",\n",
    '    "dispersion": ', sprintf("%.17g", s$dispersion), "\n",
    "  }"
  )
}
header <- paste0(
  '  "source": "tests/reference/make_tweedie_reference.R",\n',
  '  "R": "', R.version.string, '",\n',
  '  "statmod": "', as.character(packageVersion("statmod")), '",\n',
  '  "X": [', paste(apply(X, 1, numbers), collapse = ", "), "]"
)
body <- vapply(cases, entry, "")
writeLines(
  c("{", paste0(header, ","), paste(body, collapse = ",\n"), "}"),
  file.path("tests", "reference", "tweedie_r.json")
)
