"""Survey results: counts, percentages, small-group-suppressed breakdowns, SVG geometry and CSV.

Only aggregates leave this module. A breakdown group (district or age band) with fewer than
PRIVACY_THRESHOLD answers to a question is suppressed; when the suppressed groups together could be
worked out by subtracting the shown groups from the total (their sum is between 1 and 4), the next
smallest shown group is suppressed too (secondary suppression), so subtraction reveals nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.accounts.models import District
from community.extensions import db
from community.policy.surveys import PRIVACY_THRESHOLD
from community.surveys.forms import AGE_BAND_LABELS
from community.surveys.models import QuestionKind, Survey, SurveyAnswer, SurveyResponse

SUPPRESSED = _l("Hidden: fewer than 5 people")
SUPPRESSED_SECONDARY = _l("Hidden so that hidden groups cannot be worked out")
NO_DISTRICT = _l("No district registered")
NO_BAND = _l("Age not known")
COLOURS = ["#0b5d3b", "#1f4e9c", "#a3161b", "#8a4b00", "#6a1b9a", "#005f73", "#4a4a4a"]


@dataclass
class Row:
    label: str
    count: int
    percent: float
    # geometry of its bar in the chart
    y: float = 0
    width: float = 0
    colour: str = COLOURS[0]


@dataclass
class Group:
    label: str
    n: int
    counts: list[int] = field(default_factory=list)
    suppressed: str = ""  # the reason, when hidden


@dataclass
class Breakdown:
    title: str
    groups: list[Group]


@dataclass
class QuestionResult:
    question: object
    answered: int
    rows: list[Row]
    mean: float | None = None
    texts: list[str] = field(default_factory=list)
    texts_hidden: bool = False
    breakdowns: list[Breakdown] = field(default_factory=list)
    # chart geometry
    width: int = 640
    height: int = 0
    label_width: int = 200
    bar_max: int = 340
    row_height: int = 34


@dataclass
class Results:
    survey: Survey
    responses: int
    questions: list[QuestionResult]
    breakdowns_shown: bool = True

    @property
    def shown(self) -> bool:
        return self.responses >= PRIVACY_THRESHOLD


def _options(question) -> list[tuple[object, str]]:
    if question.kind == QuestionKind.scale:
        labels = {1: question.scale_low_label, 5: question.scale_high_label}
        return [(v, f"{v}（{labels[v]}）" if labels.get(v) else str(v)) for v in range(1, 6)]
    return [(c.id, c.label) for c in question.choices]


def suppress(groups: list[Group]) -> None:
    """Primary (< threshold) and secondary suppression, in place."""
    for group in groups:
        if group.n < PRIVACY_THRESHOLD:
            group.suppressed = str(SUPPRESSED)
    while True:
        hidden = sum(g.n for g in groups if g.suppressed)
        if not 0 < hidden < PRIVACY_THRESHOLD:
            return
        shown = sorted((g for g in groups if not g.suppressed), key=lambda g: g.n)
        if not shown:
            return
        shown[0].suppressed = str(SUPPRESSED_SECONDARY)


def compute(survey: Survey, *, breakdowns: bool = True) -> Results:
    """Counts come from grouped SQL (one scan per grouping), never one row per answer in Python.

    Views ask for breakdowns only once the survey has closed: comparing two views of a survey that
    is still open would show one new respondent's district and age band together with their answers.
    """
    total = db.session.scalar(select(func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey.id)) or 0
    results = Results(survey=survey, responses=total, questions=[], breakdowns_shown=breakdowns)
    if not results.shown:
        return results
    answer, response = SurveyAnswer, SurveyResponse
    base = select().select_from(answer).join(response, response.id == answer.response_id).where(
        response.survey_id == survey.id
    )
    option = func.coalesce(answer.choice_id, answer.value)  # a choice id, or the 1-5 of a scale

    def grouped(*columns, counted=None):
        counted = counted if counted is not None else func.count()
        return db.session.execute(base.add_columns(*columns, counted).group_by(*columns)).all()

    respondents = {q: n for q, n in grouped(answer.question_id, counted=func.count(func.distinct(answer.response_id)))}
    counts = {(q, o): n for q, o, n in grouped(answer.question_id, option)}
    means = {q: m for q, m in grouped(answer.question_id, counted=func.avg(answer.value))}
    dimensions = [] if not breakdowns else [
        (_l("By district"), response.district_id, _district_groups()),
        (_l("By age band"), response.age_band,
         [(code, str(label)) for code, label in AGE_BAND_LABELS.items()] + [("", str(NO_BAND))]),
    ]
    by_group = []
    for title, column, order in dimensions:
        group_n = {(q, g): n for q, g, n in grouped(answer.question_id, column,
                                                     counted=func.count(func.distinct(answer.response_id)))}
        group_counts = {(q, g, o): n for q, g, o, n in grouped(answer.question_id, column, option)}
        by_group.append((title, order, group_n, group_counts))
    # Ordered by the random response id, so free-text answers come in no meaningful order.
    texts: dict[int, list[str]] = defaultdict(list)
    for question_id, text in db.session.execute(
        base.add_columns(answer.question_id, answer.text).where(answer.text.is_not(None)).order_by(answer.response_id)
    ):
        if text:
            texts[question_id].append(text)

    for question in survey.questions:
        answered = respondents.get(question.id, 0)
        result = QuestionResult(question=question, answered=answered, rows=[])
        if question.kind == QuestionKind.text:
            written = texts.get(question.id, [])
            if len(written) >= PRIVACY_THRESHOLD:
                result.texts = written
            else:
                result.texts_hidden = True
            results.questions.append(result)
            continue
        options = _options(question)
        result.rows = [
            Row(label=label, count=counts.get((question.id, key), 0),
                percent=100 * counts.get((question.id, key), 0) / max(answered, 1),
                colour=COLOURS[i % len(COLOURS)] if question.kind == QuestionKind.scale else COLOURS[0])
            for i, (key, label) in enumerate(options)
        ]
        if question.kind == QuestionKind.scale and means.get(question.id) is not None:
            result.mean = float(means[question.id])
        _layout(result)
        for title, order, group_n, group_counts in by_group:
            groups = [
                Group(label=label, n=group_n[(question.id, g)],
                      counts=[group_counts.get((question.id, g, key), 0) for key, _ in options])
                for g, label in order
                if group_n.get((question.id, g))
            ]
            suppress(groups)
            result.breakdowns.append(Breakdown(title=str(title), groups=groups))
        results.questions.append(result)
    return results


def _district_groups() -> list[tuple[int | None, str]]:
    rows = db.session.execute(select(District.id, District.name).order_by(District.sort_order, District.id)).all()
    return [(d, name) for d, name in rows] + [(None, str(NO_DISTRICT))]


def _layout(result: QuestionResult) -> None:
    result.height = 20 + result.row_height * len(result.rows) + 10
    for i, row in enumerate(result.rows):
        row.y = 20 + i * result.row_height
        row.width = result.bar_max * row.percent / 100


def csv_rows(results: Results) -> list[list]:
    """Aggregates only, suppression included (community.core.csvexport writes and guards them)."""
    rows: list[list] = []
    add = rows.append
    survey = results.survey
    add([str(_l("Survey")), survey.title])
    add([str(_l("Department")), survey.account.name if survey.account else ""])
    add([str(_l("Responses")), results.responses])
    if not results.shown:
        add([str(_l("Results are shown once at least 5 people have answered."))])
        return rows
    for number, qr in enumerate(results.questions, start=1):
        add([])
        add([f"Q{number}", qr.question.text])
        add([str(_l("People who answered")), qr.answered])
        if qr.question.kind == QuestionKind.text:
            if qr.texts:
                add([str(_l("Free-text answers"))])
                for text in qr.texts:
                    add(["", text])
            else:
                add([str(_l("Free-text answers are shown once at least 5 people have written one."))])
            continue
        add([str(_l("Choice")), str(_l("Count")), str(_l("Percent"))])
        for row in qr.rows:
            add([row.label, row.count, f"{row.percent:.1f}"])
        if qr.mean is not None:
            add([str(_l("Average")), f"{qr.mean:.2f}"])
        if not results.breakdowns_shown:
            add([str(_l("Breakdowns are shown after the survey closes."))])
        for breakdown in qr.breakdowns:
            add([breakdown.title, str(_l("People who answered"))] + [row.label for row in qr.rows])
            for group in breakdown.groups:
                if group.suppressed:
                    add([group.label, group.suppressed])
                else:
                    add([group.label, group.n] + group.counts)
    return rows
