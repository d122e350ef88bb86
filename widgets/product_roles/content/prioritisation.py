"""Two prioritisation formulas, WSJF and RICE, applied to an invented set of features.

The example lives in ``data/prioritisation_example.yaml``. Its numbers are
illustrative estimates for a fictional product; what the course shows with them is
that two reasonable formulas can rank the same work very differently.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from product_roles.content.loader import ContentError, data_file, read_yaml

# SAFe scores every WSJF input on this relative scale (a modified Fibonacci sequence).
WSJF_SCALE = (1, 2, 3, 5, 8, 13, 20)
# Intercom's scales for impact and confidence.
RICE_IMPACT = (0.25, 0.5, 1, 2, 3)
RICE_CONFIDENCE = (0.5, 0.8, 1)


@dataclass(frozen=True)
class Feature:
    id: str
    name: str
    business_value: int
    time_criticality: int
    risk_reduction: int
    job_size: int
    reach: float
    impact: float
    confidence: float
    effort: float

    @property
    def cost_of_delay(self) -> int:
        """SAFe's cost of delay: the sum of the three value inputs."""
        return self.business_value + self.time_criticality + self.risk_reduction

    @property
    def wsjf(self) -> float:
        """Weighted shortest job first: cost of delay divided by job size."""
        return self.cost_of_delay / self.job_size

    @property
    def rice(self) -> float:
        """Reach times impact times confidence, divided by effort."""
        return self.reach * self.impact * self.confidence / self.effort


def _number(where: str, name: str, value, allowed=None, positive=True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ContentError(f"{where}: field {name!r} should be a number")
    if allowed is not None and value not in allowed:
        raise ContentError(f"{where}: field {name!r} is {value}, not one of {allowed}")
    if positive and value <= 0:
        raise ContentError(f"{where}: field {name!r} must be positive")
    return value


def parse(data) -> tuple[Feature, ...]:
    """Validate the decoded example and return its features, in file order.

    Raises
    ------
    ContentError
        Naming the feature and the field that is missing or off its scale.
    """
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise ContentError("prioritisation example: field 'features' is missing")
    features = []
    for index, entry in enumerate(data["features"], start=1):
        if not isinstance(entry, dict):
            raise ContentError(f"feature #{index}: expected a mapping of fields")
        where = f"feature {entry.get('id', f'#{index}')!r}"
        for field in ("id", "name", "wsjf", "rice"):
            if field not in entry:
                raise ContentError(f"{where}: field {field!r} is missing")
        wsjf, rice = entry["wsjf"], entry["rice"]
        try:
            values = {
                name: _number(where, name, wsjf[name], WSJF_SCALE)
                for name in ("business_value", "time_criticality", "risk_reduction", "job_size")
            }
            values["reach"] = _number(where, "reach", rice["reach"])
            values["impact"] = _number(where, "impact", rice["impact"], RICE_IMPACT)
            values["confidence"] = _number(where, "confidence", rice["confidence"], RICE_CONFIDENCE)
            values["effort"] = _number(where, "effort", rice["effort"])
        except (KeyError, TypeError) as err:
            raise ContentError(f"{where}: field {err} is missing") from err
        features.append(Feature(str(entry["id"]), str(entry["name"]), **values))
    if len({f.id for f in features}) != len(features):
        raise ContentError("prioritisation example: a feature id repeats")
    return tuple(features)


def ranking(features, score: str) -> list[Feature]:
    """The features from highest to lowest ``score`` ("wsjf" or "rice")."""
    if score not in ("wsjf", "rice"):
        raise ValueError(f"score must be 'wsjf' or 'rice', not {score!r}")
    return sorted(features, key=lambda f: getattr(f, score), reverse=True)


@lru_cache(maxsize=1)
def load() -> tuple[Feature, ...]:
    """The example features shipped with the package."""
    return parse(read_yaml(data_file("prioritisation_example.yaml"), "prioritisation example"))
