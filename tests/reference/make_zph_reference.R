# Reference values of R's proportional-hazards test, survival::cox.zph, for
# tests/survival/test_zph.py: the score tests of adding g(t) x per covariate and
# globally (terms = FALSE), the scaled Schoenfeld residuals, their times and
# transformed times, for the transforms "km", "rank", "identity" and "log", on
# fits with Efron's and Breslow's ties, with and without strata, on the rows
# repeated by their weights and with the weights themselves (Breslow). The data
# are simulated here: x1's effect changes sign at t = 4 (non-proportional
# hazards), x2 and x3 have proportional effects, x3 is 0 throughout stratum 2
# (so R leaves its residuals there out), times are rounded up to integers (many
# ties), integer weights 1 to 3. Run from the repository root:
#     Rscript tests/reference/make_zph_reference.R
# It writes tests/reference/zph_r.json.
suppressPackageStartupMessages(library(survival))

set.seed(20240705)
n <- 300
data <- data.frame(
  x1 = round(rnorm(n), 3),
  x2 = round(runif(n, -1, 1), 3),
  x3 = rbinom(n, 1, 0.5),
  stratum = sample(0:2, n, replace = TRUE),
  weight = as.numeric(sample(1:3, n, replace = TRUE))
)
data$x3[data$stratum == 2] <- 0
rest <- 0.5 * data$x2 - 0.5 * data$x3
rate <- c(0.10, 0.15, 0.22)[data$stratum + 1]
early <- rate * exp(1.0 * data$x1 + rest)
late <- rate * exp(-0.6 * data$x1 + rest)
change <- 4
draw <- rexp(n)
latent <- ifelse(draw < early * change, draw / early, change + (draw - early * change) / late)
censor <- rexp(n, 0.05)
data$time <- pmax(ceiling(pmin(latent, censor)), 1)
data$event <- as.integer(latent <= censor)
data$row <- seq_len(n) - 1L
expanded <- data[rep(seq_len(n), data$weight), ]

fml <- Surv(time, event) ~ x1 + x2 + x3
fml_strata <- Surv(time, event) ~ x1 + x2 + x3 + strata(stratum)
fits <- list()
for (ties in c("efron", "breslow")) {
  fits[[ties]] <- list(coxph(fml, data, ties = ties), data)
  fits[[paste0(ties, "_strata")]] <- list(coxph(fml_strata, data, ties = ties), data)
  fits[[paste0(ties, "_expanded_strata")]] <- list(coxph(fml_strata, expanded, ties = ties), expanded)
}
fits[["breslow_weights"]] <- list(coxph(fml, data, ties = "breslow", weights = weight), data)
transforms <- c("km", "rank", "identity", "log")

numbers <- function(x) {
  text <- ifelse(is.na(as.vector(x)), "null", sprintf("%.17g", as.vector(x)))
  paste0("[", paste(text, collapse = ", "), "]")
}
field <- function(name, value, indent = "    ") paste0(indent, '"', name, '": ', value)

# The source row of each residual: cox.zph orders the events by stratum, then
# time, then row (order() is stable).
source_rows <- function(zph, frame) {
  stratum <- if (is.null(zph$strata)) rep(0, nrow(frame)) else frame$stratum
  ord <- order(stratum, frame$time)
  ord <- ord[frame$event[ord] == 1]
  frame$row[ord]
}

entry <- function(name) {
  fit <- fits[[name]][[1]]
  frame <- fits[[name]][[2]]
  zph <- lapply(transforms, function(tr) cox.zph(fit, transform = tr, terms = FALSE))
  names(zph) <- transforms
  lines <- c(
    field("coefficients", numbers(coef(fit))),
    field("loglik", numbers(fit$loglik)),
    field("rows", numbers(source_rows(zph$km, frame))),
    field("time", numbers(zph$km$time)),
    field("strata", numbers(if (is.null(zph$km$strata)) 0 else as.integer(zph$km$strata) - 1)),
    field("scaled_residuals", numbers(t(zph$km$y))),
    field("var", numbers(zph$km$var))
  )
  for (tr in transforms) {
    stopifnot(identical(zph[[tr]]$y, zph$km$y))
    lines <- c(
      lines,
      field(paste0(tr, "_table"), numbers(t(zph[[tr]]$table))),
      field(paste0(tr, "_x"), numbers(zph[[tr]]$x))
    )
  }
  paste0('  "', name, '": {\n', paste(lines, collapse = ",\n"), "\n  }")
}

columns <- c("x1", "x2", "x3", "stratum", "weight", "time", "event")
data_entry <- paste0(
  '  "data": {\n',
  paste(sapply(columns, function(col) field(col, numbers(data[[col]]))), collapse = ",\n"),
  "\n  }"
)
header <- paste0(
  '  "source": "tests/reference/make_zph_reference.R",\n',
  '  "R": "', R.version.string, '",\n',
  '  "survival": "', as.character(packageVersion("survival")), '",\n',
  '  "note": "cox.zph(fit, transform, terms = FALSE); *_table is row-major (x1, x2, x3, ',
  'GLOBAL) x (chisq, df, p); scaled_residuals row-major (events, 3), null where R gives NA; ',
  'rows is the 0-based row of data behind each residual; the *_expanded_strata fits are on ',
  'the rows repeated weight times"'
)
body <- sapply(names(fits), entry)
writeLines(
  c("{", paste0(header, ","), paste0(data_entry, ","), paste(body, collapse = ",\n"), "}"),
  file.path("tests", "reference", "zph_r.json")
)
