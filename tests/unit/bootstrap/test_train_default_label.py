"""`train` without --label trains on the outcome target (issue 16 item 4), not the spec's label the README
calls useless: the parser's default, and the label the command really hands to the loader."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from adapters.history.schema import HistoryDataError
from adapters.training.labels import LabelSpec
from bootstrap.__main__ import build_parser
from bootstrap.commands import train
from bootstrap.settings_model import Settings


def parsed(*argv: str) -> argparse.Namespace:
    return build_parser("train").parse_args(["train", *argv])


def test_the_parser_defaults_to_the_outcome_label(sample_klines: Path) -> None:
    assert parsed("--data", str(sample_klines)).label == "outcome"
    assert parsed("--data", str(sample_klines), "--label", "spec").label == "spec"


def test_train_without_label_loads_outcome_labelled_rows(sample_klines: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[LabelSpec] = []

    def loader(paths: Any, spec: LabelSpec, **_: Any) -> Any:  # stands in for the slow load: records, stops
        seen.append(spec)
        raise HistoryDataError("stop here: the label is all this test reads")

    monkeypatch.setattr(train, "load_training_rows", loader)
    args = parsed("--data", str(sample_klines), "--out", str(tmp_path), "--no-progress")
    assert train.run(args, Settings.model_validate({})) == train.EXIT_BAD_DATA
    (spec,) = seen
    assert spec.kind == "outcome" and spec.exit_rules is not None and spec.costs is not None
    assert spec.horizon_bars == spec.exit_rules.timeout_bars  # the bot's own exit policy decides the label
