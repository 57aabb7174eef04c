#!/usr/bin/env bash
# Scale benchmark (issue 17): a binary review with leave-one-out, cumulative analysis, Egger,
# Begg, trim-and-fill and a contour funnel at k studies, built cold by the release binary.
# Reports wall and CPU time (user + system: less sensitive to a loaded machine), peak RSS (/usr/bin/time -v), results.json / manuscript.pdf / report.pdf
# sizes and page counts, then `pool` on 10^6 yi/vi rows (full JSON, --compact, --summary when
# the binary has them).
#
#   cargo build --release && benches/scale.sh [k ...]        (default: 100 300 1000 3000)
#   POOL_ROWS=0 benches/scale.sh 100                          (skip the pool run)
#   benches/scale.sh pool                                     (the pool run alone)
#   KEEP=/tmp/scale benches/scale.sh 300                      (keep the projects and outputs)
#
# pool at 10^6 rows (2026-12-03, tenth session, load 2.3-4.8 on 2 cores; wall / CPU = user +
# system / peak RSS; base = main of the session's start, /tmp/mr-base; 3 runs each, alternating):
#   --summary  base 0.88-1.05 s / 1.02-1.16 s / 372 MB  ->  0.68-0.72 s / 0.92-0.95 s / 334 MB
#   full JSON  base 1.58-1.87 s / 1.69-2.02 s / 372 MB  ->  1.35-1.55 s / 1.56-1.80 s / 334 MB
#   --compact  base 1.37-1.72 s / 1.49-1.87 s / 372 MB  ->  1.18-1.47 s / 1.37-1.68 s / 334 MB
# This script, one run each a minute apart: --summary 1.16 s -> 0.97 s wall; full 2.02 -> 1.72 s.
# The goals (--summary < 1 s, full < 2 s, < 600 MB) are met when the machine is not saturated;
# under load 5-6 (other agents compiling) --summary took 1.2-1.6 s wall, 0.8-1.1 s CPU.
# Outputs byte-identical to the base's (cmp, source_fingerprint aside). docs/src/development.md
# has the details and the profile.
#
# Needs /usr/bin/time and pdfinfo (poppler-utils). Data are generated deterministically (awk).
#
# Measured 2026-12-02 (fifth session), `--jobs 2`, both binaries one after the other on a shared
# 2-core machine (load average 8-11, a test build running beside: wall times are inflated, CPU
# is user + system). main = c2d8f2d; scale = main + the Word writer reading a figure's size
# from its SVG's root element (no usvg parse per page per Word file):
#
# | k | binary | wall | CPU | peak RSS | results.json | manuscript.pdf (pages) | report.pdf (pages) |
# |---|---|---|---|---|---|---|---|
# | 100 | main | 7.95 s | 2.91 s | 226 MB | 0.44 MB | 0.21 MB (12) | 0.21 MB (13) |
# | 100 | scale | 7.46 s | 3.04 s | 218 MB | 0.44 MB | 0.21 MB (12) | 0.21 MB (13) |
# | 1000 | main | 61.7 s | 22.2 s | 846 MB | 4.32 MB | 1.10 MB (69) | 1.10 MB (70) |
# | 1000 | scale | 51.0 s | 21.2 s | 827 MB | 4.32 MB | 1.10 MB (69) | 1.10 MB (70) |
# | 3000 | main | 177 s | 62.0 s | 1701 MB | 12.91 MB | 3.09 MB (192) | 3.09 MB (193) |
# | 3000 | scale | 161 s | 57.0 s | 1685 MB | 12.91 MB | 3.09 MB (192) | 3.09 MB (193) |
#
# k = 1,000 again, alternating, 2 runs each: main 23.6, 22.8 s CPU (839, 844 MB); scale 21.1,
# 21.2 s (832, 829 MB); at a quieter moment 23.0 (main) vs 18.8 s (scale). Outputs
# byte-identical. The targets (k = 1,000 < 4 s / 600 MB; k = 3,000 < 15 s / 1.5 GB) are not
# met: a profile of `build -j1` at k = 1,000 puts ~30% in figure PNGs at natural size
# (`plot::export::natural_png`: the three tall forests' whole-figure PNGs and every page PNG of
# the Word files), ~25% in usvg's text layout (a rustybuzz face built per text node, 11%),
# ~22% in tiny-skia filling paths, ~14% in zlib for the PNGs, ~8% typst reading the page SVGs;
# the analyses (leave-one-out and cumulative refits included) under 1%.
#
# Measured 2026-12-02 (sixth session), `--jobs 2`, both binaries one after the other (load 4-6,
# other helpers compiling: wall inflated, CPU = user + system). main = 8aa9ba9; scale = main +
# figure PNGs converted to RGB in the pixmap's own buffer (no second whole-image copy):
#
# | k | binary | wall | CPU | peak RSS | results.json | manuscript.pdf (pages) |
# |---|---|---|---|---|---|---|
# | 100 | main | 4.39 s | 2.80 s | 220 MB | 0.44 MB | 0.21 MB (12) |
# | 100 | scale | 4.23 s | 2.73 s | 186 MB | 0.44 MB | 0.21 MB (12) |
# | 1000 | main | 24.1, 28.9 s | 19.1, 19.1 s | 853, 853 MB | 4.32 MB | 1.10 MB (69) |
# | 1000 | scale | 28.4, 20.1 s | 18.9, 19.3 s | 732, 720 MB | 4.32 MB | 1.10 MB (69) |
# | 3000 | main | 97.0 s | 53.1 s | 1676 MB | 12.91 MB | 3.09 MB (192) |
# | 3000 | scale | 76.4 s | 50.8 s | 1712 MB | 12.91 MB | 3.09 MB (192) |
#
# pool at 10^6 rows, alternating (CPU): main full 2.96, 2.65 s / --summary 2.11, 1.85 s, 385 MB;
# scale full 3.16, 2.89 s / --summary 1.86, 1.90 s, 385 MB (no change beyond noise).
# Profile of `build -j1` at k = 1,000 (perf, 20 s CPU, main's code): natural_png 35.5% (the
# Word files' page PNGs 19%, the three tall forests' whole-figure PNGs, capped at 40 Mpx, 16%);
# within it usvg's text-to-path 19% (a rustybuzz face per text node 8.8%, its GPOS table parsed
# each time 7.6%), tiny-skia filling 23%, zlib 15%, RGBA->RGB 5%; typst reading the page SVGs
# 8%, typst PDF writing 4%; figure layout (figure_plot) 3.6%; the analyses under 1%. At k = 3,000
# the peak RSS is not the rasters' (1.7 GB both binaries): typst's compilation of the 192 pages.
#
# Seventh session, 2026-12-02 21:35 (load 3-5 on 2 cores), k = 1,000, `--jobs 2`, main (91d6f4d)
# and report.pdf made of the manuscript's own pages (src/build/report_pages.rs) alternating,
# 3 runs each:
#
# | k | binary | wall | CPU | peak RSS | results.json | manuscript.pdf (pages) | report.pdf (pages) |
# |---|---|---|---|---|---|---|---|
# | 1000 | main | 10.9-16.9 s | 12.0-13.7 s | 690-715 MB | 4.32 MB | 1.10 MB (69) | 1.10 MB (70) |
# | 1000 | report pages | 9.8-15.8 s | 10.8-12.3 s | 563-575 MB | 4.32 MB | 1.10 MB (69) | 1.08 MB (70) |
#
# The report.pdf job itself (timed in-process): 160-450 ms for its 70 pages (it lays out one
# cover page and embeds 69 pages; before, it laid out and wrote all 70 again). Page 20 of
# report.pdf rendered beside page 19 of the manuscript: the same page, footer number 19.
# 2026-12-02 22:30, idle machine: pool 10^6 --summary, CSV read in two halves in parallel,
# the Q-profile bounds side by side: 8aa9ba9 1.19-1.27 s wall (1.19-1.24 s CPU), 385 MB ->
# 0.99-1.04 s (1.11-1.16 s CPU), 381 MB; full JSON 1.75 s, --compact 1.66 s, 373 MB. k=1000
# (POOL_ROWS=0 benches/scale.sh 1000), one run each: 8aa9ba9 6.43 s wall, 11.37 s CPU, 842 MB,
# report.pdf 1.10 MB -> 5.29 s, 10.07 s, 562 MB, report.pdf 1.08 MB (the manuscript's pages).
# Ninth session, 2026-12-03 07:48-07:52 (load 4.5-7 on 2 cores from other agents: wall times
# inflated ~1.4x, compare CPU), main (817d7d3, banded PNG export) vs branch `scale` (Word
# pictures drawn ahead and shared between workers, report/docx/figures.rs; leave-one-out and
# cumulative refits on threads), alternating; every output byte-identical (diff -r):
#
# | k | binary | wall | CPU | peak RSS |
# |---|---|---|---|---|
# | 1000 | main | 12.7, 15.4, 15.6 s | 10.4, 10.2, 10.3 s | 602, 599, 602 MB |
# | 1000 | scale | 15.0, 14.8, 16.7 s | 9.8, 9.8, 11.0 s | 492, 483, 481 MB |
# | 3000 | main | 43.4, 36.4 s | 29.1, 26.1 s | 1313, 1345 MB |
# | 3000 | scale | 38.2, 37.9 s | 28.1, 25.7 s | 1207, 1264 MB |
#
# Profile (perf, `build -j1`, k = 3,000, scale branch, 8,303 samples): figure rasters ~76%
# (tiny-skia drawing and band traversal 42%, zlib 13.5%, usvg parse 9.7% + text layout 8%;
# by job times about two thirds the Word files' ~190 page PNGs, one third the three tall
# forests' whole-figure PNGs), typst 3.7% + its SVG parsing 5.8%, figure layout
# (`figure_plot`: each forest drawn ~12 times per build) 4.6%, the analyses 3.3%, the Word
# writer's own work ~1%.
# Ninth session, merged main (0f453c9) vs the session's base (0a45cc8), 2026-12-03 08:25,
# idle machine (POOL_ROWS=0 benches/scale.sh K):
# | k | binary | wall | CPU | peak RSS | manuscript.pdf (pages) |
# |---|---|---|---|---|---|
# | 1000 | base | 4.87, 5.52 s | 9.34, 10.20 s | 548, 613 MB | 1.10 MB (69) |
# | 1000 | now | 4.15, 4.17, 4.22, 4.57 s | 7.79-8.51 s | 579-597 MB | 1.10 MB (69) |
# | 3000 | base | 16.44 s | 27.90 s | 1241 MB | 3.09 MB (192) |
# | 3000 | now | 12.50, 13.48 s | 23.41, 25.29 s | 1296, 1319 MB | 3.09 MB (192) |
# pool 10^6 --summary (unchanged code): base 0.89-1.08 s, now 0.92-1.03 s wall, 381 MB.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${BIN:-$root/target/release/metareport}"
ks=("$@"); [ ${#ks[@]} -eq 0 ] && ks=(100 300 1000 3000)
[ "${ks[0]}" = pool ] && ks=()   # benches/scale.sh pool: the pool run alone
pool_rows="${POOL_ROWS:-1000000}"
if [ -n "${KEEP:-}" ]; then work="$KEEP"; mkdir -p "$work"; else work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi

mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN{printf "%.2f MB", b/1e6}'; }
pages() { pdfinfo "$1" 2>/dev/null | awk '/^Pages:/{print $2}'; }
measure() { # label, command... → "label | wall time | CPU time (user + system) | peak RSS"
  local label="$1"; shift
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || { cat "$work/err.txt" >&2; return 1; }
  local wall rss cpu
  cpu=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%.2f s", u+s}' "$work/time.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.2f s", s}' "$work/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f MB", $2/1024}' "$work/time.txt")
  printf '%s | %s | %s | %s' "$label" "$wall" "$cpu" "$rss"
}

echo "binary: $bin ($("$bin" --version 2>/dev/null | head -1))"
if [ ${#ks[@]} -gt 0 ]; then
echo
echo "| k | wall | CPU | peak RSS | results.json | manuscript.pdf (pages) | report.pdf (pages) | out/ total |"
echo "|---|---|---|---|---|---|---|---|"
for k in "${ks[@]}"; do
  p="$work/k$k"; rm -rf "$p"; mkdir -p "$p/analyses/data"
  awk -v k="$k" 'BEGIN{
    srand(17); print "study,year,events_t,total_t,events_c,total_c";
    for(i=1;i<=k;i++){ n=40+int(rand()*400); pc=0.05+rand()*0.3; lor=-0.2+0.4*(rand()-0.5);
      o=pc/(1-pc)*exp(lor); pt=o/(1+o);
      et=0; ec=0; for(j=0;j<n;j++){ if(rand()<pt) et++; if(rand()<pc) ec++ }
      printf "Study %d,%d,%d,%d,%d,%d\n", i, 1970+int(i*50/k), et, n, ec, n } }' >"$p/analyses/data/trials.csv"
  cat >"$p/analyses/scale.yaml" <<YAML
title: Scale benchmark with $k trials
short_title: Scale $k
outcomes:
  - id: events
    title: Events
    data: data/trials.csv
    label: "{study}"
    measure: OR
    model:
      effects: random
      tau2: REML
    small_study:
      egger: true
      begg: true
      trim_and_fill: true
    sensitivity:
      leave_one_out: true
      cumulative:
        by: year
    forest:
      arms: [Treatment, Control]
    funnel:
      contours: true
      egger_line: true
YAML
  row=$(cd "$p" && measure "$k" "$bin" build --jobs 2 --quiet) || { echo "| $k | build failed |"; continue; }
  o="$p/out"
  rj=$(find "$o" -name results.json | head -1); ms=$(find "$o" -name manuscript.pdf | head -1); rp=$(find "$o" -name report.pdf | head -1)
  tot=$(du -sb "$o" | awk '{printf "%.1f MB", $1/1e6}')
  echo "| $row | $(mb "$rj") | $(mb "$ms") ($(pages "$ms")) | ${rp:+$(mb "$rp") ($(pages "$rp"))} | $tot |"
done
fi

if [ "$pool_rows" -gt 0 ]; then
  echo
  awk -v n="$pool_rows" 'BEGIN{srand(6); print "study,yi,vi"; for(i=0;i<n;i++) printf "S%d,%.6f,%.6f\n", i, rand()-0.5, 0.01+rand()*0.1}' >"$work/pool.csv"
  echo "pool on $pool_rows yi/vi rows ($(mb "$work/pool.csv") CSV), REML, output to a file:"
  echo
  echo "| command | wall | CPU | peak RSS | output |"
  echo "|---|---|---|---|---|"
  for flags in "" "--compact" "--summary"; do
    if [ -n "$flags" ] && ! "$bin" pool --help 2>/dev/null | grep -q -- "$flags"; then continue; fi
    row=$(measure "pool $flags" "$bin" pool --data "$work/pool.csv" --measure GEN --tau2 REML $flags) || { echo "| pool $flags | failed |"; continue; }
    echo "| $row | $(mb "$work/out.txt") |"
  done
fi
