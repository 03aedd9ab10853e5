#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# make install: PREFIX, DESTDIR and SYSCONFDIR decide where everything goes.

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	dest=$(mktemp -d)
}

teardown() {
	rm -rf "$dest"
}

@test "make install honours PREFIX and DESTDIR, and uninstall undoes it" {
	run make -s -C "$top" install PREFIX=/opt/dm DESTDIR="$dest"
	[ "$status" -eq 0 ]
	for f in bin/dmctl share/man/man8/dmctl.8 share/man/man5/dmctl-metadata.5 \
		share/bash-completion/completions/dmctl \
		share/zsh/vendor-completions/_dmctl share/man/man5/dmctl.conf.5 \
		lib/systemd/system/dmctl-rebalance.service \
		bin/dmtop share/man/man1/dmtop.1 \
		share/bash-completion/completions/dmtop \
		share/zsh/vendor-completions/_dmtop; do
		[ -f "$dest/opt/dm/$f" ] || { echo "missing $f"; false; }
	done
	[ -x "$dest/opt/dm/bin/dmctl" ]
	# The service and the cron file run the dmctl that was installed; the
	# cron line is commented out, so that never both balance.
	grep -q '^ExecStart=/opt/dm/bin/dmctl rebalance --every 1 -q$' \
		"$dest/opt/dm/lib/systemd/system/dmctl-rebalance.service"
	grep -q '^#\* \* \* \* \* root /opt/dm/bin/dmctl rebalance -q$' \
		"$dest/etc/cron.d/dmctl"
	! grep -v '^#' "$dest/etc/cron.d/dmctl" | grep -q .
	run "$dest/opt/dm/bin/dmctl" --version
	[ "$status" -eq 0 ]
	# The libvirt hook, where libvirt looks (SYSCONFDIR, /etc).
	[ -x "$dest/etc/libvirt/hooks/qemu.d/dmctl" ]
	grep -qx 'exec /opt/dm/bin/dmctl hook "$@"' "$dest/etc/libvirt/hooks/qemu.d/dmctl"
	[ -f "$dest/etc/dmctl.conf" ]
	# Nothing outside DESTDIR/PREFIX and DESTDIR/SYSCONFDIR.
	[ "$(cd "$dest" && ls | tr '\n' ' ')" = "etc opt " ]
	run make -s -C "$top" uninstall PREFIX=/opt/dm DESTDIR="$dest"
	[ "$status" -eq 0 ]
	[ -z "$(find "$dest" -type f)" ]
}

@test "make install PREFIX=/usr puts the unit where systemd's pkg-config says" {
	unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null) ||
		unitdir=/usr/lib/systemd/system
	[ -n "$unitdir" ] || unitdir=/usr/lib/systemd/system
	run make -s -C "$top" install PREFIX=/usr SYSCONFDIR=/etc/x DESTDIR="$dest"
	[ "$status" -eq 0 ]
	grep -q '^ExecStart=/usr/bin/dmctl ' "$dest$unitdir/dmctl-rebalance.service"
	[ -f "$dest/etc/x/dmctl.conf" ]
	[ -f "$dest/etc/x/cron.d/dmctl" ]
	[ -x "$dest/etc/x/libvirt/hooks/qemu.d/dmctl" ]
	run make -s -C "$top" uninstall PREFIX=/usr SYSCONFDIR=/etc/x DESTDIR="$dest"
	[ "$status" -eq 0 ]
	[ -z "$(find "$dest" -type f)" ]
}

@test "install keeps an existing dmctl.conf, uninstall keeps an edited one" {
	mkdir -p "$dest/etc"
	echo 'reserve = 2G' >"$dest/etc/dmctl.conf"
	run make -s -C "$top" install PREFIX=/opt/dm DESTDIR="$dest"
	[ "$status" -eq 0 ]
	[ "$(cat "$dest/etc/dmctl.conf")" = 'reserve = 2G' ]
	[[ "$output" == *"kept $dest/etc/dmctl.conf"* ]]
	run make -s -C "$top" uninstall PREFIX=/opt/dm DESTDIR="$dest"
	[ "$status" -eq 0 ]
	[ "$(cat "$dest/etc/dmctl.conf")" = 'reserve = 2G' ]
	[ "$(find "$dest" -type f)" = "$dest/etc/dmctl.conf" ]
}

@test "the unit passes systemd-analyze verify" {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	run make -s -C "$top" install PREFIX=/opt/dm DESTDIR="$dest"
	[ "$status" -eq 0 ]
	# verify checks that ExecStart= exists and that the Documentation=
	# pages open: point both into DESTDIR.
	mkdir "$dest/v"
	sed "s|=/opt/dm/|=$dest/opt/dm/|" \
		"$dest/opt/dm/lib/systemd/system/dmctl-rebalance.service" \
		>"$dest/v/dmctl-rebalance.service"
	grep -q "^ExecStart=$dest/opt/dm/bin/dmctl " "$dest/v/dmctl-rebalance.service"
	MANPATH="$dest/opt/dm/share/man" run systemd-analyze verify \
		"$dest/v/dmctl-rebalance.service"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "the default dmctl.conf lists every key of lib/hostconf.c, with its default" {
	# The keys, from the table the parser reads.
	keys=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", HOSTCONF_KIND_.*/\1/p' \
		"$top/lib/hostconf.c")
	[ "$(echo "$keys" | wc -l)" -ge 14 ]
	for k in $keys; do
		grep -q "^#$k = " "$top/dist/dmctl.conf" || { echo "missing $k"; false; }
		# and the man page says its default
		grep -q "^\.It Cm $k No" "$top/man/dmctl.conf.5" || { echo "no man $k"; false; }
	done
	# Every commented setting is a key the parser takes.
	for k in $(sed -n 's/^#\([a-z-]*\) = .*/\1/p' "$top/dist/dmctl.conf"); do
		echo "$keys" | grep -qx "$k" || { echo "unknown $k"; false; }
	done
	# With every line uncommented, the file parses, and the commands see
	# what they see with no file at all. uri, lock-file and ledger-file
	# have no value as default (none, or chosen by dmctl): their lines are
	# examples.
	sed -n 's/^#\([a-z-]* = \)/\1/p' "$top/dist/dmctl.conf" |
		grep -v '^\(uri\|lock-file\|ledger-file\) ' >"$dest/all.conf"
	[ "$(wc -l <"$dest/all.conf")" -eq "$(($(echo "$keys" | wc -l) - 3))" ]
	run "$top/bin/dmctl" -c test:///default show --json -C /dev/null
	[ "$status" -eq 0 ]
	none=$output
	run "$top/bin/dmctl" -c test:///default show --json -C "$dest/all.conf"
	[ "$status" -eq 0 ]
	[ "$output" = "$none" ]
}
