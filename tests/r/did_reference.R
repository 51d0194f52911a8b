# Reference numbers for tests/models/did/test_did.py, from base R + sandwich (R's `did`
# and `fixest` packages are not in Debian, so the group-time estimates are
# recomputed here independently with plain loops over cells, as the
# definitions in Callaway and Sant'Anna (2021) read).
#
# Input : tests/r/did_panel.csv (tests/r/make_did_fixture.py)
# Output: tests/r/did_reference.csv, tests/r/did_reference_version.txt
# Run   : Rscript tests/r/did_reference.R   (from the repository root)
suppressPackageStartupMessages(library(sandwich))

d <- read.csv("tests/r/did_panel.csv", colClasses = c(gov_code = "character"))
d$unit <- factor(d$unit_code)
d$time <- factor(d$wave)
out <- list()
add <- function(quantity, estimate, se, cohort = NA, time = NA, event_time = NA) {
  out[[length(out) + 1]] <<- data.frame(quantity = quantity, cohort = cohort, time = time,
                                        event_time = event_time, estimate = estimate, se = se)
}

# ---- static TWFE, standard errors clustered by government -------------------------------
fit <- lm(y ~ treated + unit + time, data = d)
n <- nrow(d)
G <- length(unique(d$gov_code))
v_full <- vcovCL(fit, cluster = ~gov_code, type = "HC1")          # K = all dummies
v_hc0 <- vcovCL(fit, cluster = ~gov_code, type = "HC0", cadjust = TRUE)  # G/(G-1) only
k_nested <- 1 + nlevels(d$time)    # treated + intercept + (T-1) time dummies
v_nested <- v_hc0 * (n - 1) / (n - k_nested)
add("twfe_full", coef(fit)[["treated"]], sqrt(v_full["treated", "treated"]))
add("twfe_nested", coef(fit)[["treated"]], sqrt(v_nested["treated", "treated"]))

# ---- TWFE event study (reference -1), clustered by government ---------------------------
rel <- ifelse(d$first_treated > 0, d$wave - d$first_treated, NA)
es_levels <- sort(setdiff(unique(rel[!is.na(rel)]), -1))
for (e in es_levels) d[[paste0("e", ifelse(e < 0, paste0("m", -e), e))]] <- as.numeric(!is.na(rel) & rel == e)
enames <- paste0("e", ifelse(es_levels < 0, paste0("m", -es_levels), es_levels))
fes <- lm(as.formula(paste("y ~", paste(enames, collapse = " + "), "+ unit + time")), data = d)
ves <- vcovCL(fes, cluster = ~gov_code, type = "HC0", cadjust = TRUE) *
  (n - 1) / (n - (length(enames) + nlevels(d$time)))
for (i in seq_along(es_levels)) {
  add("event_study", coef(fes)[[enames[i]]], sqrt(ves[enames[i], enames[i]]), event_time = es_levels[i])
}

# ---- group-time ATT (never-treated and not-yet-treated comparisons), loops -------------
periods <- sort(unique(d$wave))
units <- unique(d$unit_code)
Y <- tapply(d$y, list(d$unit_code, d$wave), identity)[units, as.character(periods)]
G_unit <- tapply(d$first_treated, d$unit_code, function(x) x[1])[units]
gov <- tapply(d$gov_code, d$unit_code, function(x) x[1])[units]
N <- length(units)
for (control in c("never", "notyet")) {
  att <- c(); inf <- NULL; cg <- c(); ct <- c()
  for (g in sort(unique(G_unit[G_unit > 0]))) {
    b <- max(which(periods < g))
    for (j in seq_along(periods)) {
      if (periods[j] >= g) base <- b else if (j >= 2) base <- j - 1 else next
      dy <- Y[, j] - Y[, base]
      tr <- G_unit == g
      if (control == "never") {
        cc <- G_unit == 0
      } else {
        cc <- G_unit == 0 | (G_unit > periods[max(j, base)] & G_unit != g)
      }
      m1 <- mean(dy[tr]); m0 <- mean(dy[cc])
      psi <- numeric(N)
      psi[tr] <- N / sum(tr) * (dy[tr] - m1)
      psi[cc] <- -N / sum(cc) * (dy[cc] - m0)
      # analytic SE, influence functions summed within governments, with the
      # small-sample factor sqrt(G / (G - 1)) for G governments
      psi_g <- tapply(psi, gov, sum)
      se <- sqrt(sum(psi_g^2)) / N * sqrt(G / (G - 1))
      add(paste0("att_gt_", control), m1 - m0, se, cohort = g, time = periods[j],
          event_time = periods[j] - g)
      att <- c(att, m1 - m0); inf <- cbind(inf, psi); cg <- c(cg, g); ct <- c(ct, periods[j])
    }
  }
  # simple aggregation: post cells weighted by cohort share, plus the weights' influence
  post <- ct >= cg
  pg <- sapply(cg, function(g) mean(G_unit == g))
  w <- pg[post] / sum(pg[post])
  keep_g <- cg[post]
  ind <- sapply(keep_g, function(g) as.numeric(G_unit == g))
  if1 <- sweep(ind, 2, pg[post]) / sum(pg[post])
  if2 <- rowSums(sweep(ind, 2, pg[post])) %*% t(pg[post] / sum(pg[post])^2)
  inf_simple <- inf[, post] %*% w + (if1 - if2) %*% att[post]
  se_simple <- sqrt(sum(tapply(inf_simple, gov, sum)^2)) / N * sqrt(G / (G - 1))
  add(paste0("att_simple_", control), sum(w * att[post]), se_simple)
}

res <- do.call(rbind, out)
write.csv(res, "tests/r/did_reference.csv", row.names = FALSE)
writeLines(c(R.version.string, paste("sandwich", packageVersion("sandwich"))),
           "tests/r/did_reference_version.txt")
