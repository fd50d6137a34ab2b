"""Settings in one place: each can be overridden by an environment variable of the same name."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from cseboard.periods import parse_quarter, quarter_label

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
QUERIES_DIR = PROJECT_ROOT / "queries"

# Share of CSE referrals that would be boys if boys were identified in line with their risk.
# Barnardo's "Hidden in plain sight" (2014) found about one in three children its CSE services
# supported were boys; the DfE 2017 guidance says boys are at risk and less likely to be identified.
# Partnerships can set their own benchmark on the Age and gender page.
DEFAULT_BOYS_BENCHMARK = 0.33
BOYS_BENCHMARK_SOURCE = (
    "Barnardo's, Hidden in plain sight (2014): about one in three children its CSE services supported were boys. "
    "DfE, Child sexual exploitation: guidance (2017): boys are at risk and less likely to be identified.")
DEFAULT_TRAINING_TARGET = 0.90
DEFAULT_SUPPRESSION_THRESHOLD = 5
# DuckDB's working memory before it spills to disk. Its own default (80% of RAM) let a 10M-row load reach 2.9 GB;
# with 1.5GB the load stays near 2.2 GB and the slowest query at 10M is unchanged (docs/benchmarks.md).
DEFAULT_DUCKDB_MEMORY = "1.5GB"
DEFAULT_PARTNERSHIP = "Safeguarding Children Partnership"
# Debian's chromium, driven by Playwright for the board pack's PDF and the end-to-end tests; it fetches nothing itself.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
MEMORY_SIZE = re.compile(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)")


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    """What a deployment may change without touching code."""

    db_path: Path
    demo_db_path: Path
    suppression_threshold: int
    boys_benchmark: float
    training_target: float
    max_upload_bytes: int
    duckdb_memory: str
    partnership: str
    spc_rebase: tuple[str, ...] = ()


def settings() -> Settings:
    """Read the settings now (tests change the environment between cases)."""
    return Settings(
        db_path=Path(_env("CSEBOARD_DB", str(PROJECT_ROOT / "data" / "store" / "cse.duckdb"))),
        demo_db_path=Path(_env("CSEBOARD_DEMO_DB", str(PROJECT_ROOT / "data" / "store" / "demo.duckdb"))),
        suppression_threshold=int(_env("CSEBOARD_SUPPRESSION_THRESHOLD", str(DEFAULT_SUPPRESSION_THRESHOLD))),
        boys_benchmark=float(_env("CSEBOARD_BOYS_BENCHMARK", str(DEFAULT_BOYS_BENCHMARK))),
        training_target=float(_env("CSEBOARD_TRAINING_TARGET", str(DEFAULT_TRAINING_TARGET))),
        max_upload_bytes=int(_env("CSEBOARD_MAX_UPLOAD_BYTES", str(100 * 1024 * 1024))),
        duckdb_memory=_memory_size(_env("CSEBOARD_DUCKDB_MEMORY", DEFAULT_DUCKDB_MEMORY)),
        partnership=_env("CSEBOARD_PARTNERSHIP", DEFAULT_PARTNERSHIP),
        spc_rebase=_quarters(_env("CSEBOARD_SPC_REBASE", "")),
    )


def _quarters(value: str) -> tuple[str, ...]:
    """Quarters recorded as comma-separated labels (2025-Q2,2026-Q1): where SPC charts start new limits."""
    return tuple(quarter_label(*parse_quarter(item)) for item in value.split(",") if item.strip())


def _memory_size(value: str) -> str:
    """A size DuckDB understands (e.g. 1.5GB); anything else is refused before it reaches SQL."""
    if not MEMORY_SIZE.fullmatch(value.strip()):
        raise ValueError(f"CSEBOARD_DUCKDB_MEMORY must be a size such as 1.5GB or 800MB, not {value!r}")
    return value.strip()
