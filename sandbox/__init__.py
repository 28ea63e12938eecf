"""The PayEx Billing sandbox: a faithful simulator of the Customer, Invoice and Usage APIs.

A separate service (never mounted in the BFF's URLs), started with `python -m sandbox`.
It implements docs/payex-billing-upstream.md with deterministic generated data
(SANDBOX_SEED), writes kept for the process lifetime, and injectable faults controlled
through /_sandbox/. Modules:

  config      the SANDBOX_* environment          cycle      billing calendar and clock
  catalog     names, places, products            data       customers, subscriptions
  usage       usage records                      invoices   invoices and charge lines
  store       mutable state, with a lock         resources  JSON shapes and operations
  validation  request bodies                     problems   problem+json responses
  gateway     auth, faults, stats per request    faults     fault settings
  stats       request counts                     views      the Billing API views
  control     /_sandbox/                         urls, settings, wsgi, __main__
"""
