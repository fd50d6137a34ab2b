"""Seeded synthetic CSE extracts: realistic patterns for charts, demos and tests, and no real child in them.

Everything is vectorised numpy (loops run over areas, themes and categories, never over rows), so
ten million referrals generate in well under a minute. The same seed and arguments give
byte-identical files.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from cseboard import contract
from cseboard.periods import parse_quarter, quarter_end, quarter_label, quarter_start, quarters_between, shift_quarter

DEFAULT_SEED = 20261123
DEFAULT_END_QUARTER = "2026-Q3"
DEFAULT_QUARTERS = 12
SAMPLE_REFERRALS = 3000
FORMATS = ("csv", "parquet")


@dataclass(frozen=True)
class Area:
    """A made-up locality: its share of the children, how often it refers, how often boys are seen, its ethnic mix."""

    name: str
    children_share: float
    referral_rate: float
    boys_factor: float
    diversity: float


AREAS = (
    Area("Northgate", 0.13, 1.10, 1.00, 0.55),
    Area("Riverside", 0.11, 1.35, 1.05, 0.70),
    Area("Eastbrook", 0.10, 0.90, 0.55, 0.20),
    Area("Westfield", 0.10, 1.00, 1.00, 0.30),
    Area("Southmead", 0.09, 1.20, 1.60, 0.45),
    Area("Kingsholme", 0.09, 0.80, 0.95, 0.15),
    Area("Millbrook", 0.08, 0.95, 1.00, 0.25),
    Area("Ashworth", 0.07, 0.85, 0.60, 0.10),
    Area("Fernhill", 0.07, 1.05, 1.10, 0.35),
    Area("Highcliffe", 0.06, 0.70, 0.95, 0.05),
    Area("Stonebridge", 0.05, 1.25, 1.05, 0.60),
    Area("Oakmere", 0.05, 0.75, 0.90, 0.10),
)

# Relative chance of a first referral at each age 0-17: a peak at 12-15, a visible under-10 tail.
AGE_WEIGHTS = np.array([0.1, 0.1, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.2, 1.6,
                        3.2, 5.5, 9.0, 13.0, 16.5, 16.0, 10.5, 5.0])
BOYS_SHARE = 0.17
OTHER_GENDER_SHARE = 0.008
GENDER_NOT_KNOWN_SHARE = 0.012
LESS_DIVERSE_ETHNICITY = np.array([0.82, 0.05, 0.04, 0.02, 0.01, 0.06])  # contract.ETHNICITIES order
MORE_DIVERSE_ETHNICITY = np.array([0.45, 0.09, 0.22, 0.13, 0.04, 0.07])
# The resident children's mix (contract.ETHNICITIES less Not known), shaped like ONS Census 2021 figures for under-18s:
# against it, children of mixed ethnicity are referred more often and Asian children less, as local reviews report.
LESS_DIVERSE_POPULATION = np.array([0.855, 0.040, 0.065, 0.022, 0.018])
MORE_DIVERSE_POPULATION = np.array([0.46, 0.07, 0.30, 0.12, 0.05])

# Referral source by gender (contract.REFERRAL_SOURCES order): schools and health services see fewer boys.
SOURCE_WEIGHTS_GIRLS = np.array([0.22, 0.22, 0.12, 0.20, 0.06, 0.02, 0.02, 0.05, 0.02, 0.02, 0.05])
SOURCE_WEIGHTS_BOYS = np.array([0.30, 0.12, 0.06, 0.20, 0.06, 0.12, 0.03, 0.04, 0.01, 0.02, 0.04])
SOURCES_OFTEN_NOT_ASSESSED = ("Family or friends", "Self", "Anonymous")
NOT_ASSESSED_SHARE = 0.07
NOT_ASSESSED_SHARE_INFORMAL = 0.22

RE_REFERRED_SHARE = 0.3
FURTHER_REFERRALS_P = 0.55  # geometric: how many more referrals a re-referred child has
MAX_REFERRAL_SPAN_DAYS = 364  # a child's referrals fall within a year, so their age rises by one at most
# Risk comes from a latent severity (standard deviation 1): a persistent child part plus a per-referral part.
CHILD_SEVERITY_SD = 0.8
REFERRAL_SEVERITY_SD = 0.6
REPEAT_SEVERITY_BUMP = 0.3
LOW_MEDIUM_CUT, MEDIUM_HIGH_CUT = -0.3, 0.75

# Outcome by risk (rows contract.RISK_LEVELS, columns contract.OUTCOMES).
OUTCOME_WEIGHTS = np.array([
    [0.40, 0.33, 0.15, 0.02, 0.01, 0.04, 0.05],
    [0.15, 0.25, 0.30, 0.12, 0.04, 0.09, 0.05],
    [0.03, 0.07, 0.20, 0.32, 0.13, 0.20, 0.05],
    [0.45, 0.25, 0.10, 0.03, 0.02, 0.05, 0.10],
])
RECENT_DAYS = 42
RECENT_ONGOING_SHARE = 0.6
LOOKED_AFTER_BY_RISK = np.array([0.04, 0.08, 0.17, 0.05])
UASC_LOOKED_AFTER_SHARE = 0.6


@dataclass(frozen=True)
class Theme:
    """A pattern of exploitation: linked crimes and vulnerabilities that tend to be recorded together."""

    chance: float
    crimes: dict[str, float]
    vulnerabilities: dict[str, float]
    age_slope: float = 0.0  # log-odds-like change in chance per year of age above 14
    boys_factor: float = 1.0


THEMES = (
    Theme(0.22, {"online_grooming": 0.9, "abusive_images": 0.45},
          {"social_isolation": 0.35, "mental_health": 0.25, "no_safe_space_sexuality": 0.12, "sexual_identity": 0.12},
          age_slope=-0.18),
    Theme(0.12, {"drugs": 0.8, "gangs": 0.6, "criminal_exploitation": 0.7},
          {"substance_misuse": 0.5, "gang_affected": 0.6, "missing_education": 0.45, "exploited_peers": 0.5},
          age_slope=0.15, boys_factor=2.8),
    Theme(0.03, {"trafficking": 0.9, "immigration": 0.5, "domestic_servitude": 0.3},
          {"migrant_or_uasc": 0.7, "homelessness": 0.3, "economic_vulnerability": 0.5},
          age_slope=0.15, boys_factor=1.3),
    Theme(0.12, {"intimate_partner_violence": 0.8, "domestic_abuse": 0.3},
          {"mental_health": 0.3, "prior_abuse_neglect": 0.3, "exploited_peers": 0.2},
          age_slope=0.3, boys_factor=0.4),
    Theme(0.25, {"domestic_abuse": 0.4},
          {"prior_abuse_neglect": 0.6, "unstable_home": 0.6, "bereavement": 0.2, "family_in_sex_work": 0.06,
           "homelessness": 0.15, "economic_vulnerability": 0.3}),
    Theme(1.0, {},  # background vulnerabilities, recorded more often at higher risk
          {"disability": 0.07, "mental_health": 0.10, "missing_education": 0.05, "substance_misuse": 0.04,
           "bereavement": 0.04, "social_isolation": 0.05, "sexual_identity": 0.03}),
)
THEME_RISK_FACTOR = np.array([0.7, 1.1, 1.5, 0.6])  # contract.RISK_LEVELS order: more is recorded at higher risk
MAX_THEME_CHANCE = 0.95

# Missing episodes: mean episodes per referred child by highest risk (contract.RISK_LEVELS order).
EPISODES_BY_RISK = np.array([0.3, 0.7, 1.8, 0.3])
EPISODES_DISPERSION = 0.5  # negative binomial shape: a long tail of children missing again and again
NOT_REFERRED_MISSING_SHARE = 0.25
NEVER_REFERRED_ONE_EPISODE_P = 0.6  # geometric: children never referred for CSE go missing less often
EPISODE_SPREAD_DAYS = 120
RETURN_SAME_DAY_P = 0.45  # geometric duration in days: most return within hours or a few days
RETURN_INTERVIEW_WEIGHTS = np.array([0.55, 0.25, 0.20])  # contract.RETURN_INTERVIEW order
INTERVIEW_WITHIN_72H_SHARE = 0.75
LATE_INTERVIEW_DAYS = (4, 21)

# Training: Awareness staff in scope per agency for a partnership of TYPICAL_CHILDREN, and the
# share trained by the final quarter; Advanced and Specialist are smaller slices of the same workforce.
TRAINING_AWARENESS_STAFF = {
    "Police": 900, "Education": 2400, "Health": 1800, "Children's social care": 450,
    "Voluntary sector": 300, "Youth justice": 60, "Housing": 150, "Other": 200,
}
TRAINING_FINAL_COVERAGE = {
    "Police": 0.90, "Education": 0.55, "Health": 0.68, "Children's social care": 0.95,
    "Voluntary sector": 0.75, "Youth justice": 0.93, "Housing": 0.50, "Other": 0.60,
}
TRAINING_LEVEL_SCOPE = {"Awareness": 1.0, "Advanced": 0.2, "Specialist": 0.04}
TRAINING_LEVEL_COVERAGE_GAP = {"Awareness": 0.0, "Advanced": 0.05, "Specialist": 0.10}
TRAINING_COVERAGE_RISE = 0.25
STAFF_TURNOVER_SD = 0.02



@dataclass(frozen=True)
class Programme:
    """A strand of prevention and awareness work: who it reaches, where, how often, and how it is planned.

    sessions: sessions a quarter in an area of average size (for the whole partnership when not local); group: people
    reached per session; term_time: runs in schools, so the summer quarter is thin; patchy: some areas have none of it
    and the rest a very different amount (community work follows local licensing and campaigns); active: the chance
    its campaign runs in a quarter at all; planned: commissioned with a reach target."""

    audience: str
    setting: str
    sessions: float
    group: float
    local: bool = True
    term_time: bool = False
    patchy: bool = False
    active: float = 1.0
    planned: bool = True


AWARENESS_PROGRAMMES = (
    Programme("Children and young people", "Primary school", 4.0, 28, term_time=True),
    Programme("Children and young people", "Secondary school", 3.0, 85, term_time=True),
    Programme("Children and young people", "Alternative provision", 0.8, 5, term_time=True),
    Programme("Children and young people", "Youth group", 1.2, 11, patchy=True, planned=False),
    Programme("Children and young people", "Online", 2.0, 160, local=False, planned=False),
    Programme("Parents and carers", "Parents' group", 1.0, 8, patchy=True),
    Programme("Parents and carers", "Secondary school", 0.7, 30, term_time=True),
    Programme("Communities", "Taxi and private hire", 1.5, 14, patchy=True, active=0.6),
    Programme("Communities", "Hotels", 0.6, 6, patchy=True, active=0.5),
    Programme("Communities", "Licensed premises", 0.8, 9, patchy=True, active=0.6),
    Programme("Communities", "Fast food", 0.5, 5, patchy=True, active=0.45),
    Programme("Communities", "Security", 0.5, 10, patchy=True, active=0.5),
    Programme("Practitioners", "Other", 3.0, 24, local=False, planned=False),
)
TERM_TIME_BY_QUARTER = np.array([1.0, 0.85, 0.3, 1.1])  # Jan-Mar, Apr-Jun, Jul-Sep (summer holiday), Oct-Dec
PATCHY_NONE_SHARE = 0.35  # areas with none of a patchy strand
PATCHY_SPREAD = 0.8  # gamma shape of a patchy strand's amount by area: small means very uneven
PLAN_AMBITION = (1.0, 1.35)  # reach targets run ahead of the expected reach by up to a third

TYPICAL_CHILDREN = 95_000
MAX_ANNUAL_REFERRALS_PER_10K = 120  # above this the population grows with --referrals so rates stay plausible
MALE_CHILDREN_SHARE = 0.512
POPULATION_NOISE_SD = 0.03

MONTH_FACTOR = np.array([1.00, 1.05, 1.08, 0.98, 1.05, 1.06, 0.95, 0.78, 1.02, 1.10, 1.06, 0.85])  # school holidays dip
WEEKDAY_FACTOR = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.45, 0.4])  # Monday first
ANNUAL_GROWTH = 0.10


def generate(referrals: int, seed: int = DEFAULT_SEED, end_quarter: str = DEFAULT_END_QUARTER,
             quarters: int = DEFAULT_QUARTERS, areas: int = len(AREAS)) -> dict[str, pd.DataFrame]:
    """The five contract tables for a made-up partnership, keyed by table name."""
    if referrals < 1 or quarters < 1 or not 1 <= areas <= len(AREAS):
        raise ValueError(f"need referrals >= 1, quarters >= 1 and 1 <= areas <= {len(AREAS)}")
    end_quarter = quarter_label(*parse_quarter(end_quarter))
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)]
    period = Period(end_quarter, quarters)
    chosen = AREAS[:areas]
    scale = population_scale(referrals, quarters)
    children, referral_table = _referrals(streams[0], referrals, period, chosen)
    missing_children, episode_table = _missing_episodes(streams[1], children, period)
    child_numbers = streams[1].permutation(children.count + missing_children) + 1
    referral_table, episode_table = (
        table.set_column(1, "child_id", _ids("C", child_numbers[table["child_id"].to_numpy()], child_numbers.size))
        for table in (referral_table, episode_table))
    tables = {
        "referrals": referral_table,
        "missing_episodes": episode_table,
        "training": _training(streams[2], period, scale),
        "population": _population(streams[3], chosen, scale),
        "awareness": _awareness(streams[4], period, chosen, scale),
    }
    arguments = {"referrals": referrals, "seed": seed, "end_quarter": end_quarter, "quarters": quarters, "areas": areas}
    frames = {}
    for name, table in tables.items():
        selected = table.select([c.name for c in contract.TABLES_BY_NAME[name].columns])
        frame = selected.to_pandas()
        for field in selected.schema:  # whole numbers with gaps (planned reach) stay whole numbers, not floats
            if pa.types.is_integer(field.type) and selected.column(field.name).null_count:
                frame[field.name] = frame[field.name].astype("Int64")
        frame.attrs["synth"] = dict(arguments)
        frames[name] = frame
    return frames


def population_scale(referrals: int, quarters: int) -> float:
    """How many typical partnerships the population must be so referral rates per 10,000 stay plausible."""
    annual_referrals = referrals * 4 / quarters
    return max(1.0, annual_referrals * 10_000 / MAX_ANNUAL_REFERRALS_PER_10K / TYPICAL_CHILDREN)


class Period:
    """The days of the reporting quarters, with how likely a referral is on each (trend, school terms, weekends)."""

    def __init__(self, end_quarter: str, quarters: int):
        self.quarters = quarters_between(shift_quarter(end_quarter, 1 - quarters), end_quarter)
        self.first_day = np.datetime64(quarter_start(self.quarters[0]), "D")
        self.size = (quarter_end(self.quarters[-1]) - quarter_start(self.quarters[0])).days + 1

    def draw(self, rng: np.random.Generator, size: int, before: int = 0) -> np.ndarray:
        """Day offsets from the first day (reaching `before` days earlier), drawn by referral likelihood."""
        offsets = np.arange(-before, self.size)
        days = self.first_day + offsets
        months = days.astype("datetime64[M]").astype(np.int64) % 12
        weekdays = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        weights = (1 + ANNUAL_GROWTH * offsets / 365.25) * MONTH_FACTOR[months] * WEEKDAY_FACTOR[weekdays]
        cumulative = np.cumsum(weights)
        picks = np.searchsorted(cumulative, rng.random(size) * cumulative[-1], side="right")
        return offsets[np.minimum(picks, offsets.size - 1)]

    def dates(self, offsets: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
        """ISO date text for day offsets (blank where `missing`)."""
        days = (offsets + self.first_day.astype(np.int64)).astype(np.int32)
        return pa.array(days, type=pa.date32(), mask=missing).cast(pa.string())


@dataclass(frozen=True)
class Timeline:
    """When each referral happened and whose it is: rows grouped by child, children numbered from 0."""

    child: np.ndarray
    offset: np.ndarray
    days_into_window: np.ndarray
    later: np.ndarray
    first_row: np.ndarray
    window_start: np.ndarray
    span: np.ndarray


def _timeline(rng: np.random.Generator, referrals: int, period: Period) -> Timeline:
    """Each child's referrals fall in a window of up to a year; windows run over the period's edges as in a
    real extract (earlier and later referrals are simply not in it), and the first `referrals` inside are kept."""
    longest_span = min(MAX_REFERRAL_SPAN_DAYS, period.size - 1)
    referrals_per_child = 1 + RE_REFERRED_SHARE / FURTHER_REFERRALS_P
    pool = int(1.2 * referrals / referrals_per_child * (period.size + longest_span) / period.size) + 100
    counts = 1 + np.where(rng.random(pool) < RE_REFERRED_SHARE, rng.geometric(FURTHER_REFERRALS_P, pool), 0)
    span = np.where(counts > 1, np.maximum(1, np.ceil(longest_span * rng.random(pool) ** 1.5)), 0).astype(np.int64)
    window_start = period.draw(rng, pool, before=longest_span)
    child = np.repeat(np.arange(pool), counts)
    later = np.arange(child.size) != (np.cumsum(counts) - counts)[child]
    days_into_window = np.where(later, 1 + (rng.random(child.size) * span[child]).astype(np.int64), 0)
    offset = window_start[child] + days_into_window
    inside = (offset >= 0) & (offset < period.size)
    rows = np.flatnonzero(inside & (np.cumsum(inside) <= referrals))
    if rows.size < referrals:
        raise RuntimeError("the pool of synthetic children was too small; raise its margin")
    child = child[rows]
    new_child = np.concatenate([[True], child[1:] != child[:-1]])
    kept_children = child[new_child]
    return Timeline(child=np.cumsum(new_child) - 1, offset=offset[rows], days_into_window=days_into_window[rows],
                    later=later[rows], first_row=np.flatnonzero(new_child),
                    window_start=window_start[kept_children], span=span[kept_children])


@dataclass(frozen=True)
class Children:
    """What the missing-episodes table needs to know about referred children."""

    count: int
    window_start: np.ndarray
    span: np.ndarray
    highest_risk: np.ndarray


def choose(rng: np.random.Generator, weights: np.ndarray, group: np.ndarray) -> np.ndarray:
    """One category code per row, weighted by its group's row of `weights` (one searchsorted, no per-row loop)."""
    weights = np.atleast_2d(weights).astype(float)
    group = group.astype(np.int64)
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    cumulative[:, -1] = 1.0
    width = weights.shape[1]
    offsets = cumulative + np.arange(weights.shape[0])[:, None]
    codes = np.searchsorted(offsets.ravel(), rng.random(group.size) + group, side="right") - group * width
    return np.minimum(codes, width - 1).astype(np.int8)


def choose_many(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """`size` category codes from one set of weights."""
    return choose(rng, weights, np.zeros(size, dtype=np.int64))


def _labels(vocabulary: tuple[str, ...], codes: np.ndarray) -> pa.Array:
    """Category codes as their labels, shared string data built by Arrow rather than a Python loop."""
    return pa.array(vocabulary).take(pa.array(codes))


def _ids(prefix: str, numbers: np.ndarray, largest: int) -> pa.Array:
    """Pseudonymous ids like C0000123, all as wide as the largest (and well short of an NHS number's ten digits)."""
    digits = pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width=max(7, len(str(largest))), padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _referrals(rng: np.random.Generator, referrals: int, period: Period, areas: tuple[Area, ...]) -> tuple[Children, pa.Table]:
    """Children first (who they are), then their referrals (what happened), sorted by referral date."""
    timeline = _timeline(rng, referrals, period)
    child, offset, later = timeline.child, timeline.offset, timeline.later
    children = timeline.window_start.size

    area_weights = np.array([a.children_share * a.referral_rate for a in areas])
    child_area = choose_many(rng, area_weights, children)
    boys = BOYS_SHARE * np.array([a.boys_factor for a in areas])
    gender_weights = np.column_stack([boys, 1 - boys - OTHER_GENDER_SHARE - GENDER_NOT_KNOWN_SHARE,
                                      np.full(len(areas), OTHER_GENDER_SHARE), np.full(len(areas), GENDER_NOT_KNOWN_SHARE)])
    child_gender = choose(rng, gender_weights, child_area)
    diversity = np.array([a.diversity for a in areas])[:, None]
    child_ethnicity = choose(rng, (1 - diversity) * LESS_DIVERSE_ETHNICITY + diversity * MORE_DIVERSE_ETHNICITY, child_area)
    first_age = choose_many(rng, AGE_WEIGHTS, children)
    years_since_birthday = np.where(first_age == 17, 0.0, rng.random(children))  # nobody turns 18 in the extract
    age = first_age[child].astype(np.int64) + (years_since_birthday[child] + timeline.days_into_window / 365.25 >= 1)

    is_male = child_gender[child] == contract.GENDERS.index("Male")
    source = choose(rng, np.vstack([SOURCE_WEIGHTS_GIRLS, SOURCE_WEIGHTS_BOYS]), is_male)
    severity = (rng.normal(0, CHILD_SEVERITY_SD, children)[child] + rng.normal(0, REFERRAL_SEVERITY_SD, referrals)
                + REPEAT_SEVERITY_BUMP * later)
    risk = np.digitize(severity, [LOW_MEDIUM_CUT, MEDIUM_HIGH_CUT]).astype(np.int8)
    informal = np.isin(source, [contract.REFERRAL_SOURCES.index(s) for s in SOURCES_OFTEN_NOT_ASSESSED])
    not_assessed = rng.random(referrals) < np.where(informal, NOT_ASSESSED_SHARE_INFORMAL, NOT_ASSESSED_SHARE)
    risk[not_assessed] = contract.RISK_LEVELS.index("Not assessed")

    outcome = choose(rng, OUTCOME_WEIGHTS, risk)
    recent = offset >= period.size - RECENT_DAYS
    outcome[recent & (rng.random(referrals) < RECENT_ONGOING_SHARE)] = contract.OUTCOMES.index("Ongoing")

    crimes, vulnerabilities = _themes(rng, age, is_male, risk)
    uasc = (vulnerabilities & _bit(contract.VULNERABILITIES, "migrant_or_uasc")) > 0
    looked_after = ((outcome == contract.OUTCOMES.index("Looked after"))
                    | (rng.random(referrals) < np.where(uasc, UASC_LOOKED_AFTER_SHARE, LOOKED_AFTER_BY_RISK[risk])))
    vulnerabilities = np.where(looked_after, vulnerabilities | _bit(contract.VULNERABILITIES, "looked_after"), vulnerabilities)

    by_date = np.argsort(offset, kind="stable")
    table = pa.table({
        "referral_id": _ids("R", np.arange(1, referrals + 1), referrals),
        "child_id": child[by_date],  # pseudonymised once missing-only children are known
        "referral_date": period.dates(offset[by_date]),
        "age_at_referral": age[by_date],
        "gender": _labels(contract.GENDERS, child_gender[child][by_date]),
        "ethnicity": _labels(contract.ETHNICITIES, child_ethnicity[child][by_date]),
        "area": _labels(tuple(a.name for a in areas), child_area[child][by_date]),
        "referral_source": _labels(contract.REFERRAL_SOURCES, source[by_date]),
        "risk_level": _labels(contract.RISK_LEVELS, risk[by_date]),
        "outcome": _labels(contract.OUTCOMES, outcome[by_date]),
        "looked_after": _labels(contract.YES_NO, (~looked_after[by_date]).astype(np.int8)),
        "linked_crimes": _joined(contract.LINKED_CRIMES, crimes[by_date]),
        "vulnerabilities": _joined(contract.VULNERABILITIES, vulnerabilities[by_date]),
    })
    assessed_rank = np.where(risk == contract.RISK_LEVELS.index("Not assessed"), -1, risk)
    highest = np.maximum.reduceat(assessed_rank, timeline.first_row)
    highest_risk = np.where(highest < 0, contract.RISK_LEVELS.index("Not assessed"), highest)
    return Children(children, timeline.window_start, timeline.span, highest_risk), table


def _bit(vocabulary: tuple[str, ...], name: str) -> int:
    """Lists are carried as bit masks (one bit per vocabulary item) so that combining them stays vectorised."""
    return 1 << vocabulary.index(name)


def _themes(rng: np.random.Generator, age: np.ndarray, is_male: np.ndarray, risk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Linked crimes and vulnerabilities as bit masks, switched on together by the themes a referral shows."""
    crimes = np.zeros(age.size, dtype=np.int32)
    vulnerabilities = np.zeros(age.size, dtype=np.int32)
    for theme in THEMES:
        chance = (theme.chance * np.exp(theme.age_slope * (age - 14)) * np.where(is_male, theme.boys_factor, 1.0)
                  * THEME_RISK_FACTOR[risk])
        rows = np.flatnonzero(rng.random(age.size) < np.minimum(chance, MAX_THEME_CHANCE))
        for masks, vocabulary, items in ((crimes, contract.LINKED_CRIMES, theme.crimes),
                                         (vulnerabilities, contract.VULNERABILITIES, theme.vulnerabilities)):
            for name, probability in items.items():
                chosen = rows[rng.random(rows.size) < probability]
                masks[chosen] |= _bit(vocabulary, name)
    return crimes, vulnerabilities


def _joined(vocabulary: tuple[str, ...], masks: np.ndarray) -> pa.Array:
    """Bit masks as ';'-separated names (empty when none), built once per distinct combination."""
    combinations, which = np.unique(masks, return_inverse=True)
    texts = [";".join(name for bit, name in enumerate(vocabulary) if mask >> bit & 1) for mask in combinations.tolist()]
    return pa.array(texts).take(pa.array(which.astype(np.int32)))


def _missing_episodes(rng: np.random.Generator, children: Children, period: Period) -> tuple[int, pa.Table]:
    """Episodes of referred children (more at higher risk) plus children missing who were never referred for CSE."""
    mean = EPISODES_BY_RISK[children.highest_risk]
    referred_episodes = rng.negative_binomial(EPISODES_DISPERSION, EPISODES_DISPERSION / (EPISODES_DISPERSION + mean))
    referred_missing = int(np.count_nonzero(referred_episodes))
    never_referred = int(round(referred_missing * NOT_REFERRED_MISSING_SHARE / (1 - NOT_REFERRED_MISSING_SHARE)))
    never_referred_episodes = rng.geometric(NEVER_REFERRED_ONE_EPISODE_P, never_referred)

    referred_child = np.repeat(np.arange(children.count), referred_episodes)
    near_referral = (children.window_start[referred_child]
                     + (rng.random(referred_child.size) * (children.span[referred_child] + 2 * EPISODE_SPREAD_DAYS)).astype(np.int64)
                     - EPISODE_SPREAD_DAYS)
    outside = (near_referral < 0) | (near_referral >= period.size)
    near_referral[outside] = period.draw(rng, int(outside.sum()))
    other_child = np.repeat(children.count + np.arange(never_referred), never_referred_episodes)
    child = np.concatenate([referred_child, other_child])
    start = np.concatenate([near_referral, period.draw(rng, other_child.size)])

    episodes = child.size
    end = start + rng.geometric(RETURN_SAME_DAY_P, episodes) - 1
    still_missing = end >= period.size
    interview = choose_many(rng, RETURN_INTERVIEW_WEIGHTS, episodes)
    interview[still_missing] = contract.RETURN_INTERVIEW.index("Not offered")
    accepted = interview == contract.RETURN_INTERVIEW.index("Accepted")
    delay = np.where(rng.random(episodes) < INTERVIEW_WITHIN_72H_SHARE, rng.integers(0, 4, episodes),
                     rng.integers(*LATE_INTERVIEW_DAYS, episodes))
    interview_day = np.minimum(end + delay, period.size - 1)

    order = np.lexsort((child, start))
    table = pa.table({
        "episode_id": _ids("E", np.arange(1, episodes + 1), episodes),
        "child_id": child[order],
        "start_date": period.dates(start[order]),
        "end_date": period.dates(end[order], still_missing[order]),
        "return_interview": _labels(contract.RETURN_INTERVIEW, interview[order]),
        "return_interview_date": period.dates(interview_day[order], ~accepted[order]),
    })
    return never_referred, table


def _training(rng: np.random.Generator, period: Period, scale: float) -> pa.Table:
    """Staff in scope and trained per quarter, agency and level, coverage rising towards each agency's level."""
    agencies = list(TRAINING_AWARENESS_STAFF)
    levels = list(TRAINING_LEVEL_SCOPE)
    quarters = len(period.quarters)
    base_scope = np.array([[max(3.0, TRAINING_AWARENESS_STAFF[a] * TRAINING_LEVEL_SCOPE[lv] * scale) for lv in levels]
                           for a in agencies])
    final = np.array([[TRAINING_FINAL_COVERAGE[a] - TRAINING_LEVEL_COVERAGE_GAP[lv] for lv in levels] for a in agencies])
    progress = (np.arange(quarters) + 1) / quarters
    coverage = final[None] - TRAINING_COVERAGE_RISE * (1 - progress)[:, None, None]
    turnover = 1 + rng.normal(0, STAFF_TURNOVER_SD, (quarters, *base_scope.shape))
    scope = np.maximum(1, np.rint(base_scope[None] * turnover)).astype(np.int64)
    trained = rng.binomial(scope, np.clip(coverage, 0, 1))
    shape = scope.shape
    return pa.table({
        "period": np.repeat(period.quarters, shape[1] * shape[2]),
        "agency": np.tile(np.repeat(agencies, shape[2]), shape[0]),
        "level": np.tile(levels, shape[0] * shape[1]),
        "staff_in_scope": scope.ravel(),
        "staff_trained": trained.ravel(),
    })


def _population(rng: np.random.Generator, areas: tuple[Area, ...], scale: float) -> pa.Table:
    """Children by area, age band, gender (Male, Female) and ethnic group, as Census-based estimates would give them."""
    shares = np.array([a.children_share for a in areas])
    area_children = TYPICAL_CHILDREN * scale * shares / shares.sum()
    years_per_band = np.array([10, 2, 2, 2, 2])  # contract.AGE_BANDS: Under 10, then two-year bands
    genders = ("Male", "Female")
    ethnicities = contract.ETHNICITIES[:-1]  # every group but Not known
    diversity = np.array([a.diversity for a in areas])[:, None]
    mix = (1 - diversity) * LESS_DIVERSE_POPULATION + diversity * MORE_DIVERSE_POPULATION
    expected = (area_children[:, None, None, None] * (years_per_band / 18)[None, :, None, None]
                * np.array([MALE_CHILDREN_SHARE, 1 - MALE_CHILDREN_SHARE])[None, None, :, None]
                * mix[:, None, None, :])
    children = np.rint(expected * (1 + rng.normal(0, POPULATION_NOISE_SD, expected.shape))).astype(np.int64)
    shape = children.shape
    return pa.table({
        "area": np.repeat([a.name for a in areas], shape[1] * shape[2] * shape[3]),
        "age_band": np.tile(np.repeat(contract.AGE_BANDS, shape[2] * shape[3]), shape[0]),
        "gender": np.tile(np.repeat(genders, shape[3]), shape[0] * shape[1]),
        "children": children.ravel(),
        "ethnicity": np.tile(ethnicities, shape[0] * shape[1] * shape[2]),
    })


def _awareness(rng: np.random.Generator, period: Period, areas: tuple[Area, ...], scale: float) -> pa.Table:
    """Sessions and people reached per quarter, programme and area: schools thin in the summer quarter, community
    work present in some areas and not others, and reach targets for the commissioned strands."""
    quarters = np.array([parse_quarter(q)[1] for q in period.quarters]) - 1
    shares = np.array([a.children_share for a in areas])
    size = shares / shares.mean()  # an average-sized area is 1
    parts = []
    for programme in AWARENESS_PROGRAMMES:
        where = size if programme.local else np.ones(1)
        names = [a.name for a in areas] if programme.local else [""]
        amount = where.copy()
        if programme.patchy:
            amount *= rng.gamma(PATCHY_SPREAD, 1 / PATCHY_SPREAD, where.size) * (rng.random(where.size) >= PATCHY_NONE_SHARE)
        season = TERM_TIME_BY_QUARTER[quarters] if programme.term_time else np.ones(quarters.size)
        expected = programme.sessions * scale * season[:, None] * amount[None, :]
        running = rng.random((quarters.size, 1)) < programme.active  # a campaign runs partnership-wide, or not
        sessions = rng.poisson(expected * running)
        reached = rng.poisson(sessions * programme.group)
        plan = np.rint(expected * programme.group * rng.uniform(*PLAN_AMBITION, expected.shape)).astype(np.int64)
        has_plan = np.full(expected.shape, programme.planned) & (plan > 0)
        kept = (sessions > 0) | has_plan
        quarter_index, area_index = np.nonzero(kept)
        parts.append(pa.table({
            "period": pa.array(period.quarters).take(pa.array(quarter_index)),
            "audience": pa.array([programme.audience] * quarter_index.size, pa.string()),
            "setting": pa.array([programme.setting] * quarter_index.size, pa.string()),
            "area": pa.array(names).take(pa.array(area_index)),
            "sessions": sessions[kept],
            "people_reached": reached[kept],
            "planned_reach": pa.array(plan[kept], mask=~has_plan[kept]),
        }))
    table = pa.concat_tables(parts)
    return table.take(pc.sort_indices(table, [("period", "ascending"), ("audience", "ascending"),
                                             ("setting", "ascending"), ("area", "ascending")]))


def write_extract(tables: dict[str, pd.DataFrame], out_dir: str | Path, fmt: str = "csv") -> Path:
    """One file per table plus a README.txt saying the data is synthetic and how to make it again."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    arguments = tables["referrals"].attrs.get("synth")
    if arguments is None:
        raise ValueError("these tables were not made by cseboard.synth.generate")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
        if fmt == "csv":
            with open(out / f"{name}.csv", "wb") as handle:  # a plain header: Arrow would quote every name
                handle.write((",".join(table.column_names) + "\n").encode())
                pacsv.write_csv(table, handle, pacsv.WriteOptions(include_header=False, quoting_style="none"))
        else:
            pq.write_table(table, out / f"{name}.parquet")
    (out / "README.txt").write_text(readme(arguments, fmt), encoding="utf-8")
    return out


def readme(arguments: dict, fmt: str) -> str:
    """The README that travels with every generated extract."""
    command = (f"python -m cseboard.synth --referrals {arguments['referrals']} --out DIR --seed {arguments['seed']} "
               f"--end-quarter {arguments['end_quarter']} --quarters {arguments['quarters']} "
               f"--areas {arguments['areas']} --format {fmt}")
    settings = "\n".join(f"  {key}: {value}" for key, value in arguments.items())
    return (
        "SYNTHETIC DATA - NOT REAL CHILDREN\n"
        "\n"
        "Every row in these files was made up by cseboard.synth, a seeded random generator.\n"
        "No child, family, worker or place in them is real; the area names are invented.\n"
        "The patterns (ages, gender, risk, linked crimes, missing episodes, training, awareness) are\n"
        "modelled to look plausible for demonstrations and tests, not to describe any partnership.\n"
        "\n"
        f"Arguments:\n{settings}\n  format: {fmt}\n"
        "\n"
        f"Made again, byte for byte, with:\n  {command}\n"
    )


def main(argv: list[str] | None = None) -> None:
    """Command line: write a synthetic extract folder."""
    parser = argparse.ArgumentParser(prog="python -m cseboard.synth", description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, required=True, help="number of referrals")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the extract into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--end-quarter", default=DEFAULT_END_QUARTER, help="last quarter, like 2026-Q3")
    parser.add_argument("--quarters", type=int, default=DEFAULT_QUARTERS)
    parser.add_argument("--areas", type=int, default=len(AREAS))
    parser.add_argument("--format", choices=FORMATS, default="csv")
    args = parser.parse_args(argv)
    tables = generate(args.referrals, args.seed, args.end_quarter, args.quarters, args.areas)
    out = write_extract(tables, args.out, args.format)
    print(f"wrote {len(tables['referrals']):,} synthetic referrals to {out}")


if __name__ == "__main__":
    main()
