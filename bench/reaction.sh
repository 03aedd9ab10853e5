#!/usr/bin/env bash
# reaction.sh - how fast the balancer answers a jump in demand.
#
#   bench/reaction.sh [JUMPS] [MIB]     (default 10 jumps of 40 MiB)
#
# Boots a tiny real guest on a private test bed (tests/testbed) with
# startup 256 MiB, buffer 20 %, runs "dmctl rebalance --every 1", and
# JUMPS times makes the guest hold MIB more. For each jump it measures the
# time from the memory being held (every page touched) to assigned >=
# demand + buffer, and prints the median and the worst. A jump must fit
# in the buffer the guest has (20 % of demand): a larger one can run the
# guest out of memory before any balancer could act.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
jumps=${1:-10}
mib=${2:-40}
dmctl="$here/bin/dmctl"
# shellcheck source=../tests/testbed/testbed.bash
source "$here/tests/testbed/testbed.bash"
unset TB_DIR
conf=$(mktemp)
cleanup() {
	[ -n "${bal:-}" ] && kill "$bal" 2>/dev/null && wait "$bal" 2>/dev/null
	tb_stop
	rm -f "$conf"
}
trap cleanup EXIT

tb_build_guest
tb_start >/dev/null
tb_define_vm r1 --memory 1024 --current 256 --start
tb_wait_ready r1 120
"$dmctl" set r1 --enable --startup 256M --minimum 128M --maximum 1G \
	--buffer 20 >/dev/null
printf 'grace = 0\nlock-file = %s/lock\n' "$TB_DIR" >"$conf"
"$dmctl" rebalance --every 1 -q -C "$conf" &
bal=$!
sleep 3

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# "assigned demand" in bytes, demand empty when unknown
read_vm() {
	"$dmctl" show --json r1 | jq -r '.vms[0] | "\(.assigned) \(.demand // "")"'
}

times=()
for j in $(seq 1 "$jumps"); do
	read -r a0 d0 <<<"$(read_vm)"
	tb_guest r1 hold "$mib" >/dev/null
	t0=$(now_ms)
	while :; do
		read -r a d <<<"$(read_vm)"
		# The jump is seen, and assigned covers demand + 20 %.
		if [ -n "$d" ] && [ "$d" -ge $((d0 + mib * 1048576 * 8 / 10)) ] &&
			[ "$a" -ge $((d + d / 5)) ]; then
			break
		fi
		if [ $(($(now_ms) - t0)) -gt 60000 ]; then
			echo "jump $j: no reaction within 60 s" >&2
			exit 1
		fi
		sleep 0.1
	done
	t=$(($(now_ms) - t0))
	# Only jumps the guest's memory could not already cover count: the
	# others measure the stats delay, not the balancer.
	if [ "$a0" -lt $((d + d / 5)) ]; then
		times+=("$t")
		note=""
	else
		note=" (covered already, not counted)"
	fi
	echo "jump $j: +$mib MiB, demand $((d / 1048576)) MiB, assigned $((a / 1048576)) MiB after $t ms$note"
	sleep 2
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
n=${#times[@]}
median=$(sed -n "$(((n + 1) / 2))p" <<<"$sorted")
worst=$(tail -n 1 <<<"$sorted")
echo "reaction (demand jump of $mib MiB -> assigned >= demand + buffer), --every 1, $n jumps that needed memory: median $median ms, worst $worst ms"
