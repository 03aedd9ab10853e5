#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Prometheus metrics: "show --prometheus" and "rebalance --every
# --textfile" read back by prometheus_client's parser (promcheck.py), their
# figures against "show --json", the textfile always whole, and the
# balancer's counters growing between passes of one loop.

load helpers

BATS_NO_PARALLELIZE_WITHIN_FILE=true

# Run by Debian's python3, where python3-prometheus-client puts the parser.
PROMCHECK="$BATS_TEST_DIRNAME/promcheck.py"

setup_file() {
	source "$BATS_TEST_DIRNAME/helpers.bash"
	"$DMCTL" set gshow --enable --buffer 20 >/dev/null
	"$DMCTL" set gset --disable >/dev/null
	tb_guest gshow release >/dev/null
}

teardown_file() {
	source "$BATS_TEST_DIRNAME/helpers.bash"
	"$DMCTL" set gset --enable >/dev/null
	# gshow back at its boot size, without the loop's state, for the
	# files after this one.
	vsh setmem gshow 256M --live
	vsh metadata gshow urn:dmctl:balancer-state:1 --live --remove \
		>/dev/null 2>&1 || true
}

teardown() {
	[ -z "${loop:-}" ] || kill -TERM "$loop" 2>/dev/null || true
	[ -z "${watcher:-}" ] || kill "$watcher" 2>/dev/null || true
	tb_guest gshow release >/dev/null || true
}

# prom_vs_json [stable]: "show --prometheus" between two "show --json"
# that agree (demand moves between reads), compared by promcheck.py.
prom_vs_json() {
	local d="$BATS_TEST_TMPDIR"
	for _ in $(seq 1 10); do
		dmctl show --json >"$d/a.json"
		dmctl show --prometheus >"$d/show.prom"
		dmctl show --json >"$d/b.json"
		cmp -s "$d/a.json" "$d/b.json" && break
		sleep 1
	done
	cmp "$d/a.json" "$d/b.json"
	"$PROMCHECK" compare "$d/show.prom" "$d/a.json" "$@"
}

@test "show --prometheus parses, and its figures are show --json's (defaults)" {
	run prom_vs_json
	echo "$output"
	[ "$status" -eq 0 ]
	# Both test-bed guests are there, a dynamic and a static one.
	grep -q '^dmctl_vm_dynamic{domain="gshow",uuid="[-0-9a-f]*"} 1$' \
		"$BATS_TEST_TMPDIR/show.prom"
	grep -q '^dmctl_vm_dynamic{domain="gset",uuid="[-0-9a-f]*"} 0$' \
		"$BATS_TEST_TMPDIR/show.prom"
	grep -q '^dmctl_vm_status{domain="gshow",.*,status="ok"} [01]$' \
		"$BATS_TEST_TMPDIR/show.prom"
	# No balancer counters outside a loop.
	run ! grep -q dmctl_balancer_ "$BATS_TEST_TMPDIR/show.prom"
}

@test "show --prometheus of one VM, and it excludes --json" {
	dmctl show --prometheus gshow >"$BATS_TEST_TMPDIR/one.prom"
	grep -q 'domain="gshow"' "$BATS_TEST_TMPDIR/one.prom"
	run ! grep -q 'domain="gset"' "$BATS_TEST_TMPDIR/one.prom"
	run dmctl show --prometheus --json
	[ "$status" -eq 2 ]
	[[ "$output" == *"--json and --prometheus conflict"* ]]
}

@test "--textfile needs --every, and its DIR" {
	run dmctl rebalance --textfile "$BATS_TEST_TMPDIR"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--textfile needs --every"* ]]
	run dmctl rebalance --every 1 --textfile
	[ "$status" -eq 2 ]
}

@test "--every --textfile: DIR/dmctl.prom after each pass, always whole, counters growing" {
	local d="$BATS_TEST_TMPDIR/textfile" c="$BATS_TEST_TMPDIR/dmctl.conf"
	mkdir "$d"
	printf 'lock-file = %s\ngrace = 0\nreclaim-delay = 0\nlend-idle = no\n' \
		"$BATS_FILE_TMPDIR/rebalance.lock" >"$c"
	"$PROMCHECK" watch "$d" "$BATS_TEST_TMPDIR/stop" \
		>"$BATS_TEST_TMPDIR/watch" 2>&1 &
	watcher=$!
	"$DMCTL" rebalance --every 1 -q -C "$c" --textfile "$d" \
		2>"$BATS_TEST_TMPDIR/err" &
	loop=$!
	tb_wait_for 20 test -e "$d/dmctl.prom"
	"$PROMCHECK" counters "$d/dmctl.prom" >"$BATS_TEST_TMPDIR/c0"
	# Demand up by 150 MiB: the balancer adds; released, it reclaims.
	tb_guest gshow hold 150 >/dev/null
	added() {
		read -r _ a _ m _ < <("$PROMCHECK" counters "$d/dmctl.prom")
		[ "$a" -ge 1 ] && [ "$m" -gt 0 ]
	}
	tb_wait_for 20 added
	tb_guest gshow release >/dev/null
	reclaimed() {
		read -r _ _ r _ _ < <("$PROMCHECK" counters "$d/dmctl.prom")
		[ "$r" -ge 1 ]
	}
	tb_wait_for 30 reclaimed
	"$PROMCHECK" counters "$d/dmctl.prom" >"$BATS_TEST_TMPDIR/c1"
	kill -TERM "$loop"
	wait "$loop"
	loop=
	touch "$BATS_TEST_TMPDIR/stop"
	ws=0
	wait "$watcher" || ws=$?
	watcher=
	echo "counters (passes add reclaim moved errors): $(cat "$BATS_TEST_TMPDIR/c0") then $(cat "$BATS_TEST_TMPDIR/c1")"
	cat "$BATS_TEST_TMPDIR/watch" "$d/dmctl.prom"
	cat "$BATS_TEST_TMPDIR/err"
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	[ "$ws" -eq 0 ]
	read -r p0 a0 r0 m0 _ <"$BATS_TEST_TMPDIR/c0"
	read -r p1 a1 r1 m1 e1 <"$BATS_TEST_TMPDIR/c1"
	[ "$p1" -gt "$p0" ] && [ "$a1" -gt "$a0" ] && [ "$r1" -gt "$r0" ]
	[ "$m1" -ge $((m0 + 2 * 100 * MiB)) ]
	[ "$e1" -eq 0 ]
	# The watcher (it exited 0) never saw a partial file or another
	# *.prom, and saw several passes.
	grep -q "whole reads; passes [0-9]* [0-9]* [0-9]*" "$BATS_TEST_TMPDIR/watch"
	# Only dmctl.prom is left in DIR, readable by node_exporter.
	[ "$(ls -A "$d")" = dmctl.prom ]
	[ "$(stat -c %a "$d/dmctl.prom")" = 644 ]
	# The VMs' settings and the pool are those "show --json" gives.
	dmctl show --json -C "$c" >"$BATS_TEST_TMPDIR/now.json"
	"$PROMCHECK" compare "$d/dmctl.prom" "$BATS_TEST_TMPDIR/now.json" stable
}

@test "--textfile into a directory that is not there: said once, the loop goes on" {
	local c="$BATS_TEST_TMPDIR/dmctl.conf"
	printf 'lock-file = %s\n' "$BATS_FILE_TMPDIR/rebalance.lock" >"$c"
	"$DMCTL" rebalance --every 1 -q -C "$c" \
		--textfile "$BATS_TEST_TMPDIR/none" 2>"$BATS_TEST_TMPDIR/err" &
	loop=$!
	sleep 4
	kill -TERM "$loop"
	ws=0
	wait "$loop" || ws=$?
	loop=
	cat "$BATS_TEST_TMPDIR/err"
	[ "$ws" -eq 0 ]
	[ "$(grep -c "cannot create a file in '$BATS_TEST_TMPDIR/none'" "$BATS_TEST_TMPDIR/err")" -eq 1 ]
}
