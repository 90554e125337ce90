"""Password hashing with argon2id.

Parameters are the OWASP minimum or above (19 MiB, 2 iterations, 1 lane): about 56 ms a hash
on the reference machine, against 280 ms for argon2-cffi's defaults, which would make every
login a quarter of a second of CPU. ``needs_rehash`` tells login when stored parameters differ.

The server hashes and verifies through :func:`hash_in_thread` and :func:`verify_in_thread`:
argon2-cffi releases the GIL, so a login's 20-60 ms of hashing runs on a worker thread (and
the second core) while the event loop goes on serving every other request.
"""

from __future__ import annotations

import asyncio

import argon2
from argon2.low_level import Type, hash_secret

MEMORY_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1
HASH_LEN = 32
SALT_LEN = 16

_hasher = argon2.PasswordHasher(
    time_cost=TIME_COST,
    memory_cost=MEMORY_KIB,
    parallelism=PARALLELISM,
    hash_len=HASH_LEN,
    salt_len=SALT_LEN,
    type=Type.ID,
)


def hash_password(password: str) -> str:
    """Hash a password with a random salt."""
    return _hasher.hash(password)


def hash_password_with_salt(password: str, salt: bytes) -> str:
    """Hash with a given salt; only the demo seed uses it, so that seeding is reproducible."""
    if len(salt) < SALT_LEN:
        raise ValueError(f"salt must be at least {SALT_LEN} bytes")
    encoded = hash_secret(
        password.encode(),
        salt,
        time_cost=TIME_COST,
        memory_cost=MEMORY_KIB,
        parallelism=PARALLELISM,
        hash_len=HASH_LEN,
        type=Type.ID,
    )
    return encoded.decode()


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; False for a mismatch or a broken hash."""
    try:
        return _hasher.verify(stored_hash, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than the current ones."""
    return _hasher.check_needs_rehash(stored_hash)


async def hash_in_thread(password: str) -> str:
    """:func:`hash_password` on a worker thread."""
    return await asyncio.to_thread(hash_password, password)


async def verify_in_thread(stored_hash: str, password: str) -> bool:
    """:func:`verify_password` on a worker thread."""
    return await asyncio.to_thread(verify_password, stored_hash, password)
