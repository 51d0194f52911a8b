# Profile-likelihood intervals of nested (and random-slope) variance components, for
# tests/models/test_multilevel.py.
# Input: tests/r/multilevel_nested_fixture.csv (written by tests/r/make_multilevel_nested_fixture.py).
# Run from the repository root:  Rscript tests/r/multilevel_nested_reference.R  (about 13 minutes on one core)
# Output: tests/r/multilevel_nested_reference.csv, one row per model, fit, profiled criterion and
# component: the estimate and the 95 % profile interval on the variance scale (squared sd
# limits of confint(profile(fit))), the fit's deviance (REMLcrit for REML) and the lme4 version.
#
# model = "nested": y ~ x1 + x2 + (1 | gov) + (1 | gov:unit);
#         "slope":  y_slope ~ x1 + x2 + (1 + x1 | unit) (the correlation is profiled over, not kept).
# fit = "ML" or "REML" (lmer's REML argument); profile = the criterion profiled.
# lme4's profile() refits a REML model by ML (devfun2 calls refitML), so confint(profile())
# of the REML fit (profile = "ML") equals the ML fit's. berakhlak_research profiles the fit's
# own criterion (REML for REML fits, as its fast path), so for profile = "REML" this script
# swaps devfun2 for a copy that returns the REML criterion at (theta, sigma) and keeps the REML
# fit, then runs lme4's own profiling and spline inversion unchanged.
# A fine profile grid (delta = 0.01) keeps the spline error below ~1e-6.
suppressPackageStartupMessages(library(lme4))
d <- read.csv("tests/r/multilevel_nested_fixture.csv", stringsAsFactors = TRUE)
ctrl <- lmerControl(optimizer = "nloptwrap",
                    optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 1e-12, maxeval = 1e5))
forms <- list(nested = y ~ x1 + x2 + (1 | gov) + (1 | gov:unit),
              slope = y_slope ~ x1 + x2 + (1 + x1 | unit))

# lme4:::devfun2 (lme4 1.1-31, LMM branch) with the REML criterion and without refitML:
# REMLcrit(theta, sigma) = log|L|^2 + log|RX|^2 + pwrss / sigma^2 + (n - p) log(2 pi sigma^2).
devfun2_reml <- function(fm, useSc = TRUE, transfuns = list(from.chol = lme4:::Cv_to_Sv,
                         to.chol = lme4:::Sv_to_Cv, to.sd = identity), ...) {
  stopifnot(isLMM(fm), isREML(fm), all(fm@resp$weights == 1))
  vlist <- lengths(fm@cnms)
  pp <- fm@pp$copy()
  resp <- fm@resp$copy()
  opt <- transfuns$from.chol(pp$theta, n = vlist, s = sigma(fm))
  names(opt) <- lme4:::profnames(fm, useSc = useSc, ...)
  opt <- c(opt, fixef(fm))
  np <- length(pp$theta) + 1L
  n <- nrow(pp$V)
  p <- ncol(pp$X)
  ans <- function(pars) {
    sigma <- transfuns$to.sd(pars[np])
    thpars <- transfuns$to.chol(pars, n = vlist, s = sigma)
    .Call(lme4:::lmer_Deviance, pp$ptr(), resp$ptr(), thpars)
    sigsq <- sigma^2
    pp$ldL2() + pp$ldRX2() + (resp$wrss() + pp$sqrL(1)) / sigsq + (n - p) * log(2 * pi * sigsq)
  }
  attr(ans, "optimum") <- opt
  attr(ans, "basedev") <- REMLcrit(fm)
  attr(ans, "thopt") <- pp$theta
  attr(ans, "stderr") <- unname(coef(summary(fm))[, 2])
  class(ans) <- "devfun"
  ans
}

# Profile names (signames = TRUE) to berakhlak_research's variance rows.
component <- function(nm) {
  nm <- sub("^sd_\\(Intercept\\)\\|", "", nm)
  nm <- sub("^sd_(.*)\\|(.*)$", "\\2:slope:\\1", nm)
  ifelse(nm == "sigma", "residual", nm)
}

profile_ci <- function(f) {
  # signames = FALSE names the rows "sd_(Intercept)|gov", "cor_...", "sigma".
  pr <- suppressWarnings(profile(f, which = "theta_", signames = FALSE, delta = 0.01,
                                 maxpts = 400))
  ci <- confint(pr, level = 0.95)
  ci <- ci[grepl("^(sd_|sigma$)", rownames(ci)), , drop = FALSE]^2
  ci[is.na(ci[, 1]), 1] <- 0  # a profile that reaches sd = 0 has no lower crossing
  ci
}

estimates <- function(f) {
  vc <- VarCorr(f)
  est <- unlist(lapply(names(vc), function(g) {
    sd <- attr(vc[[g]], "stddev")
    setNames(sd^2, ifelse(names(sd) == "(Intercept)", g, paste0(g, ":slope:", names(sd))))
  }))
  c(est, residual = sigma(f)^2)
}

rows <- list()
ml_devfun2 <- lme4:::devfun2
for (model in names(forms)) {
  for (fit in c("ML", "REML")) {
    f <- lmer(forms[[model]], data = d, REML = fit == "REML", control = ctrl)
    est <- estimates(f)
    for (crit in if (fit == "REML") c("ML", "REML") else "ML") {
      if (crit == "REML") assignInNamespace("devfun2", devfun2_reml, "lme4")
      ci <- profile_ci(f)
      assignInNamespace("devfun2", ml_devfun2, "lme4")
      comp <- component(rownames(ci))
      rows[[length(rows) + 1]] <- data.frame(
        model = model, fit = fit, profile = crit, component = comp, estimate = est[comp],
        ci_low = ci[, 1], ci_high = ci[, 2],
        deviance = if (fit == "REML") REMLcrit(f) else deviance(f),
        lme4 = as.character(packageVersion("lme4")))
    }
  }
}
out <- do.call(rbind, rows)
opt <- options(digits = 17)
write.csv(out, "tests/r/multilevel_nested_reference.csv", row.names = FALSE)
