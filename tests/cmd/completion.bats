#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The shell completions and the man pages against the binary: completions
# must offer what "dmctl complete" and "dmtop --complete" say, the man page
# must document exactly the options "-h" lists, and the pages must lint
# clean.
# Run: bats tests/cmd/completion.bats (after make; needs mandoc, zsh).

setup() {
	ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	DMCTL=$ROOT/bin/dmctl
	DMTOP=$ROOT/bin/dmtop
	[ -x "$DMCTL" ] || {
		echo "no $DMCTL: run make first" >&2
		return 1
	}
	# The completion runs "dmctl" as the user typed it: find ours first.
	PATH=$ROOT/bin:$PATH
	# shellcheck source=../../completions/dmctl.bash
	source "$ROOT/completions/dmctl.bash"
	# shellcheck source=../../completions/dmtop.bash
	source "$ROOT/completions/dmtop.bash"
}

# comp WORD...: complete the last word of "WORD..." with _dmctl or _dmtop,
# as the first word says; the candidates end up in COMPREPLY and, one a
# line, in $output.
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	"_$1" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	output=$(printf '%s\n' "${COMPREPLY[@]}")
}

# has WORD: WORD is one of the candidates.
has() {
	local w
	for w in "${COMPREPLY[@]}"; do
		[ "$w" = "$1" ] && return 0
	done
	echo "'$1' not offered; got: ${COMPREPLY[*]}" >&2
	return 1
}

# hasnt WORD: WORD is not one of the candidates.
hasnt() {
	! has "$1" 2>/dev/null
}

# Long options a command's -h lists ("" for dmctl itself).
help_longopts() {
	# shellcheck disable=SC2086
	"$DMCTL" $1 -h | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

# Long options the man page gives as "Fl -name".
man_longopts() {
	grep -oE 'Fl -[a-z][a-z0-9-]*' "$ROOT/man/dmctl.8" |
	    sed 's/^Fl -/--/' | sort -u
}

# Long options listed as ".It Fl -name" in the .Ss subsection of command $1.
man_items() {
	awk -v cmd="$1" '
		/^\.S[sh] / { in_cmd = ($0 == ".Ss " cmd); next }
		in_cmd && /^\.It / {
			for (i = 2; i < NF; i++)
				if ($i == "Fl" && $(i + 1) ~ /^-[a-z]/)
					print "-" $(i + 1)
		}' "$ROOT/man/dmctl.8" | grep -E '^--' | sort -u
}

# zsh_parses FILE: completions/FILE is zsh without syntax errors, for
# the command it is named after.
zsh_parses() {
	run zsh -n "$ROOT/completions/$1"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	head -1 "$ROOT/completions/$1" | grep -qx "#compdef ${1#_}"
}

# zsh_comp FILE CODE: source completions/FILE in zsh, with stand-ins for
# the completion system's functions that print what would be offered, and
# run CODE (which sets words, CURRENT and PREFIX and calls the function);
# what is offered ends up in $output.
zsh_comp() {
	run zsh -f -c '
		_wanted() { shift 3; "$@" }
		compadd() {
			if [[ $1 == -a ]]; then print -rl -- "${(P)2[@]}"
			else shift; print -rl -- "$@"; fi
		}
		compset() { PREFIX=${PREFIX#*=} }
		_message() { :; }
		source "$1/completions/$2" >/dev/null 2>&1
		eval "$3"
	' zsh "$ROOT" "$1" "$2"
}

commands() {
	"$DMCTL" complete commands
	echo complete
}

@test "commands complete from 'dmctl complete commands'" {
	run "$DMCTL" complete commands
	[ "$status" -eq 0 ]
	[[ "$output" == *set* && "$output" == *show* ]]
	local want=$output w
	comp dmctl ""
	for w in $want; do has "$w"; done
	[ "${#COMPREPLY[@]}" -eq "$(wc -w <<<"$want")" ]
	comp dmctl se
	[ "${COMPREPLY[*]}" = set ]
	comp dmctl -c test:///default sh
	[ "${COMPREPLY[*]}" = show ]
}

@test "every option of set completes" {
	run "$DMCTL" complete options set
	[ "$status" -eq 0 ]
	[[ "$output" == *--startup* ]]
	local want=$output o n=0
	comp dmctl set -
	for o in $want; do
		has "$o"
		n=$((n + 1))
	done
	[ "$n" -ge 10 ]
	comp dmctl set --st
	[ "${COMPREPLY[*]}" = --startup ]
	# Options after a VM name and after another option complete too.
	comp dmctl set --enable web1 --we
	[ "${COMPREPLY[*]}" = --weight ]
}

@test "options of show complete" {
	local o
	comp dmctl show --
	for o in $("$DMCTL" complete options show); do
		[[ $o == --* ]] || continue
		has "$o"
	done
	has --json
}

@test "VM names complete from the -c URI on the command line" {
	run "$DMCTL" -c test:///default complete vms
	[ "$status" -eq 0 ]
	[ "$output" = test ]
	comp dmctl -c test:///default set --enable ""
	[ "${COMPREPLY[*]}" = test ]
	comp dmctl -c test:///default show t
	[ "${COMPREPLY[*]}" = test ]
	# After the command, in long form, and as bash splits it at ':'.
	comp dmctl set --connect test:///default --buffer 30 ""
	[ "${COMPREPLY[*]}" = test ]
	comp dmctl show --connect=test:///default ""
	[ "${COMPREPLY[*]}" = test ]
	comp dmctl -c test : ///default show ""
	[ "${COMPREPLY[*]}" = test ]
	# An option's argument is not a VM name.
	comp dmctl -c test:///default set --startup 1G --minimum ""
	hasnt test
	comp dmctl -c test:///default set --startup 1G ""
	[ "${COMPREPLY[*]}" = test ]
	# No VM starts with x.
	comp dmctl -c test:///default show x
	[ "${#COMPREPLY[@]}" -eq 0 ]
}

@test "options taking a SIZE offer sizes, numbers offer nothing" {
	local o kind nsize=0 nnum=0
	for o in $("$DMCTL" complete options set); do
		kind=$("$DMCTL" complete -- argument set "$o") || continue
		case $kind in
		size)
			comp dmctl -c test:///default set "$o" ""
			has 1G
			has 512M
			hasnt test
			comp dmctl set "$o" 2
			[ "${COMPREPLY[*]}" = 2G ]
			nsize=$((nsize + 1))
			;;
		number)
			comp dmctl -c test:///default set "$o" ""
			[ "${#COMPREPLY[@]}" -eq 0 ]
			nnum=$((nnum + 1))
			;;
		esac
	done
	[ "$nsize" -ge 1 ]
	[ "$nnum" -ge 1 ]
	# "--startup=" as bash splits it, and as one word.
	comp dmctl set --startup = ""
	has 4G
	comp dmctl set --startup = 1
	[ "${COMPREPLY[*]}" = 1G ]
}

@test "dmctl's own options come from 'dmctl complete options \"\"'" {
	run "$DMCTL" complete options ""
	[ "$status" -eq 0 ]
	[[ "$output" == *--connect* && "$output" == *--version* ]]
	local want=$output o
	comp dmctl -
	for o in $want; do has "$o"; done
	[ "${#COMPREPLY[@]}" -eq "$(wc -w <<<"$want")" ]
	comp dmctl --ver
	[ "${COMPREPLY[*]}" = --version ]
	run "$DMCTL" complete -- argument "" --connect
	[ "$output" = uri ]
	run "$DMCTL" complete -- argument "" -V
	[ "$output" = none ]
	# The -c URI is found in every spelling, before the command too.
	comp dmctl --connect=test:///default show ""
	[ "${COMPREPLY[*]}" = test ]
	comp dmctl -ctest:///default show ""
	[ "${COMPREPLY[*]}" = test ]
	comp dmctl show -ctest:///default ""
	[ "${COMPREPLY[*]}" = test ]
}

@test "-c offers URIs" {
	comp dmctl -c ""
	has test:///default
	comp dmctl show --connect qemu
	has qemu:///system
}

@test "dmctl complete argument names what an option takes" {
	run "$DMCTL" complete -- argument set --startup
	[ "$output" = size ]
	run "$DMCTL" complete -- argument set --weight
	[ "$output" = number ]
	run "$DMCTL" complete -- argument set -c
	[ "$output" = uri ]
	run "$DMCTL" complete -- argument set --live
	[ "$output" = none ]
	run "$DMCTL" complete -- argument set --nonesuch
	[ "$status" -eq 1 ]
	run "$DMCTL" complete operands set
	[ "$output" = vm ]
}

@test "zsh completion parses" {
	command -v zsh >/dev/null || skip "zsh not installed (tests/PACKAGES)"
	zsh_parses _dmctl
}

@test "zsh completion asks the binary" {
	command -v zsh >/dev/null || skip "zsh not installed (tests/PACKAGES)"
	zsh_comp _dmctl '
		words=(dmctl -c test:///default set --enable "")
		CURRENT=$#words PREFIX=
		_dmctl
		words=(dmctl set --)
		CURRENT=$#words PREFIX=--
		_dmctl
		words=(dmctl set --maximum "")
		CURRENT=$#words PREFIX=
		_dmctl
	'
	[ "$status" -eq 0 ]
	grep -qx test <<<"$output"
	for o in $("$DMCTL" complete options set); do
		grep -qx -- "$o" <<<"$output"
	done
	grep -qx 4G <<<"$output"
}

@test "dmtop's options, sort columns and URIs come from 'dmtop --complete'" {
	run "$DMTOP" --complete options
	[ "$status" -eq 0 ]
	[[ $output == *--delay* && $output == *--version* ]]
	local want=$output o kind
	comp dmtop -
	for o in $want; do has "$o"; done
	[ "${#COMPREPLY[@]}" -eq "$(wc -w <<<"$want")" ]
	comp dmtop --rev
	[ "${COMPREPLY[*]}" = --reverse ]
	run "$DMTOP" --complete columns
	[ "$status" -eq 0 ]
	local cols=$output c
	[[ $cols == *assigned* ]]
	for o in $want; do
		kind=$("$DMTOP" --complete argument "$o")
		case $kind in
		column)
			comp dmtop "$o" ""
			for c in $cols; do has "$c"; done
			comp dmtop -b "$o" as
			[ "${COMPREPLY[*]}" = assigned ] ;;
		uri)
			comp dmtop "$o" ""
			has test:///default ;;
		number | value)
			comp dmtop "$o" ""
			[ "${#COMPREPLY[@]}" -eq 0 ] ;;
		esac
	done
	# "--opt=value", the value completed after the "=".
	comp dmtop --sort=dem
	[ "${COMPREPLY[*]}" = demand ]
	run "$DMTOP" --complete argument --nonesuch
	[ "$status" -eq 1 ]
	run "$DMTOP" --complete nonesuch
	[ "$status" -eq 2 ]
}

@test "dmtop's completions name no option: they ask the binary" {
	local o f
	for o in $("$DMTOP" --complete options); do
		[[ $o == --* ]] || continue
		for f in "$ROOT/completions/dmtop.bash" "$ROOT/completions/_dmtop"; do
			! grep -q -- "$o\b" "$f" || {
				echo "$f names $o" >&2
				return 1
			}
		done
	done
}

@test "dmtop's zsh completion parses and asks the binary" {
	command -v zsh >/dev/null || skip "zsh not installed (tests/PACKAGES)"
	zsh_parses _dmtop
	zsh_comp _dmtop '
		words=(dmtop --)
		CURRENT=$#words PREFIX=--
		_dmtop
		words=(dmtop -s "")
		CURRENT=$#words PREFIX=
		_dmtop
	'
	[ "$status" -eq 0 ]
	for o in $("$DMTOP" --complete options) $("$DMTOP" --complete columns); do
		grep -qx -- "$o" <<<"$output"
	done
}

@test "every option in -h is in dmctl(8)" {
	local cmd o man missing=
	man=$(man_longopts)
	for cmd in "" $(commands); do
		for o in $(help_longopts "$cmd"); do
			grep -qx -- "$o" <<<"$man" || missing+=" ${cmd:-dmctl} $o"
		done
	done
	[ -z "$missing" ] || {
		echo "not in man/dmctl.8:$missing" >&2
		return 1
	}
}

@test "every option in dmctl(8) is in -h, and in its command's section" {
	local cmd o all= missing= items
	for cmd in "" $(commands); do
		all+=$(help_longopts "$cmd")$'\n'
	done
	for o in $(man_longopts); do
		grep -qx -- "$o" <<<"$all" || missing+=" $o"
	done
	for cmd in $(commands); do
		items=$(man_items "$cmd")
		[ -n "$items" ] || missing+=" (no options listed under .Ss $cmd)"
		for o in $items; do
			help_longopts "$cmd" | grep -qx -- "$o" ||
			    missing+=" $cmd:$o(not in -h)"
		done
		for o in $(help_longopts "$cmd"); do
			grep -qx -- "$o" <<<"$items" ||
			    missing+=" $cmd:$o(not under .Ss $cmd)"
		done
	done
	[ -z "$missing" ] || {
		echo "man/dmctl.8 and -h disagree:$missing" >&2
		return 1
	}
}

@test "man pages lint clean" {
	command -v mandoc >/dev/null || {
		echo "mandoc is needed (tests/PACKAGES)" >&2
		return 1
	}
	local page
	for page in "$ROOT/man/dmctl.8" "$ROOT/man/dmctl-metadata.5" \
	    "$ROOT/man/dmtop.1"; do
		[ -s "$page" ]
		run mandoc -Tlint -Wwarning "$page"
		[ -z "$output" ] || {
			echo "$output" >&2
			return 1
		}
	done
}
