# SPDX-License-Identifier: GPL-2.0-or-later
# dmctl.bash - bash completion for dmctl(8).
#
# Commands, options, what an option takes and what the operands are all
# come from "dmctl complete ...", which reads the same tables that parse
# the options; nothing here has to change when dmctl gains an option.

# Print the lines of stdin that start with $1.
_dmctl_filter()
{
	local line
	while IFS= read -r line; do
		[[ -n $line && $line == "$1"* ]] && printf '%s\n' "$line"
	done
}

# Print each of $2... with $1 in front, one a line.
_dmctl_words()
{
	local pre=$1
	shift
	printf '%s\n' "${@/#/$pre}"
}

# Fill COMPREPLY with the lines of stdin that start with the current word.
# Bash splits words at ':' and '=' (URIs, "--opt=value") and replaces only
# the piece after the last of them, so drop what comes before, as
# bash-completion's __ltrim_colon_completions does.
_dmctl_reply()
{
	local cur=$1 line pre= c
	for c in : =; do
		[[ $COMP_WORDBREAKS == *"$c"* && $cur == *"$c"* ]] || continue
		[[ ${cur%"${cur##*"$c"}"} == "$pre"* ]] && pre=${cur%"${cur##*"$c"}"}
	done
	COMPREPLY=()
	while IFS= read -r line; do
		COMPREPLY+=("${line#"$pre"}")
	done < <(_dmctl_filter "$cur")
}

# What option $3 of command $2 ("" for dmctl's own) takes, by asking $1.
_dmctl_kind()
{
	"$1" complete -- argument "$2" "$3" 2>/dev/null
}

_dmctl()
{
	local dm=${COMP_WORDS[0]} words=() cword=0 i w
	local cur cmd= uri= kind= optarg=0

	# Rejoin what bash split at ':' and '=', so that "test:///default"
	# and "--startup=1G" are one word each.
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if ((i > 1)) && [[ $w == [:=] || ${COMP_WORDS[i - 1]} == [:=] ]]; then
			words[${#words[@]} - 1]+=$w
		else
			words+=("$w")
		fi
		((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
	done
	if ((COMP_CWORD >= ${#COMP_WORDS[@]})); then
		words+=("")
		cword=$((${#words[@]} - 1))
	fi
	cur=${words[cword]}

	# "--opt=value": complete the value, keeping "--opt=" in front.
	local eqopt= eqpre=
	if [[ $cur == -*=* ]]; then
		eqopt=${cur%%=*} eqpre=${cur%%=*}= cur=${cur#*=}
	fi

	# Find the command, the URI given with an option that takes one
	# (-c), and whether the word before the current one is an option
	# wanting an argument. What each option takes, before the command
	# ("") and after it, is the binary's answer.
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		if ((optarg)); then
			optarg=0
			[[ $kind == uri ]] && uri=$w
			continue
		fi
		case $w in
		--) [[ -n $cmd ]] && break; continue ;;
		-) continue ;;
		--*=*)
			[[ $(_dmctl_kind "$dm" "$cmd" "${w%%=*}") == uri ]] &&
			    uri=${w#*=}
			continue ;;
		--?* | -?)
			kind=$(_dmctl_kind "$dm" "$cmd" "$w")
			[[ -n $kind && $kind != none ]] && optarg=1
			continue ;;
		-?*)
			# "-cURI": a short option with its argument attached.
			[[ $(_dmctl_kind "$dm" "$cmd" "${w:0:2}") == uri ]] &&
			    uri=${w:2}
			continue ;;
		esac
		[[ -z $cmd ]] && cmd=$w
	done
	((optarg)) || kind=
	[[ -n $eqopt ]] && kind=$(_dmctl_kind "$dm" "$cmd" "$eqopt")

	if [[ -n $kind ]]; then
		# A few sizes as examples; nothing for numbers and values.
		_dmctl_reply "$eqpre$cur" < <(case $kind in
		size) _dmctl_words "$eqpre" 512M 1G 2G 4G 8G ;;
		uri) _dmctl_words "$eqpre" qemu:///system qemu:///session \
		    test:///default ;;
		file) compgen -f -P "$eqpre" -- "$cur" ;;
		esac)
		return 0
	fi

	if [[ $cur == -* ]]; then
		_dmctl_reply "$cur" < <("$dm" complete options "$cmd" 2>/dev/null)
	elif [[ -z $cmd ]]; then
		_dmctl_reply "$cur" < <("$dm" complete commands 2>/dev/null)
	elif [[ $("$dm" complete operands "$cmd" 2>/dev/null) == vm ]]; then
		_dmctl_reply "$cur" < <("$dm" ${uri:+-c "$uri"} complete vms \
		    2>/dev/null)
	else
		COMPREPLY=()
	fi
	return 0
}

complete -F _dmctl dmctl
