"""Log in as a demo user and screenshot pages, for looking at the UI as a user would.

    .venv/bin/python tools/screenshots.py --user dunhua /people/ /people/1/ --width 390
"""

import argparse
import os
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="leader")
    parser.add_argument("--password", default="Shequ#2026demo")
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--out", default="var/screens")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height}, locale="zh-CN")
        page.goto(f"{args.base}/accounts/login/")
        page.fill("input[name=username]", args.user)
        page.fill("input[name=password]", args.password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        for path in args.paths:
            page.goto(args.base + path)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(400)
            name = re.sub(r"[^a-zA-Z0-9]+", "_", f"{args.user}_{path}_{args.width}").strip("_") + ".png"
            page.screenshot(path=str(out / name), full_page=args.full)
            print(out / name)
        browser.close()


if __name__ == "__main__":
    main()
