"""Performance benchmark (a script, not a test): `python -m cseboard.bench [--quick] [--sizes N,N]`.

For each size it generates a synthetic extract with cseboard.synth and measures, on this machine in one run:
  load     validating and storing the extract, in a child process (seconds, referral rows/s, peak RSS)
  pages    every page of dashboard.py rendered under Streamlit's AppTest (first render and a full rerun),
           recording which named queries each page runs with which parameters
  queries  every query file in queries/ for three filter settings: median of several runs after a warm-up,
           through the app's code (run_query: cursor, bound parameters, DataFrame) and through the app's cache
           path (ui.query, keyed on the store version), against bare DuckDB on the same file (the floor)
  baseline an analyst's pandas on the CSV files for the headline figures (referrals, children, boys, high risk
           per quarter), against the headline query
  serve    peak resident memory of a `streamlit run` server while a headless Chromium opens every page
           (skipped with --no-browser or when Playwright/Chromium are missing)
With --compare-sql REF_OR_DIR it only times the queries against an older text of them (tools/query_compare.py).
Each phase runs in its own child process so that its peak memory is its own and the store file is never open
twice for writing. It prints a table, writes JSON (bench/out/, gitignored) and the figures part of
docs/benchmarks.md (between the bench markers; the prose around them is kept).
"""
from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from cseboard.tools import query_compare, serve
from cseboard.config import PROJECT_ROOT

FULL_SIZES = (10_000, 100_000, 1_000_000, 10_000_000)
QUICK_SIZES = (10_000, 100_000)
QUARTERS = 40  # ten years of quarters: a regional or national pool
DASHBOARD = PROJECT_ROOT / "dashboard.py"
DEFAULT_OUT = PROJECT_ROOT / "bench" / "out"
DEFAULT_DOCS = PROJECT_ROOT / "docs" / "benchmarks.md"
MARK_START, MARK_END = "<!-- bench:start -->", "<!-- bench:end -->"
SETTINGS = ("all data", "one area", "one quarter, one age band")
QUICK_SETTINGS = ("all data", "one quarter, one age band")
QUERY_TARGET_S = {100_000: 0.1, 1_000_000: 0.3, 10_000_000: 2.0}
LOAD_TARGET_ROWS_S = 200_000
LOAD_RATE_FROM = 1_000_000  # smaller extracts load in under a second: their time is checked, not their rate
SMALL_LOAD_TARGET_S = 1.0
LOAD_TARGET_PEAK_MB = 3 * 1024
PAGE_TARGET_S = {1_000_000: 1.0}
VIEW_TARGET_CPU_S = 0.1
MEETING_TARGET_S = 3.0


# ---------------------------------------------------------------- helpers shared by the phases

def _timed(fn, repeats: int, warmup: int = 1) -> dict:
    """Median (and min/max) wall time of fn after warm-up runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"p50": statistics.median(times), "min": min(times), "max": max(times), "runs": repeats}


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    return _proc_status_mb(os.getpid(), "VmHWM")


def _proc_status_mb(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def pages() -> list[dict]:
    """The dashboard's pages, from the st.Page(...) calls in dashboard.py (no Streamlit import needed)."""
    tree = ast.parse(DASHBOARD.read_text())
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page" and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            keywords = {k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)}
            path = node.args[0].value
            url = "" if keywords.get("default") else keywords.get("url_path", Path(path).stem)
            found.append({"path": path, "title": keywords.get("title", Path(path).stem), "url_path": url})
    return found


def filter_settings(db: Path, names: tuple[str, ...]) -> dict[str, "object"]:
    """The three filter settings on the data in the store: all of it, one area, one quarter and one age band."""
    import duckdb

    from cseboard.filters import Filters

    con = duckdb.connect(str(db), read_only=True)
    quarters = [r[0] for r in con.execute("SELECT DISTINCT quarter FROM current_referrals ORDER BY quarter_start").fetchall()]
    area = con.execute("SELECT area FROM current_referrals GROUP BY area ORDER BY count(*) DESC, area LIMIT 1").fetchall()[0][0]
    con.close()
    every = {
        "all data": Filters(quarters[0], quarters[-1]),
        "one area": Filters(quarters[0], quarters[-1], areas=(area,)),
        "one quarter, one age band": Filters(quarters[-1], quarters[-1], age_bands=("14-15",)),
    }
    return {name: every[name] for name in names}


# ---------------------------------------------------------------- phases (each runs in a child process)

def phase_load(args) -> dict:
    """Validate and store one extract folder into a fresh store file."""
    from cseboard.intake.ingest import load, prepare_path
    from cseboard.store.database import Store

    db = Path(args.db)
    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    start, cpu = time.perf_counter(), time.process_time()
    prepared = prepare_path(Path(args.extract), today=dt.date(2026, 11, 23))
    validated = time.perf_counter()
    if not prepared.ok:
        raise SystemExit("the benchmark extract did not validate:\n" + prepared.report.text())
    store = Store(db)
    load(store, prepared)
    store.close()
    stored = time.perf_counter()
    return {"validate_s": validated - start, "store_s": stored - validated, "total_s": stored - start,
            "cpu_s": time.process_time() - cpu, "loadavg": os.getloadavg()[0],
            "referrals": prepared.extract.rows("referrals"),
            "missing_episodes": prepared.extract.rows("missing_episodes"),
            "store_mb": db.stat().st_size / 1024**2, "peak_rss_mb_self": _peak_rss_mb()}


def phase_pages(args) -> dict:
    """Render every page under AppTest (first render, then a full rerun); record the queries pages run."""
    os.environ["CSEBOARD_DB"] = args.db
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from cseboard.access.accounts import sign_in
    from cseboard.access.deployment import SignIn
    from cseboard.display import ui
    from cseboard.store import queries as queries_module
    from cseboard.store.database import Store

    calls: list[tuple[str, dict]] = []
    original = queries_module.run_query

    def recording(cursor, name, params):
        calls.append((name, dict(params)))
        return original(cursor, name, params)

    queries_module.run_query = recording
    ui.run_query = recording
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(DASHBOARD), default_timeout=args.timeout)
    at.secrets["cseboard"] = {"sign_in": "local"}  # an administrator sees every page, as the sign-in form gives
    password = serve.local_account(args.db, "bench", "administrator")
    at.session_state[ui.SESSION_KEY] = sign_in(Store(args.db), SignIn(method="local"), "bench", password)[1]
    start = time.perf_counter()
    at.run()
    results = {"_entry": {"first_s": time.perf_counter() - start}}
    for page in pages():
        calls.clear()
        st.cache_data.clear()  # the first render is with an empty cache, as after a new load
        at.switch_page(page["path"])
        start = time.perf_counter()
        at.run()
        first = time.perf_counter() - start
        reruns = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            at.run()
            reruns.append(time.perf_counter() - start)
        results[page["path"]] = {
            "title": page["title"], "first_s": first, "rerun_s": statistics.median(reruns),
            "exceptions": [str(e.value)[:300] for e in at.exception],
            "queries": sorted({name for name, _ in calls}),
            "calls": [[name, {k: _jsonable(v) for k, v in params.items()}] for name, params in calls],
        }
    return {"pages": results, "peak_rss_mb_self": _peak_rss_mb()}


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def phase_queries(args) -> dict:
    """Every query file, three filter settings: app code (cold), app cache path (cached), bare DuckDB (floor)."""
    os.environ["CSEBOARD_DB"] = args.db
    import duckdb
    import streamlit as st
    from streamlit import config

    from cseboard.display import ui
    from cseboard.filters import Filters
    from cseboard.store.queries import QueryError, query_names, query_parameters, query_text, run_query

    filter_keys = set(Filters("2025-Q1", "2025-Q1").params())
    extras = _page_extras(json.loads(Path(args.pages_json).read_text()) if args.pages_json else {}, filter_keys)
    settings = filter_settings(Path(args.db), tuple(args.settings))
    config.set_option("secrets.files", [str(_sign_in_secrets(args.db))])
    st.cache_data.clear()
    st.cache_resource.clear()
    start = time.perf_counter()
    app_store = ui.store()  # the app's own Store: one connection, a cursor per query
    if app_store.path != Path(args.db):
        raise SystemExit(f"the app opened {app_store.path}, not the store under test {args.db}")
    open_s = time.perf_counter() - start
    bare = duckdb.connect(args.db)  # same database instance, no app code
    results = {}
    for name in query_names():
        wanted = query_parameters(name)
        extra = extras.get(name, {})
        missing = wanted - filter_keys - extra.keys()
        if missing:
            results[name] = {"skipped": f"needs {', '.join(sorted(missing))} and no page passed them"}
            continue
        per_setting = {}
        for label, filters in settings.items():
            params = {**filters.params(), **extra}
            bound = {k: params[k] for k in wanted}
            sql = query_text(name)
            try:
                start = time.perf_counter()
                frame = run_query(app_store.cursor(), name, params)
                first = time.perf_counter() - start
            except (QueryError, duckdb.Error) as exc:
                per_setting[label] = {"error": str(exc)[:300]}
                continue
            cold = _timed(lambda: run_query(app_store.cursor(), name, params), args.repeats)
            floor = _timed(lambda: bare.sql(sql, params=bound).to_arrow_table(), args.repeats)
            ui.query(name, filters, **extra)  # fills the cache
            cached = _timed(lambda: ui.query(name, filters, **extra), args.repeats)
            per_setting[label] = {"rows": len(frame), "first_s": first, "cold": cold, "cached": cached, "bare": floor,
                                  "vs_bare": cold["p50"] / floor["p50"] if floor["p50"] else None}
        results[name] = {"settings": per_setting, "extra_params": sorted(extra)}
    every = settings.get("all data") or filter_settings(Path(args.db), ("all data",))["all data"]
    core = _timed(lambda: app_store.cursor().execute(CORE_SQL, every.params()).df(), args.repeats)
    bare.close()
    return {"queries": results, "core_figures": core, "open_store_s": open_s, "peak_rss_mb_self": _peak_rss_mb()}


def _page_extras(pages_result: dict, filter_keys: set) -> dict[str, dict]:
    """Non-filter parameters the pages passed to each query (the first call seen)."""
    extras: dict[str, dict] = {}
    for page in pages_result.get("pages", {}).values():
        for name, params in page.get("calls", []):
            extras.setdefault(name, {k: v for k, v in params.items() if k not in filter_keys})
    return extras


# The same four figures the pandas baseline computes, on the store through the shared filter macro.
CORE_SQL = """
SELECT quarter, count(*) AS referrals, count(DISTINCT child_key) AS children,
       count(DISTINCT child_key) FILTER (WHERE gender = 'Male') AS boys, count_if(risk_level = 'High') AS high_risk
FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
GROUP BY quarter ORDER BY quarter
"""


def phase_baseline(args) -> dict:
    """What an analyst writes without the product: pandas on the CSV files, the headline figures per quarter."""
    import pandas as pd

    folder = Path(args.extract)

    def analyst():
        referrals = pd.read_csv(folder / "referrals.csv")
        return _pandas_headline(referrals)

    timing = _timed(analyst, max(1, args.repeats // 2), warmup=0)
    referrals = pd.read_csv(folder / "referrals.csv")
    in_memory = _timed(lambda: _pandas_headline(referrals), args.repeats)
    return {"pandas_read_and_group": timing, "pandas_group_only": in_memory, "peak_rss_mb_self": _peak_rss_mb()}


def _pandas_headline(referrals):
    import pandas as pd

    dates = pd.to_datetime(referrals["referral_date"])
    referrals = referrals.assign(quarter=dates.dt.year.astype(str) + "-Q" + dates.dt.quarter.astype(str))
    by_quarter = referrals.groupby("quarter").agg(referrals=("referral_id", "size"), children=("child_id", "nunique"))
    by_quarter["boys"] = referrals[referrals.gender == "Male"].groupby("quarter").child_id.nunique()
    by_quarter["high_risk"] = referrals[referrals.risk_level == "High"].groupby("quarter").size()
    return by_quarter


def _sign_in_secrets(db: str) -> Path:
    """A secrets file saying the app signs people in, so its store is the one under test (without sign-in it is the
    demo's store, which holds the sample)."""
    secrets_file = Path(db).parent / "bench-secrets.toml"
    secrets_file.write_text(serve.LOCAL_SIGN_IN)
    return secrets_file


def _signed_in_server(db: str) -> tuple[subprocess.Popen, str, str, dict[str, str]]:
    """A server with local sign-in on the store, an administrator's account (who sees every page) and a session
    signed in before the server holds the file: the server, its URL, the password and the session's cookie."""
    from cseboard.access.accounts import sign_in
    from cseboard.access.deployment import SignIn
    from cseboard.display import ui
    from cseboard.store.database import Store

    password = serve.local_account(db, "bench", "administrator")
    opened = Store(db)
    try:
        token = sign_in(opened, SignIn(method="local"), "bench", password)[1]
    finally:
        opened.close()
    server, base = serve.start(db, subprocess.DEVNULL, secrets=_sign_in_secrets(db))
    return server, base, password, {ui.SESSION_COOKIE: token}


DRAWN_CHART = '.js-plotly-plot .main-svg'
"""A Plotly chart the browser has drawn."""


def phase_serve(args) -> dict:
    """Peak RSS of a real `streamlit run` server while a headless Chromium opens every page once."""
    from playwright.sync_api import sync_playwright

    server, base, password, _ = _signed_in_server(args.db)
    timings, first_chart = {}, {}
    try:
        idle_mb = _proc_status_mb(server.pid, "VmRSS")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, headless=True)
            page = browser.new_page()
            serve.sign_in(page, base, "bench", password, timeout=args.timeout * 1000)
            for item in pages():
                start = time.perf_counter()
                try:
                    page.goto(f"{base}/{item['url_path']}", timeout=args.timeout * 1000)
                    page.wait_for_selector('[data-testid="stMain"]', timeout=args.timeout * 1000)
                    waiting = time.perf_counter()
                    shown = serve.wait_until_idle(page, args.timeout, first_seen=DRAWN_CHART)
                    timings[item["path"]] = time.perf_counter() - start
                    first_chart[item["path"]] = (waiting - start + shown if shown is not None
                                                 else _drawn_after_idle(page, start))
                except Exception as exc:  # one page failing to show must not hide the memory figure
                    timings[item["path"]] = f"failed: {type(exc).__name__}"
            browser.close()
        peak_mb = _proc_status_mb(server.pid, "VmHWM")
        after_mb = _proc_status_mb(server.pid, "VmRSS")
    finally:
        serve.stop(server)
    return {"server_idle_rss_mb": idle_mb, "server_peak_rss_mb": peak_mb, "server_rss_after_mb": after_mb,
            "browser_page_s": timings, "browser_first_chart_s": first_chart}


def _drawn_after_idle(page, start: float) -> float | None:
    """Seconds from start until the page's first chart is drawn, for a chart the browser draws after the script has
    finished; None for a page with no chart."""
    from playwright.sync_api import TimeoutError as NoChart

    try:
        page.locator(DRAWN_CHART).first.wait_for(state="attached", timeout=CHART_AFTER_IDLE_S * 1000)
    except NoChart:
        return None
    return time.perf_counter() - start


CHART_AFTER_IDLE_S = 5
"""How long after the script has finished a page may still draw its first chart."""
SESSIONS_AT_ONCE = (1, 5, 10, 20)
QUICK_SESSIONS_AT_ONCE = (1, 20)
MEETING_PAGE = "age-gender"
PROFILE_CATEGORIES = (
    ("drawing charts (display/charts, drawings)", ("cseboard/display/charts.py", "cseboard/display/drawings/")),
    ("questions: tables, shares, findings", ("cseboard/questions/",)),
    ("disclosure control", ("cseboard/methods/",)),
    ("queries (DuckDB)", ("cseboard/store/",)),
    ("Streamlit: Plotly chart to JSON", ("streamlit/elements/plotly_chart.py",)),
    ("Streamlit: tables (Styler and Arrow)", ("streamlit/elements/arrow.py", "streamlit/dataframe_util.py")),
    ("garbage collection after each run", ("_on_script_finished",)),
    ("Streamlit: downloads", ("streamlit/elements/widgets/button.py", "streamlit/runtime/memory_media_file")),
    ("Streamlit: other (script runs, widgets, messages)", ("streamlit/",)),
    ("web server (websocket, compression)", ("starlette/", "uvicorn/", "websockets/", "anyio/")),
)
"""Where a sample of the server's stack is counted: the first category any of whose paths is on the stack."""


def phase_views(args) -> dict:
    """A real server, asked for pages by websocket clients that render nothing: its CPU per view, read from /proc."""
    from cseboard.tools import sessions

    areas = _areas(Path(args.db))  # before the server holds the file
    server, base, _, cookies = _signed_in_server(args.db)
    try:
        pid = server.pid
        sessions.wait_until_quiet(pid, args.timeout)  # the warm-up at start is the server's, not a visitor's
        loadavg = os.getloadavg()[0]
        views = {}
        for item in pages():  # each page's first view since the server started (and warmed its default views)
            before = sessions.server_cpu_seconds(pid)
            view = sessions.open_at_once(base, item["url_path"], timeout=args.timeout, cookies=cookies)[0]
            views[item["path"]] = {"first_cpu_s": sessions.server_cpu_seconds(pid) - before, "first_wall_s": view.seconds,
                                   "bytes": view.bytes_sent, "exceptions": list(view.exceptions)}
        for item in pages():
            runs = [sessions.new_then_rerun(base, item["url_path"], pid, timeout=args.timeout, cookies=cookies)
                    for _ in range(args.page_repeats)]
            views[item["path"]]["new_session_cpu_s"] = statistics.median(new for new, _ in runs)
            views[item["path"]]["rerun_cpu_s"] = statistics.median(rerun for _, rerun in runs)
        meeting = _meeting(sessions, pid, base, areas, cookies, args)
        profile = _profile(pid, base, cookies, args) if args.profile else None
    finally:
        serve.stop(server)
    return {"views": views, "meeting": meeting, "profile": profile, "loadavg": loadavg,
            "loadavg_after": os.getloadavg()[0]}


def _meeting(sessions, pid: int, base: str, areas: list[str], cookies: dict[str, str], args) -> list[dict]:
    """N sessions opening the same link at once, for each N: a link nobody opened yet (one area's view), then the
    same link again; until all are served (server side) and the server's CPU per session."""
    rounds = []
    for index, count in enumerate(args.sessions_at_once):
        link = urlencode({"area": areas[index % len(areas)]})
        for state in ("new link", "same link again"):
            before, start = sessions.server_cpu_seconds(pid), time.perf_counter()
            views = sessions.open_at_once(base, MEETING_PAGE, link, sessions=count, timeout=args.timeout,
                                          cookies=cookies)
            rounds.append({"sessions": count, "link": state, "all_served_s": time.perf_counter() - start,
                           "slowest_s": max(v.seconds for v in views),
                           "cpu_per_session_s": (sessions.server_cpu_seconds(pid) - before) / count,
                           "errors": sum(len(v.exceptions) for v in views), "loadavg": os.getloadavg()[0]})
    return rounds


def _areas(db: Path) -> list[str]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return [row[0] for row in con.execute(
            "SELECT area FROM current_referrals GROUP BY area ORDER BY count(*) DESC, area").fetchall()]
    finally:
        con.close()


def _profile(pid: int, base: str, cookies: dict[str, str], args) -> dict:
    """py-spy samples the server while every page is opened in new sessions (warm): the share of samples per part."""
    from cseboard.tools import sessions

    raw = Path(args.db).with_suffix(".pyspy.txt")
    spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid), "--format", "raw",
                            "--rate", "250", "--output", str(raw), "--nonblocking"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1)
    for _ in range(args.page_repeats):
        for item in pages():
            sessions.open_at_once(base, item["url_path"], timeout=args.timeout, cookies=cookies)
    spy.send_signal(2)
    try:
        _, error = spy.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        spy.kill()
        return {"error": "py-spy did not stop"}
    if not raw.exists():
        return {"error": error.decode(errors="replace")[-300:]}
    counts: dict[str, int] = {}
    for line in raw.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        part = next((name for name, paths in PROFILE_CATEGORIES if any(p in stack for p in paths)), "other")
        counts[part] = counts.get(part, 0) + int(samples)
    raw.unlink()
    total = sum(counts.values()) or 1
    return {"samples": total, "shares": {name: n / total for name, n in sorted(counts.items(), key=lambda kv: -kv[1])}}


PHASES = {"load": phase_load, "pages": phase_pages, "queries": phase_queries, "baseline": phase_baseline,
          "serve": phase_serve, "views": phase_views, "compare": query_compare.phase_compare}


def run_phase(phase: str, out_json: Path, **options) -> dict:
    """Run one phase in a child process; its peak RSS comes from the kernel via wait4."""
    command = [sys.executable, "-m", "cseboard.bench", "--phase", phase, "--phase-out", str(out_json)]
    for key, value in options.items():
        if value is None:
            continue
        flag = "--" + key.replace("_", "-")
        command += [flag, *map(str, value)] if isinstance(value, (list, tuple)) else [flag, str(value)]
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = b"", b""
    try:
        stdout, stderr = child.communicate(timeout=options.get("timeout", 3600) * 4)
    except subprocess.TimeoutExpired:
        child.kill()
        stdout, stderr = child.communicate()
    wall = time.perf_counter() - start
    # communicate() has reaped the child; its rusage is in RUSAGE_CHILDREN only as a running maximum, so the
    # phase also reports its own VmHWM (peak_rss_mb_self), which is what the tables use.
    if child.returncode != 0:
        return {"error": (stderr or stdout).decode(errors="replace")[-3000:], "wall_s": wall}
    result = json.loads(out_json.read_text())
    result["wall_s"] = wall
    result["loadavg_after"] = os.getloadavg()[0]
    return result


# ---------------------------------------------------------------- orchestration and reporting

def ensure_extract(data_dir: Path, size: int, quarters: int) -> Path:
    """Generate (or reuse: the generator is deterministic) the extract for one size."""
    folder = data_dir / f"q{quarters}-{size}"
    readme = folder / "README.txt"
    if not (readme.exists() and f"referrals: {size}\n" in readme.read_text() and (folder / "referrals.csv").exists()):
        subprocess.run([sys.executable, "-m", "cseboard.synth", "--referrals", str(size), "--quarters", str(quarters),
                        "--out", str(folder)], check=True, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    return folder


def browser_available(chromium: str) -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return Path(chromium).exists()


def machine() -> dict:
    import duckdb
    import pandas
    import pyarrow
    import streamlit

    memory_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:")), 0) if Path("/proc/meminfo").exists() else 0
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    return {"cores": os.cpu_count(), "memory_gb": round(memory_kb / 1024**2, 1), "cpu": cpu,
            "platform": platform.platform(), "python": platform.python_version(), "duckdb": duckdb.__version__,
            "pandas": pandas.__version__, "pyarrow": pyarrow.__version__, "streamlit": streamlit.__version__,
            "date": dt.datetime.now().isoformat(timespec="seconds"), "loadavg_start": os.getloadavg()[0]}


def run(args) -> dict:
    out = Path(args.out)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    data_dir = out / "data"
    stores = out / "stores"
    stores.mkdir(parents=True, exist_ok=True)
    settings = list(QUICK_SETTINGS if args.quick else SETTINGS)
    # A quick run measures the server at the smallest size only, without a browser or a profile: under a minute.
    browser = not (args.quick or args.no_browser) and browser_available(args.chromium)
    served = args.sizes[:1] if args.quick else args.sizes
    result = {"machine": machine(), "quick": args.quick, "quarters": args.quarters, "settings": settings,
              "sizes": {}}
    for size in args.sizes:
        _say(f"size {size:,}: generating")
        folder = ensure_extract(data_dir, size, args.quarters)
        db = stores / f"bench-{size}.duckdb"
        tag = out / "runs" / f"{size}"
        entry = {"extract_mb": sum(p.stat().st_size for p in folder.glob("*.csv")) / 1024**2}
        _say(f"size {size:,}: load")
        entry["load"] = run_phase("load", Path(f"{tag}-load.json"), extract=folder, db=db, timeout=args.timeout)
        if "error" in entry["load"]:
            result["sizes"][str(size)] = entry
            _say(entry["load"]["error"])
            continue
        _say(f"size {size:,}: pages (AppTest)")
        entry["pages"] = run_phase("pages", Path(f"{tag}-pages.json"), db=db, repeats=args.page_repeats,
                                   timeout=args.timeout)
        _say(f"size {size:,}: queries")
        pages_json = Path(f"{tag}-pages.json") if "error" not in entry["pages"] else None
        entry["queries"] = run_phase("queries", Path(f"{tag}-queries.json"), db=db, repeats=args.repeats,
                                     settings=settings, pages_json=pages_json, timeout=args.timeout)
        if size <= args.pandas_max:
            _say(f"size {size:,}: pandas baseline")
            entry["baseline"] = run_phase("baseline", Path(f"{tag}-baseline.json"), extract=folder,
                                          repeats=args.repeats, timeout=args.timeout)
        if size in served:
            _say(f"size {size:,}: page views on a streamlit server, sessions without a browser")
            entry["views"] = run_phase("views", Path(f"{tag}-views.json"), db=db, page_repeats=args.page_repeats,
                                       sessions_at_once=list(QUICK_SESSIONS_AT_ONCE if args.quick else SESSIONS_AT_ONCE),
                                       profile="yes" if args.profile else None, timeout=args.timeout)
        if browser:
            _say(f"size {size:,}: streamlit server under Chromium")
            entry["serve"] = run_phase("serve", Path(f"{tag}-serve.json"), db=db, chromium=args.chromium,
                                       timeout=args.timeout)
        result["sizes"][str(size)] = entry
        if not args.keep_stores:
            for suffix in ("", ".wal"):
                Path(str(db) + suffix).unlink(missing_ok=True)
    result["machine"]["loadavg_end"] = os.getloadavg()[0]
    result["summary"] = summarise(result)
    return result


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _slope(points: list[tuple[int, float]]) -> list[dict]:
    """log-log slope between consecutive sizes: 1 is linear, below 1 sub-linear (fixed costs dominate)."""
    slopes = []
    for (n1, t1), (n2, t2) in zip(points, points[1:]):
        if t1 and t2 and t1 > 0 and t2 > 0:
            slopes.append({"from": n1, "to": n2, "slope": math.log(t2 / t1) / math.log(n2 / n1)})
    return slopes


def summarise(result: dict) -> dict:
    """Per size: load rate and peak, worst query p50 per query, page times, ratios; slopes; targets."""
    sizes = sorted(int(s) for s in result["sizes"])
    summary = {"by_size": {}, "slopes": {}, "targets": []}
    load_points, query_points, page_points = [], {}, {}
    for size in sizes:
        entry = result["sizes"][str(size)]
        row = {}
        load = entry.get("load", {})
        if "total_s" in load:
            row["load_s"] = load["total_s"]
            row["validate_s"] = load["validate_s"]
            row["store_s"] = load["store_s"]
            row["load_rows_per_s"] = load["referrals"] / load["total_s"]
            row["load_peak_mb"] = load["peak_rss_mb_self"]
            row["load_cpu_s"] = load.get("cpu_s")
            row["load_loadavg"] = load.get("loadavg")
            load_points.append((size, load["total_s"]))
        queries = entry.get("queries", {}).get("queries", {})
        worst = {}
        ratios = []
        for name, q in queries.items():
            timings = [s for s in q.get("settings", {}).values() if "cold" in s]
            if timings:
                worst[name] = {"cold_p50_max": max(s["cold"]["p50"] for s in timings),
                               "cached_p50_max": max(s["cached"]["p50"] for s in timings),
                               "bare_p50_max": max(s["bare"]["p50"] for s in timings),
                               "first_max": max(s["first_s"] for s in timings)}
                ratios += [s["vs_bare"] for s in timings if s.get("vs_bare")]
                query_points.setdefault(name, []).append((size, worst[name]["cold_p50_max"]))
        row["queries"] = worst
        row["vs_bare_median"] = statistics.median(ratios) if ratios else None
        row["vs_bare_max"] = max(ratios) if ratios else None
        headline = queries.get("headline_by_quarter", {}).get("settings", {}).get("all data", {})
        baseline = entry.get("baseline", {})
        if "cold" in headline and "pandas_read_and_group" in baseline:
            row["pandas_s"] = baseline["pandas_read_and_group"]["p50"]
            row["pandas_group_only_s"] = baseline["pandas_group_only"]["p50"]
            row["headline_s"] = headline["cold"]["p50"]
            row["vs_pandas"] = row["pandas_s"] / row["headline_s"]
            row["vs_pandas_in_memory"] = row["pandas_group_only_s"] / row["headline_s"]
            core = entry.get("queries", {}).get("core_figures")
            if core:
                row["core_s"] = core["p50"]
                row["core_vs_pandas"] = row["pandas_s"] / core["p50"]
        page_rows = {}
        for path, page in entry.get("pages", {}).get("pages", {}).items():
            if path.startswith("_"):
                continue
            page_rows[path] = {"first_s": page["first_s"], "rerun_s": page["rerun_s"],
                               "exceptions": len(page["exceptions"]), "queries": page["queries"]}
            page_points.setdefault(path, []).append((size, page["first_s"]))
        row["pages"] = page_rows
        row["apptest_peak_mb"] = entry.get("pages", {}).get("peak_rss_mb_self")
        if "views" in entry.get("views", {}):
            row["views"] = entry["views"]["views"]
            row["meeting"] = entry["views"]["meeting"]
            row["profile"] = entry["views"].get("profile")
            row["views_loadavg"] = (entry["views"]["loadavg"], entry["views"]["loadavg_after"])
        serve = entry.get("serve", {})
        if "server_peak_rss_mb" in serve:
            row["server_peak_mb"] = serve["server_peak_rss_mb"]
            row["server_idle_mb"] = serve["server_idle_rss_mb"]
            row["browser_page_s"] = serve["browser_page_s"]
            row["browser_first_chart_s"] = serve.get("browser_first_chart_s", {})
        summary["by_size"][str(size)] = row
    summary["slopes"]["load"] = _slope(load_points)
    summary["slopes"]["queries"] = {name: _slope(points) for name, points in query_points.items()}
    summary["slopes"]["pages_first"] = {name: _slope(points) for name, points in page_points.items()}
    summary["targets"] = targets(summary)
    return summary


def targets(summary: dict) -> list[dict]:
    checks = []

    def check(name, met, figure):
        checks.append({"target": name, "met": bool(met), "figure": figure})

    for size, row in summary["by_size"].items():
        size = int(size)
        if "load_rows_per_s" in row and size >= LOAD_RATE_FROM:
            check(f"load >= {LOAD_TARGET_ROWS_S:,} referral rows/s at {size:,}", row["load_rows_per_s"] >= LOAD_TARGET_ROWS_S,
                  f"{row['load_rows_per_s']:,.0f}/s")
        elif "load_rows_per_s" in row:
            check(f"load of {size:,} referrals within {SMALL_LOAD_TARGET_S:.0f} s (below {LOAD_RATE_FROM:,} rows fixed "
                  "costs dominate, so the time is the measure, not the rate)", row["load_s"] < SMALL_LOAD_TARGET_S,
                  f"{row['load_s']:.2f} s ({row['load_rows_per_s']:,.0f}/s)")
        if "load_peak_mb" in row:
            check(f"load peak < 3 GB at {size:,}", row["load_peak_mb"] < LOAD_TARGET_PEAK_MB, f"{row['load_peak_mb']:,.0f} MB")
        if size in QUERY_TARGET_S and row["queries"]:
            limit = QUERY_TARGET_S[size]
            slowest = max(row["queries"].items(), key=lambda kv: kv[1]["cold_p50_max"])
            check(f"every query < {limit * 1000:.0f} ms at {size:,} (every filter setting)",
                  slowest[1]["cold_p50_max"] < limit, f"slowest {slowest[0]} {slowest[1]['cold_p50_max'] * 1000:.0f} ms")
        if size in PAGE_TARGET_S and row["pages"]:
            slowest = max(row["pages"].items(), key=lambda kv: kv[1]["rerun_s"])
            check(f"full page rerun < {PAGE_TARGET_S[size]:.0f} s at {size:,} (AppTest)",
                  slowest[1]["rerun_s"] < PAGE_TARGET_S[size], f"slowest {slowest[0]} {slowest[1]['rerun_s']:.2f} s")
            slowest_first = max(row["pages"].items(), key=lambda kv: kv[1]["first_s"])
            check(f"first page render (empty cache) < {PAGE_TARGET_S[size]:.0f} s at {size:,} (AppTest)",
                  slowest_first[1]["first_s"] < PAGE_TARGET_S[size],
                  f"slowest {slowest_first[0]} {slowest_first[1]['first_s']:.2f} s")
        if row.get("views"):
            slowest = max(row["views"].items(), key=lambda kv: kv[1]["new_session_cpu_s"])
            check(f"server CPU per page view (new session, warm) <= {VIEW_TARGET_CPU_S} s on every page at {size:,}",
                  slowest[1]["new_session_cpu_s"] <= VIEW_TARGET_CPU_S,
                  f"slowest {slowest[0]} {slowest[1]['new_session_cpu_s']:.2f} s")
        meeting = [m for m in row.get("meeting", []) if m["sessions"] == max(SESSIONS_AT_ONCE)]
        for m in meeting:
            check(f"{m['sessions']} sessions opening the same link at once ({m['link']}) all served within "
                  f"{MEETING_TARGET_S:.0f} s at {size:,}", m["all_served_s"] <= MEETING_TARGET_S and not m["errors"],
                  f"{m['all_served_s']:.1f} s (load average {m['loadavg']:.1f})")
        if size == 1_000_000 and "vs_pandas" in row:
            check("headline query >= 10x faster than pandas (read CSV + group) at 1,000,000", row["vs_pandas"] >= 10,
                  f"{row['vs_pandas']:.1f}x")
            if "core_vs_pandas" in row:
                check("the same four figures in SQL on the store >= 10x faster than pandas at 1,000,000",
                      row["core_vs_pandas"] >= 10, f"{row['core_vs_pandas']:.1f}x")
        if row.get("vs_bare_max") is not None and size >= 100_000:
            check(f"within 1.3x of bare DuckDB at {size:,} (median of queries x settings)", row["vs_bare_median"] <= 1.3,
                  f"median {row['vs_bare_median']:.2f}x, worst {row['vs_bare_max']:.2f}x")
    load_slopes = summary["slopes"].get("load", [])
    if load_slopes:
        worst = max(s["slope"] for s in load_slopes)
        check("load cost grows at most linearly (log-log slope <= 1.1)", worst <= 1.1, f"worst slope {worst:.2f}")
    query_slopes = [s["slope"] for slopes in summary["slopes"].get("queries", {}).values() for s in slopes
                    if s["from"] >= 100_000]
    if query_slopes:
        worst = max(query_slopes)
        check("query cost grows at most linearly above 100k (slope <= 1.1)", worst <= 1.1, f"worst slope {worst:.2f}")
    return checks


def _ms(seconds) -> str:
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "-"
    return f"{seconds * 1000:,.0f}" if seconds >= 0.01 else f"{seconds * 1000:.1f}"


def markdown(result: dict) -> str:
    """The figures as Markdown tables (the part of docs/benchmarks.md between the markers)."""
    m = result["machine"]
    s = result["summary"]
    sizes = sorted(s["by_size"], key=int)
    lines = [
        f"Run {m['date']} on {m['cores']} cores, {m['memory_gb']} GB RAM ({m['cpu']}; {m['platform']}); "
        f"Python {m['python']}, DuckDB {m['duckdb']}, pandas {m['pandas']}, pyarrow {m['pyarrow']}, "
        f"Streamlit {m['streamlit']}. Load average (1 min) {m['loadavg_start']:.1f} at the start, "
        f"{m.get('loadavg_end', float('nan')):.1f} at the end: above {m['cores']} the machine was shared and wall times "
        f"are inflated. Extracts: `cseboard.synth`, {result['quarters']} quarters, CSV"
        + (" (quick mode)." if result["quick"] else "."),
        "",
        "**Load** (validate every cell, then store in one transaction; a child process per load):",
        "",
        "| referrals | extract MB | validate s | store s | total s | referral rows/s | peak RSS MB | CPU s | load avg |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        row = s["by_size"][size]
        extract_mb = result["sizes"][size].get("extract_mb", 0)
        if "load_s" in row:
            lines.append(f"| {int(size):,} | {extract_mb:,.0f} | {row['validate_s']:.2f} | {row['store_s']:.2f} | "
                         f"{row['load_s']:.2f} | {row['load_rows_per_s']:,.0f} | {row['load_peak_mb']:,.0f} | "
                         f"{row.get('load_cpu_s') or 0:.1f} | {row.get('load_loadavg') or 0:.1f} |")
    names = sorted({name for size in sizes for name in s["by_size"][size]["queries"]})
    lines += ["", "**Queries**: median ms over the filter settings' worst case (" + ", ".join(result["settings"])
              + "); app = run_query (cursor, bound parameters, DataFrame), cached = ui.query (cache keyed on the "
              "store version), bare = DuckDB on the same file, same SQL and parameters, Arrow result.", "",
              "| query | " + " | ".join(f"{int(n):,} app / cached / bare" for n in sizes) + " |",
              "|---|" + "---:|" * len(sizes)]
    for name in names:
        cells = []
        for size in sizes:
            q = s["by_size"][size]["queries"].get(name)
            cells.append("-" if q is None else f"{_ms(q['cold_p50_max'])} / {_ms(q['cached_p50_max'])} / {_ms(q['bare_p50_max'])}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    skipped = {name: q.get("skipped") for size in sizes
               for name, q in result["sizes"][size].get("queries", {}).get("queries", {}).items() if q.get("skipped")}
    for name, why in skipped.items():
        lines.append(f"| {name} | skipped: {why} |" + " |" * (len(sizes) - 1))
    lines += ["", "Per setting at the largest size (app ms / bare ms):", "",
              "| query | " + " | ".join(result["settings"]) + " |", "|---|" + "---:|" * len(result["settings"])]
    largest = sizes[-1]
    for name, q in result["sizes"][largest].get("queries", {}).get("queries", {}).items():
        cells = []
        for label in result["settings"]:
            t = q.get("settings", {}).get(label, {})
            cells.append(f"{_ms(t['cold']['p50'])} / {_ms(t['bare']['p50'])}" if "cold" in t else t.get("error", "-")[:60])
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    paths = sorted({p for size in sizes for p in s["by_size"][size]["pages"]})
    lines += ["", "**Pages** under AppTest: first render with an empty cache / median full rerun, seconds "
              "(server-side script time).", "",
              "| page | " + " | ".join(f"{int(n):,}" for n in sizes) + " |", "|---|" + "---:|" * len(sizes)]
    for path in paths:
        cells = []
        for size in sizes:
            p = s["by_size"][size]["pages"].get(path)
            cells.append("-" if p is None else f"{p['first_s']:.2f} / {p['rerun_s']:.2f}" + (" (error)" if p["exceptions"] else ""))
        lines.append(f"| {path} | " + " | ".join(cells) + " |")
    lines += _views_markdown(s, sizes)
    lines += _browser_markdown(s, sizes)
    lines += ["", "**Memory while serving and ratios:**", "",
              "| referrals | AppTest process peak MB | streamlit server idle / peak MB | headline app s | pandas read+group s "
              "| pandas group only s | x pandas | x pandas (in memory) | same 4 figures in SQL s (x pandas) "
              "| app vs bare (median / worst) |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size in sizes:
        row = s["by_size"][size]
        server = f"{row['server_idle_mb']:,.0f} / {row['server_peak_mb']:,.0f}" if "server_peak_mb" in row else "-"
        pandas_cells = (f"{row['headline_s']:.3f} | {row['pandas_s']:.2f} | {row['pandas_group_only_s']:.2f} | "
                        f"{row['vs_pandas']:.1f}x | {row['vs_pandas_in_memory']:.1f}x") if "vs_pandas" in row else "- | - | - | - | -"
        bare = (f"{row['vs_bare_median']:.2f} / {row['vs_bare_max']:.2f}" if row.get("vs_bare_median") else "-")
        core = f"{row['core_s']:.3f} ({row['core_vs_pandas']:.0f}x)" if "core_s" in row else "-"
        bare = f"{core} | {bare}"
        apptest = f"{row['apptest_peak_mb']:,.0f}" if row.get("apptest_peak_mb") else "-"
        lines.append(f"| {int(size):,} | {apptest} | {server} | {pandas_cells} | {bare} |")
    lines += ["", "**Slopes** (log-log, between consecutive sizes; 1.0 = linear):", ""]
    for item in s["slopes"].get("load", []):
        lines.append(f"- load {item['from']:,} -> {item['to']:,}: {item['slope']:.2f}")
    for name, items in s["slopes"].get("queries", {}).items():
        if items:
            lines.append(f"- {name}: " + ", ".join(f"{i['from']:,}->{i['to']:,} {i['slope']:.2f}" for i in items))
    lines += ["", "**Targets:**", "", "| target | met | figure |", "|---|---|---|"]
    for t in s["targets"]:
        lines.append(f"| {t['target']} | {'yes' if t['met'] else 'NO'} | {t['figure']} |")
    return "\n".join(lines) + "\n"


def _views_markdown(s: dict, sizes: list[str]) -> list[str]:
    """The server's CPU per page view, sessions opening one link at once, and where the server's time goes."""
    viewed = [size for size in sizes if s["by_size"][size].get("views")]
    if not viewed:
        return []
    lines = ["", "**Page views on a real server** (`streamlit run`, websocket sessions that render nothing; the "
             "server's CPU seconds from /proc): first view of the page since the server started / a new session / a "
             "rerun in that session; KB sent for the page. Load average "
             + ", ".join(f"{int(size):,}: {s['by_size'][size]['views_loadavg'][0]:.1f}-"
                         f"{s['by_size'][size]['views_loadavg'][1]:.1f}" for size in viewed) + ".", "",
             "| page | " + " | ".join(f"{int(n):,} CPU s | KB" for n in viewed) + " |",
             "|---|" + "---:|---:|" * len(viewed)]
    for path in sorted({p for size in viewed for p in s["by_size"][size]["views"]}):
        cells = []
        for size in viewed:
            v = s["by_size"][size]["views"].get(path)
            cells.append("- | -" if v is None else f"{v['first_cpu_s']:.2f} / {v['new_session_cpu_s']:.2f} / "
                         f"{v['rerun_cpu_s']:.2f} | {v['bytes'] / 1024:,.0f}" + (" (error)" if v["exceptions"] else ""))
        lines.append(f"| {path} | " + " | ".join(cells) + " |")
    lines += ["", f"**Sessions opening the same link at once** (`/{MEETING_PAGE}?area=...`; a link nobody had opened, "
              "then the same link again): seconds until every session was served, server CPU per session.", "",
              "| referrals | sessions | link | all served s | CPU per session s | load avg |", "|---:|---:|---|---:|---:|---:|"]
    for size in viewed:
        for m in s["by_size"][size]["meeting"]:
            lines.append(f"| {int(size):,} | {m['sessions']} | {m['link']} | {m['all_served_s']:.2f} | "
                         f"{m['cpu_per_session_s']:.3f} | {m['loadavg']:.1f} |")
    profiled = [size for size in viewed if (s["by_size"][size].get("profile") or {}).get("shares")]
    if profiled:
        lines += ["", "**Where the server's time goes** (py-spy on the server while every page is opened in new "
                  "sessions; share of samples):", "",
                  "| part | " + " | ".join(f"{int(n):,}" for n in profiled) + " |", "|---|" + "---:|" * len(profiled)]
        parts = [name for name, _ in PROFILE_CATEGORIES] + ["other"]
        for part in parts:
            cells = [f"{100 * s['by_size'][size]['profile']['shares'].get(part, 0):.0f}%" for size in profiled]
            lines.append(f"| {part} | " + " | ".join(cells) + " |")
    return lines


def _browser_markdown(s: dict, sizes: list[str]) -> list[str]:
    """Headless Chromium opening each page: seconds to its first drawn chart, and until the page is idle."""
    browsed = [size for size in sizes if s["by_size"][size].get("browser_page_s")]
    if not browsed:
        return []
    lines = ["", "**In the browser** (headless Chromium, one tab, each page opened in turn after the server started): "
             "seconds to the first chart drawn / until the page was idle (- : the page draws no chart).", "",
             "| page | " + " | ".join(f"{int(n):,}" for n in browsed) + " |", "|---|" + "---:|" * len(browsed)]
    for path in sorted({p for size in browsed for p in s["by_size"][size]["browser_page_s"]}):
        cells = []
        for size in browsed:
            idle = s["by_size"][size]["browser_page_s"].get(path)
            chart = s["by_size"][size].get("browser_first_chart_s", {}).get(path)
            cells.append((f"{chart:.2f}" if isinstance(chart, float) else "-") + " / "
                         + (f"{idle:.2f}" if isinstance(idle, float) else str(idle)))
        lines.append(f"| {path} | " + " | ".join(cells) + " |")
    return lines


def write_docs(path: Path, figures: str) -> None:
    """Replace the figures between the markers, keeping the prose around them."""
    block = f"{MARK_START}\n{figures}{MARK_END}"
    if path.exists() and MARK_START in path.read_text():
        text = path.read_text()
        before, rest = text.split(MARK_START, 1)
        after = rest.split(MARK_END, 1)[1] if MARK_END in rest else ""
        path.write_text(before + block + after)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# Benchmarks\n\nMade by `python -m cseboard.bench` (`make bench`).\n\n{block}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cseboard.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k only, fewer repeats and settings; the "
                        "server at 10k only, without a browser or a profile (under a minute)")
    parser.add_argument("--sizes", help="comma-separated referral counts (default 10k,100k,1M,10M)")
    parser.add_argument("--quarters", type=int, default=QUARTERS)
    parser.add_argument("--repeats", type=int, help="timed runs per query after one warm-up (default 5, quick 3)")
    parser.add_argument("--page-repeats", type=int, default=None)
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="folder for data, stores and JSON")
    parser.add_argument("--docs", default=None, help="Markdown file to write the figures into (default docs/benchmarks.md; "
                        "quick runs write none unless given)")
    parser.add_argument("--no-browser", action="store_true", help="skip the streamlit server + Chromium memory check")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--pandas-max", type=int, default=1_000_000,
                        help="largest size for the pandas baseline (10M in pandas needs ~6 GB and minutes)")
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--keep-stores", action="store_true")
    parser.add_argument("--compare-sql", metavar="REF_OR_DIR", help="only time the queries against an older text of "
                        "them (a git revision's queries/ or a folder of .sql files), interleaved on the same store")
    # internal: one phase in a child process
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--phase-out", help=argparse.SUPPRESS)
    parser.add_argument("--extract", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--settings", nargs="*", default=list(SETTINGS), help=argparse.SUPPRESS)
    parser.add_argument("--pages-json", help=argparse.SUPPRESS)
    parser.add_argument("--sessions-at-once", nargs="*", type=int, default=list(SESSIONS_AT_ONCE), help=argparse.SUPPRESS)
    parser.add_argument("--profile", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = 3 if args.quick else 5
    if args.page_repeats is None:
        args.page_repeats = 1 if args.quick else 3
    if args.phase:
        Path(args.phase_out).write_text(json.dumps(PHASES[args.phase](args), default=_jsonable))
        return 0
    args.profile = args.profile or (not args.quick and (Path(sys.executable).parent / "py-spy").exists()) or None
    args.sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(QUICK_SIZES if args.quick else FULL_SIZES)
    if args.compare_sql:
        return query_compare.run(args)
    result = run(args)
    out = Path(args.out)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (out / name).write_text(json.dumps(result, indent=1, default=_jsonable))
    figures = markdown(result)
    print(figures)
    docs = args.docs or (None if args.quick else str(DEFAULT_DOCS))
    if docs:
        write_docs(Path(docs), figures)
    print(f"JSON: {out / 'latest.json'}" + (f"; Markdown: {docs}" if docs else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
