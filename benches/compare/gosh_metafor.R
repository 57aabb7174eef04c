# metafor's gosh() on the same studies and subsets as `cargo bench --bench gosh`: the first k
# studies of the passive-smoking review (log OR, SE from the 95% CI), every subset, DL and REML.
# Not part of the tests. Usage (from the repository root):
#   Rscript benches/compare/gosh_metafor.R [K:METHOD ...]     (default 13:DL 13:REML 20:DL)
suppressMessages(library(metafor))
runs <- commandArgs(TRUE); if (!length(runs)) runs <- c("13:DL", "13:REML", "20:DL")
ps <- read.csv("analyses/data/passive-smoking.csv")
ps$yi <- log(ps$or); ps$vi <- ((log(ps$upper) - log(ps$lower)) / (2 * qnorm(0.975)))^2
for (run in strsplit(runs, ":")) {
  k <- as.integer(run[1]); method <- run[2]
  r <- rma(yi, vi, data = ps[seq_len(k), ], method = method)
  t <- system.time(g <- gosh(r, subsets = 2^k, progbar = FALSE))
  cat(sprintf("metafor %s gosh k = %d %s: %d subsets in %.2f s elapsed (%.2f s user); mean estimate %.6f, mean I2 %.4f\n",
              packageVersion("metafor"), k, method, nrow(g$res), t[["elapsed"]], t[["user.self"]],
              mean(g$res$estimate), mean(g$res$I2)))
}
