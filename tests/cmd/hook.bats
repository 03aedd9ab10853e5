#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The libvirt hook against a daemon of its own: a plain "virsh start" of a
# VM that does not fit is refused, one that fits starts, "dmctl start"'s
# admission is honoured, and the hook never calls into libvirt.
#
# Needs root: libvirt runs hooks only from /etc/libvirt/hooks/qemu.d. The
# hook put there acts only for this file's daemon, and is removed in
# teardown_file, also when a test fails (.ci/run removes it too).

load helpers

BATS_NO_PARALLELIZE_WITHIN_FILE=true

HOOKDIR=/etc/libvirt/hooks/qemu.d

setup_file() {
	source "$BATS_TEST_DIRNAME/helpers.bash"
	[ "$(id -u)" = 0 ] || skip "installing a libvirt hook needs root"
	# A daemon of our own, started after the hook is in place: libvirt
	# looks for hooks when it starts.
	export SUITE_TB_DIR=$TB_DIR
	TB_DIR=$(mktemp -d /tmp/tb.XXXXXXXX)
	chmod 0755 "$TB_DIR"
	export TB_DIR
	mkdir -p "$TB_DIR/img"
	cp "$DMCTL" "$TB_DIR/img/dmctl"
	chmod 0755 "$TB_DIR/img" "$TB_DIR/img/dmctl"
	export HOOK="$HOOKDIR/dmctl-test-${TB_DIR##*/}"
	mkdir -p "$HOOKDIR"
	cat >"$HOOK" <<-EOF
		#!/bin/sh
		# dmctl's test hook: only for the test daemon in $TB_DIR.
		[ "\$HOME" = "$TB_DIR" ] || exit 0
		exec "$TB_DIR/img/dmctl" hook -C "$TB_DIR/dmctl.conf" "\$@"
	EOF
	chmod 0755 "$HOOK"
	tb_start
	tb_define_vm k1 --memory 1024 --current 256 --start
	tb_wait_ready k1 120
	tb_define_vm k2 --memory 1024 --current 256
	tb_define_vm k3 --memory 1024 --current 256
	"$DMCTL" set k1 k2 --enable >/dev/null
	# The ledger the balancer (root) writes and the hook (the daemon's
	# user) reads and adds to.
	: >"$TB_DIR/ledger"
	chown "$(stat -c %U "$TB_DIR/run")" "$TB_DIR/ledger"
}

teardown_file() {
	[ -z "${HOOK:-}" ] || rm -f "$HOOK"
	source "$BATS_TEST_DIRNAME/helpers.bash"
	[ -z "${SUITE_TB_DIR:-}" ] || [ "$TB_DIR" = "$SUITE_TB_DIR" ] || tb_stop
}

teardown() {
	for v in k2 k3; do vsh destroy $v >/dev/null 2>&1 || true; done
	# No hold left by one test's hand-made hook calls counts in the next.
	[ ! -f "$TB_DIR/ledger" ] || : >"$TB_DIR/ledger"
}

# pool_free MIB: settings whose pool leaves MIB free now, and a pass that
# writes that down in the ledger. Nothing is lent (what was is surplus), so
# that the ledger holds exactly MIB.
pool_free() {
	local host reserve c="$TB_DIR/dmctl.conf"
	host=$(dmctl show --json | jq '.host')
	reserve=$(jq --argjson f $(($1 * MiB)) '.total - .static - .overhead - .assigned - $f' <<<"$host")
	printf 'reserve = %s\nreserve-percent = 0\nlock-file = %s\nledger-file = %s\n' \
		"$reserve" "$TB_DIR/lock" "$TB_DIR/ledger" >"$c"
	echo "lend-idle = no" >>"$c"
	chmod 0644 "$c"
	dmctl rebalance -q -C "$c"
}

prep() { rm -f "$TB_DIR/$1.agent.sock"; }

@test "the hook refuses a plain virsh start of a VM that does not fit, admits one that fits" {
	pool_free 200
	prep k2
	run vsh start k2
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"dmctl: VM 'k2': cannot start: needs 320 MiB, the pool has 200 MiB free"* ]]
	[ "$(vsh domstate k2)" = "shut off" ]
	pool_free 400
	prep k2
	run vsh start k2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(vsh domstate k2)" = running ]
	# What it admitted counts for the next start until a pass sees it.
	grep -q "^hold $(vsh domuuid k2) " "$TB_DIR/ledger"
}

@test "two virsh starts cannot both take the same free memory" {
	pool_free 400
	prep k2
	prep k3
	vsh start k2 >"$BATS_TEST_TMPDIR/a" 2>&1 &
	a=$!
	vsh start k3 >"$BATS_TEST_TMPDIR/b" 2>&1 &
	b=$!
	ra=0
	wait "$a" || ra=$?
	rb=0
	wait "$b" || rb=$?
	cat "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	[ "$ra" -eq 0 ] || [ "$rb" -eq 0 ]
	[ "$ra" -ne 0 ] || [ "$rb" -ne 0 ]
	grep -q "cannot start: needs" "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
}

@test "dmctl start's admission is honoured by the hook" {
	pool_free 250
	# 250 free: the hook alone would refuse 320; dmctl start takes back
	# k1's surplus first (it has none above its 256 MiB minimum here, so
	# it refuses too, with the same figures).
	prep k2
	run dmctl start -C "$TB_DIR/dmctl.conf" k2
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(vsh domstate k2)" = "shut off" ]
	pool_free 400
	prep k2
	run dmctl start -C "$TB_DIR/dmctl.conf" k2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(vsh domstate k2)" = running ]
}

@test "the hook decides without libvirt, and admits when it cannot tell" {
	xml=$(vsh dumpxml --inactive k3)
	# k3 is static: it needs all of its 1 GiB, and 64 MiB of overhead.
	pool_free 1200
	# No daemon to reach: it never connects (a hook that called back
	# into the daemon waiting for it would deadlock).
	run env LIBVIRT_DEFAULT_URI=qemu+unix:///session?socket=/nonexistent \
		"$DMCTL" hook -C "$TB_DIR/dmctl.conf" k3 prepare begin - <<<"$xml"
	[ "$status" -eq 0 ]
	grep -q "^hold $(vsh domuuid k3) " "$TB_DIR/ledger"
	# A start that did not happen gives back what it held.
	"$DMCTL" hook -C "$TB_DIR/dmctl.conf" k3 release end - <<<"$xml"
	! grep -q "^hold $(vsh domuuid k3) " "$TB_DIR/ledger"
	pool_free 1000
	run env LIBVIRT_DEFAULT_URI=qemu+unix:///session?socket=/nonexistent \
		"$DMCTL" hook -C "$TB_DIR/dmctl.conf" k3 prepare begin - <<<"$xml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"VM 'k3': cannot start: needs 1088 MiB, the pool has 1000 MiB free"* ]]
	# Other operations return at once, whatever stdin holds.
	run "$DMCTL" hook -C "$TB_DIR/dmctl.conf" k3 started begin - </dev/null
	[ "$status" -eq 0 ]
	# A stale ledger: admitted (the default), or refused when told to.
	sed -i 's/^time .*/time 1000/' "$TB_DIR/ledger"
	run "$DMCTL" hook -C "$TB_DIR/dmctl.conf" k2 prepare begin - <<<"$(vsh dumpxml --inactive k2)"
	[ "$status" -eq 0 ]
	echo "hook-refuse-undecided = yes" >>"$TB_DIR/dmctl.conf"
	sed -i 's/^time .*/time 1000/' "$TB_DIR/ledger"
	run "$DMCTL" hook -C "$TB_DIR/dmctl.conf" k3 prepare begin - <<<"$xml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"VM 'k3': cannot start: the ledger"*"stale"* ]]
}

@test "with 50 VMs defined the hook decides the same way (its time is printed, not asserted)" {
	for i in $(seq 1 50); do
		tb_define_vm "d$i" --memory 512 --current 256
	done
	[ "$(vsh list --all --name | grep -c '^d[0-9]')" -eq 50 ]
	pool_free 200
	prep k2
	s=$(date +%s%N)
	run vsh start k2
	e=$(date +%s%N)
	echo "$output"
	echo "refused virsh start, 53 VMs defined: $(((e - s) / 1000000)) ms"
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot start: needs 320 MiB, the pool has 200 MiB free"* ]]
	pool_free 400
	prep k2
	s=$(date +%s%N)
	vsh start k2
	e=$(date +%s%N)
	echo "admitted virsh start, 53 VMs defined: $(((e - s) / 1000000)) ms"
	[ "$(vsh domstate k2)" = running ]
	for i in $(seq 1 50); do vsh undefine "d$i" >/dev/null; done
}
