"""One router per resource; :mod:`api.app` lists them."""
