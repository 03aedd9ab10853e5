#!/usr/bin/env bash
# balloon-rate.sh - how fast the virtio balloon moves memory on the test
# bed, for a simulator that needs the rate.
#
#   bench/balloon-rate.sh [--rates] [ROUNDS]    (default 5 rounds)
#
# Boots one tiny real guest on a private test bed (tests/testbed) with
# <memory> 1024 MiB and the balloon at 512 MiB. Each round sets the balloon
# target down to 192 MiB (inflate: the guest gives 320 MiB back) and then
# up to 512 MiB again (deflate: the guest gets it back) with "virsh setmem
# --live", polls the balloon's "actual" (dommemstat, which asks QEMU; the
# domstats figure follows QEMU's balloon events, at most one a second)
# until it is within 1 MiB of the target, and divides the distance moved
# by the time from setmem's return to the first poll that saw the target.
# A poll costs a virsh process (~30 ms), so the end is late by up to one
# poll: rates come out a little low.
#
# The guest runs under TCG (software emulation), where the guest's part of
# the work (allocating, listing and freeing pages) is much slower than
# under KVM: the figures are a conservative (low) rate for real hosts.
#
# Prints a line per round and the median and worst (slowest) rate of each
# direction. With --rates, prints only "INFLATE DEFLATE" (the two medians,
# whole MiB/s) on stdout and everything else on stderr, for a Makefile.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
rates=0
if [ "${1:-}" = --rates ]; then
	rates=1
	shift
fi
rounds=${1:-5}
case $rounds in '' | *[!0-9]* | 0) echo "usage: $0 [--rates] [ROUNDS]" >&2; exit 2 ;; esac
high=512
low=192
step=$((high - low))
# shellcheck source=../tests/testbed/testbed.bash
source "$here/tests/testbed/testbed.bash"
unset TB_DIR
# stdout is fd 3; with --rates everything else goes to stderr.
if [ "$rates" = 1 ]; then
	exec 3>&1 1>&2
else
	exec 3>&1
fi
trap tb_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

tb_build_guest
tb_start >/dev/null
tb_define_vm b1 --memory 1024 --current "$high" --start
tb_wait_ready b1 120

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# memstat FIELD: one balloon figure of the guest, in KiB (QEMU asked now)
memstat() {
	virsh -q -c "$TB_URI" dommemstat b1 | awk -v f="$1" '$1 == f { print $2 }'
}

# The guest must be able to give the whole step back: at the low end it
# must still hold its demand (actual - usable) with room to spare.
demand=$((($(memstat actual) - $(memstat usable)) / 1024))
if [ $((low - demand)) -lt 64 ]; then
	echo "guest demand $demand MiB leaves less than 64 MiB free at $low MiB" >&2
	exit 1
fi

# move MIB: set the balloon target, wait until actual is within 1 MiB of
# it; prints "MS KIB" (time and distance moved).
move() {
	local target=$(($1 * 1024)) a0 a t0 t
	a0=$(memstat actual)
	virsh -q -c "$TB_URI" setmem b1 "${1}M" --live >/dev/null
	t0=$(now_ms)
	while :; do
		a=$(memstat actual)
		t=$(($(now_ms) - t0))
		if [ $((a - target)) -le 1024 ] && [ $((target - a)) -le 1024 ]; then
			break
		fi
		if [ "$t" -gt 60000 ]; then
			echo "balloon stuck at $((a / 1024)) MiB, target $1 MiB, after 60 s" >&2
			return 1
		fi
		sleep 0.01
	done
	a=$((a > a0 ? a - a0 : a0 - a))
	echo "$t $a"
}

# rate MS KIB: whole MiB/s
rate() { echo $(($2 * 1000 / 1024 / ($1 > 0 ? $1 : 1))); }

inf=()
def=()
for r in $(seq 1 "$rounds"); do
	out=$(move "$low")
	read -r ti ki <<<"$out"
	sleep 1
	out=$(move "$high")
	read -r td kd <<<"$out"
	inf+=("$(rate "$ti" "$ki")")
	def+=("$(rate "$td" "$kd")")
	echo "round $r: inflate $high -> $low MiB in $ti ms (${inf[-1]} MiB/s), deflate $low -> $high MiB in $td ms (${def[-1]} MiB/s)"
	sleep 1
done

# median and worst of a list of rates: "MEDIAN WORST"
stats() {
	local sorted n
	sorted=$(printf '%s\n' "$@" | sort -n)
	n=$#
	echo "$(sed -n "$(((n + 1) / 2))p" <<<"$sorted") $(head -n 1 <<<"$sorted")"
}
read -r im iw <<<"$(stats "${inf[@]}")"
read -r dm dw <<<"$(stats "${def[@]}")"
echo "balloon inflate (shrink a VM): median $im MiB/s, worst $iw MiB/s ($rounds rounds, $step MiB steps, TCG guest)"
echo "balloon deflate (grow a VM): median $dm MiB/s, worst $dw MiB/s ($rounds rounds, $step MiB steps, TCG guest)"
if [ "$rates" = 1 ]; then
	echo "$im $dm" >&3
fi
