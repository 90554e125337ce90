"""The shared kit under the domain types: request context, errors, global ids, relay
connections, the audience views, document limits and execution.

Nothing here names a domain; schema/<domain>.py builds on it, never the other way round.
"""
