#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# reaction.sh - how fast the balancer answers a jump in demand.
#
#   bench/reaction.sh [JUMPS] [MIB]     (default 10 jumps of 40 MiB)
#   bench/reaction.sh --oneshot SECONDS [JUMPS] [MIB]   (default 6 jumps)
#   bench/reaction.sh --hotadd [JUMPS] [MIB]   (default 12 jumps)
#
# Boots a tiny real guest on a private test bed (tests/testbed) with
# startup and minimum 256 MiB, buffer 20 %, runs "dmctl rebalance --every
# 1", and JUMPS times makes the guest hold MIB more. For each jump it measures the
# time from the memory being held (every page touched) to assigned >=
# demand + buffer, and prints the median and the worst. A jump must fit
# in the buffer the guest has (20 % of demand): a larger one can run the
# guest out of memory before any balancer could act. The balancer runs
# with lend-idle = no: on this idle test bed it would lend the guest its
# whole maximum at the first pass and leave nothing to react to; what is
# measured is how fast it grows a VM once lending has run out. For the
# same reason it runs with reclaim-delay = 0, and each jump waits (up to
# 30 s) until the guest has given back what it had above demand + buffer
# + its climb headroom, so that the jump needs memory (or it is back at
# its 256 MiB minimum, which the first jumps fit in): a demand that
# has just risen counts as climb (dmctl(8)), and the headroom the previous
# jump left would cover the next. What is measured is a jump nothing
# foresaw, in a VM that had been quiet.
#
# --oneshot SECONDS runs the balancer the way an admin does from cron: one
# "dmctl rebalance -q" pass every SECONDS on a fixed schedule (the first
# at a pseudo-random offset) instead of --every 1. Jumps fall at times
# unrelated to the passes: after each measured reaction the next jump
# waits a pseudo-random 0 to SECONDS s (seeded: SEED, default 1), so one
# jump is measured at a time and none pile up between passes. The guest
# first holds enough that every jump needs memory (usable about MIB + 16
# MiB before the first jump). A reaction may take up to 150 s.
#
# --hotadd compares the two kinds of VM in one run: r1 as above (a balloon
# VM: <memory> 1 GiB, ballooned to its 256 MiB startup) and h1, a hot-add
# VM that boots with 256 MiB and grows past it through a virtio-mem device
# of 768 MiB, both with the same settings (startup and minimum 256
# MiB, maximum 1 GiB, buffer 20 %) under one "dmctl rebalance --every 1".
# The jumps alternate, r1 then h1, each measured as above, so that both
# climb the same steps at the same time; the default 12 jumps of 40 MiB
# carry h1 well past its boot memory, a memory block (128 MiB) at a time.
# A jump's hold failing, a holder killed (the guest ran out of memory) or
# no reaction within 60 s ends that VM's jumps and is reported, not
# hidden; the other VM goes on. It prints each side's median and worst,
# over all jumps that needed memory and over those that took it past 256
# MiB, side by side, with the balancer's plug warnings and the guest's
# "adding memory failed" and out-of-memory kills.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
period=0
hotadd=0
if [ "${1:-}" = --hotadd ]; then
	hotadd=1
	shift
	jumps=${1:-12}
elif [ "${1:-}" = --oneshot ]; then
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
case $jumps$mib in *[!0-9]* | '') echo "usage: $0 [--hotadd | --oneshot SECONDS] [JUMPS] [MIB]" >&2; exit 2 ;; esac
dmctl="$here/bin/dmctl"
# The balancer's changes to syslog, as on a host that has one: on one
# without, they would go to stderr, between the figures.
export DMCTL_LOG=${DMCTL_LOG:-syslog}
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

# needy ASSIGNED DEMAND: a jump of MIB from DEMAND (bytes; empty when
# unknown) would need memory, even seen at 80 % of its size, or ASSIGNED
# is down to the 256 MiB minimum.
needy() {
	[ -n "$2" ] && { [ "$1" -le $((256 * 1048576)) ] ||
		[ "$1" -lt $((($2 + mib * 1048576 * 8 / 10) * 6 / 5)) ]; }
}

# ---- --hotadd: a balloon VM and a hot-add VM side by side -------------

# vm_fig NAME: "assigned demand plugged" in bytes (demand empty when
# unknown; plugged 0 for a balloon VM)
vm_fig() {
	"$dmctl" show --json "$1" |
		jq -r '.vms[0] | "\(.assigned) \(.demand // "") \(.plugged // 0)"'
}

# qemu_plugged NAME: QEMU's own figure of what NAME's virtio-mem device has
# plugged, in bytes (asked now; the live XML that dmctl reads follows
# QEMU's events, at most one a second)
qemu_plugged() {
	virsh -q -c "$TB_URI" qemu-monitor-command "$1" \
		'{"execute":"qom-get","arguments":{"path":"/machine/peripheral/virtiomem0","property":"size"}}' |
		jq -r .return
}

# median_worst MS...: "MEDIAN WORST", or "- -" for none
median_worst() {
	local sorted
	[ $# -gt 0 ] || { echo "- -"; return; }
	sorted=$(printf '%s\n' "$@" | sort -n)
	echo "$(sed -n "$((($# + 1) / 2))p" <<<"$sorted") $(tail -n 1 <<<"$sorted")"
}

declare -A kind held stopped all past ahead
# What of the hot-add guest's kernel log the run prints.
kernel_says='adding memory failed|invoked oom-killer|Out of memory: Killed|virtio_mem.*(plugged|requested) size'

# hot_jump VM J: jump J on VM: hold MIB more, wait until assigned >=
# demand + buffer, record the time; on a failure set stopped[VM]. For the
# hot-add VM the memory dmctl counts as plugged must be plugged in QEMU
# too: a plug the guest fails to add shows in the live XML for a moment.
hot_jump() {
	local g=$1 j=$2 a0 d0 a d p t0 t h q note="" seen=""
	h=$(tb_guest "$g" held) || h="?"
	if [ "$h" != "${held[$g]}" ]; then
		stopped[$g]="before jump $j: holds $h MiB, not ${held[$g]}: a holder was killed (out of memory)"
		return
	fi
	# shellcheck disable=SC2317 # called by tb_wait_for
	hot_needy() { read -r a0 d0 _ <<<"$(vm_fig "$g")" && needy "$a0" "$d0"; }
	tb_wait_for 30 hot_needy || true
	if ! tb_guest "$g" hold "$mib" >/dev/null; then
		stopped[$g]="jump $j: the guest could not hold $mib MiB more (out of memory)"
		return
	fi
	held[$g]=$((held[$g] + mib))
	t0=$(now_ms)
	while :; do
		read -r a d p <<<"$(vm_fig "$g")"
		if [ -n "$d" ] && [ "$d" -ge $((d0 + mib * 1048576 * 8 / 10)) ] &&
			[ "$a" -ge $((d + d / 5)) ]; then
			if [ "$p" -gt 0 ] && q=$(qemu_plugged "$g") && [ "$q" -lt "$p" ]; then
				[ -n "$seen" ] || seen=" (dmctl counted $((p / 1048576)) MiB plugged at $(($(now_ms) - t0)) ms, QEMU had $((q / 1048576)))"
			else
				break
			fi
		fi
		if [ $(($(now_ms) - t0)) -gt 60000 ]; then
			stopped[$g]="jump $j: no reaction within 60 s (assigned $((a / 1048576)) MiB, demand $((${d:-0} / 1048576)) MiB)"
			return
		fi
		sleep 0.1
	done
	t=$(($(now_ms) - t0))
	h=$(tb_guest "$g" held) || h="?"
	if [ "$h" != "${held[$g]}" ]; then
		stopped[$g]="jump $j: holds $h MiB, not ${held[$g]}: a holder was killed (out of memory)"
		return
	fi
	if [ "$a0" -lt $((d + d / 5)) ]; then
		all[$g]+=" $t"
		[ "$a" -le $((256 * 1048576)) ] || past[$g]+=" $t"
	else
		note=" (covered already, not counted)"
	fi
	[ -z "$seen" ] || ahead[$g]=$((ahead[$g] + 1))
	echo "jump $j ${kind[$g]}: +$mib MiB, demand $((d / 1048576)) MiB, assigned $((a / 1048576)) MiB (plugged $((p / 1048576)) MiB) after $t ms$note$seen"
}

hotadd_run() {
	local g j n mw1 mw2 a d p addfail short
	tb_build_guest
	tb_start >/dev/null
	tb_define_vm r1 --memory 1024 --current 256 --start
	tb_define_vm h1 --memory 256 --current 256 --hotadd 768 --start
	tb_wait_ready r1 120
	tb_wait_ready h1 120
	"$dmctl" set r1 h1 --enable --startup 256M --minimum 256M --maximum 1G \
		--buffer 20 >/dev/null
	printf 'grace = 0\nlend-idle = no\nreclaim-delay = 0\nlock-file = %s/lock\n' \
		"$TB_DIR" >"$conf"
	"$dmctl" rebalance --every 1 -q -C "$conf" 2>"$TB_DIR/balancer.err" &
	bal=$!
	sleep 3
	kind=([r1]=balloon [h1]=hot-add)
	for g in r1 h1; do
		held[$g]=0
		stopped[$g]=""
		all[$g]=""
		past[$g]=""
		ahead[$g]=0
	done
	for j in $(seq 1 "$jumps"); do
		for g in r1 h1; do
			[ -z "${stopped[$g]}" ] || continue
			hot_jump "$g" "$j"
			[ -z "${stopped[$g]}" ] || echo "${kind[$g]} VM stopped: ${stopped[$g]}"
			sleep 2
		done
	done
	for g in r1 h1; do
		# shellcheck disable=SC2086 # the lists are words
		read -r mw1 mw2 <<<"$(median_worst ${all[$g]})"
		n=$(wc -w <<<"${all[$g]}")
		if [ "$n" -gt 0 ]; then
			echo "reaction (demand jump of $mib MiB -> assigned >= demand + buffer), --every 1, ${kind[$g]} VM, $n jumps that needed memory: median $mw1 ms, worst $mw2 ms"
		else
			echo "reaction, --every 1, ${kind[$g]} VM: no jump needed memory"
		fi
	done
	# The guests' kernel logs (their consoles keep only part of them).
	for g in r1 h1; do
		tb_guest "$g" sh dmesg >"$TB_DIR/$g.dmesg" 2>/dev/null ||
			cp "$TB_DIR/$g.console.log" "$TB_DIR/$g.dmesg"
	done
	# The table: one column a kind.
	local -A done_ need need_mw past_n past_mw as pl mt oom stop
	for g in r1 h1; do
		done_[$g]=$((held[$g] / mib))
		need[$g]=$(wc -w <<<"${all[$g]}")
		past_n[$g]=$(wc -w <<<"${past[$g]}")
		# shellcheck disable=SC2086 # the lists are words
		need_mw[$g]=$(median_worst ${all[$g]} | tr ' ' /)
		# shellcheck disable=SC2086
		past_mw[$g]=$(median_worst ${past[$g]} | tr ' ' /)
		read -r a d p <<<"$(vm_fig "$g")"
		as[$g]=$((a / 1048576))
		pl[$g]=$((p / 1048576))
		mt[$g]=$(($(tb_guest_meminfo "$g" MemTotal 2>/dev/null || echo 0) / 1024))
		oom[$g]=$(grep -c "Out of memory: Killed" "$TB_DIR/$g.dmesg" || true)
		stop[$g]=${stopped[$g]:+yes}
		stop[$g]=${stop[$g]:-no}
	done
	addfail=$(grep -c "adding memory failed" "$TB_DIR/h1.dmesg" || true)
	short=$(grep -c "plug stopped short" "$TB_DIR/balancer.err" || true)
	row() { printf '%-40s %10s %10s\n' "$@"; }
	echo
	row "jumps of $mib MiB, --every 1" balloon hot-add
	row "jumps held (of $jumps)" "${done_[r1]}" "${done_[h1]}"
	row "  that needed memory" "${need[r1]}" "${need[h1]}"
	row "    median/worst, ms" "${need_mw[r1]}" "${need_mw[h1]}"
	row "  that took it past 256 MiB" "${past_n[r1]}" "${past_n[h1]}"
	row "    median/worst, ms" "${past_mw[r1]}" "${past_mw[h1]}"
	row "assigned at the end, MiB" "${as[r1]}" "${as[h1]}"
	row "  of it plugged, MiB" - "${pl[h1]}"
	row "guest MemTotal at the end, MiB" "${mt[r1]}" "${mt[h1]}"
	row "holders killed (out of memory)" "${oom[r1]}" "${oom[h1]}"
	row "guest: \"adding memory failed\"" - "$addfail"
	row "balancer: \"plug stopped short\"" - "$short"
	row "dmctl counted a plug QEMU did not have" - "${ahead[h1]}"
	row "stopped early" "${stop[r1]}" "${stop[h1]}"
	for g in r1 h1; do
		[ -z "${stopped[$g]}" ] || echo "${kind[$g]} VM stopped: ${stopped[$g]}"
	done
	if [ -s "$TB_DIR/balancer.err" ]; then
		echo "the balancer said:"
		sed 's/^/  /' "$TB_DIR/balancer.err"
	fi
	if grep -Eq "$kernel_says" "$TB_DIR/h1.dmesg"; then
		echo "the hot-add guest's kernel said:"
		grep -E "$kernel_says" "$TB_DIR/h1.dmesg" | sed 's/^/  /'
	fi
}

if [ "$hotadd" = 1 ]; then
	hotadd_run
	exit 0
fi

tb_build_guest
tb_start >/dev/null
tb_define_vm r1 --memory 1024 --current 256 --start
tb_wait_ready r1 120
"$dmctl" set r1 --enable --startup 256M --minimum 256M --maximum 1G \
	--buffer 20 >/dev/null
printf 'grace = 0\nlend-idle = no\nlock-file = %s/lock\n' "$TB_DIR" >"$conf"
if [ "$period" = 0 ]; then
	echo "reclaim-delay = 0" >>"$conf"
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
quiet() { read -r a0 d0 <<<"$(read_vm)" && needy "$a0" "$d0"; }
for j in $(seq 1 "$jumps"); do
	if [ "$period" = 0 ]; then
		tb_wait_for 30 quiet || true
	fi
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
