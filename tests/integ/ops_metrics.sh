#!/usr/bin/env bash
# metrics-listen (issue 17): islandd serves Prometheus text on [::1]:9642 in
# the gateway's namespace. promtool accepts both outputs (the listener's and
# `islandctl stats --prometheus`); a real prometheus server in the same
# namespace scrapes it every second and its query API returns the NS
# answered counter this test moved; 404/405 for other paths and methods; a
# malformed request is closed and counted; a slowloris client and a flood
# of connections leave NDP answering as it was (a steady NS load measured
# before and while they run) and the listener serving afterwards.
set -u
. "$(dirname "$0")/../lib/faults.sh"
need_root ops_metrics
need_cmd jq curl promtool prometheus "$ISL_PY"
need_islandd
need_ndload
netns_init
# the NS load goes to a static /80 nobody joined: a flooding switch
ISL_BRIDGE=dumb island000_build

PORT=9642
URL="http://[::1]:$PORT"
start_islandd gw "metrics-listen [::1]:$PORT
$(proxy_island_conf)" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
gwx() { ip netns exec "$(nsn gw)" "$@"; }
mstat() { ctl gw stats --json 2>/dev/null | jq -r --arg n "$1" '.metrics[$n] // empty'; }

# 1. The page, its framing and promtool.
gwx curl -s -D "$ISL_RUN/head" -o "$ISL_RUN/page" "$URL/metrics"
check "GET /metrics: 200 with the text format's content type" "$(head -n 3 "$ISL_RUN/head")" \
	grep -qi '^Content-Type: text/plain; version=0.0.4' "$ISL_RUN/head"
check "promtool check metrics accepts the listener's page ($(grep -vc '^#' "$ISL_RUN/page") samples)" \
	"$(promtool check metrics <"$ISL_RUN/page" 2>&1 | head -n 5)" \
	sh -c "promtool check metrics <'$ISL_RUN/page'"
ctl gw stats --prometheus >"$ISL_RUN/ctlpage" 2>&1
check "promtool check metrics accepts islandctl stats --prometheus" \
	"$(promtool check metrics <"$ISL_RUN/ctlpage" 2>&1 | head -n 5)" \
	sh -c "promtool check metrics <'$ISL_RUN/ctlpage'"
# the same metric families either way (values move between the two reads)
fam() { grep '^# TYPE' "$1" | sort; }
check "both outputs carry the same metric families ($(fam "$ISL_RUN/page" | wc -l))" \
	"$(diff <(fam "$ISL_RUN/page") <(fam "$ISL_RUN/ctlpage") | head -n 5)" \
	bash -c "diff <(grep '^# TYPE' '$ISL_RUN/page' | sort) <(grep '^# TYPE' '$ISL_RUN/ctlpage' | sort) >/dev/null"
for m in 'islandd_build_info{version="' 'islandd_nd_dropped_total{reason="hop_limit"}' \
	'islandd_nd_port_rx_packets_total{interface="wlan0"}' 'islandd_nd_sessions ' \
	'islandd_loop_wakeups_total ' 'islandd_nd_tx_advert_total '; do
	check "the page has $m" "not found" grep -qF "$m" "$ISL_RUN/page"
done
# every family served, and every metric the example dashboard uses, is in islandd(8)
MANTEXT=$(man -l "$ISL_REPO/man/islandd.8" 2>/dev/null | tr -d '\n ‐')
undoc=""
for m in $(grep '^# TYPE' "$ISL_RUN/page" | awk '{print $3}') \
	$(grep -o 'islandd_[a-z_]*' "$ISL_REPO/examples/grafana-islandd.json" | sort -u); do
	grep -qF "$m" <<<"$MANTEXT" || undoc="$undoc $m"
done
check "every metric served and every one examples/grafana-islandd.json uses is in islandd(8)" \
	"undocumented:$undoc" test -z "$undoc"
code() { gwx curl -s -o /dev/null -w '%{http_code}' "$@"; }
c=$(code "$URL/")
check "GET / -> 404 ($c)" "$c" test "$c" = 404
c=$(code -X POST "$URL/metrics")
check "POST /metrics -> 405 ($c)" "$c" test "$c" = 405
c=$(code -I "$URL/metrics")
check "HEAD /metrics -> 200 ($c)" "$c" test "$c" = 200

# 2. A malformed request is closed and counted.
b0=$(mstat bad_requests)
gwx "$ISL_PY" - "$PORT" <<'PY'
import socket, sys
s = socket.create_connection(("::1", int(sys.argv[1])), timeout=2)
s.sendall(b"\x16\x03\x01\x00\xa5\x01\r\n\r\n")
print(repr(s.recv(100)))
PY
b1=$(mstat bad_requests)
check "a malformed request is closed unanswered and counted (bad_requests $b0 -> $b1)" "$b0 -> $b1" \
	test "${b1:-0}" -eq $(( ${b0:-0} + 1 ))
gwx "$ISL_PY" - "$PORT" <<'PY'
import socket, sys
s = socket.create_connection(("::1", int(sys.argv[1])), timeout=3)
s.sendall(b"GET /" + b"a" * 3000)
try:
    print(repr(s.recv(100)))
except OSError as e:
    print(e)
PY
b2=$(mstat bad_requests)
check "an oversized request (3000 bytes, no end) is closed and counted (bad_requests $b1 -> $b2)" "$b1 -> $b2" \
	test "${b2:-0}" -eq $(( ${b1:-0} + 1 ))

# 3. A real prometheus scrapes islandd every second.
mkdir -p "$ISL_RUN/prom"
cat >"$ISL_RUN/prometheus.yml" <<EOF2
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: islandd
    static_configs:
      - targets: ['[::1]:$PORT']
EOF2
gwx prometheus --config.file="$ISL_RUN/prometheus.yml" --storage.tsdb.path="$ISL_RUN/prom" \
	--web.listen-address='[::1]:9090' >"$ISL_KEEP/prometheus.log" 2>&1 &
PROM_PID=$!
at_cleanup "kill $PROM_PID 2>/dev/null; wait $PROM_PID 2>/dev/null"
promq() {  # EXPR: the first value of an instant query, empty when none
	gwx curl -s -G "http://[::1]:9090/api/v1/query" --data-urlencode "query=$1" 2>/dev/null |
		jq -r '.data.result[0].value[1] // empty' 2>/dev/null
}
up_one() { [ "$(promq 'up{job="islandd"}')" = 1 ]; }
check "prometheus scrapes islandd (up == 1)" "see $ISL_KEEP/prometheus.log" wait_for 30 up_one
a0=$(promq islandd_nd_tx_advert_total)
for i in 1 2 3 4 5; do
	nd laptop ns --iface wlan0 --target "$STATIC_ONE" --expect na --timeout 1 >/dev/null 2>&1
done
moved() { local v; v=$(promq islandd_nd_tx_advert_total); [ -n "$v" ] && [ "$v" -ge $(( ${a0:-0} + 5 )) ]; }
if wait_for 15 moved; then
	ok "prometheus's query API returns islandd_nd_tx_advert_total moved by the 5 NS answered (${a0:-?} -> $(promq islandd_nd_tx_advert_total))"
else
	not_ok "prometheus's query API returns islandd_nd_tx_advert_total moved by the 5 NS answered" "${a0:-?} -> $(promq islandd_nd_tx_advert_total)"
fi
check "prometheus sees the malformed requests (islandd_metrics_bad_requests_total >= 2)" \
	"$(promq islandd_metrics_bad_requests_total)" \
	wait_for 5 eval '[ "$(promq islandd_metrics_bad_requests_total)" -ge 2 ] 2>/dev/null'

# 4. NDP answering under a slowloris and a connection flood.
RATE=1000 SECS=4
load() { ndload laptop -i wlan0 --prefix "$STATIC_PREFIX" --seq 200 --rate "$RATE" --duration "$SECS" --linger 300; }
L0=$(load)
note "before: $L0"
t0=$(mstat timeouts)
gwx "$ISL_PY" - "$PORT" $((SECS + 2)) >"$ISL_RUN/hostile.out" 2>&1 <<'PY' &
# one slowloris (a byte a second, reconnecting when closed) and a flood of
# connections that send nothing, for the given seconds
import socket, sys, threading, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
end = time.time() + secs
stats = {"slow_closed": 0, "flood_opened": 0, "flood_failed": 0}
def slow():
    while time.time() < end:
        try:
            s = socket.create_connection(("::1", port), timeout=2)
            for c in b"GET /metrics HTTP/1.1\r\n":
                s.send(bytes([c]))
                time.sleep(1)
                if time.time() >= end:
                    break
        except OSError:
            stats["slow_closed"] += 1
            time.sleep(0.1)
def flood():
    held = []
    while time.time() < end:
        try:
            s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex(("::1", port))
            held.append(s)
            stats["flood_opened"] += 1
            if len(held) > 200:
                held.pop(0).close()
        except OSError:
            stats["flood_failed"] += 1
        time.sleep(0.005)
t = [threading.Thread(target=slow), threading.Thread(target=flood)]
[x.start() for x in t]
[x.join() for x in t]
print(" ".join("%s=%d" % kv for kv in stats.items()))
PY
HPID=$!
at_cleanup "kill $HPID 2>/dev/null"
sleep 0.5
L1=$(load)
wait "$HPID"
note "during slowloris + flood: $L1"
note "hostile clients: $(cat "$ISL_RUN/hostile.out")"
t1=$(mstat timeouts)
note "listener: timeouts $t0 -> $t1, accepted $(mstat accepted), requests $(mstat requests), bad $(mstat bad_requests)"
check "NS answered before: $(kv answered "$L0")/$(kv sent "$L0")" "$L0" pct_at_least "$(kv answered_pct "$L0")" 99.9
check "NS answered during slowloris + flood: $(kv answered "$L1")/$(kv sent "$L1") (p99 $(kv p99_us "$L1") us, before $(kv p99_us "$L0") us)" \
	"$L1" pct_at_least "$(kv answered_pct "$L1")" 99.9
check "the slowloris was cut by the 1 s read deadline (timeouts $t0 -> $t1)" "$t0 -> $t1" \
	test "${t1:-0}" -gt "${t0:-0}"
c=""
serving() { c=$(code --max-time 2 "$URL/metrics"); [ "$c" = 200 ]; }
check "the listener serves again once they stop" "last code $c" wait_for 20 serving

# 5. A reload moves the listener, and removes it.
write_islandd_conf gw "metrics-listen 127.0.0.1:9643
$(proxy_island_conf)"
kill -HUP "$(islandd_pid gw)"
moved_to() { [ "$(code --max-time 2 http://127.0.0.1:9643/metrics)" = 200 ]; }
check "after SIGHUP with metrics-listen 127.0.0.1:9643 the page is there" "not served" wait_for 10 moved_to
c=$(code --max-time 2 "$URL/metrics")
check "and no longer on [::1]:$PORT (curl: $c)" "$c" test "$c" = 000
write_islandd_conf gw "$(proxy_island_conf)"
kill -HUP "$(islandd_pid gw)"
gone() { [ "$(code --max-time 2 http://127.0.0.1:9643/metrics)" = 000 ]; }
check "after SIGHUP without metrics-listen nothing listens" "still served" wait_for 10 gone

finish_islandd gw
test_status
