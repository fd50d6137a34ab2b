"""Spotting data that identifies a person, by column heading and by value, so that it is refused.

Values are matched in any spelling: full-width digits, no-break and other Unicode spaces, Unicode dashes and
invisible characters are normalised first (NFKC), and the separators people put inside postcodes, phone numbers
and NHS numbers (spaces, hyphens, dots, brackets) are allowed between their parts. A vectorised regex finds the
candidates; the phonenumbers and nhs-number libraries confirm phone and NHS numbers one candidate at a time.
"""
from __future__ import annotations

import re
import unicodedata

import nhs_number
import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

# Headings that name identifying data, matched on the heading folded to lower-case words (apostrophes dropped,
# every other mark a space): "Child's name" is "childs name", "Surname/Family name" is "surname family name".
# Each is also tried with its spaces removed ("FirstName", "first_name" and "first name" are one heading).
IDENTIFYING_HEADINGS = {
    "a name": r"\b(first|fore|given|last|family|sur|full|middle|maiden|preferred|pref|legal|nick)? ?names?\b"
              r"|\b(surname|forename|alias|aka|initials)\b|^known as\b"
              r"|^(childs?|youngpersons?|persons?|mothers?|fathers?|parents?|carers?)(first|fore|given|last|family|sur|"
              r"full|middle)?names?$",
    "a date of birth": r"\b(dob|d o b|date of birth|birth ?date|birthday|born|(day|month|year) of birth)\b",
    "an NHS number": r"\bnhs\b|\bchi (no|num|number)\b|nhsno|nhsnumber",
    "a full postcode": r"\bpost ?codes?\b|\bpostal code\b|\bzip ?code\b",
    "an email address": r"\be ?mails?\b",
    "an address": r"\baddress(es)?\b|\bstreet\b|\bhouse (no|number|name)\b|\baddr\b",
    "a phone number": r"\b(tele)?phone\b|\bmobile\b|\bmob\b|\btel\b"
                      r"|\b(contact|tel|phone|mob|mobile) ?(no|num|number|nbr|details)\b",
    "a national insurance number": r"\bnational insurance\b|^nino$|\bni (no|num|number)\b",
    "a unique pupil number": r"\bupn\b|\bunique pupil\b|\buln\b|\bunique learner\b",
}
# Names of things, not people: "Team name" or "School name" is not refused as a name.
NOT_A_PERSON = (r"\b(area|team|locality|district|ward|borough|agency|organisation|organization|school|service|file|"
                r"sheet|setting|provider|place|unit|site|project|scheme|programme|authority|region|local authority|la)"
                r" names?\b")

EMAIL = r"[A-Za-z0-9._%+'-]+ ?@ ?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
FULL_POSTCODE = r"(?i)(^|[^a-z0-9])(GIR[ .-]*0AA|[A-Z]{1,2}[0-9][A-Z0-9]?[ .-]*[0-9][ABD-HJLNP-UW-Z]{2})($|[^a-z0-9])"
# A run of at least ten digits (or '+' and eight) starting like a UK number, with separators allowed between them.
PHONE_CANDIDATE = r"(^|[^0-9])(\+ ?[0-9]|\(? ?0)([ ().\-/]*[0-9]){8,}"
STREET_ADDRESS = (r"(?i)\b[0-9]{1,4}[a-z]? ,?[a-z' ]{2,40} (street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|"
                  r"crescent|court|ct|place|pl|terrace|grove|gardens|square|walk|mews|row|hill|park)\b")
NHS_CANDIDATE = r"(^|[^0-9])([0-9]{3}[ .-]*[0-9]{3}[ .-]*[0-9]{4})($|[^0-9])"
DATE_VALUE = (r"(?i)^\s*([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}|"
              r"[0-9]{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* [0-9]{4})"
              r"([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?( ?[ap]m)?Z?)?\s*$")
PERSON_NAME = r"^[A-Z][a-z]+(-[A-Z][a-z]+)? [A-Z][a-z]+(['-][A-Z]?[a-z]+)?$"

VALUE_PATTERNS = {
    "an email address": EMAIL,
    "a full postcode": FULL_POSTCODE,
    "a street address": STREET_ADDRESS,
    "a phone number": PHONE_CANDIDATE,
    "a person's name": PERSON_NAME,
    "a full date (a date of birth?)": DATE_VALUE,
}
NHS_NUMBER = "a valid NHS number"
PHONE_NUMBER = "a phone number"
# Every text column is searched for these, ids included; unknown columns also for names and full dates.
TEXT_KINDS = ("an email address", "a full postcode", "a street address", PHONE_NUMBER, NHS_NUMBER)
ID_KINDS = ("an email address", "a full postcode", PHONE_NUMBER, NHS_NUMBER)
ANY_KINDS = (*VALUE_PATTERNS, NHS_NUMBER)
# Masked wherever they appear in a message, whichever rule it reports; a value shown is also masked if it looks
# like a person's name (a heading or a file name is not: "Child name" is the heading refused, shown as it is).
MASKED_KINDS = ("an email address", "a full postcode", PHONE_NUMBER, NHS_NUMBER, "a street address")
VALUE_MASKED_KINDS = (*MASKED_KINDS, "a person's name")

DASHES = "[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]"
# Zero-width and bidirectional control characters: invisible, yet they make two spellings of one value.
INVISIBLE = "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
# Control characters (NUL and the rest, but tab and line breaks) that no text of an extract holds.
CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def fold_heading(heading: str) -> str:
    """A heading as lower-case words: NFKC, apostrophes dropped, every other mark a space."""
    text = unicodedata.normalize("NFKC", str(heading)).lower()
    text = re.sub(INVISIBLE, "", text)
    text = re.sub(r"['\u2019`]", "", text)
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9]", " ", text)).strip()


def identifying_heading(heading: str) -> str | None:
    """What kind of identifying data a column heading names, if any."""
    folded = fold_heading(heading)
    for kind, pattern in IDENTIFYING_HEADINGS.items():
        if kind == "a name" and re.search(NOT_A_PERSON, folded):
            continue
        if re.search(pattern, folded) or re.search(pattern, folded.replace(" ", "")):
            return kind
    return None


def nhs_check_digit_valid(number: str) -> bool:
    """NHS numbers end in a modulus-11 check digit; most random 10-digit strings fail it."""
    return nhs_number.is_valid(re.sub(r"[^0-9]", "", number))


def searchable(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Values as the patterns expect them: only non-ASCII values change (NFKC, one kind of dash, plain spaces,
    no invisible characters), so a column of plain ASCII costs one quick test."""
    if pc.all(pc.string_is_ascii(values)).as_py() is not False:
        return values
    normal = pc.utf8_normalize(values, "NFKC")
    normal = pc.replace_substring_regex(normal, INVISIBLE, "")
    normal = pc.replace_substring_regex(normal, DASHES, "-")
    return pc.replace_substring_regex(normal, r"\s+", " ")


def searchable_text(value: str) -> str:
    """searchable() for one Python string."""
    text = re.sub(INVISIBLE, "", unicodedata.normalize("NFKC", value))
    return re.sub(r"\s+", " ", re.sub(DASHES, "-", text))


def _is_phone(text: str) -> bool:
    """A UK number in any format (or an international one with its '+'), as libphonenumber reads it."""
    for match in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE):
        digits = len(phonenumbers.national_significant_number(match.number))
        if match.number.country_code != 44 or 9 <= digits <= 10:
            return True
    return False


def _has_nhs_number(text: str) -> bool:
    return any(nhs_check_digit_valid(m.group(2)) for m in re.finditer(NHS_CANDIDATE, text))


CONFIRM = {PHONE_NUMBER: _is_phone, NHS_NUMBER: _has_nhs_number}


def _pattern(kind: str) -> str:
    return NHS_CANDIDATE if kind == NHS_NUMBER else VALUE_PATTERNS[kind]


def screen(kinds: tuple[str, ...]) -> str:
    """One regex for every kind at once: a column where it finds nothing is not scanned kind by kind."""
    return "|".join(f"(?:{_pattern(kind)})" for kind in kinds)


def identifying_values(cells: pa.Array | pa.ChunkedArray, kinds: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Row indexes whose value looks identifying, by kind of identifier sought."""
    text = searchable(cells)
    found = {}
    for kind in kinds:
        hits = np.flatnonzero(pc.match_substring_regex(text, _pattern(kind)).to_numpy(zero_copy_only=False))
        if kind in CONFIRM and hits.size:
            values = text.take(pa.array(hits)).to_pylist()
            hits = np.array([row for row, value in zip(hits, values) if CONFIRM[kind](value)], dtype=np.int64)
        if hits.size:
            found[kind] = hits
    return found


def identifying_kind(value: str, kinds: tuple[str, ...] = MASKED_KINDS) -> str | None:
    """The first kind of identifying data one value looks like, if any (for messages: one value at a time)."""
    text = searchable_text(value)
    for kind in kinds:
        if re.search(_pattern(kind), text) and (kind not in CONFIRM or CONFIRM[kind](text)):
            return kind
    return None


def mask(value: str) -> str:
    """Show the shape of an identifying value without repeating it."""
    return re.sub(r"[^\W\d_]", "x", re.sub(r"\d", "9", plain(searchable_text(value))))[:30]


def plain(text: str) -> str:
    """Text safe to show as it is: control and invisible characters shown as \ufffd, line breaks as spaces."""
    return re.sub(f"{CONTROL}|{INVISIBLE}", "\ufffd", re.sub(r"[\t\r\n]+", " ", text))


def masked(text: str | None, kinds: tuple[str, ...] = MASKED_KINDS) -> str | None:
    """A value, heading or file name shown to a user: masked whole if it looks identifying."""
    if not text:
        return text
    return mask(text) if identifying_kind(text, kinds) is not None else plain(text)


def masked_within(message: str) -> str:
    """A sentence shown to a user with each identifying part masked and the rest as it was."""
    text = plain(searchable_text(message))
    for kind in MASKED_KINDS:
        text = re.sub(_pattern(kind), lambda match: _masked_match(kind, match), text)
    return text


def _masked_match(kind: str, match: re.Match) -> str:
    """The match with its identifying part masked; the characters either side that bound it are kept."""
    if kind in (NHS_NUMBER, "a full postcode"):
        start, end = match.span(2)
    elif kind == PHONE_NUMBER:
        start, end = match.end(1), match.end()
    else:
        start, end = match.span()
    found = match.group(0)[start - match.start():end - match.start()]
    if kind in CONFIRM and not CONFIRM[kind](found):
        return match.group(0)
    return match.group(0)[:start - match.start()] + mask(found) + match.group(0)[end - match.start():]
