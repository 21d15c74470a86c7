"""Reading GP practices from the NHS Organisation Data Service's `epraccur` extract.

The file is CSV without a header row, one practice a line, in the columns the ODS
specification gives: 1 organisation code, 2 name, 3 national grouping, 4 high level health
geography, 5 to 9 address lines, 10 postcode, 11 open date, 12 close date, 13 status code
(A active, C closed, P proposed), 14 organisation sub-type, 15 commissioner, 16 and 17 join
and leave provider dates, 18 contact telephone number, ... 26 prescribing setting (4 is a GP
practice), 27 in all. Only what the directory keeps is read: code, name, status and phone.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

ODS_CODE = re.compile(r"^[A-Z0-9]{3,6}$")
FIRST_COLUMNS = 13  # up to the status code: a shorter line cannot be read
NAME, STATUS, PHONE, PRESCRIBING_SETTING = 1, 12, 17, 25
ADDRESS_LINES, POSTCODE = range(4, 9), 9
GP_PRACTICE_SETTING = "4"
ACTIVE, CLOSED, PROPOSED = "A", "C", "P"
# Words the extract writes in capitals that stay in capitals when a name is made readable.
KEPT_CAPITALS = frozenset({"NHS", "GP", "PCN", "UK", "HMP", "II", "III"})


@dataclass(frozen=True)
class Practice:
    line: int
    ods_code: str
    name: str
    phone: str
    is_closed: bool
    address: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class Skipped:
    line: int
    ods_code: str
    reason: str

    def __str__(self) -> str:
        code = f" {self.ods_code}" if self.ods_code else ""
        return f"line {self.line}{code}: {self.reason}"


def readable_name(name: str) -> str:
    """'RIVERSIDE MEDICAL CENTRE' as 'Riverside Medical Centre'; a mixed-case name as it is."""
    name = " ".join(name.split())
    if not name.isupper():
        return name
    return " ".join(
        word if word in KEPT_CAPITALS else "-".join(p.capitalize() for p in word.split("-"))
        for word in name.split(" ")
    )


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def epraccur_read(lines: Iterable[str]) -> Iterator[Practice | Skipped]:
    """Each line as a practice, or as skipped with the reason why."""
    for number, row in enumerate(csv.reader(lines), start=1):
        if not any(cell.strip() for cell in row):
            continue
        code = _cell(row, 0).upper()
        if len(row) < FIRST_COLUMNS:
            yield Skipped(number, code, f"only {len(row)} columns, expected 27")
            continue
        if not code:
            yield Skipped(number, "", "no organisation code")
            continue
        if not ODS_CODE.match(code):
            yield Skipped(number, code, "the organisation code is not 3 to 6 letters and numbers")
            continue
        setting = _cell(row, PRESCRIBING_SETTING)
        if setting and setting != GP_PRACTICE_SETTING:
            yield Skipped(number, code, f"not a GP practice (prescribing setting {setting})")
            continue
        name = readable_name(_cell(row, NAME))
        if not name:
            yield Skipped(number, code, "no name")
            continue
        status = _cell(row, STATUS).upper()
        if status == PROPOSED:
            yield Skipped(number, code, "proposed, not yet open")
            continue
        if status not in (ACTIVE, CLOSED):
            yield Skipped(number, code, f"unknown status code {status or '(blank)'}")
            continue
        yield Practice(
            line=number,
            ods_code=code,
            name=name[:200],
            phone=_cell(row, PHONE)[:40],
            is_closed=status == CLOSED,
            address="\n".join(
                readable_name(line) for i in ADDRESS_LINES if (line := _cell(row, i))
            ),
            postcode=" ".join(_cell(row, POSTCODE).upper().split())[:10],
        )
