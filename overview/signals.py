"""Login warms the user's customers: their unbilled usage is refreshed in the background."""

import logging

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from billing_bff.access import linked_customers
from billing_bff.refresh import queue_refresh

logger = logging.getLogger(__name__)


@receiver(user_logged_in, dispatch_uid="usage-warm-on-login")
def warm_on_login(sender, user, **kwargs) -> None:
    for link in linked_customers(user=user):
        try:
            queue_refresh(ledger_no=settings.PAYEX_OWNER_NO, customer_no=link.customer_no)
        except Exception as exc:  # warming is a courtesy: a login never fails for it
            logger.warning("could not queue the login warm-up: %s", type(exc).__name__)
