"""Statements under a row scope, built once per scope shape: the request's loaders (rows by
id, nested lists), nested lists under parents, and list filters as named parameters.

Above the policy core (authz/scope.py gives the scopes), below the domain queries.
"""
