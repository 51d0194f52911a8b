# Restricted wild cluster bootstrap (WCR) by brute force in base R + sandwich:
# every one of the 2^6 Rademacher draws, y* = restricted fit + restricted residual * v_g,
# refitted with lm() and unit and wave dummies, CR t-statistic from sandwich::vcovCL.
# p = share of draws with |t*| >= |t| (the symmetric p-value of boottest).
# Input: wild_bootstrap_fixture.csv (make_wild_bootstrap_fixture.py); output:
# wild_bootstrap_reference.csv. Run from tests/r: Rscript wild_bootstrap_reference.R
library(sandwich)
d <- read.csv("wild_bootstrap_fixture.csv")
d$unit <- factor(d$unit)
d$wave <- factor(d$wave)
tstat <- function(yy, null) {
  dd <- d
  dd$yy <- yy
  m <- lm(yy ~ x + unit + wave, data = dd)
  V <- vcovCL(m, cluster = dd$gov, type = "HC0", cadjust = FALSE)
  unname((coef(m)["x"] - null) / sqrt(V["x", "x"]))
}
G <- length(unique(d$gov))
draws <- as.matrix(expand.grid(rep(list(c(-1, 1)), G)))
gidx <- match(d$gov, sort(unique(d$gov)))
rows <- list()
for (null in c(-0.5, 0, 0.4, 0.7, 1.2)) {
  r <- lm(I(y - null * x) ~ unit + wave, data = d)
  fit0 <- fitted(r) + null * d$x
  u0 <- d$y - fit0
  t_obs <- tstat(d$y, null)
  t_b <- apply(draws, 1, function(v) tstat(fit0 + u0 * v[gidx], null))
  p <- mean(abs(t_b) >= abs(t_obs) * (1 - 1e-10))
  rows[[length(rows) + 1]] <- data.frame(null = null, t_stat = t_obs, p_value = p)
}
out <- do.call(rbind, rows)
write.csv(out, "wild_bootstrap_reference.csv", row.names = FALSE)
writeLines(c(R.version.string, paste("sandwich", packageVersion("sandwich"))),
           "wild_bootstrap_reference_version.txt")
print(out)
