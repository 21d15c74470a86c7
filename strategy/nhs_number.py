"""NHS numbers: ten digits, the last a modulus 11 check digit (NHS Data Dictionary,
"NHS Number"). Stored as the ten digits; shown in the 3-3-4 groups people read them in."""

from django.core.exceptions import ValidationError

WEIGHTS = range(10, 1, -1)


def nhs_number_clean(value: str) -> str:
    """The ten digits of a typed NHS number, spaces and hyphens allowed; else ValidationError
    with a message that says what is wrong."""
    digits = "".join(ch for ch in value if ch not in " -")
    if not digits.isdigit() or len(digits) != 10:
        raise ValidationError("Enter the NHS number as 10 digits, like 943 476 5919")
    remainder = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=False)) % 11
    check = (11 - remainder) % 11
    if check == 10 or check != int(digits[9]):
        raise ValidationError("Enter a real NHS number: check the digits, one may be mistyped")
    return digits


def nhs_number_text(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits
