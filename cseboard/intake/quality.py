"""Data quality of an extract, and the words the upload and history pages use to explain a load.

Pure functions: they read validated tables (or a validation report, or the store's history table) and
return plain data; the pages only draw what these return.

The data-quality report is worked out when an extract is validated, shown before it is loaded, and kept
with the extract (``extracts.quality_json``). It follows the spirit of the CSA Centre's data improvement
tool, which rates how well agencies record child sexual abuse: a short Red / Amber / Green summary per
measure at the top, with the detail below. The thresholds are set out in ``MEASURES`` and shown on the page:

- Gender not known: Green up to 2% of referrals, Amber up to 5%, Red above. Boys are under-identified as
  victims of CSE (Barnardo's 2014; DfE 2017), and an unrecorded gender hides them.
- Ethnicity not known: Green up to 5%, Amber up to 10%, Red above. Without it, over- and
  under-representation of groups of children cannot be seen.
- Other referral fields not known (referral source, risk level "Not assessed", area and the rest; the worst
  column counts): Green up to 5%, Amber up to 15%, Red above.
- Possible duplicate referrals (the same child referred twice on one day from one source): Green none,
  Amber up to 1% of referrals, Red above.
- Rows dated outside the extract's period (left out of the load): Green none, Amber up to 5% of rows,
  Red above; rows in the wrong period usually mean the wrong extract was run.
- Impossible age changes (a child's age falls between two referrals, or rises by more than the time between
  them allows, one year per year plus one for birthdays): Green none, Amber up to 1% of children with more
  than one referral, Red above; a pseudonym given to two children is the usual cause.
- Missing episodes that end before they start, or overlap another episode of the same child: Green none,
  Amber up to 2% of episodes, Red above.
- Training rows with more staff trained than in scope: Green none, Red otherwise.

Measures that a table is needed for show "Not rated" when the extract has no such table.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from cseboard.contract import TABLES_BY_NAME
from cseboard.methods.words import heading
from cseboard.periods import quarter_start, quarters_between, shift_quarter
from cseboard.intake.report import ERROR, WARNING, Report

GREEN, AMBER, RED, NOT_RATED = "Green", "Amber", "Red", "Not rated"
RAG_COLOURS = {GREEN: "#d4edda", AMBER: "#ffe8c2", RED: "#f8d0d0", NOT_RATED: "#eeeeee"}
QUALITY_VERSION = 1
SAMPLES = 10

# Values that say a fact was not recorded, per column (empty cells count too).
NOT_KNOWN = {"gender": ("Not known",), "ethnicity": ("Not known",), "risk_level": ("Not assessed",)}
# Columns where an empty cell is a fact, not a gap: no linked crime, still missing, no interview yet.
EMPTY_IS_AN_ANSWER = {"linked_crimes", "vulnerabilities", "end_date", "return_interview_date"}


@dataclass(frozen=True)
class Measure:
    """One line of the RAG summary: Green up to `green`, Amber up to `amber`, Red above (shares 0-1)."""

    key: str
    label: str
    green: float
    amber: float
    why: str

    def rate(self, share: float | None) -> str:
        if share is None:
            return NOT_RATED
        if share <= self.green:
            return GREEN
        return AMBER if share <= self.amber else RED

    def thresholds(self) -> str:
        """The thresholds in a few words, short enough for a table column that fits the page."""
        green = "none" if self.green == 0 else f"≤ {_percent(self.green)}"
        if self.green == self.amber:
            return f"Green {green}, Red any"
        return f"Green {green}, Amber ≤ {_percent(self.amber)}, Red above"


MEASURES = (
    Measure("gender_not_known", "Gender not known", 0.02, 0.05,
            "An unrecorded gender hides boys, who are under-identified as victims of CSE."),
    Measure("ethnicity_not_known", "Ethnicity not known", 0.05, 0.10,
            "Without ethnicity, over- and under-representation of groups of children cannot be seen."),
    Measure("other_not_known", "Other referral fields not known", 0.05, 0.15,
            "Blank or 'Not assessed' values in the other referral columns; the figure is the worst column's."),
    Measure("possible_duplicates", "Possible duplicate referrals", 0.0, 0.01,
            "The same child referred more than once on the same day from the same source."),
    Measure("outside_period", "Rows dated outside the extract's period", 0.0, 0.05,
            "These rows were left out; many usually means the wrong date range was exported."),
    Measure("impossible_ages", "Children whose age changes impossibly", 0.0, 0.01,
            "Age falls between referrals, or rises faster than time allows (one pseudonym for two children?). "
            "Share of children with more than one referral."),
    Measure("missing_inconsistent", "Missing episodes inconsistent", 0.0, 0.02,
            "Episodes ending before they start, or overlapping another episode of the same child."),
    Measure("training_inconsistent", "More staff trained than in scope", 0.0, 0.0,
            "A coverage above 100% cannot be right."),
)
MEASURES_BY_KEY = {m.key: m for m in MEASURES}


def _percent(share: float) -> str:
    return f"{100 * share:.0f}%" if share * 100 == round(share * 100) else f"{100 * share:.1f}%"


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


# ---------------------------------------------------------------------------------------------------------
# The data-quality report


def completeness(tables: dict[str, pa.Table]) -> list[dict]:
    """Per table and column: how many values are empty or say "Not known" (or "Not assessed")."""
    rows = []
    for name, table in tables.items():
        total = table.num_rows
        for column in TABLES_BY_NAME[name].columns:
            if column.name not in table.column_names:
                continue
            values = table.column(column.name)
            kind = values.type.value_type if pa.types.is_dictionary(values.type) else values.type
            empty = values.null_count
            if pa.types.is_string(kind) or pa.types.is_large_string(kind):
                empty += _count(values, lambda v: pa.compute.equal(v, ""))
            elif pa.types.is_list(kind):
                empty += _count(values, lambda v: pa.compute.equal(pa.compute.list_value_length(v), 0))
            not_known = 0
            if column.name in NOT_KNOWN:
                not_known = _count(values, lambda v: pa.compute.is_in(v, pa.array(NOT_KNOWN[column.name])))
            rows.append({
                "table": name, "column": column.name, "rows": total, "empty": int(empty), "not_known": int(not_known),
                "share": _share(int(empty) + int(not_known), total) or 0.0,
                "gap": column.name not in EMPTY_IS_AN_ANSWER,
            })
    return rows


def _count(values: pa.ChunkedArray, test) -> int:
    """Rows whose value passes `test`; a dictionary-encoded column (as validation returns text and lists) is
    tested once per distinct value."""
    if not pa.types.is_dictionary(values.type):
        return pa.compute.sum(test(values)).as_py() or 0
    total = 0
    for chunk in values.chunks:
        passed = test(chunk.dictionary).fill_null(False).to_numpy(zero_copy_only=False)
        total += int(np.bincount(chunk.indices.drop_null().to_numpy(), minlength=len(passed)) @ passed)
    return total


def duplicates(referrals: pa.Table, validated: bool = False) -> dict:
    """Repeated referral ids (refused by validation, so none when `validated`) and likely duplicates: same child,
    day and source."""
    con = duckdb.connect()
    con.register("referrals", referrals.select(["referral_id", "child_id", "referral_date", "referral_source"]))
    repeated_ids = 0 if validated else con.execute(
        "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) n FROM referrals GROUP BY referral_id HAVING n > 1)"
    ).fetchall()[0][0]
    # The repeated (child, day, source) keys first, by a plain count; ids are joined into strings only for those.
    likely = con.execute(
        "WITH repeated AS (SELECT child_id, referral_date, referral_source FROM referrals GROUP BY ALL "
        "HAVING count(*) > 1) "
        "SELECT child_id, referral_date::VARCHAR, referral_source, string_agg(referral_id, ', ' ORDER BY referral_id), "
        "count(*) FROM referrals SEMI JOIN repeated USING (child_id, referral_date, referral_source) "
        "GROUP BY ALL ORDER BY 2, 1").fetchall()
    con.close()
    return {"repeated_referral_ids": int(repeated_ids),
            "possible_duplicates": int(sum(n - 1 for *_, n in likely)),
            "samples": [{"referral_ids": ids, "referral_date": day, "referral_source": source}
                        for _, day, source, ids, _ in likely[:SAMPLES]]}


def impossible_ages(referrals: pa.Table) -> dict:
    """Consecutive referrals of a child whose age falls, or rises by more than the years between them + 1."""
    con = duckdb.connect()
    con.register("referrals", referrals.select(["referral_id", "child_id", "referral_date", "age_at_referral"]))
    # Only children with more than one referral can have a pair: the window runs on their rows alone.
    con.execute("CREATE TEMP TABLE repeat_children AS "
                "SELECT child_id FROM referrals GROUP BY child_id HAVING count(*) > 1")
    pairs = con.execute("""
        WITH ordered AS (
            SELECT child_id, referral_id, referral_date, age_at_referral,
                   lag(referral_id) OVER w AS previous_id, lag(referral_date) OVER w AS previous_date,
                   lag(age_at_referral) OVER w AS previous_age
            FROM referrals SEMI JOIN repeat_children USING (child_id)
            WINDOW w AS (PARTITION BY child_id ORDER BY referral_date, referral_id))
        SELECT child_id, previous_id, previous_date::VARCHAR, previous_age, referral_id, referral_date::VARCHAR,
               age_at_referral,
               CASE WHEN age_at_referral < previous_age THEN 'age falls' ELSE 'age rises too fast' END
        FROM ordered
        WHERE previous_id IS NOT NULL
          AND (age_at_referral < previous_age
               OR age_at_referral - previous_age > date_diff('day', previous_date, referral_date) / 365.25 + 1)
        ORDER BY referral_date, referral_id""").fetchall()
    repeat_children = con.execute("SELECT count(*) FROM repeat_children").fetchall()[0][0]
    con.close()
    return {"pairs": len(pairs), "children": len({p[0] for p in pairs}), "children_with_repeats": int(repeat_children),
            "samples": [{"referral_ids": f"{p[1]} then {p[4]}", "dates": f"{p[2]} then {p[5]}",
                         "ages": f"{p[3]} then {p[6]}", "why": p[7]} for p in pairs[:SAMPLES]]}


def missing_consistency(episodes: pa.Table, validated: bool = False) -> dict:
    """Episodes that end before they start (refused by validation, so none when `validated`) and overlapping
    episodes of one child."""
    con = duckdb.connect()
    con.register("episodes", episodes)
    ends_before = 0 if validated else con.execute(
        "SELECT count(*) FROM episodes WHERE end_date < start_date").fetchall()[0][0]
    overlaps = con.execute("""
        SELECT a.episode_id, b.episode_id, a.start_date::VARCHAR, coalesce(a.end_date::VARCHAR, 'still missing'),
               b.start_date::VARCHAR
        FROM episodes a JOIN episodes b
          ON a.child_id = b.child_id AND (a.start_date, a.episode_id) < (b.start_date, b.episode_id)
         AND b.start_date < coalesce(a.end_date, DATE '9999-12-31')
        ORDER BY a.start_date, a.episode_id, b.episode_id""").fetchall()
    con.close()
    involved = {e for pair in overlaps for e in pair[:2]}
    return {"end_before_start": int(ends_before), "overlapping_pairs": len(overlaps), "overlapping_episodes": len(involved),
            "samples": [{"episodes": f"{a} and {b}", "first": f"{start} to {end}", "second_starts": second}
                        for a, b, start, end, second in overlaps[:SAMPLES]]}


def training_consistency(training: pa.Table) -> dict:
    con = duckdb.connect()
    con.register("training", training)
    rows = con.execute("SELECT period, agency, level, staff_in_scope, staff_trained FROM training "
                       "WHERE staff_trained > staff_in_scope ORDER BY ALL").fetchall()
    con.close()
    return {"trained_exceeds_scope": len(rows),
            "samples": [dict(zip(("period", "agency", "level", "staff_in_scope", "staff_trained"), r))
                        for r in rows[:SAMPLES]]}


def outside_period(report: Report) -> dict:
    """Rows left out for being dated outside the period, per file (validation counts them)."""
    by_file = defaultdict(int)
    for (severity, file, _column, rule), count in report.totals.items():
        if severity == WARNING and rule == "outside_period":
            by_file[file] += count
    return {"rows": sum(by_file.values()), "by_file": dict(by_file)}


def assess(tables: dict[str, pa.Table], period: tuple[str, str] | None = None, outside: dict | None = None,
           validated: bool = False) -> dict:
    """The data-quality report of validated tables, as plain data (kept as JSON with the extract).

    `validated`: the tables passed validation, whose refusals some measures repeat. The missing episodes are
    assessed on a second thread while referral ages are (DuckDB releases the GIL); not beside duplicates(), whose
    hash table is the largest: the two at once made the 10M prepare's peak (2.6 GB)."""
    outside = outside or {"rows": 0, "by_file": {}}
    rows = {name: table.num_rows for name, table in tables.items()}
    referrals = tables.get("referrals")
    columns = completeness(tables)
    repeated = duplicates(referrals, validated) if referrals is not None else None
    with ThreadPoolExecutor(max_workers=1) as second:
        missing = (second.submit(missing_consistency, tables["missing_episodes"], validated)
                   if "missing_episodes" in tables else None)
        ages = impossible_ages(referrals) if referrals is not None else None
        found = {
            "version": QUALITY_VERSION,
            "period": list(period) if period else None,
            "rows": rows,
            "completeness": columns,
            "outside_period": outside,
            "duplicates": repeated,
            "ages": ages,
            "missing": missing.result() if missing is not None else None,
            "training": training_consistency(tables["training"]) if "training" in tables else None,
        }
    found["rag"] = _rag(found)
    return found


def assess_extract(extract) -> dict:
    """The quality report of a validated Extract (cseboard.validate.Extract)."""
    return assess(extract.tables, (extract.period_start, extract.period_end), outside_period(extract.report),
                  validated=extract.ok)


def _rag(found: dict) -> list[dict]:
    """The summary: one rating per measure, with the figure behind it in words."""
    by_column = {(c["table"], c["column"]): c for c in found["completeness"]}
    referrals = found["rows"].get("referrals", 0)
    figures: dict[str, tuple[float | None, str]] = {}

    def column_figure(column: str) -> tuple[float | None, str]:
        entry = by_column.get(("referrals", column))
        if entry is None or not entry["rows"]:
            return None, "no referrals"
        gaps = entry["empty"] + entry["not_known"]
        return entry["share"], f"{gaps:,} of {entry['rows']:,} referrals ({_percent(entry['share'])})"

    figures["gender_not_known"] = column_figure("gender")
    figures["ethnicity_not_known"] = column_figure("ethnicity")
    others = [c for c in found["completeness"]
              if c["table"] == "referrals" and c["gap"] and c["column"] not in ("gender", "ethnicity")]
    worst = max(others, key=lambda c: c["share"], default=None)
    if worst is None or not worst["rows"]:
        figures["other_not_known"] = (None, "no referrals")
    elif worst["share"] == 0:
        figures["other_not_known"] = (0.0, "none missing")
    else:
        figures["other_not_known"] = (worst["share"], f"{heading(worst['column'])}: {worst['empty'] + worst['not_known']:,} of "
                                      f"{worst['rows']:,} ({_percent(worst['share'])})")
    duplicates_found = found["duplicates"]
    if duplicates_found is None:
        figures["possible_duplicates"] = (None, "no referrals")
    else:
        n = duplicates_found["possible_duplicates"] + duplicates_found["repeated_referral_ids"]
        figures["possible_duplicates"] = (_share(n, referrals), f"{n:,} of {referrals:,} referrals")
    kept = sum(found["rows"].values())
    left_out = found["outside_period"]["rows"]
    figures["outside_period"] = (_share(left_out, kept + left_out),
                                 f"{left_out:,} of {kept + left_out:,} rows left out" if left_out else "none")
    ages = found["ages"]
    if ages is None or not ages["children_with_repeats"]:
        figures["impossible_ages"] = (None if ages is None else 0.0,
                                      "no referrals" if ages is None else "no child has more than one referral")
    else:
        figures["impossible_ages"] = (_share(ages["children"], ages["children_with_repeats"]),
                                      f"{ages['children']:,} of {ages['children_with_repeats']:,} children referred more than once")
    missing = found["missing"]
    episodes = found["rows"].get("missing_episodes", 0)
    if missing is None:
        figures["missing_inconsistent"] = (None, "no missing episodes table")
    else:
        n = missing["end_before_start"] + missing["overlapping_episodes"]
        figures["missing_inconsistent"] = (_share(n, episodes), f"{n:,} of {episodes:,} episodes")
    training = found["training"]
    if training is None:
        figures["training_inconsistent"] = (None, "no training table")
    else:
        n = training["trained_exceeds_scope"]
        figures["training_inconsistent"] = (_share(n, found["rows"]["training"]),
                                            f"{n:,} of {found['rows']['training']:,} training rows")
    summary = []
    for measure in MEASURES:
        share, words = figures[measure.key]
        summary.append({"key": measure.key, "measure": measure.label, "rating": measure.rate(share),
                        "share": share, "figure": words, "thresholds": measure.thresholds(), "why": measure.why})
    return summary


def rag_counts(quality: dict | None) -> dict[str, int]:
    counts = {GREEN: 0, AMBER: 0, RED: 0}
    for entry in (quality or {}).get("rag", []):
        if entry["rating"] in counts:
            counts[entry["rating"]] += 1
    return counts


def rag_line(quality: dict | None) -> str:
    """A one-line summary for the history table: '6 green, 1 amber, 0 red', or 'not assessed'."""
    if not quality:
        return "not assessed"
    counts = rag_counts(quality)
    return ", ".join(f"{n} {rating.lower()}" for rating, n in counts.items())


def rag_table(quality: dict) -> pd.DataFrame:
    """The RAG summary as a table narrow enough for the page: rating, measure, figure, thresholds (why each measure
    matters is listed under it, rag_reasons)."""
    return pd.DataFrame([{"Rating": r["rating"], "Measure": r["measure"], "Figure": r["figure"],
                          "Thresholds": r["thresholds"]} for r in quality.get("rag", [])])


def rag_reasons(quality: dict) -> list[tuple[str, str]]:
    """(measure, why it matters) for each measure of the RAG summary."""
    return [(r["measure"], r["why"]) for r in quality.get("rag", [])]


def completeness_table(quality: dict) -> pd.DataFrame:
    """Completeness per column, worst first, gender and ethnicity called out by the summary above it."""
    frame = pd.DataFrame([{"Table": heading(c["table"]), "Column": heading(c["column"]), "Rows": c["rows"],
                           "Empty": c["empty"],
                           "Not known / not assessed": c["not_known"], "Share missing": f"{100 * c['share']:.1f}%",
                           "Counts as a gap": "yes" if c["gap"] else "no (blank is an answer)",
                           "_share": c["share"]}
                          for c in quality.get("completeness", [])])
    if frame.empty:
        return frame
    frame["_gap"] = frame["Counts as a gap"] == "yes"
    return frame.sort_values(["_gap", "_share", "Table", "Column"], ascending=[False, False, True, True]).drop(
        columns=["_share", "_gap"])


DETAIL_CHECKS = (
    ("duplicates", "Duplicates",
     lambda d: f"{d['repeated_referral_ids']:,} repeated referral ids; {d['possible_duplicates']:,} possible "
               "duplicate referrals (same child, same day, same source)."),
    ("ages", "Age changes",
     lambda a: f"{a['pairs']:,} pairs of referrals for {a['children']:,} children show an impossible change "
               "of age (allowed: one year more per year between referrals, plus one)."),
    ("missing", "Missing episodes",
     lambda m: f"{m['end_before_start']:,} episodes end before they start; {m['overlapping_pairs']:,} pairs of "
               f"episodes of the same child overlap ({m['overlapping_episodes']:,} episodes)."),
    ("training", "Training", lambda t: f"{t['trained_exceeds_scope']:,} rows have more staff trained than in scope."),
)
"""(check, section title, sentence from its findings) for each check whose examples are listed under the summary."""


EXAMPLE_HEADINGS = {"referral_ids": "Referrals", "first": "First episode", "second_starts": "Second episode starts",
                    "why": "What is wrong"}
"""Headings of the examples under each check where the stored name read as a heading would not say enough."""


def detail_sections(quality: dict) -> list[tuple[str, str, pd.DataFrame]]:
    """The detail below the summary: (title, sentence, examples) per check."""
    sections = []
    outside = quality.get("outside_period") or {"rows": 0, "by_file": {}}
    sections.append(("Outside the period",
                     f"{outside['rows']:,} rows dated outside the extract's period were left out.",
                     pd.DataFrame([{"File": f, "Rows left out": n} for f, n in outside["by_file"].items()])))
    for check, title, sentence in DETAIL_CHECKS:
        if quality.get(check) is not None:
            examples = pd.DataFrame(quality[check]["samples"])
            sections.append((title, sentence(quality[check]),
                             examples.rename(columns=lambda name: EXAMPLE_HEADINGS.get(name, heading(name)))))
    return sections


# ---------------------------------------------------------------------------------------------------------
# The validation report in plain words

RULE_TITLES = {
    "too_large": "File too large", "file_type": "Not a file type that can be loaded", "not_data": "Not a data file",
    "bad_zip": "Damaged zip", "zip_bomb": "Zip refused (would expand too far)", "zip_path": "Zip refused (unsafe paths)",
    "not_text": "Not a text CSV file", "empty_file": "Empty file", "encoding": "Text encoding", "bom": "Byte-order mark",
    "delimiter": "Not comma-separated", "unreadable": "File could not be read", "field_count": "Wrong number of fields",
    "formula": "Spreadsheet formula", "unknown_table": "File name does not say which table",
    "missing_table": "Referrals file missing", "no_files": "No data files", "no_rows": "Header but no rows",
    "identifying_column": "Identifying column", "identifying_value": "Identifying value",
    "missing_column": "Required column missing", "duplicate_column": "Two headings for one column",
    "unknown_column": "Column not in the contract", "heading_alias": "Heading read as a contract column",
    "required": "Required value empty", "bad_date": "Not a date", "future_date": "Date in the future",
    "old_date": "Date before 2000", "uk_date": "UK date read", "bad_integer": "Not a whole number",
    "out_of_range": "Number out of range", "bad_choice": "Not an allowed value", "code_mapped": "Code mapped to a label",
    "bad_list_item": "List item not allowed", "bad_quarter": "Not a quarter", "bad_age_band": "Not an age band",
    "partial_ethnicity": "Ethnicity on some population rows only",
    "duplicate_id": "Duplicate id or row", "end_before_start": "Episode ends before it starts",
    "interview_before_missing": "Return interview before the episode", "trained_exceeds_scope": "More trained than in scope",
    "reached_without_sessions": "People reached without a session",
    "trimmed": "Spaces removed", "formula_text": "Starts like a formula (kept as text)",
    "outside_period": "Rows outside the period (left out)", "bad_period": "Period not valid",
    "not_found": "File not found", "repeated_heading": "Heading given twice", "too_many_columns": "Far too many columns",
    "too_long": "Value too long", "control_character": "Control character (such as NUL)",
    "invisible_characters": "Invisible characters removed", "zip_encrypted": "Zip with a password",
    "zip_method": "Zip compression not readable", "column_type": "Column type not readable",
    "empty_period": "Period holds no referrals", "empty_quarter": "Quarter with no referrals",
    "time_dropped": "Time of day dropped", "unexpected": "Extract could not be checked",
}
# File-level refusals a non-technical person should see first, in a sentence.
REFUSED_OUTRIGHT = {"too_large", "file_type", "bad_zip", "zip_bomb", "zip_path", "not_text", "empty_file", "encoding",
                    "delimiter", "unreadable", "formula", "identifying_column", "identifying_value", "unknown_table",
                    "missing_table", "no_files", "repeated_heading", "too_many_columns", "zip_encrypted", "zip_method",
                    "column_type", "empty_period", "unexpected"}


def rule_title(rule: str) -> str:
    return RULE_TITLES.get(rule, rule.replace("_", " ").capitalize())


def verdict(report: Report) -> str:
    """'can load' or 'cannot load', with the counts, in the words the page and the shell use."""
    errors, warnings = report.count(ERROR), report.count(WARNING)
    if report.ok:
        fixed = f", with {warnings:,} automatic fix{'' if warnings == 1 else 'es'} or note{'' if warnings == 1 else 's'}" if warnings else ""
        return f"This extract can load{fixed}."
    return (f"This extract cannot load: {errors:,} problem{'' if errors == 1 else 's'} must be fixed first. "
            "Nothing has been written.")


def headline_refusals(report: Report) -> list[str]:
    """The serious refusals (file type, size, zips, identifying data...) as sentences, one per finding."""
    lines = []
    for problem in report.errors:
        if problem.rule in REFUSED_OUTRIGHT:
            lines.append(f"{rule_title(problem.rule)}: {problem}")
    return lines


def problem_groups(report: Report, severity: str) -> list[dict]:
    """Findings grouped by rule, with the exact count and the sampled findings (file, row, column, value)."""
    counts: dict[str, int] = defaultdict(int)
    for (sev, _file, _column, rule), n in report.totals.items():
        if sev == severity:
            counts[rule] += n
    samples: dict[str, list[dict]] = defaultdict(list)
    for p in report.problems:
        if p.severity == severity:
            samples[p.rule].append({"File": p.file, "Row": "" if p.row is None else str(p.row), "Column": p.column or "",
                                    "Value": p.value or "", "Why": p.message})
    groups = [{"rule": rule, "title": rule_title(rule), "count": n, "samples": pd.DataFrame(samples[rule])}
              for rule, n in counts.items()]
    return sorted(groups, key=lambda g: (-g["count"], g["title"]))


def summary_table(report: Report) -> pd.DataFrame:
    """Report.summary_rows with plain titles: one row per file, column and rule, with exact counts."""
    return pd.DataFrame([{"": "❌ error" if r["severity"] == ERROR else "⚠️ fixed / note", "Problem": rule_title(r["rule"]),
                          "File": r["file"], "Column": r["column"], "Rows": r["count"], "Rule": r["rule"]}
                         for r in report.summary_rows()])


def _decoded(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A dictionary-encoded column as plain values (pyarrow cannot cast a dictionary of lists)."""
    if not pa.types.is_dictionary(column.type):
        return column
    return pa.chunked_array([chunk.dictionary.take(chunk.indices) for chunk in column.chunks], column.type.value_type)


def preview(tables: dict[str, pa.Table], rows: int = 10) -> dict[str, pd.DataFrame]:
    """The first rows of each table as they will be stored (after the fixes), lists shown as 'a; b'."""
    shown = {}
    for name, table in tables.items():
        # Dictionary-encoded columns are decoded first, so the display never sees pandas categoricals.
        head = table.slice(0, rows)
        frame = pa.table([_decoded(column) for column in head.columns], names=head.column_names).to_pandas()
        for column in frame.columns:
            if frame[column].map(lambda v: isinstance(v, (list, tuple)) or hasattr(v, "tolist")).any():
                frame[column] = frame[column].map(lambda v: "; ".join(list(v)) if v is not None else "")
        shown[name] = frame
    return shown


# ---------------------------------------------------------------------------------------------------------
# Replacement and undo, from the store's history table (Store.extracts())


def _quarters(row) -> list[str]:
    return quarters_between(row["period_start"], row["period_end"])


def shown_from(history: pd.DataFrame) -> dict[str, int]:
    """For each quarter, the extract the dashboard shows it from: the newest that covers it."""
    chosen: dict[str, int] = {}
    for _, row in history.sort_values("extract_id").iterrows():
        for quarter in _quarters(row):
            chosen[quarter] = int(row["extract_id"])
    return chosen


def _ranges(quarters: list[str]) -> str:
    """['2025-Q1', '2025-Q2', '2025-Q4'] -> '2025-Q1 to 2025-Q2, 2025-Q4'."""
    ordered = sorted(quarters, key=quarter_start)
    runs: list[list[str]] = []
    for quarter in ordered:
        if runs and shift_quarter(runs[-1][-1], 1) == quarter:
            runs[-1].append(quarter)
        else:
            runs.append([quarter])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]} to {run[-1]}" for run in runs)


def overlap_notes(history: pd.DataFrame, period_start: str, period_end: str) -> list[str]:
    """What loading an extract for this period replaces, and what undo would bring back."""
    shown = shown_from(history)
    incoming = quarters_between(period_start, period_end)
    replaced: dict[int, list[str]] = defaultdict(list)
    for quarter in incoming:
        if quarter in shown:
            replaced[shown[quarter]].append(quarter)
    notes = []
    for extract_id, quarters in sorted(replaced.items()):
        source = history.loc[history.extract_id == extract_id, "source_name"].iloc[0]
        notes.append(f"This replaces extract {extract_id} ({source}) for {_ranges(quarters)}; "
                     "the older one comes back if you undo this load on the Extract history page.")
    return notes


def undo_notes(history: pd.DataFrame, extract_id: int) -> list[str]:
    """What removing an extract means for each quarter it covers: which extract comes back, or no data."""
    row = history.loc[history.extract_id == extract_id].iloc[0]
    shown = shown_from(history)
    after = shown_from(history[history.extract_id != extract_id])
    still_newer: dict[int, list[str]] = defaultdict(list)
    comes_back: dict[int, list[str]] = defaultdict(list)
    emptied = []
    for quarter in _quarters(row):
        if shown.get(quarter) != extract_id:
            still_newer[shown[quarter]].append(quarter)
        elif quarter in after:
            comes_back[after[quarter]].append(quarter)
        else:
            emptied.append(quarter)
    notes = [f"Extract {previous} comes back for {_ranges(qs)}." for previous, qs in sorted(comes_back.items())]
    if emptied:
        notes.append(f"No extract covers {_ranges(emptied)} after this: those quarters will have no data.")
    notes += [f"{_ranges(qs)} stay as they are: the newer extract {newer} is shown for them."
              for newer, qs in sorted(still_newer.items())]
    return notes


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """The loaded extracts for the history page, narrow enough for the page: period, what it is shown for, quality
    and when; the rest of each extract is in extract_details."""
    shown = shown_from(history)
    rows = []
    for _, row in history.iterrows():
        in_use = [q for q, e in shown.items() if e == int(row["extract_id"])]
        loaded_at = row["loaded_at"]
        rows.append({
            "Extract": int(row["extract_id"]),
            "Period": row["period_start"] if row["period_start"] == row["period_end"] else f"{row['period_start']} to {row['period_end']}",
            "Shown for": _ranges(in_use) if in_use else "none (replaced by newer extracts)",
            "Quality": rag_line(_stored(row["quality_json"])),
            "Loaded": loaded_at.strftime("%d %b %Y %H:%M") if isinstance(loaded_at, (dt.datetime, pd.Timestamp)) else str(loaded_at),
        })
    return pd.DataFrame(rows)


def extract_details(history: pd.DataFrame, extract_id: int) -> pd.DataFrame:
    """One extract's source, file hash, rows per table and warnings, as two columns (what, value) that fit the page."""
    row = history.loc[history.extract_id == extract_id].iloc[0]
    details = {"Source": row["source_name"], "File hash (SHA-256, first 12 characters)": str(row["files_sha256"])[:12],
               "Referrals": f"{int(row['rows_referrals']):,}", "Missing episodes": f"{int(row['rows_missing_episodes']):,}",
               "Training rows": f"{int(row['rows_training']):,}", "Population rows": f"{int(row['rows_population']):,}",
               "Awareness rows": f"{int(row['rows_awareness']):,}", "Warnings": f"{int(row['warnings']):,}"}
    return pd.DataFrame({"Detail": list(details), f"Extract {extract_id}": list(details.values())})


def _stored(value) -> dict | None:
    """A stored quality report (extracts.quality_json), or None when none was kept."""
    return json.loads(value) if isinstance(value, str) and value else None


def stored_quality(history: pd.DataFrame, extract_id: int) -> dict | None:
    """The quality report kept with one extract, or None."""
    return _stored(history.loc[history.extract_id == extract_id, "quality_json"].iloc[0])
