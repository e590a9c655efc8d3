"""The unit picker's search over the catalogue's units: by name, by district, or by the pinyin initials
of the name (cyqwjjd → 朝阳区望京街道办事处). Built once per app, on first use (pypinyin, ~0.1 s)."""

from __future__ import annotations

from dataclasses import dataclass

from jiesu.workflow.reference import Reference


@dataclass(frozen=True)
class UnitEntry:
    name: str
    unit_type: str
    district: str | None
    initials: str


class UnitIndex:
    def __init__(self, reference: Reference) -> None:
        from pypinyin import Style, lazy_pinyin

        self.entries = [
            UnitEntry(
                name,
                profile.unit_type,
                profile.district,
                "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower(),
            )
            for name, profile in sorted(reference.profiles.items())
        ]

    def search(self, query: str, limit: int = 12) -> list[UnitEntry]:
        """Best first: a name or initials that start with the query, then those that contain it, then the
        units of a district the query names."""
        needle = query.strip().lower()
        if not needle:
            return []
        ranked: list[tuple[int, int, UnitEntry]] = []
        for entry in self.entries:
            if entry.name.startswith(needle) or entry.initials.startswith(needle):
                rank = 0
            elif needle in entry.name or (needle.isascii() and needle in entry.initials):
                rank = 1
            elif entry.district is not None and needle in entry.district:
                rank = 2
            else:
                continue
            ranked.append((rank, len(entry.name), entry))
        ranked.sort(key=lambda item: (item[0], item[1], item[2].name))
        return [entry for _, _, entry in ranked[:limit]]
