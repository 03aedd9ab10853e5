#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end check of the test bed: private daemon, one real guest booted
# once for the file, the agent, balloon stats, and a clean tb_stop.
# Run: bats tests/testbed/selftest.bats

# Tests depend on each other's order (the last one stops the bed).
export BATS_NO_PARALLELIZE_WITHIN_FILE=true
bats_require_minimum_version 1.5.0

# shellcheck source=testbed.bash
source "$BATS_TEST_DIRNAME/testbed.bash"

VM=tbself
MiB=1024

setup_file() {
	local t0=$SECONDS
	tb_build_guest
	echo "# guest build (cached or not): $((SECONDS - t0))s" >&3
	t0=$SECONDS
	tb_start
	echo "# tb_start: $((SECONDS - t0))s, TB_DIR=$TB_DIR" >&3
	t0=$SECONDS
	tb_define_vm "$VM" --memory 1024 --current 256 --start
	tb_wait_ready "$VM" 120
	echo "# define+boot to ready: $((SECONDS - t0))s" >&3
}

teardown_file() {
	tb_stop
}

# usable KiB from the balloon stats, via the URI others will use.
usable() {
	virsh -c "$TB_URI" dommemstat "$VM" | awk '$1 == "usable" {print $2}'
}

stat_of() {
	virsh -c "$TB_URI" dommemstat "$VM" | awk -v k="$1" '$1 == k {print $2}'
}

# gone PID: no such process, or only a zombie waiting for its parent (the
# daemon and QEMU are children of PID 1, which may reap late).
gone() {
	! kill -0 "$1" 2>/dev/null || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

@test "daemon is private, runs unprivileged, and the env file reuses it" {
	[ -S "$TB_DIR/run/libvirt/libvirt-sock" ]
	[ "$LIBVIRT_DEFAULT_URI" = "$TB_URI" ]
	[[ "$TB_URI" == "qemu+unix:///session?socket=$TB_DIR/run/libvirt/libvirt-sock" ]]
	pid=$(cat "$TB_DIR/run/libvirt/libvirtd.pid")
	user=$(ps -o user= -p "$pid")
	if [ "$(id -u)" = 0 ]; then
		[ "$user" = nobody ]
	else
		[ "$user" = "$(id -un)" ]
	fi
	run env -i PATH="$PATH" bash -c "source '$TB_DIR/env' && virsh uri && virsh list --all --name"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$TB_URI" ]
	[[ "$output" == *"$VM"* ]]
}

@test "tb_start again reuses the running daemon quickly" {
	pid=$(cat "$TB_DIR/run/libvirt/libvirtd.pid")
	t0=$(date +%s%N)
	tb_start
	t1=$(date +%s%N)
	[ "$(cat "$TB_DIR/run/libvirt/libvirtd.pid")" = "$pid" ]
	[ $(((t1 - t0) / 1000000)) -lt 3000 ]
	[ "$(virsh -c "$TB_URI" domstate "$VM")" = running ]
}

@test "guest booted at 256 of 1024 MiB shows MemTotal of about 200 MiB" {
	total=$(tb_guest_meminfo "$VM" MemTotal)
	echo "MemTotal $total KiB"
	[ "$total" -gt $((180 * MiB)) ]
	[ "$total" -lt $((230 * MiB)) ]
	[ "$(stat_of actual)" -eq $((256 * MiB)) ]
	# kernel console goes to its own log, not to the agent
	grep -q 'tb-init: .*starting agent' "$TB_DIR/$VM.console.log"
}

@test "agent: replies, errors and exit codes" {
	run tb_guest "$VM" ping
	[ "$status" -eq 0 ]
	[ "$output" = pong ]
	run -127 tb_guest "$VM" no-such-command
	[ "$status" -eq 127 ]
	run tb_guest "$VM" sh 'echo one; echo two >&2; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = "$(printf 'one\ntwo')" ]
	run tb_guest "$VM" release 4242
	[ "$status" -ne 0 ]
	run tb_guest "$VM" held
	[ "$output" = 0 ]
	run tb_guest_meminfo "$VM" NoSuchField
	[ "$status" -ne 0 ]
}

@test "agent: many quick calls, also from parallel processes" {
	for i in $(seq 1 20); do
		[ "$(tb_guest "$VM" ping)" = pong ]
	done
	dir=$(mktemp -d)
	for p in 1 2 3 4; do
		(
			for i in 1 2 3 4 5; do
				tb_guest "$VM" meminfo | grep -q '^MemAvailable:' || exit 1
				[ "$(tb_guest "$VM" sh "echo p$p-$i")" = "p$p-$i" ] || exit 1
			done
			touch "$dir/ok$p"
		) &
	done
	wait
	ls "$dir"
	[ "$(find "$dir" -name 'ok*' | wc -l)" -eq 4 ]
	rm -rf "$dir"
}

@test "holding 60 MiB lowers MemAvailable and balloon usable; release restores" {
	# let stats settle after the previous tests
	sleep 2
	avail0=$(tb_guest_meminfo "$VM" MemAvailable)
	usable0=$(usable)
	echo "before: MemAvailable $avail0 usable $usable0"

	run tb_guest "$VM" hold 60
	[ "$status" -eq 0 ]
	read -r id pid <<<"$output"
	[ -n "$id" ] && [ -n "$pid" ]
	[ "$(tb_guest "$VM" held)" = 60 ]

	avail1=$(tb_guest_meminfo "$VM" MemAvailable)
	drop=$(((avail0 - avail1) / MiB))
	echo "held: MemAvailable $avail1 (drop $drop MiB)"
	[ "$drop" -ge 55 ] && [ "$drop" -le 70 ]

	t0=$SECONDS
	usable_dropped() { [ $(((usable0 - $(usable)) / MiB)) -ge 55 ]; }
	tb_wait_for 10 usable_dropped
	echo "usable dropped to $(usable) after $((SECONDS - t0))s"
	[ $(((usable0 - $(usable)) / MiB)) -le 70 ]

	run tb_guest "$VM" release "$id"
	[ "$status" -eq 0 ]
	[ "$(tb_guest "$VM" held)" = 0 ]
	avail2=$(tb_guest_meminfo "$VM" MemAvailable)
	echo "released: MemAvailable $avail2"
	[ $(((avail0 - avail2) / MiB)) -le 5 ]

	usable_back() { [ $(((usable0 - $(usable)) / MiB)) -le 5 ]; }
	tb_wait_for 10 usable_back
	echo "usable back to $(usable)"
}

@test "several holders, release all" {
	id1=$(tb_guest "$VM" hold 10 | cut -d' ' -f1)
	id2=$(tb_guest "$VM" hold 15 | cut -d' ' -f1)
	[ "$id1" != "$id2" ]
	[ "$(tb_guest "$VM" held)" = 25 ]
	[ "$(tb_guest "$VM" list | wc -l)" -eq 2 ]
	tb_guest "$VM" release
	[ "$(tb_guest "$VM" held)" = 0 ]
}

@test "balloon stats are fresh every second" {
	for k in actual available usable unused last_update rss; do
		[ -n "$(stat_of "$k")" ]
	done
	t0=$(stat_of last_update)
	advanced() { [ "$(stat_of last_update)" -gt "$t0" ]; }
	tb_wait_for 5 advanced
}

@test "tb_define_vm defines a shut-off VM; --no-stats omits the stats period" {
	tb_define_vm tbself-off --memory 512 --current 128
	[ "$(virsh -c "$TB_URI" domstate tbself-off)" = "shut off" ]
	xml=$(virsh -c "$TB_URI" dumpxml tbself-off)
	[[ "$xml" == *"<memory unit='KiB'>524288</memory>"* ]]
	[[ "$xml" == *"<currentMemory unit='KiB'>131072</currentMemory>"* ]]
	[[ "$xml" == *"<stats period='1'/>"* ]]
	[[ "$xml" == *"type='qemu'"* ]]

	run tb_define_vm tbself-nostats --no-stats
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	xml=$(virsh -c "$TB_URI" dumpxml tbself-nostats)
	[[ "$xml" == *"<memballoon model='virtio'"* ]]
	[[ "$xml" != *"<stats period"* ]]

	run tb_define_vm 'bad name'
	[ "$status" -ne 0 ]
}

@test "tb_stop leaves no process and no directory behind, and is safe twice" {
	dpid=$(cat "$TB_DIR/run/libvirt/libvirtd.pid")
	qpid=$(cat "$TB_DIR"/run/libvirt/qemu/run/"$VM".pid 2>/dev/null ||
		cat "$TB_DIR"/run/libvirt/qemu/"$VM".pid)
	kill -0 "$dpid"
	kill -0 "$qpid"
	dir=$TB_DIR
	t0=$(date +%s%N)
	tb_stop
	echo "tb_stop took $((($(date +%s%N) - t0) / 1000000)) ms"
	gone "$dpid"
	gone "$qpid"
	[ ! -e "$dir" ]
	run bash -c "ps -eo pid=,args= | grep -F -- '$dir' | grep -v grep"
	echo "left: $output"
	[ -z "$output" ]
	run bash -c "grep -lzF -- 'XDG_RUNTIME_DIR=$dir/run' /proc/[0-9]*/environ 2>/dev/null"
	echo "left: $output"
	[ -z "$output" ]
	tb_stop
}
