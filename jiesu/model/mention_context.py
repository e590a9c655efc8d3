"""What the words around a place mention say (jiesu.model.jurisdiction): is it the place of the matter, a
home, a destination, a registration, where someone comes from, or a person's home, hometown or identity
rather than the matter's place. The word lists are reference data (`jurisdiction_words.json`); the
factors are model weights and stay here."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from typing import Literal

from jiesu.data.jurisdiction_words import JurisdictionWords
from jiesu.model.place_names import fold

RESIDENCE_FACTOR = 1.5
DESTINATION_FACTOR = 0.5
REGISTRATION_FACTOR = 0.3
ORIGIN_FACTOR = 0.2
# A Beijing place that introduces a person (家住…的王女士): below a plain mention of the matter's place,
# above a destination (居住在通州区的张女士说…每天要去北京站坐车 is 通州区); a district named as a home
# (4 × 0.35) then ties with an area or landmark of the matter (1.2 to 1.5: 家住西城区的李女士在国贸…), and
# the tie goes to the matter.
BACKGROUND_FACTOR = 0.35
PERSON_WINDOW = 24  # how far after a home the clause is read for 的 + a person word
PERSON_AFTER_DE = 8  # how far after that 的 the person word may end
OFFICE_PREFIXES = "市区某"  # 位于东城区的市交通委: what may stand between 的 and an office word
VILLAGE_WINDOW = 12  # how far after a Beijing place its clause is read for a village (某村, 村子)
IDENTITY_GAP = 4  # characters of no known name allowed between an identity's address and 的/人 (山西大同的)
COMMUTE_WINDOW = 6  # how far after a Beijing place a commute word (上班) is looked for
_CLAUSE_ENDS = re.compile(r"[，。,.;；！!？?：:\n]")

# What a mention says of a person rather than of the matter: "home" (Beijing names: 家住西城区的李女士,
# 本报记者家住朝阳区, a former home 我原来住在昌平区, the place of an office 本报位于东城区的编辑部), "hometown"
# (老家在…, outside names), "identity" (我是辽宁朝阳的, outside names); None: nothing of the kind.
MentionKind = Literal["home", "hometown", "identity"] | None


class MentionContext:
    def __init__(self, words: JurisdictionWords) -> None:
        self._words = words
        # How far back the address words are looked for: the longest of them (老家在, 户口在).
        self._before_window = max(
            len(word)
            for word in (
                *words.residence_before,
                *words.former_home_before,
                *words.hometown_before,
                *words.destination_before,
                *words.registration_before,
                *words.origin_before,
            )
        )

    def factor(
        self, text: str, folded: str, start: int, end: int, outside: bool
    ) -> tuple[float, MentionKind]:
        """How much the words around a mention say it is the place of the matter, and whether it rather
        says something of a person."""
        before = folded[max(0, start - self._before_window) : start]
        if outside and (
            before.endswith(self._words.origin_before) or folded.startswith(self._words.origin_after, end)
        ):
            return ORIGIN_FACTOR, None
        former_home = before.endswith(self._words.former_home_before) and not self._names_property(text, end)
        if not outside and (former_home or self._is_office(text, folded, start, end)):
            return BACKGROUND_FACTOR, "home"  # 我原来住在昌平区, 本报位于东城区的编辑部
        if not outside and self.is_identity(text, folded, start, end):
            # A Beijing place said as who the caller is (我是西城区人, 我是老宣武区人, 我是房山张坊的): it yields
            # to another Beijing place (jurisdiction.py), and is the place where it is the only one.
            return 1.0, "identity"
        if before.endswith(self._words.hometown_before):  # before 家在: 老家在 ends with it
            # A hometown counts as a home does; an outside one is marked, to yield to Beijing (in
            # `JurisdictionResolver.resolve`) where the text says nothing of a matter there.
            return RESIDENCE_FACTOR, ("hometown" if outside else None)
        if before.endswith(self._words.residence_before):
            if not outside and self._introduces_person(text, folded, start, end):
                return BACKGROUND_FACTOR, "home"
            return RESIDENCE_FACTOR, None
        if before.endswith(self._words.registration_before):
            return REGISTRATION_FACTOR, None
        if before.endswith(self._words.destination_before):
            return DESTINATION_FACTOR, None
        return 1.0, None

    def commute(self, folded: str, start: int, end: int) -> bool:
        """在北京朝阳上班: the place of work, named beside the home that the request is about."""
        return folded.endswith(self._words.commute_before, 0, start) and any(
            word in folded[end : end + COMMUTE_WINDOW] for word in self._words.commute_after
        )

    def is_identity(self, text: str, folded: str, start: int, end: int) -> bool:
        """Whether the address from `start` to `end` says who someone is (我是辽宁朝阳的, 我是河北廊坊人,
        我是燕郊的, 我是老宣武区人): after an identity word, and closing its clause with 的/人 (我是燕郊的业主
        says where the matter is, not who the caller is)."""
        if not folded.endswith(self._words.identity_before, 0, start):
            return False
        window = fold(text[end : end + IDENTITY_GAP + 2])
        parts = _CLAUSE_ENDS.split(window, maxsplit=1)
        closed = len(parts) > 1 or end + len(window) >= len(text)
        return closed and parts[0].endswith(self._words.identity_after)

    def speaks_of_home(self, text: str, places: Sequence[tuple[int, int, bool]]) -> bool:
        """The text speaks of a matter at someone's hometown: a word that names it (老家的宅基地, 家里的承包地),
        or a village word (村委会, 宅基地) unless the place named last before it is a Beijing one whose
        clause names a village: 老家河北邯郸，在北京通州区宋庄镇某村租地…村委会 speaks of 宋庄镇, while
        老家河北保定，在北京大兴区打工，村里的宅基地被占了 speaks of the hometown. `places` are the place
        mentions (start, end, outside), sorted by start."""
        folded = fold(text)
        if any(word in folded for word in self._words.hometown_matter):
            return True
        starts = [start for start, _, _ in places]
        for word in self._words.village_matter:
            at = folded.find(word)
            while at >= 0:
                before = bisect_right(starts, at) - 1
                # An outside hometown told in passing (在北京顺义区后沙峪镇某村租房住，老家河北保定，村委会…)
                # does not take the words of the village named before it.
                while before >= 0 and places[before][2]:
                    first = before  # 河北保定 is two mentions side by side: one address
                    while first > 0 and places[first - 1][2] and places[first - 1][1] >= places[first][0] - 1:
                        first -= 1
                    if not self._in_passing(folded, places[first][0]):
                        break
                    before = first - 1
                if before < 0 or places[before][2] or not _names_village(folded, places[before][1], at):
                    return True
                at = folded.find(word, at + 1)
        return False

    def _in_passing(self, folded: str, start: int) -> bool:
        """Whether an outside place says where someone comes from (老家河北保定, 我是河南人)."""
        return folded.endswith(self._words.hometown_before, 0, start) or folded.endswith(
            self._words.identity_before, 0, start
        )

    def _names_property(self, text: str, end: int) -> bool:
        """Whether a former home's clause goes on with 的 + a property (我原来住在昌平区回龙观的房子楼上漏水):
        the home is a property the caller still speaks of, which may be the place of the matter."""
        after = _after_de(text, end)
        return after is not None and after.startswith(self._words.former_home_property)

    def _is_office(self, text: str, folded: str, start: int, end: int) -> bool:
        """Whether a place says where an office or a newsroom is (本报位于东城区的编辑部, 在位于西城区的
        市交通委): an office_before word not said of the caller's own (我家位于), and the clause going on
        with 的 + an office word, at once or after 市/区/某 (位于朝阳区的小区对面就是区教委 is no office)."""
        marker = next((word for word in self._words.office_before if folded.endswith(word, 0, start)), None)
        if marker is None:
            return False
        if _said_before(text, start, marker).endswith(self._words.self_before):
            return False
        after = _after_de(text, end)
        return after is not None and after.lstrip(OFFICE_PREFIXES).startswith(self._words.office_words)

    def _introduces_person(self, text: str, folded: str, start: int, end: int) -> bool:
        """Whether a home introduces a person (news style: 家住北京市西城区的李昭(化名), 住在东城区的张先生,
        本报记者家住朝阳区): a person_home_before word not said by the caller of their own home (我家住,
        我住在), and either right after a person word or with the clause going on with 的 + a person word
        (not 住在朝阳区的一个老小区)."""
        marker = max(
            (word for word in self._words.person_home_before if folded.endswith(word, 0, start)),
            key=len,
            default=None,
        )
        if marker is None:
            return False
        said_before = _said_before(text, start, marker)
        if said_before.endswith(self._words.self_before):
            return False
        if said_before.endswith(self._words.person_before_home):  # 本报记者家住朝阳区 (王女士家住 is hers)
            return True
        after = _after_de(text, end)
        return after is not None and any(word in after[:PERSON_AFTER_DE] for word in self._words.person_words)


def _after_de(text: str, end: int) -> str | None:
    """What follows the first 的 in the clause after a mention (住在朝阳区的一个老小区 → 一个老小区); None
    where the clause has no 的 within PERSON_WINDOW."""
    clause = _CLAUSE_ENDS.split(fold(text[end : end + PERSON_WINDOW]), maxsplit=1)[0]
    de = clause.find("的")
    return clause[de + 1 :] if de >= 0 else None


def _said_before(text: str, start: int, marker: str) -> str:
    """The three characters before the address word `marker` that ends at `start` (我家 in 我家住在)."""
    return fold(text[max(0, start - len(marker) - 3) : start - len(marker)])


def _names_village(folded: str, end: int, until: int) -> bool:
    """Whether the clause after a place (up to `until`) names a village: 宋庄镇某村, 后沙峪镇的一个村子."""
    clause = _CLAUSE_ENDS.split(folded[end : min(until, end + VILLAGE_WINDOW)], maxsplit=1)[0]
    return "村" in clause
