"""Lecture scenario files (TOML data, never code), shipped as package data."""
