# wrk runs shared by the benchmarks (sourced after services.sh, with $work, $connections, $seconds,
# $warmup, $api and $api_port set).
#   run name port paths pid [server]  ->  "req/s p99 cpu [server-cpu]"
# WRK_SCRIPT names another wrk script than bench/lib/paths.lua (which requests the paths listed in the file $PATHS).

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # user + system time of a process, in 1/100 s

# The same for a server and its children, those running and those it has reaped (PostgreSQL's
# backends and parallel workers: pid is the postmaster's).
server_ticks() {
  local ticks child
  ticks=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat")
  for child in $(pgrep -P "$1"); do ticks=$((ticks + $(cpu_ticks "$child" 2>/dev/null || echo 0))); done
  echo "$ticks"
}

jit_seconds() { curl -s "http://127.0.0.1:$api_port/metrics" | awk '$1 == "system_runtime_dotnet_jit_compilation_time" { print $2 }'; }

# name port paths pid: load until the JIT is done (the API) or for $warmup seconds (the baseline).
warm_up() {
  if [ "$4" != "$api" ]; then
    PATHS="$work/$3" wrk -t2 -c"$connections" -d"${warmup}s" -s "${WRK_SCRIPT:-bench/lib/paths.lua}" "http://127.0.0.1:$2" >/dev/null
    return
  fi
  local round before after
  for round in $(seq 12); do
    before=$(jit_seconds)
    PATHS="$work/$3" wrk -t2 -c"$connections" -d10s -s "${WRK_SCRIPT:-bench/lib/paths.lua}" "http://127.0.0.1:$2" >/dev/null
    after=$(jit_seconds)
    [ "$(echo "$after - $before < 0.1" | bc -l)" = 1 ] && { echo "  $1: warm after $((round * 10)) s (JIT $(printf '%.2f' "$(echo "$after - $before" | bc -l)") s in the last round)" >&2; return; }
  done
  echo "  $1: the JIT was still compiling after 120 s ($(printf '%.2f' "$(echo "$after - $before" | bc -l)") s in the last round)" >&2
}

# name port paths pid [server] -> "req/s p99 cpu [server-cpu]": cpu is the server process's CPU time per
# request in microseconds, a figure the other processes on these cores disturb less than req/s; with a
# second server's pid (PostgreSQL's postmaster), that server's CPU time per request too (server_ticks).
run() {
  warm_up "$@"
  local server=${5:-} before ticks server_before server_used=
  before=$(cpu_ticks "$4")
  [ -z "$server" ] || server_before=$(server_ticks "$server")
  PATHS="$work/$3" wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "${WRK_SCRIPT:-bench/lib/paths.lua}" "http://127.0.0.1:$2" >"$work/$1.wrk"
  ticks=$(( $(cpu_ticks "$4") - before ))
  [ -z "$server" ] || server_used=$(( $(server_ticks "$server") - server_before ))
  awk -v ticks="$ticks" -v server="$server_used" '/requests in/ { n = $1 } /Requests\/sec/ { rps = $2 } $1 == "99%" { p99 = $2 }
    END { printf "%s %s %d", rps, p99, ticks * 10000 / n; if (server != "") printf " %d", server * 10000 / n; printf "\n" }' "$work/$1.wrk"
}
