"""Settings: config/default.yaml, then an optional user YAML, then .env, then environment variables, then
the command line, layered by pydantic-settings (bootstrap/settings_sources.py).

Environment overrides use `CRYPTOSCALPER__SECTION__KEY=value`
(e.g. CRYPTOSCALPER__RISK__MAX_OPEN_POSITIONS=2), plus the spec 9.1 names BINANCE_API_KEY,
BINANCE_API_SECRET, TRADING_MODE and BINANCE_TESTNET.
Any bad value stops start-up with one line naming the key, the value and the rule (SettingsError).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_settings import SettingsError as PydanticSettingsError

from bootstrap.settings_model import Settings
from bootstrap.settings_sources import ENV_PREFIX, SPEC_ENV_NAMES, layered_class

__all__ = ["DEFAULT_CONFIG", "ENV_PREFIX", "SPEC_ENV_NAMES", "SettingsError", "load_settings"]

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "config" / "default.yaml"


class SettingsError(Exception):
    """One clear line: which key, which value, which rule."""


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:  # a folder, no permission, not UTF-8 text
        raise SettingsError(f"config file {path} cannot be read: {exc}") from None
    except yaml.YAMLError as exc:
        raise SettingsError(f"config file {path} is not valid YAML{_where(exc)}: {_problem(exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(f"config file {path} must hold a mapping of sections, got {type(data).__name__}")
    return data


def _where(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _problem(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if problem:
        return f"{context}, {problem}" if context else str(problem)
    return str(error).splitlines()[0]


def _hidden(key: str) -> bool:
    """Values under `binance` (keys, secrets, a misspelt api_kee) and anything secret-like are never shown."""
    secret_like = ("secret", "key", "token", "urls")  # apprise URLs carry their service's token
    return key.split(".", 1)[0] == "binance" or any(word in key for word in secret_like)


def _known_keys(loc: tuple[int | str, ...]) -> list[str]:
    """The keys the model accepts where `loc` points (its last part is the unknown key)."""
    model: type[BaseModel] = Settings
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def _suggestion(loc: tuple[int | str, ...]) -> str:
    close = difflib.get_close_matches(str(loc[-1]), _known_keys(loc), n=1, cutoff=0.6)
    if not close:
        return "check its spelling against config/default.yaml"
    return f"did you mean {'.'.join([*map(str, loc[:-1]), close[0]])}?"


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(root)"
    value = first.get("input")
    shown = "<hidden>" if _hidden(key) else repr(value)
    if first["type"] == "extra_forbidden":
        return f"config error: unknown key {key} (value {shown}); {_suggestion(tuple(first['loc']))}"
    message = first["msg"].removeprefix("Value error, ")
    if not first["loc"]:  # a rule across keys: its message names them
        return f"config error: {message}"
    more = f" (and {len(error.errors()) - 1} more)" if len(error.errors()) > 1 else ""
    return f"config error: {key} = {shown}: {message}{more}"


def load_settings(config_path: Path | None = None, *, environ: Mapping[str, str] | None = None,
                  env_file: Path | None = Path(".env"),
                  overrides: Mapping[str, Any] | None = None) -> Settings:
    """Defaults, then the user's YAML, then .env, then the process environment, then CLI overrides."""
    layers = [_read_yaml(DEFAULT_CONFIG)]
    if config_path is not None:
        layers.append(_read_yaml(config_path))
    try:
        layered = layered_class(layers, environ, env_file)(**dict(overrides or {}))
        return Settings.model_validate(layered.model_dump())
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None
    except PydanticSettingsError as exc:  # a value the environment source could not decode
        raise SettingsError(f"config error: {str(exc).splitlines()[0]}") from None
