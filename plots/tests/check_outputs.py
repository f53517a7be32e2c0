#!/usr/bin/python3
"""Checks the files the plot scripts wrote into OUTDIR: each PNG exists, is non-empty, is a
PNG and has the expected pixel size (read from its IHDR header); report.pdf is a PDF.

The expected sizes are written out here, not imported from plots/common.py, so a change of
figure size or an accidental tight bounding box (which changes the size) fails the test.
Usage: check_outputs.py OUTDIR; exit 1 with one line per problem.
"""

import struct
import sys
from pathlib import Path

#: file name -> (width, height) in pixels: inches x dpi of plots/common.py (docs/plots.md).
EXPECTED_PX = {
    "accuracy_distribution.png": (1300, 550),  # 13 x 5.5 in at 100 dpi
    "yield_vs_param.png": (900, 550),          # 9 x 5.5 in at 100 dpi
    "accuracy_vs_time.png": (900, 550),
    "layer_error_vs_param.png": (900, 550),
    "report.png": (1753, 1240),                # A4 landscape 11.69 x 8.27 in at 150 dpi
}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple:
    """(width, height) from the IHDR chunk, which the PNG standard puts first."""
    head = path.read_bytes()[:24]
    if len(head) < 24 or head[:8] != PNG_MAGIC or head[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    return struct.unpack(">II", head[16:24])


def problems(outdir: Path) -> list:
    out = []
    for name, expected in EXPECTED_PX.items():
        path = outdir / name
        if not path.is_file() or path.stat().st_size == 0:
            out.append(f"{path}: missing or empty")
            continue
        try:
            size = png_size(path)
        except ValueError as e:
            out.append(f"{path}: {e}")
            continue
        if tuple(size) != expected:
            out.append(f"{path}: {size[0]}x{size[1]} px, expected {expected[0]}x{expected[1]}")
    pdf = outdir / "report.pdf"
    if not pdf.is_file() or not pdf.read_bytes()[:5] == b"%PDF-":
        out.append(f"{pdf}: missing or not a PDF")
    return out


if __name__ == "__main__":
    found = problems(Path(sys.argv[1]))
    for line in found:
        print(f"check_outputs: {line}", file=sys.stderr)
    if not found:
        print(f"check_outputs: {len(EXPECTED_PX)} PNGs and report.pdf in {sys.argv[1]} are fine")
    sys.exit(1 if found else 0)
