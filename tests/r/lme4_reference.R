# Reference numbers for tests/models/test_multilevel.py, from lme4 (REML).
# Input: tests/r/multilevel_fixture.csv (written by tests/r/make_multilevel_fixture.py).
# Run from the repository root:  Rscript tests/r/lme4_reference.R
# Output: tests/r/lme4_reference_fixed.csv, lme4_reference_variance.csv, lme4_reference_ranef.csv
suppressPackageStartupMessages(library(lme4))
d <- read.csv("tests/r/multilevel_fixture.csv", stringsAsFactors = TRUE)
ctrl <- lmerControl(optimizer = "nloptwrap",
                    optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 1e-12, maxeval = 1e5))
fits <- list(
  single = lmer(y ~ x1 + x2 + (1 | unit), data = d, REML = TRUE, control = ctrl),
  nested = lmer(y ~ x1 + x2 + (1 | gov/unit), data = d, REML = TRUE, control = ctrl)
)
fixed <- do.call(rbind, lapply(names(fits), function(m) {
  s <- coef(summary(fits[[m]]))
  data.frame(model = m, term = rownames(s), estimate = s[, "Estimate"], se = s[, "Std. Error"])
}))
fixed$term[fixed$term == "(Intercept)"] <- "Intercept"
variance <- do.call(rbind, lapply(names(fits), function(m) {
  vc <- as.data.frame(VarCorr(fits[[m]]))
  rbind(data.frame(model = m, component = vc$grp, estimate = vc$vcov),
        data.frame(model = m, component = "REMLcrit", estimate = REMLcrit(fits[[m]])))
}))
re <- ranef(fits$single, condVar = TRUE)$unit
ranef_tab <- data.frame(unit = rownames(re), estimate = re[, 1],
                        se = sqrt(attr(re, "postVar")[1, 1, ]))
opt <- options(digits = 17)
write.csv(fixed, "tests/r/lme4_reference_fixed.csv", row.names = FALSE)
write.csv(variance, "tests/r/lme4_reference_variance.csv", row.names = FALSE)
write.csv(ranef_tab, "tests/r/lme4_reference_ranef.csv", row.names = FALSE)
writeLines(capture.output(sessionInfo())[1:3], "tests/r/lme4_reference_session.txt")
writeLines(paste("lme4", packageVersion("lme4")), "tests/r/lme4_reference_version.txt")
