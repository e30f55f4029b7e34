"""Turn change events into full row versions, and pick what each drop exports.

An entity's life is simulated as events: (entity, time, the fields it sets). Each
distinct (entity, time) becomes one version holding every field's latest value, the way
a CRM row looks after the change. The first event of every entity must set every field.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Changes:
    """Events: entity and time per row, and per field the value set and whether it is set."""

    entity: np.ndarray
    time: np.ndarray
    values: dict[str, np.ndarray]
    is_set: dict[str, np.ndarray]


def concat_changes(parts: list[Changes]) -> Changes:
    """Stack event batches; a field a batch does not touch is unset there."""
    fields = list(parts[0].values)
    values: dict[str, np.ndarray] = {}
    is_set: dict[str, np.ndarray] = {}
    for field in fields:
        dtype = parts[0].values[field].dtype
        values[field] = np.concatenate(
            [p.values.get(field, np.zeros(len(p.entity), dtype)) for p in parts]
        )
        is_set[field] = np.concatenate(
            [p.is_set.get(field, np.zeros(len(p.entity), bool)) for p in parts]
        )
    return Changes(
        np.concatenate([p.entity for p in parts]),
        np.concatenate([p.time for p in parts]),
        values,
        is_set,
    )


def changes(entity: np.ndarray, time: np.ndarray, **fields: np.ndarray) -> Changes:
    """A batch of events that each set the given fields."""
    entity = np.asarray(entity, dtype=np.int64)
    return Changes(
        entity,
        np.asarray(time, dtype=np.int64),
        {name: np.asarray(value) for name, value in fields.items()},
        {name: np.ones(len(entity), bool) for name in fields},
    )


@dataclass(frozen=True)
class Versions:
    """One row per (entity, time), sorted by entity then time, all fields filled."""

    entity: np.ndarray
    time: np.ndarray
    values: dict[str, np.ndarray]

    def take(self, index: np.ndarray) -> Versions:
        return Versions(
            self.entity[index], self.time[index], {k: v[index] for k, v in self.values.items()}
        )


def build_versions(events: Changes) -> Versions:
    """Forward-fill each field over an entity's events and keep the last row per time."""
    order = np.lexsort((events.time, events.entity))  # stable: later batches win ties
    entity = events.entity[order]
    time = events.time[order]
    first_of_entity = np.r_[True, entity[1:] != entity[:-1]]
    positions = np.arange(len(order))
    filled: dict[str, np.ndarray] = {}
    for field, value in events.values.items():
        is_set = events.is_set[field][order]
        if not is_set[first_of_entity].all():
            raise ValueError(f"the first event of every entity must set {field!r}")
        source = np.maximum.accumulate(np.where(is_set, positions, -1))
        filled[field] = value[order][source]
    last_of_time = np.r_[(entity[1:] != entity[:-1]) | (time[1:] != time[:-1]), True]
    return Versions(entity, time, filled).take(np.flatnonzero(last_of_time))


def latest_per_drop(entity: np.ndarray, drop: np.ndarray) -> np.ndarray:
    """Indices of the last row of each (entity, drop) run, for rows sorted by entity, time."""
    return np.flatnonzero(np.r_[(entity[1:] != entity[:-1]) | (drop[1:] != drop[:-1]), True])
