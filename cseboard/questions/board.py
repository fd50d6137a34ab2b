"""The board pack's contents: every question's section for one quarter, the findings drawn from them, and caveats.

The same sections are drawn on screen, so the paper and the dashboard say the same thing for the same filters.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from cseboard.config import settings
from cseboard.filters import Filters
from cseboard.intake.quality import rag_line
from cseboard.methods.disclosure import DisclosurePolicy, plain_words
from cseboard.periods import quarter_start
from cseboard.questions import awareness, fairness, identification, linked, missing, rates, sources, training, trends
from cseboard.questions.section import BoardFinding, Fetch, Findings, Section

QUESTIONS_FOR_THE_BOARD = (
    "How do we recognise and respond to CSE in each of our services?",
    "Is there more that we could do?",
    "Do we need to change any of our ways of working?",
    "Is there a further training need in our workforce?",
    "Are boys being identified, in every area and by every agency that refers?",
    "Does our prevention and awareness work reach children and young people, parents and carers, and communities "
    "where referrals are high, and in the settings it has not reached?",
)
"""The practitioner briefing's areas for consideration, asked of the partnership, the question on boys, and the one
on prevention and awareness (section B of the guidance)."""


@dataclass(frozen=True)
class Question:
    """One question as the pack asks it: its page's title and its section with the page's default settings."""

    title: str
    build: Callable[[Fetch, Filters, DisclosurePolicy], Section]


QUESTIONS = (
    Question("This quarter", trends.headline_with_signals),
    Question("Trends: signal or noise", trends.section),
    Question("Age and gender",
             lambda fetch, filters, policy: identification.section(fetch, filters, policy, settings().boys_benchmark,
                                                                   "area")),
    Question("Missing from home or care",
             lambda fetch, filters, policy: missing.section(fetch, filters, policy, referred_only=False)),
    Question("Linked crimes and vulnerabilities",
             lambda fetch, filters, policy: linked.section(fetch, filters, policy, linked.CRIME,
                                                           linked.items_by_frequency(fetch, filters, linked.CRIME)[:3])),
    Question("Referral sources and outcomes", sources.section),
    Question("Areas", rates.section),
    Question("Who is not being identified", fairness.section),
    Question("Training coverage",
             lambda fetch, filters, policy: training.section(fetch, filters, policy, settings().training_target,
                                                             training.AGENCY)),
    Question("Prevention and awareness", awareness.section),
)
"""The questions in the pack, in the dashboard's order, each with its page's default settings."""


@dataclass(frozen=True)
class BoardPack:
    """Everything a board pack shows, in plain words and sections; display.pack lays it out."""

    partnership: str
    period: str
    made_on: str
    protection: str
    filters: str
    sections: tuple[tuple[str, Section], ...]
    findings: tuple[BoardFinding, ...]
    caveats: tuple[str, ...]
    questions_for_the_board: tuple[str, ...] = QUESTIONS_FOR_THE_BOARD


def findings(sections: tuple[tuple[str, Section], ...]) -> tuple[BoardFinding, ...]:
    """Each section's findings in words, in the pack's order, with the question they answer."""
    return tuple(BoardFinding(finding, answered.question, title)
                 for title, answered in sections for finding in answered.findings)


def answered(fetch: Fetch, filters: Filters, policy: DisclosurePolicy) -> tuple[tuple[str, Section], ...]:
    """Every question of the pack answered for the filters, with its page's default settings."""
    return tuple((question.title, question.build(fetch, filters, policy)) for question in QUESTIONS)


def quality_caveats(extracts: pd.DataFrame, filters: Filters) -> tuple[str, ...]:
    """One line per extract whose quarters the pack covers: its source, period and recording-quality ratings."""
    start, end = quarter_start(filters.first_quarter), quarter_start(filters.last_quarter)
    used = extracts[(pd.to_datetime(extracts.period_start.map(quarter_start)) <= pd.Timestamp(end))
                    & (pd.to_datetime(extracts.period_end.map(quarter_start)) >= pd.Timestamp(start))]
    if used.empty:
        return ("No extract covers the period chosen.",)
    return tuple(f"Extract {row.extract_id} ({row.source_name}, {row.period_start} to {row.period_end}, loaded "
                 f"{pd.Timestamp(row.loaded_at):%d %B %Y}): recording quality {rag_line(_quality(row.quality_json))}; "
                 f"{row.warnings:,} warnings at load."
                 for row in used.itertuples())


def _quality(stored) -> dict | None:
    return json.loads(stored) if isinstance(stored, str) and stored else None


def findings_section(fetch: Fetch, filters: Filters, policy: DisclosurePolicy) -> Section:
    """The pack's findings for the filters, for the top of the home page: the screen and the paper say the same."""
    return Section("findings", "Findings for the board", filters.describe(),
                   (Findings(findings(answered(fetch, filters, policy))),))


def board_pack(fetch: Fetch, filters: Filters, policy: DisclosurePolicy, extracts: pd.DataFrame,
               partnership: str, made_on: dt.date) -> BoardPack:
    """The pack for the filters' last quarter: every question's section over the filters' period."""
    sections = answered(fetch, filters, policy)
    return BoardPack(partnership=partnership, period=filters.last_quarter, made_on=f"{made_on:%d %B %Y}",
                     protection=plain_words(policy), filters=f"Showing: {filters.describe()}",
                     sections=sections, findings=findings(sections), caveats=quality_caveats(extracts, filters))
