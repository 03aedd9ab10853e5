#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# dmctl rebalance against real guests: active add, passive reclaim, a
# short pool shared by weight, dry runs, locking, VMs that vanish, the
# --every loop under climbing demand, and where changes are logged
# (syslog, the journal, stderr).

load helpers

BATS_NO_PARALLELIZE_WITHIN_FILE=true

# conf [KEY=VALUE...]: write a host settings file for this test and print
# its path. Grace 0 so that tests need not wait; a private lock file; no
# lending, so that targets are demand + buffer exactly (the tests marked
# "defaults" and the lend-idle test lend).
conf() {
	local f="$BATS_TEST_TMPDIR/dmctl.conf" kv
	{
		for kv in grace=0 "lock-file=$BATS_FILE_TMPDIR/rebalance.lock" \
			lock-wait=5 lend-idle=no; do
			# A key given as an argument replaces the default.
			[[ " ${*%%=*} " == *" ${kv%%=*} "* ]] ||
				echo "${kv%%=*} = ${kv#*=}"
		done
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
	tb_define_vm b1 --memory 1024 --current 256 --start
	tb_define_vm b2 --memory 1024 --current 256 --start
	tb_wait_ready b1 120
	tb_wait_ready b2 120
}

# A test that wrote b1's live settings by hand puts them back, also when
# it fails, so that the next test's reset can rewrite them.
teardown() {
	[ -z "${loop:-}" ] || kill -TERM "$loop" 2>/dev/null || true
	[ -z "${restore_b1:-}" ] ||
		vsh metadata b1 urn:dmctl:dynamic-memory:1 --live --key dm --set "$restore_b1"
}

teardown_file() {
	source "$BATS_TEST_DIRNAME/helpers.bash"
	undefine_vm b1
	undefine_vm b2
	undefine_vm bx
	undefine_vm bs
}

# reset VM: nothing held, boot size again, fresh settings and state.
reset() {
	tb_guest "$1" release >/dev/null
	vsh setmem "$1" 256M --live
	vsh metadata "$1" urn:dmctl:balancer-state:1 --live --remove >/dev/null 2>&1 || true
	dmctl set "$1" --enable --startup 256M --minimum 128M --maximum 1G \
		--buffer 20 --weight 50 >/dev/null
	tb_wait_for 20 assigned_is "$1" $((256 * MiB))
	settle "$1"
}

# settle VM: wait until two demand reads 1 s apart agree within 2 MiB.
settle() {
	local a b
	for _ in $(seq 1 15); do
		a=$(demand_mib "$1")
		sleep 1
		b=$(demand_mib "$1")
		[ -n "$a" ] && [ -n "$b" ] && [ $((a - b)) -le 2 ] && [ $((b - a)) -le 2 ] && return 0
	done
	return 1
}

assigned_is() { [ "$(json_vm "$1" assigned)" = "$2" ]; }
status_is() { [ "$(json_vm "$1" status)" = "$2" ]; }
demand_mib() { json_vm "$1" demand | awk '$1 != "null" {printf "%d\n", $1 / 1048576}'; }
demand_at_least() { local d; d=$(demand_mib "$1"); [ -n "$d" ] && [ "$d" -ge "$2" ]; }
demand_at_most() { local d; d=$(demand_mib "$1"); [ -n "$d" ] && [ "$d" -le "$2" ]; }

# hold_past VM MIB: hold memory until demand passes MIB, print demand.
hold_past() {
	local d
	settle "$1"
	d=$(demand_mib "$1")
	tb_guest "$1" hold $(($2 - d + 8)) >/dev/null
	tb_wait_for 10 demand_at_least "$1" "$2"
	settle "$1"
	demand_mib "$1"
}

@test "one pass grows a guest to demand + buffer at once" {
	reset b1
	c=$(conf)
	# Demand x 1.2 must pass the 256 MiB the guest has.
	d=$(hold_past b1 $((256 * 100 / 120 + 4)))
	echo "demand $d MiB"
	run dmctl rebalance -C "$c"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"b1: 256M -> "*", OK, add: below demand + buffer"* ]]
	# Demand just after the pass, in bytes.
	at_pass=$(dmctl rebalance --dry-run --json -C "$c" |
		jq '.vms[] | select(.name == "b1") | .demand')
	ok() {
		local a dem
		a=$(json_vm b1 assigned)
		dem=$(json_vm b1 demand)
		# Assigned covers demand + 20 % (the next step up, 8 MiB).
		[ "$a" -ge $((dem * 120 / 100 - 8 * MiB)) ]
	}
	tb_wait_for 10 ok
	# OK once the balloon is there, unless demand has risen since just
	# after the pass (a MiB of guest jitter can eat the rounding's last
	# MiB; the next pass then adds a step).
	ok_or_grown() {
		status_is b1 OK || [ "$(json_vm b1 demand)" -gt "$at_pass" ]
	}
	tb_wait_for 10 ok_or_grown
}

@test "release: the next pass keeps the surplus; after the delay it is reclaimed" {
	reset b1
	c=$(conf)
	hold_past b1 225 >/dev/null
	run dmctl rebalance --json -C "$c"
	grown=$(jq '.vms[] | select(.name == "b1") | .to' <<<"$output")
	[ "$grown" -gt $((256 * MiB)) ]
	tb_wait_for 10 assigned_is b1 "$grown"
	tb_guest b1 release >/dev/null
	tb_wait_for 10 demand_at_most b1 150
	sleep 3 # past settling
	run dmctl rebalance -C "$c"
	[ "$status" -eq 0 ]
	[[ "$output" != *"b1:"* ]] # passive: nothing moved
	[ "$(json_vm b1 assigned)" = "$grown" ]
	run dmctl rebalance --dry-run -C "$c"
	[[ "$output" == *"b1: "*"no change"*"surplus kept until the reclaim delay"* ]]

	# The surplus clock started at the pass above; a 3 s delay has passed.
	c=$(conf reclaim-delay=3s)
	sleep 4
	run dmctl rebalance -C "$c"
	echo "$output"
	[[ "$output" == *"b1: "*" -> "*"reclaim: surplus past the reclaim delay"* ]]
	d=$(json_vm b1 demand)
	want=$(((d * 120 / 100 + 8 * MiB - 1) / (8 * MiB) * 8 * MiB))
	[ "$want" -ge $((128 * MiB)) ] || want=$((128 * MiB))
	shrunk() {
		local a
		a=$(json_vm b1 assigned)
		[ "$a" -le $((want + 9 * MiB)) ] && [ "$a" -ge $((128 * MiB)) ]
	}
	tb_wait_for 15 shrunk
	[ "$(json_vm b1 assigned)" -ge $((128 * MiB)) ]
}

@test "a pool too small for both: the higher weight keeps more, the pool holds" {
	reset b1
	reset b2
	dmctl set b1 --weight 80
	dmctl set b2 --weight 20
	d1=$(hold_past b1 140)
	d2=$(hold_past b2 140)
	# A reserve that leaves a 330 MiB pool for the two guests.
	run dmctl show --json
	total=$(jq '.host.total' <<<"$output")
	static=$(jq '.host.static' <<<"$output")
	overhead=$(jq '.host.overhead' <<<"$output")
	pool=$((330 * MiB))
	c=$(conf reserve=$((total - static - overhead - pool)) reserve-percent=0)
	# The two have more than that pool before the pass: it says so on
	# stderr, which the JSON on stdout must not carry.
	run --separate-stderr dmctl rebalance --json -C "$c"
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"host pool overcommitted by"* ]]
	[ "$(jq '.host.pool' <<<"$output")" -eq "$pool" ]
	t1=$(jq '.vms[] | select(.name == "b1") | .to' <<<"$output")
	t2=$(jq '.vms[] | select(.name == "b2") | .to' <<<"$output")
	echo "demand $d1 and $d2 MiB; targets $((t1 / MiB)) and $((t2 / MiB)) MiB"
	[ $((t1 + t2)) -le "$pool" ]
	[ "$t1" -gt "$t2" ]
	[ "$t1" -ge $((128 * MiB)) ] && [ "$t2" -ge $((128 * MiB)) ]
	# Demand is met for both; only the lower weight lost buffer.
	jq -e '.vms[] | select(.name == "b2") | .reason == "pool short: buffer cut"' <<<"$output"
	# And the balloons get there.
	at_targets() {
		local a1 a2
		a1=$(json_vm b1 assigned)
		a2=$(json_vm b2 assigned)
		[ $((a1 - t1)) -le $((2 * MiB)) ] && [ $((a2 - t2)) -le $((2 * MiB)) ]
	}
	tb_wait_for 15 at_targets
	# The guests kept their memory holders.
	[ "$(tb_guest b1 held)" -gt 0 ] && [ "$(tb_guest b2 held)" -gt 0 ]
	reset b2
}

@test "--dry-run prints the plan and changes nothing" {
	reset b1
	c=$(conf)
	hold_past b1 225 >/dev/null
	before=$(both_xml b1)
	actual=$(vsh dommemstat b1 | awk '$1 == "actual" {print $2}')
	run dmctl rebalance --dry-run -C "$c"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"b1: 256M -> "*"add: below demand + buffer"* ]]
	[[ "$output" == *"b2: "* ]]
	sleep 2
	[ "$(both_xml b1)" = "$before" ]
	[ "$(vsh dommemstat b1 | awk '$1 == "actual" {print $2}')" = "$actual" ]
	run dmctl rebalance --dry-run --json -C "$c"
	jq -e '.dry_run == true and ([.vms[] | select(.name == "b1")][0] | .change == true and .applied == false)' <<<"$output"
}

@test "--json: the plan and what was done" {
	reset b1
	c=$(conf)
	hold_past b1 225 >/dev/null
	run dmctl rebalance --json -C "$c"
	[ "$status" -eq 0 ]
	jq -e '.dry_run == false and (.host | has("pool"))' <<<"$output"
	jq -e '.vms[] | keys == (["applied","buffer","change","demand","error","from","grows","maximum","minimum","name","note","plugged","reason","skipped","status","to","uuid","weight"])' <<<"$output"
	jq -e '[.vms[] | select(.name == "b1")][0] | .change and .applied and .error == null and .to > .from' <<<"$output"
	jq -e '[.vms[] | select(.name == "b1")][0] | .grows == "balloon" and .plugged == null and .note == null' <<<"$output"
}

@test "-q prints nothing when all went well" {
	reset b1
	c=$(conf)
	hold_past b1 225 >/dev/null
	run --separate-stderr dmctl rebalance -q -C "$c"
	[ "$status" -eq 0 ]
	[ -z "$output" ] && [ -z "$stderr" ]
	tb_wait_for 10 status_is b1 OK
}

@test "two passes do not interleave: the second waits, or gives up" {
	c=$(conf lock-wait=1)
	# A pass that holds the lock for 3 s.
	slow_call virConnectGetAllDomainStats 3 "$DMCTL" rebalance -q -C "$c" &
	pid=$!
	sleep 1
	start=$SECONDS
	run --separate-stderr dmctl rebalance -C "$c"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"another pass or start is running"* ]]
	wait "$pid"
	# With a longer wait, the second pass runs after the first.
	c=$(conf lock-wait=10)
	slow_call virConnectGetAllDomainStats 2 "$DMCTL" rebalance -q -C "$c" &
	pid=$!
	sleep 0.5
	start=$(date +%s%N)
	run dmctl rebalance -q -C "$c"
	end=$(date +%s%N)
	[ "$status" -eq 0 ]
	wait "$pid"
	# It waited for the first one's 2 s pause.
	[ $(((end - start) / 1000000)) -ge 1200 ]
}

# vanish_mid_pass CMD...: bx, growing, is acted on with each CMD (virsh
# arguments) while a pass waits between planning and applying: the pass
# skips it and exits 0.
vanish_mid_pass() {
	local c pid rc=0 cmd
	tb_define_vm bx --memory 1024 --current 256 --start
	tb_wait_ready bx 120
	dmctl set bx --enable --buffer 20
	c=$(conf)
	hold_past bx 225 >/dev/null
	slow_call virDomainLookupByUUIDString 2 "$DMCTL" rebalance -C "$c" \
		>"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	sleep 1
	for cmd in "$@"; do
		vsh "$cmd" bx
	done
	wait "$pid" || rc=$?
	cat "$BATS_TEST_TMPDIR/out"
	[ "$rc" -eq 0 ]
	grep -q "bx: 256M -> .*VM stopped or vanished, skipped" "$BATS_TEST_TMPDIR/out"
}

@test "a VM destroyed in the middle of a pass is skipped, not fatal" {
	vanish_mid_pass destroy
	undefine_vm bx
}

@test "a VM undefined and destroyed in the middle of a pass (gone from libvirt) is skipped, not fatal" {
	# Undefined while running it is transient; destroyed, it is gone.
	vanish_mid_pass undefine destroy
	run dmctl show --json
	[ "$status" -eq 0 ]
	[ "$(jq '[.vms[] | select(.name == "bx")] | length' <<<"$output")" -eq 0 ]
}

@test "--every 1 keeps up with demand climbing 40 MiB every 2 s" {
	reset b1
	c=$(conf)
	"$DMCTL" rebalance --every 1 -q -C "$c" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	held=0
	for step in $(seq 1 12); do
		tb_guest b1 hold 40 >/dev/null
		held=$((held + 40))
		sleep 2
		echo "held $held: $("$DMCTL" show --json b1 | jq -c '.vms[0] | [.assigned / 1048576, .demand / 1048576, .status]')"
		# No holder was killed: the guest never ran out of memory.
		[ "$(tb_guest b1 held)" -eq "$held" ]
	done
	echo "held $held MiB"
	ok() {
		local a dem
		a=$(json_vm b1 assigned)
		dem=$(json_vm b1 demand)
		[ "$dem" != null ] && [ "$a" -ge $((dem * 120 / 100 - 8 * MiB)) ]
	}
	tb_wait_for 10 ok
	[ "$(json_vm b1 assigned)" -gt $((600 * MiB)) ]
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	tb_guest b1 release >/dev/null
}

# state_attr VM NAME: an attribute of the VM's balancer state.
state_attr() {
	vsh metadata "$1" urn:dmctl:balancer-state:1 --live 2>/dev/null |
		sed -n "s/.* $2=\"\([0-9]*\)\".*/\1/p"
}

@test "a VM whose demand climbs keeps climb x the time to answer on top of its buffer (defaults)" {
	reset b1
	c="$BATS_TEST_TMPDIR/dmctl.conf"
	printf 'lock-file = %s\n' "$BATS_FILE_TMPDIR/rebalance.lock" >"$c"
	"$DMCTL" rebalance --every 1 -q -C "$c" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	# 20 MiB/s for 20 s; the rate is sampled 10 s apart once the
	# grace period is over.
	for _ in $(seq 1 10); do
		tb_guest b1 hold 40 >/dev/null
		sleep 2
	done
	sleep 6
	climb=$(state_attr b1 climb)
	react=$(state_attr b1 react)
	d=$(json_vm b1 demand)
	bw=$(json_vm b1 buffer_wanted)
	a=$(json_vm b1 assigned)
	echo "climb ${climb:-none} KiB/s, react ${react:-none} s; demand $((d / MiB)), buffer wanted $((bw / MiB)), assigned $((a / MiB)) MiB"
	kill -TERM "$pid"
	wait "$pid"
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	[ "$climb" -ge $((5 * 1024)) ]
	# --every 1: the next pass, and two one-second stats reports.
	[ "$react" -eq 3 ]
	# Its effective buffer: 20 % of demand and 3 s of its climb; and it
	# has it, within a step.
	[ "$bw" -ge $((d / 5 + climb * 1024 * 3 - MiB)) ]
	[ "$a" -ge $((d + bw - 8 * MiB)) ]
	[ "$(tb_guest b1 held)" -eq 400 ]
	tb_guest b1 release >/dev/null
}

@test "lend-idle: idle pool lent as headroom, shown as loan, taken back for a VM that needs it" {
	reset b1
	reset b2
	run dmctl show --json
	total=$(jq '.host.total' <<<"$output")
	static=$(jq '.host.static' <<<"$output")
	overhead=$(jq '.host.overhead' <<<"$output")
	pool=$((1600 * MiB))
	c=$(conf reserve=$((total - static - overhead - pool)) reserve-percent=0 lend-idle=yes)
	run dmctl rebalance --json -C "$c"
	echo "$output"
	[ "$status" -eq 0 ]
	# All but a quarter of the pool is lent, shared alike.
	jq -e '[.vms[] | select(.name == "b1" or .name == "b2") | .reason] == ["idle pool lent as headroom", "idle pool lent as headroom"]' <<<"$output"
	t1=$(jq '.vms[] | select(.name == "b1") | .to' <<<"$output")
	t2=$(jq '.vms[] | select(.name == "b2") | .to' <<<"$output")
	[ $((t1 + t2)) -le $((1200 * MiB)) ] && [ $((t1 + t2)) -ge $((1150 * MiB)) ]
	lent() { [ "$(json_vm b1 loan)" != null ] && [ "$(json_vm b1 assigned)" -ge $((t1 - 2 * MiB)) ]; }
	tb_wait_for 15 lent
	[ "$(json_vm b1 loan)" -ge $((200 * MiB)) ]
	dmctl show b1 | grep -Eq '^b1 .* [0-9]+M +[0-9]+M~? +[0-9]+%~? '
	# Lent, not surplus: a pass long after changes nothing.
	run dmctl rebalance --json -C "$c"
	jq -e '[.vms[] | select(.name == "b1" or .name == "b2") | .change] == [false, false]' <<<"$output"
	# b2's demand climbs until what it wants no longer fits beside b1's
	# loan: the loan comes back, b2 grows to what it wants.
	loan1=$(json_vm b1 loan)
	for round in $(seq 1 14); do
		tb_guest b2 hold 70 >/dev/null
		sleep 2
		run dmctl rebalance --json -C "$c"
		r1=$(jq -r '.vms[] | select(.name == "b1") | .reason' <<<"$output")
		echo "round $round: b2 $(jq -c '.vms[] | select(.name == "b2") | [(.demand / 1048576 | floor), .to / 1048576]' <<<"$output"), b1 $r1"
		[ "$r1" != "reclaim: surplus needed by another VM" ] || break
		tb_wait_for 10 assigned_is b2 "$(jq '.vms[] | select(.name == "b2") | .to' <<<"$output")"
	done
	echo "$output"
	[ "$r1" = "reclaim: surplus needed by another VM" ]
	n1=$(jq '.vms[] | select(.name == "b1") | .to' <<<"$output")
	n2=$(jq '.vms[] | select(.name == "b2") | .to' <<<"$output")
	[ "$n1" -lt "$t1" ] && [ "$n1" -ge $((240 * MiB)) ]
	[ $((n1 + n2)) -le "$pool" ]
	settled() { [ "$(json_vm b2 assigned)" -ge $((n2 - 2 * MiB)) ]; }
	tb_wait_for 15 settled
	# What b1 keeps on loan is no more than it has above its minimum
	# (its loan may be counted from a smaller want than when lent).
	l=$(json_vm b1 loan)
	echo "b1 loan $((loan1 / MiB)) -> $(( ${l/null/0} / MiB )) MiB, assigned $((n1 / MiB)) MiB"
	[ "$l" = null ] || [ "$l" -le $((n1 - 128 * MiB)) ]
	[ "$(tb_guest b2 held)" -gt 0 ]
	reset b2
}

@test "a running VM with invalid settings: said once, exit 1, listed in JSON, status invalid (defaults)" {
	reset b1
	xml=$(vsh metadata b1 urn:dmctl:dynamic-memory:1 --live)
	bad=${xml/<weight>50<\/weight>/<weight>500<\/weight>}
	[ "$bad" != "$xml" ]
	restore_b1=$xml
	vsh metadata b1 urn:dmctl:dynamic-memory:1 --live --key dm --set "$bad"
	c="$BATS_TEST_TMPDIR/defaults.conf"
	printf 'lock-file = %s\n' "$BATS_FILE_TMPDIR/rebalance.lock" >"$c"
	# Before: nothing said, exit 0, "vms": [].
	for o in "" -n; do
		run --separate-stderr "$DMCTL" rebalance $o -C "$c"
		echo "$stderr"
		[ "$status" -eq 1 ]
		[[ "$stderr" == *"VM 'b1': invalid settings, left alone: "*"weight"* ]]
	done
	run --separate-stderr "$DMCTL" rebalance -n --json -C "$c"
	[ "$status" -eq 1 ]
	[ "$(jq -r '.invalid[0].name' <<<"$output")" = b1 ]
	jq -e '.invalid[0].error | test("weight")' <<<"$output"
	[ "$(jq '[.vms[] | select(.name == "b1")] | length' <<<"$output")" -eq 0 ]
	# The loop says it once, not every second.
	"$DMCTL" rebalance --every 1 -q -C "$c" 2>"$BATS_TEST_TMPDIR/err" &
	loop=$!
	sleep 5
	kill -TERM "$loop"
	wait "$loop" || true
	loop=
	cat "$BATS_TEST_TMPDIR/err"
	[ "$(grep -c "VM 'b1': invalid settings" "$BATS_TEST_TMPDIR/err")" -eq 1 ]
	# show and dmtop say "invalid", not "none".
	[ "$(json_vm b1 status)" = invalid ]
	run "$BATS_TEST_DIRNAME/../../bin/dmtop" -b -s name
	echo "$output"
	[[ "$(grep '^b1 ' <<<"$output")" == *" invalid"* ]]
	vsh metadata b1 urn:dmctl:dynamic-memory:1 --live --key dm --set "$xml"
	[ "$(json_vm b1 status)" != invalid ]
}

@test "a running VM whose minimum is above its <memory>: held at <memory>, said once (defaults)" {
	reset b1
	xml=$(vsh metadata b1 urn:dmctl:dynamic-memory:1 --live)
	big=$(sed 's|<startup unit="KiB">[0-9]*</startup>|<startup unit="KiB">2097152</startup>|; s|<minimum unit="KiB">[0-9]*</minimum>|<minimum unit="KiB">2097152</minimum>|; s|<maximum unit="KiB">[0-9]*</maximum>|<maximum unit="KiB">4194304</maximum>|' <<<"$xml")
	[ "$big" != "$xml" ]
	restore_b1=$xml
	vsh metadata b1 urn:dmctl:dynamic-memory:1 --live --key dm --set "$big"
	c="$BATS_TEST_TMPDIR/defaults.conf"
	printf 'lock-file = %s\n' "$BATS_FILE_TMPDIR/rebalance.lock" >"$c"
	# Before: planned with minimum 2 GiB in its JSON, to 1 GiB, silently.
	run --separate-stderr "$DMCTL" rebalance -n --json -C "$c"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"VM 'b1': minimum 2.0G is more than it can have (1.0G) until it boots again: held at 1.0G"* ]]
	[ "$(jq '.vms[] | select(.name == "b1") | .minimum' <<<"$output")" -eq $((1024 * MiB)) ]
	"$DMCTL" rebalance --every 1 -q -n -C "$c" 2>"$BATS_TEST_TMPDIR/err" &
	loop=$!
	sleep 4
	kill -TERM "$loop"
	wait "$loop" || true
	loop=
	[ "$(grep -c "VM 'b1': minimum 2.0G" "$BATS_TEST_TMPDIR/err")" -eq 1 ]
	vsh metadata b1 urn:dmctl:dynamic-memory:1 --live --key dm --set "$xml"
}

# private_dev SCRIPT [ARG...]: run the bash SCRIPT with ARGs as $1...
# in a private mount namespace with a /dev of its own that has only null,
# zero, random and urandom: no /dev/log but one SCRIPT makes.
private_dev() {
	unshare -m bash -c '
		set -e
		d=$(mktemp -d)
		mkdir "$d/dev"
		for n in null zero urandom random; do
			cp -a /dev/$n "$d/dev/"
		done
		mount --bind "$d/dev" /dev
		script=$1
		shift
		eval "$script"
	' _ "$@"
}

@test "every change is logged to syslog" {
	unset DMCTL_LOG
	[ "$(id -u)" = 0 ] || skip "needs root for a private /dev/log"
	command -v socat >/dev/null || skip "socat not installed"
	reset b1
	c=$(conf)
	hold_past b1 225 >/dev/null
	log="$BATS_TEST_TMPDIR/syslog"
	# Its /dev/log is a socket we read: the host's syslog is not touched.
	private_dev '
		socat -u UNIX-RECV:/dev/log OPEN:"$1",creat,append &
		for _ in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done
		"$2" rebalance -q -C "$3"
		sleep 0.5
		kill $!
	' "$log" "$DMCTL" "$c"
	cat "$log"
	grep -q "dmctl\[[0-9]*\]: VM 'b1': memory 256M -> .* (demand .* MiB, buffer 20%, add: below demand + buffer)" "$log"
}

@test "under systemd every change goes to the journal, on stderr with its level" {
	unset DMCTL_LOG
	reset b1
	c=$(conf)
	hold_past b1 225 >/dev/null
	j="$BATS_TEST_TMPDIR/journal"
	: >"$j"
	# systemd names the stream it connects stderr to in JOURNAL_STREAM
	# (systemd.exec(5)); here a file stands for the journal's stream.
	out=$(JOURNAL_STREAM=$(stat -c %d:%i "$j") "$DMCTL" rebalance -q -C "$c" 2>>"$j")
	cat "$j"
	[ -z "$out" ]
	# Level notice (5) for journald, which adds the program's name.
	grep -q "^<5>VM 'b1': memory 256M -> .* (demand .* MiB, buffer 20%, add: below demand + buffer)$" "$j"
	[ "$(grep -vc '^<[0-7]>' "$j")" -eq 0 ]
	# Errors carry their level too.
	st=0
	JOURNAL_STREAM=$(stat -c %d:%i "$j") "$DMCTL" rebalance -q \
		-c 'qemu:///system?socket=/nonexistent/sock' 2>>"$j" || st=$?
	[ "$st" -eq 1 ]
	[ "$(grep -vc '^<[0-7]>' "$j")" -eq 0 ]
	grep -q '^<3>' "$j"
}

@test "with neither journal nor syslog, changes go to stderr after one warning" {
	unset DMCTL_LOG
	[ "$(id -u)" = 0 ] || skip "needs root for a /dev without log"
	reset b1
	reset b2
	c=$(conf)
	hold_past b1 225 >/dev/null
	hold_past b2 225 >/dev/null
	err="$BATS_TEST_TMPDIR/err"
	# No /dev/log, and JOURNAL_STREAM names a stream stderr is not (a
	# shell started by a unit, its stderr sent elsewhere).
	JOURNAL_STREAM=1:1 private_dev '
		[ ! -e /dev/log ]
		"$1" rebalance -q -C "$2"
	' "$DMCTL" "$c" >"$BATS_TEST_TMPDIR/out" 2>"$err"
	cat "$err"
	[ ! -s "$BATS_TEST_TMPDIR/out" ]
	[ "$(grep -c "no syslog at /dev/log and not under systemd: balancer changes are printed here" "$err")" -eq 1 ]
	[ "$(head -1 "$err")" = "dmctl: no syslog at /dev/log and not under systemd: balancer changes are printed here" ]
	grep -q "^dmctl: VM 'b1': memory 256M -> .* (demand .* MiB, buffer 20%, add: below demand + buffer)$" "$err"
	grep -q "^dmctl: VM 'b2': memory 256M -> " "$err"
}

@test "a dynamic VM boots at its startup size; the balancer turns its stats on and leaves it alone at first" {
	# A guest defined without a balloon stats period.
	tb_define_vm bs --memory 1024 --current 512 --no-stats
	dmctl set bs --enable --startup 320M --minimum 256M --maximum 1G
	vsh start bs
	booted() {
		tb_guest bs ping >/dev/null 2>&1 &&
			[ "$(vsh dommemstat bs | awk '$1 == "actual" {print $2}')" = $((320 * 1024)) ]
	}
	tb_wait_for 90 booted
	# No stats period: the guest reports once at boot, then never again.
	last_update() { vsh dommemstat bs | awk '$1 == "last_update" {print $2}'; }
	u0=$(last_update)
	sleep 7
	[ "$(last_update)" = "$u0" ]
	c=$(conf grace=60)
	run dmctl rebalance --dry-run -C "$c"
	[[ "$output" == *"bs: 320M, no change ("*"left alone: just started)"* ]]
	run dmctl rebalance -C "$c"
	[ "$status" -eq 0 ]
	[[ "$output" != *"bs:"* ]]
	# The pass set the guest's stats period: reports flow again.
	advancing() { [ "$(last_update)" -gt "$u0" ]; }
	tb_wait_for 10 advancing
	[ "$(json_vm bs demand)" != null ]
	[ "$(json_vm bs assigned)" -eq $((320 * MiB)) ]
	# Still within its grace period: left alone.
	run dmctl rebalance --dry-run -C "$c"
	[[ "$output" == *"bs: 320M, no change"*"left alone: just started"* ]]
	undefine_vm bs
}
