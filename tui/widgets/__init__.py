"""Widgets of the step debugger; each renders what it is given and posts small messages."""
