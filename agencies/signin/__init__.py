"""Signing in: a password, then a second factor; failed attempts throttled; sessions that end
when left alone, after a working day, or when the account is deactivated."""
