# Profile-likelihood intervals of the variance components, for tests/models/test_multilevel.py.
# Input: tests/r/multilevel_fixture.csv. Run from the repository root:
#   Rscript tests/r/lme4_profile_reference.R
# Output: tests/r/lme4_profile_reference.csv (variance scale: the squared sd limits).
# lme4 profiles the ML deviance (a REML fit gives the same limits), so the reference
# is for ML fits; a fine profile grid (delta = 0.01) keeps the spline error below 1e-6.
suppressPackageStartupMessages(library(lme4))
d <- read.csv("tests/r/multilevel_fixture.csv", stringsAsFactors = TRUE)
ctrl <- lmerControl(optimizer = "nloptwrap",
                    optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 1e-12, maxeval = 1e5))
out <- do.call(rbind, lapply(c("unit", "gov"), function(g) {
  f <- lmer(as.formula(paste0("y ~ x1 + x2 + (1 | ", g, ")")), data = d, REML = FALSE,
            control = ctrl)
  pr <- suppressWarnings(profile(f, which = "theta_", signames = FALSE, delta = 0.01,
                                 maxpts = 400))
  ci <- confint(pr, level = 0.95)^2
  data.frame(model = g, component = c(g, "residual"), ci_low = ci[, 1], ci_high = ci[, 2])
}))
opt <- options(digits = 17)
write.csv(out, "tests/r/lme4_profile_reference.csv", row.names = FALSE)
