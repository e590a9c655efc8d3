"""The place-name automaton of the jurisdiction resolver (`jiesu/model/jurisdiction.py`): every name
it looks for, folded, with what the name can mean and how much it weighs, compiled once into one
Aho-Corasick automaton; and the scan table that folds a text for it in a single `str.translate`.

The words it is built from are reference data (`resources/jurisdiction_words.json`, the gazetteer and the
alias table); the weights are model parameters and stay here. jieba's dictionary (a model's own copy, see
`RequestClassifier.jieba_dictionary_`) tells which short names are everyday words.
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from jiesu.data.gazetteer import NEIGHBOUR_REGIONS, Gazetteer
from jiesu.data.jurisdiction_words import JurisdictionWords
from jiesu.errors import ReferenceDataError
from jiesu.model.literals import Literals
from jiesu.model.text import fold_characters

# Weight of one mention, by kind of name.
W_DISTRICT = 4.0
W_DISTRICT_SHORT = 3.0
W_STREET = 2.0
W_STREET_SHORT = 1.5
W_WEAK_STREET_SHORT = 0.5
W_LANDMARK = 1.5  # landmarks and estates name one place
W_AREA = 1.2  # colloquial areas and roads are vaguer
W_COMMUNITY = 1.2
W_COMMUNITY_SHORT = 1.0
W_VILLAGE_SHORT = 0.6  # a bare name (东王庄) more often means an estate than the village 东王庄村
ALIAS_RANK_FACTOR = 0.6  # each later row of an alias weighs 0.6 of the row before
GLUE_WORD_MIN_FREQ = 10  # jieba count from which a word can glue a name into other words
EVERYDAY_MIN_FREQ = 100  # jieba count from which a short (八角, 行政区) is an everyday word
_ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}
_OTHER = "\x01"  # stands in for every character that is in no name and no context word
# Code blocks the scan table maps: Latin, punctuation, CJK symbols and ideographs, full-width forms.
_SCAN_BLOCKS = ((0x0000, 0x024F), (0x2000, 0x206F), (0x3000, 0x303F), (0x3400, 0x9FFF), (0xFF00, 0xFFFF))


@dataclass(slots=True)
class Meaning:
    weight: float
    district: str
    street: str | None = None
    community: str | None = None
    kind: str = "official"  # official, street_short, community_short, alias


@dataclass(frozen=True, slots=True, eq=False)
class PlaceName:
    """Everything one automaton key can mean, worked out once."""

    length: int
    districts: dict[str, float]  # Beijing district -> vote, split between meanings
    streets: dict[tuple[str, str], float]  # (district, street) -> vote
    communities: tuple[tuple[str, str, str, float], ...]  # (district, street, community, weight)
    preferred: str | None  # the district this name prefers strictly, if any
    explicit: bool  # a district name (朝阳区, 朝阳)
    weak: bool  # an everyday word: needs a place word after it
    stop_next: tuple[str, ...]  # followed by one of these, the hit is no place
    region: str | None  # outside region
    check_swallow: bool  # rejected inside a longer everyday word (人大代表, 复合肥)
    check_cross: bool  # rejected when words cross both its ends (回迁|安置)
    beijing: bool  # 北京, 北京市
    digit_edges: tuple[bool, bool] = (False, False)  # starts, ends with a digit (798, 301医院)
    # A district name that is also a city or county of these regions (朝阳: 辽宁省, 吉林省): right after
    # one of their names (辽宁朝阳, 江苏南通通州) it is that place, not the Beijing district.
    homonym_regions: frozenset[str] = frozenset()


def fold(text: str) -> str:
    return text.translate(fold_table())


def build_automaton(
    gazetteer: Gazetteer, words: JurisdictionWords, dictionary: Path | None
) -> tuple[Literals[PlaceName], frozenset[str], Lexicon]:
    """The automaton, its alphabet (every character of a name or of a context word), and the words of
    jieba's dictionary (`dictionary`, a copy of jieba's dict.txt; None: none) that the glue checks need."""
    meanings = beijing_meanings(gazetteer, words)
    district_keys = {fold(d.name) for d in gazetteer.districts.values()}
    district_keys |= {fold(d.short) for d in gazetteer.districts.values()}
    district_keys |= {fold(name) for name in words.former_districts}
    beijing_keys = {fold("北京"), fold("北京市")}
    outside = outside_names(gazetteer, set(meanings) | beijing_keys, words)
    crossed = {key for key, (_, check) in outside.items() if check}
    # Buildings, restaurants and schools in Beijing take the names of provinces and prefectures (新疆大厦,
    # 黄冈中学), not of the counties and towns around Beijing (燕郊中学 is in 燕郊).
    named_after = {fold(p.name) for p in gazetteer.outside if p.level in ("province", "city")}
    # Short aliases and shorts can hide in everyday words (人大 in 人大代表, 农业大学 in 华中农业大学).
    swallowed = crossed | {
        key
        for key, found in meanings.items()
        if len(key) <= 4
        and key not in district_keys
        and any(m.kind in ("alias", "street_short", "community_short") for m in found)
    }
    shorts = {key for key, found in meanings.items() if any(m.kind.endswith("_short") for m in found)}
    lexicon = read_lexicon(dictionary, shorts, swallowed, crossed)
    weak_keys = {fold(name) for name in words.weak_street_shorts}
    for key in lexicon.everyday:
        # A community short that is an everyday word (行政区, 分水岭) is dropped; a street short (八角 =
        # star anise, 老山) needs a place word after it, unless the alias table vouches for it.
        meanings[key] = [m for m in meanings[key] if m.kind != "community_short"]
        if not any(m.kind == "alias" for m in meanings[key]):
            weak_keys.add(key)
        if not meanings[key]:
            del meanings[key]
    keys = set(meanings) | set(outside) | beijing_keys
    homonyms = {fold(name): regions for name, regions in gazetteer.district_homonyms.items()}
    alphabet = frozenset("".join(keys)) | words.context_chars()
    entries: list[tuple[str, PlaceName]] = []
    for key in keys:
        region, _ = outside.get(key, (None, False))
        entries.append(
            (
                key,
                compile_name(
                    key,
                    meanings.get(key, []),
                    explicit=key in district_keys,
                    weak=key in weak_keys,
                    stop_next=_stop_next(
                        key, words, district_keys, outside_only=key in named_after and key not in meanings
                    ),
                    region=region,
                    check_swallow=key in lexicon.hidden,
                    check_cross=key in crossed,
                    beijing=key in beijing_keys,
                    homonym_regions=homonyms.get(key, frozenset()) if key in district_keys else frozenset(),
                ),
            )
        )
    return Literals(entries, longest=True), alphabet, lexicon


def _stop_next(
    key: str, words: JurisdictionWords, district_keys: set[str], *, outside_only: bool = False
) -> tuple[str, ...]:
    """What, right after the name, shows it is no place: 大兴土木 for a district short, 798元 for a name
    that ends in a digit, 新疆大厦 or 黄冈中学 for the name of a province or prefecture (`outside_only`:
    Beijing has many buildings, restaurants and schools named after them)."""
    if key in district_keys:
        return words.district_short_stop_next.get(key, ())
    digits = words.number_stop_next if key[-1:].isdigit() else ()
    # An alias that ends where an everyday word begins (这些人大多是: 人 + 大多, not 中国人民大学).
    stops = (*digits, *words.alias_stop_next.get(key, ()))
    return (*stops, *words.outside_name_next) if outside_only else stops


def scan_table(alphabet: frozenset[str]) -> dict[int, int]:
    """fold_characters, ASCII lower case, and one stand-in for every character of no name or context
    word, in a single `str.translate` (characters outside the common blocks are left as they are)."""
    fold = fold_table()
    other = ord(_OTHER)
    codes = {code for first, last in _SCAN_BLOCKS for code in range(first, last + 1)} | set(fold)
    return {code: target if chr(target := fold.get(code, code)) in alphabet else other for code in codes}


def longest_matches(names: Literals[PlaceName], text: str) -> list[tuple[int, PlaceName]]:
    """(last index, name) of the leftmost-longest non-overlapping matches, left to right."""
    return [(end - 1, name) for _, end, name in names.found(text)]


def code_point_array(table: dict[int, int]) -> npt.NDArray[np.uint32]:
    """A `str.translate` table as an array over every code point, for `translate_code_points` (several
    times faster than `str.translate` with a dict of this size)."""
    codes = np.arange(0x110000, dtype=np.uint32)
    codes[np.fromiter(table.keys(), dtype=np.int64, count=len(table))] = np.fromiter(
        table.values(), dtype=np.uint32, count=len(table)
    )
    return codes


@lru_cache(maxsize=1)
def fold_table() -> dict[int, int]:
    """fold_characters and ASCII lower case, as a `str.translate` table of the code points they change
    (a translate table also takes texts that fold_characters cannot encode, such as lone surrogates)."""
    codes = np.concatenate([np.arange(0xD800), np.arange(0xE000, 0x110000)]).astype(np.uint32)
    every = codes.tobytes().decode("utf-32-le")
    folded = np.frombuffer(fold_characters(every).encode("utf-32-le"), dtype=np.uint32)
    changed = np.flatnonzero(folded != codes)
    table = {int(codes[i]): int(folded[i]) for i in changed}
    for upper, lower in _ASCII_LOWER.items():
        table[upper] = lower
    for code, target in list(table.items()):  # full-width Ａ folds to A, which folds on to a
        table[code] = _ASCII_LOWER.get(target, target)
    return table


def beijing_meanings(gazetteer: Gazetteer, words: JurisdictionWords) -> dict[str, list[Meaning]]:
    """Folded Beijing name → every (district, street, community) it can mean, with a weight."""
    weak_shorts = frozenset(words.weak_street_shorts)
    generic_shorts = frozenset(words.generic_community_shorts)
    meanings: dict[str, list[Meaning]] = defaultdict(list)

    def add(name: str, meaning: Meaning) -> None:
        meanings[fold(name)].append(meaning)

    for district in gazetteer.districts.values():
        add(district.name, Meaning(W_DISTRICT, district.name))
        add(district.short, Meaning(W_DISTRICT_SHORT, district.name))
    for name, today in words.former_districts.items():
        if today not in gazetteer.districts or name in gazetteer.districts:
            raise ReferenceDataError(
                f"jurisdiction words: former district {name!r} → {today!r} must name a district no longer "
                "in use and one of the gazetteer's"
            )
        add(name, Meaning(W_DISTRICT, today))  # 崇文区 is 东城区 (merged in 2010)
    district_shorts = {d.short for d in gazetteer.districts.values()}
    outside_names = set(words.extra_outside) | {
        p.name for p in gazetteer.outside if p.level in ("province", "city")
    }
    street_names = {street.name for street in gazetteer.streets}
    for street in gazetteer.streets:
        add(street.name, Meaning(W_STREET, street.district, street.name))
        if street.name.endswith("地区"):  # 上庄地区 was 上庄镇, and people still say so
            for old in (street.name[:-2] + "镇", street.name[:-2] + "乡"):
                if old not in street_names:
                    add(old, Meaning(W_STREET, street.district, street.name))
        short = street.short
        # 河北镇's 河北 is the province; 海淀街道's 海淀 is the district.
        if short == street.name or short in outside_names or short in district_shorts:
            continue
        rows = gazetteer.aliases_by_name.get(short, [])
        if short in weak_shorts:
            weight = W_WEAK_STREET_SHORT
        elif (
            any(r.district == street.district for r in rows)
            and street.name not in gazetteer.ambiguous_street_names
        ):
            weight = W_AREA * ALIAS_RANK_FACTOR ** len(rows)  # after the alias table's own rows
        else:
            weight = W_STREET_SHORT
        add(short, Meaning(weight, street.district, street.name, kind="street_short"))

    repeats: dict[str, int] = defaultdict(int)
    for community in gazetteer.communities:
        repeats[community.name] += 1
    in_street: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for community in gazetteer.communities:
        names = [(community.name, W_COMMUNITY, "official")]
        if community.name.endswith("社区"):
            names.append((community.name[:-2], W_COMMUNITY_SHORT, "community_short"))
        elif community.name.endswith("村"):
            names.append((community.name[:-1], W_VILLAGE_SHORT, "community_short"))
        for name, weight, kind in names:
            if len(name) >= 3 and name not in generic_shorts:
                split = weight / repeats[community.name]
                add(name, Meaning(split, community.district, community.street, community.name, kind))
        short = community.name.removesuffix("社区")
        if len(short) >= 2:
            in_street[(community.district, community.street)].append((short, community.name))

    rank: dict[str, int] = defaultdict(int)
    for alias in gazetteer.aliases:
        base = W_AREA if alias.kind in ("area", "road") else W_LANDMARK
        weight = base * ALIAS_RANK_FACTOR ** rank[alias.alias]
        rank[alias.alias] += 1
        # An estate alias often holds its community's name (顺义石园东区 → 石园东区社区).
        inside = [c for c in in_street.get((alias.district, alias.street), []) if c[0] in alias.alias]
        held = max(inside, key=lambda c: len(c[0]))[1] if inside else None
        add(alias.alias, Meaning(weight, alias.district, alias.street, held, kind="alias"))
    return meanings


def outside_names(
    gazetteer: Gazetteer, beijing_keys: set[str], words: JurisdictionWords
) -> dict[str, tuple[str, bool]]:
    """Outside names worth trusting, folded → (region, whether to check the hit for glued words)."""
    suffixes = words.outside_suffixes
    stop = frozenset(words.outside_stop)
    found: dict[str, set[str]] = defaultdict(set)
    for place in gazetteer.outside:
        neighbour = place.region in NEIGHBOUR_REGIONS
        official = place.name.endswith(suffixes) and len(place.name) >= 3
        if place.level == "district" and not (neighbour or official):
            continue  # a two-character county short elsewhere (普陀, 安宁, 永平) is too often a word
        if place.level == "street" and not (neighbour and official):
            continue
        if place.name not in stop:
            found[fold(place.name)].add(place.region)
    for name, region in words.extra_outside.items():
        found[fold(name)].add(region)
    return {
        key: (next(iter(regions)), not key.endswith(suffixes))
        for key, regions in found.items()
        # A name of two regions (和平区) or of a Beijing place too (经开区) says nothing for sure.
        if len(regions) == 1 and key not in beijing_keys
    }


def compile_name(
    key: str,
    meanings: list[Meaning],
    *,
    explicit: bool,
    weak: bool,
    stop_next: tuple[str, ...],
    region: str | None,
    check_swallow: bool,
    check_cross: bool,
    beijing: bool,
    homonym_regions: frozenset[str] = frozenset(),
) -> PlaceName:
    by_district: dict[str, float] = {}
    by_street: dict[tuple[str, str], float] = {}
    for meaning in meanings:
        by_district[meaning.district] = max(by_district.get(meaning.district, 0.0), meaning.weight)
        if meaning.street is not None:
            pair = (meaning.district, meaning.street)
            by_street[pair] = max(by_street.get(pair, 0.0), meaning.weight)
    # A name that is mainly an area (回龙观) does not pin its namesake village (回龙观村).
    communities = tuple(
        (m.district, m.street, m.community, m.weight)
        for m in meanings
        if m.street is not None and m.community is not None and m.weight >= by_street[(m.district, m.street)]
    )
    # Several meanings share the strongest one's weight, in proportion to their own weights.
    districts: dict[str, float] = {}
    streets: dict[tuple[str, str], float] = {}
    preferred = None
    if by_district:
        strongest = max(by_district.values())
        total = sum(by_district.values())
        districts = {d: strongest * w / total for d, w in by_district.items()}
        top = [d for d, w in by_district.items() if w == strongest]
        preferred = top[0] if len(top) == 1 else None
        for district, vote in districts.items():
            local = {pair: w for pair, w in by_street.items() if pair[0] == district}
            local_total = sum(local.values())
            streets.update({pair: vote * w / local_total for pair, w in local.items()})
    return PlaceName(
        length=len(key),
        districts=districts,
        streets=streets,
        communities=communities,
        preferred=preferred,
        explicit=explicit,
        weak=weak,
        stop_next=stop_next,
        region=region,
        check_swallow=check_swallow,
        check_cross=check_cross,
        beijing=beijing,
        digit_edges=(key[:1].isdigit(), key[-1:].isdigit()),
        homonym_regions=homonym_regions,
    )


@dataclass(frozen=True)
class Lexicon:
    """What the resolver needs from jieba's dictionary."""

    everyday: frozenset[str]  # shorts that are everyday words, not place names (八角, 行政区)
    swallowing: frozenset[str]  # everyday words that hold a checked name and more (人大代表, 复合肥)
    hidden: frozenset[str]  # the checked names that some of those words hold
    ending: dict[str, frozenset[str]]  # first character of a name → what can precede it in a word
    starting: dict[str, frozenset[str]]  # last character of a name → what can follow it in a word


def installed_dictionary() -> Path | None:
    """jieba's dict.txt in the installed jieba package (found without importing jieba), if any."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "dict.txt"


def read_lexicon(path: Path | None, shorts: set[str], swallowed: set[str], crossed: set[str]) -> Lexicon:
    """What the glue checks need from the jieba dictionary at `path` (None: nothing is glued)."""
    if path is None:
        return Lexicon(frozenset(), frozenset(), frozenset(), {}, {})
    everyday = set()
    swallowing = set()
    hidden: set[str] = set()
    firsts = {name[0] for name in crossed}
    lasts = {name[-1] for name in crossed}
    ending: dict[str, set[str]] = defaultdict(set)
    starting: dict[str, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            raw, count, tag = line.split()
            frequency = int(count)
            if frequency < GLUE_WORD_MIN_FREQ or tag.startswith("ns") or len(raw) < 2:
                continue  # a place name (故宫博物院) glues nothing away
            word = fold(raw)
            if word in shorts and frequency >= EVERYDAY_MIN_FREQ:
                everyday.add(word)
            if len(word) <= 7:
                inside = {
                    word[i : i + size]
                    for size in range(2, min(len(word) - 1, 4) + 1)
                    for i in range(len(word) - size + 1)
                } & swallowed
                if inside:
                    swallowing.add(word)
                    hidden |= inside
            if len(word) <= 3:
                if word[-1] in firsts:
                    ending[word[-1]].add(word[:-1])
                if word[0] in lasts:
                    starting[word[0]].add(word[1:])
    return Lexicon(
        everyday=frozenset(everyday),
        swallowing=frozenset(swallowing),
        hidden=frozenset(hidden),
        ending={char: frozenset(found) for char, found in ending.items()},
        starting={char: frozenset(found) for char, found in starting.items()},
    )
