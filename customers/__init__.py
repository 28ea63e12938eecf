"""Customer profile, subscriptions and recurring products."""
