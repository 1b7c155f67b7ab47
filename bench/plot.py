"""Plot bench/run's scaling curves to a PNG.

    python bench/plot.py DATA.json OUT.png [--no-matplotlib]

DATA.json holds ``{"series": [{"panel": P, "label": L, "x": [...], "y": [...]}, ...],
"panels": [{"title": T, "ylabel": Y, "reference": "linear"|"flat"|None}, ...]}``.
With matplotlib importable the plot is drawn with it (bench/run installs it into
bench/out/venv, never into the project); otherwise a small PNG is drawn here with
the standard library only (lines, markers, log axes, labels in a tiny pixel font).
"""

from __future__ import annotations

import json
import math
import struct
import sys
import zlib
from pathlib import Path

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def _tick(value: float) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


def plot_matplotlib(data: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    panels = data["panels"]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), dpi=80)
    axes = list(axes) if len(panels) > 1 else [axes]
    for number, (ax, panel) in enumerate(zip(axes, panels)):
        xs_all = []
        for color, series in zip(COLORS * 3, [s for s in data["series"] if s["panel"] == number]):
            points = [(x, y) for x, y in zip(series["x"], series["y"]) if y is not None and y > 0]
            if not points:
                continue
            xs, ys = zip(*points)
            xs_all += xs
            ax.plot(xs, ys, marker="o", color=color, label=series["label"], linewidth=1.6, markersize=4)
        reference = panel.get("reference")
        if reference and xs_all and panel.get("reference_from"):
            x0, y0 = panel["reference_from"]
            x1 = max(xs_all)
            y1 = y0 * (x1 / x0) if reference == "linear" else y0
            ax.plot([x0, x1], [y0, y1], linestyle=":", color="grey",
                    label="linear growth" if reference == "linear" else "flat = linear total")
        ax.set_xscale("log")
        ax.set_yscale("log")
        plain = matplotlib.ticker.FuncFormatter(lambda v, _pos: _tick(v))
        ax.xaxis.set_major_formatter(plain)
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(matplotlib.ticker.FuncFormatter(
            lambda v, _pos: _tick(v) if v > 0 and round(v / 10 ** math.floor(math.log10(v))) in (2, 5) else ""))
        ax.set_title(panel["title"], fontsize=10)
        ax.set_xlabel("briefs in the library", fontsize=9)
        ax.set_ylabel(panel["ylabel"], fontsize=9)
        ax.grid(True, which="major", linewidth=0.4, alpha=0.6)
        ax.tick_params(labelsize=8)
        ax.legend(fontsize=7, loc="best")
    if data.get("title"):
        fig.suptitle(data["title"], fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=80)
    plt.close(fig)


# ---------------------------------------------------------------------------
# Standard-library fallback

# 3x5 pixel font: five rows of three bits for each glyph.
FONT = {
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111", "3": "111001111001111",
    "4": "101101111001001", "5": "111100111001111", "6": "111100111101111", "7": "111001010010010",
    "8": "111101111101111", "9": "111101111001111", "A": "010101111101101", "B": "110101110101110",
    "C": "011100100100011", "D": "110101101101110", "E": "111100110100111", "F": "111100110100100",
    "G": "011100101101011", "H": "101101111101101", "I": "111010010010111", "J": "001001001101010",
    "K": "101101110101101", "L": "100100100100111", "M": "101111111101101", "N": "110101101101101",
    "O": "010101101101010", "P": "110101110100100", "Q": "010101101110011", "R": "110101110101101",
    "S": "011100010001110", "T": "111010010010010", "U": "101101101101111", "V": "101101101101010",
    "W": "101101111111101", "X": "101101010101101", "Y": "101101010010010", "Z": "111001010100111",
    ".": "000000000000010", ",": "000000000010100", "-": "000000111000000", "/": "001001010100100",
    "(": "010100100100010", ")": "010001001001010", ":": "000010000010000", " ": "000000000000000",
    "%": "101001010100101", "=": "000111000111000", "+": "000010111010000", "_": "000000000000111",
}


class Canvas:
    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.pixels = bytearray(b"\xff" * (width * height * 3))

    def set(self, x: int, y: int, rgb: tuple[int, int, int]) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            i = (y * self.width + x) * 3
            self.pixels[i:i + 3] = bytes(rgb)

    def line(self, x0, y0, x1, y1, rgb, thick=1, dotted=False) -> None:
        x0, y0, x1, y1 = int(round(x0)), int(round(y0)), int(round(x1)), int(round(y1))
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err, step = dx + dy, 0
        while True:
            if not dotted or (step // 3) % 2 == 0:
                for ox in range(thick):
                    for oy in range(thick):
                        self.set(x0 + ox - thick // 2, y0 + oy - thick // 2, rgb)
            step += 1
            if x0 == x1 and y0 == y1:
                break
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def box(self, x, y, size, rgb) -> None:
        for ox in range(-size, size + 1):
            for oy in range(-size, size + 1):
                self.set(int(x) + ox, int(y) + oy, rgb)

    def text(self, x: int, y: int, text: str, rgb=(0, 0, 0), scale: int = 2) -> None:
        for char in text.upper():
            glyph = FONT.get(char, FONT[" "])
            for row in range(5):
                for col in range(3):
                    if glyph[row * 3 + col] == "1":
                        for ox in range(scale):
                            for oy in range(scale):
                                self.set(x + col * scale + ox, y + row * scale + oy, rgb)
            x += 4 * scale

    def png(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(self.pixels[y * self.width * 3:(y + 1) * self.width * 3])
                       for y in range(self.height))

        def chunk(kind: bytes, body: bytes) -> bytes:
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + \
            chunk(b"IEND", b"")


def _rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i:i + 2], 16) for i in (1, 3, 5))


def _label(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:g}K" if value < 1e6 else f"{value / 1e6:g}M"
    return f"{value:g}"


def plot_plain(data: dict, out: Path) -> None:
    panels = data["panels"]
    pw, ph = 340, 300
    canvas = Canvas(pw * len(panels), ph)
    for number, panel in enumerate(panels):
        left, top, right, bottom = number * pw + 52, 34, number * pw + pw - 12, ph - 96
        series = [s for s in data["series"] if s["panel"] == number]
        points = [(x, y) for s in series for x, y in zip(s["x"], s["y"]) if y is not None and y > 0]
        canvas.text(number * pw + 8, 8, panel["title"][:40])
        if not points:
            continue
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        lx0, lx1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
        ly0, ly1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
        lx1, ly1 = max(lx1, lx0 + 1), max(ly1, ly0 + 1)

        def px(x):
            return left + (math.log10(x) - lx0) / (lx1 - lx0) * (right - left)

        def py(y):
            return bottom - (math.log10(y) - ly0) / (ly1 - ly0) * (bottom - top)

        grey = (200, 200, 200)
        for e in range(lx0, lx1 + 1):
            canvas.line(px(10 ** e), top, px(10 ** e), bottom, grey)
            canvas.text(int(px(10 ** e)) - 8, bottom + 6, _label(10 ** e))
        for e in range(ly0, ly1 + 1):
            canvas.line(left, py(10 ** e), right, py(10 ** e), grey)
            canvas.text(number * pw + 4, int(py(10 ** e)) - 5, _label(10 ** e))
        canvas.line(left, bottom, right, bottom, (0, 0, 0))
        canvas.line(left, top, left, bottom, (0, 0, 0))
        canvas.text(left, bottom + 20, "BRIEFS")
        canvas.text(left + 60, bottom + 20, panel["ylabel"][:28])
        legend_y = bottom + 36
        for color, s in zip(COLORS * 3, series):
            rgb = _rgb(color)
            pts = [(px(x), py(y)) for x, y in zip(s["x"], s["y"]) if y is not None and y > 0]
            for (ax, ay), (bx, by) in zip(pts, pts[1:]):
                canvas.line(ax, ay, bx, by, rgb, thick=2)
            for ax, ay in pts:
                canvas.box(ax, ay, 2, rgb)
            canvas.line(left, legend_y + 4, left + 16, legend_y + 4, rgb, thick=2)
            canvas.text(left + 22, legend_y, s["label"][:34])
            legend_y += 14
        reference = panel.get("reference")
        if reference and panel.get("reference_from"):
            x0, y0 = panel["reference_from"]
            x1 = max(xs)
            y1 = y0 * (x1 / x0) if reference == "linear" else y0
            if y1 > 0:
                canvas.line(px(x0), py(y0), px(x1), py(min(y1, 10 ** ly1)), (120, 120, 120), dotted=True)
    out.write_bytes(canvas.png())


def plot(data: dict, out: Path, allow_matplotlib: bool = True) -> str:
    if allow_matplotlib:
        try:
            plot_matplotlib(data, out)
            return "matplotlib"
        except ImportError:
            pass
    plot_plain(data, out)
    return "plain"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    allow = "--no-matplotlib" not in args
    args = [a for a in args if a != "--no-matplotlib"]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    data = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    print(plot(data, Path(args[1]), allow))
    return 0


if __name__ == "__main__":
    sys.exit(main())
