#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# deb-check.sh - build the Debian package in a copy of the tree, lint it,
# install it on this machine, try it, purge it, and check that nothing of
# it is left. As root, on Debian 12 (.ci/run runs it; make deb-check).
# Prints TAP lines. Whatever it changed on the host is put back on exit,
# also when a step fails or it is interrupted: the package purged, with any
# package apt pulled in for it, the files it would have replaced restored.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # skip deb-check installs a package: run it as root"
	exit 0
fi
if dpkg-query -W -f='${Status}' dmctl 2>/dev/null | grep -q installed; then
	echo "Bail out! the dmctl package is installed here already; deb-check would remove it"
	exit 1
fi

work=$(mktemp -d /tmp/deb-check.XXXXXX)
n=0 fail=0
# What the package puts in /etc, saved if there when we start.
ETC_FILES="/etc/dmctl.conf /etc/cron.d/dmctl /etc/libvirt/hooks/qemu.d/dmctl"
UNIT=/lib/systemd/system/dmctl-rebalance.service
WANTS=/etc/systemd/system/multi-user.target.wants/dmctl-rebalance.service
policy_made=

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1)) fail=1
	echo "not ok $n - $1"
	[ $# -lt 2 ] || sed 's/^/# /' "$2" | tail -n 20
}

# check NAME COMMAND...: one TAP line, the command's output shown if it fails.
check() {
	local name=$1
	shift
	if "$@" >"$work/out" 2>&1; then ok "$name"; else not_ok "$name" "$work/out"; fi
}

# shellcheck disable=SC2317 # called by the trap
cleanup() {
	local f
	if dpkg-query -W -f='${Status}' dmctl 2>/dev/null | grep -q installed; then
		dpkg --purge dmctl >/dev/null 2>&1
	fi
	if [ -s "$work/pulled" ]; then
		# shellcheck disable=SC2046
		apt-get purge -y -q $(cat "$work/pulled") >/dev/null 2>&1
	fi
	for f in $ETC_FILES; do
		if [ -e "$work/saved$f" ]; then
			mkdir -p "$(dirname "$f")" && cp -a "$work/saved$f" "$f"
		fi
	done
	# Directories of the package that were here before (an empty
	# /etc/libvirt/hooks/qemu.d): purge removes them once empty.
	if [ -s "$work/dirs" ]; then
		while read -r mode own d; do
			[ -d "$d" ] || { mkdir -p "$d" && chmod "$mode" "$d" && chown "$own" "$d"; }
		done <"$work/dirs"
	fi
	[ -z "$policy_made" ] || rm -f /usr/sbin/policy-rc.d
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

for f in $ETC_FILES; do
	if [ -e "$f" ]; then
		mkdir -p "$work/saved$(dirname "$f")" && cp -a "$f" "$work/saved$f"
	fi
done

# The copy: what git tracks plus new files not ignored, so that nothing
# built in the tree goes in, and the build writes nothing into the tree.
mkdir "$work/src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files -co --exclude-standard -z | tar --null -cf - -T -) |
		tar -xf - -C "$work/src"
else
	(cd "$top" && tar --exclude=./bin --exclude=./build -cf - .) | tar -xf - -C "$work/src"
fi

# nocheck: the unit tests ran already; this is about the package.
if (cd "$work/src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) \
	>"$work/build.log" 2>&1 && deb=$(ls "$work"/dmctl_*.deb 2>/dev/null); then
	ok "dpkg-buildpackage -us -uc -b builds $(basename "$deb")"
else
	not_ok "dpkg-buildpackage -us -uc -b builds dmctl_*.deb" "$work/build.log"
	echo "1..$n"
	exit 1
fi

lintian --pedantic "$work"/dmctl_*.changes >"$work/lintian" 2>&1
sed 's/^/# lintian: /' "$work/lintian" | grep -v 'root privileges'
if grep -q '^E:' "$work/lintian"; then
	not_ok "lintian: no errors"
else
	ok "lintian: no errors ($(grep -c '^W:' "$work/lintian") warnings)"
fi

dpkg-deb -c "$deb" | awk '$1 ~ /^d/ { sub(/^\./, "", $6); print $6 }' |
	while read -r d; do
		[ -z "$d" ] || [ ! -d "$d" ] || stat -c '%a %u:%g %n' "$d"
	done >"$work/dirs"

# Install as apt would, but start nothing on this machine: policy-rc.d
# tells deb-systemd-invoke not to (enabling still happens).
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	policy_made=1
fi
dpkg-query -W -f='${Package}\n' | sort >"$work/before"
# A dmctl.conf already here (saved above) is kept, not asked about.
if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
	"$deb" >"$work/apt" 2>&1; then
	ok "apt-get install ./$(basename "$deb")"
else
	not_ok "apt-get install ./$(basename "$deb")" "$work/apt"
fi
dpkg-query -W -f='${Package}\n' | sort | comm -13 "$work/before" - |
	grep -vx dmctl >"$work/pulled"

check "dmctl --version runs" dmctl --version
check "man -w dmctl finds the page" man -w dmctl
check "man -w dmctl.conf finds the page" man -w 5 dmctl.conf
check "the unit is in $UNIT" grep -q '^ExecStart=/usr/bin/dmctl rebalance ' "$UNIT"
check "the unit is enabled" test -L "$WANTS"
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify the installed unit" \
		sh -c "systemd-analyze verify $UNIT 2>&1 | tee /dev/stderr | grep -q . && exit 1; exit 0"
fi
check "/etc/dmctl.conf is a conffile" \
	sh -c "dpkg-query -W -f='\${Conffiles}' dmctl | grep -q ' /etc/dmctl.conf '"
check "the libvirt hook is installed" test -x /etc/libvirt/hooks/qemu.d/dmctl
check "the cron file's line is commented out" \
	sh -c '! grep -v "^#" /etc/cron.d/dmctl | grep -q .'

check "apt-get purge dmctl" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q dmctl
left=
for f in /usr/bin/dmctl /usr/bin/dmtop /usr/share/man/man8/dmctl.8.gz "$UNIT" \
	"$WANTS" $ETC_FILES /usr/share/doc/dmctl \
	/var/lib/systemd/deb-systemd-helper-enabled/dmctl-rebalance.service.dsh-also \
	/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/dmctl-rebalance.service; do
	if [ -e "$f" ] || [ -L "$f" ]; then
		[ -e "$work/saved$f" ] || left="$left $f"
	fi
done
if dpkg-query -W dmctl >/dev/null 2>&1; then
	left="$left (dpkg still knows dmctl)"
fi
if [ -z "$left" ]; then
	ok "nothing of the package is left after purge"
else
	not_ok "nothing of the package is left after purge:$left"
fi
echo "1..$n"
exit "$fail"
