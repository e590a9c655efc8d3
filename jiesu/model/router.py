"""The router: dispatch-catalogue lookup with the category and the jurisdiction (Regulation art. 12).

The first rule of the category whose conditions hold gives the unit. A street-level unit needs the
street; where only the district is known the district government receives the ticket. Where no place is
known the rule's city-level unit takes it (its own unit where that needs no place, else its `city_unit`:
a bus route → 北京公交集团, social-insurance rules → 北京市人力资源和社会保障局), and the request goes
to consultation (no_jurisdiction) only where the rule's duty is local (a noise complaint, a pothole: a
person must find the place first) and the request is not of a type that needs no place (a suggestion
about the rules, 建议: the catalogue's `city_request_types`).
Requests located in Tianjin or Hebei go to the neighbouring hotlines (京津冀协同, art. 21).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from jiesu.data.catalogue import Catalogue, CatalogueRule, DeadlineTier, UnitSpec, render_unit
from jiesu.data.gazetteer import BEIJING, NEIGHBOUR_REGIONS
from jiesu.data.unit_names import UnitNames, load_unit_names
from jiesu.data.workflow_settings import WorkflowSettings
from jiesu.model.literals import Literals

_TEMPLATE_CACHE_SIZE = 100_000
_MISSING = object()
# Unit types that the development area's committee (亦庄, `units.json`) takes in its area: it receives the
# tickets that elsewhere go to a street office, a district department or the district government.
_LOCAL_TYPES = ("street", "district_department", "district_government")


@dataclass(frozen=True)
class Route:
    unit: str
    unit_type: str
    copy_to: list[str]
    rule_id: str
    alternatives: list[tuple[str, str]]
    deadline_tier: DeadlineTier
    deadline_hours: int


@dataclass(frozen=True)
class RoutingResult:
    route: Route | None
    problems: list[str] = field(
        default_factory=list
    )  # consultation reasons: no_catalogue_rule, no_jurisdiction

    @property
    def route_unit(self) -> str | None:
        return self.route.unit if self.route else None


class Router:
    def __init__(
        self, catalogue: Catalogue, settings: WorkflowSettings, unit_names: UnitNames | None = None
    ) -> None:
        self.catalogue = catalogue
        self.settings = settings
        self.unit_names = unit_names or load_unit_names()
        # Every catalogue keyword in one automaton: the consultation asks for the template of each likely
        # category of one text, and one scan finds the keywords that all those rules test.
        self._keywords = Literals(
            (word, word) for rule in catalogue.rules for word in rule.when.keywords_any if word
        )
        # (category, street known, keywords present) → template: most texts hold none of the keywords.
        self._template_cache: dict[tuple[str | None, bool, frozenset[str]], str | None] = {}

    def route(
        self,
        category_l2: str | None,
        folded_text: str,
        district: str | None,
        street: str | None,
        region: str | None = None,
        in_beijing: bool | None = None,
        request_type: str | None = None,
    ) -> RoutingResult:
        """The route of one request. `request_type` (咨询, 建议 …): a type in the catalogue's
        `city_request_types` needs no place, whatever the rule's duty."""
        names = self.unit_names
        if in_beijing is False:
            if region in NEIGHBOUR_REGIONS:
                hours = self.settings.hours_for("ordinary")
                route = Route(
                    names.neighbour_transfer,
                    "city_department",
                    [],
                    "neighbour-transfer",
                    [],
                    "ordinary",
                    hours,
                )
                return RoutingResult(route)
            return RoutingResult(None, ["outside_beijing"])
        rules = self.catalogue.rules_for(category_l2) if category_l2 else []
        if not rules:
            return RoutingResult(None, ["no_catalogue_rule"])
        rule = next((r for r in rules if self._applies(r, folded_text, street)), None)
        if rule is None:
            return RoutingResult(None, ["no_catalogue_rule"])
        hours = self.settings.hours_for(rule.deadline_tier)
        alternatives = self._rendered(rule.alternatives, district, street)
        unit = render_unit(rule.unit, district, street)
        area = names.development_area
        if street == area.street and rule.unit_type in _LOCAL_TYPES:
            others = [alt for alt in alternatives if alt[0] != area.unit]
            route = Route(area.unit, "street", [], rule.id, others[:2], rule.deadline_tier, hours)
            return RoutingResult(route)
        if unit is not None:
            copy_to = (
                [names.district_government_of(district)] if rule.copy_district_government and district else []
            )
            return RoutingResult(
                Route(unit, rule.unit_type, copy_to, rule.id, alternatives[:2], rule.deadline_tier, hours),
                self._place_problems(rule, district, request_type),
            )
        if district:
            # Street unknown, district known: the district government leads (art. 12).
            government = names.district_government_of(district)
            fallback = [alt for alt in alternatives if alt[0] != government]
            route = Route(
                government,
                "district_government",
                [],
                rule.id,
                fallback[:2],
                rule.deadline_tier,
                hours,
            )
            return RoutingResult(route)
        # No place known and the rule's unit needs one: its city-level unit takes the request.
        city = rule.placeless_unit
        if city is None:  # a catalogue that `jiesu data check` refuses
            return RoutingResult(None, ["no_jurisdiction"])
        others = [alt for alt in alternatives if alt[0] != city.unit]
        route = Route(city.unit, city.unit_type, [], rule.id, others[:2], rule.deadline_tier, hours)
        return RoutingResult(route, self._place_problems(rule, district, request_type))

    def _place_problems(
        self, rule: CatalogueRule, district: str | None, request_type: str | None
    ) -> list[str]:
        """no_jurisdiction where no district is known and the duty is local: a person finds the place."""
        local = rule.duty == "local" and request_type not in self.catalogue.city_request_types
        return ["no_jurisdiction"] if district is None and local else []

    def lead_unit_template(self, category_l2: str | None, folded_text: str, street: str | None) -> str | None:
        """The unit template of the rule that would take the request (`{district}水务局`), place or not:
        two matters with different templates go to different units wherever they are."""
        return self.lead_unit_templates([category_l2], folded_text, street)[0]

    def lead_unit_templates(
        self, categories: Sequence[str | None], folded_text: str, street: str | None
    ) -> list[str | None]:
        """`lead_unit_template` for several categories of one text, scanning the text once."""
        present = self.keywords_in(folded_text)
        street_known = street is not None
        cache = self._template_cache
        if len(cache) > _TEMPLATE_CACHE_SIZE:
            cache.clear()
        templates: list[str | None] = []
        for category in categories:
            key = (category, street_known, present)
            # One read of the cache, so a clear() by another thread between check and read cannot bite.
            template = cache.get(key, _MISSING)
            if template is _MISSING:
                rules = self.catalogue.rules_for(category) if category else []
                rule = next((r for r in rules if self._applies_given(r, present, street)), None)
                template = rule.unit if rule is not None else None
                cache[key] = template
            templates.append(template if isinstance(template, str) else None)
        return templates

    def keywords_in(self, folded_text: str) -> frozenset[str]:
        strings = self._keywords.strings
        return frozenset(strings[index] for index in self._keywords.present(folded_text))

    @staticmethod
    def _applies_given(rule: CatalogueRule, present: frozenset[str], street: str | None) -> bool:
        when = rule.when
        if when.keywords_any and not any(word in present for word in when.keywords_any):
            return False
        return when.street_known is None or when.street_known == (street is not None)

    @staticmethod
    def _applies(rule: CatalogueRule, folded_text: str, street: str | None) -> bool:
        when = rule.when
        if when.keywords_any and not any(word in folded_text for word in when.keywords_any):
            return False
        return when.street_known is None or when.street_known == (street is not None)

    @staticmethod
    def _rendered(specs: list[UnitSpec], district: str | None, street: str | None) -> list[tuple[str, str]]:
        rendered: list[tuple[str, str]] = []
        for spec in specs:
            unit = render_unit(spec.unit, district, street)
            if unit is not None:
                rendered.append((unit, spec.unit_type))
        return rendered


def labelled_unit(
    router: Router,
    category_l2: str | None,
    folded_text: str,
    region: str | None,
    district: str | None,
    street: str | None,
) -> str | None:
    """The unit the catalogue gives a category at a labelled place (a corpus row's `region`, `district`,
    `street`; no region: no place named), as a suggestion with that place resolved would name it."""
    in_beijing = None if region is None else region == BEIJING
    return router.route(category_l2, folded_text, district, street, region, in_beijing).route_unit
