#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# dmctl set: every setting written and read back, on shut-off and running
# VMs, and every bad input refused with the domain left byte-identical.

load helpers

setup() {
	define_off soff 1024 256
}

teardown() {
	undefine_vm soff
	undefine_vm soff2
	undefine_vm hot
	undefine_vm srun
	undefine_vm hup
}

@test "set then show round trip on a shut-off VM, every setting" {
	run dmctl set soff --enable --startup 300M --minimum 200M \
		--maximum 800M --buffer 35 --weight 70
	[ "$status" -eq 0 ]
	[[ "$output" == *"soff: dynamic, startup 300M, minimum 200M, maximum 800M, buffer 35%, weight 70 (config)"* ]]
	run dmctl show --json soff
	[ "$status" -eq 0 ]
	row=$(jq -c '.vms[0] | [.dynamic, .startup, .minimum, .maximum, .buffer, .weight, .state, .assigned, .status]' <<<"$output")
	[ "$row" = "[true,$((300 * MiB)),$((200 * MiB)),$((800 * MiB)),35,70,\"shut off\",null,\"none\"]" ]
}

@test "virsh dumpxml shows the documented XML, and boot sizes move" {
	dmctl set soff --enable --startup 300M --minimum 200M --maximum 800M \
		--buffer 35 --weight 70
	xml=$(vsh dumpxml soff)
	[[ "$xml" == *'<dm:dynamic-memory xmlns:dm="urn:dmctl:dynamic-memory:1" enabled="yes">'* ]]
	[[ "$xml" == *'<dm:startup unit="KiB">307200</dm:startup>'* ]]
	[[ "$xml" == *'<dm:minimum unit="KiB">204800</dm:minimum>'* ]]
	[[ "$xml" == *'<dm:maximum unit="KiB">819200</dm:maximum>'* ]]
	[[ "$xml" == *'<dm:buffer>35</dm:buffer>'* ]]
	[[ "$xml" == *'<dm:weight>70</dm:weight>'* ]]
	[[ "$xml" == *"<memory unit='KiB'>819200</memory>"* ]]
	[[ "$xml" == *"<currentMemory unit='KiB'>307200</currentMemory>"* ]]
}

@test "enable fills missing values from the domain" {
	run dmctl set soff --enable
	[ "$status" -eq 0 ]
	run dmctl show --json soff
	row=$(jq -c '.vms[0] | [.dynamic, .startup, .minimum, .maximum, .buffer, .weight]' <<<"$output")
	[ "$row" = "[true,$((256 * MiB)),$((256 * MiB)),$((1024 * MiB)),20,50]" ]
}

@test "a later set changes only what it names; --disable keeps the values" {
	dmctl set soff --enable --buffer 40
	dmctl set soff --weight 90
	[ "$(json_vm soff buffer)" = 40 ]
	[ "$(json_vm soff weight)" = 90 ]
	dmctl set soff --disable
	[ "$(json_vm soff dynamic)" = false ]
	[ "$(json_vm soff buffer)" = 40 ]
}

@test "sizes in every unit virsh accepts" {
	dmctl set soff --startup 268435456 --maximum 1GiB
	[ "$(json_vm soff startup)" = $((256 * MiB)) ]
	[ "$(json_vm soff maximum)" = $((1024 * MiB)) ]
	dmctl set soff --minimum 131072K
	[ "$(json_vm soff minimum)" = $((128 * MiB)) ]
	dmctl set soff --minimum 200MB
	# 200 MB is 195312.5 KiB: rounded up to whole KiB, as libvirt does.
	[ "$(json_vm soff minimum)" = $((195313 * 1024)) ]
}

@test "a value written with virsh metadata is read back" {
	vsh metadata soff urn:dmctl:dynamic-memory:1 --key dm --config --set \
		'<dynamic-memory enabled="yes"><startup unit="MiB">256</startup><minimum unit="MiB">192</minimum><maximum unit="GiB">1</maximum><buffer>55</buffer><weight>11</weight></dynamic-memory>'
	run dmctl show --json soff
	[ "$status" -eq 0 ]
	row=$(jq -c '.vms[0] | [.dynamic, .minimum, .maximum, .buffer, .weight]' <<<"$output")
	[ "$row" = "[true,$((192 * MiB)),$((1024 * MiB)),55,11]" ]
}

@test "set then show round trip on a running VM, every setting" {
	run dmctl set gset --enable --startup 300M --minimum 200M \
		--maximum 900M --buffer 35 --weight 70
	[ "$status" -eq 0 ]
	[[ "$output" == *"gset: dynamic, startup 300M, minimum 200M, maximum 900M, buffer 35%, weight 70 (live and config)"* ]]
	run dmctl show --json gset
	row=$(jq -c '.vms[0] | [.dynamic, .startup, .minimum, .maximum, .buffer, .weight, .state, .assigned]' <<<"$output")
	[ "$row" = "[true,$((300 * MiB)),$((200 * MiB)),$((900 * MiB)),35,70,\"running\",$((256 * MiB))]" ]
	dmctl set gset --disable
	[ "$(json_vm gset dynamic)" = false ]
	[ "$(json_vm gset status)" = none ]
	# Put it back for the other tests.
	dmctl set gset --enable --startup 256M --minimum 256M --maximum 1G \
		--buffer 20 --weight 50
}

@test "running VM: buffer and weight live and config at once" {
	run dmctl set gset --enable --buffer 45 --weight 66
	[ "$status" -eq 0 ]
	[[ "$output" == *"(live and config)"* ]]
	[[ "$output" != *"next boot"* ]]
	live=$(vsh metadata gset urn:dmctl:dynamic-memory:1 --live)
	conf=$(vsh metadata gset urn:dmctl:dynamic-memory:1 --config)
	[[ "$live" == *"<buffer>45</buffer>"* && "$live" == *"<weight>66</weight>"* ]]
	[[ "$conf" == *"<buffer>45</buffer>"* && "$conf" == *"<weight>66</weight>"* ]]
	[ "$(json_vm gset buffer)" = 45 ]
	[ "$(json_vm gset weight)" = 66 ]
}

@test "after set --enable --live, a set of both copies reports each copy as it is" {
	vsh metadata gset urn:dmctl:dynamic-memory:1 --live --remove >/dev/null 2>&1 || true
	vsh metadata gset urn:dmctl:dynamic-memory:1 --config --remove >/dev/null 2>&1 || true
	dmctl set gset --enable --live >/dev/null
	run dmctl set gset --weight 10
	echo "$output"
	[ "$status" -eq 0 ]
	# Not "(live and config)": the config copy is not enabled.
	[[ "$output" == *"gset: dynamic, "*"weight 10 (live)"* ]]
	[[ "$output" == *"gset: static, "*"weight 10 (config)"* ]]
	[[ "$output" != *"live and config"* ]]
	dmctl set gset --enable >/dev/null
}

@test "running VM: startup and maximum wait for the next boot, and say so" {
	before=$(vsh dumpxml gset | grep -E '<(memory|currentMemory) ')
	run dmctl set gset --startup 320M --maximum 900M
	[ "$status" -eq 0 ]
	[[ "$output" == *"gset: startup and maximum take effect at the next boot"* ]]
	# The running guest keeps its sizes; the next boot gets the new ones.
	[ "$(vsh dumpxml gset | grep -E '<(memory|currentMemory) ')" = "$before" ]
	inactive=$(vsh dumpxml --inactive gset)
	[[ "$inactive" == *"<memory unit='KiB'>921600</memory>"* ]]
	[[ "$inactive" == *"<currentMemory unit='KiB'>327680</currentMemory>"* ]]
	# Put it back for the other tests.
	dmctl set gset --startup 256M --maximum 1G
}

@test "--live, --config and --current choose the copy" {
	dmctl set gset --enable --buffer 20
	dmctl set gset --live --buffer 30
	[[ "$(vsh metadata gset urn:dmctl:dynamic-memory:1 --live)" == *"<buffer>30<"* ]]
	[[ "$(vsh metadata gset urn:dmctl:dynamic-memory:1 --config)" == *"<buffer>20<"* ]]
	dmctl set gset --config --buffer 40
	[[ "$(vsh metadata gset urn:dmctl:dynamic-memory:1 --live)" == *"<buffer>30<"* ]]
	[[ "$(vsh metadata gset urn:dmctl:dynamic-memory:1 --config)" == *"<buffer>40<"* ]]
	dmctl set gset --current --buffer 50
	[[ "$(vsh metadata gset urn:dmctl:dynamic-memory:1 --live)" == *"<buffer>50<"* ]]
	[[ "$(vsh metadata gset urn:dmctl:dynamic-memory:1 --config)" == *"<buffer>40<"* ]]
	dmctl set soff --current --buffer 60
	[[ "$(vsh metadata soff urn:dmctl:dynamic-memory:1 --config)" == *"<buffer>60<"* ]]
	run dmctl set soff --live --buffer 70
	[ "$status" -eq 1 ]
	[[ "$output" == *"VM 'soff': not running"* ]]
}

@test "several VMs in one call" {
	define_off soff2 1024 512
	run dmctl set soff soff2 --enable --weight 10
	[ "$status" -eq 0 ]
	[ "$(json_vm soff weight)" = 10 ]
	[ "$(json_vm soff2 weight)" = 10 ]
	[ "$(json_vm soff2 startup)" = $((512 * MiB)) ]
}

# refused EXPECTED_STATUS MESSAGE_PART ARGS...: dmctl set ARGS fails with
# that status and message, and neither VM's XML changes by a byte.
refused() {
	local want=$1 msg=$2
	shift 2
	local before_a before_b
	before_a=$(both_xml soff)
	before_b=$(both_xml gset)
	run dmctl set "$@"
	echo "dmctl set $*: status $status: $output"
	[ "$status" -eq "$want" ]
	[[ "$output" == *"$msg"* ]]
	[ "$(both_xml soff)" = "$before_a" ]
	[ "$(both_xml gset)" = "$before_b" ]
}

@test "concurrent sets lose no change, and undo nobody else's" {
	dmctl set soff --enable >/dev/null
	# Before: in 6 of 20 pairs both exited 0 and one change was lost.
	for i in $(seq 1 20); do
		"$DMCTL" set soff --weight $((i + 10)) >/dev/null &
		a=$!
		"$DMCTL" set soff --buffer $((i + 5)) >/dev/null &
		b=$!
		wait "$a"
		wait "$b"
		got=$(dmctl show --json soff | jq -c '.vms[0] | [.weight, .buffer]')
		[ "$got" = "[$((i + 10)),$((i + 5))]" ] || { echo "pair $i: $got"; false; }
	done
	# virsh writes the rest of the definition meanwhile: a set never
	# writes back an older copy of it.
	for i in $(seq 1 10); do
		"$DMCTL" set soff --weight $((i + 40)) >/dev/null &
		a=$!
		vsh desc --config soff "note $i" >/dev/null
		wait "$a"
		[ "$(vsh desc --config soff)" = "note $i" ] || { echo "desc $i reverted: $(vsh desc --config soff)"; false; }
		[ "$(json_vm soff weight)" -eq $((i + 40)) ]
	done
}

@test "settings that contradict the domain's <memory> are invalid, and set does not write them back" {
	# soff has <memory> 1 GiB; settings written by hand ask for more.
	vsh metadata soff urn:dmctl:dynamic-memory:1 --config --key dm --set \
		'<dynamic-memory enabled="yes"><startup unit="GiB">2</startup><minimum unit="GiB">2</minimum><maximum unit="GiB">4</maximum><buffer>20</buffer><weight>50</weight></dynamic-memory>'
	# Before: show said OK... and set --weight rewrote them.
	run --separate-stderr dmctl show --json soff
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"VM 'soff': invalid settings: field 'startup': 2.0G is more than the VM's <memory> 1.0G"* ]]
	[ "$(jq -r '.vms[0].status' <<<"$output")" = invalid ]
	before=$(both_xml soff)
	run --separate-stderr dmctl set soff --weight 10
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"VM 'soff': "*"field 'startup'"* ]]
	[ "$(both_xml soff)" = "$before" ]
	# A set that rewrites the memory to fit is the way out.
	run dmctl set soff --maximum 4G
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(json_vm soff status)" = none ]
	[ "$(json_vm soff minimum)" -eq $((2048 * MiB)) ]
	# A disabled VM's settings are inert: no error.
	vsh metadata soff urn:dmctl:dynamic-memory:1 --config --key dm --set \
		'<dynamic-memory enabled="no"><startup unit="GiB">8</startup><minimum unit="GiB">8</minimum><maximum unit="GiB">8</maximum><buffer>20</buffer><weight>50</weight></dynamic-memory>'
	run dmctl show soff
	[ "$status" -eq 0 ]
}

@test "every invalid input is refused and changes nothing" {
	dmctl set soff gset --enable
	refused 2 "--buffer: '4' is out of range (5 to 2000)" soff --buffer 4
	refused 2 "--buffer: '2001' is out of range" soff --buffer 2001
	refused 2 "--buffer: 'abc' is not a whole number" soff --buffer abc
	refused 2 "--buffer: '20%' is not a whole number" soff --buffer 20%
	refused 2 "--weight: '101' is out of range (0 to 100)" soff --weight 101
	refused 2 "--weight: '-1' is out of range" soff --weight -1
	refused 2 "--startup: '0' must be greater than zero" soff --startup 0
	refused 2 "--startup: '-1G' must not be negative" soff --startup -1G
	refused 2 "--startup: '12Q' is not a size" soff --startup 12Q
	refused 2 "--startup: '1.5G' is not a size" soff --startup 1.5G
	refused 2 "--maximum: '512Mx' is not a size" soff --maximum 512Mx
	refused 2 "--minimum: '99999999999999999999' is too large" soff --minimum 99999999999999999999
	refused 2 "--maximum: '20000000T' is too large" soff --maximum 20000000T
	refused 2 "--startup: '1024' is below the 32 MiB floor (a number without a unit is bytes)" soff --startup 1024
	refused 2 "--minimum: '16M' is below the 32 MiB floor" soff --minimum 16M
	refused 2 "--enable and --disable conflict" soff --enable --disable
	refused 2 "--current conflicts" soff --current --live --buffer 30
	refused 2 "cannot be changed with --live" gset --live --startup 300M
	refused 2 "nothing to set" soff
	refused 2 "no VM named" --buffer 30
	refused 2 "unknown option '--bufer'" soff --bufer 30
	refused 2 "option '--buffer' needs an argument" soff --buffer
	refused 1 "VM 'soff': field 'minimum': 512M is above startup 256M" soff --minimum 512M
	refused 1 "VM 'soff': field 'startup': 2.0G is above maximum 1.0G" soff --startup 2G
	refused 1 "VM 'soff': field 'maximum'" soff --maximum 100000G
	refused 1 "is above the host's memory" soff --maximum 100000G --startup 300M
	# The field given is named, not the maximum filled in from it.
	refused 1 "VM 'soff': field 'startup': 15728640.0T is above the host's memory" soff --startup 15E
	refused 1 "VM 'nosuch': no such VM" soff nosuch --buffer 30
	# One bad VM among good ones: none is changed.
	refused 1 "VM 'soff': field 'minimum'" gset soff --minimum 300M
	refused 1 "no VM was changed" gset soff --minimum 300M
}

@test "malformed settings are reported, never repaired" {
	vsh metadata soff urn:dmctl:dynamic-memory:1 --key dm --config --set \
		'<dynamic-memory enabled="yes"><buffer>lots</buffer></dynamic-memory>'
	before=$(both_xml soff)
	run dmctl show soff
	[ "$status" -eq 1 ]
	[[ "$output" == *"VM 'soff': invalid settings: field 'buffer': 'lots' is not a whole number"* ]]
	[[ "$output" == *"soff"*"invalid"* ]]
	run dmctl set soff --weight 10
	[ "$status" -eq 1 ]
	[[ "$output" == *"VM 'soff': invalid settings in its persistent metadata: field 'buffer'"* ]]
	[ "$(both_xml soff)" = "$before" ]
	run dmctl set soff --buffer 30 --weight 10 --enable
	[ "$status" -eq 1 ]
	[ "$(both_xml soff)" = "$before" ]
}

@test "errors are printed once, by dmctl, naming the VM" {
	run --separate-stderr dmctl set nosuch --buffer 30
	[ "$status" -eq 1 ]
	[ "$stderr" = "dmctl: VM 'nosuch': no such VM" ]
	[ -z "$output" ]
}

# Hot-add (virtio-mem): the layout --hot-add writes, boots, resizes and
# takes back, and every domain it cannot work in refused untouched.

# inactive VM: the persistent definition, one line.
inactive() {
	vsh dumpxml --inactive "$1" | tr -s ' \n' ' '
}

# memory_lines VM: a running VM's memory layout (not <currentMemory>,
# which follows its balloon).
memory_lines() {
	vsh dumpxml "$1" | grep -E "<(memory|maxMemory)[ >]|<cell |virtio-mem|<size "
}

# same_layout VM BEFORE: memory_lines VM is still BEFORE; else the diff.
same_layout() {
	local now
	now=$(memory_lines "$1")
	[ "$now" = "$2" ] || {
		diff <(echo "$2") <(echo "$now")
		return 1
	}
}

# hot_refused VM MESSAGE_PART ARGS...: dmctl set ARGS fails with status 1
# and that message, and VM's XML does not change by a byte.
hot_refused() {
	local vm=$1 msg=$2 before
	shift 2
	before=$(both_xml "$vm")
	run dmctl set "$@"
	echo "dmctl set $*: status $status: $output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"VM '$vm': "*"$msg"* ]]
	[ "$(both_xml "$vm")" = "$before" ]
}

# redefine VM SED_SCRIPT: the persistent definition, edited and defined.
redefine() {
	vsh dumpxml --inactive "$1" | sed -e "$2" >"$BATS_TEST_TMPDIR/$1.xml"
	vsh define "$BATS_TEST_TMPDIR/$1.xml" >/dev/null
}

@test "--hot-add on a shut-off VM writes the virtio-mem layout and the settings" {
	define_off hot 4096 256
	run dmctl set hot --hot-add
	[ "$status" -eq 0 ]
	[[ "$output" == "hot: static, startup 256M, minimum 256M, maximum 4.0G, buffer 20%, weight 50 (config), grows by hot-add" ]]
	xml=$(inactive hot)
	[[ "$xml" == *"<maxMemory slots='1' unit='KiB'>4194304</maxMemory>"* ]]
	[[ "$xml" == *"<currentMemory unit='KiB'>262144</currentMemory>"* ]]
	# libvirt counts the device in <memory>: boot memory + its size.
	[[ "$xml" == *"<memory unit='KiB'>4194304</memory>"* ]]
	[[ "$xml" == *"<numa> <cell id='0' cpus='0' memory='262144' unit='KiB'/> </numa>"* ]]
	[[ "$xml" == *"<memory model='virtio-mem'> <target> <size unit='KiB'>3932160</size> <node>0</node> <block unit='KiB'>2048</block> <requested unit='KiB'>0</requested> </target>"* ]]
	[[ "$xml" == *'<dm:startup unit="KiB">262144</dm:startup>'* ]]
	[[ "$xml" == *'<dm:maximum unit="KiB">4194304</dm:maximum>'* ]]
	[ "$(json_vm hot startup)" = $((256 * MiB)) ]
	[ "$(json_vm hot maximum)" = $((4096 * MiB)) ]
}

@test "a 4 GiB VM converted to hot-add boots with its 256 MiB startup" {
	# As a balloon VM this guest panics at boot (see dynamic-memory.md).
	define_off hot 4096 256
	dmctl set hot --enable --hot-add
	rm -f "$TB_DIR/hot.agent.sock"
	vsh start hot
	tb_wait_ready hot 120
	total=$(tb_guest_meminfo hot MemTotal)
	echo "guest MemTotal: $total KiB"
	[ "$total" -lt $((300 * 1024)) ]
	[ "$(vsh dumpxml hot | grep -c "model='virtio-mem'")" -eq 1 ]
}

@test "--maximum and --startup on a hot-add VM resize it the hot-add way" {
	tb_define_vm hot --memory 256 --current 256 --hotadd 768
	run dmctl set hot --maximum 2G
	[ "$status" -eq 0 ]
	[[ "$output" == *"maximum 2.0G"*"grows by hot-add" ]]
	xml=$(inactive hot)
	[[ "$xml" == *"<size unit='KiB'>1835008</size>"* ]]
	[[ "$xml" == *"<memory unit='KiB'>2097152</memory>"* ]]
	[[ "$xml" == *"memory='262144' unit='KiB'/>"* ]]
	dmctl set hot --startup 512M
	xml=$(inactive hot)
	[[ "$xml" == *"<currentMemory unit='KiB'>524288</currentMemory>"* ]]
	[[ "$xml" == *"<cell id='0' cpus='0' memory='524288' unit='KiB'/>"* ]]
	[[ "$xml" == *"<size unit='KiB'>1572864</size>"* ]]
	[[ "$xml" == *"<memory unit='KiB'>2097152</memory>"* ]]
	[ "$(grep -o "model='virtio-mem'" <<<"$xml" | wc -l)" -eq 1 ]
	# --hot-add again changes nothing.
	before=$(both_xml hot)
	dmctl set hot --hot-add
	[ "$(both_xml hot)" = "$before" ]
}

@test "--no-hot-add makes a hot-add VM a balloon VM again" {
	tb_define_vm hot --memory 256 --current 256 --hotadd 768
	run dmctl set hot --no-hot-add
	[ "$status" -eq 0 ]
	[[ "$output" == *"startup 256M, minimum 256M, maximum 1.0G"*"(config), grows by balloon" ]]
	xml=$(inactive hot)
	[[ "$xml" != *virtio-mem* ]]
	[[ "$xml" != *maxMemory* ]]
	[[ "$xml" == *"<memory unit='KiB'>1048576</memory>"* ]]
	[[ "$xml" == *"<currentMemory unit='KiB'>262144</currentMemory>"* ]]
	# The cell stays, holding all of the boot memory.
	[[ "$xml" == *"<cell id='0' cpus='0' memory='1048576' unit='KiB'/>"* ]]
}

@test "running VM: --hot-add waits for the next boot, and says so" {
	tb_define_vm srun --memory 1024 --current 256 --start
	tb_wait_ready srun 120
	before=$(memory_lines srun)
	run dmctl set srun --enable --hot-add
	[ "$status" -eq 0 ]
	[[ "$output" == *"srun: dynamic, startup 256M, minimum 256M, maximum 1.0G, buffer 20%, weight 50 (live and config), grows by balloon, by hot-add from the next boot"* ]]
	[[ "$output" == *"srun: startup, maximum and hot-add take effect at the next boot"* ]]
	same_layout srun "$before"
	[[ "$(inactive srun)" == *"model='virtio-mem'"* ]]
	run dmctl set srun --no-hot-add --config
	[ "$status" -eq 0 ]
	[[ "$output" == *"(config), grows by balloon"* ]]
	same_layout srun "$before"
	[[ "$(inactive srun)" != *virtio-mem* ]]
}

@test "set --enable on a running hot-add VM takes its boot memory, not what is plugged" {
	tb_define_vm hup --memory 256 --current 256 --hotadd 512 --start
	tb_wait_ready hup 120
	vsh update-memory-device hup --requested-size 128MiB --live
	plugged() { vsh dumpxml hup | grep -q "<current unit='KiB'>131072</current>"; }
	tb_wait_for 60 plugged
	run dmctl set hup --enable
	[ "$status" -eq 0 ]
	[[ "$output" == *"hup: dynamic, startup 256M, minimum 256M, maximum 768M"*"(live and config), grows by hot-add"* ]]
	[[ "$output" != *"next boot"* ]]
	[[ "$(vsh metadata hup urn:dmctl:dynamic-memory:1 --live)" == *'<startup unit="KiB">262144</startup>'* ]]
	[[ "$(vsh metadata hup urn:dmctl:dynamic-memory:1 --config)" == *'<startup unit="KiB">262144</startup>'* ]]
}

@test "domains virtio-mem cannot work in are refused and left as they were" {
	# A DIMM (libvirt wants <maxMemory> and a NUMA cell with it).
	define_off soff2 1024 256
	redefine soff2 "s|<memory unit='KiB'>1048576</memory>|<maxMemory slots='2' unit='KiB'>4194304</maxMemory>&|; s|</vcpu>|&<cpu><numa><cell id='0' cpus='0' memory='1048576' unit='KiB'/></numa></cpu>|; s|</devices>|<memory model='dimm'><target><size unit='MiB'>128</size><node>0</node></target></memory>&|"
	[[ "$(inactive soff2)" == *"model='dimm'"* ]]
	hot_refused soff2 "cannot hot-add: it uses dimm memory devices, which virtio-mem cannot share" soff2 --hot-add
	# One refused VM among good ones: none is changed.
	before=$(both_xml soff)
	hot_refused soff2 "cannot hot-add" soff soff2 --hot-add
	[[ "$output" == *"no VM was changed"* ]]
	[ "$(both_xml soff)" = "$before" ]
	undefine_vm soff2

	define_off soff2 1024 256
	redefine soff2 "s|</vcpu>|&<memoryBacking><locked/></memoryBacking>|"
	[[ "$(inactive soff2)" == *"<locked/>"* ]]
	hot_refused soff2 "cannot hot-add: its memory is locked" soff2 --hot-add
	undefine_vm soff2

	hot_refused soff "cannot hot-add: maximum equals startup (1.0G)" soff --hot-add --startup 1G
	hot_refused soff "maximum - startup (769 MiB) is not a whole number of 2 MiB blocks" soff --hot-add --maximum 1025M
	hot_refused soff "startup (262148 KiB) is not a whole number of 1 MiB" soff --hot-add --startup 262148K --maximum 1048580K
	# A hot-add VM cannot have maximum = startup either.
	dmctl set soff --hot-add
	hot_refused soff "nothing to hot-add" soff --maximum 256M

	# Encrypted memory: libvirt 9.0 refuses to define SEV without a
	# host that has it, so this runs only where it can.
	define_off soff2 1024 256
	redefine soff2 "s|</devices>|&<launchSecurity type='sev'><cbitpos>47</cbitpos><reducedPhysBits>1</reducedPhysBits><policy>0x0003</policy></launchSecurity>|" 2>/dev/null ||
		skip "libvirt here cannot define <launchSecurity type='sev'> (unit tested in test_domdef)"
	hot_refused soff2 "cannot hot-add: its memory is encrypted" soff2 --hot-add
}

@test "--hot-add and --no-hot-add: usage errors" {
	refused 2 "--hot-add and --no-hot-add conflict" soff --hot-add --no-hot-add
	refused 2 "--hot-add and --no-hot-add are boot settings and cannot be changed with --live alone" gset --hot-add --live
	refused 2 "cannot be changed with --live alone" gset --no-hot-add --live
	# --current on a running VM means its live settings only.
	refused 1 "VM 'gset': startup, maximum and hot-add are boot settings" gset --hot-add --current
}
