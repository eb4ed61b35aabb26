"""日記を読む / 日記を書く on a kiosk: large screens over community.diaries' services and policy.

Writing goes step by step (what → who can read it → photo → check → post). Every answer is kept in a
server-side draft (kiosk.drafts) so going back never loses it; the draft goes at logout or timeout.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from community.core.once import already_sent
from community.core.urls import parse_id
from community.diaries import services
from community.extensions import db
from community.media import services as media
from community.media.pipeline import PhotoError
from community.policy import Capability, can_write_diary, why_cannot
from kiosk import drafts
from kiosk.forms import KIOSK_VISIBILITY_LABELS, DiaryPhotoForm, DiaryReadersForm, DiaryTextForm
from kiosk.views import bp, kiosk_login_required

STEPS = ("text", "readers", "photo", "check")


@bp.before_request
def allow_long_diary_text():
    # As on the ordinary diary form: an over-long body is answered by the form's message, text kept.
    if request.endpoint == "kiosk.diary_write":
        request.max_form_memory_size = 4 * 1024 * 1024


def _page() -> int:
    return max(request.args.get("page", 1, type=parse_id) or 1, 1)


@bp.get("/diaries")
@kiosk_login_required
def diaries():
    return render_template("kiosk/diaries.html", page=services.latest(current_user, _page()),
                           labels=KIOSK_VISIBILITY_LABELS)


@bp.get("/diaries/<int:entry_id>")
@kiosk_login_required
def diary(entry_id: int):
    entry = services.get_visible_entry(current_user, entry_id)
    if entry is None:
        abort(404)
    photos = services.photos_for([entry.id]).get(entry.id, [])
    return render_template("kiosk/diary.html", entry=entry, photos=photos, labels=KIOSK_VISIBILITY_LABELS)


# --- Writing ------------------------------------------------------------------------------------


def _cannot_write():
    return render_template("kiosk/diary_cannot.html", reason=why_cannot(current_user, Capability.write)), 403


def _next_step(endpoint: str) -> str:
    """A step changed from the check page returns there; otherwise on to the next step."""
    if request.args.get("from") == "check":
        return url_for("kiosk.diary_write_check")
    return url_for(endpoint)


def _render_step(step: str, status: int = 200, **context):
    return render_template(f"kiosk/diary_write_{step}.html", step=step, steps=STEPS,
                           from_check=request.args.get("from") == "check", labels=KIOSK_VISIBILITY_LABELS,
                           **context), status


@bp.route("/diaries/write", methods=["GET", "POST"])
@kiosk_login_required
def diary_write():
    """Step 1: what to write."""
    if not can_write_diary(current_user):
        return _cannot_write()
    draft = drafts.get_draft(current_user)
    form = DiaryTextForm()
    if request.method == "GET" and draft is not None:
        form.title.data, form.body.data = draft.title, draft.body
    if form.validate_on_submit():
        draft = drafts.draft_for_writing(current_user)
        draft.title, draft.body = form.title.data, form.body.data
        db.session.commit()
        return redirect(_next_step("kiosk.diary_write_readers"), code=303)
    return _render_step("text", 400 if form.errors else 200, form=form)


def _draft_or_start(need_visibility: bool = False):
    draft = drafts.get_draft(current_user)
    if draft is None or not (draft.title and draft.body):
        return None, redirect(url_for("kiosk.diary_write"), code=303)
    if need_visibility and draft.visibility not in KIOSK_VISIBILITY_LABELS:
        return None, redirect(url_for("kiosk.diary_write_readers"), code=303)
    return draft, None


def _readers_sentences() -> dict:
    """The diaries' own "who will be able to read it" wording for each choice."""
    return {
        v: services.readers_sentence(v, services.reader_count(current_user, v))
        for v in KIOSK_VISIBILITY_LABELS
    }


@bp.route("/diaries/write/readers", methods=["GET", "POST"])
@kiosk_login_required
def diary_write_readers():
    """Step 2: who can read it."""
    if not can_write_diary(current_user):
        return _cannot_write()
    draft, start = _draft_or_start()
    if start:
        return start
    form = DiaryReadersForm()
    if request.method == "GET":
        chosen = draft.visibility or services.default_visibility(current_user)
        form.visibility.data = chosen if chosen in KIOSK_VISIBILITY_LABELS else "members"
    if request.method == "POST" and request.form.get("go") == "back":
        if form.visibility.data in KIOSK_VISIBILITY_LABELS:
            draft.visibility = form.visibility.data
            db.session.commit()
        return redirect(url_for("kiosk.diary_write"), code=303)
    if form.validate_on_submit():
        draft.visibility = form.visibility.data
        db.session.commit()
        return redirect(_next_step("kiosk.diary_write_photo"), code=303)
    return _render_step("readers", 400 if form.errors else 200, form=form, readers=_readers_sentences())


@bp.route("/diaries/write/photo", methods=["GET", "POST"])
@kiosk_login_required
def diary_write_photo():
    """Step 3 (optional): one photo from a USB stick or the PC's camera, through the media pipeline."""
    if not can_write_diary(current_user):
        return _cannot_write()
    draft, start = _draft_or_start(need_visibility=True)
    if start:
        return start
    form = DiaryPhotoForm()
    if form.validate_on_submit():
        if request.form.get("remove"):
            draft.photo = None
            db.session.commit()
            return redirect(url_for("kiosk.diary_write_photo", **request.args), code=303)
        upload = request.files.get(form.photo.name)
        if upload and upload.filename:
            try:
                processed = media.check_photo(media.read_upload(upload))
            except PhotoError as error:
                form.photo.errors = [str(error.message)]
                return _render_step("photo", 400, form=form, draft=draft)
            draft.photo = processed.display.data
            db.session.commit()
        if request.form.get("go") == "back":
            return redirect(url_for("kiosk.diary_write_readers"), code=303)
        return redirect(url_for("kiosk.diary_write_check"), code=303)
    return _render_step("photo", 400 if form.errors else 200, form=form, draft=draft)


@bp.get("/diaries/write/photo/preview")
@kiosk_login_required
def diary_draft_photo():
    """The draft's photo, for this visit only (the response is never cached: see kiosk_headers)."""
    draft = drafts.get_draft(current_user)
    if draft is None or not draft.photo:
        abort(404)
    return Response(draft.photo, mimetype=f"image/{_photo_type(draft.photo)}")


def _photo_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "png"
    if data[8:12] == b"WEBP":
        return "webp"
    return "jpeg"


@bp.route("/diaries/write/check", methods=["GET", "POST"])
@kiosk_login_required
def diary_write_check():
    """Step 4: look it over, change any step, post through the diaries' own service."""
    if not can_write_diary(current_user):
        return _cannot_write()
    # A resend finds no draft (posting discarded it): answer "already sent" and show the entry,
    # not the empty first step.
    if request.method == "POST" and request.form and (resent := already_sent()) is not None:
        return resent
    draft, start = _draft_or_start(need_visibility=True)
    if start:
        return start
    readers = _readers_sentences()[draft.visibility]
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():  # the CSRF token
            return _render_step("check", 400, draft=draft, readers=readers, error=_("The form expired. Please send it again."))
        try:
            photos = [media.check_photo(draft.photo)] if draft.photo else []
            entry = services.create_entry(current_user, title=draft.title, body=draft.body,
                                          visibility=draft.visibility, photos=photos)
        except (services.DiaryError, PhotoError) as error:
            db.session.rollback()
            return _render_step("check", 400, draft=draft, readers=readers, error=str(error.message))
        drafts.discard_draft(current_user)
        db.session.commit()
        flash(_("Your diary entry is posted."), "success")
        return redirect(url_for("kiosk.diary", entry_id=entry.id), code=303)
    return _render_step("check", draft=draft, readers=readers, error=None)
