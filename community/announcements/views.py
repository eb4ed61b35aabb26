from flask import Blueprint, abort, render_template
from flask_login import current_user

from community.announcements.models import Announcement
from community.announcements.services import current_announcements
from community.extensions import db
from community.policy import can_view_announcement

bp = Blueprint("announcements", __name__, url_prefix="/announcements", template_folder="templates")


@bp.get("/")
def index():
    return render_template("announcements/index.html", announcements=current_announcements(limit=100))


@bp.get("/<int:announcement_id>")
def show(announcement_id: int):
    item = db.session.get(Announcement, announcement_id)
    if not can_view_announcement(current_user, item):
        abort(404)
    return render_template("announcements/show.html", item=item)
