"""eCTD v3.2.2 submission sequences with FDA Module 1 v3.3: planning, writing, validation."""
