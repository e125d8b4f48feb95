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


class NumberTooLargeError(UserError, OverflowError):
    """A number beyond what a float holds (an int such as 10**400), where a float is needed."""


class ForeignNodeError(UserError, TypeError):
    """Something that is not a graphviz_nn node (a micrograd Value, a lesson's own class) was given."""


def foreign_node_error(x, where: str = "") -> ForeignNodeError:
    """The one sentence naming ``x``'s class where a graphviz_nn node was expected.

    Here, not in ``graph``, so the engine's own modules can raise it without importing ``graph``.
    """
    cls = type(x)
    name = cls.__name__ if cls.__module__ in ("builtins", "__main__") else f"{cls.__module__}.{cls.__name__}"
    who = f"{where} expected" if where else "expected"
    if hasattr(x, "data") and hasattr(x, "grad"):  # micrograd's Value or a lesson's copy of it
        return ForeignNodeError(
            f"{who} a graphviz_nn Value, got a {name}: build the graph with "
            f"`from graphviz_nn import Value` in place of your own or micrograd's Value "
            f"(the same code runs unchanged)")
    return ForeignNodeError(
        f"{who} a Value or Tensor (or a list of them), got {name} ({x!r:.40}); "
        f"build the graph with `from graphviz_nn import Value` and pass its output")
