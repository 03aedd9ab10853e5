#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dmtop-cpu.sh - how much CPU the live view costs with many VMs.
#
#   bench/dmtop-cpu.sh [N] [SECONDS]    (default 50 VMs, 60 s)
#
# Starts a private test bed (tests/testbed), boots two real guests with
# dynamic memory and balloon stats, defines N-2 more shut-off VMs, runs
# dmtop at a 1 s refresh in a 120x40 tmux terminal for SECONDS and reads
# its user+system CPU time from /proc/PID/stat before and after.
# Target: below 1 % of a core.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-50}
secs=${2:-60}
dmctl="$here/bin/dmctl"
dmtop="$here/bin/dmtop"
sock=dmtopbench.$$
# shellcheck source=../tests/testbed/testbed.bash
source "$here/tests/testbed/testbed.bash"
# shellcheck source=host.bash
source "$here/bench/host.bash"
unset TB_DIR
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null || true
	tb_stop
}
trap cleanup EXIT

bench_host "$n"
count=$("$dmctl" show --json | jq '.vms | length')

tmux -L "$sock" new-session -d -x 120 -y 40 \
	"exec $dmtop -c '$TB_URI' -d 1"
pid=
for _ in $(seq 1 50); do
	pid=$(tmux -L "$sock" list-panes -F '#{pane_pid}' 2>/dev/null || true)
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] &&
		grep -q dmtop "/proc/$pid/cmdline" 2>/dev/null && break
	sleep 0.1
done
[ -n "$pid" ] || { echo "dmtop did not start" >&2; exit 1; }
sleep 2	# past the first screen

# utime + stime in clock ticks (fields 14 and 15; the name may hold spaces).
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
hz=$(getconf CLK_TCK)
t0=$(ticks "$pid")
s0=$(date +%s%N)
sleep "$secs"
t1=$(ticks "$pid")
s1=$(date +%s%N)
if ! tmux -L "$sock" capture-pane -p | grep -q '^NAME '; then
	echo "dmtop is not showing its table:" >&2
	tmux -L "$sock" capture-pane -p >&2
	exit 1
fi
awk -v c="$count" -v d=$((t1 - t0)) -v hz="$hz" -v ns=$((s1 - s0)) 'BEGIN {
	printf "dmtop, %d VMs, 1 s refresh: %.2f %% of a core\n", c,
	    100 * (d / hz) / (ns / 1e9)
}'
