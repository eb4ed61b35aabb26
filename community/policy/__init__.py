"""The one place that answers "may this viewer see or do this?".

Views, feeds, search, images, notifications and exports all ask these functions; no other module
writes a visibility, role or moderation-state condition. Each kind of content adds its rules in a
sub-module here and is re-exported below.
"""

from community.policy.accounts import (
    Capability,
    TextField,
    can,
    can_grant_role,
    can_manage_account,
    can_publish_text,
    is_minor,
    minor_until,
    why_cannot,
    why_cannot_publish,
)
from community.policy.social import (
    FriendRefusal,
    are_friends,
    bio_shown_to_others,
    block_partner_ids,
    blocked_ids,
    blocker_ids,
    can_accept_friend_request,
    can_block,
    can_edit_profile,
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
__all__ += ["TextField", "can_publish_text", "why_cannot_publish"]  # free text others read follows the posting rule
__all__ += [  # social: friends, blocks, profiles, withdrawal
    "FriendRefusal", "are_friends", "bio_shown_to_others", "block_partner_ids", "blocked_ids", "blocker_ids", "can_accept_friend_request",
    "can_block", "can_edit_profile", "can_interact", "can_view_profile", "can_withdraw", "friend_ids", "friend_request_refusal",
    "has_blocked", "is_blocked", "is_friend_of_viewer", "not_blocked_by_owner", "visible_members",
    "visible_profile_fields",
]
from community.policy.circles import (  # noqa: E402
    can_accept_invitation,
    can_admin_circle,
    can_comment,
    can_create_circle,
    can_create_event,
    can_create_official_circle,
    can_edit_circle,
    can_join_circle,
    can_leave_circle,
    can_own_circle,
    can_pin_topic,
    can_post_topic,
    can_read_circle_content,
    can_request_to_join,
    can_sign_up,
    can_view_circle,
    can_view_event,
    can_view_participants,
    can_view_post,
    can_view_topic,
    circle_role,
    is_circle_member,
    listed_circle_clause,
    member_circles,
    readable_circle_clause,
    visible_circles,
    visible_events,
    visible_posts,
    visible_topics,
)

__all__ += [  # circles: visibility, membership roles, content
    "can_accept_invitation", "can_admin_circle", "can_comment", "can_create_circle", "can_create_event",
    "can_create_official_circle", "can_edit_circle", "can_join_circle", "can_leave_circle", "can_own_circle",
    "can_pin_topic", "can_post_topic", "can_read_circle_content", "can_request_to_join", "can_sign_up",
    "can_view_circle", "can_view_event", "can_view_participants", "can_view_post", "can_view_topic", "circle_role",
    "is_circle_member", "listed_circle_clause", "member_circles", "readable_circle_clause", "visible_circles",
    "visible_events", "visible_posts", "visible_topics",
]
from community.policy.media import can_view_photo, photo_is_public, register_photo_owner  # noqa: E402

__all__ += ["can_view_photo", "photo_is_public", "register_photo_owner"]  # media: photos follow their content
from community.policy.moderation import (  # noqa: E402
    APPEALABLE_ACTIONS,
    ModerationState,
    can_appeal,
    can_decide_appeal,
    can_moderate,
    can_patrol,
    can_report,
    can_report_item,
    is_own_content,
    may_see_own_notices,
    private_view_needs_logging,
    state_is_visible,
    visible_state,
)

__all__ += [  # moderation: reports, patrol, staff actions, appeals
    "APPEALABLE_ACTIONS", "ModerationState", "can_appeal", "can_decide_appeal", "can_moderate", "can_patrol",
    "can_report", "can_report_item", "is_own_content", "may_see_own_notices", "private_view_needs_logging",
    "state_is_visible", "visible_state",
]
from community.policy.official import (  # noqa: E402
    can_act_as_official,
    can_issue_emergency,
    can_manage_official_accounts,
    can_view_announcement,
    can_view_city_page,
    official_accounts_for,
    visible_announcements,
    visible_city_pages,
)

__all__ += ["can_view_announcement", "can_view_city_page", "visible_announcements", "visible_city_pages"]  # official
__all__ += ["can_act_as_official", "can_issue_emergency", "can_manage_official_accounts", "official_accounts_for"]
from community.policy.official import (  # noqa: E402
    can_manage_announcement,
    can_open_announcement,
    can_publish_announcement,
    can_renew_announcement,
    can_withdraw_announcement,
    managed_announcements,
)

__all__ += [  # announcements: publishing, renewal, withdrawal
    "can_manage_announcement", "can_open_announcement", "can_publish_announcement", "can_renew_announcement",
    "can_withdraw_announcement", "managed_announcements",
]
from community.policy.official import (  # noqa: E402
    can_correct_official_post,
    can_follow_official,
    can_post_as_official,
    can_react_to_official_post,
    can_view_official_post,
    can_withdraw_official_post,
    followed_official_posts,
    official_notification_recipients,
    openable_announcement_ids,
    visible_official_post_ids,
    visible_official_posts,
)

__all__ += [  # official posts, follows, corrections
    "can_correct_official_post", "can_follow_official", "can_post_as_official", "can_react_to_official_post",
    "can_view_official_post", "can_withdraw_official_post", "followed_official_posts", "visible_official_post_ids",
    "visible_official_posts", "official_notification_recipients", "openable_announcement_ids",
]
from community.policy.notifications import (  # noqa: E402
    can_view_notification,
    register_notification_target,
    visible_notifications,
)

__all__ += ["can_view_notification", "register_notification_target", "visible_notifications"]  # notifications
from community.policy.diaries import (  # noqa: E402
    can_comment_on_entry,
    can_delete_comment,
    can_delete_entry,
    can_edit_entry,
    can_like_entry,
    can_view_entry,
    can_view_entry_id,
    can_write_diary,
    selectable_audience,
    visible_comment_ids,
    visible_comments,
    visible_entries,
    visible_entry_ids,
    visible_likers,
)

__all__ += [  # diaries
    "can_comment_on_entry", "can_delete_comment", "can_delete_entry", "can_edit_entry", "can_like_entry",
    "can_view_entry", "can_view_entry_id", "can_write_diary", "selectable_audience", "visible_comment_ids",
    "visible_comments", "visible_entries", "visible_entry_ids", "visible_likers",
]
from community.policy.questions import (  # noqa: E402
    acting_account_ids,
    askable_accounts,
    can_answer_question,
    can_ask_department,
    can_ask_question,
    can_close_question,
    can_give_feedback,
    can_manage_faq,
    can_promote_question,
    can_view_faq_entry,
    can_view_feedback_report,
    can_view_question,
    can_view_question_queue,
    in_question_queue,
    is_question_staff,
    queue_accounts,
    visible_faq_entries,
    visible_question_ids,
    visible_questions,
)

__all__ += [  # questions to the city, FAQ, page feedback
    "acting_account_ids", "askable_accounts", "can_answer_question", "can_ask_department", "can_ask_question",
    "can_close_question", "can_give_feedback", "can_manage_faq", "can_promote_question", "can_view_faq_entry",
    "can_view_feedback_report", "can_view_question", "can_view_question_queue", "is_question_staff",
    "queue_accounts", "visible_faq_entries", "visible_question_ids", "visible_questions", "in_question_queue",
]
from community.policy.surveys import (  # noqa: E402
    PRIVACY_THRESHOLD,
    SurveyState,
    age_band_of,
    answer_refusal,
    can_answer_survey,
    can_create_survey,
    can_manage_survey,
    can_view_survey_results,
    in_audience,
    managed_surveys,
    survey_state,
    visible_surveys,
)

__all__ += [  # surveys (アンケート)
    "PRIVACY_THRESHOLD", "SurveyState", "age_band_of", "answer_refusal", "can_answer_survey", "can_create_survey",
    "can_manage_survey", "can_view_survey_results", "in_audience", "managed_surveys", "survey_state", "visible_surveys",
]
from community.policy.reach import can_view_reach, reach_owners_for  # noqa: E402

__all__ += ["can_view_reach", "reach_owners_for"]  # reach analytics
