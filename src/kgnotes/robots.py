"""What a site's robots.txt allows the archiver, asked once per site and run.

The archiver fetches pages a person chose to keep, one at a time and politely, but a site may
still ask crawlers to stay out of some paths; kgnotes honours that for its own user agent
(``[fetch] robots = false`` turns it off). protego reads the rules as search engines do:
wildcards, ``$``, Allow beside Disallow, the most specific rule winning.

A robots.txt that is missing, unreadable or broken allows everything: only a rule a site
wrote can refuse a page.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from kgnotes.fetch import Fetcher, FetchError, FetchOptions

if TYPE_CHECKING:
    from protego import Protego

AGENT = "kgnotes"  # the product token of our User-Agent, which robots.txt groups name


class RobotsRules:
    """The robots.txt rules of each site met in one run, fetched the first time it is met."""

    def __init__(self, options: FetchOptions):
        quick = FetchOptions(  # a robots.txt is small and optional: no retries, short waits
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            deadline=min(options.deadline, 15.0),
            retries=0,
            max_bytes=512 * 1024,
            user_agent=options.user_agent,
        )
        self.fetcher = Fetcher(quick)
        self._rules: dict[str, Protego | None] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def refusal(self, url: str) -> str | None:
        """Why robots.txt keeps the archiver from ``url``, or None when it may fetch it."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        rules = self._for(site)
        if rules is None or rules.can_fetch(url, AGENT):
            return None
        return f"{site}/robots.txt disallows it for {AGENT}"

    def _for(self, site: str) -> Protego | None:
        with self._guard:
            lock = self._locks.setdefault(site, threading.Lock())
        with lock:  # two workers on one site fetch its robots.txt once
            if site not in self._rules:
                self._rules[site] = self._fetch(site)
            return self._rules[site]

    def _fetch(self, site: str) -> Protego | None:
        from protego import Protego

        try:
            response = self.fetcher.get(f"{site}/robots.txt", accept="text/plain")
        except FetchError:
            return None
        try:  # typed by name: old protego releases have no type information
            rules: Protego = Protego.parse(response.body.decode("utf-8", errors="replace"))
        except Exception:  # a robots.txt protego cannot read says nothing
            return None
        return rules
