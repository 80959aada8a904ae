"""Vietnamese text: normalization, accent-insensitive search, and name sorting.

The same name typed with Unikey (telex/VNI) or on a phone can arrive composed or decomposed;
everything stored goes through `clean` (NFC) so that equal names compare equal (docs/domain.md §11).
"""

import unicodedata

# Vietnamese alphabet order (docs/domain.md §11); tones sort after the base letter.
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET, start=10)}
# Combining marks that make a letter (breve, circumflex, horn) versus tone marks.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng


# Control characters no one types (NUL, escape, form feed...): PostgreSQL refuses NUL and XLSX refuses
# them all, so they are dropped at the door. Tabs and line breaks stay. So are the bidirectional
# overrides and isolates (U+202A–U+202E, U+2066–U+2069): Vietnamese never needs them, and they can make
# a name or a reason read differently from what is stored ("Trojan Source").
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_CONTROLS = dict.fromkeys([*(c for c in range(32) if chr(c) not in "\t\n"), 0x7F, *_BIDI])


def clean(text: str | None) -> str:
    """NFC-normalize and trim, drop control characters, and write line breaks as \\n."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROLS)
    return unicodedata.normalize("NFC", text).strip()


def form_text(value):
    """A WTForms filter: clean text; a field the request left out reads as empty text, never None."""
    return clean(value) if value is None or isinstance(value, str) else value


def clean_name(text: str | None) -> str:
    return " ".join(clean(text).split())


def fold(text: str) -> str:
    """Lower case without diacritics: 'Nguyễn Văn Đức' -> 'nguyen van duc'."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _split_letters(word: str):
    """Yield (letter, tone) for each base letter of a word, letters in the Vietnamese alphabet."""
    for ch in unicodedata.normalize("NFC", word.lower()):
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _LETTER_MARKS))
        tone = sum(_TONE_RANK.get(m, 0) for m in marks)
        yield letter, tone


def _encode(words: list[str]) -> tuple[str, str]:
    primary, tones = [], []
    for word in words:
        for letter, tone in _split_letters(word):
            primary.append(f"{_LETTER_RANK.get(letter, 90 + min(ord(letter[0]) % 10, 9)):02d}")
            tones.append(str(tone))
        primary.append("00")  # word boundary sorts before any letter: "An" < "Anh"
    return "".join(primary), "".join(tones)


def name_sort_key(full_name: str) -> str:
    """A key whose plain string order is the order Vietnamese lists use.

    Given name (the last word) first, then the family and middle names, letters by the
    Vietnamese alphabet, tones only breaking ties. Made of digits only, so it sorts the same
    under any database collation.
    """
    words = clean_name(full_name).split()
    if not words:
        return ""
    given, rest = _encode(words[-1:]), _encode(words[:-1])
    return given[0] + "0" + rest[0] + "0" + given[1] + rest[1]
