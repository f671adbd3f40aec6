"""Which database a GraphQL operation reads from, with a streaming replica configured.

A query over HTTP reads from the replica when `ReplicaWatch` says the replica may serve it: it
is at most CREDITHUB_REPLICA_MAX_LAG behind and has replayed the calling client's last write
(read-your-own-writes; the write mark comes with the client's admission, `client_gate`). Every
other operation reads from the primary: mutations (and what their payload reads after the
write), subscriptions (each event must show the change it announces), anything over a WebSocket
(one context serves every operation of the connection), and any query of a client whose last
write is unknown because Redis erred. Writes, the audit trail of reads and a signed credit report
use the primary whatever the operation (`Context.deps`).

After a mutation the primary's WAL position is noted as the client's write mark, on this
instance and in Redis, before the answer leaves: the client's next query, on any instance,
reads from the primary until the replica has replayed that position.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import Request
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from credithub.db import replication as db_replication
from credithub.domain.replication import UNKNOWN
from credithub.entrypoints.client_gate import ClientGate
from credithub.entrypoints.metrics import Metrics
from schema.context import Context


class ReadRouting(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if not isinstance(context, Context) or context.deps.replica_watch is None:
            yield
            return
        kind = self.execution_context.operation_type
        route_reads(context, kind)
        yield
        if kind is OperationType.MUTATION and context.client is not None and context.request is not None:
            gate: ClientGate = context.request.app.state.client_gate
            await gate.note_write(context.client.id, await db_replication.primary_position(context.deps.pool))


def route_reads(context: Context, kind: OperationType) -> None:
    """Where this operation reads: the replica for a query over HTTP it may answer, else the primary."""
    if context.deps.replica_watch is None:
        return
    context.read_deps = None
    if kind is OperationType.QUERY and isinstance(context.request, Request):
        wrote = getattr(context.request.state, "wrote", UNKNOWN)
        if context.deps.replica_watch.may_serve(wrote):
            context.read_deps = context.deps.for_work("replica")
        _count(context, "replica" if context.read_deps is not None else "primary")


def _count(context: Context, source: str) -> None:
    metrics: Metrics | None = getattr(context.request.app.state, "metrics", None)
    if metrics is not None:
        metrics.query_reads.labels(source).inc()
