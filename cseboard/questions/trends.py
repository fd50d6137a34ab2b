"""Which changes are signals? The headline measures by quarter as Making Data Count XmR charts, and their summary.

Each measure has an improvement direction (or none) and, where the partnership has one, a target; methods.spc gives
the limits, the special-cause points, the variation and the assurance. A withheld quarter is left out of a chart,
so no limit is ever computed from a figure that is not shown.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from cseboard.config import settings
from cseboard.filters import Filters
from cseboard.methods import spc
from cseboard.periods import quarters_held, shift_quarter
from cseboard.methods.disclosure import DisclosurePolicy, ProtectedTable, protect
from cseboard.methods.words import counted
from cseboard.questions import headline
from cseboard.questions.headline import MEASURES, measures_by_quarter, protect_measures
from cseboard.questions.section import Block, Chart, Fetch, Figure, Finding, Note, Section, Signal, Tabs

MEASURE, QUARTER, LATEST, MEAN = "Measure", "Quarter", "Latest", "Mean"
LATEST_QUARTER = QUARTER
"""The summary's quarter is its latest point's."""
LOWER, UPPER = "Lower limit", "Upper limit"
VARIATION, ASSURANCE, SIGNALS = "Variation", "Assurance", "Signals"
SUMMARY_COLUMNS = (MEASURE, LATEST_QUARTER, LATEST, MEAN, LOWER, UPPER, VARIATION, ASSURANCE, SIGNALS)
SPC_QUARTERS = 12
"""The SPC charts look back three years from the last quarter chosen, whatever period is chosen, so that their limits
are not trial limits once three years are loaded."""
TOO_FEW_POINTS = 2
"""An XmR chart needs at least two shown quarters for a moving range."""
METHOD = ("Each chart is an XmR chart in NHS England's Making Data Count style, computed as NHSRplotthedots does: the "
          "mean, and process limits at the mean plus or minus 2.66 times the average moving range (moving ranges of "
          "3.267 times their average or more left out). A point is special cause when it lies outside the limits, "
          "when two of three points lie between two and three sigma on one side, in a run of 7 on one side of the "
          "mean, or in a run of 7 rising or falling; blue is improvement, orange concern, purple a change that is "
          "neither. Quarters withheld to protect children are left out.")


@dataclass(frozen=True)
class Measure:
    """How a headline measure is read on an SPC chart: which way is better, and the target if there is one."""

    improvement: str
    target: float | None = None


def measure_settings() -> dict[str, Measure]:
    """Each headline measure's improvement direction and target (percent for shares), from the deployment's settings.

    More referrals or children referred may mean better identification or more exploitation, so neither direction is
    an improvement; a higher share of boys (towards the benchmark) and a trained workforce are.
    """
    return {
        "Referrals": Measure(spc.NEUTRAL),
        "Children referred": Measure(spc.NEUTRAL),
        "Boys, as a share of children referred": Measure(spc.INCREASE, 100 * settings().boys_benchmark),
        "Missing in the 90 days before referral": Measure(spc.NEUTRAL),
        "Referrals screened as high risk": Measure(spc.NEUTRAL),
        "Workforce trained in CSE, all agencies": Measure(spc.INCREASE, 100 * settings().training_target),
    }


def protected_measures(by_quarter: pd.DataFrame, quarters: Sequence[str], policy: DisclosurePolicy) -> ProtectedTable:
    """The headline measures by quarter, published as the home page publishes them; quarters with no data are left
    out (a chart must not read them as zero)."""
    return protect_measures(measures_by_quarter(by_quarter, quarters_held(quarters, by_quarter.quarter)), policy)


def measure_charts(measures: ProtectedTable, settings_by_measure: Mapping[str, Measure],
                   rebase_at: Sequence[str] = ()) -> dict[str, pd.DataFrame]:
    """An XmR chart per measure from the quarters shown (withheld ones left out); rebase_at: quarters new limits
    start at, as the user recorded them."""
    charts = {}
    for measure, rows in measures.numeric.groupby(headline.MEASURE, sort=False):
        column = headline.SHARE if measure in headline.SHARES else headline.COUNT
        values = rows.set_index(headline.QUARTER)[column].astype(float).dropna()  # withheld quarters left out
        charts[measure] = spc.spc(values, settings_by_measure[measure].improvement, rebase_at=rebase_at)
    return charts


def variation_words(chart: pd.DataFrame) -> str:
    """The variation icon in words: "common cause variation", "special cause: improvement"..."""
    if len(chart) < TOO_FEW_POINTS:
        return "too few quarters shown"
    return spc.VARIATION_WORDS[spc.variation(chart)]


def assurance_words(chart: pd.DataFrame, measure: Measure) -> str:
    """The assurance icon in words, or why there is none."""
    if len(chart) < TOO_FEW_POINTS:
        return "too few quarters shown"
    judged = spc.assurance(chart, measure.target, measure.improvement)
    return "not judged (no better direction)" if judged is None else spc.ASSURANCE_WORDS[judged]


def card_sentence(chart: pd.DataFrame, measure: Measure) -> str:
    """One sentence for a headline card: its variation, and its assurance where there is a target."""
    sentence = variation_words(chart).capitalize()
    if measure.target is not None and len(chart) >= TOO_FEW_POINTS:
        sentence += f"; {assurance_words(chart, measure)}"
    return sentence + (" (trial limits: fewer than 12 quarters)" if len(chart) and chart.trial_limits.iloc[-1] else "")


def headline_charts(fetch: Fetch, filters: Filters, policy: DisclosurePolicy,
                    rebase_at: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
    """An XmR chart per headline measure over the three years to the last quarter chosen, from the published figures;
    rebase_at: quarters where new limits start (by default the deployment's recorded ones)."""
    wanted = looking_back(filters)
    measures = protected_measures(fetch("headline_by_quarter", wanted), wanted.quarters(), policy)
    return measure_charts(measures, measure_settings(), settings().spc_rebase if rebase_at is None else rebase_at)


def card_signals(charts: Mapping[str, pd.DataFrame]) -> dict[str, Signal]:
    """For the home page's cards: each headline measure's variation and assurance, as icons and in a sentence."""
    settings_by_measure = measure_settings()
    signals = {}
    for measure, chart in charts.items():
        setting, usable = settings_by_measure[measure], len(chart) >= TOO_FEW_POINTS
        signals[measure] = Signal(card_sentence(chart, setting), spc.variation(chart) if usable else None,
                                  spc.assurance(chart, setting.target, setting.improvement) if usable else None)
    return signals


def headline_with_signals(fetch: Fetch, filters: Filters, policy: DisclosurePolicy) -> Section:
    """The home page's headline cards (questions.headline), each with its SPC variation and assurance."""
    return headline.section(fetch, filters, policy, card_signals(headline_charts(fetch, filters, policy)))


def summary_table(charts: Mapping[str, pd.DataFrame], settings_by_measure: Mapping[str, Measure],
                  policy: DisclosurePolicy) -> ProtectedTable:
    """One row per measure for the board: latest value, mean, limits, variation and assurance in words.

    Every number is worked out from the quarters shown, so there is nothing further to withhold.
    """
    records = []
    for measure, chart in charts.items():
        latest = chart.iloc[-1] if len(chart) else None
        usable = len(chart) >= TOO_FEW_POINTS
        records.append({
            MEASURE: measure,
            LATEST_QUARTER: "" if latest is None else str(latest.period),
            LATEST: float("nan") if latest is None else float(latest.value),
            MEAN: float(latest["mean"]) if usable else float("nan"),
            LOWER: float(latest.lower) if usable else float("nan"),
            UPPER: float(latest.upper) if usable else float("nan"),
            VARIATION: variation_words(chart),
            ASSURANCE: assurance_words(chart, settings_by_measure[measure]),
            SIGNALS: int((chart.rule != "").sum()),
        })
    table = pd.DataFrame(records, columns=list(SUMMARY_COLUMNS)).round({LATEST: 1, MEAN: 1, LOWER: 1, UPPER: 1})
    return protect(table, counts=[], rates={}, policy=policy)


def chart_title(measure: str, chart: pd.DataFrame, measure_setting: Measure) -> str:
    """The finding as an XmR chart's title: the measure and its variation (and assurance)."""
    return f"{measure}: {card_sentence(chart, measure_setting).lower()}"


def xmr_figure(key: str, measure: str, chart: pd.DataFrame, setting: Measure, percent: bool = False) -> Figure:
    """An XmR chart as a section's figure, titled with its finding, or why there is none (under two quarters)."""
    if len(chart) < TOO_FEW_POINTS:
        return Figure(key, too_small=measure)
    title = chart_title(measure, chart, setting)
    return Figure(key, chart=Chart("spc.xmr", title, chart, {"target": setting.target,
                                                             "improvement": setting.improvement, "percent": percent}),
                  alt_text=title)


def spc_tabs(raw: Figure, *spc_figures: Figure | None) -> Tabs | Figure:
    """A page's trend as its SPC figures with the method, and the page's own chart of the figures as reported a tab
    away; only the page's own chart when there is no SPC figure (a tab that says so would hide the chart there is)."""
    drawn = tuple(figure for figure in spc_figures if figure is not None)
    if not drawn:
        return raw
    return Tabs(("SPC chart", "As reported"), ((*drawn, Note(METHOD)), (raw,)))


def published_xmr(values: pd.Series, improvement: str, rebase_at: Sequence[str] | None = None) -> pd.DataFrame:
    """An XmR chart of published figures by quarter: withheld quarters (NaN) are left out, never read as zero;
    rebase_at: quarters new limits start at (by default the deployment's recorded ones)."""
    return spc.spc(values.dropna().astype(float), improvement,
                   rebase_at=settings().spc_rebase if rebase_at is None else rebase_at)


def xmr_line(key: str, measure: str, values: pd.Series, setting: Measure, percent: bool = False,
             rebase_at: Sequence[str] | None = None) -> Figure | None:
    """One measure's published figures by quarter as an XmR chart; None with too few quarters shown for one, or with
    limits that collapse onto the mean."""
    chart = published_xmr(values, setting.improvement, rebase_at)
    if len(chart) < TOO_FEW_POINTS or collapsed(chart):
        return None
    return xmr_figure(key, measure, chart, setting, percent)


def with_raw_line(key: str, measure: str, values: pd.Series, setting: Measure, raw: Figure, percent: bool = False,
                  rebase_at: Sequence[str] | None = None) -> Tabs | Figure:
    """A page's trend as an XmR chart of the published figures by quarter, with the page's own chart a tab away."""
    return spc_tabs(raw, xmr_line(key, measure, values, setting, percent, rebase_at))


@dataclass(frozen=True)
class Panels:
    """Series drawn as XmR small multiples, as Making Data Count draws several measures: what a panel is (label, the
    table's first column: "Referral source"), what its figures are (value: "Referrals"; percent for shares), a panel
    in a title's words (noun, singular: "source"), the CSV's name, and how many panels make a row at most."""

    label: str
    value: str
    noun: str
    file_name: str
    percent: bool = False
    columns: int = 4


POINT, RULE, TRIAL = "Point", "Special-cause rule", "Trial limits"


def panel_charts(series: Mapping[str, pd.Series], improvement: str,
                 rebase_at: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
    """An XmR chart per series, each with its own mean and limits from its own published figures."""
    return {name: published_xmr(values, improvement, rebase_at) for name, values in series.items()}


def panel_table(charts: Mapping[str, pd.DataFrame], panels: Panels, policy: DisclosurePolicy) -> ProtectedTable:
    """Every panel's points with its mean, limits and special causes, for the table and the CSV.

    The points are figures already published and the rest is worked out from them, so there is nothing to withhold.
    """
    frame = pd.concat([pd.DataFrame({
        panels.label: name, QUARTER: chart.period.astype(str), panels.value: chart.value, MEAN: chart["mean"],
        LOWER: chart.lower, UPPER: chart.upper, RULE: chart.rule,
        POINT: chart.point_type.map(spc.VARIATION_WORDS), TRIAL: chart.trial_limits.map({True: "yes", False: "no"})})
        for name, chart in charts.items()], ignore_index=True)
    return protect(frame.round({panels.value: 1, MEAN: 1, LOWER: 1, UPPER: 1}), counts=[], rates={}, policy=policy)


def panels_words(charts: Mapping[str, pd.DataFrame]) -> str:
    """Each panel's variation in words, as its icon says: "Police: common cause variation; ..." """
    return "; ".join(f"{name}: {variation_words(chart)}" for name, chart in charts.items())


def xmr_panels(key: str, series: Mapping[str, pd.Series], setting: Measure, panels: Panels,
               policy: DisclosurePolicy, rebase_at: Sequence[str] | None = None) -> Figure | None:
    """Series by quarter as XmR small multiples, each panel with its own limits, titled with which show special-cause
    variation; series with too few quarters shown are named instead. None when no series has an XmR chart."""
    charts = panel_charts(series, setting.improvement, rebase_at)
    long_enough = {name: chart for name, chart in charts.items() if len(chart) >= TOO_FEW_POINTS}
    flat = [name for name, chart in long_enough.items() if collapsed(chart)]
    drawn = {name: chart for name, chart in long_enough.items() if name not in flat}
    if not drawn:
        return None
    title = finding(drawn, panels.noun)
    too_few = [name for name in charts if name not in long_enough]
    trial = any(chart.trial_limits.any() for chart in drawn.values())
    words = (f"Latest point in each panel: {panels_words(drawn)}."
             + (f" Too few quarters shown for an XmR chart: {', '.join(too_few)}." if too_few else "")
             + (f" Figures too small and too alike to set limits (every point would read as a signal): "
                f"{', '.join(flat)}." if flat else "")
             + (" Limits from fewer than 12 quarters are trial limits." if trial else ""))
    points = pd.concat([chart.assign(panel=name) for name, chart in drawn.items()], ignore_index=True)
    return Figure(key, panel_table(drawn, panels, policy), panels.file_name, alt_text=f"{title}. {words}",
                  chart=Chart("spc.xmr_panels", title, points,
                              {"percent": panels.percent, "columns": panels.columns, "panels": list(charts),
                               "flat": flat}),
                  caption=f"Each panel is an XmR chart of its own published figures, with its own mean (solid) and "
                          f"process limits (dashed); its icon is its latest point's variation. {words}")


def collapsed(chart: pd.DataFrame) -> bool:
    """Whether some stretch of a chart has its limits on its mean: published figures that are small and rounded to
    the same value most quarters leave no moving range once the screen has taken out the rest, and every point off the
    mean would then read as special cause, which a board would take for a signal."""
    return not bool((chart["upper"] - chart["lower"] > 1e-9).all())  # no moving range at all: no limits (NaN)


def with_raw_panels(key: str, series: Mapping[str, pd.Series], setting: Measure, panels: Panels, raw: Figure,
                    policy: DisclosurePolicy, rebase_at: Sequence[str] | None = None) -> Tabs | Figure:
    """A page's trend of several series as XmR small multiples, with the page's own chart a tab away."""
    return spc_tabs(raw, xmr_panels(key, series, setting, panels, policy, rebase_at))


def summary_blocks(charts: Mapping[str, pd.DataFrame], policy: DisclosurePolicy) -> tuple[Block, ...]:
    """From an XmR chart per headline measure (headline_charts): the finding, the SPC summary table and the charts."""
    settings_by_measure = measure_settings()
    summary = summary_table(charts, settings_by_measure, policy)
    shares = {label for label, _, denominator in MEASURES if denominator}
    return (
        Note(finding(charts), tone="subheader"),
        Figure("trends_summary", summary, "spc_summary", table_open=True, table_heading="SPC summary",
               table_frame=summary.display()[[MEASURE, LATEST, VARIATION, ASSURANCE]], csv_frame=summary.display(),
               caption="SPC summary: for each headline measure, the latest quarter's value and its variation and "
                       "assurance in words; the mean and process limits it is judged against are on its chart below "
                       "and in the CSV download."),
        Note(METHOD),
        *(xmr_figure(f"trends_{index}", measure, chart, settings_by_measure[measure], measure in shares)
          for index, (measure, chart) in enumerate(charts.items())),
    )


def finding(charts: Mapping[str, pd.DataFrame], noun: str = "headline measure") -> str:
    """Which measures (or series, noun in the singular) show special-cause variation at any point, named, or that
    none does."""
    signals = [measure for measure, chart in charts.items() if (chart.rule != "").any()]
    if signals:
        return (f"Special-cause variation at some point in {len(signals)} of {counted(len(charts), noun)}: "
                f"{', '.join(signals)}")
    return f"Only common-cause variation in {'the ' if len(charts) > 1 else ''}{counted(len(charts), noun)}"


def looking_back(filters: Filters) -> Filters:
    """The filters over the SPC_QUARTERS quarters to the last one chosen: limits need more points than a year gives."""
    return filters.with_period(shift_quarter(filters.last_quarter, 1 - SPC_QUARTERS), filters.last_quarter)


def section(fetch: Fetch, filters: Filters, policy: DisclosurePolicy, rebase_at: Sequence[str] | None = None) -> Section:
    """Which changes in the headline measures are signals, over the three years to the last quarter chosen: the SPC
    summary, then an XmR chart per measure."""
    blocks = summary_blocks(headline_charts(fetch, filters, policy, rebase_at), policy)
    title = blocks[0].text
    return Section("trends", title, looking_back(filters).describe(), blocks, findings=(Finding(title, "trends_summary"),),
                   caveats=("SPC limits from fewer than 12 quarters are trial limits and move as quarters are added.",))
