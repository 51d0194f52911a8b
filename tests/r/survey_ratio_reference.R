# Reference values for tests/test_survey_ratio.py (ratios, one-stage cluster designs,
# calibrated means) from R's survey package and its `api` data sets.
# Run from the repository root:  Rscript tests/r/survey_ratio_reference.R
# Writes the data it uses (tests/r/api_strat.csv, api_clus1.csv, api_clus2.csv: the
# columns the tests need, names with "." as "_"; api_calibrated_weights.csv: the raked
# weights of each design), tests/r/survey_ratio_reference.csv
# (design, statistic, numerator, denominator, domain, estimate, se) and
# tests/r/survey_ratio_reference_version.txt.
suppressMessages(library(survey))
options(survey.lonely.psu = "certainty")
data(api)
keep <- c("snum", "dnum", "stype", "sch.wide", "awards", "pw", "api00", "api99",
          "api.stu", "enroll")
out_csv <- function(x, cols, file) {
  y <- x[cols]
  names(y) <- gsub(".", "_", names(y), fixed = TRUE)
  write.csv(y, file, row.names = FALSE)
}
out_csv(apistrat, c(keep, "fpc"), "tests/r/api_strat.csv")
out_csv(apiclus1, c(keep, "fpc"), "tests/r/api_clus1.csv")
out_csv(apiclus2, c(keep, "fpc1", "fpc2"), "tests/r/api_clus2.csv")

make_design <- function(dn, w = ~pw, data = NULL) {
  switch(dn,
    strat = svydesign(id = ~1, strata = ~stype, weights = w, fpc = ~fpc,
                      data = if (is.null(data)) apistrat else data),
    clus1 = svydesign(id = ~dnum, weights = w, fpc = ~fpc,
                      data = if (is.null(data)) apiclus1 else data),
    clus2 = svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, weights = w,
                      data = if (is.null(data)) apiclus2 else data))
}
designs <- sapply(c("strat", "clus1", "clus2"), make_design, simplify = FALSE)
out <- list()
add <- function(design, statistic, num, den, domain, est, se) {
  out[[length(out) + 1]] <<- data.frame(design = design, statistic = statistic,
    numerator = num, denominator = den, domain = domain, estimate = unname(est),
    se = unname(se))
}
ratios <- list(c("api.stu", "enroll"), c("api00", "api99"))
for (dn in names(designs)) {
  d <- designs[[dn]]
  for (r in ratios) {
    nf <- as.formula(paste0("~", r[1])); df <- as.formula(paste0("~", r[2]))
    s <- svyratio(nf, df, d, na.rm = TRUE)
    add(dn, "ratio", r[1], r[2], NA, coef(s), SE(s))
    g <- svyby(nf, ~stype, d, svyratio, denominator = df, na.rm = TRUE)
    add(dn, "ratio", r[1], r[2], as.character(g$stype), coef(g), SE(g))
  }
  m <- svymean(~api00, d)
  add(dn, "mean", "api00", NA, NA, coef(m), SE(m))
  g <- svyby(~api00, ~stype, d, svymean)
  add(dn, "mean", "api00", NA, as.character(g$stype), coef(g), SE(g))
}
# The project's own fixture (tests/r/survey_fixture.csv): strata = governments, units,
# respondents, weights varying within units, missing answers, a lonely respondent.
x <- read.csv("tests/r/survey_fixture.csv", colClasses = c(gov_code = "character"))
fixture_designs <- list(
  fixture_two_stage = svydesign(ids = ~unit_code + id, strata = ~gov_code, fpc = ~M + N,
                                weights = ~w, data = x, nest = TRUE),
  fixture_one_stage = svydesign(ids = ~unit_code, strata = ~gov_code, fpc = ~M,
                                weights = ~w, data = x, nest = TRUE)
)
for (dn in names(fixture_designs)) {
  d <- fixture_designs[[dn]]
  s <- svyratio(~BP1, ~AK1, d, na.rm = TRUE)
  add(dn, "ratio", "BP1", "AK1", NA, coef(s), SE(s))
  g <- svyby(~BP1, ~gov_code, d, svyratio, denominator = ~AK1, na.rm = TRUE)
  add(dn, "ratio", "BP1", "AK1", g$gov_code, coef(g), SE(g))
  m <- svymean(~KB3, d, na.rm = TRUE)
  add(dn, "mean", "KB3", NA, NA, coef(m), SE(m))
  g <- svyby(~KB3, ~gov_code, d, svymean, na.rm = TRUE)
  add(dn, "mean", "KB3", NA, g$gov_code, coef(g), SE(g))
}

# Calibration (raking) to population margins of school type and sch.wide: the
# linearisation variance uses residuals of the design-weighted regression on the
# margins' dummies (calibrate(calfun = "raking")); rake() approximates the same by ten
# rounds of unweighted backfitting (reported for comparison).
pop <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, sch.wideYes = 5122)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
calw <- list()
for (dn in c("strat", "clus1", "clus2")) {
  d <- designs[[dn]]
  cal <- calibrate(d, ~stype + sch.wide, pop, calfun = "raking", epsilon = 1e-12, maxit = 200)
  calw[[dn]] <- data.frame(design = dn, snum = d$variables$snum, w_cal = weights(cal))
  m <- svymean(~api00, cal)
  add(dn, "calibrated_mean", "api00", NA, NA, coef(m), SE(m))
  g <- svyby(~api00, ~stype, cal, svymean)
  add(dn, "calibrated_mean", "api00", NA, as.character(g$stype), coef(g), SE(g))
  rk <- rake(d, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
             control = list(maxit = 200, epsilon = 1e-12))
  m <- svymean(~api00, rk)
  add(dn, "raked_mean_rake", "api00", NA, NA, coef(m), SE(m))
  # the same calibrated weights taken as fixed design weights (the old SE)
  fixed <- make_design(dn, ~w, transform(d$variables, w = weights(cal)))
  m <- svymean(~api00, fixed)
  add(dn, "calibrated_weights_as_fixed", "api00", NA, NA, coef(m), SE(m))
}
write.csv(do.call(rbind, calw), "tests/r/api_calibrated_weights.csv", row.names = FALSE)
res <- do.call(rbind, out)
write.csv(res, "tests/r/survey_ratio_reference.csv", row.names = FALSE)
writeLines(c(R.version.string, paste("survey", packageVersion("survey"))),
           "tests/r/survey_ratio_reference_version.txt")
