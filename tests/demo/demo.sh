#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# demo.sh - "make demo": a private demo host for dmctl.
#
# Starts a private libvirt daemon (tests/testbed) in a fresh directory
# /tmp/dmctl-demo.XXXXXX, boots three tiny guests with dynamic memory and
# different weights (web 80, db 50, batch 20; db boots at 256 MiB and grows
# past it by hot-add, the others by balloon), runs a workload in each
# whose demand rises and falls on its own schedule, runs the balancer
# every second on a pool too small for all three peaks, and opens the
# viewer (bin/dmtop). When the viewer exits (q or Ctrl-C) everything is
# stopped and the directory removed. Nothing outside it is touched (the
# guest kernel is built once into <repo>/build/guest, like "make check").
#
# Environment:
#   DMCTL_DEMO_VIEW   viewer command (run by bash -c) instead of bin/dmtop;
#                     it gets TB_DIR, LIBVIRT_DEFAULT_URI and DMCTL_DEMO_CONF
#   DMCTL_DEMO_INFO   a file to write the demo's directory to, once running
#   DMCTL_DEMO_POOL   the pool for the three guests in MiB (default 960)
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
dmctl="$here/bin/dmctl"
dmtop="$here/bin/dmtop"
pool_mib=${DMCTL_DEMO_POOL:-960}

# Messages go to stderr; a closed terminal or pipe must not stop teardown.
say() { echo "demo: $*" >&2 || true; }
die() {
	say "$*"
	exit 1
}

[ -x "$dmctl" ] || die "no $dmctl: run 'make' (or 'make demo') first"
if [ -z "${DMCTL_DEMO_VIEW:-}" ] && [ ! -t 0 ]; then
	die "the viewer needs a terminal (or set DMCTL_DEMO_VIEW to a command)"
fi
if [ -z "${DMCTL_DEMO_VIEW:-}" ] && [ ! -x "$dmtop" ] && ! command -v watch >/dev/null; then
	die "no viewer: neither $dmtop nor watch(1) (package procps)"
fi

# shellcheck source-path=SCRIPTDIR source=../testbed/testbed.bash disable=SC1091
source "$here/tests/testbed/testbed.bash"

# Everything lives in TB_DIR; cleanup is idempotent and runs on any exit.
TB_DIR=
bal=
cleaned=0
cleanup() {
	[ "$cleaned" = 0 ] || return 0
	cleaned=1
	trap '' INT TERM HUP PIPE
	set +e
	local f pid
	if [ -n "$TB_DIR" ] && [ -d "$TB_DIR" ]; then
		for f in "$TB_DIR"/*.workload.pid; do
			[ -f "$f" ] || continue
			pid=$(cat "$f" 2>/dev/null) || continue
			[ -n "$pid" ] || continue
			# The loop first (its TERM trap waits for the running
			# child), then that child (a sleep or an agent call).
			kill "$pid" 2>/dev/null || true
			pkill -TERM -P "$pid" 2>/dev/null || true
		done
	fi
	if [ -n "$bal" ]; then
		kill "$bal" 2>/dev/null || true
		wait "$bal" 2>/dev/null || true
	fi
	if [ -n "$TB_DIR" ]; then
		tb_stop || say "some processes of $TB_DIR survived"
	fi
	if [ -n "${DMCTL_DEMO_INFO:-}" ]; then
		rm -f "$DMCTL_DEMO_INFO"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

say "building the guest (once; the first time downloads a kernel) ..."
tb_build_guest >"/dev/null"
TB_DIR=$(mktemp -d /tmp/dmctl-demo.XXXXXX)
chmod 0755 "$TB_DIR"
tb_start >/dev/null || die "cannot start a libvirt daemon in $TB_DIR (see $TB_DIR/log)"
export LIBVIRT_DEFAULT_URI=$TB_URI

# name weight
guests=(web:80 db:50 batch:20)
say "starting 3 guests in $TB_DIR (about 20 s) ..."
# virsh's polkit notices are noise here; errors are shown.
# db is a hot-add VM: it boots with 256 MiB and a 768 MiB virtio-mem
# device; web and batch boot with 1 GiB ballooned down to 256 MiB.
for g in "${guests[@]}"; do
	size=(--memory 1024 --current 256)
	online=
	# Its kernel onlines plugged memory to its own zone: with 256 MiB of
	# boot memory filled by the workload, movable memory would leave the
	# guest kernel nothing to allocate from (dmctl(8), HOT-ADD).
	if [ "${g%%:*}" = db ]; then
		size=(--memory 256 --current 256 --hotadd 768)
		online=memhp_default_state=online_kernel
	fi
	if ! TB_GUEST_CMDLINE=$online tb_define_vm "${g%%:*}" "${size[@]}" --start \
		2>"$TB_DIR/define.log"; then
		grep -v '^Authorization not available' "$TB_DIR/define.log" >&2
		die "cannot start guest ${g%%:*}"
	fi
done
for g in "${guests[@]}"; do
	tb_wait_ready "${g%%:*}" 120
done
for g in "${guests[@]}"; do
	"$dmctl" set "${g%%:*}" --enable --startup 256M --minimum 192M \
		--maximum 1G --buffer 20 --weight "${g#*:}" >/dev/null
done

# A pool that fits the three guests' demands but not all their buffers at
# their peaks, so they compete and the weights show.
MiB=1048576
host=$("$dmctl" show --json)
total=$(jq '.host.total' <<<"$host")
static=$(jq '.host.static' <<<"$host")
overhead=$(jq '.host.overhead' <<<"$host")
reserve=$((total - static - overhead - pool_mib * MiB))
[ "$reserve" -gt 0 ] || die "the host has less than $pool_mib MiB to spare"
conf=$TB_DIR/dmctl.conf
cat >"$conf" <<EOF
# dmctl demo host: a pool of $pool_mib MiB for the three guests
reserve = $reserve
reserve-percent = 0
grace = 0
reclaim-delay = 20s
lock-file = $TB_DIR/rebalance.lock
EOF
export DMCTL_DEMO_CONF=$conf

"$dmctl" rebalance --every 1 -q -C "$conf" </dev/null >/dev/null \
	2>"$TB_DIR/balancer.log" &
bal=$!

# Workloads: one loop per guest, driving its agent from the host. Each
# hold step is at most 40 MiB, which the 20 % buffer absorbs; a failed
# hold (e.g. the holder OOM-killed) is ignored, the loop carries on.
hold() { tb_guest "$1" hold "$2" >/dev/null 2>&1 || true; }
release() { tb_guest "$1" release >/dev/null 2>&1 || true; }
held() { tb_guest "$1" held 2>/dev/null || echo 0; }

# web: +40 MiB every 3 s up to 280 MiB, then drops it all; again.
work_web() {
	while :; do
		while [ "$(held web)" -lt 280 ]; do
			hold web 40
			sleep 3
		done
		sleep 3
		release web
		sleep 8
	done
}

# db: takes 200 MiB in its first 10 s, keeps it 40 s, lets go for 15 s.
work_db() {
	while :; do
		for _ in 1 2 3 4 5; do
			hold db 40
			sleep 2
		done
		sleep 40
		release db
		sleep 15
	done
}

# batch: a burst of 150 MiB for 10 s every 25 s.
work_batch() {
	local m
	sleep 12
	while :; do
		for m in 40 40 40 30; do
			hold batch "$m"
			sleep 1.5
		done
		sleep 10
		release batch
		sleep 9
	done
}

for g in "${guests[@]}"; do
	name=${g%%:*}
	# Async: ignores SIGINT; TERM from cleanup ends it.
	(
		set +e
		trap 'exit 0' TERM
		case $name in
		web) work_web ;;
		db) work_db ;;
		batch) work_batch ;;
		esac
	) </dev/null >/dev/null 2>&1 &
	echo "$!" >"$TB_DIR/$name.workload.pid"
done

if [ -n "${DMCTL_DEMO_INFO:-}" ]; then
	echo "$TB_DIR" >"$DMCTL_DEMO_INFO"
fi

quit="Ctrl-C quits"
if [ -n "${DMCTL_DEMO_VIEW:-}" ]; then
	view=(bash -c "$DMCTL_DEMO_VIEW")
elif [ -x "$dmtop" ]; then
	view=("$dmtop" -d 1)
	quit="q quits"
	if "$dmtop" --help 2>&1 | grep -q -- '--config-file'; then
		view+=(-C "$conf")
	fi
else
	view=(watch -n 1 "$dmctl" show -C "$conf")
	say "no bin/dmtop yet: watching 'dmctl show' instead"
fi
say "demo host in $TB_DIR: 3 guests (web 80, db 50 hot-add, batch 20), balancer every second; $quit"

# The viewer runs in a process group of its own that owns the terminal, so
# that Ctrl-C ends only the viewer, not make or this script: teardown then
# runs and the demo exits 0. Job control lives in a subshell: after a
# foreground job dies of SIGINT, bash abandons the command it was running.
# A non-interactive bash hands the terminal over through its fd 2, which
# may be a pipe or a file: there fd 2 is the terminal (stdin), and the
# viewer gets the real stderr back.
rc=0
if [ -t 0 ]; then
	(
		set -m
		"${view[@]}" 2>&4
	) 4>&2 2<&0 || rc=$?
else
	"${view[@]}" || rc=$?
fi
[ "$rc" = 0 ] || [ "$rc" = 130 ] || say "viewer exited with status $rc"
say "stopping the demo host ..."
cleanup
exit 0
