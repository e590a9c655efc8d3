"""Inputs for the re-scoring tests: the same kind of history in CSV, JSON Lines and Parquet, with rows
that cannot be read among them, and what a run over them must write."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

TEXTS = [
    "朝阳区望京街道小区暖气不热，家里只有十五度",
    "海淀区中关村街道楼下饭店油烟太大，窗户都不敢开",
    "西城区什刹海附近晚上施工噪音扰民，请尽快处理",
    "丰台区方庄小区门口道路有个大坑，车辆经过很危险",
    "请问北京市灵活就业人员社保怎么缴纳",
]
UNITS = ["北京市热力集团", "海淀区中关村街道办事处", "西城区城市管理委员会"]


@dataclass(frozen=True)
class History:
    files: list[Path]
    ids: set[str]  # every id that must be scored
    errors: int  # rows that must land in errors.jsonl


def write_history(directory: Path, rows_per_file: int = 40) -> History:
    """A CSV (with a byte-order mark, a quoted line break, a row of bad bytes, an empty text and a broken
    quote), a JSON Lines file (with a line that is not JSON and one without text) and a Parquet file."""
    directory.mkdir(parents=True, exist_ok=True)
    ids: set[str] = set()

    def row(prefix: str, number: int) -> dict[str, str]:
        ids.add(f"{prefix}{number}")
        text = TEXTS[number % len(TEXTS)] + f"（第{number}次反映）"
        return {
            "id": f"{prefix}{number}",
            "text": text,
            "unit": UNITS[number % len(UNITS)],
            "category": "供暖",
        }

    csv_lines = ["id,text,unit,category"]
    for number in range(rows_per_file):
        values = row("c", number)
        text = values["text"].replace("，", "，\n", 1) if number == 3 else values["text"]
        csv_lines.append(f'{values["id"]},"{text}",{values["unit"]},{values["category"]}')
    csv_bytes = ("\ufeff" + "\n".join(csv_lines) + "\n").encode("utf-8")
    csv_bytes += b"bad1,\xff\xfe\xb8\xad broken bytes,u,c\n"  # not UTF-8
    csv_bytes += b"empty1,,u,c\n"
    csv_bytes += b'quote1,"unclosed "quote" here,u,c\n'
    csv_path = directory / "history.csv"
    csv_path.write_bytes(csv_bytes)

    jsonl_path = directory / "history.jsonl"
    with jsonl_path.open("w", encoding="utf-8") as out:
        for number in range(rows_per_file):
            out.write(json.dumps(row("j", number), ensure_ascii=False) + "\n")
            if number == 5:
                out.write('{"id": "broken", "text": \n')
                out.write(json.dumps({"id": "notext", "unit": "u"}) + "\n")

    parquet_rows = [row("p", number) for number in range(rows_per_file)]
    pq.write_table(pa.Table.from_pylist(parquet_rows), directory / "history.parquet")
    return History([csv_path, jsonl_path, directory / "history.parquet"], ids, errors=5)
