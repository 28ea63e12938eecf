"""What every app of the BFF shares: the upstream client, access policy, caching and problems."""
