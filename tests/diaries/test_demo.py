from sqlalchemy import func, select

from community.core.cli import load_demo
from community.diaries.models import DiaryComment, DiaryEntry, DiaryLike
from community.extensions import db
from community.media.models import Photo


def test_demo_has_diaries_of_every_visibility_with_photos(app, client):
    assert load_demo()
    visibilities = set(db.session.scalars(select(DiaryEntry.visibility)))
    assert visibilities == {"public", "members", "friends", "selected", "private"}
    assert db.session.scalar(select(func.count(Photo.id))) >= 2
    assert db.session.scalar(select(func.count(DiaryComment.id))) >= 3
    assert db.session.scalar(select(func.count()).select_from(DiaryLike)) >= 3
    html = client.get("/diaries").get_data(as_text=True)
    assert "図書館のおはなし会に行きました" in html and "自分用メモ" not in html
