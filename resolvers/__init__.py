"""Query, Mutation and Subscription roots, composed from per-feature classes."""

from __future__ import annotations

import strawberry

from resolvers.audit import AuditQueries
from resolvers.authority import AuthorityMutations
from resolvers.clients import ClientMutations, ClientQueries
from resolvers.commitments import CommitmentMutations
from resolvers.credit_reports import CreditReportQueries
from resolvers.credit_status import CreditStatusQueries
from resolvers.execution_gaps import ExecutionGapQueries
from resolvers.flag_feed import FlagFeedQueries
from resolvers.lists import ListMutations, ListQueries
from resolvers.measures import MeasureMutations, MeasureQueries
from resolvers.parked import ParkedQueries
from resolvers.reports import ReportMutations
from resolvers.screening import ScreeningQueries
from resolvers.statistics import StatisticsQueries
from resolvers.status_feed import StatusFeedSubscriptions
from resolvers.subjects import SubjectQueries
from resolvers.workflows import WorkflowMutations, WorkflowQueries


@strawberry.type
class Query(
    SubjectQueries,
    CreditStatusQueries,
    CreditReportQueries,
    FlagFeedQueries,
    ScreeningQueries,
    StatisticsQueries,
    ListQueries,
    ExecutionGapQueries,
    WorkflowQueries,
    AuditQueries,
    MeasureQueries,
    ClientQueries,
    ParkedQueries,
):
    pass


@strawberry.type
class Mutation(
    ReportMutations,
    AuthorityMutations,
    WorkflowMutations,
    ListMutations,
    CommitmentMutations,
    MeasureMutations,
    ClientMutations,
):
    pass


@strawberry.type
class Subscription(StatusFeedSubscriptions):
    pass
