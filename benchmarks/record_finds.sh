#!/usr/bin/env bash
# Record what fixed-seed campaigns find and shrink: signature, shrunk flag, conversation sha.
# usage: benchmarks/record_finds.sh VENV_BIN OUTFILE  (run it on two revisions and diff the files:
# a refactor must leave every line as it was)
set -u
bin=$1; out=$2; : > "$out"
for variant in MissingTrigger NarrowTimeout RetryOffByOne JsonNumberArgs UnicodeWhitespace Crash AsciiLowercase LostAlternative; do
  for seed in 1 2; do
    dir=$(mktemp -d)
    "$bin/signals-fuzz" campaign --reference py:fuzz.examples.analyzer:ExampleAnalyzer \
        --candidate py:fuzz.examples.variants:$variant --workers 1 --max-examples 40 --seed $seed \
        --corpus "$dir/corpus" --shrunk "$dir/shrunk" --database none >/dev/null 2>"$dir/err"
    for f in "$dir"/corpus/*.json; do
      [ -e "$f" ] || continue
      "$bin/python" -c "
import json,sys,hashlib
d=json.load(open(sys.argv[1]))
m=json.dumps(d['input']['messages'],sort_keys=True)
print(sys.argv[2], sys.argv[3], d['signature'], d['shrunk'], hashlib.sha256(m.encode()).hexdigest()[:12], len(d['input']['messages']))
" "$f" "$variant" "$seed" >> "$out"
    done
    rm -rf "$dir"
  done
done
