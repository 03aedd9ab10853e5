# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# testbed.bash: a private libvirt daemon and tiny real guests for dmctl tests.
#
# Source it (bats: `load ../testbed/testbed` or `source .../testbed.bash`).
# It sets no shell options; every function returns non-zero on failure and
# works under `set -euo pipefail`. See README.md beside this file.
#
#   tb_start                     start (or reuse) the private daemon in $TB_DIR
#   tb_env                       write $TB_DIR/env (sourceable exports)
#   tb_stop                      destroy guests, stop everything, remove $TB_DIR
#   tb_build_guest               build/cache kernel+initramfs in $TB_CACHE
#   tb_define_vm NAME [--memory MiB] [--current MiB] [--hotadd MiB]
#                [--no-online] [--start] [--no-stats]
#   tb_wait_ready NAME [TIMEOUT_S]
#   tb_guest NAME CMD...         ping | hold MIB | release [ID] | held | list
#                                | meminfo | sh CMD...
#   tb_guest_meminfo NAME FIELD  a /proc/meminfo field of the guest, in KiB
#   tb_wait_for SECONDS CMD...   retry CMD every 0.5 s until it succeeds
#
# Variables: TB_DIR (state dir, default fresh /tmp/tb.XXXXXXXX), TB_CACHE
# (guest build cache, default <repo>/build/guest), TB_URI and
# LIBVIRT_DEFAULT_URI (exported by tb_start), TB_GUEST_TIMEOUT (seconds for
# one tb_guest call, default 30), TB_USER (daemon user when root, default
# nobody).

TB_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${TB_CACHE:=$(cd "$TB_HOME/../.." && pwd)/build/guest}"
export TB_CACHE

_tb_log() { echo "testbed: $*" >&2; }

_tb_is_root() { [ "$(id -u)" = 0 ]; }

_tb_user() { echo "${TB_USER:-nobody}"; }

# _tb_as_daemon_user CMD...: run CMD as the daemon's user with the private
# XDG environment (the only place these variables are set).
_tb_as_daemon_user() {
	local -a envv=(
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		LC_ALL=C
		HOME="$TB_DIR"
		XDG_RUNTIME_DIR="$TB_DIR/run"
		XDG_CONFIG_HOME="$TB_DIR/config"
		XDG_CACHE_HOME="$TB_DIR/cache"
		XDG_DATA_HOME="$TB_DIR/data"
	)
	if _tb_is_root; then
		runuser -u "$(_tb_user)" -- env -i "${envv[@]}" "$@"
	else
		env -i "${envv[@]}" "$@"
	fi
}

# _tb_closefds CMD...: run CMD with every fd above 2 closed and stdin from
# /dev/null (bats waits for whoever holds its fd 3, so daemons must not).
_tb_closefds() {
	(
		local fd
		for fd in /proc/"$BASHPID"/fd/*; do
			fd=${fd##*/}
			if [ "$fd" -gt 2 ] 2>/dev/null; then
				eval "exec $fd>&-" 2>/dev/null || true
			fi
		done
		"$@" </dev/null
	)
}

_tb_virsh() { virsh -q -c "$TB_URI" "$@"; }

_tb_daemon_pid() {
	local pid
	pid=$(cat "$TB_DIR/run/libvirt/libvirtd.pid" 2>/dev/null) || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

_tb_daemon_ok() {
	[ -S "$TB_DIR/run/libvirt/libvirt-sock" ] || return 1
	timeout 10 virsh -c "$TB_URI" uri >/dev/null 2>&1
}

_tb_set_uri() {
	TB_URI="qemu+unix:///session?socket=$TB_DIR/run/libvirt/libvirt-sock"
	LIBVIRT_DEFAULT_URI=$TB_URI
	export TB_DIR TB_URI LIBVIRT_DEFAULT_URI
}

tb_env() {
	if [ -z "${TB_DIR:-}" ] || [ ! -d "$TB_DIR" ]; then
		_tb_log "tb_env: no TB_DIR"
		return 1
	fi
	_tb_set_uri
	{
		printf 'export TB_DIR=%q\n' "$TB_DIR"
		printf 'export TB_URI=%q\n' "$TB_URI"
		printf 'export LIBVIRT_DEFAULT_URI=%q\n' "$LIBVIRT_DEFAULT_URI"
		printf 'export TB_CACHE=%q\n' "$TB_CACHE"
	} >"$TB_DIR/env.tmp" && mv -f "$TB_DIR/env.tmp" "$TB_DIR/env"
}

tb_start() {
	if [ -z "${TB_DIR:-}" ]; then
		TB_DIR=$(mktemp -d /tmp/tb.XXXXXXXX) || return 1
	fi
	mkdir -p "$TB_DIR" || return 1
	TB_DIR=$(cd "$TB_DIR" && pwd) || return 1
	_tb_set_uri

	# Reuse a running daemon.
	if _tb_daemon_pid >/dev/null && _tb_daemon_ok; then
		tb_env
		return
	fi

	local d
	for d in run config/libvirt cache data img log; do
		mkdir -p "$TB_DIR/$d" || return 1
	done
	chmod 0700 "$TB_DIR/run"
	chmod 0755 "$TB_DIR" "$TB_DIR/img"
	cat >"$TB_DIR/config/libvirt/libvirtd.conf" <<-EOF
		log_outputs = "3:file:$TB_DIR/log/libvirtd.log"
	EOF
	# No virtlogd: QEMU's own output goes to cache/libvirt/qemu/log/NAME.log.
	cat >"$TB_DIR/config/libvirt/qemu.conf" <<-EOF
		stdio_handler = "file"
	EOF
	# Reuse QEMU capabilities probed by an earlier bed (saves ~2 s on the
	# first define). libvirt checks them against the binaries and reprobes
	# when anything changed.
	if compgen -G "$TB_CACHE/qemu-caps/*.xml" >/dev/null; then
		mkdir -p "$TB_DIR/cache/libvirt/qemu/cache/capabilities" &&
			cp -p "$TB_CACHE"/qemu-caps/*.xml "$TB_DIR/cache/libvirt/qemu/cache/capabilities/" 2>/dev/null
	fi
	if _tb_is_root; then
		chown -R "$(_tb_user):" "$TB_DIR" || return 1
		if ! _tb_as_daemon_user test -w "$TB_DIR/run"; then
			_tb_log "tb_start: user $(_tb_user) cannot write $TB_DIR (is a parent directory closed?)"
			return 1
		fi
	fi

	local daemon
	daemon=$(command -v libvirtd || command -v virtqemud || true)
	[ -n "$daemon" ] || [ ! -x /usr/sbin/libvirtd ] || daemon=/usr/sbin/libvirtd
	[ -n "$daemon" ] || { _tb_log "tb_start: libvirtd not installed"; return 1; }
	# Started directly, without --timeout: a session daemon autostarted by
	# virsh would exit after 120 s without clients.
	rm -f "$TB_DIR/run/libvirt/libvirt-sock"
	if ! _tb_closefds _tb_as_daemon_user "$daemon" --daemon >>"$TB_DIR/log/daemon.out" 2>&1; then
		_tb_log "tb_start: $daemon --daemon failed:"
		tail -n 20 "$TB_DIR/log/daemon.out" "$TB_DIR/log/libvirtd.log" >&2 2>/dev/null
		return 1
	fi
	local i
	for ((i = 0; i < 300; i++)); do
		if _tb_daemon_ok; then
			tb_env
			return
		fi
		sleep 0.1
	done
	_tb_log "tb_start: daemon did not answer on $TB_URI"
	tail -n 20 "$TB_DIR/log/daemon.out" "$TB_DIR/log/libvirtd.log" >&2 2>/dev/null
	return 1
}

# _tb_procs: pids of processes belonging to this test bed: whose command line
# names a path inside $TB_DIR, or whose environment has our private
# XDG_RUNTIME_DIR (libvirtd and its helpers). The caller and its ancestors
# are never listed.
_tb_procs() {
	local -A skip=()
	local p=$BASHPID f pid
	while [ -n "$p" ] && [ "$p" != 0 ]; do
		skip[$p]=1
		p=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null) || break
	done
	# grep exits 2 for processes that vanished meanwhile: ignore its status.
	{
		grep -laF -- "$TB_DIR/" /proc/[0-9]*/cmdline 2>/dev/null || true
		grep -lazF -- "XDG_RUNTIME_DIR=$TB_DIR/run" /proc/[0-9]*/environ 2>/dev/null || true
	} | while read -r f; do
		pid=${f#/proc/}
		pid=${pid%%/*}
		[ -z "${skip[$pid]:-}" ] || continue
		# Only live processes (the grep itself is gone by now).
		[ -e "/proc/$pid" ] || continue
		grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null && continue
		echo "$pid"
	done | sort -un
	return 0
}

tb_stop() {
	[ -n "${TB_DIR:-}" ] || return 0
	local pids pid dpid='' i sig
	if [ -d "$TB_DIR" ]; then
		_tb_set_uri
		dpid=$(_tb_daemon_pid || true)
	fi
	# Guests first, the hard way: the directory is going away anyway, and
	# `virsh destroy` costs about 2 s per guest. Then the daemon gets a
	# short chance to exit by itself.
	pids=$(_tb_procs)
	for pid in $pids; do
		[ "$pid" = "$dpid" ] || kill -KILL "$pid" 2>/dev/null || true
	done
	if [ -n "$dpid" ]; then
		kill -TERM "$dpid" 2>/dev/null || true
		for ((i = 0; i < 10; i++)); do
			kill -0 "$dpid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	for sig in KILL KILL; do
		pids=$(_tb_procs)
		[ -n "$pids" ] || break
		# shellcheck disable=SC2086
		kill -"$sig" $pids 2>/dev/null || true
		for ((i = 0; i < 30; i++)); do
			pids=$(_tb_procs)
			[ -n "$pids" ] || break
			sleep 0.1
		done
	done
	pids=$(_tb_procs)
	rm -rf "$TB_DIR"
	if [ -n "$pids" ]; then
		_tb_log "tb_stop: processes survived: $pids"
		return 1
	fi
	return 0
}

# _tb_guest_key: hash of everything that goes into the guest build.
_tb_guest_key() {
	(cd "$TB_HOME" && cat build-guest.sh guest/init guest/agent memhog.c agentc.c) |
		sha256sum | cut -c1-16
}

tb_build_guest() {
	local key dir
	key=$(_tb_guest_key) || return 1
	dir="$TB_CACHE/$key"
	if [ ! -f "$dir/.done" ]; then
		mkdir -p "$TB_CACHE" || return 1
		(
			exec 9>"$TB_CACHE/.lock"
			flock -w 1200 9 || { _tb_log "tb_build_guest: lock timeout"; exit 1; }
			[ ! -f "$dir/.done" ] || exit 0
			rm -rf "$dir"
			bash "$TB_HOME/build-guest.sh" "$dir" "$TB_CACHE/debs" || exit 1
			touch "$dir/.done"
			# Drop builds for other inputs unless recent (another bed may be
			# copying one right now); keep the kernel .deb and QEMU caps.
			find "$TB_CACHE" -mindepth 1 -maxdepth 1 -type d -mmin +60 \
				-regex '.*/[0-9a-f]\{16\}' ! -path "$dir" -exec rm -rf {} + 2>/dev/null
			exit 0
		) || return 1
	fi
	TB_GUEST_DIR=$dir
	export TB_GUEST_DIR
}

# _tb_stage_guest: copy the guest into $TB_DIR/img so that the daemon's user
# can read it wherever the repository lives (e.g. under a closed /root).
_tb_stage_guest() {
	[ -f "$TB_DIR/img/.key" ] && [ "$(cat "$TB_DIR/img/.key")" = "${TB_GUEST_DIR##*/}" ] && return 0
	cp -f "$TB_GUEST_DIR/vmlinuz" "$TB_GUEST_DIR/initrd.gz" "$TB_GUEST_DIR/agentc" "$TB_DIR/img/" || return 1
	chmod 0644 "$TB_DIR/img/vmlinuz" "$TB_DIR/img/initrd.gz"
	chmod 0755 "$TB_DIR/img" "$TB_DIR/img/agentc"
	echo "${TB_GUEST_DIR##*/}" >"$TB_DIR/img/.key"
}

# _tb_save_caps: keep the daemon's QEMU capabilities for the next bed (best
# effort; see tb_start).
_tb_save_caps() {
	local src="$TB_DIR/cache/libvirt/qemu/cache/capabilities"
	compgen -G "$src/*.xml" >/dev/null || return 0
	if ! compgen -G "$TB_CACHE/qemu-caps/*.xml" >/dev/null ||
		[ -n "$(find "$src" -name '*.xml' -newer "$TB_CACHE/qemu-caps" 2>/dev/null)" ]; then
		{
			mkdir -p "$TB_CACHE/qemu-caps" &&
				cp "$src"/*.xml "$TB_CACHE/qemu-caps/" &&
				chmod a+r "$TB_CACHE"/qemu-caps/*.xml &&
				touch "$TB_CACHE/qemu-caps"
		} 2>/dev/null || true
	fi
	return 0
}

_tb_check_name() {
	case "${1:-}" in
	'' | *[!A-Za-z0-9_.-]* | .*) _tb_log "bad VM name '${1:-}'"; return 1 ;;
	esac
}

_tb_check_dir() {
	if [ -z "${TB_DIR:-}" ] || [ ! -d "$TB_DIR" ]; then
		_tb_log "no test bed: run tb_start (or source \$TB_DIR/env)"
		return 1
	fi
	_tb_set_uri
}

tb_define_vm() {
	local name=${1:-} memory=1024 current=256 start=0 stats=1 hotadd=0 online=1
	_tb_check_name "$name" || return 1
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		--memory) memory=${2:-}; shift 2 || return 1 ;;
		--current) current=${2:-}; shift 2 || return 1 ;;
		--start) start=1; shift ;;
		--no-stats) stats=0; shift ;;
		--hotadd) hotadd=${2:-}; shift 2 || return 1 ;;
		--no-online) online=0; shift ;;
		*) _tb_log "tb_define_vm: unknown option $1"; return 1 ;;
		esac
	done
	case "$memory$current$hotadd" in *[!0-9]* | '') _tb_log "tb_define_vm: sizes are MiB integers"; return 1 ;; esac
	[ "$current" -le "$memory" ] || { _tb_log "tb_define_vm: --current > --memory"; return 1; }
	_tb_check_dir || return 1
	tb_build_guest || return 1
	_tb_stage_guest || return 1

	local balloon="<memballoon model='virtio'><stats period='1'/></memballoon>"
	[ "$stats" = 1 ] || balloon="<memballoon model='virtio'/>"
	# Hot-add: boot with --memory, grow by up to --hotadd MiB through a
	# virtio-mem device (libvirt 9.0 wants <maxMemory> and a NUMA cell).
	local maxmem='' numa='' memdev='' cmdline=''
	if [ "$hotadd" -gt 0 ]; then
		maxmem="<maxMemory slots='1' unit='MiB'>$((memory + hotadd))</maxMemory>"
		numa="<cpu><numa><cell id='0' cpus='0' memory='$memory' unit='MiB'/></numa></cpu>"
		memdev="<memory model='virtio-mem'><target><size unit='MiB'>$hotadd</size><node>0</node><block unit='MiB'>2</block><requested unit='MiB'>0</requested></target></memory>"
	fi
	# The guest onlines hot-added memory as movable (so it can be
	# unplugged again), as a guest set up for dmctl's hot-add does.
	[ "$online" = 0 ] || cmdline=" memhp_default_state=online_movable"
	local xml="$TB_DIR/$name.xml"
	cat >"$xml" <<-EOF
		<domain type='qemu'>
		  <name>$name</name>
		  $maxmem
		  <memory unit='MiB'>$memory</memory>
		  <currentMemory unit='MiB'>$current</currentMemory>
		  <vcpu>1</vcpu>
		  $numa
		  <os>
		    <type arch='x86_64' machine='pc'>hvm</type>
		    <kernel>$TB_DIR/img/vmlinuz</kernel>
		    <initrd>$TB_DIR/img/initrd.gz</initrd>
		    <cmdline>console=ttyS0 rdinit=/init panic=-1 loglevel=4 mitigations=off transparent_hugepage=never$cmdline${TB_GUEST_CMDLINE:+ $TB_GUEST_CMDLINE}</cmdline>
		  </os>
		  <on_poweroff>destroy</on_poweroff>
		  <on_reboot>destroy</on_reboot>
		  <on_crash>destroy</on_crash>
		  <devices>
		    <emulator>$(command -v qemu-system-x86_64 || echo /usr/bin/qemu-system-x86_64)</emulator>
		    <controller type='usb' model='none'/>
		    <serial type='file'>
		      <source path='$TB_DIR/$name.console.log'/>
		      <target port='0'/>
		    </serial>
		    <serial type='unix'>
		      <source mode='bind' path='$TB_DIR/$name.agent.sock'/>
		      <target port='1'/>
		    </serial>
		    $balloon
		    $memdev
		  </devices>
		</domain>
	EOF
	_tb_is_root && chown "$(_tb_user):" "$xml"
	_tb_virsh define "$xml" >/dev/null || return 1
	_tb_save_caps
	if [ "$start" = 1 ]; then
		rm -f "$TB_DIR/$name.agent.sock"
		_tb_virsh start "$name" >/dev/null || return 1
	fi
}

tb_guest() {
	local name=${1:-}
	_tb_check_name "$name" || return 1
	shift
	[ $# -gt 0 ] || { _tb_log "usage: tb_guest NAME CMD..."; return 1; }
	_tb_check_dir || return 1
	[ -x "$TB_DIR/img/agentc" ] || { _tb_log "tb_guest: no guest built in $TB_DIR"; return 1; }
	"$TB_DIR/img/agentc" -t "${TB_GUEST_TIMEOUT:-30}" -l "$TB_DIR/$name.agent.lock" \
		"$TB_DIR/$name.agent.sock" "$@"
}

tb_guest_meminfo() {
	local out
	[ $# -eq 2 ] || { _tb_log "usage: tb_guest_meminfo NAME FIELD"; return 1; }
	out=$(tb_guest "$1" meminfo) || return 1
	awk -v f="$2:" '$1 == f {print $2; found = 1; exit} END {exit !found}' <<<"$out"
}

# tb_wait_ready NAME [TIMEOUT_S]: the agent answers, balloon stats carry
# "usable", and the balloon has reached the configured boot size (or has not
# moved for 2 s, e.g. after a live resize).
tb_wait_ready() {
	local name=${1:-} t=${2:-60} state target actual last='' stable=0
	_tb_check_name "$name" || return 1
	_tb_check_dir || return 1
	local deadline=$((SECONDS + t))
	target=$(_tb_virsh dumpxml --inactive "$name" 2>/dev/null |
		sed -n "s|.*<currentMemory unit='KiB'>\([0-9]*\)</currentMemory>.*|\1|p")
	while :; do
		state=$(_tb_virsh domstate "$name" 2>/dev/null || true)
		if [ "$state" != running ]; then
			_tb_log "tb_wait_ready: $name is '${state:-undefined}'"
			tail -n 30 "$TB_DIR/$name.console.log" >&2 2>/dev/null
			return 1
		fi
		actual=$(_tb_virsh dommemstat "$name" 2>/dev/null |
			awk '$1 == "usable" {u = 1} $1 == "actual" {a = $2} END {if (u) print a}')
		if [ -n "$actual" ] && TB_GUEST_TIMEOUT=3 tb_guest "$name" ping >/dev/null 2>&1; then
			if [ "$actual" = "$target" ]; then
				return 0
			fi
			if [ "$actual" = "$last" ]; then
				stable=$((stable + 1))
				[ "$stable" -lt 4 ] || return 0
			else
				stable=0
				last=$actual
			fi
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			_tb_log "tb_wait_ready: $name not ready after ${t}s; console:"
			tail -n 30 "$TB_DIR/$name.console.log" >&2 2>/dev/null
			return 1
		fi
		sleep 0.5
	done
}

# tb_wait_for SECONDS CMD...: retry CMD every 0.5 s until it succeeds, or
# fail after SECONDS. CMD is run anew each time: pass a function, not a
# "$(...)" that the shell would expand only once.
tb_wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.5
	done
}
