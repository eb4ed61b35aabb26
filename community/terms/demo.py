"""The demo city's sample 利用規約 and プライバシーポリシー; every demo member has agreed to them.

A real city writes its own (docs/deploy.md): these are examples, not legal advice."""

from __future__ import annotations

from sqlalchemy import select

from community.accounts.models import Role, User
from community.core.database import utcnow
from community.extensions import db
from community.terms.models import TermsAgreement, TermsDocument

TERMS_TITLE = "みどり市地域交流サイト「つながり」利用規約"
TERMS_BODY = """この規約は、みどり市（以下「市」といいます。）が運営する地域交流サイト「つながり」（以下「本サイト」といいます。）の利用について定めるものです。

第1条（目的）
本サイトは、市民が地域の情報を共有し、互いに交流することで、地域のつながりを育むことを目的とします。

第2条（利用の申込み）
本サイトを利用しようとする人は、この規約とプライバシーポリシーに同意のうえ、利用を申し込みます。
書き込みができるのは、市の施設で本人確認を受けた会員に限ります。

第3条（規約の変更）
市は、必要に応じてこの規約を変更できます。変更後の規約は本サイトに掲載し、会員には次にログインしたときに同意を求めます。

第4条（会員の責任）
会員は、自分のログインIDとパスワードを自分で管理し、他人に使わせてはいけません。

第5条（禁止事項）
会員は、本サイトで次の行為をしてはいけません。
(1) 他人を誹謗中傷し、または嫌がらせをすること
(2) 他人の個人情報を本人の同意なく公開すること
(3) 広告、勧誘その他の営利を目的とすること
(4) 法令に違反すること
(5) わいせつ、暴力的または残虐な内容を投稿すること
(6) 子どもに有害な内容を投稿すること
(7) 他人になりすますこと
(8) その他、市が不適切と判断すること

第6条（投稿の非表示・削除と利用停止）
市は、会員が前条に違反したときは、投稿の非表示・削除、警告または利用停止をすることができます。対応を受けた会員は、14日以内に再検討を求めることができます。

第7条（免責）
市は、会員同士のやりとりで生じた損害について、市に故意または重大な過失がある場合を除き、責任を負いません。
"""

PRIVACY_TITLE = "みどり市地域交流サイト「つながり」プライバシーポリシー"
PRIVACY_BODY = """市は、個人情報の保護に関する法律に基づき、本サイトで取り扱う個人情報を次のとおり取り扱います。

第1条（取り扱う個人情報）
ログインID、ニックネーム、生年月日、地区、メールアドレス（登録した人のみ）、本人確認をした施設と書類の種類（書類の番号は記録しません）、投稿の内容、ログインの記録。

第2条（利用目的）
市は、個人情報を次の目的に限って利用します。
(1) 本人確認と、中学生以下の会員の保護
(2) 本サイトの運営（ログイン、お知らせ、パスワード再設定の連絡）
(3) 安全な利用のための通報への対応、投稿の確認と規約違反への対応
(4) 個人を特定できない形に集計した統計の作成

第3条（第三者への提供）
市は、法令に基づく場合を除き、本人の同意なく個人情報を第三者に提供しません。

第4条（安全管理）
市は、個人情報への不正なアクセス、漏えい、滅失を防ぐため、必要な措置を講じます。

第5条（開示・訂正・利用停止の請求）
会員は、自分の個人情報の開示、訂正、利用停止を求めることができます。自分のデータはアカウント画面からダウンロードできます。

第6条（お問い合わせ）
個人情報の取扱いについては、みどり市 市民協働課（市役所1階、平日 8:30〜17:15）へお問い合わせください。
"""


def load() -> None:
    admin = db.session.scalar(select(User).where(User.role == Role.admin.value).order_by(User.id).limit(1))
    now = utcnow()
    for kind, title, body in (("terms", TERMS_TITLE, TERMS_BODY), ("privacy", PRIVACY_TITLE, PRIVACY_BODY)):
        db.session.add(TermsDocument(kind=kind, version=1, title=title, body=body.strip(), published_at=now,
                                     published_by_id=admin.id if admin else None))
        for user_id in db.session.scalars(select(User.id)):
            db.session.add(TermsAgreement(user_id=user_id, kind=kind, version=1, agreed_at=now, how="counter"))
    db.session.flush()
