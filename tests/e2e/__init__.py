"""Browser tests (Playwright driving Debian's Chromium); shared fixtures in conftest.py."""
