"""Beijing gazetteer: districts, streets/townships and communities/villages with codes, the hand-made
alias table of colloquial areas, landmarks and estates, and place names outside Beijing.

The administrative tree is built at first use from the `china_location` dictionary that ships with
the PyPI package jionlp (never hand-copied). jionlp gives adcodes down to district level only; street
and community codes are derived here: street = district adcode + 3-digit rank of the street name within
its district, community = street code + 3-digit rank within its street (ranks by Unicode order of the
name). They are jiesu codes, stable for a given jionlp version, not national statistics codes.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib.metadata import version as package_version
from pathlib import Path

from jiesu.data.resources import resource_path
from jiesu.errors import ReferenceDataError

BEIJING = "北京市"
# Regions whose requests go to the neighbouring hotlines under 京津冀协同 (Regulation art. 21).
NEIGHBOUR_REGIONS = ("天津市", "河北省")
STREET_SUFFIXES = ("街道", "地区", "镇", "乡")
ALIAS_KINDS = ("area", "landmark", "estate", "road")


@dataclass(frozen=True)
class District:
    name: str  # official, e.g. 朝阳区
    code: str  # adcode, e.g. 110105
    short: str  # e.g. 朝阳


@dataclass(frozen=True)
class Street:
    name: str  # official, e.g. 望京街道, 回龙观镇, 来广营地区
    code: str
    district: str

    @property
    def short(self) -> str:
        """The name without its administrative suffix (望京街道 → 望京), or the name if too short."""
        for suffix in STREET_SUFFIXES:
            if self.name.endswith(suffix) and len(self.name) - len(suffix) >= 2:
                return self.name[: -len(suffix)]
        return self.name


@dataclass(frozen=True)
class Community:
    name: str
    code: str
    street: str
    district: str


@dataclass(frozen=True)
class Alias:
    alias: str
    kind: str
    district: str
    street: str
    note: str = ""


@dataclass(frozen=True)
class OutsidePlace:
    """A place name outside Beijing; `region` is its province-level unit (天津市, 河北省, 山东省 …)."""

    name: str
    region: str
    level: str  # province, city, district, street


@dataclass
class Gazetteer:
    version: str
    districts: dict[str, District]
    streets: list[Street]
    communities: list[Community]
    aliases: list[Alias] = field(default_factory=list)
    outside: list[OutsidePlace] = field(default_factory=list)
    # Beijing district names (official or short) that are also a city or county elsewhere → those places'
    # regions: 朝阳 → 辽宁省 (朝阳市), 吉林省 (长春市朝阳区); 通州 → 江苏省 (南通市通州区).
    district_homonyms: dict[str, frozenset[str]] = field(default_factory=dict)

    @cached_property
    def streets_by_name(self) -> dict[str, list[Street]]:
        index: dict[str, list[Street]] = defaultdict(list)
        for street in self.streets:
            index[street.name].append(street)
        return dict(index)

    @cached_property
    def street_index(self) -> dict[tuple[str, str], Street]:
        return {(street.district, street.name): street for street in self.streets}

    @cached_property
    def communities_by_name(self) -> dict[str, list[Community]]:
        index: dict[str, list[Community]] = defaultdict(list)
        for community in self.communities:
            index[community.name].append(community)
        return dict(index)

    @cached_property
    def aliases_by_name(self) -> dict[str, list[Alias]]:
        index: dict[str, list[Alias]] = defaultdict(list)
        for alias in self.aliases:
            index[alias.alias].append(alias)
        return dict(index)

    def street(self, district: str, name: str) -> Street | None:
        return self.street_index.get((district, name))

    def has_street(self, district: str, name: str) -> bool:
        return (district, name) in self.street_index

    @cached_property
    def ambiguous_street_names(self) -> dict[str, list[Street]]:
        """Official street names that exist in more than one district (八里庄街道: 朝阳区, 海淀区)."""
        return {name: hits for name, hits in self.streets_by_name.items() if len(hits) > 1}

    @cached_property
    def ambiguous_community_names(self) -> dict[str, list[Community]]:
        """Community/village names that repeat across streets."""
        return {name: hits for name, hits in self.communities_by_name.items() if len(hits) > 1}

    @cached_property
    def ambiguous_aliases(self) -> dict[str, list[Alias]]:
        """Aliases with more than one (district, street) target."""
        return {
            name: hits
            for name, hits in self.aliases_by_name.items()
            if len({(hit.district, hit.street) for hit in hits}) > 1
        }

    def alias_problems(self) -> list[str]:
        """Aliases that point to a district or street the administrative tree does not have."""
        problems = []
        for alias in self.aliases:
            if alias.district not in self.districts:
                problems.append(f"alias {alias.alias!r}: unknown district {alias.district!r}")
            elif not self.has_street(alias.district, alias.street):
                problems.append(
                    f"alias {alias.alias!r}: street {alias.street!r} is not in {alias.district} "
                    f"(it is in {[s.district for s in self.streets_by_name.get(alias.street, [])] or 'no district'})"
                )
        return problems


def load_gazetteer(aliases_path: Path | None = None) -> Gazetteer:
    """The Beijing gazetteer with the shipped alias table (or `aliases_path`); built once, then cached."""
    return _load_gazetteer(aliases_path or resource_path("aliases.csv"))


@lru_cache(maxsize=4)
def _load_gazetteer(aliases_path: Path) -> Gazetteer:
    tree = _read_china_location()
    districts, streets, communities, outside, homonyms = _build(tree)
    aliases, aliases_version = read_aliases(aliases_path)
    return Gazetteer(
        version=f"jionlp-{package_version('jionlp')}+aliases-{aliases_version}",
        districts=districts,
        streets=streets,
        communities=communities,
        aliases=aliases,
        outside=outside,
        district_homonyms=homonyms,
    )


def read_aliases(path: Path) -> tuple[list[Alias], str]:
    """Read the alias table: a `# version: X` line, then CSV `alias,kind,district,street,note`."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise ReferenceDataError(f"alias table {path} does not exist") from exc
    version = ""
    body = []
    for line in lines:
        if line.startswith("#"):
            key, _, value = line.lstrip("# ").partition(":")
            if key.strip() == "version":
                version = value.strip()
        elif line.strip():
            body.append(line)
    if not version:
        raise ReferenceDataError(f"alias table {path} must start with a '# version: ...' line")
    reader = csv.DictReader(io.StringIO("\n".join(body)))
    expected = ["alias", "kind", "district", "street", "note"]
    if reader.fieldnames != expected:
        raise ReferenceDataError(
            f"alias table {path} must have the columns {expected}, got {reader.fieldnames}"
        )
    aliases = []
    for number, row in enumerate(reader, start=2):
        if row["kind"] not in ALIAS_KINDS:
            raise ReferenceDataError(
                f"{path} line {number}: kind {row['kind']!r} is not one of {ALIAS_KINDS}"
            )
        if not row["alias"].strip():
            raise ReferenceDataError(f"{path} line {number}: empty alias")
        aliases.append(
            Alias(
                alias=row["alias"].strip(),
                kind=row["kind"],
                district=row["district"].strip(),
                street=row["street"].strip(),
                note=(row["note"] or "").strip(),
            )
        )
    return aliases, version


# --- building the tree from jionlp's china_location.txt ------------------------------------------------

_Node = tuple[str, str, str]  # name, code, short


def _read_china_location() -> list[tuple[int, _Node]]:
    """(depth, (name, code, short)) for every line of jionlp's china_location.txt, without importing
    jionlp (its import is slow and prints a banner)."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise ReferenceDataError("the jionlp package is not installed; the gazetteer is built from its data")
    archive = Path(next(iter(spec.submodule_search_locations))) / "dictionary" / "china_location.zip"
    try:
        with zipfile.ZipFile(archive) as bundle:
            text = bundle.read("china_location.txt").decode("utf-8")
    except (FileNotFoundError, KeyError) as exc:
        raise ReferenceDataError(f"jionlp's {archive} is missing or has no china_location.txt") from exc
    rows = []
    province = ""
    for line in text.splitlines():
        stripped = line.lstrip("\t")
        depth = len(line) - len(stripped)
        # Most lines are the towns and villages of provinces far from Beijing, which `_build` never keeps:
        # they are skipped before they are split (a quicker start for every command and worker).
        if depth >= 3 and province != BEIJING and (depth > 3 or province not in NEIGHBOUR_REGIONS):
            continue
        if not stripped.strip():
            continue
        parts = [*stripped.strip().split("\t"), "", ""]
        if depth == 0:
            province = parts[0]
        rows.append((depth, (parts[0], parts[1], parts[2])))
    return rows


def _build(
    rows: Iterable[tuple[int, _Node]],
) -> tuple[dict[str, District], list[Street], list[Community], list[OutsidePlace], dict[str, frozenset[str]]]:
    districts: dict[str, District] = {}
    tree: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    outside: list[OutsidePlace] = []
    province = district = street = ""
    for depth, (name, code, short) in rows:
        if depth == 0:
            province = name
        elif depth == 2:
            district = name
        elif depth == 3:
            street = name
        if province == BEIJING:
            if depth == 2:
                districts[name] = District(name=name, code=code, short=short or name)
            elif depth == 3:
                tree[district][name]
            elif depth == 4:
                tree[district][street].append(name)
            continue
        level = {0: "province", 1: "city", 2: "district", 3: "street"}.get(depth)
        if level is None:
            continue
        # Townships are kept only for the neighbouring regions (京津冀 requests name 燕郊, 固安 …).
        if level == "street" and province not in NEIGHBOUR_REGIONS:
            continue
        if level == "city" and name == province:  # municipalities repeat the province as city
            continue
        outside.append(OutsidePlace(name=name, region=province, level=level))
        if short and short != name and len(short) >= 2:
            outside.append(OutsidePlace(name=short, region=province, level=level))
    if len(districts) != 16:
        raise ReferenceDataError(f"jionlp's gazetteer has {len(districts)} Beijing districts, expected 16")
    streets: list[Street] = []
    communities: list[Community] = []
    for district_name, district_streets in tree.items():
        district_code = districts[district_name].code
        for rank, street_name in enumerate(sorted(district_streets), start=1):
            street_code = f"{district_code}{rank:03d}"
            streets.append(Street(name=street_name, code=street_code, district=district_name))
            for sub_rank, community in enumerate(sorted(set(district_streets[street_name])), start=1):
                communities.append(
                    Community(
                        name=community,
                        code=f"{street_code}{sub_rank:03d}",
                        street=street_name,
                        district=district_name,
                    )
                )
    beijing_names = {d.name for d in districts.values()} | {d.short for d in districts.values()}
    beijing_names |= {s.name for s in streets} | {s.short for s in streets}
    district_names = {d.name for d in districts.values()} | {d.short for d in districts.values()}
    homonyms: dict[str, set[str]] = defaultdict(set)
    for place in outside:
        if place.level in ("city", "district") and place.name in district_names:
            homonyms[place.name].add(place.region)
    # A name that is also a Beijing place (many 城关镇, 新华街道 …) cannot mark a request as outside.
    outside = [place for place in outside if place.name not in beijing_names]
    return districts, streets, communities, outside, {name: frozenset(r) for name, r in homonyms.items()}
