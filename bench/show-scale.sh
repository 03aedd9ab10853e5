#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# show-scale.sh - how long "dmctl show --json" and "dmctl rebalance
# --dry-run" take with many VMs, and what so many cost the daemon.
#
#   bench/show-scale.sh [N...]    (default 500; e.g. 500 2000 10000)
#
# Starts a private test bed (tests/testbed), boots two real guests with
# dynamic memory and balloon stats, then for each N (smallest first)
# defines more shut-off VMs with settings until N are defined, times 10
# runs of each command and prints the median and worst wall time and the
# peak RSS of one run, and the private libvirtd's resident memory (VmRSS
# and its peak VmHWM), the time the defines took and the size of the
# domain configs on disk. libvirt hands out lists of at most 16384
# domains (its RPC limit REMOTE_DOMAIN_LIST_MAX); past that, listing and
# dmctl's bulk stats call fail, and the output says so.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || set -- 500
for n in "$@"; do
	case $n in
	'' | *[!0-9]* | [01]) echo "usage: $0 [N...] (each N >= 2)" >&2; exit 2 ;;
	esac
done
mapfile -t sizes < <(printf '%s\n' "$@" | sort -nu)
dmctl="$here/bin/dmctl"
# shellcheck source=../tests/testbed/testbed.bash
source "$here/tests/testbed/testbed.bash"
# shellcheck source=host.bash
source "$here/bench/host.bash"
unset TB_DIR
trap tb_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# measure LABEL CMD...: 10 runs of CMD; median and worst wall time, and
# the peak RSS of one more run. A failing CMD is reported, with its
# error, and not timed further.
measure() {
	local label=$1 times=() s e sorted rss err
	shift
	err=$(mktemp)
	for _ in $(seq 1 10); do
		s=$(date +%s%N)
		if ! "$@" >/dev/null 2>"$err"; then
			echo "$label, $count VMs (2 running): FAILED: $(head -c 500 "$err")"
			rm -f "$err"
			return 0
		fi
		e=$(date +%s%N)
		times+=($(((e - s) / 1000000)))
	done
	rm -f "$err"
	sorted=$(printf '%s\n' "${times[@]}" | sort -n)
	rss=$( { /usr/bin/time -f '%M' "$@" >/dev/null; } 2>&1 | tail -n 1)
	echo "$label, $count VMs (2 running): median $(sed -n 5p <<<"$sorted") ms, worst $(tail -n 1 <<<"$sorted") ms, peak RSS ${rss} KiB"
}

first=1
for n in "${sizes[@]}"; do
	before=$((bench_count > 2 ? bench_count : 2))
	if [ "$first" = 1 ]; then
		bench_host "$n"
		conf="$TB_DIR/dmctl.conf"
		echo "lock-file = $TB_DIR/rebalance.lock" >"$conf"
		first=0
	else
		bench_define "$n"
	fi
	# Past libvirt's limits listing fails: count what was defined.
	if ! count=$(virsh -q -c "$TB_URI" list --all --name 2>&1); then
		echo "virsh list --all: $count"
		count=$bench_count
	else
		count=$(grep -c . <<<"$count")
	fi
	read -r rss hwm <<<"$(bench_daemon_rss)"
	disk=$(du -sk "$TB_DIR/config" | cut -f1)
	echo "libvirtd, $count VMs defined (2 running): RSS $((rss / 1024)) MiB (peak $((hwm / 1024)) MiB), $((count - before)) defined in $((bench_define_ms / 1000)).$(printf %03d $((bench_define_ms % 1000))) s, configs $((disk / 1024)) MiB on disk"
	measure "dmctl show --json" "$dmctl" show --json
	measure "dmctl rebalance --dry-run" "$dmctl" rebalance --dry-run -C "$conf"
done
