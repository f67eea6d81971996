"""The token endpoint's errors: problem+json that also carries RFC 6749's `error` member."""

from __future__ import annotations

from libs.common.problems import Problem


def token_error(status: int, code: str, description: str) -> Problem:
    """A token-endpoint error: problem+json that also carries RFC 6749's `error` member."""
    problem = Problem(status, "Token request refused", description, slug=code.replace("_", "-"),
                      headers={"Cache-Control": "no-store"})
    problem.extra = {"error": code, "error_description": description}
    if code == "invalid_client":
        problem.headers["WWW-Authenticate"] = 'Basic realm="improvenet"'
    return problem


def invalid_grant(description: str) -> Problem:
    return token_error(400, "invalid_grant", description)
