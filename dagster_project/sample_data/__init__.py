"""Deterministic synthetic CRM generator: daily extract drops of a B2B SaaS sales org."""

from .generator import GenerationSummary, generate, generate_scale
from .scales import DEFAULT_START_DATE, SCALES, ScalePreset

__all__ = [
    "DEFAULT_START_DATE",
    "SCALES",
    "GenerationSummary",
    "ScalePreset",
    "generate",
    "generate_scale",
]
