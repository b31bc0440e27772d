"""LightGBM -> one ONNX graph: input "features" (float32, n x F), outputs "probabilities" (n x 2, raw
classifier probabilities, zipmap off) and, when a regressor is given, "move_pct" (n x 1).

Both boosters are converted with onnxmltools' LightGBM converter, then merged into one graph so the
serving adapter pays one session call per scan. Calibration stays in the card (see card.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import lightgbm as lgb
import numpy as np
import onnx
from onnx import helper
from onnxmltools import convert_lightgbm
from onnxmltools.convert.common.data_types import FloatTensorType

INPUT_NAME = "features"
PROBABILITY_OUTPUT = "probabilities"
MOVE_OUTPUT = "move_pct"
TARGET_OPSET = 15


def _floor_float32(threshold: float) -> float:
    """The largest float32 <= threshold: for every float32 x, x <= t  <=>  x <= _floor_float32(t)."""
    value = np.float32(threshold)
    if float(value) > threshold:
        value = np.nextafter(value, np.float32(-np.inf), dtype=np.float32)
    return float(value)


def _tree_block(block: str) -> str:
    lines = block.split("\n")
    kinds = next((line.split("=", 1)[1].split() for line in lines if line.startswith("decision_type=")), [])
    for i, line in enumerate(lines):
        if line.startswith("threshold="):
            values = line.split("=", 1)[1].split()
            lines[i] = "threshold=" + " ".join(
                value if int(kinds[j]) & 1 else repr(_floor_float32(float(value)))  # bit 0: categorical
                for j, value in enumerate(values))
    return "\n".join(lines)


def float32_exact(booster: lgb.Booster) -> lgb.Booster:
    """The same trees with every numerical threshold rounded DOWN to a float32.

    LightGBM compares a float32 feature (widened to double) with a double threshold; ONNX's tree operator
    compares float32 with the threshold rounded to the NEAREST float32. Where that rounds up, a feature
    equal to the rounded value goes the other way (LightGBM's thresholds are midpoints of adjacent data
    values, so this happens on real rows). Rounding down keeps every float32 comparison, so the converted
    graph reproduces LightGBM on float32 inputs exactly, up to float32 summation of the leaves."""
    text = booster.model_to_string()
    blocks = re.split(r"(?=^Tree=)", text, flags=re.MULTILINE)
    fixed = "".join(_tree_block(b) if b.startswith("Tree=") else b for b in blocks)
    fixed = "\n".join(line for line in fixed.split("\n") if not line.startswith("tree_sizes="))
    return lgb.Booster(model_str=fixed)


def _convert(model: lgb.LGBMClassifier | lgb.LGBMRegressor, n_features: int) -> onnx.ModelProto:
    kwargs = {"zipmap": False} if isinstance(model, lgb.LGBMClassifier) else {}
    converted: onnx.ModelProto = convert_lightgbm(
        float32_exact(model.booster_), initial_types=[(INPUT_NAME, FloatTensorType([None, n_features]))],
        target_opset=TARGET_OPSET, **kwargs)
    return converted


def _renamed_nodes(model: onnx.ModelProto, prefix: str, outputs: dict[str, str]
                   ) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto], list[onnx.ValueInfoProto]]:
    """The graph's nodes with internal names prefixed, so two graphs can share one input."""

    def rename(name: str) -> str:
        if name in ("", INPUT_NAME):
            return name
        return outputs.get(name, prefix + name)

    nodes = []
    for index, node in enumerate(model.graph.node):
        copy = onnx.NodeProto()
        copy.CopyFrom(node)
        del copy.input[:]
        copy.input.extend(rename(name) for name in node.input)
        del copy.output[:]
        copy.output.extend(rename(name) for name in node.output)
        copy.name = f"{prefix}{node.name or index}"
        nodes.append(copy)
    initializers = []
    for tensor in model.graph.initializer:
        renamed = onnx.TensorProto()
        renamed.CopyFrom(tensor)
        renamed.name = rename(tensor.name)
        initializers.append(renamed)
    kept = []
    for value in model.graph.output:
        if value.name in outputs:
            info = onnx.ValueInfoProto()
            info.CopyFrom(value)
            info.name = outputs[value.name]
            kept.append(info)
    return nodes, initializers, kept


def build_onnx(classifier: lgb.LGBMClassifier, regressor: lgb.LGBMRegressor | None,
               n_features: int, model_version: str) -> onnx.ModelProto:
    parts = [(_convert(classifier, n_features), "clf_", {"probabilities": PROBABILITY_OUTPUT})]
    if regressor is not None:
        parts.append((_convert(regressor, n_features), "move_", {"variable": MOVE_OUTPUT}))
    nodes, initializers, outputs = [], [], []
    opsets: dict[str, int] = {}
    for model, prefix, output_map in parts:
        if model.graph.input[0].name != INPUT_NAME:
            raise RuntimeError(f"converter named the input {model.graph.input[0].name!r}")
        part_nodes, part_inits, part_outputs = _renamed_nodes(model, prefix, output_map)
        if len(part_outputs) != len(output_map):
            raise RuntimeError(f"converter outputs {[o.name for o in model.graph.output]} lack {output_map}")
        nodes += part_nodes
        initializers += part_inits
        outputs += part_outputs
        for opset in model.opset_import:
            opsets[opset.domain] = max(opsets.get(opset.domain, 0), opset.version)
    graph = helper.make_graph(nodes, "cryptoscalper", [parts[0][0].graph.input[0]], outputs, initializers)
    merged = helper.make_model(graph, producer_name="cryptoscalper", model_version=1,
                               opset_imports=[helper.make_opsetid(d, v) for d, v in sorted(opsets.items())])
    merged.ir_version = parts[0][0].ir_version
    merged.doc_string = f"cryptoscalper model {model_version}"
    onnx.checker.check_model(merged)
    return merged


def save_onnx(model: onnx.ModelProto, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model.SerializeToString())
