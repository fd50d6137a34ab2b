"""Spotting data that identifies a person, by column heading and by value, so that it is refused."""
from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Headings that name identifying data; matched on the heading folded to lower-case letters and digits.
IDENTIFYING_HEADINGS = {
    "a name": r"^(child|young ?person|person|mother|father|parent|carer)?(first|fore|given|last|family|sur|full|middle|pref(erred)?)?names?$|^surname$|^forename$",
    "a date of birth": r"(^|[^a-z])(dob|d ?o ?b|date ?of ?birth|birth ?date|birthday)($|[^a-z])",
    "an NHS number": r"nhs|chi ?number",
    "a full postcode": r"post ?code|zip ?code",
    "an address": r"address|street|house ?(number|name)|^addr",
    "a phone number": r"phone|mobile|telephone|^tel$|contact ?number",
    "an email address": r"e ?mail",
    "a national insurance number": r"national ?insurance|^nino$|^ni ?number$",
    "a unique pupil number": r"^upn$|unique ?pupil",
}

EMAIL = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
FULL_POSTCODE = r"(?i)\b(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2})\b"
PHONE = r"(^|[^0-9])(\+44 ?\(?0?\)? ?|0)(7[0-9]{3}|[1-9][0-9]{2,4}) ?[0-9]{3} ?[0-9]{3,4}($|[^0-9])"
STREET_ADDRESS = (r"(?i)\b[0-9]{1,4}[a-z]? ,?[a-z' ]{2,40} (street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|"
                  r"crescent|court|ct|place|pl|terrace|grove|gardens|square|walk|mews|row|hill|park)\b")
NHS_CANDIDATE = r"(^|[^0-9])([0-9]{3} ?[0-9]{3} ?[0-9]{4})($|[^0-9])"
DATE_VALUE = r"^\s*([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4})\s*$"
PERSON_NAME = r"^[A-Z][a-z]+(-[A-Z][a-z]+)? [A-Z][a-z]+(['-][A-Z]?[a-z]+)?$"

VALUE_PATTERNS = {
    "an email address": EMAIL,
    "a full postcode": FULL_POSTCODE,
    "a street address": STREET_ADDRESS,
    "a phone number": PHONE,
    "a person's name": PERSON_NAME,
    "a full date (a date of birth?)": DATE_VALUE,
}
NHS_NUMBER = "a valid NHS number"
# Pseudonymous ids may be long digit strings, so only NHS numbers, emails and postcodes are sought in them.
ID_KINDS = ("an email address", "a full postcode", NHS_NUMBER)
TEXT_KINDS = ("an email address", "a full postcode", "a street address", "a phone number", NHS_NUMBER)
ANY_KINDS = (*VALUE_PATTERNS, NHS_NUMBER)


def identifying_heading(heading: str) -> str | None:
    """What kind of identifying data a column heading names, if any."""
    folded = re.sub(r"[^a-z0-9 ]", " ", heading.lower()).strip()
    folded = re.sub(r"\s+", " ", folded)
    squeezed = folded.replace(" ", "")
    for kind, pattern in IDENTIFYING_HEADINGS.items():
        if re.search(pattern, folded) or re.search(pattern, squeezed):
            return kind
    return None


def nhs_check_digit_valid(number: str) -> bool:
    """NHS numbers end in a modulus-11 check digit; most random 10-digit strings fail it."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) != 10:
        return False
    remainder = sum(d * w for d, w in zip(digits[:9], range(10, 1, -1))) % 11
    check = 11 - remainder
    if check == 11:
        check = 0
    return check != 10 and check == digits[9]


def identifying_values(cells: pa.ChunkedArray, kinds: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Row indexes whose value looks identifying, by kind of identifier sought."""
    found = {}
    for kind in kinds:
        pattern = NHS_CANDIDATE if kind == NHS_NUMBER else VALUE_PATTERNS[kind]
        hits = np.flatnonzero(pc.match_substring_regex(cells, pattern).to_numpy(zero_copy_only=False))
        if kind == NHS_NUMBER and hits.size:
            values = cells.take(pa.array(hits)).to_pylist()
            hits = np.array([row for row, value in zip(hits, values)
                             if any(nhs_check_digit_valid(m.group(2)) for m in re.finditer(NHS_CANDIDATE, value))],
                            dtype=np.int64)
        if hits.size:
            found[kind] = hits
    return found


def mask(value: str) -> str:
    """Show the shape of an identifying value without repeating it."""
    return re.sub(r"[A-Za-z]", "x", re.sub(r"[0-9]", "9", value))[:30]
