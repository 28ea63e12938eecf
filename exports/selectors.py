"""Reads of a customer's exports: rows scoped to the authorised customer, links, files.

Every lookup is scoped to the customer the request was authorised for: another
customer's export id answers the same None (the caller's 404) as one that does not
exist. Files are named by the export's uuid under EXPORT_ROOT, outside every static or
media root: the only way to them is the authorised download view.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from billing_bff.access import CustomerAccess, narrow_operations

from .models import Export


def exports_of(access: CustomerAccess) -> QuerySet[Export]:
    """The customer's exports, newest first."""
    return Export.objects.filter(
        ledger_no=access.ledger_no, customer_no=access.customer_no
    ).order_by("-created_at")


def export_of(access: CustomerAccess, export_id: str) -> Export | None:
    """The export if it is this customer's, else None."""
    try:
        pk = uuid.UUID(export_id)
    except ValueError:
        return None
    return exports_of(access).filter(pk=pk).first()


def export_urls(export: Export) -> dict[str, str]:
    kwargs = {"customerNo": export.customer_no, "exportId": str(export.id)}
    return {
        "status": reverse("exports:export", kwargs=kwargs),
        "download": reverse("exports:export-download", kwargs=kwargs),
    }


def export_operations(access: CustomerAccess) -> list[dict]:
    """Starting an export (POST …/exports), when the role may: the API's list offers it,
    the page shows its button by it."""
    href = reverse("exports:exports", kwargs={"customerNo": access.customer_no})
    return narrow_operations(
        kind="customer",
        role=access.role,
        operations=[{"rel": "export", "method": "POST", "href": href}],
    )


def export_root() -> Path:
    root = Path(settings.EXPORT_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


def stored_path(export_id: uuid.UUID | str, suffix: str) -> Path:
    return export_root() / f"{uuid.UUID(str(export_id))}{suffix}"


def export_path(*, export: Export) -> Path | None:
    """The file of a finished export, or None when it has none (any more)."""
    if export.status != Export.Status.DONE or not export.file_name:
        return None
    path = stored_path(export.id, Path(export.file_name).suffix)
    return path if path.is_file() else None
