"""The queries against an older text of them on one store: `python -m cseboard.bench --compare-sql REF_OR_DIR`.

A change to queries/ (the cell keys of issue 18, say) is held to how much slower it may make them. Two benchmark runs
made at different times on a shared machine compare the machine's load as much as the SQL, so here every repetition
runs the current and the older text of each query back to back, on the same store with the same parameters, in
alternating order, and the medians of wall and CPU time (the whole process: DuckDB's threads included) are compared.
The older text runs on the current schema; a query it cannot run is reported with DuckDB's message.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
from pathlib import Path

from cseboard.config import PROJECT_ROOT

VERSIONS = ("current", "older")


def older_queries(source: str) -> dict[str, str]:
    """The older SQL by query name: the *.sql files of a folder, or queries/ at a git revision."""
    folder = Path(source)
    if folder.is_dir():
        return {path.stem: path.read_text() for path in sorted(folder.glob("*.sql"))}
    names = _git("ls-tree", "--name-only", f"{source}:queries").split()
    return {Path(name).stem: _git("show", f"{source}:queries/{name}") for name in names if name.endswith(".sql")}


def _git(*arguments: str) -> str:
    done = subprocess.run(["git", *arguments], cwd=PROJECT_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"--compare-sql: neither a folder nor a git revision with queries/: {done.stderr.strip()}")
    return done.stdout


def page_parameters() -> dict:
    """The parameters of their own that the pages pass by default (the missing page's)."""
    from cseboard.questions.missing import DAYS_BEFORE_REFERRAL

    return {"days_before": DAYS_BEFORE_REFERRAL, "referred_only": False}


def phase_compare(args) -> dict:
    """Time each query's current and older text, interleaved per repetition, on every filter setting."""
    from cseboard.store.database import Store
    from cseboard.store.queries import query_names, query_text
    from cseboard.tools.bench import filter_settings  # imported here: bench imports this module

    older = older_queries(args.compare_sql)
    settings = filter_settings(Path(args.db), tuple(args.settings))  # read-only, so before the store is opened
    store = Store(Path(args.db))
    loadavg_start = os.getloadavg()[0]
    cases, results = [], {}
    for name in query_names():
        if name not in older:
            results[name] = {"skipped": "not among the older queries"}
            continue
        results[name] = {"settings": {}}
        for label, filters in settings.items():
            params = {**filters.params(), **page_parameters()}
            texts = {"current": query_text(name), "older": older[name]}
            outcome = _first_runs(store, texts, params)
            results[name]["settings"][label] = outcome
            if "error" not in outcome:
                cases.append((outcome, texts, params))
    for repetition in range(args.repeats):
        for outcome, texts, params in cases:
            for version in VERSIONS if repetition % 2 == 0 else reversed(VERSIONS):
                wall, cpu = _timed_run(store, texts[version], params)
                outcome.setdefault(f"{version}_wall", []).append(wall)
                outcome.setdefault(f"{version}_cpu", []).append(cpu)
    for outcome, _, _ in cases:
        outcome.update(_medians(outcome))
    store.close()
    return {"queries": results, "older": args.compare_sql, "repeats": args.repeats,
            "loadavg_start": loadavg_start, "loadavg_end": os.getloadavg()[0]}


def _first_runs(store, texts: dict[str, str], params: dict) -> dict:
    """Warm both texts up once and say whether the older figures are among the current ones, unchanged."""
    frames = {}
    for version, sql in texts.items():
        try:
            frames[version] = _execute(store, sql, params)
        except Exception as exc:  # an older text the current schema cannot run is a finding, not a crash
            return {"error": f"{version}: {type(exc).__name__}: {str(exc)[:300]}"}
    current, previous = frames["current"], frames["older"]
    same = set(previous.columns) <= set(current.columns) and current[list(previous.columns)].equals(previous)
    return {"rows": len(current), "same_figures": bool(same)}


def _execute(store, sql: str, params: dict):
    from cseboard.store.queries import sql_parameters

    return store.cursor().execute(sql, {key: params[key] for key in sql_parameters(sql)}).df()


def _timed_run(store, sql: str, params: dict) -> tuple[float, float]:
    """Wall and process CPU seconds of one run, result fetched as the app fetches it."""
    wall, cpu = time.perf_counter(), time.process_time()
    _execute(store, sql, params)
    return time.perf_counter() - wall, time.process_time() - cpu


def _medians(outcome: dict) -> dict:
    medians = {f"{key}_p50": statistics.median(outcome[key]) for key in
               ("current_wall", "older_wall", "current_cpu", "older_cpu")}
    return {**medians,
            "wall_ratio": medians["current_wall_p50"] / medians["older_wall_p50"],
            "cpu_ratio": medians["current_cpu_p50"] / medians["older_cpu_p50"] if medians["older_cpu_p50"] else None}


def run(args) -> int:
    """For each size: the extract, a store (kept one reused with --keep-stores), the comparison; print and save it."""
    from cseboard.tools.bench import ensure_extract, machine, run_phase, _say

    out = Path(args.out)
    (out / "stores").mkdir(parents=True, exist_ok=True)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    result = {"machine": machine(), "older": args.compare_sql, "sizes": {}}
    for size in args.sizes:
        folder = ensure_extract(out / "data", size, args.quarters)
        db = out / "stores" / f"bench-{size}.duckdb"
        if not (args.keep_stores and db.exists()):
            _say(f"size {size:,}: load")
            loaded = run_phase("load", out / "runs" / f"{size}-load.json", extract=folder, db=db, timeout=args.timeout)
            if "error" in loaded:
                raise SystemExit(loaded["error"])
        _say(f"size {size:,}: current queries against {args.compare_sql}")
        result["sizes"][str(size)] = run_phase("compare", out / "runs" / f"{size}-compare.json", db=db,
                                               compare_sql=args.compare_sql, repeats=args.repeats,
                                               settings=args.settings, timeout=args.timeout)
        if not args.keep_stores:
            for suffix in ("", ".wal"):
                Path(str(db) + suffix).unlink(missing_ok=True)
    (out / "compare-latest.json").write_text(json.dumps(result, indent=1))
    print(markdown(result))
    return 0 if all("error" not in entry for entry in result["sizes"].values()) else 1


def markdown(result: dict) -> str:
    """Per size: each query and setting, median ms now and before, their ratio, the CPU ratio, same figures."""
    m = result["machine"]
    lines = [f"Current queries/ against {result['older']}, {m['date']}, {m['cores']} cores ({m['cpu']}), "
             f"DuckDB {m['duckdb']}."]
    for size, entry in result["sizes"].items():
        if "error" in entry:
            lines += ["", f"**{int(size):,} referrals**: failed: {entry['error']}"]
            continue
        lines += ["", f"**{int(size):,} referrals**: {entry['repeats']} interleaved repetitions, load average (1 min) "
                  f"{entry['loadavg_start']:.1f} at the start, {entry['loadavg_end']:.1f} at the end.",
                  "", "| query | setting | current ms | older ms | ratio | CPU ms current / older | CPU ratio | same figures |",
            "|---|---|---:|---:|---:|---:|---:|---|"]
        for name, query in entry["queries"].items():
            if "skipped" in query:
                lines.append(f"| {name} | {query['skipped']} | | | | | | |")
            for label, t in query.get("settings", {}).items():
                if "error" in t:
                    lines.append(f"| {name} | {label} | {t['error'][:120]} | | | | | |")
                    continue
                cpu_ratio = f"{t['cpu_ratio']:.2f}" if t["cpu_ratio"] else "-"
                lines.append(f"| {name} | {label} | {t['current_wall_p50'] * 1000:,.1f} | "
                             f"{t['older_wall_p50'] * 1000:,.1f} | {t['wall_ratio']:.2f} | "
                             f"{t['current_cpu_p50'] * 1000:,.0f} / {t['older_cpu_p50'] * 1000:,.0f} | {cpu_ratio} | "
                             f"{'yes' if t['same_figures'] else 'no'} |")
    return "\n".join(lines) + "\n"
