"""The one exception a refused operation raises: its message is for the user, in the page's language."""


class DomainError(Exception):
    """An action the rules refuse; views flash the message and roll back, the CLI prints it."""
