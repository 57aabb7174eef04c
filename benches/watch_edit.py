#!/usr/bin/env python3
"""The edit loop as a `watch` user lives it (issue 17): the default project copied to a
temporary directory, `metareport watch` started on it, then bcg's tau2 estimator switched
REML <-> DL N times (default 6), 1.5 s apart. For each edit: the time from the file written
to watch's "built" line (what the user waits for: noticing the change, the quiet period, the
build) and the build's own time as watch reports it (a warm process: fonts, typst's caches
and the CSL locales are already loaded, unlike a one-off `build`).

    cargo build --release && benches/watch_edit.py [N]
    BIN=/path/to/other/metareport benches/watch_edit.py      (compare two binaries)

Measured 2026-12-03 (2 cores; a fresh-clone CI running beside, so builds were slow): watch
polling every 300 ms by content with a 300 ms quiet period (c7e0f17): edit->built 0.88-1.09 s,
of which the build 0.57-0.78 s (0.31 s waiting); polling every 100 ms by metadata, 100 ms
quiet: 0.64-0.98 s, of which the build 0.53-0.86 s (0.11-0.12 s waiting).
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
                         stdout=subprocess.DEVNULL, text=True, bufsize=1)
    os.set_blocking(p.stderr.fileno(), False)
    buf = ""

    def built(timeout=120):
        """The build time watch reports next, in seconds."""
        global buf
        t = time.time()
        while time.time() - t < timeout:
            buf += p.stderr.read() or ""
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
