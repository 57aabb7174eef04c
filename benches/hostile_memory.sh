#!/usr/bin/env bash
# Peak memory of every hostile case of issue 10 (items 4-7 and 13), built by the release
# binary under /usr/bin/time -v. Prints a Markdown table: case | exit | wall | peak RSS | first
# line of the message. Each case must stay under 1 GB (the issue's bound).
#
#   cargo build --release && nice -n 15 benches/hostile_memory.sh
#
# Needs /usr/bin/time, python3 (to write the inputs) and mkfifo. Nothing is downloaded.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${BIN:-$root/target/release/metareport}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

spec() { # dir, data file, measure, [extra yaml]
  mkdir -p "$1/analyses/data"
  printf 'title: T\noutcomes:\n  - id: m\n    title: M\n    data: data/%s\n    measure: %s\n%s' "$2" "$3" "${4:-}" >"$1/analyses/r.yaml"
}

measure() { # label, dir, timeout seconds, command...
  local label="$1" dir="$2" secs="$3"; shift 3
  (cd "$dir" && /usr/bin/time -v -o "$work/time.txt" timeout "$secs" "$@" >"$work/out.txt" 2>"$work/err.txt")
  local rc=$?
  local rss wall msg
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f MB", $2/1024}' "$work/time.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.1f s", s}' "$work/time.txt")
  msg=$(grep -m1 -E '^(error|note|metareport|ok)' "$work/err.txt" "$work/out.txt" -h | cut -c1-150 | sed 's/|/\\|/g')
  [ $rc -eq 124 ] && msg="TIMEOUT after ${secs} s"
  printf '| %s | %s | %s | %s | %s |\n' "$label" "$rc" "$wall" "$rss" "$msg"
}

echo "| case | exit | wall | peak RSS | message |"
echo "|---|---|---|---|---|"

# Item 4: long study labels (binary data, forest + funnel by default).
for n in 5000 50000 30000000; do
  d="$work/label$n"; spec "$d" d.csv OR
  python3 - "$d/analyses/data/d.csv" "$n" <<'EOF'
import sys
p, n = sys.argv[1], int(sys.argv[2])
with open(p, "w") as f:
    f.write("study,events_t,total_t,events_c,total_c\n")
    f.write("L" * n + ",4,120,9,118\n")
    f.write("B,10,200,14,205\nC,3,50,8,49\n")
EOF
  measure "4: a study label of $n characters (build)" "$d" 300 "$bin" build -q
done

# Item 5: degenerate axes — GEN with every vi about 1e-80 and a funnel; MD with SD 1e300.
d="$work/tiny-vi"; spec "$d" d.csv GEN
printf 'study,yi,vi\nA,0.1,1e-80\nB,0.2,2e-80\nC,0.3,1.5e-80\nD,0.15,1.2e-80\n' >"$d/analyses/data/d.csv"
measure "5: GEN with vi ≈ 1e-80 and a funnel plot" "$d" 300 "$bin" build -q
d="$work/md-sd"; spec "$d" d.csv MD
printf 'study,mean_t,sd_t,n_t,mean_c,sd_c,n_c\nA,1,1e300,10,0,1,10\nB,2,1,12,1,1,12\nC,1,2,15,0,2,15\n' >"$d/analyses/data/d.csv"
measure "5: MD with an SD of 1e300" "$d" 300 "$bin" build -q

# Item 6: workbooks — one cell at XFD1048576; a small zip inflating to 2.2 GB.
cat >"$work/mk.py" <<'EOF'
import sys, zipfile
p, kind = sys.argv[1], sys.argv[2]
ct = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>'
rels = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
wb = '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S1" sheetId="1" r:id="rId1"/></sheets></workbook>'
wbrels = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
head = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
row1 = '<row r="1"><c r="A1" t="inlineStr"><is><t>study</t></is></c></row>'
with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for name, text in [("[Content_Types].xml", ct), ("_rels/.rels", rels), ("xl/workbook.xml", wb), ("xl/_rels/workbook.xml.rels", wbrels)]:
        z.writestr(name, text)
    if kind == "far":
        z.writestr("xl/worksheets/sheet1.xml", head + row1 + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')
    else:
        # 2.2 GB of whitespace inside the sheet, written in chunks.
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(head.encode()); f.write(row1.encode())
            chunk = b" " * (1 << 24)
            for _ in range(2200 * (1 << 20) // len(chunk)):
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")
EOF
d="$work/xfd"; spec "$d" d.xlsx OR
python3 "$work/mk.py" "$d/analyses/data/d.xlsx" far
measure "6: one cell at XFD1048576" "$d" 300 "$bin" build -q
d="$work/bomb"; spec "$d" d.xlsx OR
python3 "$work/mk.py" "$d/analyses/data/d.xlsx" bomb
measure "6: a $(( $(stat -c %s "$d/analyses/data/d.xlsx") / 1024 )) KB workbook inflating to 2.2 GB" "$d" 300 "$bin" build -q

# Item 7: data: a FIFO; a FIFO and a symlink loop under analyses/ (check, as watch's walk).
d="$work/fifo"; spec "$d" d.csv OR; mkfifo "$d/analyses/data/d.csv"
measure "7: data: is a FIFO" "$d" 60 "$bin" build -q
d="$work/loop"; spec "$d" d.csv OR
printf 'study,events_t,total_t,events_c,total_c\nA,4,120,9,118\nB,10,200,14,205\n' >"$d/analyses/data/d.csv"
mkfifo "$d/analyses/pipe.yaml"; ln -s a "$d/analyses/b.yaml"; ln -s b.yaml "$d/analyses/a"; ln -s . "$d/analyses/loop"
measure "7: a FIFO and symlink loops under analyses/" "$d" 60 "$bin" build -q

# Item 13: 10^6 rows of yi, vi (39 MB).
d="$work/million"; spec "$d" d.csv GEN
awk 'BEGIN{print "study,yi,vi"; s=12345; for(i=1;i<=1000000;i++){s=(s*1103515245+12345)%2147483648; printf "Study %07d,%.6f,%.6f\n", i, (s/2147483648-0.5), 0.01+(s%1000)/5000}}' >"$d/analyses/data/d.csv"
measure "13: $(( $(stat -c %s "$d/analyses/data/d.csv") / 1000000 )) MB of yi, vi (10^6 rows), build" "$d" 600 "$bin" build -q
measure "13: the same rows, pool" "$d" 600 "$bin" pool --data analyses/data/d.csv --measure GEN --tau2 REML --compact

# Measured 2026-12-03 (idle): main before (9ea9aa9) read them whole: 4.1 GB peak, 22 s and
# 87 s; now 57 MB / 0.1 s (both ignored, everything rebuilt) and 18 MB / 0.0 s (the outputs
# told apart from the manifest's lengths: exit 1, "this output was changed since metareport
# wrote it", as for any output edited by hand).
# out/ is untrusted too: a built project whose manifest and stat cache, then whose outputs
# (read back to decide what is stale, to reuse the manuscripts and the notes) were replaced by
# 4 GB sparse files: a build must neither hold them in memory nor fail.
for what in state outputs; do
  d="$work/out-$what"; spec "$d" d.csv OR
  printf 'study,events_t,total_t,events_c,total_c\nA,4,120,9,118\nB,10,200,14,205\nC,7,150,12,160\n' >"$d/analyses/data/d.csv"
  (cd "$d" && "$bin" build -q)
  if [ "$what" = state ]; then files="out/.metareport/manifest.json out/.metareport/stat-cache"
  else files="out/r/manuscript.pdf out/r/notes.txt out/r/figures/forest-m.png out/report.pdf"; fi
  for f in $files; do [ -f "$d/$f" ] && truncate -s 4G "$d/$f"; done
  measure "out/: $files, 4 GB sparse files" "$d" 300 "$bin" build -q
done
