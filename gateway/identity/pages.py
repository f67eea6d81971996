"""The sign-in pages, rendered on the server: minimal, accessible, with no external asset.

One `h1` per page, a label on every input, `autocomplete` so password managers help, errors beside
their field announced with role="alert", inline CSS that reads at 768 px and on a phone. Every page is
`no-store` and refuses to be framed (clickjacking a sign-in form is how credentials are stolen).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from starlette.responses import HTMLResponse

CSS = """
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;
color:#1b1f24;background:#f4f6f8}main{max-width:28rem;margin:3rem auto;padding:2rem;background:#fff;
border:1px solid #d0d7de;border-radius:8px}h1{font-size:1.5rem;margin:0 0 1rem}h2{font-size:1.1rem;
margin:1.5rem 0 .5rem}label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input{width:100%;padding:.6rem;font:inherit;border:1px solid #8c959f;border-radius:6px}
input:focus,button:focus{outline:3px solid #0969da;outline-offset:1px}
button{margin-top:1rem;padding:.6rem 1.2rem;font:inherit;font-weight:600;border:0;border-radius:6px;
background:#0a5bc4;color:#fff;cursor:pointer}button.secondary{background:#57606a}
.error{color:#a40e26;margin:.25rem 0}.note{color:#57606a}hr{margin:1.5rem 0;border:0;border-top:1px solid #d0d7de}
.code{font:600 1.5rem ui-monospace,monospace;letter-spacing:.1em}
@media (max-width:768px){main{margin:1rem;padding:1.25rem}}
"""
HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the query holds state, codes and invitation tokens
    # no script at all; only the inline style; never framed. No form-action: a sign-in ends in a
    # redirect to the console's callback or to a district's provider, which form-action would block.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
                               "base-uri 'none'",
}
SIGNIN_FAILED = "That e-mail and password do not match an account."


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{escape(title)} · improvenet</title><style>{CSS}</style></head>"
                f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>")
    return HTMLResponse(document, status_code=status, headers=HEADERS)


def hidden(values: Mapping[str, str]) -> str:
    return "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in values.items())


def alert(message: str | None, id_: str) -> str:
    return f'<p class="error" id="{id_}" role="alert">{escape(message)}</p>' if message else ""


def field(name: str, label: str, *, type_: str = "text", autocomplete: str, value: str = "",
          error: str | None = None, id_: str | None = None, required: bool = True) -> str:
    id_ = id_ or name
    described = f' aria-describedby="{id_}-error" aria-invalid="true"' if error else ""
    return (f'<label for="{id_}">{escape(label)}</label>'
            f'<input id="{id_}" name="{name}" type="{type_}" autocomplete="{autocomplete}" '
            f'value="{escape(value)}"{" required" if required else ""}{described}>'
            + alert(error, f"{id_}-error"))


def message(title: str, text: str, status: int = 200, link: tuple[str, str] | None = None) -> HTMLResponse:
    body = f"<p>{escape(text)}</p>"
    if link is not None:
        body += f'<p><a href="{escape(link[0])}">{escape(link[1])}</a></p>'
    return page(title, body, status)


def signin(pending: Mapping[str, str], csrf: str, *, email: str = "", error: str | None = None,
           sso_error: str | None = None, status: int = 200, device: bool = False) -> HTMLResponse:
    keep = hidden({**pending, "csrf": csrf})
    intro = ("<p>Sign in to let the improvenet command line act as you.</p>" if device
             else "<p>Sign in with the e-mail your district invited.</p>")
    body = (intro + alert(error, "signin-error")
            + f'<form method="post" action="/signin">{keep}'
            + field("email", "E-mail", type_="email", autocomplete="username", value=email)
            + field("password", "Password", type_="password", autocomplete="current-password")
            + "<button type=\"submit\">Sign in</button></form><hr>"
            + "<h2>Sign in with your district's account</h2>"
            + f'<form method="post" action="/signin/sso">{keep}'
            + field("email", "Your district e-mail", type_="email", autocomplete="username", value=email,
                    error=sso_error, id_="sso-email")
            + "<button type=\"submit\" class=\"secondary\">Continue with my district</button></form>")
    return page("Sign in to improvenet", body, status)


def device_code(error: str | None = None, status: int = 200) -> HTMLResponse:
    body = ('<p>Enter the code your terminal shows.</p><form method="get" action="/device">'
            + field("user_code", "Code", autocomplete="one-time-code", error=error)
            + '<button type="submit">Continue</button></form>')
    return page("Connect the command line", body, status)


def device_confirm(ticket: str, csrf: str, user_code: str) -> HTMLResponse:
    body = (f'<p>Code <span class="code">{escape(user_code)}</span></p>'
            '<p>Allow the improvenet command line to act as you?</p>'
            f'<form method="post" action="/device/confirm">{hidden({"ticket": ticket, "csrf": csrf})}'
            '<button type="submit" name="decision" value="allow">Allow</button> '
            '<button type="submit" name="decision" value="deny" class="secondary">Deny</button></form>')
    return page("Allow the command line?", body)


def invitation(token: str, csrf: str, email: str, errors: Mapping[str, str] | None = None,
               status: int = 200) -> HTMLResponse:
    errors = errors or {}
    body = (f"<p>Choose a password for {escape(email)}: at least 12 characters.</p>"
            f'<form method="post" action="/signin/invitation">{hidden({"token": token, "csrf": csrf})}'
            # the username field lets a password manager store the new password under the right name
            + f'<input type="hidden" name="username" autocomplete="username" value="{escape(email)}">'
            + field("password", "New password", type_="password", autocomplete="new-password",
                    error=errors.get("password"))
            + field("confirm", "Confirm the password", type_="password", autocomplete="new-password",
                    error=errors.get("confirm"))
            + '<button type="submit">Set my password</button></form>')
    return page("Choose your password", body, status)
