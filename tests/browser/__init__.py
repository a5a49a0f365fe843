"""Tests that open the HTML page in a real headless Chromium."""
