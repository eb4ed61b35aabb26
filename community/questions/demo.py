"""Demo questions and FAQ (loaded after the official accounts at 15; flushes, never commits)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from community.accounts.models import User
from community.core.database import utcnow
from community.extensions import db
from community.official.models import OfficialAccount
from community.questions.models import Answer, FaqEntry, PageFeedback, Question

# (account, asker, days ago, visibility, title, body, answer or None, promote to FAQ category or None)
QUESTIONS = [
    ("kosodate", "hanako", 9, "public", "児童手当の申請はいつまでにすればいいですか",
     "来月、二人目の子どもが生まれる予定です。児童手当の申請はいつまでに、どこでできますか。"
     "オンラインでも申請できるのでしょうか。",
     "ご出産おめでとうございます。児童手当は、お子さんが生まれた日の翌日から15日以内に申請してください。"
     "市役所1階の子育て支援課の窓口のほか、マイナポータルからオンラインでも申請できます。\n\n"
     "申請が遅れると、遅れた月の分の手当を受け取れなくなることがありますのでご注意ください。"
     "申請には、請求者の健康保険証の写しと振込先の口座がわかるものをお持ちください。",
     "childcare"),
    ("bousai", "makoto", 5, "public", "防災訓練の日に雨が降ったらどうなりますか",
     "11月30日の一斉防災訓練に少年野球の子どもたちと参加したいと思っています。雨の場合は中止ですか。",
     "雨天の場合も、屋内で行う訓練（シェイクアウト、避難所の受付体験）は予定どおり実施します。"
     "屋外での消火器訓練のみ中止となります。当日の朝7時に市のホームページでお知らせします。",
     None),
    ("kouhou", "yoshiko", 3, "public", "市民会館の駐車場は何時まで使えますか",
     "公民館の書道教室の帰りに市民会館の駐車場を使いたいのですが、夜は何時まで停められますか。",
     None, None),
    ("kosodate", "hanako", 1, "private", "保育所の入所について個別に相談したいです",
     "4月から職場復帰の予定です。上の子と同じ保育所に入れるか、家庭の事情も含めて相談させてください。",
     None, None),
]

# Written directly by the departments: (account, category, title, answer)
FAQS = [
    ("kosodate", "childcare", "子育て支援センターは予約が必要ですか",
     "予約は不要です。開館時間（平日9時〜16時）内であれば、いつでもお子さんと一緒にお越しください。"
     "ただし、離乳食の相談会など一部の催しは定員がありますので、お知らせをご確認ください。"),
    ("bousai", "disaster", "自分の地区の指定避難所はどこで確認できますか",
     "市のホームページの「避難所一覧」と、毎年6月に全戸配布している防災マップで確認できます。"
     "防災マップは市役所2階の防災課と各公民館でもお渡ししています。"),
    ("kouhou", "procedures", "市への意見や要望はどこに出せばいいですか",
     "このサイトの「市への質問」から担当課に直接送れます。公開にすると、ほかの方も回答を読むことができます。"
     "郵送や窓口（市役所2階 広報広聴課）でも受け付けています。"),
]


def load() -> None:
    accounts = {a.slug: a for a in db.session.scalars(select(OfficialAccount))}
    users = {u.login_id: u for u in db.session.scalars(select(User))}
    if not accounts or db.session.scalar(select(Question.id).limit(1)) is not None:
        return
    now = utcnow()
    for slug, asker, days, visibility, title, body, answer_text, category in QUESTIONS:
        account = accounts.get(slug)
        if account is None:
            continue
        asked_at = now - timedelta(days=days, hours=2)
        question = Question(account_id=account.id, asker_id=users[asker].id if asker in users else None,
                            title=title, body=body, visibility=visibility, created_at=asked_at)
        db.session.add(question)
        db.session.flush()
        if answer_text:
            staff = next((m.user_id for m in account.members), None)
            answered_at = asked_at + timedelta(days=1)
            db.session.add(Answer(question_id=question.id, account_id=account.id, author_id=staff, sequence=1,
                                  body=answer_text, created_at=answered_at))
            question.status, question.answer_count, question.answered_at = "answered", 1, answered_at
            if category:
                faq = FaqEntry(account_id=account.id, question_id=question.id, title="児童手当の申請の期限と方法",
                               answer=answer_text, category=category, created_by_id=staff,
                               created_at=answered_at, updated_at=answered_at)
                db.session.add(faq)
                db.session.flush()
                db.session.add_all([
                    PageFeedback(target_kind="faq", target_id=faq.id, helpful=True, comment="",
                                 session_key=f"demo-{faq.id}-1"),
                    PageFeedback(target_kind="faq", target_id=faq.id, helpful=False,
                                 comment="必要な書類をもう少し詳しく書いてほしいです。", session_key=f"demo-{faq.id}-2"),
                ])
    for slug, category, title, answer_text in FAQS:
        account = accounts.get(slug)
        if account is not None:
            staff = next((m.user_id for m in account.members), None)
            db.session.add(FaqEntry(account_id=account.id, title=title, answer=answer_text, category=category,
                                    created_by_id=staff))
    db.session.flush()
