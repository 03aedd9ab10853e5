#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# demo.bats - "make demo" starts, memory moves, Ctrl-C tears it all down.
#
# The demo runs in a tmux session (it wants a terminal) with its own
# private libvirt daemon, not the suite's. The viewer is replaced
# (DMCTL_DEMO_VIEW) by a loop that writes "dmctl show --json" to a file
# every second, so this test does not depend on dmtop's screen.

bats_require_minimum_version 1.5.0

# For tb_wait_for, and tb_stop in teardown.
# shellcheck source=../testbed/testbed.bash
source "$BATS_TEST_DIRNAME/../testbed/testbed.bash"

MiB=1048576

setup() {
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	T=$BATS_TEST_TMPDIR
	SOCK=$T/tmux.sock
	DEMO_DIR=
}

teardown() {
	tmux -S "$SOCK" kill-server 2>/dev/null || true
	# A demo that did not tear itself down: do it here, so no guests leak.
	if [ -n "$DEMO_DIR" ] && [ -d "$DEMO_DIR" ]; then
		(TB_DIR=$DEMO_DIR && tb_stop)
	fi
}

have_info() { [ -s "$T/info" ]; }
have_json() { [ -s "$T/show.json" ]; }
have_rc() { [ -s "$T/rc" ]; }

# The balancer gave a guest memory for its workload: demand above 200 MiB
# (only a workload gets there) and assigned 300 MiB or more, well past the
# 256 MiB the guests boot with.
memory_moved() {
	jq -e --argjson m $((200 * MiB)) --argjson a $((300 * MiB)) \
		'[.vms[] | select((.demand // 0) > $m and (.assigned // 0) >= $a)]
		 | length > 0' "$T/show.json" >/dev/null 2>&1
}

# db grows past the 256 MiB it booted with by hot-add.
db_plugged() {
	jq -e '.vms[] | select(.name == "db") | .grows == "hot-add" and
		(.plugged // 0) > 0' "$T/show.json" >/dev/null 2>&1
}

demo_gone() {
	[ ! -e "$DEMO_DIR" ] && ! pgrep -f "$DEMO_DIR" >/dev/null
}

@test "make demo: memory moves within 90 s, db grows by hot-add, Ctrl-C tears everything down" {
	local view
	view="while :; do \"$REPO/bin/dmctl\" show --json >\"$T/show.tmp\" && mv -f \"$T/show.tmp\" \"$T/show.json\"; sleep 1; done"
	printf '%s\n' "cd '$REPO' && DMCTL_DEMO_INFO='$T/info' DMCTL_DEMO_VIEW='$view' make demo >'$T/out' 2>&1; echo \$? >'$T/rc'" >"$T/cmd.sh"
	tmux -S "$SOCK" -f /dev/null new-session -d -x 140 -y 40 "sh '$T/cmd.sh'" 3>&-

	# Build (if needed) and boot of three guests.
	if ! tb_wait_for 180 have_info; then
		cat "$T/out"
		false
	fi
	DEMO_DIR=$(cat "$T/info")
	echo "demo in $DEMO_DIR"
	[[ "$DEMO_DIR" == /tmp/dmctl-demo.* ]]
	[ -d "$DEMO_DIR" ]
	t0=$SECONDS

	tb_wait_for 20 have_json
	if ! tb_wait_for 90 memory_moved; then
		cat "$T/out" "$T/show.json" "$DEMO_DIR/balancer.log"
		false
	fi
	echo "memory moved after $((SECONDS - t0)) s"
	jq -c '.vms[] | [.name, .weight, .assigned / 1048576, (.demand // 0) / 1048576]' "$T/show.json"
	# Three dynamic guests with their weights.
	jq -e '[.vms[] | select(.dynamic == true) | "\(.name)=\(.weight)"] | sort == ["batch=20", "db=50", "web=80"]' \
		"$T/show.json"
	if ! tb_wait_for 90 db_plugged; then
		cat "$T/show.json" "$DEMO_DIR/balancer.log"
		false
	fi

	tmux -S "$SOCK" send-keys C-c
	if ! tb_wait_for 20 have_rc; then
		cat "$T/out"
		false
	fi
	cat "$T/out"
	[ "$(cat "$T/rc")" = 0 ]
	tb_wait_for 20 demo_gone
	[ ! -e "$T/info" ]
}
