#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# make install: PREFIX and DESTDIR decide where everything goes.

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
		share/doc/dmctl/dmctl-rebalance.service share/doc/dmctl/dmctl.cron \
		bin/dmtop share/man/man1/dmtop.1 \
		share/bash-completion/completions/dmtop \
		share/zsh/vendor-completions/_dmtop; do
		[ -f "$dest/opt/dm/$f" ] || { echo "missing $f"; false; }
	done
	[ -x "$dest/opt/dm/bin/dmctl" ]
	# The service and cron example run the dmctl that was installed.
	grep -q '^ExecStart=/opt/dm/bin/dmctl rebalance --every 1 -q$' \
		"$dest/opt/dm/share/doc/dmctl/dmctl-rebalance.service"
	grep -q 'root /opt/dm/bin/dmctl rebalance -q$' \
		"$dest/opt/dm/share/doc/dmctl/dmctl.cron"
	run "$dest/opt/dm/bin/dmctl" --version
	[ "$status" -eq 0 ]
	# The libvirt hook, where libvirt looks (SYSCONFDIR, /etc).
	[ -x "$dest/etc/libvirt/hooks/qemu.d/dmctl" ]
	grep -qx 'exec /opt/dm/bin/dmctl hook "$@"' "$dest/etc/libvirt/hooks/qemu.d/dmctl"
	# Nothing outside DESTDIR/PREFIX and DESTDIR/SYSCONFDIR.
	[ "$(cd "$dest" && ls | tr '\n' ' ')" = "etc opt " ]
	run make -s -C "$top" uninstall PREFIX=/opt/dm DESTDIR="$dest"
	[ "$status" -eq 0 ]
	[ -z "$(find "$dest" -type f)" ]
}
