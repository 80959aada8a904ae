"""Two-factor login (TOTP, RFC 6238) with one-time recovery codes.

Any login can turn it on; administrators, and the roles TWO_FACTOR_REQUIRED_FOR names, must. A code is
accepted once (the time step it belongs to is remembered), within one step of the server's clock. Recovery
codes are random, shown once, and kept only as hashes.
"""

import hashlib
import io
import re
import secrets
from datetime import UTC, datetime

import pyotp
import qrcode
import qrcode.image.svg
from flask import current_app

from ..errors import DomainError
from ..extensions import db
from ..i18n import gettext as _
from ..journal import Change, write
from .models import User

RECOVERY_CODES = 10
TOTP_CODE = re.compile(r"[0-9]{6}")
ISSUER = "Danh gia xep loai"


def required(user: User) -> bool:
    """Whether this login may not go on without a second factor."""
    wanted = set(current_app.config["TWO_FACTOR_REQUIRED_FOR"])
    return ("admin" in wanted and user.is_admin) or any(grant.role.value in wanted for grant in user.grants)


def begin(user: User) -> str:
    """A new secret for the authenticator app, until the first code confirms it."""
    if user.totp_enabled:
        raise DomainError(_("Xác thực hai bước đã bật."))
    user.totp_secret = pyotp.random_base32(32)
    db.session.flush()
    return user.totp_secret


def qr_svg(user: User) -> bytes:
    """The secret as a QR code to scan, drawn on the server (no script, nothing from elsewhere)."""
    uri = _totp(user).provisioning_uri(name=user.username, issuer_name=ISSUER)
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def _totp(user: User) -> pyotp.TOTP:
    if not user.totp_secret:
        raise ValueError("two-factor setup has not started for this login")
    return pyotp.TOTP(user.totp_secret)


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


def _accept_totp(user: User, code: str) -> bool:
    """A current code not used before (the step is remembered, so a code seen over a shoulder is spent)."""
    if not TOTP_CODE.fullmatch(code):  # ASCII digits only: "²".isdigit() holds, and compare_digest refuses it
        return False
    totp = _totp(user)
    for drift in (0, -1, 1):
        step = totp.timecode(datetime.now(UTC)) + drift
        if secrets.compare_digest(totp.generate_otp(step), code) and step > (user.totp_last_step or -1):
            user.totp_last_step = step
            return True
    return False


def confirm(user: User, code: str) -> list[str]:
    """Turn it on with the first code; returns the recovery codes, to be shown once."""
    if not user.totp_secret or user.totp_enabled:
        raise DomainError(_("Hãy bắt đầu lại việc bật xác thực hai bước."))
    if not _accept_totp(user, code.strip()):
        raise DomainError(_("Mã không đúng hoặc đã hết hạn; hãy nhập mã đang hiện trên ứng dụng."))
    user.totp_enabled = True
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    user.recovery_codes = [_hash(c) for c in codes]
    user.end_sessions()  # other sessions began with one factor only
    write(Change.TWO_FACTOR_ON, user, user.username)
    db.session.flush()
    return codes


def verify(user: User, code: str) -> bool:
    """A login's second step: a TOTP code, or one of the recovery codes (spent once used)."""
    code = code.strip()
    if not user.totp_enabled or not code:
        return False
    if _accept_totp(user, code):
        db.session.flush()
        return True
    hashed = _hash(code)
    recovery = user.recovery_codes or []
    if hashed in recovery:
        user.recovery_codes = [h for h in recovery if h != hashed]
        db.session.flush()
        return True
    return False


def disable(user: User, code: str, actor: User) -> None:
    """Turn it off, with a valid code from its holder, or by an administrator (a lost phone)."""
    if actor.id == user.id and not verify(user, code):
        raise DomainError(_("Mã không đúng; xác thực hai bước vẫn bật."))
    if actor.id == user.id and required(user):
        raise DomainError(_("Vai trò của đồng chí bắt buộc xác thực hai bước."))
    user.totp_enabled, user.totp_secret, user.recovery_codes, user.totp_last_step = False, None, [], None
    user.end_sessions()
    write(Change.TWO_FACTOR_OFF, actor, user.username)
    db.session.flush()
