"""Named errors. The CLIs turn each into one line on stderr and an exit code."""


class StanceframeError(Exception):
    """Something went wrong that is not the user's input (exit 1)."""

    exit_code = 1


class BadInput(StanceframeError):
    """The user's input cannot be used: says where, what is wrong and what is accepted (exit 2)."""

    exit_code = 2

    def __init__(self, message: str, where: str | None = None):
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)
