"""A social platform's posting API, as the publishing jobs call it, that honours
idempotency keys as real platforms do: a post sent again with the same `Idempotency-Key`
answers with the post already made (200), never a second one. It can also store a post
and then fail (`fail_after_storing`), as a platform whose response is lost does."""

from __future__ import annotations

from .local_http import LocalHttp, Reply, Request

KEY_HEADER = "Idempotency-Key"


class LocalPlatform:
    def __init__(self, http: LocalHttp, account_id: str, delay: float = 0.0) -> None:
        self.path = f"/v1/accounts/{account_id}/posts"
        self.posts: dict[str, dict[str, str]] = {}  # by idempotency key
        self.fail_after_storing = 0  # how many of the next posts are stored, then answered 503
        self._delay = delay
        self._http = http
        http.answer("POST", self.path, self._post)

    @property
    def calls(self) -> list[Request]:
        return self._http.hits("POST", self.path)

    def _post(self, request: Request) -> Reply:
        key = request.headers.get(KEY_HEADER)
        if not key:
            return Reply(400, {"error": f"{KEY_HEADER} is required"})
        made = self.posts.get(key)
        if made is None:
            made = self.posts[key] = {"id": f"post-{len(self.posts) + 1}", "url": f"https://p/{len(self.posts) + 1}"}
            if self.fail_after_storing:
                self.fail_after_storing -= 1
                return Reply(503, {"error": "try again"}, delay=self._delay)
            return Reply(201, made, delay=self._delay)
        return Reply(200, made, delay=self._delay)
