#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# A VM that boots next to busy neighbours, on the default settings: while
# its balloon still shows all of <memory>, it counts at its startup size,
# and no neighbour is squeezed below its demand for it.

load helpers

BATS_NO_PARALLELIZE_WITHIN_FILE=true

setup_file() {
	source "$BATS_TEST_DIRNAME/helpers.bash"
	"$DMCTL" set gshow gset --disable >/dev/null
	tb_define_vm n1 --memory 1024 --current 256 --start
	tb_wait_ready n1 120
}

teardown_file() {
	source "$BATS_TEST_DIRNAME/helpers.bash"
	undefine_vm n1
	undefine_vm n2
	"$DMCTL" set gshow gset --enable >/dev/null
}

teardown() {
	[ -z "${loop:-}" ] || kill -TERM "$loop" 2>/dev/null || true
}

ooms() { grep -c "Out of memory" "$TB_DIR/$1.console.log" || true; }

@test "a booting VM does not squeeze a busy neighbour below its demand (defaults)" {
	dmctl set n1 --enable --startup 256M --minimum 128M --maximum 1G >/dev/null
	tb_define_vm n2 --memory 1536 --current 256
	dmctl set n2 --enable --startup 256M --minimum 128M --maximum 1536M >/dev/null
	# A pool that holds n1's memory and n2's startup, not n2's <memory>.
	host=$(dmctl show --json | jq '.host')
	pool=$((800 * MiB))
	# n2 is not running yet: its overhead is counted once it is.
	reserve=$(jq --argjson p "$pool" '.total - .static - .overhead - 67108864 - $p' <<<"$host")
	c="$BATS_TEST_TMPDIR/dmctl.conf"
	printf 'reserve = %s\nlock-file = %s\n' "$reserve" "$BATS_TEST_TMPDIR/lock" >"$c"
	"$DMCTL" rebalance --every 1 -q -C "$c" 2>"$BATS_TEST_TMPDIR/err" &
	loop=$!
	# n1 busy: about 300 MiB of demand, grown to it by the balancer.
	for _ in 1 2 3 4 5 6 7; do
		tb_guest n1 hold 30 >/dev/null
		sleep 2
	done
	held=$(tb_guest n1 held)
	oom0=$(ooms n1)
	rm -f "$TB_DIR/n2.agent.sock"
	vsh start n2 >/dev/null
	low=
	for _ in $(seq 1 30); do
		a=$(json_vm n1 assigned)
		d=$(json_vm n1 demand)
		echo "n1 assigned $((a / MiB)) demand $(( ${d/null/0} / MiB )), n2 $(( $(json_vm n2 assigned) / MiB ))"
		if [ "$d" != null ] && [ "$a" -lt "$d" ]; then low=1; fi
		sleep 1
	done
	kill -TERM "$loop"
	wait "$loop" || true
	cat "$BATS_TEST_TMPDIR/err"
	[ -z "$low" ]
	[ "$(tb_guest n1 held)" -eq "$held" ]
	[ "$(ooms n1)" = "$oom0" ]
	tb_guest n1 release >/dev/null
}

@test "set --enable while a VM boots takes its boot size in both copies (defaults)" {
	undefine_vm n2
	tb_define_vm n2 --memory 1024 --current 256
	rm -f "$TB_DIR/n2.agent.sock"
	vsh start n2 >/dev/null
	# Its balloon shows all of <memory> until the guest's driver loads.
	[ "$(vsh dommemstat n2 | awk '$1 == "actual" {print $2}')" -gt $((512 * 1024)) ]
	run dmctl set n2 --enable
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"n2: dynamic, startup 256M, minimum 256M, maximum 1.0G, buffer 20%, weight 50 (live and config)"* ]]
	for copy in --live --config; do
		xml=$(vsh metadata n2 urn:dmctl:dynamic-memory:1 $copy)
		[[ "$xml" == *'<startup unit="KiB">262144</startup>'* ]]
		[[ "$xml" == *'<minimum unit="KiB">262144</minimum>'* ]]
	done
	undefine_vm n2
}

@test "the first pass after enabling a VM that has run for a while grows it (defaults)" {
	tb_guest n1 release >/dev/null
	dmctl set n1 --disable >/dev/null
	vsh metadata n1 urn:dmctl:balancer-state:1 --live --remove >/dev/null 2>&1 || true
	vsh setmem n1 256M --live
	sleep 3
	dmctl set n1 --enable --startup 256M --minimum 256M --maximum 1G >/dev/null
	# Demand past 256 MiB / 1.2: the VM needs memory now.
	tb_guest n1 hold 100 >/dev/null
	tb_guest n1 hold 60 >/dev/null
	sleep 2
	c="$BATS_TEST_TMPDIR/dmctl.conf"
	printf 'lock-file = %s\n' "$BATS_TEST_TMPDIR/lock" >"$c"
	run dmctl rebalance -C "$c"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"n1: 256M -> "*"add: below demand + buffer"* ]]
	tb_guest n1 release >/dev/null
}

# usable_mib VM: what the guest reports it can hand to new work, in MiB.
usable_mib() { vsh dommemstat "$1" | awk '$1 == "usable" {printf "%d\n", $2 / 1024}'; }

# at_256m VM: the balloon is at 256 MiB and the guest's figures are read
# after the move (usable below it), not cached from before. The previous
# pass may have lent the VM memory up to its maximum.
at_256m() {
	vsh dommemstat "$1" | awk '$1 == "actual" {a = $2} $1 == "usable" {u = $2}
		END {exit !(a == 262144 && u < 262144)}'
}

@test "a starving guest is Warning, and the next pass grows it until it recovers (defaults)" {
	tb_guest n1 release >/dev/null
	dmctl set n1 --enable --startup 256M --minimum 256M --maximum 1G >/dev/null
	vsh setmem n1 256M --live
	tb_wait_for 30 at_256m n1
	sleep 1
	# Hold all but ~3 MiB of what it can use: below 2 % of 256 MiB.
	tb_guest n1 hold $(($(usable_mib n1) - 20)) >/dev/null
	sleep 2
	tb_guest n1 hold $(($(usable_mib n1) - 3)) >/dev/null
	sleep 2
	echo "usable $(usable_mib n1) MiB"
	run dmctl show --json n1
	echo "$output"
	[ "$(jq -r '.vms[0].status' <<<"$output")" = Warning ]
	[ "$(jq -r '.vms[0].pressure' <<<"$output")" -ge 100 ]
	before=$(jq -r '.vms[0].assigned' <<<"$output")
	c="$BATS_TEST_TMPDIR/dmctl.conf"
	printf 'lock-file = %s\n' "$BATS_TEST_TMPDIR/lock" >"$c"
	# Short of an unknown amount: each pass adds at least a buffer
	# (20 % of what it has) until the guest has memory to spare again.
	for pass in 1 2 3 4; do
		dmctl rebalance -C "$c"
		sleep 3
		[ "$(json_vm n1 status)" != Warning ] && break
	done
	after=$(json_vm n1 assigned)
	echo "assigned $((before / MiB)) -> $((after / MiB)) MiB in $pass passes, usable $(usable_mib n1) MiB"
	[ "$after" -ge $((before + before / 5)) ]
	[ "$(json_vm n1 status)" != Warning ]
	[ "$(usable_mib n1)" -gt 20 ]
	[ "$(ooms n1)" = 0 ]
	tb_guest n1 release >/dev/null
}

@test "while the balloon moves, show gives the demand read before the move, marked settling (defaults)" {
	tb_guest n1 release >/dev/null
	dmctl set n1 --enable --startup 256M --minimum 256M --maximum 1G >/dev/null
	vsh setmem n1 256M --live
	sleep 3
	before=$(json_vm n1 demand)
	# A raised minimum: the next pass deflates the balloon by 640 MiB
	# while the guest's demand stays where it is.
	dmctl set n1 --startup 1G --minimum 900M >/dev/null
	c="$BATS_TEST_TMPDIR/dmctl.conf"
	printf 'lock-file = %s\n' "$BATS_TEST_TMPDIR/lock" >"$c"
	poll="$BATS_TEST_TMPDIR/poll"
	(
		for _ in $(seq 1 40); do
			dmctl show --json n1 | jq -c '.vms[0] | [.assigned, .demand, .settling]'
			sleep 0.1
		done
	) >"$poll" &
	sleep 0.3
	dmctl rebalance -C "$c"
	wait
	uniq -c "$poll"
	# Every figure shown is within 32 MiB of the demand before the move;
	# without the settled figure, the guest's lagging report made it
	# hundreds of MiB off while the balloon moved.
	jq -e --argjson d "$before" --argjson m $((32 * MiB)) -s \
		'all(.[]; .[1] != null and (.[1] - $d | fabs) <= $m)' "$poll"
	# The move was seen, marked settling, and ended unmarked.
	jq -e -s 'any(.[]; .[0] > 800 * 1048576 and .[2] == true)' "$poll"
	[ "$(tail -n 1 "$poll" | jq '.[2]')" = false ]
	run dmctl show n1
	[[ "$output" != *"~"* ]]
	dmctl set n1 --minimum 256M --startup 256M >/dev/null
}
