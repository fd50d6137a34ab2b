"""One factory for small extracts built in code: defaults that pass the contract, overrides per test."""
from __future__ import annotations

import csv
from pathlib import Path

REFERRAL = {
    "referral_id": "R1", "child_id": "C1", "referral_date": "2025-02-10", "age_at_referral": "14",
    "gender": "Female", "ethnicity": "White", "area": "Northgate", "referral_source": "Police",
    "risk_level": "High", "outcome": "Child protection", "looked_after": "no",
    "linked_crimes": "drugs;gangs", "vulnerabilities": "missing_education",
}
MISSING_EPISODE = {
    "episode_id": "E1", "child_id": "C1", "start_date": "2025-02-01", "end_date": "2025-02-02",
    "return_interview": "Accepted", "return_interview_date": "2025-02-03",
}
TRAINING = {"period": "2025-Q1", "agency": "Police", "level": "Awareness", "staff_in_scope": "100", "staff_trained": "80"}
POPULATION = {"area": "Northgate", "age_band": "14-15", "gender": "Female", "children": "1000"}
AWARENESS = {"period": "2025-Q1", "audience": "Children and young people", "setting": "Secondary school",
             "area": "Northgate", "sessions": "4", "people_reached": "320", "planned_reach": "400"}
DEFAULTS = {"referrals": REFERRAL, "missing_episodes": MISSING_EPISODE, "training": TRAINING, "population": POPULATION,
            "awareness": AWARENESS}


def rows(table: str, count: int, **overrides) -> list[dict]:
    """count rows of a table with unique ids (R1, R2... / E1, E2...), each with the overrides applied."""
    made = []
    for index in range(1, count + 1):
        row = {**DEFAULTS[table], **overrides}
        if table == "referrals":
            row.setdefault("referral_id", f"R{index}")
            row["referral_id"] = overrides.get("referral_id", f"R{index}")
            row["child_id"] = overrides.get("child_id", f"C{index}")
        if table == "missing_episodes":
            row["episode_id"] = overrides.get("episode_id", f"E{index}")
        made.append(row)
    return made


def numbered(referrals: list[dict]) -> list[dict]:
    """Referrals joined from several rows() calls, renumbered R1, R2... and C1, C2... so their ids stay unique."""
    for index, referral in enumerate(referrals, start=1):
        referral["referral_id"], referral["child_id"] = f"R{index}", f"C{index}"
    return referrals


def write_csv(path: Path, records: list[dict], header: list[str] | None = None, encoding: str = "utf-8") -> Path:
    header = header or list(records[0])
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(records)
    return path


def write_extract(folder: Path, **tables: list[dict]) -> Path:
    """Write an extract folder: referrals default to three good rows; pass table=[] to leave a file out."""
    folder.mkdir(parents=True, exist_ok=True)
    tables.setdefault("referrals", rows("referrals", 3))
    for table, records in tables.items():
        if records:
            write_csv(folder / f"{table}.csv", records)
    return folder
