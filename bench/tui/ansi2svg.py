#!/usr/bin/env python3
"""ansi2svg.py — renders `tmux capture-pane -e -p` output (text with SGR
colour codes) as an SVG terminal screenshot: every cell on a fixed grid,
wide characters (CJK, emoji) taking two cells, like the terminal drew them.

  tmux capture-pane -e -p -t S | ansi2svg.py COLS ROWS TITLE > out.svg
"""
import html, re, sys, unicodedata

CW, CH, FS = 8.4, 17, 14           # cell width/height in px, font size
PALETTE = ["#1e1e1e", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd",
           "#e5e5e5", "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6",
           "#29b8db", "#ffffff"]
FG, BG = "#d4d4d4", "#1e1e1e"

def width(ch):
    if unicodedata.combining(ch) or ch in "\u200d\ufe0f":
        return 0
    if unicodedata.east_asian_width(ch) in "WF" or 0x1F300 <= ord(ch) <= 0x1FAFF:
        return 2
    return 1

def xterm256(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        c = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (c[n // 36], c[n // 6 % 6], c[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)

def parse(line):
    """Yields (text, fg, bg, bold, dim, underline) runs."""
    st = dict(fg=None, bg=None, bold=False, dim=False, ul=False, rev=False)
    pos = 0
    for m in re.finditer(r"\x1b\[([0-9;]*)m", line + "\x1b[m"):
        if m.start() > pos:
            fg, bg = st["fg"] or FG, st["bg"] or BG
            if st["rev"]:
                fg, bg = (st["bg"] or BG), (st["fg"] or FG)
            yield line[pos:m.start()], fg, bg, st["bold"], st["dim"], st["ul"]
        pos = m.end()
        codes = [int(c) if c else 0 for c in m.group(1).split(";")] or [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                st.update(fg=None, bg=None, bold=False, dim=False, ul=False, rev=False)
            elif c == 1: st["bold"] = True
            elif c == 2: st["dim"] = True
            elif c == 4: st["ul"] = True
            elif c == 7: st["rev"] = True
            elif c == 22: st["bold"] = st["dim"] = False
            elif c == 24: st["ul"] = False
            elif c == 27: st["rev"] = False
            elif 30 <= c <= 37: st["fg"] = PALETTE[c - 30 + (8 if st["bold"] else 0)]
            elif c == 39: st["fg"] = None
            elif 40 <= c <= 47: st["bg"] = PALETTE[c - 40]
            elif c == 49: st["bg"] = None
            elif 90 <= c <= 97: st["fg"] = PALETTE[c - 90 + 8]
            elif 100 <= c <= 107: st["bg"] = PALETTE[c - 100 + 8]
            elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                st["fg" if c == 38 else "bg"] = xterm256(codes[i + 2])
                i += 2
            i += 1

def main():
    cols, rows, title = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    lines = sys.stdin.read().split("\n")[:rows]
    top = 28
    w, h = cols * CW + 16, rows * CH + top + 10
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="%d">' % (w, h, FS),
           '<rect width="100%%" height="100%%" rx="6" fill="%s"/>' % BG,
           '<circle cx="14" cy="14" r="5" fill="#ff5f56"/><circle cx="30" cy="14" r="5" '
           'fill="#ffbd2e"/><circle cx="46" cy="14" r="5" fill="#27c93f"/>',
           '<text x="%d" y="18" fill="#999" font-size="12" text-anchor="middle">%s</text>'
           % (w / 2, html.escape(title))]
    for y, line in enumerate(lines):
        col = 0
        base = top + y * CH
        for text, fg, bg, bold, dim, ul in parse(line):
            for ch in text:
                cw = width(ch)
                if cw == 0:
                    continue
                x = 8 + col * CW
                if bg != BG:
                    out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>'
                               % (x, base, cw * CW + 0.5, CH, bg))
                if ch != " ":
                    attrs = ' font-weight="bold"' if bold else ""
                    attrs += ' opacity="0.6"' if dim else ""
                    attrs += ' text-decoration="underline"' if ul else ""
                    out.append('<text x="%.1f" y="%d" fill="%s"%s>%s</text>'
                               % (x, base + CH - 4, fg, attrs, html.escape(ch)))
                col += cw
    out.append("</svg>")
    print("\n".join(out))

if __name__ == "__main__":
    main()
