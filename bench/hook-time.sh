#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hook-time.sh - how long "dmctl hook" takes to admit a starting VM, as
# libvirt calls it ("NAME prepare begin -", the domain XML on stdin).
#
#   bench/hook-time.sh [N [VMS]]     (default 200 calls, 50 VMs)
#
# The hook never connects to libvirt (it decides by the ledger file, see
# dmctl(8)), so the number of VMs defined does not enter; what grows with
# them is the ledger: one hold per VM admitted within hook-max-age. The
# ledger here holds VMS such holds, as on a host where VMS VMs have just
# started. Each call is a new process, as libvirt runs it. Prints the
# median and worst wall time of N admissions (each followed by the
# "release end" that gives the hold back, not timed).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-200}
vms=${2:-50}
case $n$vms in *[!0-9]*) n=0 ;; esac
[ "$n" -gt 0 ] || { echo "usage: $0 [N [VMS]]" >&2; exit 2; }
dmctl="$here/bin/dmctl"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
now=$(date +%s)
{
	printf 'dmctl-ledger 1\ntime %s\nfree %s\n' "$now" $((64 << 30))
	for i in $(seq 1 "$vms"); do
		printf 'hold 00000000-0000-4000-8000-%012d %s %s\n' "$i" $((256 << 20)) $((now + 3600))
	done
} >"$dir/ledger"
printf 'ledger-file = %s\nhook-max-age = 1h\n' "$dir/ledger" >"$dir/dmctl.conf"
cat >"$dir/vm.xml" <<'XML'
<domain type='qemu'><name>bench</name>
<uuid>5e1d0f6a-3c2b-4d7e-9a10-0b1c2d3e4f50</uuid>
<memory unit='MiB'>1024</memory><currentMemory unit='MiB'>256</currentMemory>
</domain>
XML
times=()
for _ in $(seq 1 "$n"); do
	s=$(date +%s%N)
	"$dmctl" hook -C "$dir/dmctl.conf" bench prepare begin - <"$dir/vm.xml"
	e=$(date +%s%N)
	times+=($(((e - s) / 1000)))
	"$dmctl" hook -C "$dir/dmctl.conf" bench release end - <"$dir/vm.xml"
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "dmctl hook, prepare begin, $n calls, $vms holds in the ledger: median $(sed -n "$(((n + 1) / 2))p" <<<"$sorted") us, worst $(tail -n 1 <<<"$sorted") us"
