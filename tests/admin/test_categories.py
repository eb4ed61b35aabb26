"""Circle categories at /admin/categories: add, rename, reorder, turn off, delete only when unused;
bad input refused with what was typed kept; every change audited with before -> after."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.audit import AuditLog
from community.circles.models import Circle, CircleCategory
from community.extensions import db

NEW = {"key": "cooking", "label": "料理", "label_en": "Cooking", "sort_order": "5", "active": "y"}


def audits(action: str) -> list[AuditLog]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def category(key: str) -> CircleCategory | None:
    db.session.expire_all()
    return db.session.scalar(select(CircleCategory).where(CircleCategory.key == key))


def test_the_list_shows_the_built_in_categories_until_one_is_saved(client, login_as):
    login_as("admin")
    page = client.get("/admin/categories/").get_data(as_text=True)
    assert "子育て" in page and "ボランティア" in page and "組み込みのカテゴリ" in page


def test_admin_adds_a_category_and_the_built_in_ones_are_kept(client, login_as, people):
    login_as("admin")
    response = client.post("/admin/categories/new", data=NEW)
    assert response.status_code == 302
    added = category("cooking")
    assert (added.label, added.label_en, added.sort_order, added.active) == ("料理", "Cooking", 5, True)
    # The first change copies the built-in list into the table: they stay offered and editable.
    assert category("childcare").label == "子育て" and category("other").label == "その他"
    page = client.get("/admin/categories/").get_data(as_text=True)
    assert "料理を保存しました" in page and "子育て" in page
    created = audits("category.created")
    assert created[0].actor_id == people["admin"].id
    assert created[0].detail_data["after"] == {"key": "cooking", "label": "料理", "label_en": "Cooking",
                                              "sort_order": 5, "active": True}


def test_admin_renames_reorders_and_turns_off_a_category_audited(client, login_as):
    login_as("admin")
    client.post("/admin/categories/new", data=NEW)
    found = category("cooking")
    page = client.get(f"/admin/categories/{found.id}").get_data(as_text=True)
    assert 'value="料理"' in page and 'name="key"' not in page  # the key cannot change
    response = client.post(f"/admin/categories/{found.id}",
                           data={"label": "料理・食", "label_en": "Cooking", "sort_order": "99"})
    assert response.status_code == 302
    changed = category("cooking")
    assert (changed.label, changed.sort_order, changed.active) == ("料理・食", 99, False)
    assert audits("category.changed")[0].detail_data == {
        "before": {"label": "料理", "sort_order": 5, "active": True},
        "after": {"label": "料理・食", "sort_order": 99, "active": False},
    }


@pytest.mark.parametrize(("data", "message"), [
    ({"label": ""}, "カテゴリの名前を入力してください"),
    ({"label": "あ" * 41}, "40文字以内で入力してください"),
    ({"label_en": "a" * 41}, "40文字以内で入力してください"),
    ({"key": ""}, "キーを入力してください"),
    ({"key": "Cooking"}, "半角の小文字a-z、数字、「-」「_」だけを使ってください"),
    ({"key": "料理"}, "半角の小文字a-z、数字、「-」「_」だけを使ってください"),
    ({"key": "a b"}, "半角の小文字a-z、数字、「-」「_」だけを使ってください"),
    ({"key": "a" * 21}, "20文字以内で入力してください"),
    ({"key": "hobby"}, "同じキーのカテゴリがすでにあります"),
    ({"sort_order": "-1"}, "0から9999までの数字で入力してください"),
])
def test_bad_category_input_is_refused_and_kept(client, login_as, data, message):
    login_as("admin")
    typed = NEW | data
    response = client.post("/admin/categories/new", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    for name in ("key", "label", "label_en", "sort_order"):  # what was typed stays in the form
        assert not typed[name] or f'value="{typed[name]}"' in page
    assert category("cooking") is None and audits("category.created") == []


def test_a_rename_with_bad_input_keeps_the_old_name(client, login_as):
    login_as("admin")
    client.post("/admin/categories/new", data=NEW)
    found = category("cooking")
    response = client.post(f"/admin/categories/{found.id}", data={"label": "", "label_en": "Kept", "sort_order": "1"})
    assert response.status_code == 400 and 'value="Kept"' in response.get_data(as_text=True)
    assert category("cooking").label == "料理"


def test_a_double_submitted_add_creates_one_category(client, login_as):
    login_as("admin")
    page = client.get("/admin/categories/new").get_data(as_text=True)
    token = re.search(r'name="submission_id"[^>]*value="([^"]+)"', page).group(1)
    data = NEW | {"submission_id": token}
    assert client.post("/admin/categories/new", data=data).status_code == 302
    again = client.post("/admin/categories/new", data=data)
    assert again.status_code == 303  # to what the first send made, not "this key already exists"
    assert len(audits("category.created")) == 1


def test_an_unused_category_is_deleted_and_a_used_one_is_kept(client, login_as, people):
    login_as("admin")
    client.post("/admin/categories/new", data=NEW)
    used, unused = category("hobby"), category("cooking")
    db.session.add(Circle(name="囲碁の会", category="hobby", created_by_id=people["member"].id))
    db.session.commit()
    response = client.post(f"/admin/categories/{used.id}/delete")
    assert response.status_code == 409
    assert "1件のサークルで使われているため、削除できません" in response.get_data(as_text=True)
    assert category("hobby") is not None

    assert client.post(f"/admin/categories/{unused.id}/delete").status_code == 302
    assert category("cooking") is None
    assert audits("category.deleted")[0].detail_data["before"]["key"] == "cooking"
