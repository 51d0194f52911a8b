# Reference values for tests/test_survey.py from R's survey package.
# Run from the repository root:  Rscript tests/r/survey_reference.R
# Input: tests/r/survey_fixture.csv (written by tests/r/make_survey_fixture.py).
# Output: tests/r/survey_reference.csv (design, level, gov_code, unit_code, variable, estimate, se).
# Scores are computed here independently of the Python code:
#   BP1_fav  = 100 * (BP1 >= 4); AD2_mean = (AD2 - 1) / 4 * 100
#   value score  = mean of the value's answered items (mean scoring), overall = mean of value scores
#   overall_fav  = same with favourable item scores.
suppressMessages(library(survey))
options(survey.lonely.psu = "certainty")
x <- read.csv("tests/r/survey_fixture.csv", colClasses = c(gov_code = "character"))
items <- c(paste0("BP", 1:3), paste0("AK", 1:3), paste0("KP", 1:3), paste0("HM", 1:3),
           paste0("LY", 1:3), paste0("AD", 1:3), paste0("KB", 1:3))
vals <- c("BP", "AK", "KP", "HM", "LY", "AD", "KB")
fav <- 100 * (as.matrix(x[items]) >= 4)
mn <- (as.matrix(x[items]) - 1) / 4 * 100
vscore <- function(m) sapply(vals, function(v) rowMeans(m[, paste0(v, 1:3), drop = FALSE], na.rm = TRUE))
vf <- vscore(fav); vm <- vscore(mn)
vf[is.nan(vf)] <- NA; vm[is.nan(vm)] <- NA
x$BP1_fav <- fav[, "BP1"]
x$AD2_mean <- mn[, "AD2"]
x$AD_fav <- vf[, "AD"]
x$overall_fav <- rowMeans(vf, na.rm = TRUE)
x$overall_mean <- rowMeans(vm, na.rm = TRUE)
vars <- c("BP1_fav", "AD2_mean", "AD_fav", "overall_fav", "overall_mean")

designs <- list(
  two_stage = svydesign(ids = ~unit_code + id, strata = ~gov_code, fpc = ~M + N,
                        weights = ~w, data = x, nest = TRUE),
  ultimate_cluster = svydesign(ids = ~unit_code, strata = ~gov_code, weights = ~w,
                               data = x, nest = TRUE)
)
out <- list()
for (dn in names(designs)) {
  d <- designs[[dn]]
  for (v in vars) {
    f <- as.formula(paste0("~", v))
    nat <- svymean(f, d, na.rm = TRUE)
    out[[length(out) + 1]] <- data.frame(design = dn, level = "national", gov_code = NA,
      unit_code = NA, variable = v, estimate = coef(nat)[[1]], se = SE(nat)[[1]])
    g <- svyby(f, ~gov_code, d, svymean, na.rm = TRUE)
    out[[length(out) + 1]] <- data.frame(design = dn, level = "government",
      gov_code = g$gov_code, unit_code = NA, variable = v, estimate = g[[v]], se = SE(g))
  }
}
# Unit level: the unit is fixed, respondents a sample of its headcount.
for (u in unique(x$unit_code)) {
  xu <- x[x$unit_code == u, ]
  if (nrow(xu) < 2) next
  du <- svydesign(ids = ~1, fpc = ~N, weights = ~w, data = xu)
  for (v in vars) {
    if (all(is.na(xu[[v]]))) next
    m <- svymean(as.formula(paste0("~", v)), du, na.rm = TRUE)
    out[[length(out) + 1]] <- data.frame(design = "two_stage", level = "unit",
      gov_code = xu$gov_code[1], unit_code = u, variable = v, estimate = coef(m)[[1]], se = SE(m)[[1]])
  }
}
res <- do.call(rbind, out)
write.csv(res, "tests/r/survey_reference.csv", row.names = FALSE)
writeLines(c(R.version.string, paste("survey", packageVersion("survey"))),
           "tests/r/survey_reference_version.txt")
