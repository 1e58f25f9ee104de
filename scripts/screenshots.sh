#!/usr/bin/env bash
# Save a PNG of every console view: runs the real keydesk console on demo data under a virtual
# X server (Xvfb), where `keydesk --demo --screenshots DIR` shows each view in turn, writes
# DIR/<view>.png itself and exits 0 (non-zero on failure).
#
# Usage: scripts/screenshots.sh [OUTPUT_DIR]     (default: target/screenshots under the repo root)
set -euo pipefail

# Resolve a given output directory against the caller's working directory, before moving.
if [[ $# -gt 0 ]]; then
    dir=$(realpath -m -- "$1")
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."    # the repo root: cargo and target/ paths are relative to it
dir=${dir:-$PWD/target/screenshots}

if ! command -v xvfb-run >/dev/null 2>&1; then
    echo "error: xvfb-run not found; on Debian/Ubuntu install it with: sudo apt-get install xvfb xauth" >&2
    exit 1
fi

cargo build --release
bin="${CARGO_TARGET_DIR:-target}/release/keydesk"

mkdir -p -- "$dir"
# Only count PNGs written by this run, not ones left over in the folder.
stamp=$(mktemp)
trap 'rm -f -- "$stamp"' EXIT

# Xvfb has no GPU: make Mesa use its software rasteriser (llvmpipe) for eframe's glow (OpenGL) renderer.
export LIBGL_ALWAYS_SOFTWARE=1
# From a Wayland session winit would open the window on the real desktop, not on Xvfb's X display.
unset WAYLAND_DISPLAY
# -a picks a free display number; the timeout stops a hung window from blocking CI forever.
status=0
timeout -k 10 180 xvfb-run -a -s '-screen 0 1280x800x24' "$bin" --demo --screenshots "$dir" || status=$?
if [[ $status -ne 0 ]]; then
    [[ $status -eq 124 ]] && echo "error: keydesk did not finish within 180 s" >&2
    echo "error: keydesk --demo --screenshots exited with status $status" >&2
    exit 1
fi

mapfile -t pngs < <(find "$dir" -maxdepth 1 -type f -name '*.png' -newer "$stamp" | sort)
if [[ ${#pngs[@]} -eq 0 ]]; then
    echo "error: keydesk exited 0 but wrote no PNG in $dir" >&2
    exit 1
fi
ls -l -- "${pngs[@]}"
echo "Wrote ${#pngs[@]} screenshot(s) to $dir"
