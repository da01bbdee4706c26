"""Browser tests of the resident pages and the main flows; the browser fixtures come from tests/browser.py."""

# The survey factories, for the resident pages' browser tests.
from tests.questionnaires.conftest import make_campaign, unspent_code  # noqa: F401
