"""Modal screens: help, scenario picker, one-line prompt, text report."""
