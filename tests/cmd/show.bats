#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# dmctl show: real demand from a real guest, status, JSON and the host.

load helpers

setup_file() {
	source "$BATS_TEST_DIRNAME/helpers.bash"
	"$DMCTL" set gshow --enable --buffer 20 >/dev/null
	tb_guest gshow release >/dev/null
	# The tests read gshow at its boot size: put it back there, whatever
	# an earlier file's balancer left it at.
	vsh setmem gshow 256M --live
	vsh metadata gshow urn:dmctl:balancer-state:1 --live --remove \
		>/dev/null 2>&1 || true
	at_boot_size() { [ "$(json_vm gshow assigned)" -eq $((256 * MiB)) ]; }
	tb_wait_for 30 at_boot_size
}

teardown() {
	tb_guest gshow release >/dev/null || true
	undefine_vm nostats
}

# status_is STATUS: gshow's status is STATUS now.
status_is() {
	[ "$(json_vm gshow status)" = "$1" ]
}

# demand_mib: gshow's demand in MiB (empty if unknown).
demand_mib() {
	json_vm gshow demand | awk '$1 != "null" {printf "%d\n", $1 / 1048576}'
}

# Wait until the demand shown has settled (two reads 1 s apart within
# 2 MiB) and print it.
settled_demand() {
	local a b
	for _ in $(seq 1 20); do
		a=$(demand_mib)
		sleep 1
		b=$(demand_mib)
		if [ -n "$a" ] && [ -n "$b" ] && [ $((a - b)) -le 2 ] && [ $((b - a)) -le 2 ]; then
			echo "$b"
			return 0
		fi
	done
	return 1
}

@test "holding 60 MiB in the guest raises demand by about 60 MiB" {
	base=$(settled_demand)
	echo "demand before: $base MiB"
	tb_guest gshow hold 60
	up() {
		now=$(demand_mib)
		[ -n "$now" ] && [ $((now - base)) -ge 50 ]
	}
	tb_wait_for 10 up
	now=$(settled_demand)
	echo "demand after: $now MiB"
	[ $((now - base)) -ge 50 ]
	[ $((now - base)) -le 70 ]
	tb_guest gshow release
	down() {
		now=$(demand_mib)
		[ -n "$now" ] && [ $((now - base)) -le 10 ]
	}
	tb_wait_for 10 down
}

@test "demand is actual - usable, not MemTotal - MemAvailable" {
	total=$(tb_guest_meminfo gshow MemTotal)
	avail=$(tb_guest_meminfo gshow MemAvailable)
	d=$(json_vm gshow demand)
	assigned=$(json_vm gshow assigned)
	naive=$(((total - avail) * 1024))
	echo "demand $d, naive $naive, assigned $assigned, MemTotal $total KiB"
	# The guest kernel keeps tens of MiB out of MemTotal; demand counts it.
	[ $((d - naive)) -ge $((20 * MiB)) ]
	[ "$assigned" -eq $((256 * MiB)) ]
}

@test "status follows demand and buffer" {
	# 256 MiB assigned; with a 20 % buffer the idle guest is OK.
	tb_wait_for 10 status_is OK
	d=$(settled_demand)
	# A buffer that cannot fit beside the idle demand: Low.
	dmctl set gshow --buffer $(((256 * 100 / d) - 100 + 20))
	[ "$(json_vm gshow status)" = Low ]
	dmctl set gshow --buffer 20
	[ "$(json_vm gshow status)" = OK ]
	# Hold memory until demand x 1.2 passes the 256 MiB assigned while
	# demand stays below it: Low, and the JSON numbers agree with the rule.
	tb_guest gshow hold $((256 * 100 / 120 - d + 12))
	tb_wait_for 10 status_is Low
	run dmctl show --json gshow
	jq -e '.vms[0] | .demand <= .assigned and .demand * 1.2 > .assigned and .pressure == ((.demand * 100 / .assigned) | round)' <<<"$output"
}

@test "JSON carries every documented key, with null where unknown" {
	run dmctl show --json
	[ "$status" -eq 0 ]
	jq -e '.host | keys == (["assigned","dynamic_vms","free","last_change","overcommitted","overhead","pool","reserve","static","static_vms","total"])' <<<"$output"
	jq -e '.vms | length >= 2' <<<"$output"
	jq -e '.vms[] | keys == (["assigned","buffer","buffer_wanted","demand","dynamic","grows","loan","maximum","minimum","name","plugged","pressure","settling","startup","state","status","uuid","weight"])' <<<"$output"
	jq -e 'all(.vms[]; .settling | type == "boolean")' <<<"$output"
	# Balloon VMs grow by balloon and have nothing plugged.
	jq -e '[.vms[] | select(.name == "gshow" or .name == "gset")] | length == 2 and all(.grows == "balloon" and .plugged == null)' <<<"$output"
	jq -e '.host.pool == .host.total - .host.reserve - .host.static - .host.overhead' <<<"$output"
	jq -e '.host.free == .host.pool - .host.assigned' <<<"$output"
	jq -e '.host.overcommitted == (if .host.free < 0 then -.host.free else 0 end)' <<<"$output"
	jq -e '.host.assigned == ([.vms[] | select(.dynamic and .state == "running") | .assigned] | add)' <<<"$output"
	# The host total is the daemon's MemTotal (all NUMA cells), not made up.
	total_kib=$(vsh nodememstats | awk '$1 == "total" {print $3}')
	jq -e --argjson t "$((total_kib * 1024))" '.host.total == $t' <<<"$output"
}

@test "a guest without balloon stats: demand null, status unknown" {
	tb_define_vm nostats --memory 512 --current 256 --no-stats --start
	dmctl set nostats --enable
	run dmctl show --json nostats
	[ "$status" -eq 0 ]
	jq -e '.vms[0] | .demand == null and .pressure == null and .status == "unknown" and .assigned > 0' <<<"$output"
}

@test "a static VM: status none, no settings" {
	vsh metadata gshow urn:dmctl:dynamic-memory:1 --live --remove
	vsh metadata gshow urn:dmctl:dynamic-memory:1 --config --remove
	run dmctl show --json gshow
	jq -e '.vms[0] | .dynamic == false and .status == "none" and .buffer == null and .demand != null' <<<"$output"
	dmctl set gshow --enable --buffer 20
}

@test "the text table: host line, header, one row per VM" {
	run dmctl show
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Host: total "*", reserve "*", pool "*", free "* ]]
	[[ "${lines[1]}" =~ ^NAME\ +STATE\ +MODE\ +GROWS\ +STARTUP\ +MIN\ +MAX\ +BUFFER\ +WEIGHT\ +ASSIGNED\ +PLUGGED\ +LOAN\ +DEMAND\ +PRESSURE\ +STATUS$ ]]
	[[ "$output" =~ gshow\ +running\ +dynamic\ +balloon\ +256M\ +256M\ +1\.0G\ +20%\ +50\ +256M\ +-\ +-\ +[0-9]+M\ +[0-9]+%\ +(OK|Low)$'\n' || "$output" =~ gshow\ +running\ +dynamic\ +balloon\ +256M\ +256M\ +1\.0G\ +20%\ +50\ +256M\ +-\ +-\ +[0-9]+M\ +[0-9]+%\ +(OK|Low)$ ]]
	n=$(vsh list --all --name | grep -c .)
	[ "${#lines[@]}" -eq $((n + 2)) ]
}

@test "naming VMs shows only those; a missing one fails the call" {
	run dmctl show --json gshow
	jq -e '[.vms[].name] == ["gshow"]' <<<"$output"
	run --separate-stderr dmctl show gshow nosuch
	[ "$status" -eq 1 ]
	[ "$stderr" = "dmctl: VM 'nosuch': no such VM" ]
	[[ "$output" == *gshow* ]]
}

@test "show uses a read-only connection, set a read-write one" {
	# libvirt's own debug log names the open call.
	opens() {
		LIBVIRT_LOG_FILTERS=1:libvirt LIBVIRT_LOG_OUTPUTS=1:stderr \
			"$DMCTL" "$@" 2>&1 >/dev/null | grep -oE 'virConnectOpen(ReadOnly)?:' | sort -u
	}
	[ "$(opens show)" = "virConnectOpenReadOnly:" ]
	[ "$(opens show --json gshow)" = "virConnectOpenReadOnly:" ]
	[ "$(opens set gshow --weight 50)" = "virConnectOpen:" ]
}
