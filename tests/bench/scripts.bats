# SPDX-License-Identifier: GPL-2.0-or-later
# scripts.bats - smoke runs of the benchmarks on the real test bed: each
# script runs a short version of itself against tiny real guests and
# prints its summary line with plausible figures. The full runs are in
# make bench; their figures are in the README.

bats_require_minimum_version 1.5.0

BENCH="$BATS_TEST_DIRNAME/../../bench"

@test "balloon-rate.sh: one round, balloon and virtio-mem both ways, --rates for make" {
	run "$BENCH/balloon-rate.sh" 1
	echo "$output"
	[ "$status" -eq 0 ]
	grep -Eq '^balloon inflate \(shrink a VM\): median [0-9]+ MiB/s, worst [0-9]+ MiB/s' <<<"$output"
	grep -Eq '^balloon deflate \(grow a VM\): median [0-9]+ MiB/s, worst [0-9]+ MiB/s' <<<"$output"
	grep -Eq '^virtio-mem plug \(grow a VM\): median [1-9][0-9]* MiB/s, worst [0-9]+ MiB/s' <<<"$output"
	grep -Eq '^virtio-mem unplug \(shrink a VM\): median [1-9][0-9]* MiB/s, worst [0-9]+ MiB/s' <<<"$output"
	# The live XML follows QEMU's events: never before QEMU's own figure.
	read -r tp xp tu xu < <(sed -En 's/^round 1: plug .* in ([0-9]+) ms .*live XML after ([0-9]+) ms\), unplug .* in ([0-9]+) ms .*live XML after ([0-9]+) ms\)$/\1 \2 \3 \4/p' <<<"$output")
	[ "$xp" -ge "$tp" ] && [ "$xu" -ge "$tu" ]
	run --separate-stderr "$BENCH/balloon-rate.sh" --rates 1
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[1-9][0-9]*\ [1-9][0-9]*\ [1-9][0-9]*\ [1-9][0-9]*$ ]]
}

@test "show-scale.sh: two sizes, the daemon's memory and both commands" {
	run "$BENCH/show-scale.sh" 6 12
	echo "$output"
	[ "$status" -eq 0 ]
	for n in 6 12; do
		grep -Eq "^libvirtd, $n VMs defined \(2 running\): RSS [0-9]+ MiB" <<<"$output"
		grep -Eq "^dmctl show --json, $n VMs \(2 running\): median [0-9]+ ms" <<<"$output"
		grep -Eq "^dmctl rebalance --dry-run, $n VMs \(2 running\): median [0-9]+ ms" <<<"$output"
	done
	! grep -q FAILED <<<"$output"
}

@test "reaction.sh: --every 1 and one-shot passes both answer a jump" {
	# The fourth 40 MiB jump is the first the 256 MiB guest cannot cover.
	run "$BENCH/reaction.sh" 4 40
	echo "$output"
	[ "$status" -eq 0 ]
	grep -Eq '^reaction .*, --every 1, [1-9][0-9]* jumps that needed memory: median [0-9]+ ms' <<<"$output"
	run "$BENCH/reaction.sh" --oneshot 5 1 40
	echo "$output"
	[ "$status" -eq 0 ]
	grep -Eq '^reaction .*, one-shot pass every 5 s, 1 jumps that needed memory: median [0-9]+ ms' <<<"$output"
}

@test "reaction.sh --hotadd: a balloon and a hot-add VM grow past 256 MiB side by side" {
	# Jumps 4 and 5 take both guests past their 256 MiB startup; the
	# hot-add one stays within its first memory block (128 MiB). The
	# guests online plugged memory to the kernel's zone, as in the README's
	# figures: onlined movable, a 256 MiB guest whose boot memory the
	# holders filled can run its kernel out of memory with plugged memory
	# free (bench/README.md), which killed a holder in one CI run of three.
	TB_GUEST_CMDLINE=memhp_default_state=online_kernel \
		run "$BENCH/reaction.sh" --hotadd 5 40
	echo "$output"
	[ "$status" -eq 0 ]
	for k in balloon hot-add; do
		grep -Eq "^reaction .*, --every 1, $k VM, [1-9][0-9]* jumps that needed memory: median [0-9]+ ms, worst [0-9]+ ms$" <<<"$output"
	done
	row() { sed -n "s|^$1  *||p" <<<"$output"; }
	[ "$(row 'jumps held (of 5)' | tr -s ' ')" = "5 5" ]
	read -r b h <<<"$(row '  that took it past 256 MiB')"
	[ "$b" -ge 1 ] && [ "$h" -ge 1 ]
	[[ "$(row '    median/worst, ms' | head -n 1)" =~ ^[0-9]+/[0-9]+\ +[0-9]+/[0-9]+$ ]]
	# The hot-add guest's own total grew past its boot memory by plugging.
	read -r _ plugged <<<"$(row '  of it plugged, MiB')"
	[ "$plugged" -gt 0 ]
	read -r _ mt <<<"$(row 'guest MemTotal at the end, MiB')"
	[ "$mt" -gt 256 ]
	[ "$(row 'holders killed (out of memory)' | tr -s ' ')" = "0 0" ]
	[ "$(row 'stopped early' | tr -s ' ')" = "no no" ]
	[ "$(row 'dmctl counted a plug QEMU did not have' | tr -s ' ')" = "- 0" ]
}

@test "boot-cost.sh 4: the hot-add VM boots at its startup, the balloon VM at its maximum" {
	run "$BENCH/boot-cost.sh" 4
	echo "$output"
	[ "$status" -eq 0 ]
	for k in balloon hot-add; do
		grep -Eq "^boot 1:4 \(startup 256 MiB, maximum 1024 MiB\), $k VM: the kernel found [0-9]+ MiB at boot; MemTotal [0-9]+ MiB at the agent's first answer \([0-9.]+ s\), [0-9]+ MiB when ready \([0-9.]+ s\); qemu RSS peak [1-9][0-9]* MiB in the first 10 s, [1-9][0-9]* MiB at 10 s \([0-9]+ MiB of it guest RAM\)$" <<<"$output"
	done
	fig() { sed -En "s/^boot 1:4 .*, $1 VM: .*$2.*/\1/p" <<<"$output"; }
	found='the kernel found ([0-9]+) MiB'
	first="MemTotal ([0-9]+) MiB at the agent's first answer"
	ready='MemTotal [0-9]+ MiB at the agent.s first answer \([0-9.]+ s\), ([0-9]+) MiB when ready'
	# The balloon guest's kernel finds the maximum, the hot-add one only
	# its boot memory. (Their MemTotal at the first answer is not
	# compared: the balloon's is wherever its inflation has got to.)
	[ "$(fig balloon "$found")" -ge 1000 ]
	[ "$(fig hot-add "$found")" -le 256 ]
	[ "$(fig hot-add "$found")" -ge 200 ]
	[ "$(fig hot-add "$first")" -lt 256 ]
	[ "$(fig balloon "$first")" -ge "$(fig balloon "$ready")" ]
	# Ready at 256 MiB, the balloon guest has less of it: its memory map
	# covers the whole maximum.
	[ "$(fig balloon "$ready")" -lt "$(fig hot-add "$ready")" ]
	grep -Eq '^balloon: RAM found at boot +[0-9]+$' <<<"$output"
	grep -Eq '^hot-add: RAM found at boot +[0-9]+$' <<<"$output"
}

@test "dmtop-cpu.sh: a short run prints dmtop's share of a core" {
	run "$BENCH/dmtop-cpu.sh" 6 5
	echo "$output"
	[ "$status" -eq 0 ]
	grep -Eq '^dmtop, 6 VMs, 1 s refresh: [0-9.]+ % of a core$' <<<"$output"
}

@test "hook-time.sh: a few calls, each admitted, with 50 holds in the ledger" {
	run "$BENCH/hook-time.sh" 5
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^dmctl\ hook,\ prepare\ begin,\ 5\ calls,\ 50\ holds\ in\ the\ ledger:\ median\ [0-9]+\ us,\ worst\ [0-9]+\ us$ ]]
	run "$BENCH/hook-time.sh" 2 x
	[ "$status" -eq 2 ]
}
