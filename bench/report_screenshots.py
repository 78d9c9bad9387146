"""The README's two pictures of `kg report`'s site, taken in headless Chromium.

    python bench/report_screenshots.py                 # builds the default report and its site first
    python bench/report_screenshots.py --site out/site # an existing site

Writes docs/report-overview.png (the English overview: counts, the SDG coverage heatmap, the top
partners and the world map) and docs/report-programme.png (the Chinese page of WEP, WIPO's programme for
women entrepreneurs from Indigenous Peoples and local communities: its targets and partners, and its
activities as the text states them, the words behind each link marked). Needs Debian's chromium and
chromium-driver, selenium and Pillow (pip install -e '.[test]'), and a CJK font for the Chinese page
(apt-get install fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--force-device-scale-factor=1")
WIDTH = 1280


def browser(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in FLAGS + (f"--window-size={WIDTH},1000", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


def shoot(driver, page: Path, out: Path, top_selector: str | None, bottom_selector: str) -> None:
    """A picture of ``page`` from ``top_selector`` (or the top) to the bottom of ``bottom_selector``."""
    from PIL import Image

    driver.get(page.as_uri())
    deadline = time.monotonic() + 60
    while driver.execute_script("return document.documentElement.getAttribute('data-charts')") is None:
        if time.monotonic() > deadline:
            sys.exit(f"{page}: the charts were not drawn")
        time.sleep(0.1)
    time.sleep(0.5)
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(WIDTH, height + 200)
    time.sleep(0.5)
    top = driver.execute_script(f"return document.querySelector({top_selector!r}).getBoundingClientRect().top"
                                "+ window.scrollY") if top_selector else 0
    bottom = driver.execute_script(f"return document.querySelector({bottom_selector!r}).getBoundingClientRect()"
                                   ".bottom + window.scrollY")
    image = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    image = image.crop((0, max(0, int(top) - 10), WIDTH, min(image.height, int(bottom) + 20)))
    image.save(out, optimize=True)
    print(f"wrote {out.relative_to(ROOT)} ({image.width}×{image.height})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help="a site `kg report` wrote (default: build the default report "
                        "and its site in a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-screenshots-") as scratch:
        scratch = Path(scratch)
        site = args.site
        if site is None:
            from kg.build.run import build
            from kg.report import write_site

            build([], scratch / "out")
            site = write_site(scratch / "out").path
        driver = browser(scratch / "profile")
        try:
            shoot(driver, site / "en" / "index.html", ROOT / "docs" / "report-overview.png", None, "#map")
            shoot(driver, site / "zh" / "programme" / "wep.html", ROOT / "docs" / "report-programme.png", None,
                  "ol.claims > li:first-child")
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
