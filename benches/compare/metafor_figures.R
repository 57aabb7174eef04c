# The figures of the default project made with R metafor, for timing against metareport
# (`cargo bench --bench build`). Not part of the tests. Usage: Rscript metafor_figures.R OUTDIR
suppressMessages(library(metafor))
out <- commandArgs(TRUE)[1]; dir.create(out, showWarnings = FALSE)
d <- "analyses/data"
png1 <- function(f, w = 9, h = 7) png(file.path(out, f), width = w, height = h, units = "in", res = 300)
# magnesium: forest, funnel with contours + trim-and-fill, leave-one-out, cumulative
mg <- read.csv(file.path(d, "magnesium.csv"))
mg$label <- paste(mg$study, mg$year)
r <- rma(measure = "OR", ai = events_t, n1i = total_t, ci = events_c, n2i = total_c, data = mg, method = "DL", slab = label)
png1("mg-forest.png"); forest(r, atransf = exp); dev.off()
png1("mg-funnel.png"); funnel(trimfill(r), level = c(90, 95, 99), shade = c("white", "gray55", "gray75"), refline = 0); dev.off()
png1("mg-l1o.png"); l <- leave1out(r); forest(l$estimate, ci.lb = l$ci.lb, ci.ub = l$ci.ub, slab = l$slab, transf = exp); dev.off()
png1("mg-cumul.png"); forest(cumul(r, order = mg$year), atransf = exp); dev.off()
# passive smoking: subgroups by design, funnel, leave-one-out
ps <- read.csv(file.path(d, "passive-smoking.csv"))
ps$yi <- log(ps$or); ps$sei <- (log(ps$upper) - log(ps$lower)) / (2 * qnorm(0.975))
r <- rma(yi, sei = sei, data = ps, method = "DL", slab = study)
png1("ps-forest.png", h = 11); forest(r, atransf = exp, order = ps$design); dev.off()
png1("ps-funnel.png"); funnel(r); dev.off()
png1("ps-l1o.png", h = 11); l <- leave1out(r); forest(l$estimate, ci.lb = l$ci.lb, ci.ub = l$ci.ub, slab = l$slab, transf = exp); dev.off()
# BCG: subgroups by allocation, prediction interval
bcg <- read.csv(file.path(d, "bcg.csv"))
r <- rma(measure = "RR", ai = events_t, n1i = total_t, ci = events_c, n2i = total_c, data = bcg, method = "REML", slab = study)
png1("bcg-forest.png"); forest(r, atransf = exp, addpred = TRUE, order = bcg$allocation); dev.off()
