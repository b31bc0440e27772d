"""The settings layers, as pydantic-settings sources (highest priority first):

1. the command line's overrides (init arguments),
2. the process environment: `CRYPTOSCALPER__SECTION__KEY=value` and the spec 9.1 names
   (BINANCE_API_KEY, BINANCE_API_SECRET, BINANCE_TESTNET_API_KEY/SECRET, TRADING_MODE, BINANCE_TESTNET),
3. the same names from `.env`,
4. the user's YAML (--config), 5. config/default.yaml.

Sections merge key by key (pydantic-settings deep-merges the sources). Environment values are read as
YAML scalars or flow collections (`2`, `false`, `[BTCUSDT, ETHUSDT]`), as in the config file.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from dotenv import dotenv_values
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from bootstrap.settings_model import Settings

ENV_PREFIX = "CRYPTOSCALPER__"
SPEC_ENV_NAMES: dict[str, tuple[str, ...]] = {
    "BINANCE_API_KEY": ("binance", "api_key"),
    "BINANCE_API_SECRET": ("binance", "api_secret"),
    "BINANCE_TESTNET_API_KEY": ("binance", "testnet_api_key"),
    "BINANCE_TESTNET_API_SECRET": ("binance", "testnet_api_secret"),
    "TRADING_MODE": ("trading", "mode"),
    "BINANCE_TESTNET": ("binance", "testnet"),
    "CRYPTOSCALPER_CONSOLE_TOKEN": ("console", "token"),
    "TELEGRAM_BOT_TOKEN": ("console", "telegram", "token"),
}


def _yaml_value(value: Any) -> Any:
    """"2" -> 2, "[A, B]" -> ["A", "B"]; what YAML cannot parse stays a string for the model to name."""
    if not isinstance(value, str) or not value:
        return value
    try:
        return yaml.safe_load(value)
    except yaml.YAMLError:
        return value


def _typed_tree(value: Any, key: str = "") -> Any:
    """Every leaf typed as YAML, except secrets: an API key of digits stays the string it is."""
    if isinstance(value, dict):
        return {name: _typed_tree(item, name) for name, item in value.items()}
    return value if "key" in key or "secret" in key else _yaml_value(value)


class _YamlValues(EnvSettingsSource):
    def decode_complex_value(self, field_name: str, field: FieldInfo, value: Any) -> Any:
        return _yaml_value(value)

    def explode_env_vars(self, field_name: str, field: FieldInfo,
                         env_vars: Mapping[str, str | None]) -> dict[str, Any]:
        typed: dict[str, Any] = _typed_tree(super().explode_env_vars(field_name, field, env_vars))
        return typed


class EnvironmentSource(_YamlValues):
    """CRYPTOSCALPER__* from a given mapping (the process environment by default)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str] | None) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        found = super()._load_env_vars() if self._environ is None else \
            {name.lower(): value for name, value in self._environ.items()}
        prefix = ENV_PREFIX.lower()
        for name in found:  # a misspelt section would otherwise be ignored without a word
            section = name[len(prefix):].split("__", 1)[0] if name.startswith(prefix) else None
            if section is not None and section not in Settings.model_fields:
                close = difflib.get_close_matches(section, list(Settings.model_fields), n=1)
                hint = f"; did you mean {ENV_PREFIX}{close[0].upper()}__...?" if close else ""
                raise SettingsError(f"unknown section {section} in the environment variable "
                                    f"{name.upper()}{hint}")
        return found


class DotEnvSource(DotEnvSettingsSource, _YamlValues):
    """CRYPTOSCALPER__* from `.env` (its spec names are read by SpecNamesSource)."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        prefix = ENV_PREFIX.lower()
        return {name: value for name, value in super()._load_env_vars().items() if name.startswith(prefix)}


class SpecNamesSource(PydanticBaseSettingsSource):
    """The spec 9.1 names (BINANCE_API_KEY, ...), from a mapping of environment variables."""

    def __init__(self, settings_cls: type[BaseSettings], variables: Mapping[str, str | None]) -> None:
        super().__init__(settings_cls)
        self._variables = variables

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything is given at once by __call__

    def __call__(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, path in SPEC_ENV_NAMES.items():
            value = self._variables.get(name)
            if value is not None:
                node = out
                for part in path[:-1]:  # a section, or a section's sub-section (console.telegram.token)
                    node = node.setdefault(part, {})
                node[path[-1]] = value
        return out


class YamlLayer(InitSettingsSource):
    """One YAML file's mapping, already read (settings.py reads it, to report its errors in one line)."""

    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]) -> None:
        super().__init__(settings_cls, data)


class LayeredSettings(BaseSettings, Settings):
    """Settings read from the layers above; `load_settings` turns it into a plain Settings."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_nested_delimiter="__", case_sensitive=False,
                                      extra="forbid", frozen=True, allow_inf_nan=False)


def layered_class(yaml_layers: list[dict[str, Any]], environ: Mapping[str, str] | None,
                  env_file: Path | None) -> type[LayeredSettings]:
    """A LayeredSettings whose sources are these YAML layers (lowest first), this environment and .env."""
    dotenv: Mapping[str, str | None] = dotenv_values(env_file) if env_file is not None and \
        env_file.is_file() else {}
    process: Mapping[str, str | None] = os.environ if environ is None else environ

    class Layers(LayeredSettings):
        @classmethod
        def settings_customise_sources(cls, settings_cls: type[BaseSettings],
                                       init_settings: PydanticBaseSettingsSource,
                                       env_settings: PydanticBaseSettingsSource,
                                       dotenv_settings: PydanticBaseSettingsSource,
                                       file_secret_settings: PydanticBaseSettingsSource,
                                       ) -> tuple[PydanticBaseSettingsSource, ...]:
            files = [YamlLayer(settings_cls, layer) for layer in reversed(yaml_layers)]
            dotenv_source = [DotEnvSource(settings_cls, env_file=env_file)] if dotenv else []
            environment = EnvironmentSource(settings_cls, environ)
            return (init_settings, environment, SpecNamesSource(settings_cls, process), *dotenv_source,
                    SpecNamesSource(settings_cls, dotenv), *files)

    return Layers
