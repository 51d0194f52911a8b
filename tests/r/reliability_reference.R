# Reference values for tests/psychometrics/test_reliability.py from R's psych, lavaan, semTools.
# Run from the repository root:  Rscript tests/r/reliability_reference.R
# Input:  tests/r/reliability_items.csv (written by tests/r/make_reliability_fixture.py).
# Output: tests/r/reliability_reference.csv (set, missing, statistic, value) and
#         tests/r/reliability_reference_version.txt.
# * alpha: psych::alpha(x) (its default use = "pairwise") and psych::alpha(na.omit(x))
#   ("listwise"): raw_alpha, ase, Feldt interval ($feldt), r.drop per item.
# * omega: lavaan cfa("f =~ ...", std.lv = TRUE) on the listwise rows, then
#   semTools::compRelSEM (default, obs.var = TRUE) and compRelSEM(obs.var = FALSE), and
#   the hand formula (sum lambda)^2 / ((sum lambda)^2 + sum theta).
suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
  library(semTools)
})
d <- read.csv("tests/r/reliability_items.csv")
k_of <- c(few_rows = 11, negative = 3, missing = 6)
out <- list()
add <- function(set, missing, statistic, value) {
  out[[length(out) + 1]] <<- data.frame(set = set, missing = missing, statistic = statistic,
                                        value = unname(value))
}
for (s in names(k_of)) {
  x <- d[d$set == s, paste0("i", seq_len(k_of[[s]]))]
  for (mode in c("pairwise", "listwise")) {
    xx <- if (mode == "listwise") na.omit(x) else x
    a <- suppressWarnings(psych::alpha(xx, warnings = FALSE))
    add(s, mode, "alpha", a$total$raw_alpha)
    add(s, mode, "se", a$total$ase)
    add(s, mode, "ci_low", a$feldt$lower.ci)
    add(s, mode, "ci_high", a$feldt$upper.ci)
    add(s, mode, "n", nrow(xx))
    for (j in seq_along(a$item.stats$r.drop)) {
      add(s, mode, paste0("r_drop_i", j), a$item.stats$r.drop[j])
    }
  }
}
# omega of the 3- and 6-item scales (listwise rows)
omega_rows <- function(s) {
  x <- na.omit(d[d$set == s, paste0("i", seq_len(k_of[[s]]))])
  model <- paste("f =~", paste(colnames(x), collapse = " + "))
  fit <- cfa(model, data = x, std.lv = TRUE, estimator = "ML")
  pe <- parameterEstimates(fit)
  lam <- pe$est[pe$op == "=~"]
  th <- pe$est[pe$op == "~~" & pe$lhs %in% colnames(x) & pe$lhs == pe$rhs]
  add(s, "listwise", "omega_formula", sum(lam)^2 / (sum(lam)^2 + sum(th)))
  add(s, "listwise", "compRelSEM", compRelSEM(fit)[["f"]])
  add(s, "listwise", "compRelSEM_obs_var_false", compRelSEM(fit, obs.var = FALSE)[["f"]])
}
omega_rows("missing")
# a 3-item scale with positive covariances: items 1-3 of the "missing" set
d3 <- d[d$set == "missing", ]
d3$set <- "missing3"
d <- rbind(d, d3)
k_of[["missing3"]] <- 3
omega_rows("missing3")
res <- do.call(rbind, out)
write.csv(res, "tests/r/reliability_reference.csv", row.names = FALSE)
writeLines(c(R.version.string, paste("psych", packageVersion("psych")),
             paste("lavaan", packageVersion("lavaan")),
             paste("semTools", packageVersion("semTools"))),
           "tests/r/reliability_reference_version.txt")
