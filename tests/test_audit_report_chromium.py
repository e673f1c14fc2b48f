"""The audit's index.html in real headless Chromium: the four plots render, with visible marks."""

from __future__ import annotations

import base64
import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "redteam"))
from cdp import Page, chromium_page, find_chromium

from audit_support import synthetic_audit
from raikit.report import write_scorecard
from raikit.report.plots import OFF_COLOUR, ON_COLOUR
from support import free_port

pytestmark = pytest.mark.integration

# chart id -> fewest marks (bars or points) it must show for the synthetic audit
CHARTS = {"plot-adherence": 16, "plot-asr": 12, "plot-gaps": 2, "plot-deltas": 16}

MEASURE = """
Array.from(document.querySelectorAll('svg.chart')).map(svg => {
  const box = svg.getBoundingClientRect();
  const marks = Array.from(svg.querySelectorAll('.bar, .point')).filter(m => {
    const r = m.getBoundingClientRect(); return r.width > 0 && r.height > 0;
  });
  return {id: svg.id, x: box.x + window.scrollX, y: box.y + window.scrollY,
          width: box.width, height: box.height, marks: marks.length};
})
"""


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _screenshot(page: Page, chart: dict[str, float]) -> tuple[int, int, int]:
    """Pixels of the two series' colours in the chart's screenshot, and how many colours it has."""
    from PIL import Image

    clip = {"x": chart["x"], "y": chart["y"], "width": chart["width"], "height": chart["height"], "scale": 1}
    shot = page.call("Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True)
    image = Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")
    raw = image.tobytes()
    pixels = [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]

    def near(target: tuple[int, int, int]) -> int:
        return sum(1 for p in pixels if sum(abs(a - b) for a, b in zip(p, target, strict=True)) < 40)

    return near(_rgb(OFF_COLOUR)), near(_rgb(ON_COLOUR)), len(set(pixels))


def test_plots_render_in_headless_chromium(tmp_path: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    pytest.importorskip("PIL", reason="the screenshot check needs Pillow")
    page_path = write_scorecard(synthetic_audit(), tmp_path)["html"]
    with chromium_page(chromium, free_port()) as page:
        page.call(
            "Emulation.setDeviceMetricsOverride", width=1200, height=900, deviceScaleFactor=1, mobile=False
        )
        page.navigate(page_path.resolve().as_uri())
        page.wait("document.readyState === 'complete' && document.querySelectorAll('svg.chart').length === 4")
        charts = {c["id"]: c for c in page.eval(MEASURE)}
        assert set(charts) == set(CHARTS)
        for chart_id, fewest in CHARTS.items():
            chart = charts[chart_id]
            assert chart["width"] > 300 and chart["height"] > 60, chart
            assert chart["marks"] >= fewest, chart
            off, on, colours = _screenshot(page, chart)
            # both series are drawn (not a blank or one-colour picture)
            assert colours > 10, (chart_id, colours)
            assert off > 20, (chart_id, "guard-off marks not visible")
            if chart_id != "plot-deltas":  # one series: guard on minus guard off, in the first colour
                assert on > 20, (chart_id, "guard-on marks not visible")
        assert page.eval("document.getElementById('adherence').textContent").startswith("51%")
