"""The exports API: start a full usage export, follow it, download its file.

Every lookup is scoped to the customer the request was authorised for: another
customer's export id answers the same 404 as one that does not exist.

Downloads: 200 with the file once the export is done; 409 while it is queued or
running, or when it failed; 410 Gone once it has expired (its file deleted by cleanup).
"""

from __future__ import annotations

import logging

from django.http import FileResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from billing_bff.access import audit_agent_read, narrow_operations, require_operation
from billing_bff.idempotency import idempotent
from billing_bff.problems import Conflict, NotFound
from billing_bff.web.api import CustomerScopedAPIView, PageQuery, paged
from billing_bff.web.openapi import OperationSerializer, operations_field, paged_list

from . import openapi as shapes
from . import selectors, services
from .models import Export
from .problems import ExportExpired

logger = logging.getLogger(__name__)


@extend_schema_serializer(component_name="Export")
class ExportOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Export.Status.choices)
    percent = serializers.IntegerField()
    rows = serializers.IntegerField()
    size = serializers.IntegerField()
    fileName = serializers.CharField(source="file_name")
    failureReason = serializers.CharField(source="failure_reason")
    createdAt = serializers.DateTimeField(source="created_at")
    finishedAt = serializers.DateTimeField(source="finished_at", allow_null=True)
    expiresAt = serializers.DateTimeField(source="expires_at", allow_null=True)
    statusUrl = serializers.SerializerMethodField()
    downloadUrl = serializers.SerializerMethodField()
    operations = serializers.SerializerMethodField()

    def get_statusUrl(self, export: Export) -> str:
        return selectors.export_urls(export)["status"]

    def get_downloadUrl(self, export: Export) -> str | None:
        return (
            selectors.export_urls(export)["download"]
            if export.status == Export.Status.DONE
            else None
        )

    @extend_schema_field(OperationSerializer(many=True))
    def get_operations(self, export: Export) -> list[dict]:
        href = self.get_downloadUrl(export)
        offered = [{"rel": "download", "method": "GET", "href": href}] if href else []
        return narrow_operations(kind="usage", role=self.context["role"], operations=offered)


PagedExportList = paged_list(
    "PagedExportList", ExportOutput(many=True), operations=operations_field()
)


def export_body(export: Export, *, role: str) -> dict:
    return ExportOutput(export, context={"role": role}).data


def _scoped(view: CustomerScopedAPIView, export_id: str) -> Export:
    """The export if it is this customer's; otherwise the one 404 of everything unseen."""
    export = selectors.export_of(view.access, export_id)
    if export is None:
        raise NotFound()
    return export


class ExportListApi(CustomerScopedAPIView):
    """The customer's exports, newest first; POST starts one (202 and a status link)."""

    @shapes.export_list(PagedExportList)
    def get(self, request, customerNo):
        params = PageQuery(data=request.query_params)
        params.is_valid(raise_exception=True)
        page, size = params.validated_data["page"], params.validated_data["page_size"]
        found = selectors.exports_of(self.access)
        start = (page - 1) * size
        operations = selectors.export_operations(self.access)
        return Response(
            paged(
                request,
                shape=PagedExportList,
                results=[
                    export_body(e, role=self.access.role) for e in found[start : start + size]
                ],
                count=found.count(),
                page=page,
                page_size=size,
                # The BFF's own records, read now: never stale.
                meta={
                    "asOf": timezone.now().isoformat(timespec="seconds"),
                    "stale": False,
                    "source": "database",
                },
                operations=operations,
            )
        )

    @shapes.export_create(ExportOutput)
    @idempotent
    def post(self, request, customerNo):
        require_operation(access=self.access, kind="customer", rel="export", offered=None)
        export, _ = services.export_create(access=self.access)
        body = export_body(export, role=self.access.role)
        return Response(
            body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["statusUrl"]}
        )


class ExportDetailApi(CustomerScopedAPIView):
    """Where one export stands: status, percent done, and its download link once done."""

    @shapes.export_detail(ExportOutput)
    def get(self, request, customerNo, exportId):
        return Response(export_body(_scoped(self, exportId), role=self.access.role))


class ExportDownloadApi(CustomerScopedAPIView):
    """The export's file (CSV or zip), to this customer's users only."""

    def perform_content_negotiation(self, request, force=False):
        # The file is what it is, whatever the client says it accepts.
        return super().perform_content_negotiation(request, force=True)

    @shapes.export_download
    def get(self, request, customerNo, exportId):
        export = _scoped(self, exportId)
        if export.status == Export.Status.EXPIRED:
            raise ExportExpired()
        if export.status != Export.Status.DONE:
            raise Conflict("The export is not finished.")
        path = selectors.export_path(export=export)
        if path is None:
            logger.error("export file missing for a finished export")
            raise ExportExpired()
        audit_agent_read(self.access, "export.download", exportId=str(export.id))
        content_type = "application/zip" if path.suffix == ".zip" else "text/csv; charset=utf-8"
        response = FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=export.file_name,
            content_type=content_type,
        )
        patch_cache_control(response, private=True)
        return response
