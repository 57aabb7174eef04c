#!/usr/bin/env bash
# Checks `pip install metareport` end to end on this machine: builds the Python wheel that
# carries the binary (maturin, pyproject.toml), installs it into a new virtual environment,
# runs the tutorial from a directory outside the repository with the installed command
# (`metareport init`, `metareport build`, the PDF in out/), and prints the wheel's size.
#
# Run by hand, not in CI: it links metareport once more (maturin reuses target/, so only the
# metareport crate itself is compiled; nice'd). Needs python3 with venv and pip; maturin is
# taken from PATH, or installed from PyPI into a throwaway venv. The wheel is left in
# target/wheels/.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/metareport-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT

if command -v maturin >/dev/null 2>&1; then
    maturin=maturin
else
    python3 -m venv "$work/build-venv"
    "$work/build-venv/bin/pip" install --quiet 'maturin>=1.9,<2'
    maturin="$work/build-venv/bin/maturin"
fi
echo "== building the wheel ($("$maturin" --version))"
start=$(date +%s)
(cd "$repo" && nice -n 10 "$maturin" build --release --out "$work/dist")
echo "built in $(($(date +%s) - start)) s"
wheels=("$work"/dist/metareport-*.whl)
[ ${#wheels[@]} -eq 1 ] || { echo "expected one wheel, found ${wheels[*]}" >&2; exit 1; }
wheel=${wheels[0]}

echo "== installing $(basename "$wheel") into a new venv"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --no-index "$wheel"
# shellcheck disable=SC1091
source "$work/venv/bin/activate"
[ "$(command -v metareport)" = "$work/venv/bin/metareport" ] ||
    { echo "metareport on PATH is $(command -v metareport), not the venv's" >&2; exit 1; }

echo "== the tutorial, outside the repository ($work/tutorial)"
mkdir "$work/tutorial"
cd "$work/tutorial"
metareport --version
metareport init my-review
cd my-review
metareport build
pdf=out/example/manuscript.pdf
[ "$(head -c 5 "$pdf")" = "%PDF-" ] || { echo "$pdf is not a PDF" >&2; exit 1; }
metareport build --check
metareport completions bash | grep -q 'metareport,build)' || { echo "no bash completion" >&2; exit 1; }
metareport man | grep -q '^\.SH SYNOPSIS' || { echo "no manual page" >&2; exit 1; }
(cd out && find . -type f | sort | sed 's|^\./|  out/|')

mkdir -p "$repo/target/wheels"
cp "$wheel" "$repo/target/wheels/"
echo "== ok"
echo "wheel: target/wheels/$(basename "$wheel")"
echo "wheel size: $(stat -c %s "$wheel") bytes ($(du -h "$wheel" | cut -f1))"
echo "installed binary: $(stat -c %s "$work/venv/bin/metareport") bytes"
echo "PDF: $(stat -c %s "$pdf") bytes"
