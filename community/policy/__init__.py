"""The one place that answers "may this viewer see or do this?".

Views, feeds, search, images, notifications and exports all ask these functions; no other module
writes a visibility, role or moderation-state condition. Each kind of content adds its rules in a
sub-module here and is re-exported below.
"""

from community.policy.accounts import (
    Capability,
    can,
    can_grant_role,
    can_manage_account,
    is_minor,
    minor_until,
    why_cannot,
)
from community.policy.social import (
    FriendRefusal,
    are_friends,
    block_partner_ids,
    blocked_ids,
    blocker_ids,
    can_accept_friend_request,
    can_block,
    can_interact,
    can_view_profile,
    can_withdraw,
    friend_ids,
    friend_request_refusal,
    has_blocked,
    is_blocked,
    is_friend_of_viewer,
    not_blocked_by_owner,
    visible_members,
    visible_profile_fields,
)

__all__ = ["Capability", "can", "can_grant_role", "can_manage_account", "is_minor", "minor_until", "why_cannot"]
__all__ += [  # social: friends, blocks, profiles, withdrawal
    "FriendRefusal", "are_friends", "block_partner_ids", "blocked_ids", "blocker_ids", "can_accept_friend_request",
    "can_block", "can_interact", "can_view_profile", "can_withdraw", "friend_ids", "friend_request_refusal",
    "has_blocked", "is_blocked", "is_friend_of_viewer", "not_blocked_by_owner", "visible_members",
    "visible_profile_fields",
]
from community.policy.media import can_view_photo, photo_is_public, register_photo_owner  # noqa: E402

__all__ += ["can_view_photo", "photo_is_public", "register_photo_owner"]  # media: photos follow their content
