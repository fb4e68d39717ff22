#!/bin/bash
# Merges the results of the N shares of a batch job into one file, after checking that the job is done:
#   merge-results.sh PREFIX N OUT [LIST]
# reads PREFIX-<i>-of-<N>.jsonl and its .state.json for i = 0..N-1 (as crnn-indexed-job.yaml and crnn-array.sbatch
# name them) and writes OUT. Refuses, naming the share, when a share is missing or unfinished, was run with other
# settings or another --shard, or its file changed since it finished. With LIST (the --input list file), also checks
# that the merged rows are as many as the list's entries.
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  echo "usage: merge-results.sh PREFIX N OUT [LIST]" >&2
  exit 2
fi
prefix=$1 shards=$2 out=$3 list=${4:-}

files=()
for ((i = 0; i < shards; i++)); do files+=("$prefix-$i-of-$shards.jsonl"); done

# The done-check: every share finished, with the same command, input and settings, and the shard its name says.
# Prints the rows the shares' states count.
expected=$(python3 - "$shards" "${files[@]}" <<'PY'
import json, os, sys
shards, files = int(sys.argv[1]), sys.argv[2:]
first, rows = None, 0
for i, results in enumerate(files):
    state_path = results + ".state.json"
    if not os.path.exists(state_path):
        sys.exit(f"merge-results: {state_path} is missing: share {i} has not run")
    state = json.load(open(state_path))
    if not state["finished"]:
        sys.exit(f"merge-results: {results}: share {i} is not finished ({state['rows']} rows so far); run it again with --resume")
    if state["shard"] != f"{i}/{shards}":
        sys.exit(f"merge-results: {results} holds shard {state['shard']}, not {i}/{shards}")
    if os.path.getsize(results) != state["bytes"]:
        sys.exit(f"merge-results: {results} changed since its job finished")
    job = (state["command"], state["input"], state["settings"])
    if first is None:
        first = job
    elif job != first:
        sys.exit(f"merge-results: {results} was made by another job (command, input or settings differ from share 0)")
    rows += state["rows"]
print(rows)
PY
)

# Whole lines only (each share ends with one), so plain concatenation is the merge. Written beside OUT, then renamed.
cat "${files[@]}" > "$out.partial"
rows=$(wc -l < "$out.partial")
if [ "$rows" -ne "$expected" ]; then
  rm -f "$out.partial"
  echo "merge-results: $rows rows merged, but the shares' states count $expected" >&2
  exit 1
fi
if [ -n "$list" ]; then
  entries=$(grep -cvE '^[[:space:]]*(#|$)' "$list" || true)
  if [ "$rows" -ne "$entries" ]; then
    rm -f "$out.partial"
    echo "merge-results: $rows rows merged, but $list has $entries entries" >&2
    exit 1
  fi
fi
mv "$out.partial" "$out"
echo "merge-results: $out: $rows rows from $shards shares"
