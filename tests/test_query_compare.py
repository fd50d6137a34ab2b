"""`python -m cseboard.bench --compare-sql` times the queries against an older text of them and prints the ratios.

No assertion on times: they depend on the machine. Only that every query ran in both versions on a tiny store, that the
ratios are printed, and that an older text that fails, is missing or gives other figures is reported as such.
"""
from __future__ import annotations

import json
import re

import pytest

from cseboard.config import QUERIES_DIR
from cseboard.store.queries import query_names
from cseboard.tools import bench, query_compare

SIZE = 2000
BROKEN, MISSING, CHANGED = "training_coverage", "missing_repeat", "age_gender_referrals"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """One output folder for the module, so that the second comparison reuses the first one's store."""
    return tmp_path_factory.mktemp("compare")


@pytest.fixture()
def older_folder(tmp_path):
    """The current queries as an older folder, but one broken, one left out and one counting differently."""
    for path in QUERIES_DIR.glob("*.sql"):
        if path.stem != MISSING:
            (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / f"{BROKEN}.sql").write_text("SELECT FROM WHERE")
    changed = tmp_path / f"{CHANGED}.sql"
    changed.write_text(changed.read_text().replace("count(*) AS referrals", "count(*) + 1 AS referrals"))
    return tmp_path


def compare(out, older: str, capsys) -> tuple[dict, str]:
    capsys.readouterr()
    code = bench.main(["--compare-sql", older, "--sizes", str(SIZE), "--out", str(out), "--repeats", "2",
                       "--keep-stores"])
    printed = capsys.readouterr().out
    assert code == 0
    return json.loads((out / "compare-latest.json").read_text())["sizes"][str(SIZE)], printed


def rows(printed: str, name: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in printed.splitlines()
            if line.startswith(f"| {name} |")]


def test_against_a_git_revision_every_query_runs_in_both_and_prints_ratios(out, capsys):
    entry, printed = compare(out, "HEAD", capsys)

    assert set(entry["queries"]) == set(query_names())
    for name in query_names():
        settings = entry["queries"][name]["settings"]
        assert set(settings) == set(bench.SETTINGS)
        for timing in settings.values():
            assert timing["wall_ratio"] > 0 and timing["current_cpu_p50"] >= 0
            assert len(timing["current_wall"]) == len(timing["older_wall"]) == 2
        table = rows(printed, name)
        assert len(table) == len(bench.SETTINGS)
        assert all(re.fullmatch(r"\d+\.\d\d", row[4]) for row in table), table
    assert f"**{SIZE:,} referrals**: 2 interleaved repetitions" in printed


def test_against_a_folder_failures_absences_and_other_figures_are_reported(out, older_folder, capsys):
    entry, printed = compare(out, str(older_folder), capsys)

    assert entry["queries"][MISSING] == {"skipped": "not among the older queries"}
    assert all(t["error"].startswith("older: ParserException") for t in entry["queries"][BROKEN]["settings"].values())
    assert all(not t["same_figures"] for t in entry["queries"][CHANGED]["settings"].values())
    assert all(t["same_figures"] for t in entry["queries"]["headline_by_quarter"]["settings"].values())
    assert rows(printed, MISSING) == [[MISSING, "not among the older queries", "", "", "", "", "", ""]]
    assert all(row[2].startswith("older: ParserException") for row in rows(printed, BROKEN))
    assert all(row[-1] == "no" for row in rows(printed, CHANGED))


def test_a_source_that_is_neither_a_folder_nor_a_revision_is_refused():
    with pytest.raises(SystemExit, match="neither a folder nor a git revision"):
        query_compare.older_queries("no-such-revision-anywhere")
