# SPDX-License-Identifier: GPL-2.0-or-later
# helpers.bash - shared by the command tests: the binaries under test and

bats_require_minimum_version 1.5.0
# small readers of libvirt state.

# shellcheck source=../testbed/testbed.bash
source "$BATS_TEST_DIRNAME/../testbed/testbed.bash"
[ -n "${TB_DIR:-}" ] && [ -f "$TB_DIR/env" ] && source "$TB_DIR/env"

DMCTL="$BATS_TEST_DIRNAME/../../bin/dmctl"
MiB=1048576
# The tests are written for a host whose changes go to syslog, so that
# -q prints only errors; this one may have none (no /dev/log), where
# stderr would be the log. The tests of where changes go unset it.
export DMCTL_LOG=syslog

dmctl() { "$DMCTL" "$@"; }

vsh() { virsh -q -c "$TB_URI" "$@"; }

# json_vm VM KEY: a field of one VM from "dmctl show --json".
# give_back VM FILE [LINE...]: passes with settings FILE (reclaim-delay =
# 0, lend-idle = no, then each LINE) until VM has given back all it had
# above what it wants, surplus and loans: 320 MiB or less. (A VM that
# moved a moment ago may not shrink at the first.)
give_back() {
	local vm=$1 c=$2
	shift 2
	printf 'reclaim-delay = 0\nlend-idle = no\n' >"$c"
	printf '%s\n' "$@" >>"$c"
	given_back() {
		"$DMCTL" rebalance -q -C "$c"
		sleep 1
		[ "$(json_vm "$vm" assigned)" -le $((320 * MiB)) ]
	}
	tb_wait_for 30 given_back
}

json_vm() {
	"$DMCTL" show --json "$1" | jq -r --arg n "$1" --arg k "$2" \
		'.vms[] | select(.name == $n) | .[$k]'
}

# both_xml VM: the live and persistent definitions, for "nothing changed".
both_xml() {
	vsh dumpxml "$1"
	echo "----"
	vsh dumpxml --inactive "$1"
}

# A shut-off VM of its own for a test, removed by undefine_vm.
define_off() {
	tb_define_vm "$1" --memory "${2:-1024}" --current "${3:-256}"
}

undefine_vm() {
	vsh destroy "$1" >/dev/null 2>&1 || true
	vsh undefine "$1" >/dev/null 2>&1 || true
}

# slow_call FUNCTION SECONDS CMD...: run CMD with the first call of the
# libvirt FUNCTION made SECONDS late (slowcall.c, preloaded), so that a
# test can act in the middle of a pass: virConnectGetAllDomainStats at its
# start, virDomainLookupByUUIDString between planning and applying.
slow_call() {
	local so="$BATS_FILE_TMPDIR/slowcall.so"

	[ -e "$so" ] || cc -shared -fPIC -o "$so" \
		"$BATS_TEST_DIRNAME/slowcall.c" -ldl
	# A sanitized dmctl wants its runtime first; this one is harmless.
	DMCTL_SLOW_CALL="$1=$2" LD_PRELOAD="$so${LD_PRELOAD:+:$LD_PRELOAD}" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"${@:3}"
}
