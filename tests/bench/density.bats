# SPDX-License-Identifier: GPL-2.0-or-later
# density.bats - the trace-driven density benchmark (bench/density/): its
# table and gain lines, reproducible traces, CSV round trip and errors, and
# a static fit checked by hand from the traces.

bats_require_minimum_version 1.5.0

# make passes the build it made (build/out, or build/san with SANITIZE=1).
: "${DENSITY:=$BATS_TEST_DIRNAME/../../build/out/bench/density}"

setup() {
	[ -x "$DENSITY" ] || skip "build $DENSITY first (make bench-smoke)"
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

@test "--smoke prints every policy at the tolerance and at zero unmet, the ceiling and the gain lines" {
	run "$DENSITY" --smoke
	echo "$output"
	[ "$status" -eq 0 ]
	row='+[0-9]+ +[0-9.]+ +[0-9]+ +[0-9.]+ +[0-9]+$'
	for p in static-max static-peak mom proxmox ours; do
		[ "$(grep -Ec "^$p $row" <<<"$output")" -ge 2 ]
	done
	for p in static-max static-peak mom proxmox; do
		grep -Eq "^density gain vs $p: -?[0-9]+%$" <<<"$output"
		grep -Eq "^zero-unmet gain vs $p: -?[0-9]+%$" <<<"$output"
	done
	grep -Eq '^ours of ceiling: [0-9]+%$' <<<"$output"
	grep -Eq '^zero-unmet ours of ceiling: [0-9]+%$' <<<"$output"
	grep -Eq '^balloon changes per VM-day at the limit: ours [0-9]+, mom [0-9]+, proxmox [0-9]+$' <<<"$output"
	grep -Eq '^memory moved per VM-day at the limit: ours [0-9.]+ GiB, mom [0-9.]+ GiB, proxmox [0-9.]+ GiB$' <<<"$output"
	# Fits at the tolerance are short at most 86.4 s a VM-day; at zero
	# unmet, not a second.
	sed -n '/^at the tolerance/,/^at zero/p' <<<"$output" |
		awk 'NF == 6 && $2 ~ /^[0-9]+$/ && $3 > 86.4 { exit 1 }'
	sed -n '/^at zero/,/^ceiling/p' <<<"$output" |
		awk 'NF == 6 && $2 ~ /^[0-9]+$/ && $3 != 0 { exit 1 }'
	# No policy passes the ceiling, at zero unmet.
	c=$(sed -n 's/^ceiling: \([0-9]*\) VMs.*/\1/p' <<<"$output")
	sed -n '/^at zero/,/^ceiling/p' <<<"$output" |
		awk -v c="$c" 'NF == 6 && $2 ~ /^[0-9]+$/ && $2 > c { exit 1 }'
	# At equal load: the three balancers, each with the same VMs.
	eq=$(sed -n 's/^at equal load, \([0-9]*\) VMs.*/\1/p' <<<"$output")
	[ "$(sed '1,/^at equal load/d' <<<"$output" | awk '{ print $1, $2 }' | tr '\n' ' ')" = "mom $eq proxmox $eq ours $eq " ]
}

@test "the search misses no fit near the edge: no count up to 8 past it fits" {
	run "$DENSITY" --smoke --policy ours
	echo "$output"
	best=$(sed -n '/^at the tolerance/,/^at zero/p' <<<"$output" | awk '$1 == "ours" { print $2 }')
	for n in $(seq $((best + 1)) $((best + 8))); do
		run "$DENSITY" --smoke --policy ours --vms "$n"
		row=$(awk '$1 == "ours" { print $2, $3 }' <<<"$output")
		echo "$n VMs: started, short s a VM-day: $row"
		# Either it does not start, or it runs short past the limit.
		awk -v n="${row% *}" -v s="${row#* }" 'BEGIN { exit !(n == 0 || s > 86.4) }'
	done
}

@test "--traces classic is the generator the earlier figures came from; hard is another set" {
	"$DENSITY" --vms 30 --hours 2 --dump-csv "$tmp/c.csv"
	# Recorded before the hard shapes were added.
	[ "$(md5sum <"$tmp/c.csv" | cut -d' ' -f1)" = 10662b2be14dc435b24a9b8e53f470bf ]
	"$DENSITY" --vms 30 --hours 2 --traces classic --dump-csv "$tmp/c2.csv"
	cmp "$tmp/c.csv" "$tmp/c2.csv"
	"$DENSITY" --vms 40 --hours 24 --traces hard --dump-csv "$tmp/h.csv"
	for sh in ci vdi leak jvm; do grep -q "^vm[0-9]*-$sh," "$tmp/h.csv"; done
	# A CI runner's builds ramp at 0.8-1.5 GiB/s (plus noise).
	awk -F, '$1 ~ /-ci$/ { if ($1 == v && $3 - last > up[$1]) up[$1] = $3 - last;
		v = $1; last = $3 } END { for (k in up) { n++;
		if (up[k] < 700 || up[k] > 1700) exit 1 } exit !n }' "$tmp/h.csv"
	# Desktops log in within the same quarter of an hour.
	awk -F, '$1 ~ /-vdi$/ && !($1 in on) && $3 > 0.3 * $4 { on[$1] = $2 }
		END { for (k in on) { n++; if (lo == "" || on[k] < lo) lo = on[k];
		if (on[k] > hi) hi = on[k] } exit !(n && hi - lo <= 1200) }' "$tmp/h.csv"
	awk -F, 'NR > 1 && ($3 < 64 || $3 > 0.95 * $4) { exit 1 }' "$tmp/h.csv"
	run "$DENSITY" --traces busy
	[ "$status" -eq 2 ]
}

@test "--latency: ours seeing demand later runs short more on fast ramps" {
	run "$DENSITY" --host 64G --hours 6 --traces hard --policy ours --vms 10 --latency 0
	early=$(awk '$1 == "ours" { print $4 }' <<<"$output")
	run "$DENSITY" --host 64G --hours 6 --traces hard --policy ours --vms 10 --latency 8
	late=$(awk '$1 == "ours" { print $4 }' <<<"$output")
	echo "MiB*s short a VM-day: latency 0 s $early, 8 s $late"
	awk -v e="$early" -v l="$late" 'BEGIN { exit !(l > e) }'
}

@test "the same seed gives the same traces and table; another seed does not" {
	"$DENSITY" --smoke --vms 6 --dump-csv "$tmp/a.csv"
	"$DENSITY" --smoke --vms 6 --dump-csv "$tmp/b.csv"
	"$DENSITY" --smoke --vms 6 --seed 2 --dump-csv "$tmp/c.csv"
	cmp "$tmp/a.csv" "$tmp/b.csv"
	! cmp -s "$tmp/a.csv" "$tmp/c.csv"
	[ "$("$DENSITY" --smoke --vms 6)" = "$("$DENSITY" --smoke --vms 6)" ]
}

@test "traces written to CSV replay to the same figures" {
	"$DENSITY" --smoke --vms 8 --dump-csv "$tmp/t.csv"
	"$DENSITY" --smoke --vms 8 | sed 1,2d >"$tmp/gen"
	"$DENSITY" --smoke --vms 8 --csv "$tmp/t.csv" | sed 1,2d >"$tmp/csv"
	cat "$tmp/csv"
	diff "$tmp/gen" "$tmp/csv"
	# ours really moved memory: the comparison is not of empty runs
	awk '$1 == "ours" && $5 > 0 { ok = 1 } END { exit !ok }' "$tmp/csv"
}

@test "the shapes: a database never gives memory back, a batch job does" {
	"$DENSITY" --hours 24 --vms 40 --dump-csv "$tmp/t.csv"
	# database: demand never falls
	awk -F, '$1 ~ /database/ { if ($1 == v && $3 < last) bad = 1;
		v = $1; last = $3 } END { exit bad }' "$tmp/t.csv"
	grep -q database "$tmp/t.csv"
	# batch: demand falls back by at least 30 % of the maximum from a
	# peak it reached (the day may end inside a job)
	awk -F, '$1 ~ /batch/ { if ($3 > hi[$1]) hi[$1] = $3;
		if (hi[$1] - $3 > drop[$1]) drop[$1] = hi[$1] - $3;
		max[$1] = $4 } END { for (v in hi) { n++;
		if (drop[v] < 0.3 * max[v]) exit 1 } exit !n }' "$tmp/t.csv"
	# demand stays within 64 MiB and 95 % of the maximum
	awk -F, 'NR > 1 && ($3 < 64 || $3 > 0.95 * $4) { exit 1 }' "$tmp/t.csv"
}

@test "static-max fits exactly the VMs whose maximums fit the host" {
	"$DENSITY" --smoke --vms 40 --dump-csv "$tmp/t.csv"
	# 32 GiB host; of its reserve, max(1 GiB, 5 %), the host itself
	# uses a quarter; 64 MiB overhead a VM.
	want=$(awk -F, 'NR > 1 && $2 == 0 { n++; sum += $4 + 64;
		if (sum > 32768 - 32768 * 0.05 / 4) { print n - 1; exit } }' "$tmp/t.csv")
	run "$DENSITY" --smoke --policy static-max
	echo "$output (want $want)"
	[ "$(awk '$1 == "static-max" { print $2; exit }' <<<"$output")" = "$want" ]
}

@test "CSV errors name the file, the line and the column" {
	printf 'vm,second,demand_mib\n' >"$tmp/a.csv"
	run "$DENSITY" --csv "$tmp/a.csv"
	[ "$status" -eq 1 ]
	[ "$output" = "density: $tmp/a.csv:1: no column 'maximum_mib'" ]
	printf 'vm,second,demand_mib,maximum_mib\nx,0,100,1024\nx,1,lots,1024\n' >"$tmp/b.csv"
	run "$DENSITY" --csv "$tmp/b.csv"
	[ "$status" -eq 1 ]
	[ "$output" = "density: $tmp/b.csv:3: demand_mib: not a number of 0 or more" ]
	printf 'vm,second,demand_mib,maximum_mib\nx,5,100,1024\nx,5,100,1024\n' >"$tmp/c.csv"
	run "$DENSITY" --csv "$tmp/c.csv"
	[ "$status" -eq 1 ]
	[[ "$output" == *"c.csv:3: second: "* ]]
	run "$DENSITY" --policy best
	[ "$status" -eq 2 ]
	[[ "$output" == *"'best' is not static-max, static-peak, mom, proxmox or ours"* ]]
}

@test "a CSV with fewer VMs than tried reuses them shifted in time" {
	printf 'vm,second,demand_mib,maximum_mib\n' >"$tmp/t.csv"
	for t in $(seq 0 599); do
		echo "a,$t,$((200 + (t / 60 % 2) * 600)),1024"
	done >>"$tmp/t.csv"
	run "$DENSITY" --host 8G --csv "$tmp/t.csv"
	echo "$output"
	[ "$status" -eq 0 ]
	# 8 GiB less the host's own 256 MiB (a quarter of its 1 GiB
	# reserve) = 7936 MiB; 1024 + 64 a VM: 7 static.
	[ "$(awk '$1 == "static-max" { print $2; exit }' <<<"$output")" = 7 ]
	# peak 800 MiB + 64: 9 static at the peak
	[ "$(awk '$1 == "static-peak" { print $2; exit }' <<<"$output")" = 9 ]
}

@test "--hotadd: a plug+unplug column; at the balloon's rates the same table" {
	run "$DENSITY" --smoke --vms 6 --hotadd --rate-plug 2000 --rate-unplug 400
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^hot-add VMs: above its startup .* plugged at 2000 MiB/s and unplugged at 400 MiB/s' <<<"$output"
	for p in static-max static-peak mom proxmox ours; do
		grep -Eq "^$p +[0-9]+ +[0-9.]+ +[0-9]+ +[0-9.]+ +[0-9]+ +[0-9.]+$" <<<"$output"
	done
	# What is plugged and unplugged is part of all that moved; the
	# static policies move nothing; the dynamic ones plug something.
	awk '$1 ~ /^(static-max|static-peak|mom|proxmox|ours)$/ {
		if ($7 > $5 + 0.05) exit 1
		if ($1 ~ /^static/ && $7 != 0) exit 1
		if ($1 ~ /^(mom|ours)$/ && $7 <= 0) exit 1 }' <<<"$output"
	# With plug and unplug at the balloon's own rates, hot-add VMs are
	# balloon VMs: the same figures, whole searches included.
	"$DENSITY" --smoke --rate-in 300 --rate-out 900 | sed 1d >"$tmp/balloon"
	"$DENSITY" --smoke --rate-in 300 --rate-out 900 --hotadd \
		--rate-plug 900 --rate-unplug 300 | sed '1,2d' |
		sed -E '/^[a-z-]+ +[0-9]+( +[0-9.]+){5}$/s/ +[0-9.]+$//; s/  GiB plug\/day$//' >"$tmp/hot"
	diff "$tmp/balloon" "$tmp/hot"
	# A slower plug than deflate leaves more demand unmet, summed over
	# the fleets near ours's limit (one count alone need not show it:
	# what one VM cannot take another may).
	slow=0
	fast=0
	for n in 22 23 24; do
		run "$DENSITY" --smoke --vms $n --policy ours --hotadd --rate-plug 5 --rate-unplug 400
		slow=$((slow + $(awk '$1 == "ours" { print $4 }' <<<"$output")))
		run "$DENSITY" --smoke --vms $n --policy ours
		fast=$((fast + $(awk '$1 == "ours" { print $4 }' <<<"$output")))
	done
	echo "MiB*s short a VM-day, 22 to 24 VMs: plug 5 MiB/s $slow, balloon only $fast"
	[ "$slow" -gt "$fast" ]
	run "$DENSITY" --rate-plug 100
	[ "$status" -eq 2 ]
	[ "$output" = "density: --rate-plug and --rate-unplug are for --hotadd" ]
}

@test "-h and --help print the usage on stdout and exit 0; a bad option exits 2" {
	for o in -h --help; do
		run --separate-stderr "$DENSITY" "$o"
		[ "$status" -eq 0 ]
		[[ "$output" == "usage: density "*"--hotadd"* ]]
		[ -z "$stderr" ]
	done
	run --separate-stderr "$DENSITY" --bogus
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == *"usage: density "* ]]
}

@test "option errors read as in every dmctl command, the help after them; --csv and --dump-csv conflict; --smoke where it stands" {
	run --separate-stderr "$DENSITY" --vms 0
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "density: --vms: '0' is out of range (1 to 100000)" ]
	[ "${stderr_lines[1]}" = "Try 'density -h' for more information." ]
	[ "${stderr_lines[2]}" = "usage: density [options]" ]
	run --separate-stderr "$DENSITY" --hours abc
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "density: --hours: 'abc' is not a number (0.0166667 to 744)" ]
	run --separate-stderr "$DENSITY" --interval 1.5
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "density: --interval: '1.5' is not a whole number (1 to 3600)" ]
	run --separate-stderr "$DENSITY" --host 512M
	[ "$status" -eq 2 ]
	[[ "${stderr_lines[0]}" == "density: --host: '512M' is below the 1024 MiB floor"* ]]
	run --separate-stderr "$DENSITY" --csv "$tmp/none.csv" --dump-csv "$tmp/t.csv"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "density: --csv and --dump-csv conflict" ]
	[ ! -e "$tmp/t.csv" ]
	run "$DENSITY" --smoke --host 64G --vms 1 --policy static-max
	[[ "${lines[0]}" == "density: host 64 GiB "*", 1.0 h;"* ]]
	run "$DENSITY" --host 64G --hours 2 --smoke --vms 1 --policy static-max
	[[ "${lines[0]}" == "density: host 32 GiB "*", 1.0 h;"* ]]
}
