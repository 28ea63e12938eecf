"""The browser's guards: the Content-Security-Policy (django-csp) and the
Permissions-Policy header (billing_bff.web.middleware.PermissionsPolicyMiddleware).

Every page loads its scripts, styles, images and fonts from this origin only, and runs
no inline script or style (templates link static/ files; classes in the CSS). The API
docs page (/api/docs/, Swagger UI from drf-spectacular-sidecar) adds what Swagger UI
needs on that one page (config.urls): data: images for its icons.
"""

from csp.constants import NONE, SELF

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    },
}

# Browser features no page of the site uses, refused to every origin (an empty
# allowlist, "feature=()").
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
