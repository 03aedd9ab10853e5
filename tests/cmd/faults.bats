#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Faults against a real daemon of this file's own, with a real guest: the
# daemon killed and started again under "dmctl rebalance --every 1" and
# under "dmtop -b", and a reader of the output that goes away.

load helpers

BATS_NO_PARALLELIZE_WITHIN_FILE=true

setup_file() {
	source "$BATS_TEST_DIRNAME/helpers.bash"
	# A daemon of our own: these tests kill it.
	export SUITE_TB_DIR=$TB_DIR
	TB_DIR=$(mktemp -d /tmp/tb.XXXXXXXX)
	chmod 0755 "$TB_DIR"
	export TB_DIR
	mkdir -p "$TB_DIR/img"
	tb_start
	tb_define_vm f1 --memory 1024 --current 256 --start
	tb_wait_ready f1 120
	"$DMCTL" set f1 --enable >/dev/null
}

teardown_file() {
	source "$BATS_TEST_DIRNAME/helpers.bash"
	[ -z "${SUITE_TB_DIR:-}" ] || [ "$TB_DIR" = "$SUITE_TB_DIR" ] || tb_stop
}

teardown() {
	[ -z "${bg:-}" ] || kill -TERM "$bg" 2>/dev/null || true
	# The daemon is back for the next test, whatever this one left.
	tb_start >/dev/null
}

# kill_daemon: SIGKILL to the bed's libvirtd; its guests run on.
kill_daemon() {
	local pid
	pid=$(_tb_daemon_pid)
	kill -KILL "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

lines() { wc -l <"$1"; }

@test "the daemon killed and started again under rebalance --every 1: said once, the loop goes on (defaults)" {
	c="$BATS_TEST_TMPDIR/dmctl.conf"
	printf 'lock-file = %s\n' "$BATS_TEST_TMPDIR/lock" >"$c"
	err="$BATS_TEST_TMPDIR/err"
	"$DMCTL" rebalance --every 1 -q -C "$c" 2>"$err" &
	bg=$!
	sleep 3
	kill_daemon
	sleep 3
	# Alive (before the fix it died of SIGPIPE, status 141, silently).
	kill -0 "$bg"
	cat "$err"
	[ "$(lines "$err")" -ge 1 ]
	n=$(lines "$err")
	sleep 4
	# Not every second.
	[ "$(lines "$err")" -eq "$n" ]
	tb_start >/dev/null
	back() { grep -q "rebalance: connected again" "$err"; }
	tb_wait_for 20 back
	kill -0 "$bg"
	# And it balances again: a pass has seen f1 since.
	seen() { [ "$(vsh metadata f1 urn:dmctl:balancer-state:1 --live 2>/dev/null)" != "" ]; }
	tb_wait_for 10 seen
	kill -TERM "$bg"
	wait "$bg"
	bg=
	cat "$err"
}

@test "the daemon killed and started again under dmtop -b: said once, refreshes go on, exit 1" {
	out="$BATS_TEST_TMPDIR/out" err="$BATS_TEST_TMPDIR/err"
	"$BATS_TEST_DIRNAME/../../bin/dmtop" -b -n 16 -d 1 >"$out" 2>"$err" &
	bg=$!
	sleep 3
	kill_daemon
	sleep 4
	kill -0 "$bg"
	n=$(lines "$err")
	[ "$n" -ge 1 ]
	sleep 3
	[ "$(lines "$err")" -eq "$n" ]
	tb_start >/dev/null
	rc=0
	wait "$bg" || rc=$?
	bg=
	cat "$err"
	# An outage in the run: status 1, not a signal.
	[ "$rc" -eq 1 ]
	grep -q "connected again to" "$err"
	# Refreshes before the kill and after the restart, f1 in both.
	grep -c '^dmtop ' "$out"
	[ "$(grep -c '^dmtop ' "$out")" -ge 4 ]
	[ "$(tail -n 3 "$out" | grep -c '^f1 ')" -eq 1 ]
}

@test "a reader that goes away ends dmtop -b quietly, by SIGPIPE, as before" {
	run --separate-stderr bash -c "'$BATS_TEST_DIRNAME/../../bin/dmtop' -b -n 100 -d 0.1 | head -n 1 >/dev/null; echo \${PIPESTATUS[0]}"
	echo "$output $stderr"
	# Ended by SIGPIPE (128 + 13) as a pipeline expects, without a word.
	[ "$output" -eq 141 ]
	[ -z "$stderr" ]
}

@test "SIGKILL, SIGTERM or SIGINT in the middle of a pass leaves the balancer state well-formed; five passes at once all finish" {
	c="$BATS_TEST_TMPDIR/dmctl.conf"
	printf 'lock-file = %s\n' "$BATS_TEST_TMPDIR/lock" >"$c"
	"$DMCTL" rebalance -q -C "$c"
	for sig in KILL TERM INT; do
		# The pass waits at its start, holding the lock.
		slow_call virConnectGetAllDomainStats 3 "$DMCTL" rebalance -q -C "$c" &
		bg=$!
		sleep 1.5
		kill -"$sig" "$bg"
		wait "$bg" || true
		bg=
		# The state parses (show would say "invalid") and the next
		# pass runs.
		run --separate-stderr "$DMCTL" show --json f1
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[ "$(jq -r '.vms[0].status' <<<"$output")" != invalid ]
		"$DMCTL" rebalance -q -C "$c"
	done
	# Five at once take turns at the lock; none fails.
	pids=()
	for i in 1 2 3 4 5; do
		"$DMCTL" rebalance -q -C "$c" 2>"$BATS_TEST_TMPDIR/err$i" &
		pids+=($!)
	done
	for i in 0 1 2 3 4; do
		wait "${pids[$i]}" || { cat "$BATS_TEST_TMPDIR/err$((i + 1))"; false; }
	done
}
