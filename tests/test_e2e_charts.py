"""Charts as a reader sees them in a real browser, read from the rendered SVG: a funnel plot shows both limits and
names every point away from the lines; a bar of parts of a whole still reads as 100% when parts are withheld."""
from __future__ import annotations

import os

import pytest

from conftest import CHROMIUM, build_store
from cseboard.tools import serve
from factory import numbered, rows
from test_e2e_dashboard import page  # noqa: F401  (the same fresh browser tab fixture)

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason=f"{CHROMIUM} is not installed (make test installs Debian's chromium)")

# Children referred in 2026-Q2 and boys among them, by area: one small area whose 99.8% upper limit is far above
# every point, and whose lower 99.8% limit is undefined (it would be below 0%).
AREAS = {"Eastfield": (10, 5), "Northgate": (30, 6), "Southfield": (60, 20), "Westbrook": (120, 24)}
HOUSING = {"Child in need": 14, "No further action": 3, "Early help": 3}


def extract() -> list[dict]:
    """The areas' referrals; twenty of Westbrook's girls were referred by Housing, most of them to child in need."""
    made = []
    for area, (children, boys) in AREAS.items():
        made += rows("referrals", boys, referral_date="2026-05-10", area=area, gender="Male")
        made += rows("referrals", children - boys, referral_date="2026-05-10", area=area, gender="Female")
    housing = [outcome for outcome, count in HOUSING.items() for _ in range(count)]
    westbrook_girls = [row for row in made if row["area"] == "Westbrook" and row["gender"] == "Female"]
    for row, outcome in zip(westbrook_girls, housing):
        row.update(referral_source="Housing", outcome=outcome)
    return numbered(made)


@pytest.fixture(scope="module")
def charts_server(tmp_path_factory):
    """The dashboard with local sign-in on a store of the extract above (real, not the sample: the demo refuses it):
    (url, the viewer's password)."""
    folder = tmp_path_factory.mktemp("charts")
    db = build_store(folder, referrals=extract())
    password = serve.local_account(db, "viewer", "viewer")
    (folder / "secrets.toml").write_text(serve.LOCAL_SIGN_IN)
    with open(folder / "streamlit.log", "wb") as log:
        process, url = serve.start(db, log, secrets=folder / "secrets.toml")
        try:
            yield url, password
        finally:
            serve.stop(process)


def signed_in(page, charts_server) -> str:
    """Sign the tab in as the viewer; the server's address."""
    url, password = charts_server
    serve.sign_in(page, url, "viewer", password)
    return url


def open_chart(page, url: str, title_start: str):
    """The rendered plot whose title starts with title_start, once the page has finished running."""
    page.set_default_timeout(180_000)
    page.goto(url)
    page.locator(".js-plotly-plot").first.wait_for()
    serve.wait_until_idle(page, 180)
    plot = page.locator(".js-plotly-plot").filter(has=page.locator(".gtitle", has_text=title_start)).first
    plot.scroll_into_view_if_needed()
    return plot


READ_FUNNEL = """plot => {
  const box = el => el.getBoundingClientRect();
  const lines = [...plot.querySelectorAll('.scatterlayer .trace')].filter(t => t.querySelector('.js-line'));
  const limitPaths = lines.slice(0, 4).map(t => t.querySelector('.js-line'));
  const points = [...plot.querySelectorAll('.scatterlayer .point')].map(p => box(p));
  const labels = [...plot.querySelectorAll('.annotation-text-g')].map(g => ({text: g.textContent, box: box(g)}));
  const area = box(plot.querySelector('.nsewdrag'));
  // Every limit path sampled along its length, in page coordinates.
  const samples = limitPaths.map(path => {
    const matrix = path.getScreenCTM(), out = [];
    for (let d = 0; d <= path.getTotalLength(); d += 2) {
      const p = path.getPointAtLength(d);
      out.push({x: matrix.a * p.x + matrix.c * p.y + matrix.e, y: matrix.b * p.x + matrix.d * p.y + matrix.f});
    }
    return out;
  });
  const ticks = [...plot.querySelectorAll('.ytick text')].map(t => t.textContent);
  return {area: {top: area.top, bottom: area.bottom, left: area.left, right: area.right}, points: points.length,
          labels: labels.map(l => ({text: l.text, top: l.box.top, bottom: l.box.bottom, left: l.box.left,
                                    right: l.box.right})), samples, ticks};
}"""


def test_a_funnel_plot_shows_both_limits_names_every_point_off_the_lines_and_marks_percent(charts_server, page):
    plot = open_chart(page, f"{signed_in(page, charts_server)}/age-gender?from=2026-Q2&to=2026-Q2", "")
    plot = page.locator(".js-plotly-plot").filter(has=page.locator(".annotation-text-g")).first
    read = plot.evaluate(READ_FUNNEL)
    area, samples = read["area"], read["samples"]
    assert read["points"] == len(AREAS)
    assert sorted(label["text"] for label in read["labels"]) == sorted(AREAS)
    for line in samples:  # each limit drawn inside the plot area (none cut off by the axis range)...
        assert line, "a limit line is not drawn"
        assert all(area["top"] - 1 <= p["y"] <= area["bottom"] + 1 for p in line)
        # ...and none drawn flat along the 0% axis where the limit is not defined
        assert sum(abs(p["y"] - area["bottom"]) < 1 for p in line) < 3
    for label in read["labels"]:  # no label sits on a line
        assert not any(label["left"] <= p["x"] <= label["right"] and label["top"] <= p["y"] <= label["bottom"]
                       for line in samples for p in line), label["text"]
    assert read["ticks"] and all(tick.endswith("%") for tick in read["ticks"])


READ_BARS = """plot => {
  const area = plot.querySelector('.nsewdrag').getBoundingClientRect();
  const rows = {};
  for (const point of plot.querySelectorAll('.barlayer .point')) {  // one bar each, however many paths it draws
    const b = point.querySelector('path').getBoundingClientRect();
    if (b.width < 0.5) continue;
    const key = Math.round(b.top + b.height / 2);
    rows[key] = (rows[key] || 0) + b.width;
  }
  const last = [...plot.querySelectorAll('.xtick text')].pop().getBoundingClientRect();
  return {width: area.width, rows: Object.values(rows), ticks: [...plot.querySelectorAll('.xtick text')].map(t => t.textContent),
          lastTickInside: last.right <= plot.querySelector('.main-svg').getBoundingClientRect().right,
          legend: [...plot.querySelectorAll('.legendtext')].map(t => t.textContent)};
}"""


def test_outcome_bars_with_withheld_parts_still_read_as_a_whole(charts_server, page):
    page.set_default_timeout(180_000)
    page.goto(f"{signed_in(page, charts_server)}/sources-outcomes?from=2026-Q2&to=2026-Q2")
    page.locator(".js-plotly-plot").first.wait_for()
    serve.wait_until_idle(page, 180)
    plot = page.locator(".js-plotly-plot").filter(has=page.locator(".legendtext", has_text="Child in need")).first
    plot.scroll_into_view_if_needed()
    read = plot.evaluate(READ_BARS)
    assert len(read["rows"]) == 2, read  # Police and Housing
    for filled in read["rows"]:
        assert filled == pytest.approx(read["width"], abs=2), read
    assert read["ticks"][-1] == "100%" and read["lastTickInside"], read
    # Whether a part is withheld (c) depends on the store's secret record keys (a count of 3 publishes as 5 or as c),
    # so the hatched segment is not always there; when it is, the legend names it.
    hatched = [text for text in read["legend"] if text.startswith("Withheld")]
    assert hatched in ([], ["Withheld (c)"])
