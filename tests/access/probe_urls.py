"""The real URLconf plus probe routes built on the access bases, as later issues will.

Customer routes do not exist yet; these show the bases at work over the whole stack.
"""

from django.http import HttpResponse
from django.urls import path
from django.views import View
from rest_framework import status
from rest_framework.response import Response

from billing_bff.access import audit, narrow_operations, require_operation
from billing_bff.web.api import CustomerScopedAPIView
from billing_bff.web.pages import CustomerPageMixin, customer_page
from config.urls import urlpatterns as real_urlpatterns


def upstream_operations(customer_no: str) -> list[dict]:
    """What the upstream offers for a customer, mapped to BFF hrefs."""
    base = f"/api/v1/customers/{customer_no}"
    return [
        {"rel": "partial-update", "method": "PATCH", "href": base},
        {"rel": "create-recurring-product", "method": "POST", "href": f"{base}/recurring-products"},
        {"rel": "refresh", "method": "POST", "href": f"{base}/refresh"},
    ]


class ProbeCustomerApi(CustomerScopedAPIView):
    def get(self, request, customerNo):
        return Response(
            {
                "customerNo": self.access.customer_no,
                "role": self.access.role,
                "operations": narrow_operations(
                    kind="customer",
                    role=self.access.role,
                    operations=upstream_operations(customerNo),
                ),
            }
        )

    def patch(self, request, customerNo):
        require_operation(
            access=self.access,
            kind="customer",
            rel="partial-update",
            offered=upstream_operations(customerNo),
        )
        audit(access=self.access, action="customer.partial-update", details={"fields": ["x"]})
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProbeCustomerPage(CustomerPageMixin, View):
    def get(self, request):
        return HttpResponse(f"{self.access.customer_no} {self.access.role}")


@customer_page
def probe_customer_page(request, *, access):
    if request.method == "POST":
        require_operation(access=access, kind="customer", rel="partial-update", offered=None)
    return HttpResponse(f"{access.customer_no} {access.role}")


urlpatterns = [
    path("api/v1/customers/<str:customerNo>/probe", ProbeCustomerApi.as_view()),
    path("probe/", ProbeCustomerPage.as_view()),
    path("probe-function/", probe_customer_page),
    *real_urlpatterns,
]
