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
- Address words change a mention's weight: right after 住/家在/位于/搬到 … it counts 1.5 times,
  after 去/到/回/往 (a destination) half, after 户口在/户籍在 (registration, not the matter) 0.3 times;
  a list (去大兴、房山) takes the weight of its first item (what the words around a mention say is read
  in jiesu.model.mention_context). Places listed side by side that lie in different districts count
  LIST_FACTOR times: an overview or a comparison ("类似问题在海淀区、丰台区也时有发生"; "海淀区五道口、朝阳区
  望京、昌平区回龙观……这些地方"), not the place of the matter, which is named on its own.
- A Beijing place that introduces a person rather than the matter (BACKGROUND_FACTOR) decides a tie
  only after the others: a home in news style, where the clause goes on with 的 and a person word
  ("家住北京市西城区的李昭(化名)曾为女儿报名位于丰台区草桥的游泳培训班" is 丰台区), a home said right
  after a person ("本报记者家住朝阳区，昨天去房山区长阳镇采访" is 房山区), and the place of an office or a
  newsroom ("本报位于东城区的编辑部接到读者电话…家住丰台区" is 丰台区). A hometown counts as
  a home (老家在大兴区庞各庄镇，村里的老宅被强拆了，我现在住在海淀 is 大兴区). The caller's own home (我家住西城区, 我住在朝阳区的一个老小区) is the place of the matter, as before; a
  person's home alone still places the request.
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
  and an outside place said only as an origin places nothing. Where someone comes from yields to
  Beijing: an outside hometown (老家河北承德) to any Beijing place in the text ("老家河北承德的，在北京
  海淀上班" is 海淀区), unless the text speaks of a matter at home (hometown_matter: "在北京海淀区打工，
  老家在河北涞水县，家里的承包地被村里占了" is 河北; the words belong to the place named last before them:
  "老家河北邯郸，在北京通州区宋庄镇某村租地…村委会" is 通州区); an identity closing its clause (我是辽宁朝阳的，
  我是河北廊坊人) to Beijing named at all ("我是辽宁朝阳的，在北京打工" is 北京, no district; "我是燕郊的
  业主" is no identity).
- A Beijing district name right after the name of a region where a city or county has that name (辽宁
  朝阳, 吉林朝阳, 江苏南通通州: `Gazetteer.district_homonyms`) is part of that outside address, at that
  mention only ("老家南通通州，住北京通州梨园" is 通州区 梨园).
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

Where things are: the word lists (address words, stop words, everyday street shorts, extra outside
names) are reference data in `jiesu/data/resources/jurisdiction_words.json`; the weights are model
parameters, in this module (scoring) and in `jiesu/model/place_names.py` (the names, their meanings and
weights, and the automaton). jieba's dictionary is a model's own copy (saved with it like `userdict.txt`).

Speed: the scan is one `str.translate` (folding, and one stand-in for every character that is in no
name) and one `iter_long`; about 0.09 ms for a 300-character request, 0.03 ms for a typical one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from jiesu.data.gazetteer import BEIJING, Gazetteer, load_gazetteer
from jiesu.data.jurisdiction_words import JurisdictionWords, load_jurisdiction_words
from jiesu.data.resources import file_sha256
from jiesu.model.mention_context import BACKGROUND_FACTOR, ORIGIN_FACTOR, MentionContext, MentionKind
from jiesu.model.place_names import (
    W_DISTRICT_SHORT,
    PlaceName,
    build_automaton,
    code_point_array,
    fold,
    installed_dictionary,
    longest_matches,
    scan_table,
)
from jiesu.model.text import MAX_TEXT_CHARS, check_string, translate_code_points

Source = Literal["text", "caller", "none"]

# Weight of a mention of an outside place, and what scoring does with the votes. The weights of Beijing
# names are in jiesu.model.place_names.
W_OUTSIDE = 2.0
SUPPORT_ONLY_SHARE = 0.3  # an everyday word's share in the street vote
REPEAT_SHARE = 0.5  # what each further mention of a name adds
AMBIGUOUS_RATIO = 0.75
MAX_TIED = 3
COMMUTE_FACTOR = 0.3
# Places listed side by side that lie in different districts (类似问题在海淀区、丰台区也时有发生; 海淀区五道口、
# 朝阳区望京、昌平区回龙观……这些地方): an overview or a comparison, not the place of the matter.
LIST_FACTOR = 0.3
MAX_EVIDENCE = 20
_NUMBER_JOINS = frozenset(" -.－/·")  # what separates the groups of a phone number (139-0798-1234)


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


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    name: PlaceName
    factor: float  # what the words around the mention say
    commute: bool  # 在北京朝阳上班: discounted against an outside place only
    support_only: bool = False  # an everyday word with no place word after it
    kind: MentionKind = None  # what the mention says of a person rather than of the matter


class JurisdictionResolver:
    """Resolves request texts to a jurisdiction. Building compiles an automaton (about a second); build
    once per gazetteer, or use `default_resolver()`.

    `words` are the context and stop words (`resources/jurisdiction_words.json` by default);
    `dictionary` is the jieba dictionary whose word counts say which names hide in everyday words: a
    model's own copy (`RequestClassifier.jieba_dictionary_`), by default the installed jieba's."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        words: JurisdictionWords | None = None,
        dictionary: Path | None = None,
    ) -> None:
        words = words or load_jurisdiction_words()
        self.gazetteer_version = gazetteer.version
        self.words_version = words.version
        self._districts = gazetteer.districts
        self._street_codes = {(s.district, s.name): s.code for s in gazetteer.streets}
        self._caller_names = {d.name: d.name for d in gazetteer.districts.values()}
        self._caller_names.update({d.short: d.name for d in gazetteer.districts.values()})
        self._automaton, alphabet, self._lexicon = build_automaton(
            gazetteer, words, dictionary or installed_dictionary()
        )
        self._scan_codes = code_point_array(scan_table(alphabet))
        self._place_words = words.place_words
        self._list_joins = frozenset(words.list_joins)
        self._rail_line_next = words.rail_line_next
        self._number_stop_before = words.number_stop_before
        self._context = MentionContext(words)

    def resolve(self, text: str, caller_district: str | None = None) -> Jurisdiction:
        """The jurisdiction of one request; ValueError for an empty text or an unknown caller district."""
        check_string(text)
        caller = self._caller(caller_district)
        head = text[:MAX_TEXT_CHARS]
        hits = self._hits(head, translate_code_points(head, self._scan_codes))

        counted = _count(hits)
        votes: dict[str, float] = defaultdict(float)
        against_outside: dict[str, float] = defaultdict(float)
        outside: dict[str, float] = defaultdict(float)
        # Where someone comes from yields to Beijing: an identity (我是辽宁朝阳的) to Beijing named at all (在
        # 北京打工); an outside hometown to a Beijing place (老家河北保定，现在在丰台区打工), unless the text
        # speaks of a matter at home (老家在河北涞水，家里的承包地被村里占了).
        beijing_place = any(hit.name.districts and not hit.support_only for hit in counted)
        beijing_said = beijing_place or any(hit.name.beijing for hit in counted)
        matter_at_home = any(hit.kind == "hometown" for hit in counted) and self._context.speaks_of_home(
            head,
            [
                (hit.start, hit.end, hit.name.region is not None)
                for hit in hits
                if hit.name.region is not None or (hit.name.districts and not hit.support_only)
            ],
        )
        other_place = any(
            hit.name.districts and not hit.support_only and hit.name.region is None and hit.kind != "identity"
            for hit in counted
        )
        for hit in counted:
            if hit.name.region is not None:
                yields = (hit.kind == "identity" and beijing_said) or (
                    hit.kind == "hometown" and beijing_place and not matter_at_home
                )
                outside[hit.name.region] += W_OUTSIDE * (ORIGIN_FACTOR if yields else hit.factor)
            elif not hit.support_only:
                commute = COMMUTE_FACTOR if hit.commute else 1.0
                # A Beijing place said as who the caller is (我是老宣武区人) is a background beside another.
                factor = hit.factor * (BACKGROUND_FACTOR if hit.kind == "identity" and other_place else 1.0)
                for district, vote in hit.name.districts.items():
                    votes[district] += vote * factor
                    against_outside[district] += vote * factor * commute
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
        # Beijing names met right after an outside name belong to its address (辉县市百泉镇): they and
        # their later mentions (百泉纪委) are that place's, unless said to be Beijing's again (北京百泉).
        # District names are left alone (辽宁朝阳人，现在住北京朝阳; 老家南通通州，住北京通州梨园): the votes
        # of the whole text settle them, as before.
        # A district name is claimed only where it is a city or county of the region just named (辽宁朝阳,
        # 江苏南通通州), and only there: a later 朝阳 is Beijing's again.
        claimed: set[PlaceName] = set()
        address_end = -1  # where the last outside name, or a name claimed by it, ends
        address: list[_Hit] = []  # the outside names of the address that ends there
        for last, name in longest_matches(self._automaton, folded):
            end = last + 1
            start = end - name.length
            if name in claimed and not self._beijing_again(folded, start):
                continue
            if start == address_end and name.region is None and not name.beijing:
                if not name.explicit:
                    claimed.add(name)
                    address_end = end
                    continue
                if address and address[-1].name.region in name.homonym_regions:
                    address_end = end
                    continue
            if name.stop_next and folded.startswith(name.stop_next, end):
                continue
            if name.districts and folded.startswith(self._rail_line_next, end):  # 亦庄线, 房山线: rail lines
                continue
            if (name.check_swallow or name.check_cross) and self._glued(text, start, end, name.check_cross):
                continue
            if name.digit_edges != (False, False) and (
                _inside_number(text, start, end, name.digit_edges)
                or (name.digit_edges[0] and folded.endswith(self._number_stop_before, 0, start))
            ):
                continue  # 798 in 13907981234 or in 房间号798 is a number, not the art district
            factor, kind = self._context.factor(text, folded, start, end, name.region is not None)
            hit = _Hit(start, end, name, factor, self._context.commute(folded, start, end), kind=kind)
            adjacent = previous is not None and folded[previous.end : start] in self._list_joins
            if previous is not None and adjacent and hit.factor == 1.0 and hit.kind is None:
                hit.factor = previous.factor  # 去大兴、房山, 从河南郑州: the first word covers the list
                if (previous.name.region is None) == (name.region is None):
                    hit.kind = previous.kind  # 家住北京市西城区的, 老家河北承德
            if name.weak and not (
                folded.startswith(self._place_words, end)
                or (previous is not None and previous.end == start and _shares_district(previous.name, name))
            ):
                hit.support_only = True
            hits.append(hit)
            previous = hit
            if name.region is not None:
                if start != address_end:
                    self._mark_identity(text, folded, address, address_end)
                    address = []
                address.append(hit)
                address_end = end
        self._mark_identity(text, folded, address, address_end)
        self._discount_lists(folded, hits)
        return hits

    def _discount_lists(self, folded: str, hits: list[_Hit]) -> None:
        """Beijing places listed side by side (joined by 、, 和, 及 …; each item may be an address of
        several names: 海淀区五道口) count LIST_FACTOR times where two items lie in different districts:
        the list is an overview or a comparison, and a place named on its own is the matter's."""
        items: list[list[_Hit]] = []  # the items of the list being read, each an address

        def close() -> None:
            districts = [set().union(*(hit.name.districts for hit in item)) for item in items]
            if any(not a & b for i, a in enumerate(districts) for b in districts[i + 1 :]):
                for item in items:
                    for hit in item:
                        hit.factor *= LIST_FACTOR
            items.clear()

        previous: _Hit | None = None
        for hit in hits:
            if hit.name.region is not None or not hit.name.districts:
                close()
                previous = None
                continue
            join = folded[previous.end : hit.start] if previous is not None else None
            if join == "" and items:
                items[-1].append(hit)  # the same address: 海淀区五道口
            elif join is not None and join in self._list_joins:
                items.append([hit])
            else:
                close()
                items.append([hit])
            previous = hit
        close()

    def _mark_identity(self, text: str, folded: str, address: list[_Hit], end: int) -> None:
        """An outside address said as who someone is (我是辽宁朝阳的): its names are marked "identity" (they
        yield to Beijing where the text names it)."""
        if address and self._context.is_identity(text, folded, address[0].start, end):
            for hit in address:
                if hit.kind is None and hit.factor == 1.0:
                    hit.kind = "identity"

    def _beijing_again(self, folded: str, start: int) -> bool:
        """A claimed name said again as Beijing's: right after 北京 (an address word is not enough: 我家住
        百泉镇 in a Henan village's letter is still that village's town)."""
        return folded.endswith(("北京", "北京市"), 0, start)

    def _glued(self, text: str, start: int, end: int, cross: bool) -> bool:
        """True when an everyday word swallows the hit and its neighbours (人大代表, 复合肥), or, with
        `cross`, when the hit's first character ends a word with what comes before and its last starts
        one with what follows (回迁|安置 holds no 迁安, 医保|定点 no 保定; but 香河|段 is 香河)."""
        left = max(0, start - 3)
        around = fold(text[left : end + 3])  # the scan form has lost the characters of no name
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
                # A person's home or hometown (家住西城区的李女士) decides only after the places of the matter.
                ordered = [h for h in hits if h.kind is None] + [h for h in hits if h.kind is not None]
                district = next(
                    (h.name.preferred for h in ordered if not h.support_only and h.name.preferred in tied),
                    None,
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


def default_resolver(dictionary: Path | None = None) -> JurisdictionResolver:
    """The resolver over the shipped gazetteer and jurisdiction words that reads word counts from
    `dictionary` (a model's copy of jieba's dictionary; by default the installed one). Built once per
    dictionary content: every model saved with the same dictionary shares one resolver."""
    path = dictionary or installed_dictionary()
    if path is None:
        return _resolver(_Dictionary("", None))
    stat = path.stat()
    return _resolver(_Dictionary(_file_digest(path, stat.st_mtime_ns, stat.st_size), path))


@dataclass(frozen=True)
class _Dictionary:
    """A jieba dictionary, equal to another by its content alone."""

    sha256: str
    path: Path | None = field(compare=False)


@lru_cache(maxsize=4)
def _file_digest(path: Path, _mtime_ns: int, _size: int) -> str:
    """sha256 of a file, hashed once while it stays unchanged (a 5 MB dictionary takes ~10 ms): the
    modification time and size are in the cache key only."""
    return file_sha256(path)


@lru_cache(maxsize=4)
def _resolver(dictionary: _Dictionary) -> JurisdictionResolver:
    return JurisdictionResolver(load_gazetteer(), dictionary=dictionary.path)


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
        # Said of a person only where every mention is (老家在涞水 … 涞水县政府 is a place of the matter).
        kind = best.kind if all(h.kind == best.kind for h in mentions) else None
        counted.append(_Hit(best.start, best.end, best.name, factor, best.commute, best.support_only, kind))
    return counted


def _inside_number(text: str, start: int, end: int, digit_edges: tuple[bool, bool]) -> bool:
    """Whether a name that starts or ends with a digit (798, 301医院) is part of a longer number there: a
    digit right beside that edge, or a digit after one separator (139-798-1234, 139 0798 1234)."""
    starts, ends = digit_edges
    before, after = text[max(0, start - 2) : start], text[end : end + 2]
    if starts and (before[-1:].isdigit() or (before[:1].isdigit() and before[1:] in _NUMBER_JOINS)):
        return True
    return ends and (after[:1].isdigit() or (after[1:].isdigit() and after[:1] in _NUMBER_JOINS))


def _shares_district(previous: PlaceName, name: PlaceName) -> bool:
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
