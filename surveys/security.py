"""Security headers on every response."""

from flask import Flask

# Everything from our own origin; no inline script or style, no plugins, no framing.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


# Not "no-referrer": Flask-WTF's strict referrer check needs a same-origin Referer on HTTPS
# POSTs. Other sites receive nothing.
HEADERS = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
]
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def init_app(app: Flask) -> None:
    headers = [*HEADERS, HSTS] if app.config["PRODUCTION"] else HEADERS
    lowered = [(name.lower(), name, value) for name, value in headers]

    @app.after_request
    def set_security_headers(response):
        # One pass over the response's headers (this runs on every response); a view that
        # set one of them itself keeps its own.
        present = {name.lower() for name, _value in response.headers.items()}
        response.headers.extend([(n, v) for low, n, v in lowered if low not in present])
        return response
