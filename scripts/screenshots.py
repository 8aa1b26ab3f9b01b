"""Regenerate the README screenshots: the browser tests walk every tab in English and Chinese and save
one PNG per tab (docs/screenshots/{en,zh}-{tab}.png); then each PNG is shrunk to a 256-colour palette.

Run with `make screenshots` (it installs Chromium and the CJK fonts first, like `make test`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"


def shrink(path: Path) -> None:
    """A 256-colour palette PNG: UI screenshots lose nothing visible and shrink about four times."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "VISITCOACH_SCREENSHOTS": str(OUT)}
    tests = ["tests/test_ui_walk.py::test_every_tab_in_english_works_without_error_badges",
             "tests/test_ui_walk.py::test_every_tab_in_chinese_shows_no_code_words"]
    code = subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests], cwd=ROOT, env=env)
    shots = sorted(OUT.glob("*.png"))
    for shot in shots:
        shrink(shot)
    total = sum(p.stat().st_size for p in shots)
    print(f"{len(shots)} screenshots in {OUT.relative_to(ROOT)} ({total / 1e6:.1f} MB)")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
