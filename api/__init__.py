"""policykg's web API: SPARQL 1.1 Protocol, REST lookups, linked data, dumps, token-guarded writes.

The web layer holds no SPARQL of its own: every route calls :mod:`kg`.
"""

from api.app import create_app
from api.settings import Settings, get_settings

__all__ = ["Settings", "create_app", "get_settings"]
