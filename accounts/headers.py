"""Cache-Control on everything the application itself serves."""
from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (and private, no-cache) on every response that passes through Django.

    Nearly every page and file here names a child (pages, PDFs, CSV exports, error pages shown to a
    signed-in user): a shared school computer's browser cache or a proxy must keep none of them. Static
    assets are served outside Django and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
