#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# balloon-rate.sh - how fast the virtio balloon and virtio-mem move memory
# on the test bed, for a simulator that needs the rates.
#
#   bench/balloon-rate.sh [--rates] [ROUNDS]    (default 5 rounds)
#
# Boots two tiny real guests on a private test bed (tests/testbed): b1, a
# balloon VM with <memory> 1024 MiB and the balloon at 512 MiB, and h1, a
# hot-add VM that boots with 256 MiB and has a virtio-mem device of 768 MiB.
#
# Balloon: each round sets b1's balloon target down to 192 MiB (inflate:
# the guest gives 320 MiB back) and then up to 512 MiB again (deflate: the
# guest gets it back) with "virsh setmem --live", polls the balloon's
# "actual" (dommemstat, which asks QEMU; the domstats figure follows
# QEMU's balloon events, at most one a second) until it is within 1 MiB of
# the target, and divides the distance moved by the time from setmem's
# return to the first poll that saw the target.
#
# virtio-mem: each round then plugs the same 320 MiB into h1 ("virsh
# update-memory-device --requested-size 320MiB --live": plug) and takes it
# out again (requested size 0: unplug). A move is done when QEMU's own
# figure of the device's plugged size (qom-get "size", asked now, as
# dommemstat asks QEMU for the balloon) is within 1 MiB of the target and
# the guest's MemTotal has moved by the step; the time runs from just
# before the virsh call (its process start included). Each round also
# prints when the live XML's <current> (what libvirt and dmctl see)
# reached the target: libvirt updates it from QEMU's
# MEMORY_DEVICE_SIZE_CHANGE events, which QEMU sends at most once a second
# a device, so it lags by up to a second.
#
# A poll costs a virsh process (~30 ms), so the end is late by up to one
# poll: rates come out a little low. A plug that is done by the first poll
# gives only a lower bound of its rate; the output says when.
#
# The guests run under TCG (software emulation), where the guest's part of
# the work (allocating, listing and freeing pages; onlining and offlining
# memory blocks) is much slower than under KVM: the figures are a
# conservative (low) rate for real hosts.
#
# Prints a line per round and the median and worst (slowest) rate of each
# direction. With --rates, prints only "INFLATE DEFLATE PLUG UNPLUG" (the
# four medians, whole MiB/s) on stdout and everything else on stderr, for
# a Makefile.
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
tb_define_vm h1 --memory 256 --current 256 --hotadd 768 --start
tb_wait_ready b1 120
tb_wait_ready h1 120

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

# plugged: QEMU's figure of h1's plugged virtio-mem memory, in KiB
plugged() {
	virsh -q -c "$TB_URI" qemu-monitor-command h1 \
		'{"execute":"qom-get","arguments":{"path":"/machine/peripheral/virtiomem0","property":"size"}}' |
		jq -r '.return / 1024'
}
# xml_current: the live XML's <current> of h1's device, in KiB
xml_current() {
	virsh -q -c "$TB_URI" dumpxml h1 |
		sed -n "s|.*<current unit='KiB'>\([0-9]*\)</current>.*|\1|p"
}
# near A B: A and B (KiB) within 1 MiB of each other
near() { [ $(($1 - $2)) -le 1024 ] && [ $(($2 - $1)) -le 1024 ]; }

# resize MIB: ask h1's device for MIB; prints "MS POLLS XML_MS": the time
# until QEMU has that plugged and the guest's MemTotal moved with it, the
# polls that took (1: done at the first), and when the live XML agreed.
resize() {
	local want=$(($1 * 1024)) t0 t dev=0 polls=0 mt=0
	t0=$(now_ms)
	virsh -q -c "$TB_URI" update-memory-device h1 --requested-size "${1}MiB" \
		--live >/dev/null
	while :; do
		polls=$((polls + 1))
		if [ "$dev" = 0 ] && near "$(plugged)" "$want"; then
			dev=1
		fi
		if [ "$dev" = 1 ]; then
			mt=$(tb_guest_meminfo h1 MemTotal)
			near "$mt" $((mt0 + want)) && break
		fi
		if [ $(($(now_ms) - t0)) -gt 60000 ]; then
			echo "h1 has $(($(plugged) / 1024)) MiB plugged (MemTotal $((mt / 1024)) MiB), requested $1 MiB, after 60 s" >&2
			return 1
		fi
		sleep 0.01
	done
	t=$(($(now_ms) - t0))
	until near "$(xml_current)" "$want"; do
		if [ $(($(now_ms) - t0)) -gt 60000 ]; then
			echo "h1's live XML <current> not at $1 MiB after 60 s" >&2
			return 1
		fi
		sleep 0.01
	done
	echo "$t $polls $(($(now_ms) - t0))"
}

# h1 boots with nothing plugged; its MemTotal then is the base.
if [ "$(plugged)" != 0 ]; then
	echo "h1 has memory plugged at boot" >&2
	exit 1
fi
mt0=$(tb_guest_meminfo h1 MemTotal)

# lower POLLS: says so if a move was done at the first poll
lower() { [ "$1" -gt 1 ] || echo ", a lower bound"; }

inf=()
def=()
plug=()
unplug=()
plug_lb=0
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
	out=$(resize "$step")
	read -r tp np xp <<<"$out"
	sleep 1
	out=$(resize 0)
	read -r tu nu xu <<<"$out"
	plug+=("$(rate "$tp" $((step * 1024)))")
	unplug+=("$(rate "$tu" $((step * 1024)))")
	[ "$np" -gt 1 ] || plug_lb=$((plug_lb + 1))
	echo "round $r: plug 0 -> $step MiB in $tp ms (${plug[-1]} MiB/s$(lower "$np"); live XML after $xp ms), unplug $step -> 0 MiB in $tu ms (${unplug[-1]} MiB/s$(lower "$nu"); live XML after $xu ms)"
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
read -r pm pw <<<"$(stats "${plug[@]}")"
read -r um uw <<<"$(stats "${unplug[@]}")"
echo "balloon inflate (shrink a VM): median $im MiB/s, worst $iw MiB/s ($rounds rounds, $step MiB steps, TCG guest)"
echo "balloon deflate (grow a VM): median $dm MiB/s, worst $dw MiB/s ($rounds rounds, $step MiB steps, TCG guest)"
lb=
[ "$plug_lb" = 0 ] || lb="; $plug_lb done at the first poll: lower bounds"
echo "virtio-mem plug (grow a VM): median $pm MiB/s, worst $pw MiB/s ($rounds rounds, $step MiB steps, TCG guest$lb)"
echo "virtio-mem unplug (shrink a VM): median $um MiB/s, worst $uw MiB/s ($rounds rounds, $step MiB steps, TCG guest)"
if [ "$rates" = 1 ]; then
	echo "$im $dm $pm $um" >&3
fi
