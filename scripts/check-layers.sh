#!/usr/bin/env bash
# Fails when a C++ file includes a header of a layer it may not depend on (docs/design.md,
# "Layers"). The build enforces the same order through per-target include paths (vmlab_expose in
# CMakeLists.txt); this check runs before any build and names the file, the line and the include.
#
#   scripts/check-layers.sh [ROOT]    ROOT defaults to the repository; its git-tracked files
#                                     are checked (every file under ROOT when it is no git tree)
set -euo pipefail
root=${1:-"$(dirname "$0")/.."}
cd "$root"

# Which layers each layer may include besides itself (the whole closure, written out so that a
# reader needs no graph walk). tests/ and bench/ exercise every layer and may include any.
declare -A allowed=(
  [mmu]=""
  [sdm_reference]=""
  [os]="mmu"
  [strace_format]="os mmu"
  [machine]="os mmu sdm_reference"
  [plot]=""
  [timeline]="machine os mmu sdm_reference"
  [trace]="machine strace_format os mmu sdm_reference"
  [options]="trace timeline machine strace_format os mmu sdm_reference"
  [lua]="options plot trace timeline machine strace_format os mmu sdm_reference"
  [cli]="lua options plot trace timeline machine strace_format os mmu sdm_reference"
  [fuzz]="strace_format os mmu sdm_reference"
  [tests]="*"
  [bench]="*"
)

# The layer a path (a file or an include spelled from the root) belongs to, in $layer; empty
# when the folder is no layer. emulator/ itself is the machine; its subfolders are layers above.
layer_of() {
  case "$1" in
    mmu/reference/*) layer=sdm_reference ;;
    mmu/*/*) layer="" ;;
    mmu/*) layer=mmu ;;
    os/*) layer=os ;;
    emulator/strace_format/*) layer=strace_format ;;
    emulator/plot/*) layer=plot ;;
    emulator/timeline/*) layer=timeline ;;
    emulator/trace/*) layer=trace ;;
    emulator/options/*) layer=options ;;
    emulator/lua/*) layer=lua ;;
    emulator/cli/*) layer=cli ;;
    emulator/*/*) layer="" ;;
    emulator/*) layer=machine ;;
    fuzz/*) layer=fuzz ;;
    tests/*) layer=tests ;;
    bench/*) layer=bench ;;
    *) layer="" ;;
  esac
}

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  list_sources() { git ls-files -z --cached --others --exclude-standard -- 'mmu' 'os' 'emulator' 'fuzz' 'tests' 'bench'; }
else
  list_sources() { find mmu os emulator fuzz tests bench -type f -print0 2>/dev/null || true; }
fi

errors=0
report() {
  echo "check-layers: $1:$2: #include \"$3\": $4" >&2
  errors=$((errors + 1))
}

while IFS= read -r -d '' file; do
  case "$file" in *.cpp | *.h | *.inc) ;; *) continue ;; esac
  layer_of "$file"
  from=$layer
  [ -n "$from" ] || { report "$file" 0 "-" "the file is in no layer (add its folder here)"; continue; }
  while IFS=: read -r line text; do
    include=${text#*\"}
    include=${include%%\"*}
    case "$include" in
      */*) ;;
      *) report "$file" "$line" "$include" "spell includes from the repository root (\"os/x.h\")"
         continue ;;
    esac
    case "$include" in
      ../* | ./* | */../*) report "$file" "$line" "$include" "no relative paths: spell it from the root"
                           continue ;;
    esac
    layer_of "$include"
    to=$layer
    if [ -z "$to" ]; then
      report "$file" "$line" "$include" "the header is in no layer"
    elif [ "$to" != "$from" ] && [ "${allowed[$from]}" != "*" ] &&
         [[ " ${allowed[$from]} " != *" $to "* ]]; then
      report "$file" "$line" "$include" \
        "layer '$from' may not include layer '$to' (it may include: ${allowed[$from]:-nothing else})"
    fi
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" || true)
done < <(list_sources)

if [ "$errors" -ne 0 ]; then
  echo "check-layers: $errors include(s) break the layer order (docs/design.md, \"Layers\")" >&2
  exit 1
fi
echo "check-layers: every include follows the layer order"
