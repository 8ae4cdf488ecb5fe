"""Screenshot built pages in headless Chromium: `python scripts/screenshot.py PAGE... [--width W] [--dark]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"


def main() -> None:
    """Save a full-page PNG of each page given, opened from disk."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("pages", nargs="+", help="paths inside the output folder, e.g. index.html")
    parser.add_argument("--out", default="output", help="the built site (default: output)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--dark", action="store_true", help="emulate prefers-color-scheme: dark")
    parser.add_argument("--to", default="/tmp/shots", help="folder for the PNGs")
    parser.add_argument("--clip", type=int, default=0, help="keep only the top N pixels (0: the whole page)")
    args = parser.parse_args()
    target = Path(args.to)
    target.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(
            viewport={"width": args.width, "height": 900}, color_scheme="dark" if args.dark else "light"
        )
        for name in args.pages:
            page.goto((Path(args.out) / name).resolve().as_uri())
            shot = target / f"{name.replace('/', '_')}-{args.width}{'-dark' if args.dark else ''}.png"
            if args.clip:
                page.screenshot(path=str(shot), clip={"x": 0, "y": 0, "width": args.width, "height": args.clip})
            else:
                page.screenshot(path=str(shot), full_page=True)
            print(shot)
        browser.close()


if __name__ == "__main__":
    main()
