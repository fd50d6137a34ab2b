"""The extract contract: tables, columns, vocabularies and accepted aliases (data/CONTRACT.md in code)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

AGE_BANDS = ("Under 10", "10-11", "12-13", "14-15", "16-17")
GENDERS = ("Male", "Female", "Other", "Not known")
BOYS, OTHERS = "Boys", "Girls and other genders"
"""Boys against everyone else: children of another or unknown gender are so few that, shown on their own, their
withheld counts would force boys' figures to be withheld too (the genders add up to a published total)."""
ETHNICITIES = ("White", "Mixed", "Asian", "Black", "Other", "Not known")
REFERRAL_SOURCES = (
    "Police",
    "Education",
    "Health",
    "Children's social care",
    "Voluntary sector",
    "Youth justice",
    "Housing",
    "Family or friends",
    "Self",
    "Anonymous",
    "Other",
)
RISK_LEVELS = ("Low", "Medium", "High", "Not assessed")
OUTCOMES = (
    "No further action",
    "Early help",
    "Child in need",
    "Child protection",
    "Looked after",
    "Police investigation",
    "Ongoing",
)
YES_NO = ("yes", "no")
RETURN_INTERVIEW = ("Accepted", "Declined", "Not offered")
TRAINING_LEVELS = ("Awareness", "Advanced", "Specialist")
# Agencies whose workforce is trained: the referral sources that employ staff.
TRAINING_AGENCIES = tuple(s for s in REFERRAL_SOURCES if s not in ("Family or friends", "Self", "Anonymous"))

# Prevention and awareness work: the audiences of the DfE 2017 guidance's section B ("Educating practitioners",
# "Educating children and young people", "Educating parents and carers", "Educating communities"), and where it
# reached them. Settings are listed by the audience they usually serve; any audience may meet in any setting.
AUDIENCES = ("Children and young people", "Parents and carers", "Communities", "Practitioners")
AUDIENCE_CODES = {"children": "Children and young people", "young people": "Children and young people",
                  "cyp": "Children and young people", "pupils": "Children and young people",
                  "parents": "Parents and carers", "carers": "Parents and carers",
                  "parents/carers": "Parents and carers", "parents & carers": "Parents and carers",
                  "community": "Communities", "professionals": "Practitioners", "staff": "Practitioners"}
SCHOOL_SETTINGS = ("Primary school", "Secondary school", "Alternative provision")
COMMUNITY_SETTINGS = ("Taxi and private hire", "Hotels", "Licensed premises", "Fast food", "Security")
AWARENESS_SETTINGS = (*SCHOOL_SETTINGS, "Youth group", "Online", "Parents' group", *COMMUNITY_SETTINGS, "Other")
SETTING_CODES = {"primary": "Primary school", "secondary": "Secondary school", "college": "Secondary school",
                 "ap": "Alternative provision", "pru": "Alternative provision",
                 "pupil referral unit": "Alternative provision", "youth club": "Youth group",
                 "youth service": "Youth group", "virtual": "Online", "webinar": "Online",
                 "parents group": "Parents' group", "parent group": "Parents' group",
                 "parents’ group": "Parents' group", "taxi": "Taxi and private hire",
                 "taxi drivers": "Taxi and private hire", "private hire": "Taxi and private hire",
                 "taxi and private-hire": "Taxi and private hire", "taxi licensing": "Taxi and private hire",
                 "hotel": "Hotels", "pubs": "Licensed premises", "pub": "Licensed premises", "bars": "Licensed premises",
                 "takeaway": "Fast food", "takeaways": "Fast food", "fast-food": "Fast food",
                 "security staff": "Security", "door staff": "Security"}

LINKED_CRIMES = (
    "trafficking",
    "domestic_abuse",
    "intimate_partner_violence",
    "online_grooming",
    "abusive_images",
    "drugs",
    "gangs",
    "immigration",
    "domestic_servitude",
    "criminal_exploitation",
)
VULNERABILITIES = (
    "prior_abuse_neglect",
    "unstable_home",
    "bereavement",
    "social_isolation",
    "no_safe_space_sexuality",
    "economic_vulnerability",
    "homelessness",
    "exploited_peers",
    "family_in_sex_work",
    "disability",
    "looked_after",
    "missing_education",
    "substance_misuse",
    "mental_health",
    "migrant_or_uasc",
    "gang_affected",
    "sexual_identity",
)

CRIME_LABELS = {
    "trafficking": "Trafficking",
    "domestic_abuse": "Domestic abuse",
    "intimate_partner_violence": "Sexual violence in intimate relationships",
    "online_grooming": "Grooming (incl. online)",
    "abusive_images": "Abusive images",
    "drugs": "Drugs-related offences",
    "gangs": "Gang-related activity",
    "immigration": "Immigration-related offences",
    "domestic_servitude": "Domestic servitude",
    "criminal_exploitation": "Criminal exploitation",
}
VULNERABILITY_LABELS = {
    "prior_abuse_neglect": "Prior abuse or neglect",
    "unstable_home": "No safe or stable home",
    "bereavement": "Bereavement or loss",
    "social_isolation": "Social isolation",
    "no_safe_space_sexuality": "No safe space to explore sexuality",
    "economic_vulnerability": "Economic vulnerability",
    "homelessness": "Homelessness or insecure housing",
    "exploited_peers": "Links to exploited peers",
    "family_in_sex_work": "Family in adult sex work",
    "disability": "Physical or learning disability",
    "looked_after": "Looked after (in care)",
    "missing_education": "Missing from education",
    "substance_misuse": "Substance misuse",
    "mental_health": "Mental health",
    "migrant_or_uasc": "Migrant or unaccompanied asylum seeker",
    "gang_affected": "Affected by gangs",
    "sexual_identity": "Sexual identity",
}

# CIN census gender codes and DfE ethnicity codes accepted in place of the labels.
GENDER_CODES = {"1": "Male", "2": "Female", "0": "Not known", "9": "Other", "m": "Male", "f": "Female",
                "boy": "Male", "girl": "Female", "unknown": "Not known", "not stated": "Not known"}
ETHNICITY_CODES = {
    **{code: "White" for code in ("WBRI", "WIRI", "WIRT", "WOTH", "WROM")},
    **{code: "Mixed" for code in ("MWBC", "MWBA", "MWAS", "MOTH")},
    **{code: "Asian" for code in ("AIND", "APKN", "ABAN", "AOTH", "CHNE")},
    **{code: "Black" for code in ("BCRB", "BAFR", "BOTH")},
    **{code: "Other" for code in ("OOTH",)},
    **{code: "Not known" for code in ("REFU", "NOBT")},
}


# The longest value accepted, by kind of column (choices, dates, numbers and lists have their own rules).
MAX_LENGTH = {"id": 64, "text": 100}
# Absurd shapes refused before anything is checked.
MAX_COLUMNS = 1_000


@dataclass(frozen=True)
class Column:
    """One contract column: its kind decides how a cell is parsed and checked."""

    name: str
    kind: str  # text, id, date, int, choice, yesno, list, quarter
    required: bool = True
    choices: tuple[str, ...] = ()
    codes: dict[str, str] = field(default_factory=dict)
    minimum: int | None = None
    maximum: int | None = None
    aliases: tuple[str, ...] = ()

    @property
    def max_length(self) -> int | None:
        """At most this many characters (an area of 10,000 characters breaks every chart)."""
        return MAX_LENGTH.get(self.kind)


@dataclass(frozen=True)
class Table:
    """One contract table, with the columns whose values together must be unique in it."""

    name: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()
    required: bool = True

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


REFERRALS = Table(
    "referrals",
    (
        Column("referral_id", "id", aliases=("Referral ID", "Referral Unique ID", "Case ID")),
        Column("child_id", "id", aliases=("Child Unique ID", "Child ID", "Unique ID", "Person ID")),
        Column("referral_date", "date", aliases=("Date of referral", "Referral Date", "Date referral received")),
        Column("age_at_referral", "int", minimum=0, maximum=17,
               aliases=("Age at referral", "Age", "Age of child", "Age (years)")),
        Column("gender", "choice", choices=GENDERS, codes=GENDER_CODES, aliases=("Gender", "Sex")),
        Column("ethnicity", "choice", choices=ETHNICITIES, codes=ETHNICITY_CODES, aliases=("Ethnicity",)),
        Column("area", "text", aliases=("Area", "Locality", "District", "Team locality")),
        Column("referral_source", "choice", choices=REFERRAL_SOURCES,
               aliases=("Referral Source", "Source of referral", "Referrer")),
        Column("risk_level", "choice", choices=RISK_LEVELS,
               aliases=("Risk level", "CSE risk level", "Screening outcome")),
        Column("outcome", "choice", choices=OUTCOMES, aliases=("Outcome", "Referral outcome", "Next step")),
        Column("looked_after", "yesno", aliases=("Looked after", "Looked after child", "CLA", "LAC")),
        Column("linked_crimes", "list", required=False, choices=LINKED_CRIMES,
               aliases=("Linked crimes", "Linked crime types")),
        Column("vulnerabilities", "list", required=False, choices=VULNERABILITIES,
               aliases=("Vulnerabilities", "Vulnerability factors")),
    ),
    unique=("referral_id",),
)

MISSING_EPISODES = Table(
    "missing_episodes",
    (
        Column("episode_id", "id", aliases=("Episode ID", "Missing episode ID")),
        Column("child_id", "id", aliases=("Child Unique ID", "Child ID", "Unique ID", "Person ID")),
        Column("start_date", "date", aliases=("Start date", "Date missing", "Missing from")),
        Column("end_date", "date", required=False, aliases=("End date", "Date returned", "Missing to")),
        Column("return_interview", "choice", choices=RETURN_INTERVIEW,
               codes={"offered and accepted": "Accepted", "offered and declined": "Declined",
                      "not offered": "Not offered", "refused": "Declined"},
               aliases=("Return interview", "Return home interview", "RHI")),
        Column("return_interview_date", "date", required=False,
               aliases=("Return interview date", "Date of return interview", "RHI date")),
    ),
    unique=("episode_id",),
    required=False,
)

TRAINING = Table(
    "training",
    (
        Column("period", "quarter", aliases=("Period", "Quarter")),
        Column("agency", "choice", choices=TRAINING_AGENCIES, aliases=("Agency", "Organisation")),
        Column("level", "choice", choices=TRAINING_LEVELS, aliases=("Level", "Training level")),
        Column("staff_in_scope", "int", minimum=1, aliases=("Staff in scope", "Workforce", "Staff")),
        Column("staff_trained", "int", minimum=0, aliases=("Staff trained", "Trained")),
    ),
    unique=("period", "agency", "level"),
    required=False,
)

POPULATION = Table(
    "population",
    (
        Column("area", "text", aliases=("Area", "Locality", "District")),
        Column("age_band", "text", aliases=("Age band", "Age", "Age group", "Age (years)")),
        Column("gender", "choice", choices=GENDERS, codes=GENDER_CODES, aliases=("Gender", "Sex")),
        Column("children", "int", minimum=0, aliases=("Children", "Population", "Count")),
        Column("ethnicity", "choice", required=False, choices=ETHNICITIES, codes=ETHNICITY_CODES,
               aliases=("Ethnicity", "Ethnic group")),
    ),
    unique=("area", "age_band", "gender", "ethnicity"),
    required=False,
)

AWARENESS = Table(
    "awareness",
    (
        Column("period", "quarter", aliases=("Period", "Quarter")),
        Column("audience", "choice", choices=AUDIENCES, codes=AUDIENCE_CODES,
               aliases=("Audience", "Target audience", "Audience group")),
        Column("setting", "choice", choices=AWARENESS_SETTINGS, codes=SETTING_CODES,
               aliases=("Setting", "Venue type", "Sector")),
        Column("area", "text", required=False, aliases=("Area", "Locality", "District")),
        Column("sessions", "int", minimum=0, aliases=("Sessions", "Sessions delivered", "Number of sessions")),
        Column("people_reached", "int", minimum=0,
               aliases=("People reached", "Reached", "Attendees", "Participants", "Attendance")),
        Column("planned_reach", "int", required=False, minimum=0,
               aliases=("Planned reach", "Target reach", "Planned", "Target")),
    ),
    unique=("period", "audience", "setting", "area"),
    required=False,
)

TABLES = (REFERRALS, MISSING_EPISODES, TRAINING, POPULATION, AWARENESS)
TABLES_BY_NAME = {t.name: t for t in TABLES}


def age_band(age: int) -> str:
    """Map a single year of age to the dashboard's age band (under-10s kept visible)."""
    if age < 10:
        return "Under 10"
    low = age - (age % 2)
    return f"{low}-{low + 1}"


def gender_group(genders: pd.Series) -> pd.Series:
    """Boys, or girls and other genders: the split pages use so that boys' figures are not withheld with the few others."""
    return genders.where(genders != "Male", BOYS).where(genders == "Male", OTHERS)
