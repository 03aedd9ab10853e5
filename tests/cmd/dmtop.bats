#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# dmtop: the live view in a real terminal (tmux), and batch mode.

load helpers

DMTOP="$BATS_TEST_DIRNAME/../../bin/dmtop"
TMUX_L=dmtoptest

setup_file() {
	source "$BATS_TEST_DIRNAME/helpers.bash"
	# Other files change these guests; say what this file needs.
	"$DMCTL" set gshow gset --enable --buffer 20 >/dev/null
	tb_guest gshow release >/dev/null
}

teardown() {
	tmux -L "$TMUX_L" kill-server 2>/dev/null || true
	if [ -n "${own:-}" ] && [ -d "$own" ]; then
		(TB_DIR=$own && tb_stop)
	fi
	tb_guest gshow release >/dev/null 2>&1 || true
	undefine_vm gtop
}

tm() { tmux -L "$TMUX_L" "$@"; }

screen() { tm capture-pane -p; }

# start_top WIDTH ARGS...: dmtop in a fresh tmux terminal WIDTH x 40,
# started from a shell so that what is left after it quits can be seen.
start_top() {
	local w=$1
	shift
	tm new-session -d -x "$w" -y 40 "env -i PATH=$PATH TERM=tmux-256color \
		HOME=$BATS_TEST_TMPDIR PS1='shell\$ ' bash --norc --noprofile"
	tm send-keys "$DMTOP -c '$TB_URI' $* ; echo rc=\$? > $BATS_TEST_TMPDIR/rc" Enter
	tb_wait_for 10 on_screen '^NAME '
}

# on_screen REGEX: a line of the screen matches.
on_screen() { screen | grep -Eq -- "$1"; }

off_screen() { ! on_screen "$1"; }

# cell VM TITLE: the text under column TITLE in VM's row on the screen.
cell() {
	screen | awk -v vm="$1" -v title="$2" '
		/^NAME / { head = $0; next }
		head != "" && $1 == vm {
			n = split(head, t, " +")
			split($0, c, " +")
			for (i = 1; i <= n; i++)
				if (t[i] == title) { print c[i]; exit }
		}'
}

# human BYTES: a size as dmctl prints it (whole K or M below 1 GiB).
human() {
	local b=$1
	if [ "$b" -lt 1073741824 ]; then
		if [ $((b % 1048576)) -eq 0 ]; then
			echo "$((b / 1048576))M"
		else
			echo "$((b / 1024))K"
		fi
	else
		awk -v b="$b" 'BEGIN { printf "%.1fG\n", b / 1073741824 }'
	fi
}

# row_order: the VM names in screen order.
row_order() {
	screen | awk '/^NAME / { on = 1; next } on && NF { print $1 }' |
		tr '\n' ' '
}

@test "usage errors exit 2, a failed connection 1 with one message" {
	run -2 "$DMTOP" --bogus
	[[ $output == *"unknown option"* ]]
	run -2 "$DMTOP" -s nosuchcolumn -b
	run -2 "$DMTOP" -d 0 -b
	run -2 "$DMTOP" --json
	run -0 "$DMTOP" -h
	[[ $output == *"--delay SECONDS"* ]]
	run -1 --separate-stderr "$DMTOP" -b -c "qemu+unix:///session?socket=$BATS_TEST_TMPDIR/none"
	[ -z "$output" ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	[[ $stderr == "dmtop: cannot connect to"* ]]
}

@test "usage errors read as dmctl's: the option as typed, its range; -V" {
	run -2 --separate-stderr "$DMTOP" -d 0 -b
	[ "${stderr_lines[0]}" = "dmtop: -d: '0' is out of range (0.1 to 86400)" ]
	[ "${stderr_lines[1]}" = "Try 'dmtop -h' for more information." ]
	run -2 --separate-stderr "$DMTOP" --delay soon
	[ "${stderr_lines[0]}" = "dmtop: --delay: 'soon' is not a number of seconds (0.1 to 86400)" ]
	run -2 --separate-stderr "$DMTOP" -n 0 -b
	[ "${stderr_lines[0]}" = "dmtop: -n: '0' is out of range (at least 1)" ]
	run -2 --separate-stderr "$DMTOP" -s nosuchcolumn
	[ "${stderr_lines[0]}" = "dmtop: -s: 'nosuchcolumn' is not a column" ]
	run -2 --separate-stderr "$DMTOP" --json
	[ "${stderr_lines[0]}" = "dmtop: --json needs -b" ]
	run -2 --separate-stderr "$DMTOP" -b extra
	[ "${stderr_lines[0]}" = "dmtop: unexpected argument 'extra'" ]
	run -0 "$DMTOP" -V
	[[ $output == "dmtop "* ]]
	run -0 "$DMTOP" --version
	[[ $output == "dmtop "* ]]
}

@test "batch mode prints the header and the same figures as dmctl show" {
	run -0 "$DMTOP" -b -c "$TB_URI"
	echo "$output"
	[[ ${lines[1]} == "Host: total "*", reserve "*", pool "* ]]
	[[ ${lines[2]} == "Pool: assigned "*", free "* ]]
	[[ ${lines[3]} == "VMs: "*" dynamic, "*" static; last change: "* ]]
	[[ ${lines[4]} == NAME*STATE*ASSIGNED*DEMAND*STATUS* ]]
	for vm in gshow gset; do
		row=$(grep "^$vm " <<<"$output")
		want=$(human "$(json_vm "$vm" assigned)")
		[ "$(awk '{print $3}' <<<"$row")" = "$want" ]
		[[ $row == *"$(json_vm "$vm" status)"* ]] ||
			[ "$(json_vm "$vm" status)" != OK ]
	done
	# -n 2: two tables, a blank line apart.
	run -0 "$DMTOP" -b -n 2 -d 0.2 -c "$TB_URI"
	[ "$(grep -c '^NAME ' <<<"$output")" -eq 2 ]
	# Sorting and filtering by option.
	run -0 "$DMTOP" -b -s name -r -c "$TB_URI"
	[ "$(awk '$1 ~ /^gs/ {print $1}' <<<"$output" | tr '\n' ' ')" = "gshow gset " ]
	run -0 "$DMTOP" -b -f SHO -c "$TB_URI"
	grep -q '^gshow ' <<<"$output"
	! grep -q '^gset ' <<<"$output"
}

@test "batch --json: one document a line, the keys of dmctl show plus buffers" {
	run -0 "$DMTOP" -b --json -n 2 -d 0.2 -c "$TB_URI"
	[ "${#lines[@]}" -eq 2 ]
	for l in "${lines[@]}"; do
		jq -e '.host.pool and (.vms | length >= 2)' <<<"$l" >/dev/null
	done
	want=$(dmctl show --json | jq -c '[.vms[0] | keys[]] + ["buffer_available"] | sort')
	got=$(jq -c '[.vms[0] | keys[]] | sort' <<<"${lines[0]}")
	[ "$got" = "$want" ]
	[ "$(jq -c '.host | keys' <<<"${lines[0]}")" = "$(dmctl show --json | jq -c '.host | keys')" ]
	assigned=$(jq -r '.vms[] | select(.name == "gshow") | .assigned' <<<"${lines[1]}")
	[ "$assigned" = "$(json_vm gshow assigned)" ]
}

@test "the live view lists the VMs with dmctl's figures" {
	start_top 120 -d 1
	screen
	for vm in gshow gset; do
		[ "$(cell "$vm" ASSIGNED)" = "$(human "$(json_vm "$vm" assigned)")" ]
		[ "$(cell "$vm" STATE)" = running ]
	done
	on_screen '^Host: total .*, reserve .*, pool '
	on_screen 'last change: '
	on_screen '\[[#=! ]+\]'
}

@test "what the library reports shows on the message line, as dmctl says it" {
	# A reserve the host cannot honour: snapshot_take refuses with the
	# file and line; the live view shows that, not libvirt's last error.
	printf 'reserve = 1000T\n' >"$BATS_TEST_TMPDIR/big.conf"
	run dmctl show -C "$BATS_TEST_TMPDIR/big.conf"
	[ "$status" -ne 0 ]
	want=${output#dmctl: }
	[[ $want == *"big.conf:1: reserve: "*"is not less than the host's memory"* ]]
	tm new-session -d -x 200 -y 40 "env -i PATH=$PATH TERM=tmux-256color \
		HOME=$BATS_TEST_TMPDIR bash --norc --noprofile"
	tm send-keys "$DMTOP -c '$TB_URI' -C '$BATS_TEST_TMPDIR/big.conf' -d 1" Enter
	tb_wait_for 10 on_screen "is not less than the host's memory"
	screen | grep -qF -- "$want"
	tm send-keys q
}

@test "sort keys reorder the rows" {
	start_top 120 -d 1
	[[ $(row_order) == *"gset gshow "* ]]
	tm send-keys R
	tb_wait_for 3 on_screen 'sort NAME desc'
	[[ $(row_order) == *"gshow gset "* ]]
	# Reversed stays reversed, as in top: figures now smallest first.
	tm send-keys A
	tb_wait_for 3 on_screen 'sort ASSIGNED asc'
	tm send-keys '>'
	tb_wait_for 3 on_screen 'sort DEMAND asc'
	tm send-keys N
	tb_wait_for 3 on_screen 'sort NAME desc'
	tm send-keys R
	tb_wait_for 3 on_screen 'sort NAME asc'
	[[ $(row_order) == *"gset gshow "* ]]
	# The filter hides what does not match.
	tm send-keys / s h o Enter
	tb_wait_for 3 off_screen '^gset '
	on_screen '^gshow '
}

@test "a guest's new demand shows within two refreshes" {
	mib() { sed -n 's/M$//p'; }
	start_top 120 -d 1
	base=$(cell gshow DEMAND | mib)
	[ -n "$base" ]
	tb_guest gshow hold 60
	up() {
		d=$(json_vm gshow demand)
		[ "$d" != null ] && [ $((d / 1048576 - base)) -ge 50 ]
	}
	tb_wait_for 15 up
	shown() {
		s=$(cell gshow DEMAND | mib)
		[ -n "$s" ] && [ $((s - base)) -ge 50 ]
	}
	tb_wait_for 3 shown
}

@test "a VM that appears and vanishes is shown and dropped" {
	start_top 120 -d 5
	tb_define_vm gtop --start
	# Events, not the 5 s timer, bring it.
	tb_wait_for 4 on_screen '^gtop +running'
	vsh destroy gtop >/dev/null
	vsh undefine gtop >/dev/null
	tb_wait_for 4 off_screen '^gtop '
	on_screen '^gshow '
}

@test "at 60 columns rows do not wrap and name and status stay" {
	start_top 60 -d 1
	screen
	on_screen '^NAME .*ASSIGNED .*DEMAND .*STATUS'
	on_screen '^gshow .*(OK|Low|Warning|unknown|none)'
	on_screen '^gset .*(OK|Low|Warning|unknown|none)'
	off_screen 'MEMORY'
	# Every table line starts with a name: nothing wrapped.
	[ -z "$(screen | awk '/^NAME / { on = 1; next } on && NF && $1 !~ /^g/')" ]
	# Wider, the dropped columns come back; narrower again, they go.
	tm resize-window -x 120
	tb_wait_for 3 on_screen '^NAME .*MEMORY'
	tm resize-window -x 60
	narrow() {
		off_screen 'MEMORY' &&
			on_screen '^gshow .*(OK|Low|Warning|unknown|none)'
	}
	tb_wait_for 3 narrow
}

@test "q quits with 0 and gives the terminal back" {
	start_top 120 -d 1
	tm send-keys h
	tb_wait_for 3 on_screen 'dmtop - keys'
	# The help and -h are written from one key table.
	keys=$("$DMTOP" -h | sed -n 's/^keys: \(.*\) sort, .*/\1/p')
	[ -n "$keys" ]
	on_screen "^  $keys +sort by name, "
	on_screen '^  q +quit$'
	tm send-keys x
	tb_wait_for 3 on_screen '^NAME '
	tm send-keys q
	tb_wait_for 5 test -s "$BATS_TEST_TMPDIR/rc"
	[ "$(cat "$BATS_TEST_TMPDIR/rc")" = rc=0 ]
	tb_wait_for 3 on_screen '^shell\$ *$'
	screen
	off_screen '^NAME '
	off_screen '^Host: '
}

@test "help, completion and man page name the same options" {
	run -0 "$DMTOP" --complete options
	opts=$output
	help=$("$DMTOP" -h)
	for o in $(grep -Eo -- '--[a-z-]+' <<<"$help" | sort -u); do
		grep -qx -- "$o" <<<"$opts"
	done
	for o in $(grep -- '^--' <<<"$opts"); do
		grep -q -- "$o" <<<"$help"
		grep -q -- "Fl -${o#--}" "$BATS_TEST_DIRNAME/../../man/dmtop.1"
	done
	# The man page names the sort keys that -h names.
	keys=$(sed -n 's/^keys: \(.*\) sort, .*/\1/p' <<<"$help")
	[ -n "$keys" ]
	grep -qx -- ".It Ic $keys" "$BATS_TEST_DIRNAME/../../man/dmtop.1"
	run -0 "$DMTOP" --complete argument -s
	[ "$output" = column ]
	run -0 "$DMTOP" --complete columns
	[[ $output == *assigned*status* ]]
}

@test "a lost connection is shown, and the view comes back with the daemon" {
	# A daemon of this test's own: the suite's shared one is never killed.
	own=$(mktemp -d /tmp/dmtop-bed.XXXXXX)
	uri="qemu+unix:///session?socket=$own/run/libvirt/libvirt-sock"
	(TB_DIR=$own && tb_start >/dev/null && tb_define_vm lonely --memory 512 --current 256)
	TB_URI=$uri start_top 120 -d 1
	tb_wait_for 10 on_screen '^lonely '
	kill "$(cat "$own/run/libvirt/libvirtd.pid")"
	tb_wait_for 10 on_screen 'connection to .* lost|no connection'
	# The daemon is back: the view reconnects and sees what is new.
	(TB_DIR=$own && tb_start >/dev/null && tb_define_vm later --memory 512 --current 256)
	tb_wait_for 15 on_screen '^later '
	tb_wait_for 5 off_screen 'no connection|lost'
	tm send-keys q
	tb_wait_for 5 test -s "$BATS_TEST_TMPDIR/rc"
}
