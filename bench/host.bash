# shellcheck shell=bash
# host.bash - for the benchmarks: a private test bed holding N VMs, two of
# them tiny real guests running with dynamic memory, the rest shut off.
# Source it after tests/testbed/testbed.bash; needs $dmctl.

# bench_host N: start the bed and define the N VMs.
bench_host() {
	local n=$1 g i f xml script

	tb_build_guest
	tb_start >/dev/null
	for g in run1 run2; do
		tb_define_vm "$g" --start
	done
	for g in run1 run2; do
		tb_wait_ready "$g" 120
	done
	"$dmctl" set run1 run2 --enable >/dev/null

	# The shut-off VMs share one definition, renamed; virsh reads a
	# batch of commands from one process, much faster than one virsh
	# per VM.
	xml=$(virsh -q -c "$TB_URI" dumpxml --inactive run1 | sed '/<uuid>/d')
	script=$(mktemp)
	for i in $(seq 3 "$n"); do
		f="$TB_DIR/vm$i.xml"
		sed "s|<name>run1</name>|<name>vm$i</name>|" <<<"$xml" >"$f"
		echo "define $f" >>"$script"
	done
	virsh -q -c "$TB_URI" <"$script" >/dev/null
	rm -f "$script"
}
