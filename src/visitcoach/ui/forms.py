"""Form input checks: each bad value raises one `UserError` naming the field (by its label key)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from visitcoach.ui.common import UserError

#: The largest amount any money field takes (a trillion: beyond any consumer account, below float trouble).
MAX_AMOUNT = Decimal("1000000000000")


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def amount(value: Any, field: str, required: bool = False) -> Decimal | None:
    """A non-negative amount with at most two decimals ("1,200.50" is fine), or None when blank."""
    if blank(value):
        if required:
            raise UserError("err.required", field=field)
        return None
    text = str(value).replace(",", "").replace("，", "").strip()
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise UserError("err.amount", field=field, value=str(value)[:40]) from None
    if not number.is_finite():
        raise UserError("err.amount", field=field, value=str(value)[:40])
    if number < 0:
        raise UserError("err.negative", field=field, value=str(value)[:40])
    if number > MAX_AMOUNT:
        raise UserError("err.too_big", field=field, value=str(value)[:40], max=f"{MAX_AMOUNT:,}")
    if number != number.quantize(Decimal("0.01")):
        raise UserError("err.decimals", field=field, value=str(value)[:40])
    return number.quantize(Decimal("0.01"))


def whole(value: Any, field: str, lo: int, hi: int, required: bool = False) -> int | None:
    if blank(value):
        if required:
            raise UserError("err.required", field=field)
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise UserError("err.whole", field=field, value=str(value)[:40], min=lo, max=f"{hi:,}") from None
    if not number.is_finite() or number != number.to_integral_value() or not lo <= number <= hi:
        raise UserError("err.whole", field=field, value=str(value)[:40], min=lo, max=f"{hi:,}")
    return int(number)


def rate(value: Any, field: str) -> Decimal | None:
    if blank(value):
        return None
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise UserError("err.rate", field=field, value=str(value)[:40]) from None
    if str(value).strip().endswith("%"):
        number = number / 100
    if not number.is_finite() or not 0 <= number <= 1:
        raise UserError("err.rate", field=field, value=str(value)[:40])
    return number


def local_datetime(value: Any, field: str, not_before: dt.date | None = None) -> dt.datetime | None:
    """A local date-time like 2027-03-01T09:00 (a space works too), or None when blank."""
    if blank(value):
        return None
    text = str(value).strip()
    try:
        when = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        raise UserError("err.datetime", field=field, value=text[:40]) from None
    if when.tzinfo is not None:
        when = when.replace(tzinfo=None)
    if not_before is not None and when.date() < not_before:
        raise UserError("err.past", field=field, value=text[:40])
    return when


def day(value: Any, field: str, not_before: dt.date | None = None) -> dt.date | None:
    if blank(value):
        return None
    text = str(value).strip()
    try:
        d = dt.date.fromisoformat(text)
    except ValueError:
        raise UserError("err.date", field=field, value=text[:40]) from None
    if not_before is not None and d < not_before:
        raise UserError("err.past", field=field, value=text)
    return d


def upload(path: Any, types: tuple[str, ...]) -> Path | None:
    """An uploaded file's path, or None; a wrong extension is a message naming the allowed ones."""
    if blank(path):
        return None
    file = Path(str(path))
    if file.suffix.lower() not in types:
        raise UserError("err.file_type", name=file.name, types=", ".join(types))
    return file
