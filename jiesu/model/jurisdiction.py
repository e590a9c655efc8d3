"""Jurisdiction resolver: which Beijing district, street/township and community a request is about, or
that it is about a place outside Beijing, with the words that show it.

One Aho-Corasick pass (leftmost-longest, non-overlapping) over the folded text finds every known name:
Beijing districts (official and short), streets/townships (official, short, and X镇/X乡 for an X地区 that
people still call by its old township name), communities/villages (official, and without 社区/村 when at
least three characters are left), the alias table (landmarks, estates, colloquial areas), 北京 itself, and
places outside Beijing. Folding is one character for one, so match offsets are offsets in the original
text. Only the first MAX_TEXT_CHARS (5,000) characters are scanned, as `normalise` does: a
100,000-character paste costs what a 5,000-character one does (a few milliseconds at worst).

Every Beijing name votes for the districts and streets it can mean, with a weight that says how strong
the name is: official district name > short district name > official street > street short, landmark or
estate > colloquial area > community. A name with several meanings splits its weight between them; each
later row of an alias weighs less than the row before (the alias table lists the main target first), a
repeated community name is split between its communities, and a name said several times counts fully
once, at its most telling mention, and half for each further mention. Rules for the judgement calls:

- A district named in the text (朝阳区, 朝阳) outweighs a street, alias or community pointing elsewhere:
  "海淀区望京" is 海淀区 with no street (望京 is not in 海淀区); the alternative stays in `candidates`.
  The answer is always consistent: the street is chosen among the streets of the chosen district only,
  and the community only if it lies in that street.
- Where a street short is also in the alias table for the same district, the table's order decides
  (亦庄 is 北京经济技术开发区 before 亦庄地区); a street name that exists in two districts (八里庄街道)
  keeps its full weight in both, so 八里庄 alone stays ambiguous.
- Address words change a mention's weight: right after 住/家在/老家/位于/搬到 … it counts 1.5 times,
  after 去/到/回/往 (a destination) half, after 户口在/户籍在 (registration, not the matter) 0.3 times;
  a list (去大兴、房山) takes the weight of its first item.
- Districts within AMBIGUOUS_RATIO of the best are a tie. The caller's district breaks a tie when it is one
  of them. Otherwise the earliest name in the text that prefers one of the tied districts decides (people
  name the place of the matter first: "从国贸打车回通州", "协和医院…一听去大兴、房山就不拉"). The result
  is ambiguous (district and street None, candidates best first, reason "ambiguous") only when every name
  behind the tie means the tied districts equally (八里庄 alone), or when three or more districts are
  named side by side (朝阳、海淀、东城几个办证大厅).
- Short district names are rejected where they start a common word (大兴土木, 怀柔政策, 东城根, 西城墙), a
  Beijing name right before 线 is a rail line, not a place (亦庄线, 平谷线), and street shorts that are
  everyday words (平房 = bungalow, 南口 = south entrance, 天桥 = footbridge …) count only before a place
  word (这边, 附近, 一带 …) or right after their own district's name; otherwise they only add to a
  district found by other words.
- `caller_district` never overrides a place in the text; it is used alone only when the text names no
  Beijing district (source "caller", reason "caller_hint_only"), else only to break a tie.
- Outside places (天津, 河北, 燕郊, 武清, 廊坊, other provinces and cities) vote for their region with the
  same address words, and with a fifth of their weight where they only say where someone comes from
  (香港居民, 河南户口, 台湾来的, 从河南调入); a Beijing place inside a commute phrase (在北京朝阳上班)
  counts 0.3 against them. The outside region wins when its vote reaches the best Beijing district's:
  an outside name (W_OUTSIDE) beats a Beijing landmark or street of like strength ("住燕郊，每天到北京
  国贸上班") and a Beijing workplace ("我在北京朝阳上班，家在燕郊" is 燕郊), but not a Beijing district
  named as the home ("我在天津上班，住在朝阳区望京"). "北京" alone never outweighs an outside place,
  and an outside place said only as an origin places nothing.
- Outside names are used only where they are safe: province and city names, county names of 天津 and
  河北 (short or official), official county names elsewhere (寿光市), official township names of 天津 and
  河北 (燕郊镇) and a few well-known short ones (燕郊, 雄安). Left out: names that are common words or
  Beijing roads and areas (长安, 中山, 和平, 日照, 开封, 路南 …), names equal to a Beijing name, and
  names of two regions.
- Short names hide in everyday words; jieba's dictionary tells. A hit is dropped when a longer everyday
  word (not a place name) holds it with its neighbours: 人大 in 人大代表, 合肥 in 复合肥, 农业大学 in
  华中农业大学. An outside name is also dropped when words cross both its ends: 回迁|安置 holds no 迁安,
  医保|定点 no 保定, 民营|口腔 no 营口 (one crossing word is not enough: 京哈高速香河|段 is 香河). A
  community short that is an everyday word (行政区, 分水岭) is not used, and a street short that is one
  (迎风) is treated like 平房 unless the alias table lists it.

Speed: the scan is one `str.translate` (folding, and one stand-in for every character that is in no
name) and one `iter_long`; about 0.09 ms for a 300-character request, 0.03 ms for a typical one.
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import ahocorasick
import numpy as np
import numpy.typing as npt

from jiesu.data.gazetteer import BEIJING, NEIGHBOUR_REGIONS, Gazetteer, load_gazetteer
from jiesu.model.text import MAX_TEXT_CHARS, check_text, fold_characters, translate_code_points

Source = Literal["text", "caller", "none"]

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
W_OUTSIDE = 2.0
ALIAS_RANK_FACTOR = 0.6  # each later row of an alias weighs 0.6 of the row before
SUPPORT_ONLY_SHARE = 0.3  # an everyday word's share in the street vote
REPEAT_SHARE = 0.5  # what each further mention of a name adds
AMBIGUOUS_RATIO = 0.75
MAX_TIED = 3
RESIDENCE_FACTOR = 1.5
DESTINATION_FACTOR = 0.5
REGISTRATION_FACTOR = 0.3
COMMUTE_FACTOR = 0.3
ORIGIN_FACTOR = 0.2
GLUE_WORD_MIN_FREQ = 10  # jieba count from which a word can glue a name into other words
EVERYDAY_MIN_FREQ = 100  # jieba count from which a short (八角, 行政区) is an everyday word
MAX_EVIDENCE = 20


def _words(text: str) -> list[str]:  # word lists below read best space-separated
    return text.split()


# Short district names that begin a common word or another place.
_DISTRICT_SHORT_STOP_NEXT: dict[str, tuple[str, ...]] = {
    "东城": ("根", "墙", "门", "楼"),
    "西城": ("根", "墙", "门", "楼"),
    "大兴": ("土木", "安岭"),
    "怀柔": ("政策", "手段"),
    "密云": ("不雨",),
    "朝阳": ("产业", "行业"),
}
# Street shorts that are everyday words.
_WEAK_STREET_SHORTS = frozenset(
    _words(
        "平房 南口 天桥 光明 向阳 胜利 东风 新华 新村 古城 果园 清水 温泉 四海 安定 城南 城北 城关 曙光 永定 "
        "滨河 石城 星城 宝山 长沟 泉河 龙山 龙泉 荣华 仁和 兴丰 双丰 东湖 新镇 北庄 大台 渤海 空港 小关 鼓楼 "
        "和义 延寿 东升 三间房"
    )
)
# Words after an everyday street short that show it is meant as a place.
_PLACE_WORDS = tuple(_words("这边 那边 这块 那块 这儿 那儿 附近 一带 周边 地区 街道 镇 乡"))
# Community shorts that are no place names.
_GENERIC_COMMUNITY_SHORTS = frozenset(_words("东大街 西大街 南大街 北大街 中心村 新村 开发区"))
# Outside names that are common words, generic administrative words or Beijing roads and areas.
_OUTSIDE_STOP = frozenset(
    _words(
        "街道 农场 新区 城区 郊区 矿区 市辖区 高新区 经开区 开发区 工业园区 长安 中山 和平 河西 河东 路南 路北 "
        "桥东 桥西 复兴 运河 大城 大名 兴隆 滨湖 新河 安平 开平 海港 无极 红桥 北辰 大同 长治 安康 三明 大理 "
        "白银 玉树 中卫 哈密 阿里 来宾 北海 普洱 兴安 广安 桃园 新北 日照 海东 海西 海北 东区 西区 南区 北区 "
        "中区 离岛 九龙 西山 东山 金山 青山 安宁 江南 江北 城东 城西 新城 铁西 铁东 市中 河口 永平 双桥 宁德 "
        "平安 龙华 白云 鼓楼 普陀 长宁 红旗 解放 前进 胜利 光明 和顺 正定 文山 山南 红河 信都 新小区 开封"
    )
)
# Neighbouring-region names that the gazetteer lacks (河北 is also 房山's 河北镇) or has only in full.
_EXTRA_OUTSIDE = {"河北": "河北省", "燕郊": "河北省", "雄安": "河北省", "白沟": "河北省", "北戴河": "河北省"}
_OUTSIDE_SUFFIXES = ("省", "市", "区", "县", "旗", "镇", "乡", "街道", "自治州", "盟")
_RESIDENCE_BEFORE = tuple(_words("住在 住 家在 家住 老家在 老家 家是 位于 搬到 搬去 迁到 迁入 房子在"))
_DESTINATION_BEFORE = ("去", "到", "回", "往")
_REGISTRATION_BEFORE = ("户口在", "户籍在", "户口是", "户籍是")
_COMMUTE_AFTER = ("上班", "工作", "打工", "务工")
_ORIGIN_AFTER = ("居民", "户口", "户籍", "人士", "同胞", "来的", "籍")
_ORIGIN_BEFORE = ("从", "来自")
_LIST_JOINS = frozenset(("", "、", "和", "或", "及", "/"))
_ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}
# Every character that a context rule looks at must survive the scan table.
_CONTEXT_CHARS = frozenset(
    "".join(
        [
            *_PLACE_WORDS,
            *_RESIDENCE_BEFORE,
            *_DESTINATION_BEFORE,
            *_REGISTRATION_BEFORE,
            *_COMMUTE_AFTER,
            *_ORIGIN_AFTER,
            *_ORIGIN_BEFORE,
            *_LIST_JOINS,
            *(word for words in _DISTRICT_SHORT_STOP_NEXT.values() for word in words),
            "线在",
        ]
    )
)
_OTHER = "\x01"  # stands in for every character that is in no name and no context word
_NEVER = "\uffff"  # mapped to _OTHER, so it never occurs in scanned text
_PRIMER = None  # the value of the keys that order the root of the automaton
_COMMON_SYMBOLS = "，。,.、：:；;！!？?“”\"'（）()【】《》 0123456789\n"
# Code blocks the scan table maps: Latin, punctuation, CJK symbols and ideographs, full-width forms.
_SCAN_BLOCKS = ((0x0000, 0x024F), (0x2000, 0x206F), (0x3000, 0x303F), (0x3400, 0x9FFF), (0xFF00, 0xFFFF))


@dataclass(frozen=True)
class Span:
    text: str
    start: int  # offsets in the original text, end exclusive
    end: int


@dataclass(frozen=True)
class Candidate:
    district: str
    street: str | None
    score: float


@dataclass(frozen=True)
class Jurisdiction:
    in_beijing: bool | None  # None when no place at all was found
    region: str | None  # 北京市 or the outside province-level region
    district: str | None
    district_code: str | None
    street: str | None
    street_code: str | None
    community: str | None
    confidence: float  # 0..1
    source: Source
    evidence: list[Span]
    candidates: list[Candidate]  # best first; the answer first when there is one
    ambiguous: bool
    reason: str | None  # no_place_found, no_district, ambiguous, outside_beijing, caller_hint_only

    def to_dict(self) -> dict[str, Any]:
        return {
            "in_beijing": self.in_beijing,
            "region": self.region,
            "district": self.district,
            "district_code": self.district_code,
            "street": self.street,
            "street_code": self.street_code,
            "community": self.community,
            "confidence": self.confidence,
            "source": self.source,
            "evidence": [{"text": s.text, "start": s.start, "end": s.end} for s in self.evidence],
            "candidates": [
                {"district": c.district, "street": c.street, "score": c.score} for c in self.candidates
            ],
        }


@dataclass(slots=True)
class _Meaning:
    weight: float
    district: str
    street: str | None = None
    community: str | None = None
    kind: str = "official"  # official, street_short, community_short, alias


@dataclass(frozen=True, slots=True, eq=False)
class _Name:
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


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    name: _Name
    factor: float  # what the words around the mention say
    commute: bool  # 在北京朝阳上班: discounted against an outside place only
    support_only: bool = False  # an everyday word with no place word after it


class JurisdictionResolver:
    """Resolves request texts to a jurisdiction. Building compiles an automaton (about a second); build
    once per gazetteer, or use `default_resolver()`."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer_version = gazetteer.version
        self._districts = gazetteer.districts
        self._street_codes = {(s.district, s.name): s.code for s in gazetteer.streets}
        self._caller_names = {d.name: d.name for d in gazetteer.districts.values()}
        self._caller_names.update({d.short: d.name for d in gazetteer.districts.values()})
        self._automaton, alphabet, self._lexicon = _build_automaton(gazetteer)
        self._scan_codes = _code_point_array(_scan_table(alphabet))

    def resolve(self, text: str, caller_district: str | None = None) -> Jurisdiction:
        """The jurisdiction of one request; ValueError for an empty text or an unknown caller district."""
        check_text(text)
        caller = self._caller(caller_district)
        head = text[:MAX_TEXT_CHARS]
        hits = self._hits(head, translate_code_points(head, self._scan_codes))

        counted = _count(hits)
        votes: dict[str, float] = defaultdict(float)
        against_outside: dict[str, float] = defaultdict(float)
        outside: dict[str, float] = defaultdict(float)
        for hit in counted:
            if hit.name.region is not None:
                outside[hit.name.region] += W_OUTSIDE * hit.factor
            elif not hit.support_only:
                commute = COMMUTE_FACTOR if hit.commute else 1.0
                for district, vote in hit.name.districts.items():
                    votes[district] += vote * hit.factor
                    against_outside[district] += vote * hit.factor * commute
        for hit in counted:  # everyday words add only to districts that other words found
            if hit.support_only:
                for district, vote in hit.name.districts.items():
                    if district in votes:
                        votes[district] += vote * hit.factor

        if outside and max(outside.values()) >= max(W_OUTSIDE / 2, *against_outside.values(), 0.0):
            return _outside(text, hits, outside)
        if votes:
            return self._beijing(text, hits, counted, votes, caller)
        markers = [_span(text, hit) for hit in hits if hit.name.beijing][:MAX_EVIDENCE]
        if caller is not None:
            return self._caller_only(caller, markers)
        if markers:
            return _no_district(markers)
        return _nothing()

    # --- resolving, step by step ------------------------------------------------------------------------

    def _caller(self, caller_district: str | None) -> str | None:
        if caller_district is None:
            return None
        name = self._caller_names.get(caller_district.strip().removeprefix(BEIJING).removeprefix("北京"))
        if name is None:
            raise ValueError(
                f"caller_district {caller_district!r} is not a Beijing district; give an official name "
                f"(朝阳区) or a short one (朝阳), one of: {', '.join(sorted(self._districts))}"
            )
        return name

    def _hits(self, text: str, folded: str) -> list[_Hit]:
        """The names found in `folded` (the scan form of `text`), minus those the context rules out."""
        hits: list[_Hit] = []
        previous: _Hit | None = None
        for last, name in _longest_matches(self._automaton, folded):
            end = last + 1
            start = end - name.length
            if name.stop_next and folded.startswith(name.stop_next, end):
                continue
            if name.districts and folded.startswith("线", end):  # 亦庄线, 房山线: rail lines
                continue
            if (name.check_swallow or name.check_cross) and self._glued(text, start, end, name.check_cross):
                continue
            hit = _Hit(
                start,
                end,
                name,
                _factor(folded, start, end, name.region is not None),
                _commute(folded, start, end),
            )
            adjacent = previous is not None and folded[previous.end : start] in _LIST_JOINS
            if previous is not None and adjacent and hit.factor == 1.0:
                hit.factor = previous.factor  # 去大兴、房山, 从河南郑州: the first word covers the list
            if name.weak and not (
                folded.startswith(_PLACE_WORDS, end)
                or (previous is not None and previous.end == start and _shares_district(previous.name, name))
            ):
                hit.support_only = True
            hits.append(hit)
            previous = hit
        return hits

    def _glued(self, text: str, start: int, end: int, cross: bool) -> bool:
        """True when an everyday word swallows the hit and its neighbours (人大代表, 复合肥), or, with
        `cross`, when the hit's first character ends a word with what comes before and its last starts
        one with what follows (回迁|安置 holds no 迁安, 医保|定点 no 保定; but 香河|段 is 香河)."""
        left = max(0, start - 3)
        around = _fold(text[left : end + 3])  # the scan form has lost the characters of no name
        start, end = start - left, end - left
        lexicon = self._lexicon
        for before in range(min(start, 3) + 1):
            for after in range(min(len(around) - end, 3 - before) + 1):
                if (before or after) and around[start - before : end + after] in lexicon.swallowing:
                    return True
        if not cross:
            return False
        ending = lexicon.ending.get(around[start], ())
        starting = lexicon.starting.get(around[end - 1], ())
        return bool(
            ending
            and starting
            and (around[max(0, start - 1) : start] in ending or around[max(0, start - 2) : start] in ending)
            and (around[end : end + 1] in starting or around[end : end + 2] in starting)
        )

    def _beijing(
        self, text: str, hits: list[_Hit], counted: list[_Hit], votes: dict[str, float], caller: str | None
    ) -> Jurisdiction:
        ranked = sorted(votes.items(), key=lambda item: -item[1])
        best = ranked[0][1]
        total = sum(votes.values())
        tied = [d for d, score in ranked if score >= AMBIGUOUS_RATIO * best]
        district: str | None = ranked[0][0]
        if len(tied) > 1:
            if caller in tied:
                district = caller
            elif len(tied) >= MAX_TIED and all(
                any(h.name.explicit and d in h.name.districts for h in hits) for d in tied
            ):
                district = None
            else:
                district = next(
                    (h.name.preferred for h in hits if not h.support_only and h.name.preferred in tied), None
                )
        streets = _street_votes(counted)
        candidates = [
            Candidate(d, _best_street(streets.get(d))[0], round(s / total, 3)) for d, s in ranked[:5]
        ]
        if district is None:
            return _no_district(
                [_span(text, h) for h in hits if h.name.districts.keys() & set(tied)][:MAX_EVIDENCE],
                confidence=round(0.4 * best / total, 3),
                candidates=candidates,
                reason="ambiguous",
            )
        street, street_share = _best_street(streets.get(district))
        community = None
        if street is not None:  # the strongest community named in that street, the later on a tie
            named = [
                (weight, h.start, c)
                for h in hits
                for (d, s, c, weight) in h.name.communities
                if d == district and s == street
            ]
            community = max(named)[2] if named else None
        share = votes[district] / total
        confidence = 0.5 + 0.45 * share * min(1.0, votes[district] / W_DISTRICT_SHORT)
        if len(tied) > 1:
            confidence *= 0.7
        if street is not None:
            confidence += 0.04 * street_share
        evidence = [_span(text, h) for h in hits if district in h.name.districts or h.name.beijing]
        return Jurisdiction(
            in_beijing=True,
            region=BEIJING,
            district=district,
            district_code=self._districts[district].code,
            street=street,
            street_code=self._street_codes[(district, street)] if street else None,
            community=community,
            confidence=round(min(confidence, 0.99), 3),
            source="text",
            evidence=evidence[:MAX_EVIDENCE],
            candidates=[
                Candidate(district, street, round(share, 3)),
                *(c for c in candidates if c.district != district),
            ],
            ambiguous=False,
            reason=None,
        )

    def _caller_only(self, district: str, evidence: list[Span]) -> Jurisdiction:
        return Jurisdiction(
            in_beijing=True,
            region=BEIJING,
            district=district,
            district_code=self._districts[district].code,
            street=None,
            street_code=None,
            community=None,
            confidence=0.3,
            source="caller",
            evidence=evidence,
            candidates=[Candidate(district, None, 1.0)],
            ambiguous=False,
            reason="caller_hint_only",
        )


@lru_cache(maxsize=1)
def default_resolver() -> JurisdictionResolver:
    """The resolver over the shipped gazetteer, built once."""
    return JurisdictionResolver(load_gazetteer())


# --- building the automaton ----------------------------------------------------------------------------


def _fold(text: str) -> str:
    return text.translate(_fold_table())


def _build_automaton(gazetteer: Gazetteer) -> tuple[ahocorasick.Automaton, frozenset[str], _Lexicon]:
    """The automaton, its alphabet (every character of a name or of a context word), and the words of
    jieba's dictionary that the glue checks need."""
    meanings = _beijing_meanings(gazetteer)
    district_keys = {_fold(d.name) for d in gazetteer.districts.values()}
    district_keys |= {_fold(d.short) for d in gazetteer.districts.values()}
    beijing_keys = {_fold("北京"), _fold("北京市")}
    outside = _outside_names(gazetteer, set(meanings) | beijing_keys)
    crossed = {key for key, (_, check) in outside.items() if check}
    # Short aliases and shorts can hide in everyday words (人大 in 人大代表, 农业大学 in 华中农业大学).
    swallowed = crossed | {
        key
        for key, found in meanings.items()
        if len(key) <= 4
        and key not in district_keys
        and any(m.kind in ("alias", "street_short", "community_short") for m in found)
    }
    shorts = {key for key, found in meanings.items() if any(m.kind.endswith("_short") for m in found)}
    lexicon = _read_lexicon(shorts, swallowed, crossed)
    weak_keys = {_fold(name) for name in _WEAK_STREET_SHORTS}
    for key in lexicon.everyday:
        # A community short that is an everyday word (行政区, 分水岭) is dropped; a street short (八角 =
        # star anise, 老山) needs a place word after it, unless the alias table vouches for it.
        meanings[key] = [m for m in meanings[key] if m.kind != "community_short"]
        if not any(m.kind == "alias" for m in meanings[key]):
            weak_keys.add(key)
        if not meanings[key]:
            del meanings[key]
    keys = set(meanings) | set(outside) | beijing_keys
    alphabet = frozenset("".join(keys)) | _CONTEXT_CHARS
    automaton = ahocorasick.Automaton()
    # pyahocorasick looks a character up among a node's children one by one, and the root has a child
    # for every first character: adding the characters first, the stand-in for all others at the head,
    # then the rest from the most to the least common, makes the scan three times faster. The second
    # character (U+FFFF) never occurs in scanned text, so these keys never match.
    counts = lexicon.char_counts
    for char in [_OTHER, *sorted(alphabet, key=lambda c: (-counts.get(c, 0), c))]:
        automaton.add_word(char + _NEVER, _PRIMER)
    for key in keys:
        region, _ = outside.get(key, (None, False))
        automaton.add_word(
            key,
            _compile(
                key,
                meanings.get(key, []),
                explicit=key in district_keys,
                weak=key in weak_keys,
                stop_next=_DISTRICT_SHORT_STOP_NEXT.get(key, ()) if key in district_keys else (),
                region=region,
                check_swallow=key in lexicon.hidden,
                check_cross=key in crossed,
                beijing=key in beijing_keys,
            ),
        )
    automaton.make_automaton()
    return automaton, alphabet, lexicon


def _scan_table(alphabet: frozenset[str]) -> dict[int, int]:
    """fold_characters, ASCII lower case, and one stand-in for every character of no name or context
    word, in a single `str.translate` (characters outside the common blocks are left as they are)."""
    fold = _fold_table()
    other = ord(_OTHER)
    codes = {code for first, last in _SCAN_BLOCKS for code in range(first, last + 1)} | set(fold)
    return {code: target if chr(target := fold.get(code, code)) in alphabet else other for code in codes}


def _longest_matches(automaton: ahocorasick.Automaton, text: str) -> list[tuple[int, _Name]]:
    """(last index, name) of the leftmost-longest non-overlapping matches, left to right: what the
    automaton's `iter_long` gives, from its plain `iter`, which is about twice as fast (few texts have
    more than a handful of matches to sort)."""
    found = sorted(
        ((last - name.length + 1, last, name) for last, name in automaton.iter(text)),
        key=lambda match: (match[0], -match[1]),  # leftmost first, then longest
    )
    chosen: list[tuple[int, _Name]] = []
    free_from = 0
    for start, last, name in found:
        if start >= free_from:
            chosen.append((last, name))
            free_from = last + 1
    return chosen


def _code_point_array(table: dict[int, int]) -> npt.NDArray[np.uint32]:
    """A `str.translate` table as an array over every code point, for `translate_code_points` (several
    times faster than `str.translate` with a dict of this size)."""
    codes = np.arange(0x110000, dtype=np.uint32)
    codes[np.fromiter(table.keys(), dtype=np.int64, count=len(table))] = np.fromiter(
        table.values(), dtype=np.uint32, count=len(table)
    )
    return codes


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, int]:
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


def _beijing_meanings(gazetteer: Gazetteer) -> dict[str, list[_Meaning]]:
    """Folded Beijing name → every (district, street, community) it can mean, with a weight."""
    meanings: dict[str, list[_Meaning]] = defaultdict(list)

    def add(name: str, meaning: _Meaning) -> None:
        meanings[_fold(name)].append(meaning)

    for district in gazetteer.districts.values():
        add(district.name, _Meaning(W_DISTRICT, district.name))
        add(district.short, _Meaning(W_DISTRICT_SHORT, district.name))
    district_shorts = {d.short for d in gazetteer.districts.values()}
    outside_names = set(_EXTRA_OUTSIDE) | {
        p.name for p in gazetteer.outside if p.level in ("province", "city")
    }
    street_names = {street.name for street in gazetteer.streets}
    for street in gazetteer.streets:
        add(street.name, _Meaning(W_STREET, street.district, street.name))
        if street.name.endswith("地区"):  # 上庄地区 was 上庄镇, and people still say so
            for old in (street.name[:-2] + "镇", street.name[:-2] + "乡"):
                if old not in street_names:
                    add(old, _Meaning(W_STREET, street.district, street.name))
        short = street.short
        # 河北镇's 河北 is the province; 海淀街道's 海淀 is the district.
        if short == street.name or short in outside_names or short in district_shorts:
            continue
        rows = gazetteer.aliases_by_name.get(short, [])
        if short in _WEAK_STREET_SHORTS:
            weight = W_WEAK_STREET_SHORT
        elif (
            any(r.district == street.district for r in rows)
            and street.name not in gazetteer.ambiguous_street_names
        ):
            weight = W_AREA * ALIAS_RANK_FACTOR ** len(rows)  # after the alias table's own rows
        else:
            weight = W_STREET_SHORT
        add(short, _Meaning(weight, street.district, street.name, kind="street_short"))

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
            if len(name) >= 3 and name not in _GENERIC_COMMUNITY_SHORTS:
                split = weight / repeats[community.name]
                add(name, _Meaning(split, community.district, community.street, community.name, kind))
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
        add(alias.alias, _Meaning(weight, alias.district, alias.street, held, kind="alias"))
    return meanings


def _outside_names(gazetteer: Gazetteer, beijing_keys: set[str]) -> dict[str, tuple[str, bool]]:
    """Outside names worth trusting, folded → (region, whether to check the hit for glued words)."""
    found: dict[str, set[str]] = defaultdict(set)
    for place in gazetteer.outside:
        neighbour = place.region in NEIGHBOUR_REGIONS
        official = place.name.endswith(_OUTSIDE_SUFFIXES) and len(place.name) >= 3
        if place.level == "district" and not (neighbour or official):
            continue  # a two-character county short elsewhere (普陀, 安宁, 永平) is too often a word
        if place.level == "street" and not (neighbour and official):
            continue
        if place.name not in _OUTSIDE_STOP:
            found[_fold(place.name)].add(place.region)
    for name, region in _EXTRA_OUTSIDE.items():
        found[_fold(name)].add(region)
    return {
        key: (next(iter(regions)), not key.endswith(_OUTSIDE_SUFFIXES))
        for key, regions in found.items()
        # A name of two regions (和平区) or of a Beijing place too (经开区) says nothing for sure.
        if len(regions) == 1 and key not in beijing_keys
    }


def _compile(
    key: str,
    meanings: list[_Meaning],
    *,
    explicit: bool,
    weak: bool,
    stop_next: tuple[str, ...],
    region: str | None,
    check_swallow: bool,
    check_cross: bool,
    beijing: bool,
) -> _Name:
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
    return _Name(
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
    )


@dataclass(frozen=True)
class _Lexicon:
    """What the resolver needs from jieba's dictionary (its words and their counts)."""

    char_counts: dict[str, int]  # how common each character is: the counts of the words it is in
    everyday: frozenset[str]  # shorts that are everyday words, not place names (八角, 行政区)
    swallowing: frozenset[str]  # everyday words that hold a checked name and more (人大代表, 复合肥)
    hidden: frozenset[str]  # the checked names that some of those words hold
    ending: dict[str, frozenset[str]]  # first character of a name → what can precede it in a word
    starting: dict[str, frozenset[str]]  # last character of a name → what can follow it in a word


def _read_lexicon(shorts: set[str], swallowed: set[str], crossed: set[str]) -> _Lexicon:
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        return _Lexicon({}, frozenset(), frozenset(), frozenset(), {}, {})
    path = Path(next(iter(spec.submodule_search_locations))) / "dict.txt"
    chars: dict[str, int] = defaultdict(int)
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
            for char in raw:
                chars[char] += frequency
            if frequency < GLUE_WORD_MIN_FREQ or tag.startswith("ns") or len(raw) < 2:
                continue  # a place name (故宫博物院) glues nothing away
            word = _fold(raw)
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
    # Punctuation and digits are not in jieba's dictionary but are everywhere in requests.
    for rank, char in enumerate(reversed(_COMMON_SYMBOLS)):
        chars[char] = 10**9 + rank
    return _Lexicon(
        char_counts=dict(chars),
        everyday=frozenset(everyday),
        swallowing=frozenset(swallowing),
        hidden=frozenset(hidden),
        ending={char: frozenset(found) for char, found in ending.items()},
        starting={char: frozenset(found) for char, found in starting.items()},
    )


# --- small helpers -------------------------------------------------------------------------------------


def _count(hits: list[_Hit]) -> list[_Hit]:
    """One hit per distinct name, at its most telling mention; each further mention adds REPEAT_SHARE of
    its own weight (a name said three times matters more, but 香港 thrice is not three places)."""
    by_name: dict[int, list[_Hit]] = {}
    for hit in hits:
        by_name.setdefault(id(hit.name), []).append(hit)
    counted = []
    for mentions in by_name.values():
        if len(mentions) == 1:
            counted.append(mentions[0])
            continue
        best = max(mentions, key=lambda h: (not h.support_only, h.factor))
        factor = best.factor + REPEAT_SHARE * (sum(h.factor for h in mentions) - best.factor)
        counted.append(_Hit(best.start, best.end, best.name, factor, best.commute, best.support_only))
    return counted


def _factor(folded: str, start: int, end: int, outside: bool) -> float:
    """How much the words around a mention say it is the place of the matter."""
    before = folded[max(0, start - 3) : start]
    if outside and (before.endswith(_ORIGIN_BEFORE) or folded.startswith(_ORIGIN_AFTER, end)):
        return ORIGIN_FACTOR
    if before.endswith(_RESIDENCE_BEFORE):
        return RESIDENCE_FACTOR
    if before.endswith(_REGISTRATION_BEFORE):
        return REGISTRATION_FACTOR
    if before.endswith(_DESTINATION_BEFORE):
        return DESTINATION_FACTOR
    return 1.0


def _commute(folded: str, start: int, end: int) -> bool:
    """在北京朝阳上班: the place of work, named beside the home that the request is about."""
    return folded.endswith("在", 0, start) and any(word in folded[end : end + 6] for word in _COMMUTE_AFTER)


def _shares_district(previous: _Name, name: _Name) -> bool:
    return bool(previous.districts.keys() & name.districts.keys())


def _street_votes(counted: list[_Hit]) -> dict[str, dict[str, float]]:
    """District → street → vote."""
    votes: dict[str, dict[str, float]] = {}
    for hit in counted:
        weight = hit.factor * (SUPPORT_ONLY_SHARE if hit.support_only else 1.0)
        for (district, street), vote in hit.name.streets.items():
            local = votes.setdefault(district, {})
            local[street] = local.get(street, 0.0) + vote * weight
    return votes


def _best_street(votes: dict[str, float] | None) -> tuple[str | None, float]:
    """The best street of a district and its share of the district's street vote."""
    if not votes:
        return None, 0.0
    # Exact ties (卢沟桥街道 and 卢沟桥地区 share the short 卢沟桥) go to the urban 街道, then by name.
    street, score = max(votes.items(), key=lambda item: (item[1], item[0].endswith("街道"), item[0]))
    return street, score / sum(votes.values())


def _span(text: str, hit: _Hit) -> Span:
    return Span(text[hit.start : hit.end], hit.start, hit.end)


def _outside(text: str, hits: list[_Hit], votes: dict[str, float]) -> Jurisdiction:
    region, score = max(votes.items(), key=lambda item: item[1])
    return Jurisdiction(
        in_beijing=False,
        region=region,
        district=None,
        district_code=None,
        street=None,
        street_code=None,
        community=None,
        confidence=round(0.5 + 0.45 * score / sum(votes.values()), 3),
        source="text",
        evidence=[_span(text, h) for h in hits if h.name.region == region][:MAX_EVIDENCE],
        candidates=[],
        ambiguous=False,
        reason="outside_beijing",
    )


def _no_district(
    evidence: list[Span],
    *,
    confidence: float = 0.5,
    candidates: list[Candidate] | None = None,
    reason: str = "no_district",
) -> Jurisdiction:
    """In Beijing, district unknown: only 北京 was named, or the names fit several districts equally."""
    return Jurisdiction(
        in_beijing=True,
        region=BEIJING,
        district=None,
        district_code=None,
        street=None,
        street_code=None,
        community=None,
        confidence=confidence,
        source="text",
        evidence=evidence,
        candidates=candidates or [],
        ambiguous=reason == "ambiguous",
        reason=reason,
    )


def _nothing() -> Jurisdiction:
    return Jurisdiction(
        in_beijing=None,
        region=None,
        district=None,
        district_code=None,
        street=None,
        street_code=None,
        community=None,
        confidence=0.0,
        source="none",
        evidence=[],
        candidates=[],
        ambiguous=False,
        reason="no_place_found",
    )
