"""Rules for JWTs beyond simplejwt's own signature, expiry and blacklist checks."""

from datetime import datetime


def token_issued_before_password_change(*, password_changed_at: datetime | None, issued_at: int | None) -> bool:
    """True when a token was issued before the user's last password change, so it must be refused.

    JWT `iat` has whole-second precision, so the change time is floored to the second: a token
    obtained in the same second as the change is accepted here. Tokens that existed at the change
    are blacklisted by `user_password_set` as well, which closes that one-second gap.
    """
    if password_changed_at is None:
        return False
    if issued_at is None:
        return True
    return int(issued_at) < int(password_changed_at.timestamp())
