"""One path from files to the store, shared by the upload page and the shell command."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath

from cseboard.config import SAMPLE_DIR
from cseboard.intake.quality import assess_extract
from cseboard.intake.readers import Limits, SourceFile, collect_path, collect_uploads, files_sha256
from cseboard.intake.report import Report
from cseboard.store.database import Store
from cseboard.intake.validate import Extract, validate_files


@dataclass
class Prepared:
    """A validated extract waiting for the user's confirmation (or the shell's go-ahead)."""

    source_name: str
    extract: Extract
    sha256: str
    quality: dict | None = field(default=None)

    @property
    def report(self) -> Report:
        return self.extract.report

    @property
    def ok(self) -> bool:
        return self.extract.ok


def _prepare(source_name: str, collect: Callable[[Report], list[SourceFile]], period, today) -> Prepared:
    """Collected, validated, assessed and hashed; whatever goes wrong becomes a refusal in the report, never a
    traceback."""
    report = Report()
    try:
        return _checked(source_name, collect(report), report, period, today)
    except Exception as exc:  # the catch-all: a file no rule foresaw is refused, with nothing from it repeated
        report.error(source_name, "unexpected", "the extract could not be checked: something in it is not what the "
                     f"loader expects ({type(exc).__name__}). Nothing was loaded. Check that each file is a CSV, "
                     "Parquet or Excel export of the contract's tables; if it is, report this to the maintainers")
        return Prepared(source_name, Extract(report), "")


def _checked(source_name: str, files: list[SourceFile], report: Report, period, today) -> Prepared:
    with ThreadPoolExecutor(max_workers=1) as hashing:
        # the files are hashed while they are validated (hashlib releases the GIL); the hash is kept if they pass
        sha256 = hashing.submit(files_sha256, files) if report.ok else None
        extract = validate_files(files, report, period=period, today=today) if report.ok else Extract(report)
        if report.ok and not files:
            report.error(source_name, "no_files", "no data files were given")
        quality = assess_extract(extract) if report.ok and extract.tables else None
        return Prepared(source_name, extract, sha256.result() if report.ok else "", quality)


def prepare_path(path: Path, period: tuple[str, str] | None = None, limits: Limits = Limits(),
                 today: dt.date | None = None) -> Prepared:
    """Validate a folder, .zip or file from disk, writing nothing."""
    return _prepare(Path(path).name, lambda report: collect_path(Path(path), limits, report), period, today)


def prepare_uploads(uploads: list[tuple[str, bytes]], period: tuple[str, str] | None = None,
                    limits: Limits = Limits(), today: dt.date | None = None) -> Prepared:
    """Validate files uploaded in the browser, writing nothing."""
    # named after what was uploaded: one .zip of several tables is still "extract.zip"
    name = PurePosixPath(uploads[0][0]).name if len(uploads) == 1 else f"{len(uploads)} uploaded files"
    return _prepare(name, lambda report: collect_uploads(uploads, limits, report), period, today)


@lru_cache(maxsize=1)
def sample_sha256() -> str:
    """The hash of the bundled synthetic sample's files: an extract with exactly these files is the sample."""
    return files_sha256(collect_path(SAMPLE_DIR, Limits(), Report()))


def is_sample(prepared: Prepared) -> bool:
    return prepared.ok and prepared.sha256 == sample_sha256()


def load(store: Store, prepared: Prepared, audit: dict | None = None) -> int:
    """Store a prepared extract that passed validation, with its data-quality report; returns its extract id.

    The sample is marked synthetic, so the store keeps it apart from real extracts; audit (an entry for the audit
    trail) is written in the same transaction, so a load that is not recorded does not happen."""
    quality = prepared.quality
    if quality is None and prepared.ok and prepared.extract.tables:
        quality = assess_extract(prepared.extract)
    return store.load(prepared.extract, prepared.source_name, prepared.sha256, quality=quality,
                      synthetic=is_sample(prepared), audit=audit)
