#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# screenshot.sh [OUT.png] [SECONDS]: the README's picture of dmtop. Runs
# "make demo"'s demo.sh in a 120x30 tmux terminal, takes dmtop's screen
# SECONDS (default 90) after it first shows, renders it with ansi2png.py
# (Debian: python3-pil, fonts-dejavu-core) and quits the demo, which tears
# itself down. make screenshot writes dist/dmtop.png.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$here/dist/dmtop.png}
secs=${2:-90}
sock=$(mktemp -u /tmp/dmctl-shot.XXXXXX)
cap=$(mktemp)

tm() { tmux -S "$sock" "$@"; }
done_() {
	local i
	tm send-keys q 2>/dev/null || true
	for i in $(seq 60); do
		tm has-session 2>/dev/null || break
		sleep 1
	done
	tm kill-server 2>/dev/null || true
	rm -f "$cap"
}
trap done_ EXIT

tm -f /dev/null new-session -d -x 120 -y 30 \
	"cd '$here' && TERM=tmux-256color tests/demo/demo.sh"
for _ in $(seq 300); do
	tm capture-pane -p | grep -q '^NAME ' && break
	sleep 1
done
tm capture-pane -p | grep -q '^NAME ' || {
	echo "screenshot: dmtop did not show within 300 s" >&2
	exit 1
}
sleep "$secs"
tm capture-pane -e -p >"$cap"
/usr/bin/python3 "$here/tests/demo/ansi2png.py" "$cap" "$out"
echo "screenshot: $out"
