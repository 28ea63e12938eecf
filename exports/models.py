"""Usage exports: one row per requested export of a customer's usage (see exports.services).

The file itself lives under settings.EXPORT_ROOT, named by the row's uuid; the row says
how far the job got and, once done, what the user downloads and until when.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Export(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        # Past its retention: the file is deleted, the row kept as a record of the request.
        EXPIRED = "expired", _("Expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ledger_no = models.CharField(_("ledger number"), max_length=20)
    customer_no = models.CharField(_("customer number"), max_length=20)
    # The export outlives its requester's account; who asked stays in the audit log.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    file_name = models.CharField(_("file name"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    failure_reason = models.CharField(_("failure reason"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # Which run of the export is the current one: a task carries the attempt it was sent
    # for, and a run of an older attempt (a message redelivered late) does nothing.
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    # When the current attempt's task was handed to the broker; null until then (the
    # broker was down when the row committed): exports.services.exports_recover sends it.
    sent_at = models.DateTimeField(_("task sent"), null=True, blank=True)
    # Written with the progress while running: one too old lost its worker.
    heartbeat_at = models.DateTimeField(_("heartbeat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("usage export")
        # The table of the usage app, where the model lived first.
        db_table = "usage_export"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["ledger_no", "customer_no", "-created_at"]),
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["status", "heartbeat_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="export_percent_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.id} of {self.customer_no} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
