"""Facilities and districts: create, change, refuse bad input (typed input kept), refuse deleting
what is in use, and audit every change with before -> after."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.accounts.models import District, Facility, Verification
from community.audit import AuditLog
from community.extensions import db


def audits(action: str) -> list[AuditLog]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


FACILITY = {"name": "南公民館", "kind": "公民館", "district_id": "", "address": "南町1-2", "hours": "9:00〜17:00",
            "phone": "0123-45-6789", "verifies_identity": "y"}


def test_admin_creates_and_changes_a_facility(client, login_as, people, make_district):
    district = make_district("南地区")
    login_as("admin")
    response = client.post("/admin/facilities/new", data=FACILITY | {"district_id": str(district.id)})
    assert response.status_code == 302
    facility = db.session.scalar(select(Facility).where(Facility.name == "南公民館"))
    assert facility.district_id == district.id and facility.verifies_identity and not facility.hosts_kiosks
    assert "南公民館を保存しました" in client.get("/admin/facilities/").get_data(as_text=True)

    response = client.post(f"/admin/facilities/{facility.id}",
                           data=FACILITY | {"district_id": str(district.id), "hosts_kiosks": "y", "hours": "9:00〜21:00"})
    assert response.status_code == 302
    created, changed = audits("facility.created"), audits("facility.changed")
    assert created[0].actor_id == people["admin"].id and created[0].detail_data["after"]["name"] == "南公民館"
    assert changed[0].detail_data == {"before": {"hours": "9:00〜17:00", "hosts_kiosks": False},
                                      "after": {"hours": "9:00〜21:00", "hosts_kiosks": True}}


@pytest.mark.parametrize(("data", "message"), [
    ({"name": ""}, "施設名を入力してください"),
    ({"name": "あ" * 81}, "80文字以内で入力してください"),
    ({"kind": "体育館"}, "施設の種類を選んでください"),
    ({"district_id": "999999"}, "地区を一覧から選んでください"),
    ({"district_id": "abc"}, "地区を一覧から選んでください"),
    ({"phone": "0" * 41}, "40文字以内で入力してください"),
])
def test_bad_facility_input_is_refused_and_kept(client, login_as, data, message):
    login_as("admin")
    response = client.post("/admin/facilities/new", data=FACILITY | data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert "南町1-2" in page  # what was typed stays in the form
    assert db.session.scalar(select(Facility)) is None and audits("facility.created") == []


def test_a_facility_name_is_unique(client, login_as, make_facility):
    make_facility("南公民館")
    login_as("admin")
    response = client.post("/admin/facilities/new", data=FACILITY)
    assert response.status_code == 400 and "同じ名前の施設がすでにあります" in response.get_data(as_text=True)


def test_an_unused_facility_is_deleted_and_a_used_one_is_kept(client, login_as, people, make_facility):
    unused, used = make_facility("旧分館"), make_facility("中央公民館")
    db.session.add(Verification(user_id=people["member"].id, staff_id=people["staff"].id, facility_id=used.id,
                                id_document_kind="driving_licence"))
    db.session.commit()
    login_as("admin")
    response = client.post(f"/admin/facilities/{used.id}/delete")
    assert response.status_code == 409
    assert "参照されているため、削除できません" in response.get_data(as_text=True)
    assert db.session.get(Facility, used.id) is not None

    unused_id = unused.id
    assert client.post(f"/admin/facilities/{unused_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Facility, unused_id) is None
    (deleted,) = audits("facility.deleted")
    assert deleted.detail_data["before"]["name"] == "旧分館" and deleted.detail_data["after"] == {}


# --- districts ---------------------------------------------------------------------------------

def test_admin_creates_renames_and_deletes_a_district(client, login_as, people):
    login_as("admin")
    assert client.post("/admin/districts/new", data={"name": "東地区", "sort_order": "3"}).status_code == 302
    district = db.session.scalar(select(District).where(District.name == "東地区"))
    assert district.sort_order == 3
    assert client.post(f"/admin/districts/{district.id}", data={"name": "東部地区", "sort_order": "3"}).status_code == 302
    (renamed,) = audits("district.changed")
    assert renamed.detail_data == {"before": {"name": "東地区"}, "after": {"name": "東部地区"}}
    assert renamed.actor_id == people["admin"].id
    assert client.post(f"/admin/districts/{district.id}/delete").status_code == 302
    assert audits("district.deleted")[0].detail_data["before"] == {"name": "東部地区", "sort_order": 3}


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "sort_order": "1"}, "地区名を入力してください"),
    ({"name": "西地区", "sort_order": "abc"}, "0から9999までの数字で入力してください"),
    ({"name": "西地区", "sort_order": "-1"}, "0から9999までの数字で入力してください"),
    ({"name": "中央地区", "sort_order": "1"}, "同じ名前の地区がすでにあります"),
])
def test_bad_district_input_is_refused_and_kept(client, login_as, make_district, data, message):
    make_district("中央地区")
    login_as("admin")
    response = client.post("/admin/districts/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert f'value="{data["sort_order"]}"' in page
    assert audits("district.created") == []


def test_a_district_with_members_cannot_be_deleted(client, login_as, make_district, make_user):
    district = make_district("北地区")
    make_user("kita", district_id=district.id)
    login_as("admin")
    response = client.post(f"/admin/districts/{district.id}/delete")
    assert response.status_code == 409 and "使われているため、削除できません" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(District, district.id) is not None and audits("district.deleted") == []


def test_a_district_placed_later_in_lists_opens_for_editing(client, login_as, make_district):
    district = make_district("北地区")
    district.sort_order = 20
    db.session.commit()
    login_as("admin")
    response = client.get(f"/admin/districts/{district.id}")
    assert response.status_code == 200 and 'value="20"' in response.get_data(as_text=True)
