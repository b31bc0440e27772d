"""The edge report on disk: edge.json (every figure), edge.md and edge.html (the same tables).

Tables arrive as (title, header, rows) of text (application/research/report_text.py builds them) and are
rendered here to Markdown and HTML; the JSON payload is written as given.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

Table = tuple[str, list[str], list[list[str]]]
TITLE = "CryptoScalper edge report"


def markdown(title: str, intro: Sequence[str], tables: Sequence[Table]) -> str:
    out = [f"# {title}", ""] if title else []
    out += [f"- {line}" for line in intro] + ([""] if intro else [])
    for name, header, rows in tables:
        out += [f"## {name}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(row) + " |" for row in rows] + [""]
    return "\n".join(out)


def _html(title: str, intro: Sequence[str], tables: Sequence[Table]) -> str:
    out = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
           "<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto}table{border-collapse:"
           "collapse;margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
           "th{background:#eee}td:first-child{text-align:left}</style></head><body>",
           f"<h1>{html.escape(title)}</h1><ul>"]
    out += [f"<li>{html.escape(line)}</li>" for line in intro]
    out.append("</ul>")
    for name, header, rows in tables:
        out.append(f"<h2>{html.escape(name)}</h2><table><tr>"
                   + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>")
        out += ["<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows]
        out.append("</table>")
    return "\n".join([*out, "</body></html>"])


def write_edge_report(folder: Path, intro: Sequence[str], tables: Sequence[Table],
                      payload: dict[str, Any]) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"json": folder / "edge.json", "md": folder / "edge.md", "html": folder / "edge.html"}
    paths["json"].write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    paths["md"].write_text(markdown(TITLE, intro, tables) + "\n", encoding="utf-8")
    paths["html"].write_text(_html(TITLE, intro, tables) + "\n", encoding="utf-8")
    return paths
