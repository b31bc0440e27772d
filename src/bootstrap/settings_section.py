"""The base of every settings section: unknown keys, infinities, NaN and booleans for numbers refused."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


class Section(BaseModel):
    # allow_inf_nan=False: `.inf` or `.nan` in any float setting is refused at load with its key named
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        """pydantic reads `true` as 1 for a number: `max_position_pct: true` would mean 100% of capital."""
        field = cls.model_fields.get(info.field_name or "")
        if isinstance(value, bool) and field is not None and field.annotation in (int, float):
            raise ValueError(f"expected a number, got the boolean {value}")
        return value
