"""Demo surveys (order 64, after the department accounts): one open, one closed with results."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from community.accounts.models import User
from community.core.database import utcnow
from community.extensions import db
from community.official.models import OfficialAccount, OfficialAccountMember
from community.surveys import services
from community.surveys.models import QuestionKind

OPEN_SURVEY = (
    "子育て支援センターの利用について",
    "子育て支援センター（緑ヶ丘・中央）の利用状況と、今後の催しについてのご意見をうかがいます。"
    "回答は5分ほどで終わります。回答はお名前と結びつけずに集計します。",
)
OPEN_QUESTIONS = [
    (QuestionKind.single, "子育て支援センターをどのくらい利用していますか。", True,
     ["週に1回以上", "月に1〜3回", "年に数回", "利用したことがない"], "", ""),
    (QuestionKind.multiple, "利用したことのある催し・サービスをすべて選んでください。", False,
     ["親子のひろば", "育児相談", "離乳食の相談会", "絵本の読み聞かせ", "一時預かり"], "", ""),
    (QuestionKind.scale, "センターの開館時間は利用しやすいですか。", True, [], "利用しにくい", "利用しやすい"),
    (QuestionKind.text, "今後あるとよい催しや、ご意見があればお書きください。", False, [], "", ""),
]
CLOSED_SURVEY = (
    "公園と子どもの遊び場についてのアンケート",
    "市内の公園や子どもの遊び場の使いやすさについて、ご意見をうかがいました。ご協力ありがとうございました。",
)
CLOSED_QUESTIONS = [
    (QuestionKind.single, "近所の公園をどのくらい利用しますか。", True, ["ほぼ毎日", "週に数回", "月に数回", "ほとんど利用しない"], "", ""),
    (QuestionKind.multiple, "公園にあるとよいと思うものを選んでください。", False,
     ["日よけ・屋根", "トイレ", "ベンチ", "幼児向けの遊具", "ボール遊びができる広場"], "", ""),
    (QuestionKind.scale, "公園の安全さ（見通し・照明など）に満足していますか。", True, [], "不満", "満足"),
    (QuestionKind.text, "公園や遊び場について、ご意見をお書きください。", False, [], "", ""),
]
# Answers to the closed survey (one per demo member): choice numbers are 1-based.
CLOSED_ANSWERS = {
    "admin": (2, [1, 2], 4, "夏でも使えるように日よけがほしいです。"),
    "staff-suzuki": (3, [2, 3], 3, "トイレが古いので改修をお願いします。"),
    "staff-tanaka": (2, [4], 4, "小さい子ども向けの遊具が増えるとうれしいです。"),
    "supporter-yamada": (1, [3], 5, "毎朝散歩しています。ベンチが増えると助かります。"),
    "supporter-ito": (3, [1, 3], 3, "夕方は暗いので照明を増やしてください。"),
    "hanako": (1, [1, 4], 2, "砂場の衛生が気になります。"),
    "kenta": (2, [4, 5], 4, ""),
    "yoshiko": (4, [3], 3, ""),
    "makoto": (2, [5], 2, "ボール遊びができる場所が少ないです。"),
}
OPEN_ANSWERS = {
    "kenta": (1, [1, 2], 4, "土曜日の催しを増やしてほしいです。"),
    "yoshiko": (4, [], 3, ""),
    "makoto": (3, [4], 3, ""),
}


def _account() -> OfficialAccount:
    account = db.session.scalar(select(OfficialAccount).where(OfficialAccount.slug == "kosodate"))
    if account is None:  # the official package's demo did not run (or named it differently)
        account = db.session.scalar(select(OfficialAccount).where(OfficialAccount.name == "子育て支援課"))
    if account is None:
        account = OfficialAccount(slug="kosodate", name="子育て支援課",
                                  description="子育て支援センターの催し、保育所、児童手当などの情報をお届けします。")
        db.session.add(account)
        db.session.flush()
    tanaka = db.session.scalar(select(User).where(User.login_id == "staff-tanaka"))
    if tanaka is not None and not any(m.user_id == tanaka.id for m in account.members):
        account.members.append(OfficialAccountMember(user_id=tanaka.id))
        db.session.flush()
    return account


def _survey(author, account, text, questions, opens_at, closes_at):
    title, description = text
    survey, _created = services.create_survey(author, account, services.Settings(
        title=title, description=description, sample=False, district_ids=[], age_bands=[], include_minors=False,
        opens_at=opens_at, closes_at=closes_at,
    ))
    for kind, question, required, labels, low, high in questions:
        services.add_question(author, survey, kind=kind, text=question, required=required, choices=labels,
                              scale_low_label=low, scale_high_label=high, now=opens_at - timedelta(days=1))
    services.publish(author, survey, now=opens_at - timedelta(days=1))
    return survey


def _answer(survey, answers, at) -> None:
    people = {u.login_id: u for u in db.session.scalars(select(User).where(User.login_id.in_(answers)))}
    single, multiple, scale, text = survey.questions
    for login_id, (one, many, value, comment) in answers.items():
        user = people.get(login_id)
        if user is None:
            continue
        given = {single.id: single.choices[one - 1].id, scale.id: value}
        if many:
            given[multiple.id] = [multiple.choices[i - 1].id for i in many]
        if comment:
            given[text.id] = comment
        services.submit_answers(user, survey, given, now=at)


def load() -> None:
    author = db.session.scalar(select(User).where(User.login_id == "admin"))
    if author is None:
        return
    account = _account()
    now = utcnow()
    closed = _survey(author, account, CLOSED_SURVEY, CLOSED_QUESTIONS, now - timedelta(days=40), now - timedelta(days=10))
    _answer(closed, CLOSED_ANSWERS, now - timedelta(days=30))
    survey = _survey(author, account, OPEN_SURVEY, OPEN_QUESTIONS, now - timedelta(days=3), now + timedelta(days=14))
    _answer(survey, OPEN_ANSWERS, now - timedelta(days=1))
