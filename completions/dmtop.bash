# SPDX-License-Identifier: GPL-2.0-or-later
# dmtop.bash - bash completion for dmtop(1).
#
# The options, what each takes and the sort columns all come from
# "dmtop --complete ...", which reads the table that parses the options;
# nothing here has to change when dmtop gains an option.

_dmtop()
{
	local dm=${COMP_WORDS[0]} cur prev kind pre= line
	local -a w
	# Words as the user typed them: bash splits "qemu:///system" and
	# "--opt=value" at ':' and '=', the command line does not.
	line=${COMP_LINE:0:COMP_POINT}
	read -ra w <<<"$line"
	[[ $line == *[[:space:]] || ${#w[@]} -eq 0 ]] && w+=("")
	cur=${w[${#w[@]} - 1]}
	prev=
	((${#w[@]} > 1)) && prev=${w[${#w[@]} - 2]}

	# "--opt=value": complete the value after the "=".
	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*} cur=${cur#*=}
	fi
	kind=
	[[ $prev == -* ]] &&
		kind=$("$dm" --complete argument "$prev" 2>/dev/null)
	case $kind in
	column)
		mapfile -t COMPREPLY < <(compgen -W \
		    "$("$dm" --complete columns 2>/dev/null)" -- "$cur")
		return 0 ;;
	uri)
		# Bash replaces only the part after the last ':'.
		[[ $COMP_WORDBREAKS == *:* && $cur == *:* ]] && pre=${cur%"${cur##*:}"}
		mapfile -t COMPREPLY < <(compgen -W \
		    "qemu:///system qemu:///session test:///default" -- "$cur")
		COMPREPLY=("${COMPREPLY[@]#"$pre"}")
		return 0 ;;
	file)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0 ;;
	number | value)
		COMPREPLY=()
		return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W \
		    "$("$dm" --complete options 2>/dev/null)" -- "$cur")
	else
		COMPREPLY=()
	fi
	return 0
}

complete -F _dmtop dmtop
