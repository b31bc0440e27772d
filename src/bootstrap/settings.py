"""Settings: config/default.yaml, then an optional user YAML, then environment variables and .env.

Environment overrides use `CRYPTOSCALPER__SECTION__KEY=value`
(e.g. CRYPTOSCALPER__RISK__MAX_OPEN_POSITIONS=2), plus the spec 9.1 names BINANCE_API_KEY,
BINANCE_API_SECRET, TRADING_MODE and BINANCE_TESTNET.
Any bad value stops start-up with one line naming the key, the value and the rule (SettingsError).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from dotenv import dotenv_values
from pydantic import ValidationError

from bootstrap.settings_model import Settings

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "config" / "default.yaml"
ENV_PREFIX = "CRYPTOSCALPER__"
SPEC_ENV_NAMES = {
    "BINANCE_API_KEY": ("binance", "api_key"),
    "BINANCE_API_SECRET": ("binance", "api_secret"),
    "BINANCE_TESTNET_API_KEY": ("binance", "testnet_api_key"),
    "BINANCE_TESTNET_API_SECRET": ("binance", "testnet_api_secret"),
    "TRADING_MODE": ("trading", "mode"),
    "BINANCE_TESTNET": ("binance", "testnet"),
    "CRYPTOSCALPER_CONSOLE_TOKEN": ("console", "token"),
    "TELEGRAM_BOT_TOKEN": ("console", "telegram", "token"),
}


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
        raise SettingsError(f"config file {path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(f"config file {path} must hold a mapping of sections, got {type(data).__name__}")
    return data


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _set_path(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = target
    for part in path[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise SettingsError(f"environment override for {'.'.join(path)}: {part} is not a section")
    node[path[-1]] = value


def _typed(value: str) -> Any:
    """YAML parsing gives env strings their natural type ("2" -> 2, "true" -> True); a string YAML
    cannot parse ("[", "a: b: c") stays a string, and the model then names the key that rejects it."""
    if not value:
        return value
    try:
        return yaml.safe_load(value)
    except yaml.YAMLError:
        return value


def _environment_overrides(environ: Mapping[str, str | None]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for name, value in environ.items():
        if value is None:
            continue
        if name in SPEC_ENV_NAMES:
            _set_path(overrides, SPEC_ENV_NAMES[name], value)
        elif name.startswith(ENV_PREFIX):
            path = tuple(part.lower() for part in name[len(ENV_PREFIX):].split("__") if part)
            if path:
                _set_path(overrides, path, _typed(value))
    return overrides


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(root)"
    value = first.get("input")
    shown = "<hidden>" if any(word in key for word in ("secret", "api_key", "token", "urls")) else repr(value)
    if first["type"] == "extra_forbidden":
        return (f"config error: unknown key {key} (value {shown}); "
                "check its spelling against config/default.yaml")
    message = first["msg"].removeprefix("Value error, ")
    if not first["loc"]:  # a rule across keys: its message names them
        return f"config error: {message}"
    more = f" (and {len(error.errors()) - 1} more)" if len(error.errors()) > 1 else ""
    return f"config error: {key} = {shown}: {message}{more}"


def load_settings(config_path: Path | None = None, *, environ: Mapping[str, str] | None = None,
                  env_file: Path | None = Path(".env"),
                  overrides: Mapping[str, Any] | None = None) -> Settings:
    """Defaults, then the user's YAML, then .env, then the process environment, then CLI overrides."""
    data = _read_yaml(DEFAULT_CONFIG)
    if config_path is not None:
        data = _merge(data, _read_yaml(config_path))
    if env_file is not None and env_file.is_file():
        data = _merge(data, _environment_overrides(dotenv_values(env_file)))
    data = _merge(data, _environment_overrides(os.environ if environ is None else environ))
    if overrides:
        data = _merge(data, overrides)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None
