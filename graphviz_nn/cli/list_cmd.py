"""``graphviz-nn list``: the lecture scenarios (id, title, lecture)."""
from __future__ import annotations

import argparse
import json


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("list", help="list the lecture scenarios",
                                   description="List the catalogue of lecture scenarios: id, title and lecture slide.")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(run=run)
    return parser


def rows() -> list:
    from ..scenario_format import catalogue_ids, load_scenario
    out = []
    for scenario_id in catalogue_ids():
        s = load_scenario(scenario_id)
        out.append({"id": s.id, "title": s.title, "kind": s.kind, "seed": s.lecture.seed if s.lecture else None,
                    "slide": s.lecture.slide if s.lecture else None})
    return out


def run(args) -> int:
    entries = rows()
    if args.format == "json":
        print(json.dumps(entries, indent=2, ensure_ascii=False))
        return 0
    width = max(len(e["id"]) for e in entries)
    title_width = max(len(e["title"]) for e in entries)
    print(f"{'id':<{width}}  {'title':<{title_width}}  lecture")
    for e in entries:
        slide = e["slide"] if len(e["slide"]) <= 60 else e["slide"][:59] + "…"
        print(f"{e['id']:<{width}}  {e['title']:<{title_width}}  {e['seed'][:3]}: {slide}")
    return 0
