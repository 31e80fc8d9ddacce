"""The whole schema: per-feature Query and Mutation types merged, plus the request guards."""

from __future__ import annotations

from collections.abc import Callable

from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.tools import merge_types

from services.gateway.agreement.schema import AgreementMutation, AgreementQuery
from services.gateway.capture.alerts import AlertSubscription
from services.gateway.capture.schema import CaptureMutation, CaptureQuery
from services.gateway.compliance.schema import ComplianceMutation, ComplianceQuery
from services.gateway.directory.schema import DirectoryMutation, DirectoryQuery
from services.gateway.errors import ErrorCodes, GatewaySchema, MaskUnexpected
from services.gateway.incident.schema import IncidentMutation, IncidentQuery
from services.gateway.limits import IntrospectionDepthLimit
from services.gateway.records.schema import RecordsMutation, RecordsQuery
from services.gateway.reporting.schema import ReportingMutation, ReportingQuery
from services.gateway.retention.schema import RetentionMutation, RetentionQuery
from services.gateway.roster.schema import RosterMutation, RosterQuery
from services.gateway.sanction.schema import SanctionMutation, SanctionQuery
from services.gateway.session.schema import SessionMutation, SessionQuery

Query = merge_types("Query", (SessionQuery, DirectoryQuery, RosterQuery, AgreementQuery,
                              CaptureQuery, IncidentQuery, SanctionQuery, ComplianceQuery,
                              ReportingQuery, RecordsQuery, RetentionQuery))
Mutation = merge_types("Mutation", (SessionMutation, DirectoryMutation, RosterMutation,
                                    AgreementMutation, CaptureMutation, IncidentMutation,
                                    SanctionMutation, ComplianceMutation, ReportingMutation,
                                    RecordsMutation, RetentionMutation))
Subscription = merge_types("Subscription", (AlertSubscription,))

MAX_DEPTH = 10
# Cheap caps on one request's size, so that a single POST cannot fan out into many RPCs.
MAX_ALIASES = 30
MAX_TOKENS = 5000


def build_schema(*, production: bool = False) -> GatewaySchema:
    # Classes or factories, never instances: an extension holds per-request state.
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: AddValidationRules([IntrospectionDepthLimit]),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        MaskUnexpected,
        ErrorCodes,
    ]
    if production:
        extensions.append(DisableIntrospection)
    return GatewaySchema(query=Query, mutation=Mutation, subscription=Subscription,
                         extensions=extensions)


# For `strawberry export-schema services.gateway.schema:schema` (the published SDL).
schema = build_schema()
