#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# dmctl start against real guests: a VM starts only when the pool holds
# what it boots with; surplus of running VMs is taken back first when that
# is enough; two starts at once never count the same free memory.

load helpers

BATS_NO_PARALLELIZE_WITHIN_FILE=true

setup_file() {
	source "$BATS_TEST_DIRNAME/helpers.bash"
	"$DMCTL" set gshow gset --disable >/dev/null
	tb_define_vm s1 --memory 1024 --current 256 --start
	tb_wait_ready s1 120
	"$DMCTL" set s1 --enable --startup 256M --minimum 256M --maximum 1G >/dev/null
	tb_define_vm s2 --memory 1024 --current 256
	tb_define_vm s3 --memory 1024 --current 256
	tb_define_vm sh --memory 256 --current 256 --hotadd 1024
	"$DMCTL" set s2 s3 sh --enable >/dev/null
}

teardown_file() {
	source "$BATS_TEST_DIRNAME/helpers.bash"
	for v in s1 s2 s3 sh; do undefine_vm $v; done
	"$DMCTL" set gshow gset --enable >/dev/null
}

teardown() {
	[ -z "${loop:-}" ] || kill -TERM "$loop" 2>/dev/null || true
	for v in s2 s3 sh; do vsh destroy $v >/dev/null 2>&1 || true; done
}

# conf_free MIB: a host settings file whose pool leaves MIB free now.
conf_free() {
	local host reserve c="$BATS_TEST_TMPDIR/dmctl.conf"
	host=$(dmctl show --json | jq '.host')
	reserve=$(jq --argjson f $(($1 * MiB)) '.total - .static - .overhead - .assigned - $f' <<<"$host")
	printf 'reserve = %s\nreserve-percent = 0\nlock-file = %s\n' \
		"$reserve" "$BATS_FILE_TMPDIR/lock" >"$c"
	echo "$c"
}

state() { vsh domstate "$1"; }
prep() { rm -f "$TB_DIR/$1.agent.sock"; }

@test "a VM that fits starts; one that does not is refused and stays off" {
	# s2 boots with 256 MiB plus 64 MiB of overhead.
	c=$(conf_free 400)
	prep s2
	run dmctl start -C "$c" s2
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"s2: started (dynamic, needs 320 MiB"* ]]
	[ "$(state s2)" = running ]
	vsh destroy s2 >/dev/null
	c=$(conf_free 200)
	prep s2
	run dmctl start -C "$c" s2
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"dmctl: VM 's2': cannot start: needs 320 MiB, the pool has 200 MiB free"* ]]
	[ "$(state s2)" = "shut off" ]
	# A dry run says the same and starts nothing either way.
	run dmctl start --dry-run -C "$c" s2
	[ "$status" -eq 1 ]
	c=$(conf_free 400)
	run dmctl start -n -C "$c" s2
	[ "$status" -eq 0 ]
	[[ "$output" == *"s2: would start"* ]]
	[ "$(state s2)" = "shut off" ]
}

@test "surplus of a running VM is taken back first, then the VM starts" {
	# s1 gets surplus: it grows for a held 200 MiB, which is then let go.
	c=$(conf_free 2000)
	"$DMCTL" rebalance --every 1 -q -C "$c" &
	loop=$!
	for _ in 1 2 3 4 5 6 7; do
		tb_guest s1 hold 30 >/dev/null
		sleep 2
	done
	grown() { [ "$(json_vm s1 assigned)" -gt $((300 * MiB)) ]; }
	tb_wait_for 15 grown
	kill -TERM "$loop"
	wait "$loop" || true
	loop=
	tb_guest s1 release >/dev/null
	sleep 3
	had=$(json_vm s1 assigned)
	echo "s1 has $((had / MiB)) MiB"
	# 250 MiB free: not enough for 320, enough with s1's surplus.
	c=$(conf_free 250)
	prep s2
	run dmctl start -C "$c" s2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(state s2)" = running ]
	now=$(json_vm s1 assigned)
	echo "s1 now $((now / MiB)) MiB"
	[ "$now" -lt "$had" ]
	# Never below its demand + buffer (or minimum).
	[ "$now" -ge $((256 * MiB)) ]
	[ "$now" -ge $(($(json_vm s1 demand) * 120 / 100 - 8 * MiB)) ]
}

@test "memory on loan comes back for a VM that starts, as much as it needs (defaults)" {
	give_back s1 "$BATS_TEST_TMPDIR/bare.conf" "lock-file = $BATS_FILE_TMPDIR/lock"
	bare=$(json_vm s1 assigned)
	# 500 MiB free, on the default settings: a pass lends s1 most of it.
	c=$(conf_free 500)
	run dmctl rebalance -C "$c"
	echo "$output"
	[ "$status" -eq 0 ]
	lent() { [ "$(json_vm s1 loan)" -gt $((100 * MiB)) ] && [ "$(json_vm s1 assigned)" -gt $((bare + 100 * MiB)) ]; }
	tb_wait_for 10 lent
	had=$(json_vm s1 assigned)
	loan=$(json_vm s1 loan)
	free=$(dmctl show --json -C "$c" | jq '.host.free')
	echo "s1 $((bare / MiB)) -> $((had / MiB)) MiB, $((loan / MiB)) MiB of it on loan; pool free $((free / MiB)) MiB"
	# Less than s2's 320 MiB is free without the loan, enough with it.
	[ "$free" -lt $((320 * MiB)) ]
	[ $((free + loan)) -ge $((320 * MiB)) ]
	prep s2
	run dmctl start -C "$c" s2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(state s2)" = running ]
	now=$(json_vm s1 assigned)
	echo "s1 now $((now / MiB)) MiB, $(($(json_vm s1 loan) / MiB)) MiB on loan"
	# The loan came back, at least what s2 needed beyond the free pool,
	# and s1 kept what it wants (its 256 MiB minimum here).
	[ "$now" -le $((had - (320 * MiB - free))) ]
	[ "$now" -ge $((256 * MiB)) ]
	# The pool holds both: nothing overcommitted.
	run dmctl show --json -C "$c"
	[ "$(jq '.host.overcommitted' <<<"$output")" -eq 0 ]
	[ "$(jq '.host.free' <<<"$output")" -ge 0 ]
}

@test "two starts at once do not both count the same free memory" {
	# s1 first gives back all it has above what it wants, so that the
	# free pool is all a start can have.
	give_back s1 "$BATS_TEST_TMPDIR/bare.conf" "lock-file = $BATS_FILE_TMPDIR/lock"
	c=$(conf_free 400)
	prep s2
	prep s3
	dmctl start -C "$c" s2 >"$BATS_TEST_TMPDIR/a" 2>&1 &
	a=$!
	dmctl start -C "$c" s3 >"$BATS_TEST_TMPDIR/b" 2>&1 &
	b=$!
	ra=0
	wait "$a" || ra=$?
	rb=0
	wait "$b" || rb=$?
	cat "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	# 400 MiB holds one 320 MiB start, not two.
	[ $((ra + rb)) -eq 1 ]
	[ "$(vsh list --name | grep -c '^s[23]$')" -eq 1 ]
	grep -q "cannot start: needs 320 MiB" "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}

@test "a hot-add VM is admitted by its boot memory, not its maximum" {
	c=$(conf_free 400)
	prep sh
	run dmctl start -C "$c" sh
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sh: started (hot-add, needs 320 MiB"* ]]
	[ "$(state sh)" = running ]
}

@test "a static VM is admitted by its <memory>" {
	dmctl set s3 --disable >/dev/null
	c=$(conf_free 600)
	prep s3
	run dmctl start -C "$c" s3
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"VM 's3': cannot start: needs 1088 MiB"* ]]
	[ "$(state s3)" = "shut off" ]
	dmctl set s3 --enable >/dev/null
}

@test "start: usage errors, a running VM, a VM that does not exist" {
	run dmctl start
	[ "$status" -eq 2 ]
	run dmctl start s1
	[ "$status" -eq 1 ]
	[[ "$output" == *"VM 's1': already running"* ]]
	run dmctl start nosuchvm
	[ "$status" -eq 1 ]
	[[ "$output" == *"VM 'nosuchvm': no such VM"* ]]
}
