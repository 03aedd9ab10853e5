#!/usr/bin/env bash
# show-scale.sh - how long "dmctl show --json" and "dmctl rebalance
# --dry-run" take with many VMs.
#
#   bench/show-scale.sh [N]    (default 500)
#
# Starts a private test bed (tests/testbed), boots two real guests with
# dynamic memory and balloon stats, defines N-2 more shut-off VMs with
# settings, then times 10 runs of each command and prints the median and
# worst wall time and the peak RSS of one run.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-500}
dmctl="$here/bin/dmctl"
# shellcheck source=../tests/testbed/testbed.bash
source "$here/tests/testbed/testbed.bash"
# shellcheck source=host.bash
source "$here/bench/host.bash"
unset TB_DIR
trap tb_stop EXIT

bench_host "$n"

count=$("$dmctl" show --json | jq '.vms | length')
conf="$TB_DIR/dmctl.conf"
echo "lock-file = $TB_DIR/rebalance.lock" >"$conf"

# measure LABEL CMD...: 10 runs of CMD; median and worst wall time, and
# the peak RSS of one more run.
measure() {
	local label=$1 times=() s e sorted rss
	shift
	for _ in $(seq 1 10); do
		s=$(date +%s%N)
		"$@" >/dev/null
		e=$(date +%s%N)
		times+=($(((e - s) / 1000000)))
	done
	sorted=$(printf '%s\n' "${times[@]}" | sort -n)
	rss=$( { /usr/bin/time -f '%M' "$@" >/dev/null; } 2>&1 | tail -n 1)
	echo "$label, $count VMs (2 running): median $(sed -n 5p <<<"$sorted") ms, worst $(tail -n 1 <<<"$sorted") ms, peak RSS ${rss} KiB"
}

measure "dmctl show --json" "$dmctl" show --json
measure "dmctl rebalance --dry-run" "$dmctl" rebalance --dry-run -C "$conf"
