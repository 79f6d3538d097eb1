"""Tests of the mproc Python binding (unittest)."""
