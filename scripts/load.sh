#!/usr/bin/env bash
# Intake under load, measured with a load generator nobody here wrote (wrk, Debian's package):
# a release `replyby serve` on SQLite and on PostgreSQL, at 1, 16 and 64 connections, every
# request a new idempotency key. Prints requests/s, p50/p99/p99.9 latency, the server's peak
# RSS, and checks that every 201 is in the store exactly once.
#
#   scripts/load.sh [SECONDS]        (default 10 s per run; REPLYBY_LOAD_STORES="sqlite postgres")
#   REPLYBY_LOAD_PROFILE=1 scripts/load.sh   also samples the server with Linux `perf` during each
#                                            64-connection run (Debian's linux-perf, installed if
#                                            missing) and writes where its CPU time goes to
#                                            target/load-profile/<store>-64.txt (by binary/library and
#                                            by function, flat: the release build has no frame pointers)
#
# The server runs on the real clock (a release build refuses --test-clock; whether New York is
# open only decides between an open and a deferred answer, both one transaction), its rate
# limit off. Installs wrk and PostgreSQL (Debian) if missing; the PostgreSQL cluster is a
# throwaway one (scripts/pg.sh) in its own directory, destroyed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
stores="${REPLYBY_LOAD_STORES:-sqlite postgres}"
if ! command -v wrk >/dev/null; then
  echo "load.sh: installing wrk (apt-get install wrk)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
fi
profile="${REPLYBY_LOAD_PROFILE:-0}"
if [ "$profile" = 1 ] && ! command -v perf >/dev/null; then
  echo "load.sh: installing perf (apt-get install linux-perf)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >&2
fi
cargo build -p replyby --release --locked -q
bin="$PWD/target/release/replyby"
work="$(mktemp -d /tmp/replyby-load.XXXXXX)"
chmod 755 "$work" # the PostgreSQL cluster inside belongs to the postgres user when we are root
export REPLYBY_PG_DIR="$work/pg"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  case " $stores " in *" postgres "*) scripts/pg.sh destroy >/dev/null 2>&1 || true ;; esac
  rm -rf "$work"
}
trap cleanup EXIT

pg=""
case " $stores " in *" postgres "*) pg="$(scripts/pg.sh start)" ;; esac

# Every 201's id is in the store, once (ids are the primary key; a 201 answered twice would
# show as a repeated id). The store may hold a few more rows than wrk counted 201s: requests in
# flight when wrk stops are committed, but their answers are never read. At most one per
# connection.
check_store() { # store db ids-file connections
  local got
  if [ "$1" = sqlite ]; then
    got="$(python3 -c 'import sqlite3,sys; print("\n".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT id FROM requests")))' "$2")"
  else
    got="$(psql -At "$2" -c "SELECT id FROM requests")"
  fi
  local want_n uniq_n got_n missing
  want_n="$(wc -l < "$3")"; uniq_n="$(sort -u "$3" | wc -l)"; got_n="$(printf '%s\n' "$got" | grep -c . || true)"
  missing="$(comm -23 <(sort "$3") <(printf '%s\n' "$got" | sort) | wc -l)"
  if [ "$want_n" != "$uniq_n" ] || [ "$missing" != 0 ] || [ $((got_n - want_n)) -gt "$4" ]; then
    echo "load.sh: $1: $want_n 201s ($uniq_n distinct ids, $missing not in the store), $got_n rows in the store" >&2
    exit 1
  fi
  echo "$want_n of $got_n rows"
}

printf '| store | connections | requests/s | p50 ms | p99 ms | p99.9 ms | peak RSS MB | 201s (each in the store once) of rows |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for store in $stores; do
  for conns in 1 16 64; do
    run="$store-$conns"
    mkdir -p "$work/$run"
    if [ "$store" = sqlite ]; then
      db="$work/$run/q.db"
    else
      name="load_${conns}"
      PGOPTIONS="-c client_min_messages=warning" psql -q "$pg" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
      db="${pg%/postgres}/$name"
    fi
    "$bin" serve --db "$db" --listen 127.0.0.1:0 --rate-limit 0 --static-dir /nonexistent \
      > "$work/$run/serve.out" 2> "$work/$run/serve.err" &
    server=$!
    for _ in $(seq 100); do grep -q 'http://' "$work/$run/serve.out" 2>/dev/null && break; sleep 0.1; done
    url="$(grep -o 'http://[^ ]*' "$work/$run/serve.out" | head -n 1)"
    [ -n "$url" ] || { echo "load.sh: replyby serve did not start:" >&2; cat "$work/$run/serve.err" >&2; exit 1; }
    threads=$(( conns < 2 ? 1 : 2 ))
    sampler=""
    if [ "$profile" = 1 ] && [ "$conns" = 64 ]; then
      perf record -q -F 999 -p "$server" -o "$work/$run/perf.data" -- sleep "$secs" >/dev/null 2>&1 &
      sampler=$!
    fi
    line="$(OUT="$work/$run" RUN="$run" wrk -t "$threads" -c "$conns" -d "${secs}s" --timeout 10s -s scripts/load.lua "$url" | grep '^RESULT')"
    if [ -n "$sampler" ]; then
      wait "$sampler" || true
      mkdir -p target/load-profile
      { echo "# replyby serve ($store, $conns connections, ${secs} s): CPU samples by binary or library"
        perf report -i "$work/$run/perf.data" --stdio --no-children --sort dso 2>/dev/null | grep -v '^#' | sed -n '/./p' | sed -n 1,12p || true
        echo; echo "# by function (top 40)"
        perf report -i "$work/$run/perf.data" --stdio --no-children --sort dso,sym 2>/dev/null | grep -v '^#' | sed -n '/./p' | sed -n 1,40p || true
      } > "target/load-profile/$run.txt"
      echo "load.sh: profile of $run in target/load-profile/$run.txt" >&2
    fi
    rss_kb="$(awk '/VmHWM/ {print $2}' "/proc/$server/status")"
    kill "$server"; wait "$server" 2>/dev/null || true; server=""
    cat "$work/$run"/ids-*.txt > "$work/$run/ids"
    found="$(check_store "$store" "$db" "$work/$run/ids" "$conns")"
    get() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$line"; }
    if [ "$(get other)" != 0 ] || [ "$(get errors)" != 0 ]; then
      echo "load.sh: $run: $(get other) answers were not 201, $(get errors) socket errors" >&2
    fi
    ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
    printf '| %s | %s | %s | %s | %s | %s | %.1f | %s |\n' "$store" "$conns" "$(get rps)" "$(ms "$(get p50)")" \
      "$(ms "$(get p99)")" "$(ms "$(get p999)")" "$(awk -v k="$rss_kb" 'BEGIN { print k / 1024 }')" "$found"
  done
done
