"""Sending e-mail: through SMTP when TSUNAGARI_MAIL_SERVER is set, otherwise into an outbox list.

Development and tests have no SMTP server; there the message is logged and appended to
`app.extensions["tsunagari.outbox"]` so a test (or a developer) can read it.
Settings: TSUNAGARI_MAIL_SERVER, TSUNAGARI_MAIL_PORT (587), TSUNAGARI_MAIL_USE_TLS (true),
TSUNAGARI_MAIL_USERNAME, TSUNAGARI_MAIL_PASSWORD, TSUNAGARI_MAIL_SENDER.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


def send_mail(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("MAIL_SENDER") or config["CONTACT_EMAIL"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    server = config.get("MAIL_SERVER")
    if not server:
        current_app.extensions.setdefault("tsunagari.outbox", []).append(message)
        current_app.logger.info("mail (not sent, no MAIL_SERVER) to=%s subject=%s", to, subject)
        return
    with smtplib.SMTP(server, int(config.get("MAIL_PORT", 587)), timeout=10) as smtp:
        if config.get("MAIL_USE_TLS", True):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)
