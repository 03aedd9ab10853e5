#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ansi2png.py IN OUT: render a terminal capture (tmux capture-pane -e -p:
# text with SGR colour codes) as a PNG in DejaVu Sans Mono, for the
# README's picture of dmtop (tests/demo/screenshot.sh). Debian: python3-pil,
# fonts-dejavu-core.
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 15
FG, BG = (220, 220, 220), (30, 30, 30)
# xterm's first 16 colours, a little softened.
PALETTE = [(0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16),
           (36, 114, 200), (188, 63, 188), (17, 168, 205), (229, 229, 229),
           (102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67),
           (59, 142, 234), (214, 112, 214), (41, 184, 219), (255, 255, 255)]
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def cells(line):
    """(char, fg, bg, bold) for each column of one captured line."""
    fg, bg, bold, rev = None, None, False, False
    pos, out = 0, []
    for m in list(SGR.finditer(line)) + [None]:
        end = m.start() if m else len(line)
        for ch in line[pos:end]:
            f, b = fg or FG, bg or BG
            out.append((ch, b if rev else f, f if rev else b, bold))
        if not m:
            break
        pos = m.end()
        codes = [int(c) if c else 0 for c in m.group(1).split(";")]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                fg, bg, bold, rev = None, None, False, False
            elif c == 1:
                bold = True
            elif c == 22:
                bold = False
            elif c == 7:
                rev = True
            elif c == 27:
                rev = False
            elif 30 <= c <= 37:
                fg = PALETTE[c - 30]
            elif 90 <= c <= 97:
                fg = PALETTE[c - 90 + 8]
            elif 40 <= c <= 47:
                bg = PALETTE[c - 40]
            elif c == 39:
                fg = None
            elif c == 49:
                bg = None
            elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                n = codes[i + 2]
                col = PALETTE[n] if n < 16 else FG
                if c == 38:
                    fg = col
                else:
                    bg = col
                i += 2
            i += 1
    return out


def main():
    lines = open(sys.argv[1], encoding="utf-8").read().rstrip("\n").split("\n")
    font = ImageFont.truetype(FONT, SIZE)
    bold = ImageFont.truetype(BOLD, SIZE)
    w = int(font.getlength("M"))
    h = SIZE + 4
    rows = [cells(l) for l in lines]
    cols = max(len(r) for r in rows)
    img = Image.new("RGB", (cols * w + 16, len(rows) * h + 16), BG)
    d = ImageDraw.Draw(img)
    for y, row in enumerate(rows):
        for x, (ch, f, b, bd) in enumerate(row):
            px, py = 8 + x * w, 8 + y * h
            if b != BG:
                d.rectangle([px, py, px + w, py + h], fill=b)
            if ch != " ":
                d.text((px, py), ch, fill=f, font=bold if bd else font)
    img.save(sys.argv[2], optimize=True)


if __name__ == "__main__":
    main()
