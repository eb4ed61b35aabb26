"""The one place that answers "may this viewer see or do this?".

Views, feeds, search, images, notifications and exports all ask these functions; no other module
writes a visibility, role or moderation-state condition. Each kind of content adds its rules in a
sub-module here and is re-exported below.
"""

from community.policy.accounts import (
    Capability,
    can,
    is_minor,
    minor_until,
    why_cannot,
)

__all__ = ["Capability", "can", "is_minor", "minor_until", "why_cannot"]
