"""The models archive keeps every replaced model with its card and seal, under <timestamp>-<hash>/."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from adapters.checksums import sha256_of
from adapters.research.model_archive import archive_model, install_model

WHEN = datetime(2026, 12, 3, 4, 5, 6, tzinfo=UTC)


def test_archiving_moves_the_model_with_its_card_seal_and_reports(tmp_path: Path) -> None:
    models = tmp_path / "onnx"
    models.mkdir()
    names = ["scalper-1.onnx", "scalper-1.json", "scalper-1.sha256", "scalper-1.report.md"]
    for name in names:
        (models / name).write_text(name)
    (models / "scalper-10.onnx").write_text("another model, kept")
    digest = sha256_of(models / "scalper-1.onnx")
    folder = archive_model(models / "scalper-1.onnx", tmp_path / "archive", WHEN)
    assert folder == tmp_path / "archive" / f"20261203-040506-{digest[:12]}"
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)
    assert [p.name for p in models.iterdir()] == ["scalper-10.onnx"]
    installed = install_model(folder / "scalper-1.onnx", tmp_path / "back")
    assert installed.read_text() == "scalper-1.onnx" and (tmp_path / "back" / "scalper-1.sha256").exists()
