#!/usr/bin/env bash
# The side-by-side benchmark in one command: installs Prosody and ejabberd from
# Debian if missing, builds Shopkeep and the generator (release), then runs every
# scenario against every system in alternating rounds — the server pinned to core 0
# by the generator, the generator itself to core 1 — measures the widget in
# Chromium, and writes docs/benchmarks.md and docs/benchmarks.svg.
#
#   scripts/bench/run.sh                                   # 3 rounds, full sizes (make bench)
#   BENCH_ROUNDS=1 BENCH_SCALE=small BENCH_TRIAL="why" scripts/bench/run.sh   # a short trial
#
# BENCH_SHOPKEEP_BIN / BENCH_BIN use existing binaries instead of building.
# Every server is a child of the generator and is stopped after its run.
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=${BENCH_ROUNDS:-3}
scale=${BENCH_SCALE:-full}
out_dir=target/bench
results=$out_dir/results.jsonl
mkdir -p "$out_dir"
# The generator holds up to 18k sockets, and so does the server it starts.
ulimit -n "$(ulimit -Hn)"

scripts/bench/install-peers.sh

if [ -z "${BENCH_SHOPKEEP_BIN:-}" ] || [ -z "${BENCH_BIN:-}" ]; then
  cargo build --release --locked -p shopkeep -p shopkeep-bench
fi
shopkeep_bin=${BENCH_SHOPKEEP_BIN:-target/release/shopkeep}
bench_bin=${BENCH_BIN:-target/release/shopkeep-bench}

case $scale in
  full)
    idle=(--connections 18000 --seconds 20)
    chat=(--pairs 200 --operators 4 --rate 10000 --seconds 15)
    chat_max=(--pairs 200 --operators 4 --rate 1000 --probe-seconds 5 --seconds 15)
    pageviews=(--connections 4000 --rate 30000 --seconds 20)
    presence=(--consoles 8 --visitors 4000 --pages-per-visitor 1 --seconds 20)
    # A rate Shopkeep sustains: the profile shows its steady work, not its queues.
    profile_chat=(--pairs 200 --operators 4 --rate 2500 --seconds 15)
    ;;
  small)
    idle=(--connections 300 --seconds 5)
    chat=(--pairs 20 --operators 2 --rate 400 --seconds 3)
    chat_max=(--pairs 20 --operators 2 --rate 500 --probe-seconds 1 --seconds 3)
    pageviews=(--connections 100 --rate 800 --seconds 3)
    presence=(--consoles 2 --visitors 100 --pages-per-visitor 1 --seconds 3)
    profile_chat=("${chat[@]}")
    ;;
  *) echo "BENCH_SCALE is full or small" >&2; exit 2 ;;
esac

[ -f "$results" ] && mv "$results" "$results.previous"
rm -f "$out_dir/failures.txt"

bench() {
  local system=$1 round=$2; shift 2
  # A failed run is reported and left out; the others still count.
  taskset -c 1 "$bench_bin" run --system "$system" --round "$round" --server-cpu 0 \
    --shopkeep-bin "$shopkeep_bin" --scripts scripts/bench --out "$results" "$@" >/dev/null \
    || echo "FAILED: $system round $round $*" | tee -a "$out_dir/failures.txt" >&2
}

systems=(shopkeep prosody ejabberd)
for round in $(seq 1 "$rounds"); do
  # Alternate the order, so no system always runs first (or on a warmer machine).
  offset=$(( (round - 1) % ${#systems[@]} ))
  order=("${systems[@]:offset}" "${systems[@]:0:offset}")
  for system in "${order[@]}"; do
    echo "round $round: $system"
    bench "$system" "$round" --scenario idle "${idle[@]}"
    bench "$system" "$round" --scenario chat "${chat[@]}"
    bench "$system" "$round" --scenario chat-max "${chat_max[@]}"
    if [ "$system" = shopkeep ]; then
      bench "$system" "$round" --scenario pageviews "${pageviews[@]}"
      bench "$system" "$round" --scenario presence "${presence[@]}"
    else
      # The peers again with a message archive on SQLite: persistence closer to Shopkeep's.
      bench "$system" "$round" --scenario chat-max --peer-archive "${chat_max[@]}"
    fi
  done
done

# Where Shopkeep's CPU goes, from a separate chat run (perf slows it a little, so
# this run is not among the measured ones).
profile=()
if [ "${BENCH_PROFILE:-1}" != 0 ] && command -v perf >/dev/null; then
  rm -f "$out_dir/perf.data"
  if taskset -c 1 "$bench_bin" run --system shopkeep --server-cpu 0 --shopkeep-bin "$shopkeep_bin" \
      --out "$out_dir/profile-run.jsonl" --profile "$out_dir/perf.data" --scenario chat "${profile_chat[@]}" >/dev/null \
    && { perf report -i "$out_dir/perf.data" --stdio --no-children --percent-limit 1 -g none --sort comm,dso
         perf report -i "$out_dir/perf.data" --stdio --no-children --percent-limit 0.7 -g none --sort dso,symbol
       } > "$out_dir/profile.txt" 2>/dev/null; then
    profile=(--profile "$out_dir/profile.txt")
  fi
fi

widget=()
if command -v chromium >/dev/null && [ -d web/node_modules/playwright-core ]; then
  runs=7; [ "$scale" = small ] && runs=3
  taskset -c 1 node scripts/bench/widget.mjs --bin "$shopkeep_bin" --out "$out_dir/widget.json" --runs "$runs"
  widget=(--widget "$out_dir/widget.json")
fi

trial=()
[ -n "${BENCH_TRIAL:-}" ] && trial=(--trial "$BENCH_TRIAL")
[ -s "$out_dir/failures.txt" ] && trial+=(--failures "$out_dir/failures.txt")
"$bench_bin" report --results "$results" "${widget[@]}" "${profile[@]}" "${trial[@]}" \
  --analysis scripts/bench/analysis.md \
  --shopkeep-bin "$shopkeep_bin" --command "BENCH_ROUNDS=$rounds BENCH_SCALE=$scale scripts/bench/run.sh"
