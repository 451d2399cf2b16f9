"""The mechanisms' parameter records of one scenario, built once when the model is.

Each mechanism declares the scenario keys it reads as a frozen dataclass whose fields are
named like the keys of the ``[experience]`` section (``complaints.Handling`` has
``complaint_threshold``, ...), so filling one is generic and a new key of a rule is one
field in its record and one in the schema.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, get_type_hints

from loyaltysim.mechanisms.breaches import Shelter
from loyaltysim.mechanisms.complaints import Handling
from loyaltysim.mechanisms.delivery import Scoring
from loyaltysim.mechanisms.experience import Learning
from loyaltysim.mechanisms.switching import ChurnRule
from loyaltysim.mechanisms.word_of_mouth import Influence, Talk
from loyaltysim.scenario.schema import ExperienceConfig


def from_section[T](record: type[T], section: Any) -> T:
    """The parameter record ``record`` filled from the same-named keys of ``section``."""
    return record(**{field.name: getattr(section, field.name) for field in fields(record)})


@dataclass(frozen=True)
class Rules:
    """Every rule's parameter record, from the scenario's ``[experience]`` section."""

    scoring: Scoring
    learning: Learning
    handling: Handling
    churn: ChurnRule
    shelter: Shelter
    talk: Talk
    influence: Influence

    @classmethod
    def of(cls, experience: ExperienceConfig) -> Rules:
        """The records of ``experience``."""
        hints = get_type_hints(cls)
        return cls(**{f.name: from_section(hints[f.name], experience) for f in fields(cls)})
