#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-guest.sh OUTDIR [DEBDIR]
#
# Builds the tiny test guest into OUTDIR (which must not exist yet):
#   vmlinuz     Debian cloud kernel (from linux-image-*-cloud-amd64)
#   initrd.gz   busybox-static userland, virtio balloon/mem modules,
#               guest/init, guest/agent, memhog (gcc -static)
#   agentc      host-side client for the guest agent
#   kernel.txt  which kernel package was used
# DEBDIR caches the downloaded kernel .deb (default OUTDIR/../debs).
# Normally called through tb_build_guest (testbed.bash), which caches the
# result by the content of this script and its inputs and holds a lock.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: build-guest.sh OUTDIR [DEBDIR]}
debdir=${2:-$(dirname "$out")/debs}
modules=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_balloon virtio_mem)

log() { echo "build-guest: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ ! -e "$out" ] || die "$out exists"
for t in apt-cache apt-get dpkg-deb cpio gzip gcc; do
	command -v "$t" >/dev/null || die "$t not found (see tests/testbed/PACKAGES)"
done
busybox=/bin/busybox
[ -x "$busybox" ] || die "$busybox missing: install busybox-static"
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is dynamically linked: install busybox-static"
fi

resolve_kernel() {
	apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		awk '$1 ~ /Depends:$/ && $2 ~ /^linux-image-[0-9].*-cloud-amd64(-unsigned)?$/ {print $2; exit}'
}
pkg=$(resolve_kernel || true)
if [ -z "$pkg" ]; then
	if [ "$(id -u)" = 0 ]; then
		log "no linux-image-cloud-amd64 in the apt lists, running apt-get update"
		apt-get update -qq >&2 || die "apt-get update failed"
		pkg=$(resolve_kernel || true)
	fi
	[ -n "$pkg" ] || die "cannot resolve linux-image-cloud-amd64 (run apt-get update)"
fi
log "kernel package $pkg"

mkdir -p "$debdir"
deb=$(find "$debdir" -maxdepth 1 -name "${pkg}_*.deb" | sort | tail -n 1)
if [ -z "$deb" ]; then
	log "downloading $pkg"
	dl=$(mktemp -d "$debdir/.dl.XXXXXX")
	chmod 0755 "$dl"
	# Let apt's _apt sandbox user write here (else apt warns and runs as root).
	if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$dl"; fi
	(cd "$dl" && apt-get download -q "$pkg" >&2) || { rm -rf "$dl"; die "apt-get download $pkg failed"; }
	mv "$dl"/*.deb "$debdir"/
	rm -rf "$dl"
	deb=$(find "$debdir" -maxdepth 1 -name "${pkg}_*.deb" | sort | tail -n 1)
fi
[ -n "$deb" ] || die "no .deb for $pkg"
# Keep only the kernel package in use.
find "$debdir" -maxdepth 1 -name 'linux-image-*.deb' ! -path "$deb" -delete

tmp=$(mktemp -d "$(dirname "$out")/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log "extracting $(basename "$deb")"
dpkg-deb -x "$deb" "$tmp/kpkg"

mkdir -p "$tmp/out"
vmlinuz=$(find "$tmp/kpkg/boot" -maxdepth 1 -name 'vmlinuz-*' -print -quit)
[ -n "$vmlinuz" ] || die "no vmlinuz in $deb"
cp "$vmlinuz" "$tmp/out/vmlinuz"
kver=${vmlinuz##*/vmlinuz-}
moddir="$tmp/kpkg/lib/modules/$kver"
[ -d "$moddir" ] || die "no modules directory for $kver"

root="$tmp/root"
mkdir -p "$root"/{bin,dev,proc,sys,run,tmp,lib/modules}
cp "$busybox" "$root/bin/busybox"
install -m 0755 "$here/guest/init" "$root/init"
install -m 0755 "$here/guest/agent" "$root/bin/agent"
ln -s busybox "$root/bin/sh"
gcc -static -O2 -Wall -Wextra -o "$root/bin/memhog" "$here/memhog.c"
strip "$root/bin/memhog" 2>/dev/null || true

: >"$root/lib/modules/order"
for m in "${modules[@]}"; do
	f=$(find "$moddir/kernel" \( -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" -o -name "$m.ko.gz" \) -print -quit)
	if [ -z "$f" ]; then
		if grep -q "/$m.ko\$" "$moddir/modules.builtin" 2>/dev/null; then
			log "$m is built into the kernel"
			continue
		fi
		die "module $m not found in $pkg"
	fi
	case "$f" in
	*.xz) xz -dc "$f" >"$root/lib/modules/$m.ko" ;;
	*.zst) zstd -qdc "$f" >"$root/lib/modules/$m.ko" ;;
	*.gz) gzip -dc "$f" >"$root/lib/modules/$m.ko" ;;
	*) cp "$f" "$root/lib/modules/$m.ko" ;;
	esac
	echo "$m" >>"$root/lib/modules/order"
done

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet) | gzip -6 >"$tmp/out/initrd.gz"

gcc -O2 -Wall -Wextra -o "$tmp/out/agentc" "$here/agentc.c"
printf '%s\n%s\n' "$pkg" "$kver" >"$tmp/out/kernel.txt"
chmod 0755 "$tmp/out" "$tmp/out/agentc"
chmod 0644 "$tmp/out/vmlinuz" "$tmp/out/initrd.gz" "$tmp/out/kernel.txt"
mv "$tmp/out" "$out"
log "built $out ($(du -sh "$out" | cut -f1))"
