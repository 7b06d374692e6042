"""The HTML report in a real headless browser (Debian's Chromium, driven by Selenium).

Chromium and chromedriver come from ``.ci/install-browser`` (``apt-get install chromium
chromium-driver``).  Without them the test is skipped on a developer's machine and *fails* in
CI (``CI`` set), so the check never silently disappears there.
"""

import json
import os
import shutil
import textwrap

import pytest

from critlocus.cli import main

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")

SPECS = textwrap.dedent('''
    from critlocus import Source, Spec, claims, strategies

    CORE = strategies.core_locus_instances(max_depth=4, max_width=3, max_data=3)
    NO_POSITIVE = Spec(id="mine.core-no-positive", source=Source("notes", "Conjecture 1"),
                       statement="Core points have no positive Hessian eigenvalue.",
                       instances=CORE, claim=claims.hessian_inertia(positive=0))
    DEGENERATE = Spec(id="mine.core-degenerate", source=Source("notes", "Conjecture 2"),
                      statement="Core points are degenerate critical points.",
                      instances=CORE, claim=claims.is_critical() & claims.is_degenerate())
''')


def _browser():
    missing = [p for p in (CHROMIUM, DRIVER) if not os.path.exists(p)]
    webdriver = None
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing.append("selenium (pip install -e '.[test]')")
    if missing:
        message = f"headless browser unavailable: missing {missing}; run .ci/install-browser"
        if os.environ.get("CI"):
            pytest.fail(message)  # never skipped in CI
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    return webdriver, options, Service(DRIVER)


def test_html_report_renders_one_row_per_spec_and_every_plot_loads(tmp_path):
    pytest.importorskip("matplotlib")
    webdriver, options, service = _browser()
    spec_file = tmp_path / "conjectures.py"
    spec_file.write_text(SPECS)
    out = tmp_path / "results.json"
    main(["check", str(spec_file), "--examples", "5", "--seed", "1", "--quiet", "--jobs", "1",
          "--json", str(out), "--reports-dir", str(tmp_path / "reports")])
    ids = [r["id"] for r in json.loads(out.read_text())["results"]]
    page = (tmp_path / "reports" / "latest" / "report.html").resolve()
    profile = tmp_path / "chromium-profile"
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(options=options, service=service)
    try:
        driver.set_page_load_timeout(60)
        driver.get(page.as_uri())
        rows = driver.find_elements("css selector", "#summary tr.summary-row")
        assert [row.get_attribute("data-spec-id") for row in rows] == ids
        assert "fails" in rows[0].text and "holds" in rows[1].text
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth]);")
        assert len(images) >= 2 * len(ids)  # a spectrum and an evidence plot per spec
        for alt, complete, width in images:
            assert complete and width > 0, f"plot {alt!r} did not load"
        # the summary links to each spec's section, which shows its counterexample
        link = rows[0].find_element("css selector", "a")
        assert link.get_attribute("href").endswith("#spec-mine.core-no-positive")
        section = driver.find_element("id", "spec-mine.core-no-positive")
        assert "Counterexample (shrunk)" in section.text and "critlocus replay" in section.text
    finally:
        driver.quit()
