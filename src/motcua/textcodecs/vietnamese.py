"""Vietnamese orthography helpers: NFC normalisation, syllable check, plausibility score.

The score is what encoding detection ranks candidate decodings by. It looks only at the
evidence that differs between legacy encodings, i.e. non-ASCII characters:

* every word (run of letters) that contains a non-ASCII letter counts, weighted by its
  length, as *good* if it is a well-formed Vietnamese syllable and *bad* otherwise;
* every other non-ASCII character counts as *bad* unless it is common typography
  (curly quotes, dashes, ellipsis, NBSP, degree sign ...);
* control characters (other than tab, newline, carriage return, form feed), U+FFFD,
  private-use code points and combining marks left over after NFC count as *bad*.

``score = good / (good + bad)``, or 1.0 when there is no evidence at all (pure ASCII).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Combining marks, by role in Vietnamese orthography.
GRAVE, ACUTE, TILDE, HOOK, DOT = "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"
TONE_MARKS = frozenset({GRAVE, ACUTE, TILDE, HOOK, DOT})
SHAPE_MARKS = frozenset({"\u0302", "\u0306", "\u031b"})  # circumflex, breve, horn

_BASE_VOWELS = "aăâeêioôơuưy"
VOWELS = frozenset(_BASE_VOWELS + _BASE_VOWELS.upper())


def _precomposed() -> frozenset[str]:
    letters = set("đĐ")
    for vowel in _BASE_VOWELS:
        for tone in ("", *sorted(TONE_MARKS)):
            composed = unicodedata.normalize("NFC", vowel + tone)
            letters.add(composed)
            letters.add(composed.upper())
    letters -= set("aeiouyAEIOUY")
    return frozenset(letters)


#: The 134 precomposed Vietnamese letters (12 vowels x 5 tones x 2 cases, the 12 toneless
#: ă â ê ô ơ ư / Ă Â Ê Ô Ơ Ư, and đ Đ).
VIETNAMESE_PRECOMPOSED: frozenset[str] = _precomposed()

#: Every letter of written Vietnamese, including the ASCII letters (f j w z appear in loans).
VIETNAMESE_LETTERS: frozenset[str] = VIETNAMESE_PRECOMPOSED | frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)

#: Non-ASCII, non-letter characters that are normal in Vietnamese office documents.
TYPOGRAPHY: frozenset[str] = frozenset(
    "\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u2022\u00b0\u00ba\u2116\u00ab\u00bb\u20ab"
)

_COMBINING_RUN = re.compile(r"[\u0300-\u036f]{2,}")


def _reorder_marks(match: re.Match[str]) -> str:
    # Same canonical class (230) for circumflex/breve and the four upper tone marks, so
    # NFC cannot compose "a + acute + circumflex". Vietnamese always means the vowel
    # shape first, then the tone: put shape marks first (stable within each class).
    marks = match.group()
    return "".join(sorted(marks, key=lambda m: (unicodedata.combining(m), m not in SHAPE_MARKS)))


def normalise_nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC, repairing tone-before-shape mark order first.

    Decomposed input (NFD, "Unicode tổ hợp", Windows-1258 base + combining tone) becomes
    precomposed. Pure-ASCII input is returned unchanged without copying.
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    decomposed = _COMBINING_RUN.sub(_reorder_marks, decomposed)
    return unicodedata.normalize("NFC", decomposed)


# --- syllables ---------------------------------------------------------------------------

_ONSETS = (
    "ngh",
    "ng",
    "nh",
    "ch",
    "gh",
    "gi",
    "kh",
    "ph",
    "th",
    "tr",
    "qu",
    "b",
    "c",
    "d",
    "đ",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "x",
    "kr",
    "bl",
    "gl",
    "pl",  # Central Highlands place names (Krông Pắc, Đắk Glei ...)
)
# Rhymes without a consonant coda.
_OPEN_RHYMES = (
    *("a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"),
    *("ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ui", "ưi"),
    *("ưu", "ưa", "ua", "uơ", "uy", "uê", "oa", "oe"),
    *("iêu", "yêu", "oai", "oay", "oao", "oeo", "uây", "uôi", "ươi", "ươu", "uya", "uyu"),
)
# Nuclei (with optional medial glide) that take a consonant coda.
_CLOSED_NUCLEI = (
    *("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"),  # y: only after qu (quýt, quỳnh)
    *("oa", "oă", "oe", "uâ", "uê", "uy", "iê", "yê", "uô", "ươ", "uyê", "oo"),
)
_CODAS = ("ch", "nh", "ng", "c", "m", "n", "p", "t", "k")  # k: Đắk, Lắk
_STOP_CODAS = frozenset({"ch", "c", "p", "t", "k"})
# The palatal codas ch/nh only follow front vowels (anh/ach count: a is fronted there);
# ng/c never follow i/y.
_PALATAL_NUCLEI = frozenset({"a", "ê", "i", "y", "oa", "uê", "uy"})
_NO_VELAR_NUCLEI = frozenset({"i", "y", "uy"})
_FRONT_VOWELS = frozenset("eêiy")
_FRONT_ONSETS = frozenset({"k", "gh", "ngh"})
_BACK_ONSETS = {"c": _FRONT_VOWELS, "ng": _FRONT_VOWELS, "g": frozenset("eê")}


def _alternation(items: tuple[str, ...]) -> str:
    return "|".join(re.escape(i) for i in sorted(items, key=len, reverse=True))


_SYLLABLE = re.compile(
    rf"(?P<onset>{_alternation(_ONSETS)})?"
    rf"(?:(?P<open>{_alternation(_OPEN_RHYMES)})|(?P<nucleus>{_alternation(_CLOSED_NUCLEI)})(?P<coda>{_alternation(_CODAS)}))"
)
_BASE_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyzăâêôơưđ")
_ACRONYM_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZĐ")


def _tone_positions(vowels: str, closed: bool) -> tuple[int, ...]:
    """Where the tone mark may sit in a vowel cluster (old and new placement styles)."""
    shaped = [i for i, char in enumerate(vowels) if char in "ăâêôơư"]
    if shaped:
        return (shaped[-1],)  # tiến, người, mưa, khuấy
    if closed or len(vowels) == 1:
        return (len(vowels) - 1,)  # hoàn, huýt
    if vowels in ("oa", "oe", "uy"):
        return (0, 1)  # hóa/hoá, thúy/thuý
    if len(vowels) == 3:
        return (1,)  # ngoài, khuỷu
    return (0,)  # mía, múa, máy, núi


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(word: str) -> bool:
    """True if ``word`` (NFC, letters only) is a well-formed written Vietnamese syllable.

    Checks: letters of the Vietnamese alphabet only; lower, UPPER or Title case; at
    most one tone mark, on the vowel that carries it (old or new placement style);
    onset + rhyme drawn from Vietnamese
    orthography; c/k, g/gh, ng/ngh spelling rules; only front vowels before ch/nh; syllables
    closed by p/t/c/ch take only the sắc or nặng tone.
    Upper-case acronyms such as ``HĐND`` are accepted as well.
    """
    if not word:
        return False
    if not (word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())):
        return False
    if word.isupper() and len(word) <= 8 and set(word) <= _ACRONYM_LETTERS:
        return True
    decomposed = unicodedata.normalize("NFD", word.lower())
    tone = None
    tone_index = -1  # index, in the toneless base, of the letter carrying the tone
    previous_base = ""
    base_chars: list[str] = []
    letters = 0
    for char in decomposed:
        if char in TONE_MARKS:
            if tone is not None or previous_base not in VOWELS:
                return False
            tone, tone_index = char, letters - 1
        else:
            base_chars.append(char)
            if not unicodedata.combining(char):
                previous_base = char
                letters += 1
    base = unicodedata.normalize("NFC", "".join(base_chars))
    # After removing tones, shape marks must have composed (ă â ê ô ơ ư) or it's no letter.
    if not set(base) <= _BASE_ALPHABET:
        return False
    match = _SYLLABLE.fullmatch(base)
    if match is None:
        return False
    onset, nucleus, coda = match.group("onset") or "", match.group("nucleus"), match.group("coda")
    if tone is not None and tone_index - len(onset) not in _tone_positions(match.group("open") or nucleus, bool(coda)):
        return False
    rhyme_start = base[len(onset) : len(onset) + 1]
    # Spelling rules: k/gh/ngh before front vowels, c/g/ng elsewhere.
    if onset in _FRONT_ONSETS and rhyme_start not in _FRONT_VOWELS:
        return False
    if onset in _BACK_ONSETS and rhyme_start in _BACK_ONSETS[onset]:
        return False
    if coda in ("ch", "nh") and nucleus not in _PALATAL_NUCLEI:
        return False
    if coda in ("ng", "c") and nucleus in _NO_VELAR_NUCLEI:
        return False
    return not (coda in _STOP_CODAS and tone not in (None, ACUTE, DOT))


# --- plausibility score -------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")


def vietnamese_score(text: str) -> float:
    """Share (0.0-1.0) of the non-ASCII evidence in ``text`` that is valid Vietnamese.

    ``text`` should already be NFC. Pure-ASCII text without control characters scores 1.0.
    """
    good = bad = 0
    for match in _WORD.finditer(text):
        word = match.group()
        if word.isascii():
            continue
        if is_vietnamese_syllable(word):
            good += len(word)
        else:
            bad += len(word)
    for char in text:
        if char.isascii():
            if (char < " " or char == "\x7f") and char not in _ALLOWED_CONTROLS:
                bad += 1
        elif char.isalpha() or char in TYPOGRAPHY:
            continue  # letters were judged by word above
        else:
            bad += 1  # symbols, controls, U+FFFD, private use, orphan combining marks
    total = good + bad
    return 1.0 if total == 0 else good / total


def is_valid_vietnamese_text(text: str, min_score: float = 0.8) -> bool:
    """True if ``text`` looks like valid Vietnamese (``vietnamese_score`` >= ``min_score``).

    The text is normalised to NFC first. Pure ASCII counts as valid: nothing in it
    contradicts Vietnamese.
    """
    return vietnamese_score(normalise_nfc(text)) >= min_score
