#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Hot-add VMs against real guests: a VM that boots at its startup size and
# grows past it through virtio-mem under rising demand, gives memory back by
# unplug, an unplug that stops short, a guest that does not online what is
# plugged, and balloon and hot-add VMs in one pool.

load helpers

BATS_NO_PARALLELIZE_WITHIN_FILE=true

# conf [KEY=VALUE...]: a host settings file for this test (private lock
# file; no lending; nothing else changed from the defaults unless given).
conf() {
	local f="$BATS_TEST_TMPDIR/dmctl.conf" kv
	{
		echo "lock-file = $BATS_FILE_TMPDIR/rebalance.lock"
		# Plugs and unplugs follow demand exactly: nothing lent.
		echo "lend-idle = no"
		for kv in "$@"; do
			echo "${kv%%=*} = ${kv#*=}"
		done
	} >"$f"
	echo "$f"
}

setup_file() {
	source "$BATS_TEST_DIRNAME/helpers.bash"
	# Only the guests of this file are dynamic while it runs.
	"$DMCTL" set gshow gset --disable >/dev/null
	# Boot 256 MiB, up to 1 GiB more by virtio-mem.
	tb_define_vm h1 --memory 256 --current 256 --hotadd 1024 --start
	tb_define_vm h2 --memory 256 --current 256 --hotadd 512 --no-online --start
	tb_wait_ready h1 120
	tb_wait_ready h2 120
}

teardown_file() {
	source "$BATS_TEST_DIRNAME/helpers.bash"
	undefine_vm h1
	undefine_vm h2
	undefine_vm hb
	"$DMCTL" set gshow gset --enable >/dev/null
}

# Demand and memory figures, in MiB.
field_mib() { json_vm "$1" "$2" | awk '$1 != "null" {printf "%d\n", $1 / 1048576}'; }
memtotal_mib() { echo $(($(tb_guest_meminfo "$1" MemTotal) / 1024)); }
plugged_is() { [ "$(json_vm "$1" plugged)" = "$2" ]; }
plugged_above() { local p; p=$(json_vm "$1" plugged); [ "$p" != null ] && [ "$p" -gt "$2" ]; }
ooms() { grep -c "Out of memory" "$TB_DIR/$1.console.log" || true; }

# A test that fails while its balancer runs must not leave it running
# for the next tests (or files).
teardown() {
	if [ -n "${LOOP:-}" ]; then
		kill -TERM "$LOOP" 2>/dev/null || true
		wait "$LOOP" 2>/dev/null || true
	fi
	LOOP=
}

# loop CONF: run the balancer every second in the background.
loop() {
	"$DMCTL" rebalance --every 1 -q ${1:+-C "$1"} 2>>"$BATS_TEST_TMPDIR/err" &
	LOOP=$!
}

stop_loop() {
	kill -TERM "$LOOP"
	wait "$LOOP" || true
	LOOP=
}

# grow VM STEPS: hold 30 MiB every 2 s (within the 20 % buffer of the
# demand it reaches), checking that no holder dies.
grow() {
	local held=0 step
	for step in $(seq 1 "$2"); do
		if ! tb_guest "$1" hold 30 >/dev/null ||
			! sleep 2 ||
			! echo "held $((held += 30)): $("$DMCTL" show --json "$1" | jq -c '.vms[0] | [.assigned, .plugged, .demand] | map(. / 1048576 | floor)')" ||
			[ "$(tb_guest "$1" held)" != "$held" ]; then
			tail -n 15 "$TB_DIR/$1.console.log"
			return 1
		fi
	done
}

@test "a hot-add VM grows past its boot size under rising demand (defaults)" {
	dmctl set h1 --enable >/dev/null
	[ "$(json_vm h1 grows)" = hot-add ]
	[ "$(json_vm h1 startup)" = $((256 * MiB)) ]
	[ "$(json_vm h1 maximum)" = $((1280 * MiB)) ]
	before=$(memtotal_mib h1)
	[ "$before" -lt 256 ]
	oom0=$(ooms h1)
	# Default settings: no -C file, /etc/dmctl.conf is absent here. The
	# first pass that sees the VM starts its grace period (10 s).
	loop ""
	sleep 11
	grow h1 10
	ok() {
		local a d
		a=$(json_vm h1 assigned)
		d=$(json_vm h1 demand)
		[ "$d" != null ] && [ "$a" -ge $((d * 120 / 100 - 8 * MiB)) ]
	}
	tb_wait_for 10 ok
	stop_loop
	after=$(memtotal_mib h1)
	echo "MemTotal $before -> $after MiB"
	# The guest's own total grew past what it booted with.
	[ "$after" -gt $((before + 100)) ]
	plugged_above h1 $((100 * MiB))
	[ "$(ooms h1)" = "$oom0" ]
	# Assigned is the balloon's part plus what is plugged.
	p=$(json_vm h1 plugged)
	[ "$(json_vm h1 assigned)" = $((256 * MiB + p)) ]
	# dmtop shows the same.
	run "$BATS_TEST_DIRNAME/../../bin/dmtop" -b --json
	[ "$(jq -r '.vms[] | select(.name == "h1") | "\(.grows) \(.plugged)"' <<<"$output")" = "hot-add $p" ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
}

@test "released memory is unplugged after the reclaim delay: MemTotal shrinks" {
	plugged_above h1 $((100 * MiB)) || {
		loop ""
		grow h1 8
		stop_loop
	}
	big=$(memtotal_mib h1)
	tb_guest h1 release >/dev/null
	loop "$(conf reclaim-delay=5s grace=0)"
	tb_wait_for 40 plugged_is h1 0
	stop_loop
	small=$(memtotal_mib h1)
	echo "MemTotal $big -> $small MiB"
	[ "$small" -lt 256 ]
	[ "$small" -lt $((big - 100)) ]
	[ "$(json_vm h1 assigned)" = $((256 * MiB)) ]
}

@test "an unplug that stops short is reported once and counted as plugged" {
	dmctl set h1 --enable --minimum 256M >/dev/null
	loop "$(conf grace=0)"
	# Within the first 128 MiB memory block: a guest that is nearly out
	# of memory can fail to map a new one ("adding memory failed: -12"),
	# which is not what this test is about.
	grow h1 7
	stop_loop
	plugged_above h1 $((40 * MiB))
	# A pool below the guest's demand: the balancer must take memory the
	# guest cannot free (it has no swap).
	host=$(dmctl show --json | jq '.host')
	# Below even its minimum (256 MiB): it is taken to the minimum, which
	# means unplugging all it has plugged, more than it has free.
	pool=$((200 * MiB))
	reserve=$(jq --argjson p "$pool" '.total - .static - .overhead - $p' <<<"$host")
	c=$(conf grace=0 "reserve=$reserve")
	: >"$BATS_TEST_TMPDIR/err"
	loop "$c"
	short() { grep -q "VM 'h1': unplug stopped short" "$BATS_TEST_TMPDIR/err"; }
	tb_wait_for 40 short
	sleep 5
	stop_loop
	cat "$BATS_TEST_TMPDIR/err"
	# Said once, not every pass.
	[ "$(grep -c "unplug stopped short" "$BATS_TEST_TMPDIR/err")" -eq 1 ]
	# What is plugged is what counts, not what was asked for.
	xml=$(vsh dumpxml h1)
	cur=$(sed -n "s|.*<current unit='KiB'>\([0-9]*\)</current>.*|\1|p" <<<"$xml")
	req=$(sed -n "s|.*<requested unit='KiB'>\([0-9]*\)</requested>.*|\1|p" <<<"$xml")
	echo "current $cur KiB, requested $req KiB"
	[ "$cur" -gt "$req" ]
	[ "$(json_vm h1 plugged)" = $((cur * 1024)) ]
	run --separate-stderr dmctl rebalance --dry-run --json -C "$c"
	[ "$(jq '.vms[] | select(.name == "h1") | .plugged' <<<"$output")" = $((cur * 1024)) ]
	# Overcommitted (the minimum is above the pool), and said so.
	grep -q "host pool overcommitted by" "$BATS_TEST_TMPDIR/err"
	[ "$(dmctl show --json -C "$c" | jq '.host.overcommitted')" -gt 0 ]
	# The retry waits out its back-off.
	vsh metadata h1 urn:dmctl:balancer-state:1 --live | grep -q 'resize-retry="'
	tb_guest h1 release >/dev/null
}

@test "a guest that does not online hot-added memory is detected and unplugged" {
	dmctl set h2 --enable >/dev/null
	loop "$(conf grace=0)"
	# Past the 256 MiB boot memory with the buffer: the balancer plugs.
	sleep 3
	tb_guest h2 hold 100 >/dev/null
	sleep 2
	tb_guest h2 hold 65 >/dev/null
	noticed() { grep -q "VM 'h2': its guest does not online hot-added memory" "$BATS_TEST_TMPDIR/err"; }
	tb_wait_for 30 noticed
	tb_wait_for 20 plugged_is h2 0
	sleep 3
	stop_loop
	[ "$(json_vm h2 grows)" = not-online ]
	# Not grown by hot-add again, and logged once.
	plugged_is h2 0
	[ "$(grep -c "does not online" "$BATS_TEST_TMPDIR/err")" -eq 1 ]
	[ "$(memtotal_mib h2)" -lt 256 ]
	tb_guest h2 release >/dev/null
}

@test "balloon and hot-add VMs share one pool, which holds" {
	# The pool is h1's and hb's: h2 (left by the test before) would hold
	# 256 of its 800 MiB at its minimum.
	vsh destroy h2 >/dev/null 2>&1 || true
	tb_define_vm hb --memory 1024 --current 256 --start
	tb_wait_ready hb 120
	dmctl set hb --enable --minimum 256M >/dev/null
	dmctl set h1 --enable --minimum 256M >/dev/null
	tb_guest h1 release >/dev/null
	host=$(dmctl show --json | jq '.host')
	pool=$((800 * MiB))
	reserve=$(jq --argjson p "$pool" '.total - .static - .overhead - $p' <<<"$host")
	c=$(conf grace=0 "reserve=$reserve")
	loop "$c"
	sleep 3
	for _ in 1 2 3 4 5 6; do
		tb_guest h1 hold 30 >/dev/null
		tb_guest hb hold 30 >/dev/null
		sleep 2
	done
	covered() {
		local v
		for v in h1 hb; do
			[ "$(json_vm $v demand)" != null ] &&
				[ "$(json_vm $v assigned)" -ge "$(json_vm $v demand)" ] || return 1
		done
	}
	tb_wait_for 10 covered
	stop_loop
	run --separate-stderr dmctl rebalance --dry-run --json -C "$c"
	sum=$(jq '[.vms[] | .from] | add' <<<"$output")
	p=$(jq '.host.pool' <<<"$output")
	echo "assigned $sum of pool $p"
	jq -c '.vms[] | {name, from, to, reason}' <<<"$output"
	[ "$sum" -le "$p" ]
	# Both grew past their boot sizes, one by balloon, one by hot-add.
	[ "$(json_vm hb assigned)" -gt $((256 * MiB)) ]
	plugged_above h1 0
	[ "$(json_vm hb grows)" = balloon ]
	tb_guest h1 release >/dev/null
	tb_guest hb release >/dev/null
}
