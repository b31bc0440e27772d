"""The models archive (issue 16 item 8): every model a retrain replaced, with its card, seal and reports,
kept in <archive>/<UTC timestamp>-<sha256 prefix of its .onnx>/ so any earlier model can be compared with
or put back (copy its files into the models folder and restart the bot)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from adapters.checksums import sha256_of


def model_files(onnx_path: Path) -> list[Path]:
    """The .onnx and every file beside it named after it (card, seal, reports)."""
    stem = onnx_path.stem
    return sorted(p for p in onnx_path.parent.iterdir() if p.is_file() and p.name.startswith(f"{stem}."))


def archive_model(onnx_path: Path, archive_dir: Path, when: datetime) -> Path:
    """Move the model's files into a new archive folder; the folder."""
    folder = archive_dir / f"{when.strftime('%Y%m%d-%H%M%S')}-{sha256_of(onnx_path)[:12]}"
    folder.mkdir(parents=True, exist_ok=False)
    for file in model_files(onnx_path):
        shutil.copy2(file, folder / file.name)  # copied first: nothing is lost if the move fails midway
    for file in model_files(onnx_path):
        file.unlink()
    return folder


def install_model(onnx_path: Path, models_dir: Path) -> Path:
    """Copy a published model's files into the models folder; the installed .onnx."""
    models_dir.mkdir(parents=True, exist_ok=True)
    for file in model_files(onnx_path):
        shutil.copy2(file, models_dir / file.name)
    return models_dir / onnx_path.name
