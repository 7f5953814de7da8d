"""What every answer of the API may be besides its own: the error bodies, declared once so
the OpenAPI schema lists every status code an operation can give."""

from ninja import Schema


class Message(Schema):
    message: str


class ValidationMessage(Schema):
    message: str
    errors: list[dict]


# What identifiers look like, so the schema says which strings can name anything at all.
SLUG = r"^[-a-zA-Z0-9_]+$"
REFERENCE = r"^[-A-Za-z0-9_.]+$"


def answers(ok, *, not_found=False):
    """The ``response`` of an operation: its 200 body and the errors it can answer with (400
    for a request no field can hold, such as one with a NUL character)."""
    found = {200: ok, 400: Message, 401: Message, 403: Message, 422: ValidationMessage}
    if not_found:
        found[404] = Message
    return found
