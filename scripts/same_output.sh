#!/usr/bin/env bash
# Build the demo sites from two git revisions and compare the outputs byte for byte.
#
#   scripts/same_output.sh REV_A [REV_B]      (REV_B defaults to the working tree's HEAD)
#
# Each revision is checked out with `git worktree add` into a temporary folder and built there
# (its own code, plans/ and theme) with this checkout's virtualenv, fixed secrets and a fixed
# --today. Prints "identical" and exits 0, or lists the differing files and exits 1. Used to
# show that a refactoring (moving modules, renaming, splitting) changes no byte of any site.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
rev_a="${1:?usage: same_output.sh REV_A [REV_B]}"
rev_b="${2:-HEAD}"
work="$(mktemp -d)"
trees=()
cleanup() {
  for tree in "${trees[@]}"; do git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

export SITE_BUILDER_LINK_SECRET=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
export SITE_BUILDER_SALT_SECRET=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210
export NORTHWIND_SITE_PASSWORD=correct-horse-battery-staple
export NO_MKDOCS_2_WARNING=1 TZ=UTC LC_ALL=C.UTF-8 PYTHONHASHSEED=0

build() {  # build REV into $work/out-NAME
  local rev="$1" name="$2" tree="$work/tree-$2"
  git -C "$root" worktree add --quiet --detach "$tree" "$rev"
  trees+=("$tree")
  # The revision's own entry points (the MkDocs plugin's module may differ between revisions):
  # a dist-info on PYTHONPATH shadows the one the virtualenv installed.
  "$python" - "$tree" "$work/meta-$name" <<'PY'
import sys, tomllib
from pathlib import Path
tree, meta = Path(sys.argv[1]), Path(sys.argv[2])
project = tomllib.loads((tree / "pyproject.toml").read_text())["project"]
info = meta / "site_builder-0.dist-info"
info.mkdir(parents=True)
(info / "METADATA").write_text("Metadata-Version: 2.1\nName: site-builder\nVersion: 0\n")
lines = [f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in entries.items())
         for group, entries in project.get("entry-points", {}).items()]
lines.append("[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in project["scripts"].items()))
(info / "entry_points.txt").write_text("\n".join(lines))
PY
  (cd "$tree" && PYTHONPATH="$work/meta-$name:$tree" "$python" -c 'import sys; from site_builder.cli import main; sys.exit(main())' \
      build --plans plans --out "$work/out-$name" --today 2026-11-25 --team -j 1 >"$work/log-$name" 2>&1) \
    || { echo "build of $rev failed:" >&2; cat "$work/log-$name" >&2; exit 2; }
}
build "$rev_a" a
build "$rev_b" b
# The shared store names files by their source path (each tree has its own): compare the
# sites, whose files are links into it, not the store itself.
if diff -rq -x .site-builder-assets "$work/out-a" "$work/out-b" >"$work/diff"; then
  echo "identical: $rev_a and $rev_b build the same demo output ($(find "$work/out-a" -type f | wc -l) files)"
else
  echo "different: $rev_a and $rev_b build different demo output:"
  sed "s#$work/out-a#A#g; s#$work/out-b#B#g" "$work/diff"
  exit 1
fi
