"""Query (and later Mutation and Subscription) roots, composed from per-feature classes."""

from __future__ import annotations

import strawberry

from resolvers.clients import ClientQueries
from resolvers.subjects import SubjectQueries


@strawberry.type
class Query(SubjectQueries, ClientQueries):
    pass
