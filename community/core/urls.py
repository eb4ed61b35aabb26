from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """Only same-site paths may be redirect targets (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
