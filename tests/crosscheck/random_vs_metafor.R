# Randomised cross-check of `metareport pool` against R metafor (not run by `cargo test`:
# it needs R). Usage, from the repository root after `cargo build --release`:
#   Rscript tests/crosscheck/random_vs_metafor.R [N] [SEED] [DIR]
# (DIR keeps the data of every analysis that differs; default a temporary directory).
# Draws N random analyses of each kind (generic yi/vi with every τ² estimator and both CI
# methods; binary with IV, Mantel–Haenszel and Peto; continuous and correlations; Egger,
# Begg and trim-and-fill), runs metareport on each, and reports every number that differs
# from metafor by more than 1e-6 (relative; absolute below 1e-9). Exit status 1 if any does.
suppressMessages({library(metafor); library(jsonlite)})
args <- commandArgs(TRUE)
N <- if (length(args) >= 1) as.integer(args[1]) else 100
set.seed(if (length(args) >= 2) as.integer(args[2]) else 1)
bin <- "target/release/metareport"
ctl <- list(tol = 1e-12, threshold = 1e-12, maxiter = 10000)
csv <- tempfile(fileext = ".csv")
if (length(args) >= 3) { tmp <- args[3]; dir.create(tmp, showWarnings = FALSE); csv <- file.path(tmp, "data.csv") } else tmp <- tempdir()
bad <- 0; runs <- 0

pool <- function(df, ...) {
  write.csv(df, csv, row.names = FALSE)
  out <- suppressWarnings(system2(bin, c("pool", "--data", csv, ...), stdout = TRUE, stderr = TRUE))
  if (!is.null(attr(out, "status"))) return(list(error = paste(out, collapse = "\n")))
  fromJSON(paste(out, collapse = "\n"), simplifyVector = TRUE)
}
close_to <- function(a, b) !is.null(a) && (if (abs(b) > 1e-9) abs(a - b) / abs(b) <= 1e-6 else abs(a - b) <= 1e-9)
compare <- function(what, ours, theirs) {
  runs <<- runs + 1
  if (!is.null(ours$error)) { bad <<- bad + 1; cat(what, "error:", ours$error, "\n"); return() }
  for (n in names(theirs)) {
    o <- eval(parse(text = paste0("ours", n)))
    if (!is.na(theirs[[n]]) && !close_to(o, theirs[[n]])) {
      bad <<- bad + 1
      kept <- file.path(tmp, sprintf("difference-%d.csv", runs))
      file.copy(csv, kept, overwrite = TRUE)
      cat(sprintf("%s: %s = %.12g, metafor %.12g (data: %s)\n", what, n, if (is.null(o)) NA else o, theirs[[n]], kept))
    }
  }
}
fit <- function(...) {
  r <- try(rma(..., control = ctl), silent = TRUE)
  if (inherits(r, "try-error")) r <- try(rma(..., control = c(ctl, list(stepadj = 0.25))), silent = TRUE)
  if (inherits(r, "try-error")) NULL else r
}

for (i in seq_len(N)) {
  # Generic effects: every τ² estimator, z and HKSJ, Q-profile CI of τ².
  k <- sample(c(2, 3, 5, 8, 13, 30), 1); vi <- runif(k, 0.005, 1)^sample(1:2, 1)
  yi <- rnorm(k, 0.2, sqrt(vi + sample(c(0, 0.1, 0.5, 1), 1)^2))
  m <- sample(c("DL", "REML", "ML", "PM", "EB", "HS", "SJ", "HE"), 1); test <- sample(c("z", "knha"), 1)
  r <- fit(yi, vi, method = m, test = test)
  if (!is.null(r)) {
    ci <- confint(r, control = list(tol = 1e-13))$random
    compare(sprintf("generic %s %s k=%d", m, test, k),
            pool(data.frame(study = paste0("s", 1:k), yi, vi), "--measure", "GEN", "--tau2", m, "--ci", if (test == "z") "z" else "hksj"),
            list("$overall$pooled$estimate" = r$b[1], "$overall$pooled$se" = r$se, "$overall$pooled$ci_lower" = r$ci.lb,
                 "$overall$pooled$ci_upper" = r$ci.ub, "$overall$heterogeneity$tau2" = r$tau2, "$overall$heterogeneity$q" = r$QE,
                 "$overall$heterogeneity$ci$tau2$lower" = ci[1, 2], "$overall$heterogeneity$ci$tau2$upper" = ci[1, 3]))
  }
  # Binary: IV (DL), Mantel–Haenszel, Peto; zero cells get metafor's default correction, and
  # double-zero studies are dropped from OR and RR (metareport's default; escalc's drop00).
  k <- sample(c(2, 3, 5, 9, 20), 1); n1 <- sample(5:300, k, TRUE); n2 <- sample(5:300, k, TRUE); p <- runif(1, 0.01, 0.4)
  ai <- rbinom(k, n1, min(1, p * runif(1, 0.5, 1.5))); ci <- rbinom(k, n2, p)
  d <- data.frame(study = paste0("s", 1:k), events_t = ai, total_t = n1, events_c = ci, total_c = n2)
  kind <- sample(c("IV", "MH", "PETO"), 1); ms <- if (kind == "PETO") "PETO" else sample(c("OR", "RR", "RD"), 1)
  r <- try(switch(kind, IV = rma(ai = ai, n1i = n1, ci = ci, n2i = n2, measure = ms, method = "DL", drop00 = ms != "RD", control = ctl),
                  MH = rma.mh(ai = ai, n1i = n1, ci = ci, n2i = n2, measure = ms), PETO = rma.peto(ai = ai, n1i = n1, ci = ci, n2i = n2)), silent = TRUE)
  if (!inherits(r, "try-error"))
    compare(sprintf("binary %s %s k=%d", kind, ms, k),
            pool(d, "--measure", if (ms == "PETO") "PETO_OR" else ms, "--tau2", "DL",
                 "--pooling", switch(kind, IV = "inverse-variance", MH = "mantel-haenszel", PETO = "peto"),
                 "--effects", if (kind == "IV") "random" else "fixed"),
            list("$overall$pooled$estimate" = r$b[1], "$overall$pooled$se" = r$se,
                 "$overall$heterogeneity$q" = if (max(r$k.yi, if (kind == "IV") r$k else 0) >= 2) r$QE else NA))
  # Continuous (MD, SMD) and correlations (ZCOR).
  k <- sample(c(2, 4, 7, 15), 1); m <- sample(c("REML", "DL", "PM"), 1)
  if (runif(1) < 0.3) {
    ri <- runif(k, -0.9, 0.9); ni <- sample(4:200, k, TRUE); r <- fit(ri = ri, ni = ni, measure = "ZCOR", method = m)
    ours <- pool(data.frame(study = paste0("s", 1:k), r = ri, n = ni), "--measure", "ZCOR", "--tau2", m); what <- "ZCOR"
  } else {
    d <- data.frame(study = paste0("s", 1:k), mean_t = rnorm(k, 10, 3), sd_t = runif(k, 0.5, 5), n_t = sample(3:100, k, TRUE),
                    mean_c = rnorm(k, 9, 3), sd_c = runif(k, 0.5, 5), n_c = sample(3:100, k, TRUE))
    what <- sample(c("MD", "SMD"), 1)
    r <- fit(m1i = d$mean_t, sd1i = d$sd_t, n1i = d$n_t, m2i = d$mean_c, sd2i = d$sd_c, n2i = d$n_c, measure = what, method = m)
    ours <- pool(d, "--measure", what, "--tau2", m)
  }
  if (!is.null(r))
    compare(sprintf("%s %s k=%d", what, m, k), ours,
            list("$overall$pooled$estimate" = r$b[1], "$overall$pooled$se" = r$se, "$overall$heterogeneity$tau2" = r$tau2))
  # Subgroups, each with its own τ², and the test for subgroup differences (a fixed-effect
  # Q across the subgroup estimates).
  k <- sample(6:20, 1); g <- sample(c("a", "b", "c")[1:sample(2:3, 1)], k, TRUE)
  if (all(table(g) >= 2) && length(unique(g)) >= 2) {
    vi <- runif(k, 0.01, 0.5); yi <- rnorm(k, ifelse(g == "a", 0, 0.4), sqrt(vi + 0.1)); m <- sample(c("DL", "REML"), 1)
    fits <- lapply(sort(unique(g)), function(s) fit(yi[g == s], vi[g == s], method = m))
    if (!any(vapply(fits, is.null, TRUE))) {
      est <- vapply(fits, function(r) r$b[1], 0); se <- vapply(fits, function(r) r$se, 0)
      qb <- rma(est, sei = se, method = "FE")$QE
      ours <- pool(data.frame(study = paste0("s", 1:k), yi, vi, group = g), "--measure", "GEN", "--tau2", m, "--subgroup", "group")
      expected <- list("$subgroups$difference$q" = qb)
      if (is.null(ours$error)) {
        order <- match(sort(unique(g)), ours$subgroups$groups$name)
        for (j in seq_along(fits)) expected[[sprintf("$subgroups$groups$pool$pooled$estimate[%d]", order[j])]] <- est[j]
      }
      compare(sprintf("subgroups %s k=%d", m, k), ours, expected)
    }
  }
  # Small-study tests: Egger (classic, and metafor's default regtest), Begg, trim-and-fill.
  k <- sample(c(4, 6, 10, 17, 25), 1); vi <- runif(k, 0.01, 0.6)
  yi <- rnorm(k, 0.3 + 0.8 * sqrt(vi) * rbinom(1, 1, 0.5), sqrt(vi + 0.05)); m <- sample(c("REML", "DL", "FE"), 1)
  r <- fit(yi, vi, method = m)
  if (!is.null(r)) {
    eg <- regtest(yi, vi, model = "lm")
    eg2 <- try(regtest(r), silent = TRUE)
    if (inherits(eg2, "try-error")) eg2 <- list(zval = NA, pval = NA)
    rk <- ranktest(yi, vi)
    tf <- try(trimfill(r, control = ctl), silent = TRUE)
    if (inherits(tf, "try-error")) tf <- list(k0 = NA, beta = NA)
    compare(sprintf("bias %s k=%d", m, k),
            pool(data.frame(study = paste0("s", 1:k), yi, vi), "--measure", "GEN", "--egger", "--begg", "--trim-and-fill", "--min-studies", "3",
                 "--effects", if (m == "FE") "fixed" else "random", "--tau2", if (m == "FE") "DL" else m),
            list("$bias$egger$bias" = coef(summary(eg$fit))[2, 1], "$bias$egger$t" = eg$zval, "$bias$egger$p" = eg$pval,
                 "$bias$egger_meta_regression$statistic" = eg2$zval, "$bias$egger_meta_regression$p" = eg2$pval,
                 "$bias$begg$kendall_tau" = rk$tau, "$bias$begg$p" = rk$pval,
                 "$bias$trim_and_fill$k0" = tf$k0, "$bias$trim_and_fill$estimate" = tf$beta[1]))
  }
}
cat(sprintf("%d analyses compared, %d difference(s)\n", runs, bad))
quit(status = if (bad > 0) 1 else 0)
