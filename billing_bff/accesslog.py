"""gunicorn's access log without personal data (config/gunicorn.py names it).

A request line holds customer, subscription and invoice numbers in its path and may
hold anything in its query; the address is personal data too. `RedactedAccessLogger`
writes the path as its route template and the query as its parameter names (the same
redaction as billing_bff.logfilters), and no client address, referrer or header.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from billing_bff.logfilters import redact_path

# Atoms whose values may carry personal data, blanked in every access line.
_BLANKED = ("h", "u", "f", "a")


class RedactedAccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact_path(environ.get("PATH_INFO", ""))
        query = environ.get("QUERY_STRING", "")
        target = redact_path(f"{environ.get('PATH_INFO', '')}?{query}") if query else path
        atoms.update(
            {
                "U": path,
                "q": target.partition("?")[2],
                "r": f"{environ['REQUEST_METHOD']} {target} {environ['SERVER_PROTOCOL']}",
            }
        )
        atoms.update(dict.fromkeys(_BLANKED, "-"))
        # Request and response headers ({name}i, {name}o) may hold tokens and cookies.
        return {k: v for k, v in atoms.items() if not k.startswith("{")}
