# Reference values for skfisher.inference.vuong_test and overdispersion_test,
# and for the zero-inflated and hurdle count regressors, from R's pscl and MASS.
#
# Run from the repository root:  Rscript tests/reference/vuong_pscl.R
# It reads skfisher/datasets/data/randhie.csv and writes, beside this script,
# counts_sim.csv (simulated counts; kept, the tests read it) and
# vuong_pscl.json (every number, with the R and package versions).
#
# pscl::vuong and pscl::odTest print their results and return NULL; their
# local values are returned by copies of them (see `returning`), so the numbers
# are the functions' own. The "df" variants apply pscl's formulas with the number
# of parameters of logLik() (which counts the negative binomial's theta);
# pscl 1.5.5 counts length(coef()), which omits it.

suppressMessages({
  library(MASS)
  library(pscl)
})

here <- "tests/reference"
tight <- glm.control(epsilon = 1e-13, maxit = 200)

# --- a JSON writer (base R only) ------------------------------------------------
arr <- function(x) structure(x, json_array = TRUE)
to_json <- function(x, indent = 0) {
  pad <- strrep("  ", indent + 1)
  if (is.list(x)) {
    keys <- names(x)
    items <- vapply(seq_along(x), function(i) {
      paste0(pad, '"', keys[i], '": ', to_json(x[[i]], indent + 1))
    }, "")
    return(paste0("{\n", paste(items, collapse = ",\n"), "\n", strrep("  ", indent), "}"))
  }
  if (is.character(x)) {
    v <- paste0('"', gsub('"', '\\\\"', x), '"')
  } else if (is.logical(x)) {
    v <- ifelse(x, "true", "false")
  } else {
    v <- ifelse(is.finite(x), sprintf("%.17g", as.numeric(x)), "null")
  }
  if (length(x) == 1 && is.null(attr(x, "json_array"))) v else {
    paste0("[", paste(v, collapse = ", "), "]")
  }
}

# --- pscl's own numbers ------------------------------------------------------------
# vuong and odTest print their results and return invisible(NULL). These are
# the same functions (same body, same environment) with that final return
# replaced by a return of their local values, so every number is pscl's own.
returning <- function(f, values) {
  b <- body(f)
  stopifnot(identical(b[[length(b)]], quote(return(invisible(NULL)))) ||
              identical(b[[length(b)]], quote(invisible(NULL))))
  b[[length(b)]] <- values
  body(f) <- b
  f
}
pscl_vuong <- returning(pscl::vuong, quote(return(list(
  v = unname(v), pval = pval, msg = msg, k1 = k1, k2 = k2, neff = neff
))))
pscl_odtest <- returning(pscl::odTest, quote(return(list(d = as.numeric(d),
                                                          pval = as.numeric(pval)))))

run_vuong <- function(m1, m2) {
  invisible(capture.output(got <- pscl_vuong(m1, m2)))
  out <- list(
    statistic = arr(got$v), pvalue = arr(got$pval), preferred = arr(got$msg),
    k = arr(c(got$k1, got$k2)), n = got$neff
  )
  # The same formulas with k from logLik (theta counted).
  k1 <- attr(logLik(m1), "df")
  k2 <- attr(logLik(m2), "df")
  m <- log_rows(m1) - log_rows(m2)
  n <- length(m)
  corrections <- c(0, (k1 - k2) / n, (k1 - k2) / (2 * n) * log(n))
  v <- vapply(corrections, function(c) sum(m - c) / (sd(m - c) * sqrt(n)), 0)
  out$df <- list(
    statistic = arr(v), pvalue = arr(ifelse(v > 0, pnorm(v, lower.tail = FALSE), pnorm(v))),
    k = arr(c(k1, k2))
  )
  out$loglik_rows_sum <- arr(c(sum(log_rows(m1)), sum(log_rows(m2))))
  out
}

# The per-row log-likelihood as pscl::vuong computes it (predprob at the observed y).
log_rows <- function(m) {
  p <- predprob(m)
  log(p[cbind(seq_along(m$y), match(m$y, colnames(p)))])
}

run_odtest <- function(nb) {
  invisible(capture.output(got <- pscl_odtest(nb)))
  list(statistic = got$d, pvalue = got$pval)
}

# --- summaries of fits -----------------------------------------------------------
glm_summary <- function(m) {
  out <- list(
    names = arr(names(coef(m))), coef = arr(unname(coef(m))),
    se = arr(unname(sqrt(diag(vcov(m))))), loglik = as.numeric(logLik(m)),
    df = attr(logLik(m), "df"), nobs = length(m$y), converged = m$converged
  )
  if (inherits(m, "negbin")) {
    out$theta <- m$theta
    out$se_theta <- m$SE.theta
    out$alpha <- 1 / m$theta
    out$se_alpha <- m$SE.theta / m$theta^2
  }
  out
}

count_summary <- function(m) {
  out <- list(
    names = arr(names(coef(m))), coef = arr(unname(coef(m))),
    se = arr(unname(sqrt(diag(vcov(m))))), loglik = as.numeric(logLik(m)),
    df = attr(logLik(m), "df"), nobs = m$n, converged = m$converged
  )
  count_dist <- if (is.list(m$dist)) m$dist$count else m$dist
  if (count_dist == "negbin") {
    theta <- unname(m$theta)[1]
    se_log <- unname(m$SE.logtheta)[1]
    out$theta <- theta
    out$se_logtheta <- se_log
    out$alpha <- 1 / theta
    out$se_alpha <- se_log / theta # SE(alpha) = alpha * SE(log theta), the delta method
  }
  out
}

# Two-part models fitted to the optimum: pscl's default fit (BFGS from glm
# starts; its EM start fails in pscl 1.5.5), then BFGS again from there with a
# tiny relative tolerance, the Hessian of vcov() by central differences of the
# analytic gradient with step 1e-5 (optim's default, 1e-3, leaves errors of
# about 1e-6 in the standard errors).
n_params <- function(n_count, n_zero, dist) n_count + n_zero + (dist == "negbin")
polished <- function(fitter, k) {
  first <- fitter(list())
  start <- list(count = first$coefficients$count, zero = first$coefficients$zero)
  if (!is.null(first$theta)) start$theta <- unname(first$theta)[1]
  fitter(list(start = start, reltol = 1e-15, maxit = 10000, ndeps = rep(1e-5, k)))
}
zeroinfl_fit <- function(formula, data, dist, k) {
  polished(function(options) {
    zeroinfl(formula, data = data, dist = dist, control = do.call(zeroinfl.control, options))
  }, k)
}
hurdle_fit <- function(formula, data, dist, k) {
  polished(function(options) {
    control <- do.call(hurdle.control, c(list(separate = FALSE), options))
    hurdle(formula, data = data, dist = dist, zero.dist = "binomial", control = control)
  }, k)
}

# --- RAND: all 20,190 rows, as load_randhie() returns them ----------------------
distinct <- read.csv("skfisher/datasets/data/randhie.csv")
randhie <- distinct[rep(seq_len(nrow(distinct)), distinct$n), setdiff(names(distinct), "n")]
rownames(randhie) <- NULL
features <- setdiff(names(randhie), "mdvis")
full_formula <- reformulate(features, "mdvis")

pois_randhie <- glm(full_formula, family = poisson, data = randhie, control = tight)
# odTest refits the Poisson model from the call's formula and data, evaluated
# from pscl's namespace: the calls hold the formula itself and a global name.
nb_randhie <- eval(bquote(glm.nb(.(full_formula), data = randhie, control = tight)))
randhie_out <- list(
  data = "load_randhie(): all 20190 rows; mdvis on all nine features, with an intercept",
  poisson = glm_summary(pois_randhie),
  negbin = glm_summary(nb_randhie),
  vuong_poisson_negbin = run_vuong(pois_randhie, nb_randhie),
  odtest = run_odtest(nb_randhie)
)

# --- RAND subset: every 10th row, for the two-part models -----------------------
rand_subset <- randhie[seq(1, nrow(randhie), by = 10), ]
rownames(rand_subset) <- NULL
two_part <- as.formula(paste("mdvis ~", paste(features, collapse = " + "), "|",
                             paste(features, collapse = " + ")))
p <- length(features) + 1
zip <- zeroinfl_fit(two_part, rand_subset, "poisson", n_params(p, p, "poisson"))
zinb <- zeroinfl_fit(two_part, rand_subset, "negbin", n_params(p, p, "negbin"))
hp <- hurdle_fit(two_part, rand_subset, "poisson", n_params(p, p, "poisson"))
hnb <- hurdle_fit(two_part, rand_subset, "negbin", n_params(p, p, "negbin"))
pois_subset <- glm(full_formula, family = poisson, data = rand_subset, control = tight)
nb_subset <- eval(bquote(glm.nb(.(full_formula), data = rand_subset, control = tight)))
subset_out <- list(
  data = paste("load_randhie() rows 0, 10, 20, ... (every 10th, 2019 rows); mdvis on all",
               "nine features in the count part and in the zero part, each with an intercept"),
  poisson = glm_summary(pois_subset),
  negbin = glm_summary(nb_subset),
  zeroinfl_poisson = count_summary(zip),
  zeroinfl_negbin = count_summary(zinb),
  hurdle_poisson = count_summary(hp),
  hurdle_negbin = count_summary(hnb),
  hurdle_note = "pscl's hurdle zero part is a logit model of P(Y > 0)",
  se_note = paste("se of the two-part models: sqrt(diag(vcov)), the inverse of the",
                  "observed information (optim's Hessian by differences of the analytic",
                  "gradient, step 1e-5), without theta; se_alpha = alpha * SE(log theta)"),
  vuong_zeroinfl_poisson = run_vuong(zip, pois_subset),
  vuong_zeroinfl_negbin = run_vuong(zinb, nb_subset),
  vuong_hurdle_zeroinfl_negbin = run_vuong(hnb, zinb),
  odtest = run_odtest(nb_subset)
)

# --- simulated counts, saved to counts_sim.csv ----------------------------------
set.seed(20240601)
n <- 400
sim <- data.frame(x1 = round(rnorm(n), 3), x2 = rbinom(n, 1, 0.4))
sim$x3 <- round(runif(n, -1, 1), 3)
eta <- 0.5 + 0.4 * sim$x1 - 0.6 * sim$x2
sim$y_nb <- rnbinom(n, size = 2, mu = exp(eta))
sim$y_poisson <- rpois(n, exp(0.3 + 0.5 * sim$x1 - 0.4 * sim$x2))
sim$y_mild <- rnbinom(n, size = 8, mu = exp(0.3 + 0.5 * sim$x1 - 0.4 * sim$x2))
write.csv(sim, file.path(here, "counts_sim.csv"), row.names = FALSE)
sim <- read.csv(file.path(here, "counts_sim.csv"))

sim_case <- function(response) {
  f <- as.formula(paste(response, "~ x1 + x2"))
  pois <- glm(f, family = poisson, data = sim, control = tight)
  nb <- eval(bquote(glm.nb(.(f), data = sim, control = tight)))
  # Non-nested: a Poisson model on x1 against a negative binomial on x2 and x3.
  pois_x1 <- glm(as.formula(paste(response, "~ x1")), family = poisson, data = sim,
                 control = tight)
  nb_x23 <- glm.nb(as.formula(paste(response, "~ x2 + x3")), data = sim, control = tight)
  list(
    data = paste0("counts_sim.csv: ", response, " on x1 and x2, with an intercept"),
    poisson = glm_summary(pois),
    negbin = glm_summary(nb),
    vuong_poisson_negbin = run_vuong(pois, nb),
    odtest = run_odtest(nb),
    poisson_x1 = glm_summary(pois_x1),
    negbin_x2_x3 = glm_summary(nb_x23),
    vuong_poisson_x1_negbin_x2_x3 = run_vuong(pois_x1, nb_x23)
  )
}

# Poisson counts: the negative binomial's maximum is on the boundary (theta
# infinite, the Poisson fit). glm.nb stops at a large finite theta below the
# Poisson log-likelihood, so odTest's statistic is negative, and its p-value
# is then 0.5 (pchisq(d, 1, lower.tail = FALSE) / 2).
boundary_case <- function(response) {
  f <- as.formula(paste(response, "~ x1 + x2"))
  pois <- glm(f, family = poisson, data = sim, control = tight)
  nb <- suppressWarnings(eval(bquote(glm.nb(.(f), data = sim, control = tight))))
  list(
    data = paste0("counts_sim.csv: ", response, " on x1 and x2, with an intercept"),
    poisson = glm_summary(pois),
    negbin = glm_summary(nb),
    odtest = run_odtest(nb)
  )
}

out <- list(
  source = paste("tests/reference/vuong_pscl.R: pscl::vuong, pscl::odTest, pscl::zeroinfl,",
                 "pscl::hurdle, MASS::glm.nb and glm"),
  R_version = R.version.string,
  pscl_version = as.character(packageVersion("pscl")),
  MASS_version = as.character(packageVersion("MASS")),
  randhie = randhie_out,
  randhie_subset = subset_out,
  sim_nb = sim_case("y_nb"),
  sim_mild = sim_case("y_mild"),
  sim_poisson = boundary_case("y_poisson")
)
writeLines(to_json(out), file.path(here, "vuong_pscl.json"))
