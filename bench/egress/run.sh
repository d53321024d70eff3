#!/bin/sh
# The egress proxy benchmark: `cloudfort egress` against Squid, both forwarding wrk's requests
# to one local nginx serving a small static file, and wrk straight to nginx as the floor. A
# second nginx configured as a plain proxy (proxy_pass with kept-alive upstream connections,
# no policy at all) shows what any proxy costs on the same machine.
#
#   bench/egress/run.sh [BUILD]
#
# Everything listens on 127.0.0.1 and lives in a temporary folder removed at the end: nginx
# (one worker, access log off), Squid (one worker per CPU, as the proxy runs one event loop
# per CPU; its own configuration, pid, logs and no disk cache;
# `cache deny all` so that every request is forwarded, as the proxy does; private
# destinations denied by an ACL, the nginx upstream allowed by an explicit one) and cloudfort
# egress with a policy that allows the upstream (allow_ranges 127.0.0.1/32, its port). Both
# proxies log every request to a file. wrk speaks proxy form through a Lua script that puts the
# absolute URL in the request line.
#
# For each of 8, 64 and 256 connections, each target runs EGRESS_BENCH_RUNS times (default 3,
# in rounds that visit every target once) for EGRESS_BENCH_SECONDS seconds (default 10); the
# medians of requests/s and of wrk's p50 and p99 latency are quoted, with cloudfort/Squid and
# the p99 each proxy adds over direct. Then 10,000 idle client connections are opened to
# cloudfort (bench/egress/idle.py) and its resident set size is read from /proc.
#
# Goals (DESIGN.md, "Performance goals"): at least Squid's requests/s (the design aims for 2x),
# at most 1 ms of added p99 over direct, at most 64 MB RSS with 10,000 idle connections. A
# missed goal is reported, not an error. Installs nothing: scripts/install-deps.sh --bench
# brings squid, nginx and wrk.
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
bin=$build/cloudfort
runs=${EGRESS_BENCH_RUNS:-3}
secs=${EGRESS_BENCH_SECONDS:-10}
idle_n=${EGRESS_BENCH_IDLE:-10000}
# 64 and 256 connections saturate both CPUs (wrk, nginx and the proxy share them); 8 shows the
# latency a proxy adds when the machine is not saturated.
conns_list=${EGRESS_BENCH_CONNS:-8 64 256}

die() {
  echo "egress bench: $*" >&2
  exit 2
}

[ -x "$bin" ] || die "$bin not found; build it first (make BUILD=$build)"
ncpu=$(nproc)
for tool in wrk nginx squid python3 curl; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || die "$tool is missing (scripts/install-deps.sh --bench)"
done
PATH=$PATH:/usr/sbin
ulimit -n "$(ulimit -Hn)" 2>/dev/null

work=$(mktemp -d /tmp/cloudfort-egress-bench.XXXXXX) || die "mktemp failed"
chmod 755 "$work"
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null; done
  for p in $pids; do wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() { # wait_port PORT NAME
  i=0
  while ! python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), timeout=1)" 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -lt 100 ] || die "$2 did not start listening on port $1"
    sleep 0.1
  done
}

# nginx_start NAME WORKERS PORT HTTP_LINES: an nginx of its own in $work/NAME (access log
# off, keep-alive without limits) with HTTP_LINES inside its http block.
nginx_start() {
  d="$work/$1"
  mkdir -p "$d/tmp"
  cat > "$d/nginx.conf" <<EOF
worker_processes $2;
daemon off;
master_process on;
user root;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
$4
}
EOF
  nginx -c "$d/nginx.conf" -p "$d" > "$d/stdout" 2>&1 &
  pids="$pids $!"
  wait_port "$3" "nginx ($1)"
}

# ---- nginx: a 1 KiB static file ----
nginx_port=$(free_port)
mkdir -p "$work/nginx/www"
head -c 1024 /dev/zero | tr '\0' 'x' > "$work/nginx/www/file.txt"
nginx_start nginx 1 "$nginx_port" "  server { listen 127.0.0.1:$nginx_port; root $work/nginx/www; }"
url="http://127.0.0.1:$nginx_port/file.txt"

# ---- nginx as a plain proxy (the cost of proxying, with no policy) ----
ngp_port=$(free_port)
nginx_start ngp "$ncpu" "$ngp_port" "  upstream bench_upstream { server 127.0.0.1:$nginx_port; keepalive 1024; }
  server {
    listen 127.0.0.1:$ngp_port;
    location / { proxy_pass http://bench_upstream; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
  }"

# ---- squid ----
squid_port=$(free_port)
mkdir -p "$work/squid"
chown proxy:proxy "$work/squid" 2>/dev/null
cat > "$work/squid/squid.conf" <<EOF
http_port 127.0.0.1:$squid_port
workers $ncpu
pid_filename $work/squid/squid.pid
cache_log $work/squid/cache.log
access_log stdio:$work/squid/access.log
coredump_dir $work/squid
cache_effective_user proxy
cache deny all
cache_mem 0 MB
shutdown_lifetime 1 seconds
max_filedescriptors 65536
client_persistent_connections on
server_persistent_connections on
acl bench_client src 127.0.0.1/32
acl bench_upstream dst 127.0.0.1/32
acl bench_port port $nginx_port
acl private_dst dst 0.0.0.0/8 10.0.0.0/8 100.64.0.0/10 127.0.0.0/8 169.254.0.0/16 172.16.0.0/12 192.168.0.0/16 fc00::/7 fe80::/10 ::1
http_access allow bench_client bench_upstream bench_port
http_access deny private_dst
http_access allow bench_client
http_access deny all
EOF
# --foreground rather than -N: -N turns SMP workers off.
squid -f "$work/squid/squid.conf" --foreground > "$work/squid/stdout" 2>&1 &
pids="$pids $!"
wait_port "$squid_port" squid

# ---- cloudfort egress ----
cf_port=$(free_port)
cf_metrics=$(free_port)
cat > "$work/policy.yaml" <<EOF
version: 1
default_role: default
roles:
  default:
    mode: enforce
    ports: [$nginx_port]
    allow_ranges: [127.0.0.1/32]
EOF
"$bin" egress --allow-root --listen "127.0.0.1:$cf_port" --metrics "127.0.0.1:$cf_metrics" \
  --policy "$work/policy.yaml" --log "$work/egress.log" 2> "$work/egress.stderr" &
cf_pid=$!
pids="$pids $cf_pid"
wait_port "$cf_port" "cloudfort egress"

# Each path answers before the clock starts.
for via in "" "-x http://127.0.0.1:$squid_port" "-x http://127.0.0.1:$ngp_port" "-x http://127.0.0.1:$cf_port"; do
  # shellcheck disable=SC2086
  code=$(curl -s -o /dev/null -w '%{http_code}' $via "$url")
  [ "$code" = 200 ] || die "a request ${via:-direct} answered $code (see $work)"
done
code=$(curl -s -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$cf_port" "http://169.254.169.254/latest/meta-data/")
[ "$code" = 403 ] || die "cloudfort let the metadata URL through ($code)"

cat > "$work/proxy.lua" <<EOF
-- proxy form: the absolute URL in the request line
wrk.path = "$url"
EOF

# ---- measuring ----
median() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
# to_ms VALUE: wrk's "812.00us", "1.23ms", "1.02s" in milliseconds
to_ms() {
  echo "$1" | awk '{v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /ms$/) v = v; else if ($1 ~ /s$/) v *= 1000; printf "%.3f\n", v}'
}

# wrk_once CONNS TARGET: one wrk run; appends "requests/s p50 p99 errors" to $work/cell-CONNS-TARGET
# (errors: non-2xx responses and socket errors).
wrk_once() {
  case $2 in
    direct) wrk -t2 -c"$1" -d"${secs}s" --latency "$url" > "$work/wrk.txt" 2>&1 ;;
    squid) wrk -t2 -c"$1" -d"${secs}s" --latency -s "$work/proxy.lua" "http://127.0.0.1:$squid_port" > "$work/wrk.txt" 2>&1 ;;
    nginx-proxy) wrk -t2 -c"$1" -d"${secs}s" --latency -s "$work/proxy.lua" "http://127.0.0.1:$ngp_port" > "$work/wrk.txt" 2>&1 ;;
    cloudfort) wrk -t2 -c"$1" -d"${secs}s" --latency -s "$work/proxy.lua" "http://127.0.0.1:$cf_port" > "$work/wrk.txt" 2>&1 ;;
  esac
  r=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt")
  [ -n "$r" ] || die "wrk failed against $2: $(cat "$work/wrk.txt")"
  e=$(awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$work/wrk.txt")
  echo "$r $(to_ms "$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")") $(to_ms "$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")") $e" \
    >> "$work/cell-$1-$2"
}

# cell CONNS TARGET: sets rps, p50, p99 (medians of the runs) and errs (summed)
cell() {
  # shellcheck disable=SC2046
  rps=$(median $(awk '{print $1}' "$work/cell-$1-$2"))
  # shellcheck disable=SC2046
  p50=$(median $(awk '{print $2}' "$work/cell-$1-$2"))
  # shellcheck disable=SC2046
  p99=$(median $(awk '{print $3}' "$work/cell-$1-$2"))
  errs=$(awk '{n += $4} END {print n + 0}' "$work/cell-$1-$2")
}

cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
[ -n "$cpu_model" ] || cpu_model=$(uname -m)
echo "machine     $(nproc) CPUs, $cpu_model, $(uname -sr); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input       GET of a 1 KiB static file from nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), keep-alive, wrk -t2, ${secs}s x $runs runs per cell (medians)"
echo "peers       $(squid -v | head -1 | sed 's/ for .*//') ($ncpu workers); nginx-proxy = nginx proxy_pass ($ncpu workers, no policy); direct = wrk to nginx"
echo "            cloudfort egress: $ncpu event loops (one per CPU, the default)"
printf '%-6s %-12s %12s %10s %10s %8s\n' conns target "requests/s" "p50 ms" "p99 ms" errors
result=""
targets="direct squid nginx-proxy cloudfort"
for conns in $conns_list; do
  # Round by round, every target once per round: a slow minute of a shared machine falls on
  # all of them alike rather than on whichever ran then.
  i=0
  while [ "$i" -lt "$runs" ]; do
    for target in $targets; do wrk_once "$conns" "$target"; done
    i=$((i + 1))
  done
  for target in $targets; do
    cell "$conns" "$target"
    printf '%-6s %-12s %12.0f %10.3f %10.3f %8d\n' "$conns" "$target" "$rps" "$p50" "$p99" "$errs"
    result="$result $conns:$target:$rps:$p50:$p99:$errs"
  done
done

# ---- 10,000 idle connections ----
rss_of() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
rss0=$(rss_of "$cf_pid")
python3 bench/egress/idle.py 127.0.0.1 "$cf_port" "$idle_n" "$cf_metrics" "$cf_pid" > "$work/idle.txt" 2>&1 ||
  echo "idle connections: $(cat "$work/idle.txt")"
rss1=$(awk '/^rss_kb/ {print $2}' "$work/idle.txt")
held=$(awk '/^connections/ {print $2}' "$work/idle.txt")

echo "$result" | tr ' ' '\n' | awk -F: -v rss0="$rss0" -v rss1="${rss1:-0}" -v held="${held:-0}" -v idle_n="$idle_n" -v conns_list="$conns_list" '
NF == 6 { rps[$1, $2] = $3; p50[$1, $2] = $4; p99[$1, $2] = $5; errs += $6 }
END {
  nc = split(conns_list, cl, " ")
  for (i = 1; i <= nc; i++) {
    c = cl[i]
    ratio = rps[c, "squid"] > 0 ? rps[c, "cloudfort"] / rps[c, "squid"] : 0
    added = p99[c, "cloudfort"] - p99[c, "direct"]
    added_sq = p99[c, "squid"] - p99[c, "direct"]
    added_ng = p99[c, "nginx-proxy"] - p99[c, "direct"]
    printf "ratio       %d connections: cloudfort/squid = %.2fx requests/s; added p99 over direct: cloudfort %.3f ms, squid %.3f ms, nginx-proxy %.3f ms\n", c, ratio, added, added_sq, added_ng
    g1 = g1 (ratio >= 1 ? "" : " " c)
    g2 = g2 (added <= 1 ? "" : " " c)
    if (i == 1 || ratio < min_ratio) min_ratio = ratio
  }
  printf "idle        %d connections held: RSS %.1f MB (%.1f MB before, %.0f bytes per connection)\n", held, rss1 / 1024, rss0 / 1024, held ? (rss1 - rss0) * 1024 / held : 0
  printf "goals       >= squid requests/s: %s (worst %.2fx; the design aims for 2x)\n", g1 == "" ? "met" : "MISSED at" g1, min_ratio
  printf "            <= 1 ms added p99: %s\n", g2 == "" ? "met" : "MISSED at" g2
  printf "            <= 64 MB RSS with %d idle connections: %s\n", idle_n, (held == idle_n && rss1 <= 65536) ? "met" : "MISSED"
  if (errs) printf "errors      %d non-2xx responses or socket errors in all runs\n", errs
}'

if [ -x bench/egress/urlcheck.sh ] || [ -f bench/egress/urlcheck.sh ]; then
  echo "== url-check micro-benchmark"
  sh bench/egress/urlcheck.sh "$build" || echo "egress bench: urlcheck.sh failed" >&2
fi
exit 0
