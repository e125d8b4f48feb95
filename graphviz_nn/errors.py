"""Errors a user can cause: one clear sentence (what, where, how to fix), never a traceback."""


class UserError(Exception):
    """Bad input from a user; the command line prints the message alone and exits with 2."""

    exit_status = 2
