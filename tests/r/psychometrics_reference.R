# Reference values for tests/psychometrics/test_psychometrics.py, from R's psych and lavaan.
#
# Run from the repository root:
#   Rscript tests/r/psychometrics_reference.R
# Reads  tests/r/psychometrics_items.csv   (written by tests/r/psychometrics_fixture.py)
# Writes tests/r/psychometrics_reference.json
#
# Conventions matched by berakhlak_research.psychometrics:
# * alpha: psych::alpha on the listwise-complete rows of the value's three items
#   (raw_alpha; "ase" = Duhachek's asymptotic SE; Feldt interval = psych's $feldt).
# * item-total: psych::alpha()$item.stats$r.drop (corrected item-total correlation).
# * omega: McDonald's omega total from a one-factor lavaan ML fit on the covariance
#   matrix, (sum lambda)^2 / ((sum lambda)^2 + sum theta).
# * polychoric: lavaan::lavCor(ordered = items) on listwise-complete rows; the CFA on it is
#   lavaan::cfa(sample.cov = <polychoric matrix>, std.lv = TRUE) (point estimates only).
# * CFA: lavaan::cfa(std.lv = TRUE, estimator = "ML", missing = "listwise"), fitMeasures
#   and standardizedSolution (type "std.all", expected-information delta-method SEs).
suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
  library(jsonlite)
})

d <- read.csv("tests/r/psychometrics_items.csv", colClasses = c(gov_code = "character"))
values <- c("BP", "AK", "KP", "HM", "LY", "AD", "KB")
items_of <- function(v) paste0(v, 1:3)
all_items <- unlist(lapply(values, items_of))

groups <- list(list(gov_code = NA, wave = NA, rows = rep(TRUE, nrow(d))))
for (w in sort(unique(d$wave))) {
  groups[[length(groups) + 1]] <- list(gov_code = NA, wave = w, rows = d$wave == w)
  for (g in sort(unique(d$gov_code))) {
    groups[[length(groups) + 1]] <- list(gov_code = g, wave = w,
                                         rows = d$wave == w & d$gov_code == g)
  }
}

omega_lavaan <- function(x) {
  nm <- colnames(x)
  model <- paste("f =~", paste(nm, collapse = " + "))
  fit <- cfa(model, data = x, std.lv = TRUE, estimator = "ML")
  pe <- parameterEstimates(fit)
  lam <- pe$est[pe$op == "=~"]
  th <- pe$est[pe$op == "~~" & pe$lhs %in% nm & pe$lhs == pe$rhs]
  sum(lam)^2 / (sum(lam)^2 + sum(th))
}

rel <- list()
itt <- list()
for (g in groups) {
  for (v in values) {
    x <- na.omit(d[g$rows, items_of(v)])
    a <- psych::alpha(x, warnings = FALSE)
    rel[[length(rel) + 1]] <- data.frame(
      gov_code = g$gov_code, wave = g$wave, value = v,
      alpha = a$total$raw_alpha, alpha_se = a$total$ase,
      alpha_ci_low = unname(a$feldt$lower.ci), alpha_ci_high = unname(a$feldt$upper.ci),
      omega = omega_lavaan(x), n = nrow(x)
    )
    itt[[length(itt) + 1]] <- data.frame(
      gov_code = g$gov_code, wave = g$wave, value = v, behaviour = items_of(v),
      r_corrected = a$item.stats$r.drop, n = nrow(x)
    )
  }
}
rel <- do.call(rbind, rel)
itt <- do.call(rbind, itt)

# Omega of all 21 items as one factor (a k > 3 check of the general one-factor fit).
omega21 <- omega_lavaan(na.omit(d[, all_items]))

model7 <- paste(sapply(values, function(v) paste(v, "=~", paste(items_of(v), collapse = " + "))),
                collapse = "\n")
model1 <- paste("culture =~", paste(all_items, collapse = " + "))
cfa_ref <- function(rows, model = model7) {
  fit <- cfa(model, data = d[rows, ], std.lv = TRUE, estimator = "ML", missing = "listwise")
  fm <- fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower",
                           "rmsea.ci.upper", "srmr", "baseline.chisq", "baseline.df"))
  ss <- standardizedSolution(fit)
  ld <- ss[ss$op == "=~", c("lhs", "rhs", "est.std", "se")]
  pe <- parameterEstimates(fit)
  raw <- pe[pe$op == "=~", c("lhs", "rhs", "est", "se")]
  cor <- ss[ss$op == "~~" & ss$lhs != ss$rhs & ss$lhs %in% c(values, "culture"),
            c("lhs", "rhs", "est.std", "se")]
  list(fit = as.list(c(fm, n = lavInspect(fit, "nobs"))),
       loadings = data.frame(value = ld$lhs, behaviour = ld$rhs, estimate = ld$est.std,
                             se = ld$se, raw = raw$est, raw_se = raw$se),
       factor_corr = data.frame(lhs = cor$lhs, rhs = cor$rhs, estimate = cor$est.std,
                                se = cor$se))
}
cfa_all <- cfa_ref(rep(TRUE, nrow(d)))
cfa_2023 <- cfa_ref(d$wave == 2023)
# A misfitting model (one factor for all 21 items), so the RMSEA interval is away from 0.
cfa_one <- cfa_ref(rep(TRUE, nrow(d)), model1)

# Polychoric correlations (two-step ML) and the 7-factor model fitted by ML to them
# (point estimates: the loadings of the latent responses).
xc <- na.omit(d[, all_items])
poly <- lavCor(xc, ordered = all_items)
fit_poly <- cfa(model7, sample.cov = poly, sample.nobs = nrow(xc), std.lv = TRUE)
ssp <- standardizedSolution(fit_poly)
ssp <- ssp[ssp$op == "=~", ]
poly_ref <- list(
  n = nrow(xc),
  items = all_items,
  matrix = unname(poly[all_items, all_items]),
  loadings = data.frame(value = ssp$lhs, behaviour = ssp$rhs, estimate = ssp$est.std),
  srmr = unname(fitMeasures(fit_poly, "srmr"))
)

out <- list(
  meta = list(
    R = R.version.string,
    psych = as.character(packageVersion("psych")),
    lavaan = as.character(packageVersion("lavaan")),
    fixture = "tests/r/psychometrics_items.csv"
  ),
  reliability = rel,
  item_total = itt,
  omega_all21 = omega21,
  cfa_all = cfa_all,
  cfa_wave2023 = cfa_2023,
  cfa_one_factor = cfa_one,
  polychoric = poly_ref
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
           "tests/r/psychometrics_reference.json")
cat("wrote tests/r/psychometrics_reference.json\n")
