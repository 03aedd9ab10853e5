#!/usr/bin/env bash
# show-scale.sh - how long "dmctl show --json" takes with many VMs.
#
#   bench/show-scale.sh [N]    (default 500)
#
# Starts a private test bed (tests/testbed), boots two real guests with
# dynamic memory and balloon stats, defines N-2 more shut-off VMs with
# settings, then times 10 runs of "dmctl show --json" and prints the
# median and worst wall time and the peak RSS of one run.
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
times=()
for _ in $(seq 1 10); do
	s=$(date +%s%N)
	"$dmctl" show --json >/dev/null
	e=$(date +%s%N)
	times+=($(((e - s) / 1000000)))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(sed -n 5p <<<"$sorted")
worst=$(tail -n 1 <<<"$sorted")
rss=$( { /usr/bin/time -f '%M' "$dmctl" show --json >/dev/null; } 2>&1 | tail -n 1)
echo "dmctl show --json, $count VMs (2 running): median ${median} ms, worst ${worst} ms, peak RSS ${rss} KiB"
