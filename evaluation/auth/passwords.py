"""What makes a password acceptable: long enough, not guessable from the login, not a common one.

Length, a list of the most guessed passwords and a strength estimate (zxcvbn: dictionaries, keyboard
patterns, dates, repeats, the person's own name and login), rather than rules on character classes:
NIST SP 800-63B found that composition rules make passwords harder to remember, not harder to guess.
"""

import re

from zxcvbn import zxcvbn

from ..i18n import gettext as _
from ..text import fold

MIN_LENGTH = 10

# The most common passwords of Vietnamese leaks and the world lists, folded (lower case, no accents).
COMMON = frozenset(
    """
    123456789a 1234567890 12345678910 0123456789 1234567899 1111111111 0000000000 123123123123 987654321a
    password password1 password123 passw0rd123 qwertyuiop qwerty1234 qwerty123456 abc1234567 abcd123456
    iloveyou12 matkhau123 matkhaumoi matkhau2025 matkhau2026 dangvien123 dangcongsan vietnam123
    vietnamvodich anhyeuem123 emyeuanh123 admin12345 administrator changeme123 welcome123 letmein123
    ddddd12345 hochiminh1 hanoi12345 saigon1234
    """.split()
)


# Words zxcvbn's English dictionaries lack but a Vietnamese guesser tries first.
VIETNAMESE_WORDS = ("matkhau", "dangvien", "dangcongsan", "vietnam", "hanoi", "saigon", "hochiminh", "anhyeuem",
                    "emyeuanh", "thunghiem", "danguy", "bithu", "chibo", "kiemdiem", "xeploai", "capuy")  # fmt: skip
MIN_SCORE = 3  # zxcvbn's "safely unguessable" (about 10^8 guesses and more)


def _hints(*known: str) -> list[str]:
    """What a guesser knows of this person, as zxcvbn compares it: folded, and without punctuation too."""
    hints = []
    for text in known:
        folded = fold(text or "")
        hints += [folded, re.sub(r"[^a-z0-9]", "", folded), *folded.split()]
    return [hint for hint in hints if hint] + list(VIETNAMESE_WORDS)


def password_problems(password: str, username: str = "", *known: str) -> list[str]:
    """Every reason the password is refused, in the words the form shows (empty when it is accepted).

    `known` is what else a guesser may know: the person's name, the password being replaced.
    """
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Mật khẩu phải có ít nhất %(min_length)s ký tự.", min_length=MIN_LENGTH))
    if password.isdigit():
        problems.append(_("Mật khẩu không được chỉ gồm chữ số."))
    folded = fold(password)
    if len(set(folded)) < 4:
        problems.append(_("Mật khẩu phải có ít nhất 4 ký tự khác nhau."))
    if username and fold(username) in folded:
        problems.append(_("Mật khẩu không được chứa tên đăng nhập."))
    if folded in COMMON:
        problems.append(_("Mật khẩu này quá phổ biến, dễ bị đoán."))
    if not problems and zxcvbn(password[:100], user_inputs=_hints(username, *known))["score"] < MIN_SCORE:
        problems.append(
            _(
                "Mật khẩu dễ đoán (từ thông dụng, dãy phím, tên, ngày tháng hoặc mật khẩu cũ): hãy dùng một câu "
                "dài hơn, ví dụ bốn, năm từ ghép lại."
            )
        )
    return problems
