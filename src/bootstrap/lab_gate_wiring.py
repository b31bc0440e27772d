"""The lab's gate at start-up (issue 16 item 4): judge the loaded model's card against research.gate.*.

Paper and live only (a backtest is research: it replays what the card's own EV gate allows), and only
while the EV gate is on: `signal.ev_gate_enabled: false` or paper's `--ignore-edge-gate` turn both off,
and live refuses the flag. (The config switch stays for rehearsals of live against the local venue,
scripts/chaos_venue.py: it is the same switch that already turns the card's own gate off.) The verdict
is said once at start, and the loop refuses every signal with it.
"""

from __future__ import annotations

from loguru import logger

from adapters.onnx.card import ModelCard
from adapters.onnx.card_gate import card_gate_verdict, describe
from bootstrap import research_mapping
from bootstrap.settings_model import Settings


def lab_gate_closed(settings: Settings, model: object) -> str | None:
    """Why the lab keeps this model from trading, or None when its evidence passes (or the gate is off)."""
    if not settings.signal.ev_gate_enabled:
        return None
    card = getattr(model, "card", None)
    if not isinstance(card, ModelCard):  # a stand-in model without a card (tests): nothing to judge
        return None
    verdict = card_gate_verdict(card, research_mapping.lab_gate_thresholds(settings))
    line = describe(card, verdict)
    if verdict.open:
        logger.info(line)
        return None
    logger.warning("{} (the bot scores signals but enters none)", line)
    return f"lab gate closed: {verdict.reason}"
