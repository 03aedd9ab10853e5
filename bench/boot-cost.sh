#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# boot-cost.sh - what booting at the maximum costs a balloon VM, against a
# hot-add VM that boots at its startup.
#
#   bench/boot-cost.sh [RATIO...]    (default 2 4 16)
#
# For each startup:maximum ratio 1:RATIO, with startup 256 MiB (maximum
# 256 x RATIO MiB), boots on a private test bed (tests/testbed) a balloon
# VM (<memory> the maximum, <currentMemory> 256 MiB: it boots with all of
# the maximum and its balloon driver then inflates down to 256 MiB) and a
# hot-add VM (boot memory 256 MiB and a virtio-mem device of the rest,
# nothing plugged), one at a time, each alone on the bed. For each it
# records:
#
# - qemu's RSS, sampled every 0.1 s (ps -o rss of the domain's qemu
#   process) from the start for 10 s: the peak, and the RSS at 10 s;
# - the guest's MemTotal when its agent first answers, and again once the
#   VM is ready (tests/testbed tb_wait_ready: the balloon has reached 256
#   MiB), with the seconds from "virsh start" to each, and the RAM its
#   kernel found at boot (dmesg "Memory: .../TOTAL available"): what it
#   sized itself for, before any balloon;
# - of the RSS at 10 s, the guest RAM's part (the RSS of the mappings of
#   the guest memory's sizes, /proc/PID/smaps): the rest is QEMU's own,
#   mostly TCG's translated code;
# - for a VM that does not boot (the domain ends: a panic ends it), "did
#   not boot" and the reason, the kernel's panic line from its console log.
#
# The balloon VM's MemTotal at the first answer depends on how far its
# balloon has inflated by then (it starts when the driver loads, just
# before the agent): under TCG it is seconds from done.
#
# Prints a line per VM and a table, balloon and hot-add side by side.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || set -- 2 4 16
for r in "$@"; do
	case $r in '' | *[!0-9]* | 0 | 1) echo "usage: $0 [RATIO...] (each 2 or more)" >&2; exit 2 ;; esac
done
startup=256
# shellcheck source=../tests/testbed/testbed.bash
source "$here/tests/testbed/testbed.bash"
unset TB_DIR
trap tb_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

tb_build_guest
tb_start >/dev/null

now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }
state() { virsh -q -c "$TB_URI" domstate "$1" 2>/dev/null || true; }

# sample PIDFILE DEVKIB...: for 10 s from now, qemu's RSS every 0.1 s;
# prints "PEAK RSS10 RAM10" (KiB): the peak, the RSS at 10 s and, of it,
# the guest RAM's (the mappings of the guest memory's sizes DEVKIB...).
sample() {
	local pidf=$1 pid='' t0 r peak=0 rss10=- ram10=-
	shift
	t0=$(now_ms)
	while [ $(($(now_ms) - t0)) -lt 10000 ]; do
		[ -n "$pid" ] || pid=$(cat "$pidf" 2>/dev/null || true)
		if [ -n "$pid" ]; then
			r=$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' ' || true)
			[ -z "$r" ] || [ "$r" -le "$peak" ] || peak=$r
		fi
		sleep 0.1
	done
	if [ -n "$pid" ] && r=$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' ') &&
		[ -n "$r" ]; then
		rss10=$r
		ram10=$(awk -v sizes=" $* " '
			/^[0-9a-f]+-[0-9a-f]+ / { take = 0 }
			/^Size:/ { take = index(sizes, " " $2 " ") > 0 }
			/^Rss:/ && take { sum += $2 }
			END { print sum + 0 }' "/proc/$pid/smaps" 2>/dev/null || echo -)
	fi
	echo "$peak $rss10 $ram10"
}

# boot NAME DEVKIB...: start NAME and measure it; sets peak rss10 ram10
# mt_first t_first mt_ready t_ready kmem why (KiB, ms).
boot() {
	local name=$1 out t0 mt
	shift
	mt_first=- t_first=- mt_ready=- t_ready=- kmem=- why=''
	rm -f "$TB_DIR/$name.agent.sock"
	out=$(mktemp)
	sample "$TB_DIR/run/libvirt/qemu/run/$name.pid" "$@" >"$out" &
	t0=$(now_ms)
	virsh -q -c "$TB_URI" start "$name" >/dev/null
	# The agent's first answer, or the domain's end.
	while [ $(($(now_ms) - t0)) -lt 120000 ]; do
		if [ -S "$TB_DIR/$name.agent.sock" ] &&
			mt=$(TB_GUEST_TIMEOUT=1 tb_guest_meminfo "$name" MemTotal 2>/dev/null); then
			mt_first=$mt
			t_first=$(($(now_ms) - t0))
			break
		fi
		[ "$(state "$name")" = running ] || break
		sleep 0.1
	done
	if [ "$mt_first" != - ] && tb_wait_ready "$name" 120 2>/dev/null; then
		t_ready=$(($(now_ms) - t0))
		mt_ready=$(tb_guest_meminfo "$name" MemTotal)
		# The RAM the kernel found at boot, from "Memory: 201616K/261752K
		# available" (the first figure counts only the pages initialised
		# so far: the kernel initialises the rest later, in parallel).
		kmem=$(tb_guest "$name" sh dmesg | sed -n 's|.*Memory: [0-9]*K/\([0-9]*\)K available.*|\1|p')
	fi
	wait $!
	read -r peak rss10 ram10 <"$out"
	rm -f "$out"
	if [ "$t_ready" = - ]; then
		why=$(grep -m1 -o 'Kernel panic.*' "$TB_DIR/$name.console.log" 2>/dev/null || true)
		why="${why:-"not ready"} (domain $(state "$name") $(secs $(($(now_ms) - t0))) s after start)"
	fi
}

mib() { [ "$1" = - ] && echo - || echo $(($1 / 1024)); }

declare -A res
for r in "$@"; do
	max=$((startup * r))
	for kind in balloon hot-add; do
		name=bc-$kind-$r
		if [ "$kind" = balloon ]; then
			tb_define_vm "$name" --memory "$max" --current "$startup"
			boot "$name" $((max * 1024))
		else
			tb_define_vm "$name" --memory "$startup" --current "$startup" \
				--hotadd $((max - startup))
			boot "$name" $((startup * 1024)) $(((max - startup) * 1024))
		fi
		rss="qemu RSS peak $(mib "$peak") MiB in the first 10 s, $(mib "$rss10") MiB at 10 s ($(mib "$ram10") MiB of it guest RAM)"
		res[$kind,$r,rss]="$(mib "$peak")/$(mib "$rss10")/$(mib "$ram10")"
		if [ -n "$why" ]; then
			first=
			[ "$mt_first" = - ] || first=" (its agent had answered at $(secs "$t_first") s, MemTotal $(mib "$mt_first") MiB)"
			echo "boot 1:$r (startup $startup MiB, maximum $max MiB), $kind VM: did not boot: $why$first; $rss"
			res[$kind,$r,boot]="did not boot"
			res[$kind,$r,first]=-
			[ "$mt_first" = - ] || res[$kind,$r,first]="$(mib "$mt_first") @$(secs "$t_first")s"
			res[$kind,$r,ready]=-
		else
			echo "boot 1:$r (startup $startup MiB, maximum $max MiB), $kind VM: the kernel found $(mib "${kmem:--}") MiB at boot; MemTotal $(mib "$mt_first") MiB at the agent's first answer ($(secs "$t_first") s), $(mib "$mt_ready") MiB when ready ($(secs "$t_ready") s); $rss"
			res[$kind,$r,boot]=$(mib "${kmem:--}")
			res[$kind,$r,first]="$(mib "$mt_first") @$(secs "$t_first")s"
			res[$kind,$r,ready]="$(mib "$mt_ready") @$(secs "$t_ready")s"
		fi
		virsh -q -c "$TB_URI" destroy "$name" >/dev/null 2>&1 || true
		virsh -q -c "$TB_URI" undefine "$name" >/dev/null
	done
done

# The table: MiB, a column a ratio.
echo
printf '%-34s' "startup 256 MiB : maximum"
for r in "$@"; do printf ' %15s' "1:$r"; done
echo
for kind in balloon hot-add; do
	for f in boot first ready rss; do
		case $f in
		boot) label="$kind: RAM found at boot" ;;
		first) label="  MemTotal at first answer" ;;
		ready) label="  MemTotal when ready" ;;
		rss) label="  qemu RSS peak/10 s/guest RAM" ;;
		esac
		printf '%-34s' "$label"
		for r in "$@"; do printf ' %15s' "${res[$kind,$r,$f]}"; done
		echo
	done
done
