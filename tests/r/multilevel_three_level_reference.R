# Three nested random intercepts (teams in units in governments), for tests/test_multilevel.py.
# Input: tests/r/multilevel_three_level_fixture.csv (tests/test_multilevel.py::_small_nested(5,
# tau_gov=0.6, n_gov=8) with team = row number %% 2, written by pandas to_csv).
# Run from the repository root:  Rscript tests/r/multilevel_three_level_reference.R  (a second)
# Output: tests/r/multilevel_three_level_reference.csv: per fit (ML, REML) the fixed effects, the
# variance components and the criterion (deviance for ML, REMLcrit for REML), and lme4's version.
# The team variance is at its boundary (singular fit): statsmodels' MixedLM stops at an interior
# point with a criterion about 1 higher; lme4 and the fast path agree.
suppressPackageStartupMessages(library(lme4))
d <- read.csv("tests/r/multilevel_three_level_fixture.csv")
ctrl <- lmerControl(optimizer = "nloptwrap", check.conv.singular = "ignore",
                    optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 1e-12, maxeval = 1e5))
rows <- list()
for (reml in c(FALSE, TRUE)) {
  m <- lmer(y ~ x1 + (1 | gov) + (1 | gov:unit) + (1 | gov:unit:team), d, REML = reml, control = ctrl)
  fit <- if (reml) "REML" else "ML"
  crit <- if (reml) REMLcrit(m) else deviance(m)
  vc <- as.data.frame(VarCorr(m))
  rows[[length(rows) + 1]] <- data.frame(fit = fit, kind = "variance", name = vc$grp,
                                         value = vc$vcov, se = NA)
  cf <- coef(summary(m))
  rows[[length(rows) + 1]] <- data.frame(fit = fit, kind = "fixed", name = rownames(cf),
                                         value = cf[, 1], se = cf[, 2])
  rows[[length(rows) + 1]] <- data.frame(fit = fit, kind = "criterion", name = "criterion",
                                         value = crit, se = NA)
}
out <- do.call(rbind, rows)
out$lme4 <- as.character(packageVersion("lme4"))
write.csv(out, "tests/r/multilevel_three_level_reference.csv", row.names = FALSE)
