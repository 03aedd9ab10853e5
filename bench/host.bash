# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# host.bash - for the benchmarks: a private test bed holding N VMs, two of
# them tiny real guests running with dynamic memory, the rest shut off.
# Source it after tests/testbed/testbed.bash; needs $dmctl.
#
#   bench_host N       start the bed, boot run1 and run2, define vm3..vmN
#   bench_define N     define more shut-off VMs, up to N in all (after
#                      bench_host; sets bench_define_ms)
#   bench_daemon_rss   the daemon's resident and peak memory, "RSS HWM" KiB

# VMs defined so far (run1, run2, vm3 ... vm$bench_count).
bench_count=0

# bench_host N: start the bed and define the N VMs.
bench_host() {
	local n=$1 g

	: "${dmctl:?host.bash needs \$dmctl}"
	tb_build_guest
	tb_start >/dev/null
	for g in run1 run2; do
		tb_define_vm "$g" --start
	done
	for g in run1 run2; do
		tb_wait_ready "$g" 120
	done
	"$dmctl" set run1 run2 --enable >/dev/null
	bench_count=2
	bench_define "$n"
}

# bench_define N: define vm$((bench_count + 1)) .. vmN. They share run1's
# definition (with its settings), renamed. virsh reads a batch of commands
# from one process, much faster than one virsh per VM. (Four virsh
# processes in parallel are no faster: the daemon does one define at a
# time, ~2.5 ms of its CPU each.)
# shellcheck disable=SC2034 # bench_define_ms is for the caller
bench_define() {
	local n=$1 i xml dir s e

	[ "$n" -gt "$bench_count" ] || { bench_define_ms=0; return 0; }
	xml=$(virsh -q -c "$TB_URI" dumpxml --inactive run1 | sed '/<uuid>/d')
	dir=$TB_DIR/defs
	rm -rf "$dir"
	mkdir "$dir"
	for ((i = bench_count + 1; i <= n; i++)); do
		printf '%s\n' "${xml/<name>run1<\/name>/<name>vm$i</name>}" >"$dir/vm$i.xml"
		echo "define $dir/vm$i.xml"
	done >"$dir/batch"
	s=$(date +%s%N)
	virsh -q -c "$TB_URI" <"$dir/batch" >/dev/null
	e=$(date +%s%N)
	rm -rf "$dir"
	bench_define_ms=$(((e - s) / 1000000))
	bench_count=$n
}

bench_daemon_rss() {
	local pid
	pid=$(cat "$TB_DIR/run/libvirt/libvirtd.pid") || return 1
	awk '$1 == "VmRSS:" { r = $2 } $1 == "VmHWM:" { h = $2 }
		END { print r, h }' "/proc/$pid/status"
}
