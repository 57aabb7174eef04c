#!/usr/bin/env python3
"""The edit loop as a `watch` user lives it (issue 17): the default project copied to a
temporary directory, `metareport watch` started on it, then bcg's tau2 estimator switched
REML <-> DL N times (default 6), 1.5 s apart. For each edit: the time from the file written
to watch's "built" line (what the user waits for: noticing the change, the quiet period, the
build) and the build's own time as watch reports it (a warm process: fonts, typst's caches
and the CSL locales are already loaded, unlike a one-off `build`).

    cargo build --release && benches/watch_edit.py [N]
    BIN=/path/to/other/metareport benches/watch_edit.py      (compare two binaries)

Measured 2026-12-03 13:40 (idle, 2 cores), 6 edits each: the session's base (b87c191; watch
polling every 300 ms by content, 300 ms quiet) edit->built 591-704 ms, of which the build
290-400 ms; now (polling every 100 ms by metadata, 100 ms quiet; outputs written over the
build's threads, GOSH on its own thread) 364-478 ms, the build 250-370 ms. Issue 17 asks
< 150 ms for the build: bcg's five 500-dpi submission TIFFs are ~42% of its CPU (perf), the
figures' PNGs (drawn for figures/ and the Word files) ~25%, typst ~12%.
"""
import os, re, shutil, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.environ.get("BIN", os.path.join(root, "target/release/metareport"))
n = int(sys.argv[1]) if len(sys.argv) > 1 else 6
work = tempfile.mkdtemp()
try:
    for d in ("analyses", "templates"):
        if os.path.isdir(os.path.join(root, d)):
            shutil.copytree(os.path.join(root, d), os.path.join(work, d))
    p = subprocess.Popen([binary, "watch"], cwd=work, stderr=subprocess.PIPE,
                         stdout=subprocess.DEVNULL)
    os.set_blocking(p.stderr.fileno(), False)
    buf = ""

    def built(timeout=120):
        """The build time watch reports next, in seconds."""
        global buf
        t = time.time()
        while time.time() - t < timeout:
            try:
                buf += os.read(p.stderr.fileno(), 1 << 16).decode("utf-8", "replace")
            except BlockingIOError:
                pass
            m = re.search(r"metareport: (?:built|\d+ outputs up to date)[^\n]*\((\d+(?:\.\d+)?) (m?s)\)\n", buf)
            if m:
                buf = buf[m.end():]
                return float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)
            time.sleep(0.002)
        sys.exit("watch built nothing within %d s:\n%s" % (timeout, buf))

    built()  # the first, cold build
    spec = os.path.join(work, "analyses/bcg.yaml")
    print("binary: %s" % binary)
    print("| edit | edit -> built | the build (as watch reports it) |")
    print("|---|---|---|")
    for i in range(n):
        time.sleep(1.5)
        s = open(spec).read()
        s = s.replace("tau2: REML", "tau2: XX").replace("tau2: DL", "tau2: REML").replace("tau2: XX", "tau2: DL")
        t0 = time.time()
        with open(spec, "w") as f:
            f.write(s)
        b = built()
        print("| bcg tau2 %d | %.0f ms | %.0f ms |" % (i + 1, (time.time() - t0) * 1000, b * 1000))
    p.kill()
finally:
    shutil.rmtree(work, ignore_errors=True)
