"""The one way the BFF talks to PayEx Billing's Customer, Invoice and Usage APIs."""
