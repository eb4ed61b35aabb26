"""Diary services: plain arguments in, rows flushed (never committed), DiaryError for the member."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import selectinload

from community.accounts.models import User
from community.core.database import utcnow
from community.diaries.models import (
    MAX_PHOTOS,
    PHOTO_OWNER,
    AudienceList,
    AudienceListMember,
    DiaryAudienceList,
    DiaryAudienceMember,
    DiaryComment,
    DiaryEntry,
    DiaryLike,
    DiarySettings,
    Visibility,
)
from community.extensions import db
from community.media import services as media
from community.media.models import Photo
from community.notifications.services import delete_for_targets, notify
from community.policy import (
    can_comment_on_entry,
    can_like_entry,
    friend_ids,
    memo,
    selectable_audience,
    visible_comments,
    visible_entries,
    visible_likers,
)

TOKYO = ZoneInfo("Asia/Tokyo")
PER_PAGE = 20
COUNT_AHEAD = 10  # pages counted past the current one


class DiaryError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- Settings and audiences ------------------------------------------------------------------------


def default_visibility(user) -> str:
    row = db.session.get(DiarySettings, user.id)
    return row.default_visibility if row else Visibility.members.value


def set_default_visibility(user, visibility: str) -> None:
    row = db.session.get(DiarySettings, user.id) or DiarySettings(user_id=user.id)
    row.default_visibility = Visibility(visibility).value
    db.session.add(row)
    db.session.flush()


def selectable_friends(author) -> list[User]:
    return list(db.session.scalars(selectable_audience(select(User), author).order_by(User.nickname, User.id)))


def lists_of(author) -> list[AudienceList]:
    return list(db.session.scalars(
        select(AudienceList).where(AudienceList.owner_id == author.id)
        .options(selectinload(AudienceList.members)).order_by(AudienceList.name)
    ))


def reader_count(author, visibility: str, member_ids=(), list_ids=()) -> int | None:
    """How many other members can read; None for `public` and `members` (everyone / all members)."""
    if visibility == Visibility.friends.value:
        return len(selectable_friends(author))
    if visibility == Visibility.selected.value:
        ids = set(member_ids)
        if list_ids:
            ids |= set(db.session.scalars(
                select(AudienceListMember.user_id).join(AudienceList)
                .where(AudienceList.owner_id == author.id, AudienceList.id.in_(list(list_ids)))
            ))
        if not ids:
            return 0
        # Blocked and withdrawn members are not counted: the policy will not let them read.
        return db.session.scalar(
            selectable_audience(select(func.count(User.id)), author).where(User.id.in_(ids))
        ) or 0
    if visibility == Visibility.private.value:
        return 0
    return None


def readers_sentence(visibility: str, count: int | None) -> str:
    """The plain words the form shows before posting."""
    if visibility == Visibility.public.value:
        return _("Anyone can read it, including people who are not logged in.")
    if visibility == Visibility.members.value:
        return _("All verified members of this site can read it.")
    if visibility == Visibility.friends.value:
        return _("Only your friends (%(count)s people) and you can read it.", count=count or 0)
    if visibility == Visibility.selected.value:
        return _("Only the people you chose (%(count)s people) and you can read it.", count=count or 0)
    return _("Only you can read it.")


def _set_audience(entry: DiaryEntry, author, visibility: str, member_ids, list_ids) -> None:
    entry.audience_members.clear()
    entry.audience_lists.clear()
    db.session.flush()
    if visibility != Visibility.selected.value:
        return
    allowed = {u.id for u in selectable_friends(author)}
    own_lists = {al.id for al in lists_of(author)}
    if any(i not in allowed for i in member_ids) or any(i not in own_lists for i in list_ids):
        raise DiaryError(_l("Some of the chosen people cannot be picked (only your friends can). Please choose again."))
    entry.audience_members.extend(DiaryAudienceMember(user_id=i) for i in sorted(set(member_ids)))
    entry.audience_lists.extend(DiaryAudienceList(list_id=i) for i in sorted(set(list_ids)))


# --- Entries -----------------------------------------------------------------------------------------


def _store_photos(entry: DiaryEntry, author, processed: list, start: int) -> None:
    for offset, photo in enumerate(processed):
        media.store_photo(b"", processed=photo, uploaded_by=author, owner_type=PHOTO_OWNER, owner_id=entry.id,
                          position=start + offset)


def create_entry(author, *, title: str, body: str, visibility: str, member_ids=(), list_ids=(),
                 photos=()) -> DiaryEntry:
    """`photos` are already checked (media.services.check_photo), so nothing broken gets stored."""
    if len(photos) > MAX_PHOTOS:
        raise DiaryError(_l("You can attach up to %(count)s photos.", count=MAX_PHOTOS))
    entry = DiaryEntry(author_id=author.id, title=title, body=body, visibility=Visibility(visibility).value)
    db.session.add(entry)
    db.session.flush()
    _set_audience(entry, author, entry.visibility, list(member_ids), list(list_ids))
    _store_photos(entry, author, list(photos), 0)
    db.session.flush()
    return entry


def update_entry(entry: DiaryEntry, author, *, title: str, body: str, visibility: str, member_ids=(),
                 list_ids=(), photos=(), remove_photo_ids=()) -> DiaryEntry:
    current = media.photos_of(PHOTO_OWNER, entry.id)
    removing = [p for p in current if p.id in set(remove_photo_ids)]
    if len(current) - len(removing) + len(photos) > MAX_PHOTOS:
        raise DiaryError(_l("You can attach up to %(count)s photos.", count=MAX_PHOTOS))
    entry.title, entry.body = title, body
    entry.visibility = Visibility(visibility).value
    entry.updated_at = utcnow()
    _set_audience(entry, author, entry.visibility, list(member_ids), list(list_ids))
    media.delete_photos(removing)
    start = max((p.position for p in current), default=-1) + 1
    _store_photos(entry, author, list(photos), start)
    db.session.flush()
    return entry


def delete_entries(entry_ids) -> None:
    ids = list(entry_ids)
    if not ids:
        return
    comment_ids = list(db.session.scalars(select(DiaryComment.id).where(DiaryComment.entry_id.in_(ids))))
    delete_for_targets("diary_comment", comment_ids)
    delete_for_targets("diary_entry", ids)
    media.delete_photos_of(PHOTO_OWNER, ids)
    for model in (DiaryComment, DiaryLike, DiaryAudienceMember, DiaryAudienceList):
        db.session.execute(delete(model).where(model.entry_id.in_(ids)))
    db.session.execute(delete(DiaryEntry).where(DiaryEntry.id.in_(ids)))
    db.session.flush()


def delete_entry(entry: DiaryEntry) -> None:
    delete_entries([entry.id])
    db.session.expunge(entry)


# --- Reading -----------------------------------------------------------------------------------------


@dataclass
class EntryCard:
    entry: DiaryEntry
    comment_count: int
    like_count: int
    photos: list


def _cards(stmt, viewer, page: int):
    comments = visible_comments(
        select(func.count(DiaryComment.id)).where(DiaryComment.entry_id == DiaryEntry.id), viewer
    ).scalar_subquery()
    likes = select(func.count()).select_from(DiaryLike).where(DiaryLike.entry_id == DiaryEntry.id).scalar_subquery()
    stmt = visible_entries(stmt.add_columns(comments, likes), viewer).options(selectinload(DiaryEntry.author))
    stmt = stmt.order_by(DiaryEntry.created_at.desc(), DiaryEntry.id.desc())
    page = max(page, 1)
    # Count at most COUNT_AHEAD pages past this one: an exact count of a city's 300,000 entries
    # through the visibility rules costs most of a second, and nobody pages that far (issue 9).
    cap = (page - 1 + COUNT_AHEAD) * PER_PAGE + 1
    ids = stmt.with_only_columns(DiaryEntry.id).order_by(DiaryEntry.created_at.desc(), DiaryEntry.id.desc())
    total = db.session.scalar(select(func.count()).select_from(ids.limit(cap).subquery())) or 0
    rows = db.session.execute(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    photos = photos_for([row[0].id for row in rows])
    cards = [EntryCard(entry, c or 0, n or 0, photos.get(entry.id, [])) for entry, c, n in rows]
    return Page(cards, page, min(total, cap - 1), more=total >= cap)


@dataclass
class Page:
    items: list
    page: int
    total: int
    more: bool = False  # there are more than `total` (the count stopped early)

    @property
    def pages(self) -> int:
        # When the count stopped early, at least one more page follows the counted ones.
        return max(1, -(-self.total // PER_PAGE)) + (1 if self.more else 0)

    @property
    def pages_shown(self) -> str:
        """「11+」 when the count stopped early."""
        return f"{self.pages}+" if self.more else str(self.pages)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def photos_for(entry_ids) -> dict[int, list[Photo]]:
    ids = list(entry_ids)
    found: dict[int, list[Photo]] = {}
    if ids:
        for photo in db.session.scalars(
            select(Photo).where(Photo.owner_type == PHOTO_OWNER, Photo.owner_id.in_(ids)).order_by(Photo.position)
        ):
            found.setdefault(photo.owner_id, []).append(photo)
    return found


def latest(viewer, page: int = 1) -> Page:
    return _cards(select(DiaryEntry), viewer, page)


def friends_feed(viewer, page: int = 1) -> Page:
    return _cards(select(DiaryEntry).where(DiaryEntry.author_id.in_(friend_ids(viewer))), viewer, page)


def _month_range(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=TOKYO)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=TOKYO)
    return start.astimezone(UTC), end.astimezone(UTC)


def member_feed(viewer, member, page: int = 1, year: int | None = None, month: int | None = None) -> Page:
    stmt = select(DiaryEntry).where(DiaryEntry.author_id == member.id)
    if year and month:
        start, end = _month_range(year, month)
        stmt = stmt.where(DiaryEntry.created_at >= start, DiaryEntry.created_at < end)
    return _cards(stmt, viewer, page)


def archive_months(viewer, member) -> list[tuple[int, int, int]]:
    """(year, month, count) in Japan time, newest first: one query of timestamps, grouped here
    because month arithmetic in SQL differs between SQLite and PostgreSQL."""
    stamps = db.session.scalars(
        visible_entries(select(DiaryEntry.created_at).where(DiaryEntry.author_id == member.id), viewer)
    )
    counts: dict[tuple[int, int], int] = {}
    for stamp in stamps:
        local = stamp.astimezone(TOKYO)
        counts[(local.year, local.month)] = counts.get((local.year, local.month), 0) + 1
    return [(y, m, n) for (y, m), n in sorted(counts.items(), reverse=True)]


def get_visible_entry(viewer, entry_id: int) -> DiaryEntry | None:
    entry = db.session.scalar(
        visible_entries(select(DiaryEntry).where(DiaryEntry.id == entry_id), viewer)
        .options(selectinload(DiaryEntry.author), selectinload(DiaryEntry.audience_members),
                 selectinload(DiaryEntry.audience_lists))
    )
    # Loaded through the policy's own filter, so this answers can_view_entry for the rest of a
    # page being rendered (policy.memo; a no-op outside memo.reading()).
    memo.remember("diary_entry", viewer, entry_id, entry is not None)
    return entry


def comments_for(viewer, entry: DiaryEntry) -> list[DiaryComment]:
    return list(db.session.scalars(
        visible_comments(select(DiaryComment).where(DiaryComment.entry_id == entry.id), viewer)
        .options(selectinload(DiaryComment.author)).order_by(DiaryComment.created_at, DiaryComment.id)
    ))


def likers_of(viewer, entry: DiaryEntry) -> list[User]:
    return list(db.session.scalars(
        visible_likers(select(User).join(DiaryLike, DiaryLike.user_id == User.id).where(DiaryLike.entry_id == entry.id),
                       viewer).order_by(DiaryLike.created_at)
    ))


def has_liked(user, entry: DiaryEntry) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(db.session.scalar(select(exists().where(DiaryLike.entry_id == entry.id, DiaryLike.user_id == user.id))))


# --- Comments and likes ------------------------------------------------------------------------------


def add_comment(entry: DiaryEntry, author, body: str) -> DiaryComment:
    if not can_comment_on_entry(author, entry):
        raise DiaryError(_l("You cannot comment on this entry."))
    earlier = set(db.session.scalars(
        select(DiaryComment.author_id).where(DiaryComment.entry_id == entry.id).distinct()
    ))
    comment = DiaryComment(entry_id=entry.id, author_id=author.id, body=body)
    db.session.add(comment)
    db.session.flush()
    notify(entry.author, "diary_comment", actor=author, target_type="diary_comment", target_id=comment.id)
    # 「コメントの後に返信」: everyone who commented before hears about the conversation going on.
    for user in db.session.scalars(select(User).where(User.id.in_(earlier - {author.id, entry.author_id}))):
        notify(user, "diary_reply", actor=author, target_type="diary_comment", target_id=comment.id)
    return comment


def delete_comment(comment: DiaryComment) -> None:
    delete_for_targets("diary_comment", [comment.id])
    db.session.delete(comment)
    db.session.flush()


def like(entry: DiaryEntry, user) -> None:
    if not can_like_entry(user, entry):
        raise DiaryError(_l("You cannot like this entry."))
    if not has_liked(user, entry):
        db.session.add(DiaryLike(entry_id=entry.id, user_id=user.id))
        db.session.flush()


def unlike(entry: DiaryEntry, user) -> None:
    db.session.execute(delete(DiaryLike).where(DiaryLike.entry_id == entry.id, DiaryLike.user_id == user.id))
    db.session.flush()


# --- Saved lists --------------------------------------------------------------------------------------


def save_list(owner, name: str, member_ids, audience_list: AudienceList | None = None) -> AudienceList:
    allowed = {u.id for u in selectable_friends(owner)}
    if any(i not in allowed for i in member_ids):
        raise DiaryError(_l("Some of the chosen people cannot be picked (only your friends can). Please choose again."))
    clash = db.session.scalar(select(AudienceList.id).where(AudienceList.owner_id == owner.id, AudienceList.name == name))
    if clash and (audience_list is None or clash != audience_list.id):
        raise DiaryError(_l("You already have a list with this name."))
    if audience_list is None:
        audience_list = AudienceList(owner_id=owner.id, name=name)
        db.session.add(audience_list)
    audience_list.name = name
    audience_list.members.clear()
    db.session.flush()
    audience_list.members.extend(AudienceListMember(user_id=i) for i in sorted(set(member_ids)))
    db.session.flush()
    return audience_list


def delete_list(audience_list: AudienceList) -> None:
    db.session.delete(audience_list)
    db.session.flush()
