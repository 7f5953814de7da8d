from django.contrib.auth.middleware import LoginRequiredMiddleware


class LoginRequired(LoginRequiredMiddleware):
    """Every page needs a sign-in, except the API, which answers 401 in JSON itself and also
    accepts personal tokens."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class RefuseNulCharacters:
    """A NUL character in the address or a form can never be a real figure, name or filter,
    and PostgreSQL refuses to store or compare one (the request would fail with an error
    page): refuse the request at once, saying why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponseBadRequest, JsonResponse

        def has_nul(mapping):
            return any(
                "\x00" in key or any("\x00" in v for v in mapping.getlist(key)) for key in mapping
            )

        posted = request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        )
        if "\x00" in request.path or has_nul(request.GET) or (posted and has_nul(request.POST)):
            message = "The request contains a NUL character, which no field may hold."
            if request.path.startswith("/api/"):
                return JsonResponse({"message": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
