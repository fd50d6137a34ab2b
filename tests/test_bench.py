"""The benchmark script keeps working: a quick run on a tiny extract writes its JSON and Markdown.

No assertion on times: they depend on the machine. Only that every phase ran and the outputs have their shape.
"""
from __future__ import annotations

import json

from cseboard.tools import bench


def test_quick_bench_writes_json_and_markdown(tmp_path):
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\nProse kept.\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\nMore prose.\n")
    assert bench.main(["--quick", "--sizes", "2000", "--out", str(tmp_path / "out"), "--docs", str(docs),
                       "--no-browser", "--repeats", "1", "--page-repeats", "1"]) == 0

    result = json.loads((tmp_path / "out" / "latest.json").read_text())
    assert result["machine"]["cores"] >= 1
    entry = result["sizes"]["2000"]
    assert entry["load"]["referrals"] == 2000 and entry["load"]["peak_rss_mb_self"] > 0
    assert set(result["settings"]) <= set(bench.SETTINGS)
    pages = entry["pages"]["pages"]
    assert {p["path"] for p in bench.pages()} <= set(pages)
    assert all({"first_s", "rerun_s", "exceptions", "queries"} <= page.keys() for name, page in pages.items()
               if not name.startswith("_"))
    queries = entry["queries"]["queries"]
    assert "headline_by_quarter" in queries
    # the app's queries ran on the benchmark's store (one row per quarter of its extract), not on the demo's sample
    assert queries["headline_by_quarter"]["settings"]["all data"]["rows"] == result["quarters"]
    for name, query in queries.items():
        for setting in query.get("settings", {}).values():
            assert "error" in setting or {"cold", "cached", "bare"} <= setting.keys(), (name, setting)
    assert "pandas_read_and_group" in entry["baseline"]
    views = entry["views"]
    assert {p["path"] for p in bench.pages()} == set(views["views"])
    assert all({"first_cpu_s", "new_session_cpu_s", "rerun_cpu_s", "bytes"} <= view.keys() and not view["exceptions"]
               for view in views["views"].values())
    assert [(m["sessions"], m["link"]) for m in views["meeting"]] == [
        (count, link) for count in bench.QUICK_SESSIONS_AT_ONCE for link in ("new link", "same link again")]
    assert not any(m["errors"] for m in views["meeting"])
    summary = result["summary"]
    assert summary["by_size"]["2000"]["load_rows_per_s"] > 0
    assert all({"target", "met", "figure"} <= t.keys() for t in summary["targets"])

    text = docs.read_text()
    assert text.startswith("# Benchmarks\n\nProse kept.") and text.rstrip().endswith("More prose.")
    assert "old" not in text and "| referrals |" in text and "**Targets:**" in text
    assert "**Page views on a real server**" in text and "**Sessions opening the same link at once**" in text
