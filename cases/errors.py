"""The one base of every refusal a service can give, with a message a DSL understands."""


class DomainError(Exception):
    """A rule or a state of the record refused the change; ``str(error)`` says which, in plain words."""
