#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The common command line: connection choice, help, version, exit codes.

load helpers

@test "--version" {
	run dmctl --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^dmctl\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "-h for dmctl and each command; usage errors exit 2" {
	run dmctl -h
	[ "$status" -eq 0 ]
	[[ "$output" == *"set "*"show "* ]]
	for c in set show rebalance; do
		run dmctl "$c" -h
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "usage: dmctl $c [options]"* ]]
		run dmctl "$c" --help
		[ "$status" -eq 0 ]
	done
	run dmctl
	[ "$status" -eq 2 ]
	run dmctl frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown command 'frobnicate'"* ]]
	# An abbreviation that names two options says which (it said
	# "unknown option"); one that names one is taken.
	run --separate-stderr dmctl show --con x
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"option '--con' is ambiguous: --config-file, --connect"* ]]
	run dmctl show --bogus
	[[ "$output" == *"unknown option '--bogus'"* ]]
	run dmctl show --bogus
	[ "$status" -eq 2 ]
	run dmctl -x
	[ "$status" -eq 2 ]
}

@test "-c, --connect and LIBVIRT_DEFAULT_URI choose the daemon" {
	run env LIBVIRT_DEFAULT_URI=test:///default "$DMCTL" show --json
	jq -e '[.vms[].name] == ["test"]' <<<"$output"
	run dmctl -c test:///default show --json
	jq -e '[.vms[].name] == ["test"]' <<<"$output"
	run dmctl show --connect test:///default --json
	jq -e '[.vms[].name] == ["test"]' <<<"$output"
	run dmctl show --json
	jq -e '[.vms[].name] | index("gshow") != null' <<<"$output"
}

@test "an unreachable daemon: one clear error, exit 1" {
	run --separate-stderr dmctl -c "qemu+unix:///session?socket=/nonexistent/sock" show
	[ "$status" -eq 1 ]
	[[ "$stderr" == "dmctl: cannot connect to 'qemu+unix:///session?socket=/nonexistent/sock': "* ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
}

@test "a write error on stdout is reported" {
	run bash -c "'$DMCTL' show > /dev/full"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot write output"* ]]
}

@test "the uri in dmctl.conf is used when neither -c nor LIBVIRT_DEFAULT_URI is" {
	c="$BATS_TEST_TMPDIR/dmctl.conf"
	printf "uri = test:///default\nlock-file = %s/lock\n" "$BATS_TEST_TMPDIR" >"$c"
	run env -u LIBVIRT_DEFAULT_URI "$DMCTL" show --json -C "$c"
	jq -e '[.vms[].name] == ["test"]' <<<"$output"
	run dmctl show --json -C "$c"
	jq -e '[.vms[].name] | index("gshow") != null' <<<"$output"
	run env -u LIBVIRT_DEFAULT_URI "$DMCTL" -c "$TB_URI" show --json -C "$c"
	jq -e '[.vms[].name] | index("gshow") != null' <<<"$output"
	run env -u LIBVIRT_DEFAULT_URI "$DMCTL" rebalance --dry-run --json -C "$c"
	[ "$status" -eq 0 ]
	jq -e '.vms == []' <<<"$output"
}

@test "-C FILE must be a regular file: /dev/zero, a FIFO and a directory are refused at once; /dev/null is the defaults" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	for f in /dev/zero "$BATS_TEST_TMPDIR/fifo" "$BATS_TEST_TMPDIR"; do
		# Before: /dev/zero was read for 15 s (2 GB), a FIFO forever.
		run --separate-stderr timeout 5 "$DMCTL" show -C "$f"
		echo "$f: $status $stderr"
		[ "$status" -eq 1 ]
		[[ "$stderr" == "dmctl: cannot read '$f': "* ]]
		[ -z "$output" ]
	done
	head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$BATS_TEST_TMPDIR/big"
	run --separate-stderr "$DMCTL" show -C "$BATS_TEST_TMPDIR/big"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"larger than 1 MiB"* ]]
	run --separate-stderr "$DMCTL" show -C /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == "Host: "* ]]
}

@test "a reserve of the host's memory or more stops show and rebalance, naming file and line; sizes that overflow are refused" {
	c="$BATS_TEST_TMPDIR/dmctl.conf"
	printf '# host settings\nreserve = 900T\n' >"$c"
	for cmd in show rebalance; do
		run --separate-stderr "$DMCTL" "$cmd" -C "$c"
		echo "$stderr"
		[ "$status" -eq 1 ]
		[[ "$stderr" == "dmctl: $c:2: reserve: 900.0T is not less than the host's memory ("* ]]
		[ -z "$output" ]
	done
	printf 'reserve = 18446744073709551615\n' >"$c"
	run --separate-stderr "$DMCTL" show -C "$c"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "dmctl: $c:1: reserve: '18446744073709551615' must be from 0K to 1024.0T" ]]
}

@test "a bad dmctl.conf stops show and rebalance, naming file, line and key" {
	c="$BATS_TEST_TMPDIR/dmctl.conf"
	printf '# host settings\nreserve = 2G\nreclaim-delay = soon\n' >"$c"
	for cmd in show rebalance; do
		run --separate-stderr dmctl "$cmd" -C "$c"
		[ "$status" -eq 1 ]
		[[ "$stderr" == "dmctl: $c:3: reclaim-delay: "* ]]
	done
	run --separate-stderr dmctl rebalance -C /nonexistent/dmctl.conf
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"/nonexistent/dmctl.conf"* ]]
	run dmctl rebalance --every 0
	[ "$status" -eq 2 ]
	run dmctl rebalance extra
	[ "$status" -eq 2 ]
}

@test "usage errors read the same in every command; a hidden command is not listed" {
	run --separate-stderr dmctl rebalance --every 0
	[ "$status" -eq 2 ]
	[ "${stderr%%$'\n'*}" = "dmctl: rebalance: --every: '0' is out of range (1 to 86400)" ]
	run --separate-stderr dmctl rebalance extra
	[ "${stderr%%$'\n'*}" = "dmctl: rebalance: unexpected argument 'extra'" ]
	for c in set start; do
		run --separate-stderr dmctl "$c" -n
		[ "$status" -eq 2 ]
		[[ "$stderr" == *"Try 'dmctl $c -h' for more information."* ]]
	done
	run --separate-stderr dmctl start
	[ "${stderr%%$'\n'*}" = "dmctl: start: no VM named" ]
	run dmctl -h
	[[ "$output" == *"--connect URI"*"--version"* ]]
	[[ "$output" != *complete* ]]
	run dmctl complete -h
	[ "$status" -eq 0 ]
}
