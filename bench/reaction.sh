#!/usr/bin/env bash
# reaction.sh - how fast the balancer answers a jump in demand.
#
#   bench/reaction.sh [JUMPS] [MIB]     (default 10 jumps of 40 MiB)
#   bench/reaction.sh --oneshot SECONDS [JUMPS] [MIB]   (default 6 jumps)
#
# Boots a tiny real guest on a private test bed (tests/testbed) with
# startup 256 MiB, buffer 20 %, runs "dmctl rebalance --every 1", and
# JUMPS times makes the guest hold MIB more. For each jump it measures the
# time from the memory being held (every page touched) to assigned >=
# demand + buffer, and prints the median and the worst. A jump must fit
# in the buffer the guest has (20 % of demand): a larger one can run the
# guest out of memory before any balancer could act.
#
# --oneshot SECONDS runs the balancer the way an admin does from cron: one
# "dmctl rebalance -q" pass every SECONDS on a fixed schedule (the first
# at a pseudo-random offset) instead of --every 1. Jumps fall at times
# unrelated to the passes: after each measured reaction the next jump
# waits a pseudo-random 0 to SECONDS s (seeded: SEED, default 1), so one
# jump is measured at a time and none pile up between passes. The guest
# first holds enough that every jump needs memory (usable about MIB + 16
# MiB before the first jump). A reaction may take up to 150 s.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
period=0
if [ "${1:-}" = --oneshot ]; then
	period=${2:-}
	case $period in
	'' | *[!0-9]* | 0)
		echo "usage: $0 --oneshot SECONDS [JUMPS] [MIB]" >&2
		exit 2
		;;
	esac
	shift 2
	jumps=${1:-6}
else
	jumps=${1:-10}
fi
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
trap 'exit 130' INT
trap 'exit 143' TERM HUP

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# "assigned demand" in bytes, demand empty when unknown
read_vm() {
	"$dmctl" show --json r1 | jq -r '.vms[0] | "\(.assigned) \(.demand // "")"'
}
# secs MS: MS milliseconds as seconds for sleep (0 if MS <= 0)
secs() {
	local ms=$(($1 > 0 ? $1 : 0))
	printf '%d.%03d\n' $((ms / 1000)) $((ms % 1000))
}
# rand_ms: sets rnd to a pseudo-random 0 .. period*1000-1 ms (RANDOM is
# seeded below; not in $(...), whose subshell would reseed it)
rand_ms() { rnd=$(((RANDOM * 32768 + RANDOM) % (period * 1000))); }

# oneshot_passes OFFSET_MS: like cron, a "dmctl rebalance" pass at
# OFFSET_MS from now and every period seconds after, on a fixed schedule.
# TERM ends it at once (or after the pass under way).
oneshot_passes() {
	local next sp=
	# shellcheck disable=SC2317
	trap '[ -z "$sp" ] || kill "$sp" 2>/dev/null; exit 0' TERM
	next=$(($(now_ms) + $1))
	while :; do
		sleep "$(secs $((next - $(now_ms))))" &
		sp=$!
		wait "$sp" || true
		sp=
		"$dmctl" rebalance -q -C "$conf" || echo "rebalance failed" >&2
		next=$((next + period * 1000))
		while [ "$next" -le "$(now_ms)" ]; do
			next=$((next + period * 1000))
		done
	done
}

tb_build_guest
tb_start >/dev/null
tb_define_vm r1 --memory 1024 --current 256 --start
tb_wait_ready r1 120
"$dmctl" set r1 --enable --startup 256M --minimum 128M --maximum 1G \
	--buffer 20 >/dev/null
printf 'grace = 0\nlock-file = %s/lock\n' "$TB_DIR" >"$conf"
if [ "$period" = 0 ]; then
	"$dmctl" rebalance --every 1 -q -C "$conf" &
	bal=$!
	sleep 3
	limit=60000
	poll=0.1
	mode="--every 1"
else
	RANDOM=${SEED:-1}
	# Make every jump need memory: hold until usable is about MIB + 16.
	# Only once the balloon is at the 256 MiB startup and demand holds
	# still for a second: right after boot the guest may report more
	# (CI once saw 402 MiB usable).
	has_demand() {
		local a1 d1
		read -r a1 d1 <<<"$(read_vm)" && [ -n "$d1" ] &&
			[ "$a1" -eq $((256 * 1048576)) ] || return 1
		sleep 1
		read -r a0 d0 <<<"$(read_vm)" && [ -n "$d0" ] &&
			[ "$a0" -eq "$a1" ] &&
			[ $((d0 - d1)) -le 2097152 ] && [ $((d1 - d0)) -le 2097152 ]
	}
	tb_wait_for 60 has_demand || {
		echo "r1 reports no demand at its 256 MiB startup" >&2
		exit 1
	}
	pre=$(((a0 - d0) / 1048576 - mib - 16))
	if [ "$pre" -ge 8 ]; then
		tb_guest r1 hold "$pre" >/dev/null || {
			echo "r1 cannot hold $pre MiB" >&2
			exit 1
		}
		seen_hold() {
			read -r a0 d <<<"$(read_vm)" &&
				[ -n "$d" ] && [ "$d" -ge $((d0 + pre * 1048576 * 8 / 10)) ]
		}
		tb_wait_for 60 seen_hold || {
			echo "r1's demand does not show the $pre MiB held" >&2
			exit 1
		}
	fi
	rand_ms
	oneshot_passes "$rnd" &
	bal=$!
	limit=150000
	poll=0.25
	mode="one-shot pass every $period s"
fi

times=()
for j in $(seq 1 "$jumps"); do
	read -r a0 d0 <<<"$(read_vm)"
	tb_guest r1 hold "$mib" >/dev/null || {
		echo "jump $j: r1 cannot hold $mib MiB more" >&2
		exit 1
	}
	t0=$(now_ms)
	while :; do
		read -r a d <<<"$(read_vm)"
		# The jump is seen, and assigned covers demand + 20 %.
		if [ -n "$d" ] && [ "$d" -ge $((d0 + mib * 1048576 * 8 / 10)) ] &&
			[ "$a" -ge $((d + d / 5)) ]; then
			break
		fi
		if [ $(($(now_ms) - t0)) -gt "$limit" ]; then
			echo "jump $j: no reaction within $((limit / 1000)) s" >&2
			exit 1
		fi
		sleep "$poll"
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
	if [ "$period" = 0 ]; then
		sleep 2
	elif [ "$j" -lt "$jumps" ]; then
		rand_ms
		sleep "$(secs "$rnd")"
	fi
done
n=${#times[@]}
if [ "$n" -eq 0 ]; then
	echo "no jump needed memory: the guest covered them all; use more jumps" >&2
	exit 1
fi
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(sed -n "$(((n + 1) / 2))p" <<<"$sorted")
worst=$(tail -n 1 <<<"$sorted")
echo "reaction (demand jump of $mib MiB -> assigned >= demand + buffer), $mode, $n jumps that needed memory: median $median ms, worst $worst ms"
