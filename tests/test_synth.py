"""The synthetic extract generator: deterministic, inside the contract, and showing the patterns the charts look for."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cseboard import contract

from cseboard.tools import synth
from cseboard.config import SAMPLE_DIR
from cseboard.periods import parse_quarter, quarter_end, quarter_start, quarters_between
from cseboard.intake.readers import Limits, collect_path
from cseboard.intake.report import Report
from cseboard.intake.validate import validate_files

SIZE = 2000
FIRST_DAY = quarter_start("2023-Q4")
LAST_DAY = quarter_end(synth.DEFAULT_END_QUARTER)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return synth.generate(SIZE)


@pytest.fixture(scope="module")
def referrals(tables) -> pd.DataFrame:
    return tables["referrals"]


def _files(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _dates(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column, format="%Y-%m-%d")


def _has(column: pd.Series, item: str) -> pd.Series:
    return column.str.split(";").apply(lambda items: item in items)


def test_same_seed_gives_identical_frames_and_files(tables, tmp_path):
    again = synth.generate(SIZE)
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame, again[name])
    synth.write_extract(tables, tmp_path / "first")
    synth.write_extract(again, tmp_path / "second")
    assert _files(tmp_path / "first") == _files(tmp_path / "second")


def test_different_seed_gives_different_data(referrals):
    other = synth.generate(SIZE, seed=synth.DEFAULT_SEED + 1)["referrals"]
    assert not other.equals(referrals)


def test_exact_number_of_referrals_and_unique_rows(tables, referrals):
    assert len(referrals) == SIZE
    for table in contract.TABLES:
        assert not tables[table.name].duplicated(list(table.unique)).any(), table.name


def test_columns_match_the_contract(tables):
    assert set(tables) == set(contract.TABLES_BY_NAME)
    for name, frame in tables.items():
        assert list(frame.columns) == [c.name for c in contract.TABLES_BY_NAME[name].columns]


def test_every_value_is_within_the_contract(tables):
    for name, frame in tables.items():
        for column in contract.TABLES_BY_NAME[name].columns:
            values = frame[column.name]
            if column.required:
                assert values.notna().all(), (name, column.name)
            present = values.dropna()
            if column.kind == "choice":
                assert present.isin(column.choices).all(), (name, column.name)
            elif column.kind == "yesno":
                assert present.isin(contract.YES_NO).all()
            elif column.kind == "list":
                items = present[present != ""].str.split(";").explode()
                assert items.isin(column.choices).all(), (name, column.name)
                assert not present.str.contains(" ").any()
            elif column.kind == "int":
                assert pd.api.types.is_integer_dtype(values)
                assert column.minimum is None or present.min() >= column.minimum, (name, column.name)
                assert column.maximum is None or present.max() <= column.maximum, (name, column.name)
            elif column.kind == "date":
                days = _dates(present).dt.date
                assert days.between(FIRST_DAY, LAST_DAY).all(), (name, column.name)
            elif column.kind == "quarter":
                present.map(parse_quarter)
            elif column.kind == "id":
                assert present.str.fullmatch(r"[A-Z]\d{7,}").all()


def test_population_is_by_area_age_band_gender_and_ethnicity(tables, referrals):
    population = tables["population"]
    assert set(population["age_band"]) == set(contract.AGE_BANDS)
    assert set(population["gender"]) == {"Male", "Female"}
    assert set(population["area"]) == set(referrals["area"])
    assert set(population["ethnicity"]) == set(contract.ETHNICITIES) - {"Not known"}
    assert len(population) == population["area"].nunique() * len(contract.AGE_BANDS) * 2 * 5
    assert 60_000 <= population["children"].sum() <= 120_000


def test_population_grows_with_huge_referral_counts():
    assert synth.population_scale(3000, 12) == 1
    assert synth.population_scale(1_000_000, 12) == pytest.approx(10 * synth.population_scale(100_000, 12))


def test_referral_dates_cover_every_quarter_and_rise(referrals):
    quarters = _dates(referrals["referral_date"]).dt.to_period("Q").value_counts().sort_index()
    assert [str(q) for q in quarters.index] == [q.replace("-", "") for q in quarters_between("2023-Q4", "2026-Q3")]
    assert quarters.iloc[-4:].sum() > quarters.iloc[:4].sum()


def test_ages_peak_at_12_to_15_with_both_tails_present(referrals):
    bands = referrals["age_at_referral"].map(contract.age_band).value_counts(normalize=True)
    assert bands["12-13"] + bands["14-15"] > 0.5
    assert referrals["age_at_referral"].mode().iloc[0] in range(12, 16)
    assert 0.03 <= bands["Under 10"] <= 0.1
    assert 0.12 <= bands["16-17"] <= 0.25


def test_boys_are_identified_far_less_often_and_unevenly_by_area(referrals):
    shares = referrals["gender"].value_counts(normalize=True)
    assert 0.12 <= shares["Male"] <= 0.22
    assert shares["Male"] < shares["Female"] / 3
    male_by_area = referrals.groupby("area")["gender"].apply(lambda g: (g == "Male").mean())
    assert male_by_area.max() - male_by_area.min() > 0.1
    male_by_source = referrals.groupby("referral_source")["gender"].apply(lambda g: (g == "Male").mean())
    assert male_by_source["Youth justice"] > male_by_source["Education"]
    assert male_by_source["Police"] > male_by_source["Health"]


def test_child_attributes_are_consistent_across_referrals(referrals):
    by_child = referrals.sort_values(["child_id", "referral_date"]).groupby("child_id")
    assert (by_child[["gender", "ethnicity"]].nunique() == 1).all().all()
    ages = by_child["age_at_referral"]
    assert ((ages.max() - ages.min()) <= 1).all()
    assert (ages.diff().dropna() >= 0).all()
    re_referred = (by_child.size() > 1).mean()
    assert 0.15 <= re_referred <= 0.35


def test_risk_drives_outcomes_and_looked_after(referrals):
    high = referrals["risk_level"] == "High"
    low = referrals["risk_level"] == "Low"
    serious = referrals["outcome"].isin(["Child protection", "Looked after", "Police investigation"])
    assert serious[high].mean() > 2 * serious[low].mean()
    looked_after = referrals["looked_after"] == "yes"
    assert 0.08 <= looked_after.mean() <= 0.17
    assert looked_after[high].mean() > looked_after[low].mean()
    assert (looked_after == _has(referrals["vulnerabilities"], "looked_after")).all()
    assert (referrals["risk_level"] == "Not assessed").mean() < 0.15


def test_linked_crimes_and_vulnerabilities_co_occur(referrals):
    crimes = referrals["linked_crimes"]
    assert (crimes == "").mean() > 0.3
    drugs, gangs = _has(crimes, "drugs"), _has(crimes, "gangs")
    assert gangs[drugs].mean() > 5 * gangs[~drugs].mean()
    trafficking = _has(crimes, "trafficking")
    assert _has(referrals["vulnerabilities"], "migrant_or_uasc")[trafficking].mean() > 0.3
    grooming = _has(crimes, "online_grooming")
    assert grooming[referrals["age_at_referral"] < 12].mean() > grooming[referrals["age_at_referral"] >= 14].mean()
    exploitation = _has(crimes, "criminal_exploitation")
    male = referrals["gender"] == "Male"
    assert exploitation[male].mean() > 2 * exploitation[referrals["gender"] == "Female"].mean()


def test_missing_episodes_are_plausible(tables, referrals):
    episodes = tables["missing_episodes"]
    start, end = _dates(episodes["start_date"]), _dates(episodes["end_date"])
    returned = end.notna()
    assert (end[returned] >= start[returned]).all()
    assert 0 < (~returned).sum() <= 0.01 * len(episodes)
    assert (episodes.loc[~returned, "return_interview"] == "Not offered").all()
    accepted = episodes["return_interview"] == "Accepted"
    assert episodes["return_interview_date"].notna().eq(accepted).all()
    delay = (_dates(episodes["return_interview_date"]) - end)[accepted].dt.days
    assert (delay >= 0).all()
    assert 0.5 < (delay <= 3).mean() < 0.95
    missing_children = episodes["child_id"].drop_duplicates()
    never_referred = ~missing_children.isin(referrals["child_id"])
    assert 0.15 <= never_referred.mean() <= 0.35
    assert (episodes["child_id"].value_counts() >= 3).any()


def test_training_covers_every_quarter_agency_and_level(tables):
    training = tables["training"]
    agencies = set(training["agency"])
    assert agencies.isdisjoint({"Self", "Anonymous", "Family or friends"})
    assert len(training) == training["period"].nunique() * len(agencies) * len(contract.TRAINING_LEVELS)
    assert (training["staff_trained"] <= training["staff_in_scope"]).all()
    awareness = training[training["level"] == "Awareness"]
    assert (awareness.groupby("period")["staff_in_scope"].sum() > training.groupby("period")["staff_in_scope"].sum() / 2).all()
    coverage = training.groupby("period")[["staff_trained", "staff_in_scope"]].sum()
    ratio = coverage["staff_trained"] / coverage["staff_in_scope"]
    assert ratio.iloc[-1] > ratio.iloc[0]
    final = training[training["period"] == training["period"].max()].groupby("agency")[["staff_trained", "staff_in_scope"]].sum()
    by_agency = final["staff_trained"] / final["staff_in_scope"]
    assert by_agency.max() > 0.85 and by_agency.min() < 0.65


def test_awareness_reaches_schools_in_term_time_and_communities_unevenly(tables, referrals):
    awareness = tables["awareness"]
    quarter = awareness["period"].str[-1]
    schools = awareness[awareness["setting"].isin(contract.SCHOOL_SETTINGS)]
    by_quarter = schools.groupby(quarter.loc[schools.index])["people_reached"].sum()
    assert by_quarter["3"] < 0.5 * by_quarter.drop("3").min()  # the summer holiday
    community = awareness[awareness["audience"] == "Communities"]
    by_area = community.groupby("area")["people_reached"].sum().reindex(sorted(set(referrals["area"])), fill_value=0)
    assert by_area.min() < 0.25 * by_area.max()
    assert set(awareness["audience"]) == set(contract.AUDIENCES)
    assert not ((awareness["sessions"] == 0) & (awareness["people_reached"] > 0)).any()
    planned = awareness["planned_reach"]
    assert 0.5 < planned.notna().mean() < 1
    assert (awareness.loc[awareness["area"] == "", "setting"].isin(["Online", "Other"])).all()


def test_other_periods_and_fewer_areas():
    tables = synth.generate(500, end_quarter="2025q2", quarters=4, areas=3)
    dates = _dates(tables["referrals"]["referral_date"]).dt.date
    assert dates.min() >= dt.date(2024, 7, 1) and dates.max() <= dt.date(2025, 6, 30)
    assert tables["referrals"]["area"].nunique() == 3
    assert sorted(tables["training"]["period"].unique()) == ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
    with pytest.raises(ValueError):
        synth.generate(10, areas=len(synth.AREAS) + 1)


def test_parquet_extract_holds_the_same_tables(tables, tmp_path):
    synth.write_extract(tables, tmp_path, fmt="parquet")
    for name, frame in tables.items():
        read = pd.read_parquet(tmp_path / f"{name}.parquet")
        assert read.astype(frame.dtypes.to_dict()).equals(frame)  # whole numbers with gaps read back as floats
    assert "SYNTHETIC" in (tmp_path / "README.txt").read_text()


def test_command_line_writes_a_folder(tmp_path):
    synth.main(["--referrals", "300", "--out", str(tmp_path), "--seed", "7"])
    assert _files(tmp_path).keys() == {"README.txt", "referrals.csv", "missing_episodes.csv", "training.csv", "population.csv",
                                        "awareness.csv"}
    readme = (tmp_path / "README.txt").read_text()
    assert "SYNTHETIC" in readme and "seed: 7" in readme
    assert len(pd.read_csv(tmp_path / "referrals.csv")) == 300


def test_shipped_sample_passes_the_loaders_validation():
    report = Report()
    extract = validate_files(collect_path(SAMPLE_DIR, Limits(), report), report, today=LAST_DAY)
    assert report.errors == []
    assert extract.rows("referrals") == synth.SAMPLE_REFERRALS


def test_shipped_sample_is_what_the_generator_makes_now(tmp_path):
    """If this fails, regenerate: python -m cseboard.synth --referrals 3000 --out data/sample"""
    synth.write_extract(synth.generate(synth.SAMPLE_REFERRALS), tmp_path)
    assert _files(SAMPLE_DIR) == _files(tmp_path)
    assert sum(len(content) for content in _files(SAMPLE_DIR).values()) < 1024**2
