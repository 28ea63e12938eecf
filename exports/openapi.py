"""The schemas the OpenAPI document gives the export routes, with their examples.

The export's own shape is its output serializer (exports.apis.ExportOutput), which
builds the body too.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema

from billing_bff.web import openapi as doc
from billing_bff.web.api import PageQuery

from .problems import ExportExpired

C = "/api/v1/customers/3996668"
EXPORT = {
    "id": "4aaa21c2-ddd3-419f-a2fd-c85e81d1a7b1",
    "status": "done",
    "percent": 100,
    "rows": 12873,
    "size": 1893312,
    "fileName": "usage-3996668-20261121.csv",
    "failureReason": "",
    "createdAt": "2026-11-21T20:54:23.363185+01:00",
    "finishedAt": "2026-11-21T20:54:31.120044+01:00",
    "expiresAt": "2026-11-28T20:54:31.120044+01:00",
    "statusUrl": f"{C}/exports/4aaa21c2-ddd3-419f-a2fd-c85e81d1a7b1",
    "downloadUrl": f"{C}/exports/4aaa21c2-ddd3-419f-a2fd-c85e81d1a7b1/download",
    "operations": [
        {
            "rel": "download",
            "method": "GET",
            "href": f"{C}/exports/4aaa21c2-ddd3-419f-a2fd-c85e81d1a7b1/download",
        }
    ],
}
QUEUED_EXPORT = {
    **EXPORT,
    "status": "queued",
    "percent": 0,
    "rows": 0,
    "size": 0,
    "fileName": "",
    "finishedAt": None,
    "expiresAt": None,
    "downloadUrl": None,
    "operations": [],
}
EXPORTS = {
    "count": 1,
    "next": None,
    "previous": None,
    "results": [EXPORT],
    "meta": {"asOf": "2026-11-21T20:55:02+01:00", "stale": False, "source": "database"},
    "operations": [{"rel": "export", "method": "POST", "href": f"{C}/exports"}],
}


def export_list(page):
    return doc.read_schema(
        "exports",
        "The customer's exports, newest first",
        page,
        EXPORTS,
        statuses=(400, 401, 404),
        parameters=[PageQuery],
    )


def export_create(shape):
    return extend_schema(
        tags=["exports"],
        summary="Start a full usage export",
        description="Built in the background; follow `statusUrl`, then `downloadUrl`.",
        request=None,
        parameters=[*doc.WRITE_HEADERS, doc.LOCATION],
        responses={
            **doc.ok(shape, QUEUED_EXPORT, status=202, description="Queued."),
            **doc.problems(400, 401, 403, 404, 409, 422),
        },
    )


def export_detail(shape):
    return doc.read_schema("exports", "Where one export stands", shape, EXPORT, statuses=(401, 404))


export_download = extend_schema(
    tags=["exports"],
    summary="The export's file",
    responses={
        (200, "text/csv"): OpenApiResponse(
            response=OpenApiTypes.BINARY, description="The export as CSV."
        ),
        (200, "application/zip"): OpenApiResponse(
            response=OpenApiTypes.BINARY, description="The export zipped (large exports)."
        ),
        **doc.problems(401, 404, 409, ExportExpired),
    },
)
