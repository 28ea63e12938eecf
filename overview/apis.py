"""The overview API: the app's home screen in one call, and the customer's "refresh now"."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from billing_bff import refresh
from billing_bff.idempotency import idempotent
from billing_bff.problems import NotFound
from billing_bff.web.api import CustomerScopedAPIView
from billing_bff.web.openapi import shaped

from . import openapi as shapes
from . import selectors


class OverviewApi(CustomerScopedAPIView):
    """GET the home screen in one call: profile, subscriptions, the latest invoices and the
    unbilled usage, read concurrently; each section has its own meta and fails on its own."""

    @shapes.overview
    def get(self, request, customerNo):
        return Response(selectors.customer_overview(access=self.access))


class RefreshApi(CustomerScopedAPIView):
    """Ask for fresh data now: 202 and a link to follow the refresh."""

    @shapes.refresh
    @idempotent
    def post(self, request, customerNo):
        body = refresh.request_refresh(self.access)
        return Response(
            body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["statusUrl"]}
        )


class RefreshStatusApi(CustomerScopedAPIView):
    """Where a refresh of this customer stands: queued, running, done, failed, or expired
    (it waited in the queue past its use and was discarded; ask again)."""

    @shapes.refresh_status
    def get(self, request, customerNo, taskId):
        state = refresh.refresh_status(
            ledger_no=self.access.ledger_no, customer_no=self.access.customer_no, task_id=taskId
        )
        if state is None:
            raise NotFound()
        return Response(shaped(refresh.RefreshStatus, taskId=taskId, status=state))
