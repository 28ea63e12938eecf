"""The exports API: start a full usage export, follow it, download its file.

Every lookup is scoped to the customer the request was authorised for: another
customer's export id answers the same 404 as one that does not exist.

Downloads: 200 with the file once the export is done; 409 while it is queued or
running, or when it failed; 410 Gone once it has expired (its file deleted by cleanup).
"""

from __future__ import annotations

import logging
import uuid

from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from billing_bff.access import CustomerScopedAPIView, narrow_operations, require_operation
from billing_bff.api import PageQuery, paged
from billing_bff.idempotency import idempotent
from billing_bff.openapi import OperationSerializer, operations_field, paged_list
from billing_bff.problems import Conflict, NotFound, Problem

from . import exports
from . import openapi as shapes
from .models import Export

logger = logging.getLogger(__name__)


class Gone(Problem):
    status_code = status.HTTP_410_GONE
    default_code = "export-expired"
    default_detail = "This export has expired and its file is deleted. Start a new export."
    title = "Gone"


def export_urls(export: Export) -> dict[str, str]:
    kwargs = {"customerNo": export.customer_no, "exportId": str(export.id)}
    return {
        "status": reverse("usage:export", kwargs=kwargs),
        "download": reverse("usage:export-download", kwargs=kwargs),
    }


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
        return export_urls(export)["status"]

    def get_downloadUrl(self, export: Export) -> str | None:
        return export_urls(export)["download"] if export.status == Export.Status.DONE else None

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
    try:
        pk = uuid.UUID(export_id)
    except ValueError:
        raise NotFound() from None
    export = Export.objects.filter(
        pk=pk, ledger_no=view.access.ledger_no, customer_no=view.access.customer_no
    ).first()
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
        found = Export.objects.filter(
            ledger_no=self.access.ledger_no, customer_no=self.access.customer_no
        ).order_by("-created_at")
        start = (page - 1) * size
        operations = narrow_operations(
            kind="customer",
            role=self.access.role,
            operations=[{"rel": "export", "method": "POST", "href": request.path}],
        )
        return Response(
            paged(
                request,
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
        export, _ = exports.export_create(access=self.access)
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
            raise Gone()
        if export.status != Export.Status.DONE:
            raise Conflict("The export is not finished.")
        path = exports.export_path(export=export)
        if path is None:
            logger.error("export file missing for a finished export")
            raise Gone()
        content_type = "application/zip" if path.suffix == ".zip" else "text/csv; charset=utf-8"
        response = FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=export.file_name,
            content_type=content_type,
        )
        patch_cache_control(response, private=True)
        return response
