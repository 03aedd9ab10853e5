#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# density-matrix.sh - the density benchmark over hosts, seeds, trace sets
# and balloon speeds, as one table.
#
#   bench/density-matrix.sh [HOURS]     (default 12 h of traces a run)
#
# Runs build/out/bench/density on 64 GiB, 256 GiB and 1 TiB hosts with
# seeds 1, 2 and 3, on the classic and the hard trace sets, and on 256 GiB
# (seed 1) with slow (100 in / 300 out MiB/s) and fast (3000 / 9000)
# balloons, two runs at a time. Prints, per run, the VMs each policy fits
# at the tolerance and at zero unmet demand (tol/zero), the ceiling, ours
# as a percentage of it (tol/zero) and the balloon changes per VM-day of
# the three balancers at their limits.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
hours=${1:-12}
case $hours in '' | *[!0-9]* | 0) echo "usage: $0 [HOURS]" >&2; exit 2 ;; esac
density="$here/build/out/bench/density"
[ -x "$density" ] || make -s -C "$here" build/out/bench/density
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One line per run: a name for it, then the density arguments.
{
	for host in 64G 256G 1T; do
		for traces in classic hard; do
			for seed in 1 2 3; do
				echo "$host $traces $seed 300/900 --host $host --traces $traces --seed $seed"
			done
		done
	done
	for traces in classic hard; do
		echo "256G $traces 1 100/300 --host 256G --traces $traces --rate-in 100 --rate-out 300"
		echo "256G $traces 1 3000/9000 --host 256G --traces $traces --rate-in 3000 --rate-out 9000"
	done
} >"$out/runs"

start=$(date +%s)
n=0
while read -r _ _ _ _ args; do
	n=$((n + 1))
	echo "$n $args"
done <"$out/runs" | DENSITY=$density HOURS=$hours OUT=$out xargs -P 2 -L 1 \
	bash -c 'n=$1; shift; "$DENSITY" --hours "$HOURS" "$@" >"$OUT/$n" 2>&1' _

# fits FILE TABLE POLICY: the VMs POLICY fits in TABLE (tol or zero).
fits() {
	awk -v t="$2" -v p="$3" '/^at the tolerance/ { s = "tol" }
		/^at zero unmet/ { s = "zero" } s == t && $1 == p { print $2; exit }' "$1"
}

printf '%-5s %-7s %4s %-9s' host traces seed balloon
for p in static-max static-peak mom proxmox ours; do printf ' %11s' "$p"; done
printf ' %7s %9s %s\n' ceiling 'ours/ceil' 'changes/VM-day ours mom proxmox'
n=0
while read -r host traces seed rates _; do
	n=$((n + 1))
	f="$out/$n"
	printf '%-5s %-7s %4s %-9s' "$host" "$traces" "$seed" "$rates"
	for p in static-max static-peak mom proxmox ours; do
		printf ' %11s' "$(fits "$f" tol $p)/$(fits "$f" zero $p)"
	done
	c=$(sed -n 's/^ceiling: \([0-9]*\) VMs.*/\1/p' "$f")
	o=$(sed -n 's/^ours of ceiling: \([0-9]*\)%$/\1/p' "$f")
	z=$(sed -n 's/^zero-unmet ours of ceiling: \([0-9]*\)%$/\1/p' "$f")
	ch=$(sed -n 's/^balloon changes per VM-day at the limit: ours \([0-9]*\), mom \([0-9]*\), proxmox \([0-9]*\)$/\1 \2 \3/p' "$f")
	printf ' %7s %9s %s\n' "$c" "$o%/$z%" "$ch"
done <"$out/runs"
echo "density-matrix: $n runs of $hours h of traces in $(($(date +%s) - start)) s" \
	"(cells: VMs at the tolerance / at zero unmet)"
