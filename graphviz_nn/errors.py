"""Errors a user can cause: one clear sentence (what, where, how to fix), never a traceback."""


class UserError(Exception):
    """Bad input from a user; the command line prints the message alone and exits with 2.

    ``str(error)`` is the sentence for Python callers (it names keyword arguments such as
    ``max_nodes=None``); ``for_cli()`` the one the command line prints (it names flags such as
    ``--max-nodes``), when an error gives both through ``cli=``.
    """

    exit_status = 2
    _cli = None

    def with_cli(self, cli: str) -> "UserError":
        """The same error, with the command line's wording of the advice."""
        self._cli = cli
        return self

    def for_cli(self) -> str:
        return self._cli or str(self)
