"""The measures catalog: browse it; admins edit it."""

from __future__ import annotations

import strawberry

from credithub.services import catalog
from schema import errors
from schema.context import Info
from schema.measures import (
    SAVE_MEASURE_ERRORS,
    SET_MEASURE_ACTIVE_ERRORS,
    Measure,
    MeasureInput,
    SaveMeasureResult,
    SaveMeasureSuccess,
    SetMeasureActiveResult,
    SetMeasureActiveSuccess,
)


@strawberry.type
class MeasureQueries:
    @strawberry.field(description="The measures catalog, by code.")
    async def measures(self, info: Info) -> list[Measure]:
        info.context.viewer  # noqa: B018 (authenticated callers only)
        config = await info.context.reading.engine.current(info.context.reading.pool)
        return [Measure.from_domain(measure) for measure in config.catalog]


@strawberry.type
class MeasureMutations:
    @strawberry.mutation(description="Create or replace a measure (admins). Takes effect on the next query.")
    async def save_measure(self, info: Info, input: MeasureInput) -> SaveMeasureResult:
        try:
            measure = await catalog.save_measure(info.context.deps, info.context.viewer, input.to_fields())
        except errors.catchable(SAVE_MEASURE_ERRORS) as exc:
            return errors.from_domain(exc, allowed=SAVE_MEASURE_ERRORS)
        return SaveMeasureSuccess(measure=Measure.from_domain(measure))

    @strawberry.mutation(description="Switch a measure on or off (admins).")
    async def set_measure_active(self, info: Info, code: str, active: bool) -> SetMeasureActiveResult:
        try:
            measure = await catalog.set_measure_active(info.context.deps, info.context.viewer, code, active)
        except errors.catchable(SET_MEASURE_ACTIVE_ERRORS) as exc:
            return errors.from_domain(exc, allowed=SET_MEASURE_ACTIVE_ERRORS)
        return SetMeasureActiveSuccess(measure=Measure.from_domain(measure))
