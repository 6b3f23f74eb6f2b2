"""Fetch a repository's milestones from the GitHub REST API (the same JSON `import github FILE`
reads), for `import github --repo OWNER/NAME --token-env NAME`."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

from ...errors import SiteBuilderError, UsageError

GITHUB_API = "https://api.github.com"
TIMEOUT_SECONDS = 15
MAX_PAGES = 10  # 100 milestones a page: more than any plan should hold
MAX_PAGE_BYTES = 5_000_000
_REPO_RE = re.compile(r"[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}\Z")


def fetch_github_milestones(repo: str, token: str | None, api: str = GITHUB_API) -> bytes:
    """Every milestone (open and closed) of `repo`, as one JSON list."""
    if not _REPO_RE.match(repo):
        raise UsageError(f"--repo must be OWNER/NAME, not `{repo}`")
    milestones: list = []
    for page in range(1, MAX_PAGES + 1):
        query = urllib.parse.urlencode({"state": "all", "per_page": 100, "page": page})
        request = urllib.request.Request(
            f"{api.rstrip('/')}/repos/{repo}/milestones?{query}",
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "site-builder",
                **({"Authorization": f"Bearer {token}"} if token else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                body = response.read(MAX_PAGE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise SiteBuilderError(
                f"GitHub answered {exc.code} {exc.reason} for {repo}'s "
                "milestones (check --repo and the token's access)"
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SiteBuilderError(f"cannot reach GitHub: {reason}") from None
        if len(body) > MAX_PAGE_BYTES:
            raise SiteBuilderError("GitHub's answer is too large")
        try:
            items = json.loads(body)
        except ValueError:
            raise SiteBuilderError("GitHub's answer is not JSON") from None
        if not isinstance(items, list):
            raise SiteBuilderError("GitHub's answer is not a list of milestones")
        milestones.extend(items)
        if len(items) < 100:
            break
    return json.dumps(milestones, indent=1).encode("utf-8")
