"""Who is calling: logins, sessions, bearer tokens and signed links.

Above the policy core (authz/policy.py, rules, scope, checks), which decides what a caller
may read and never looks up an account itself.
"""
