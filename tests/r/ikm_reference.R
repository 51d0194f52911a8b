# Reference IKM values and linearisation SEs for tests/indices/test_ikm.py, from R's survey.
# Run from the repository root:  Rscript tests/r/ikm_reference.R
# Input: tests/r/ikm_fixture.csv (tests/r/make_survey_fixture.py). Output: tests/r/ikm_reference.csv.
# IKM (converted) = 25/9 * sum_u NRR_u, NRR_u = total_u / answered_u (missing answers excluded
# per element): a nonlinear function of totals, linearised by svycontrast.
suppressMessages(library(survey))
x <- read.csv("tests/r/ikm_fixture.csv", colClasses = c(gov_code = "character"))
for (i in 1:9) {
  u <- x[[paste0("U", i)]]
  x[[paste0("y", i)]] <- ifelse(is.na(u), 0, u)
  x[[paste0("a", i)]] <- as.numeric(!is.na(u))
}
f <- as.formula(paste("~", paste(c(paste0("y", 1:9), paste0("a", 1:9)), collapse = "+")))
ikm_expr <- parse(text = paste0("25/9*(", paste0("y", 1:9, "/a", 1:9, collapse = "+"), ")"))[[1]]
est <- function(d) {
  r <- svycontrast(svytotal(f, d), list(ikm = ikm_expr))
  c(coef(r)[[1]], SE(r)[[1]])
}
out <- list()
for (u in unique(x$unit_code)) {  # unit: respondents independent
  xu <- x[x$unit_code == u, ]
  e <- est(svydesign(ids = ~1, data = xu))
  out[[length(out) + 1]] <- data.frame(level = "unit", gov_code = xu$gov_code[1], unit_code = u,
                                       estimate = e[1], se = e[2])
}
for (g in unique(x$gov_code)) {  # government: respondents clustered in units
  xg <- x[x$gov_code == g, ]
  if (length(unique(xg$unit_code)) < 2) next
  e <- est(svydesign(ids = ~unit_code, data = xg))
  out[[length(out) + 1]] <- data.frame(level = "government", gov_code = g, unit_code = NA,
                                       estimate = e[1], se = e[2])
}
write.csv(do.call(rbind, out), "tests/r/ikm_reference.csv", row.names = FALSE)
