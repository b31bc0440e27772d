"""Record an edge report's summary in a model card (`report edge --record-in-card`), so the card says
what the model earns out of time, not only its AUC. The pair must be intact before (an edited card is not
re-sealed) and is sealed again after (model_checksums.py), so the graph is never touched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.onnx.card import ModelCard, card_path_for
from adapters.onnx.model_checksums import seal_model, verify_sealed


def record_in_card(onnx_path: Path, summary: dict[str, Any]) -> Path:
    verify_sealed(onnx_path)
    path = card_path_for(onnx_path)
    card = ModelCard.read(path).model_copy(update={"edge_report": summary})
    card.write(path)
    seal_model(onnx_path)
    return path
