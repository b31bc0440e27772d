"""Record an edge report's summary in a model card (`report edge --record-in-card`), so the card says
what the model earns out of time, not only its AUC. The card's sha256 covers the .onnx file only, so the
card can be rewritten without touching the graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.onnx.card import ModelCard, card_path_for


def record_in_card(onnx_path: Path, summary: dict[str, Any]) -> Path:
    path = card_path_for(onnx_path)
    card = ModelCard.read(path).model_copy(update={"edge_report": summary})
    card.write(path)
    return path
