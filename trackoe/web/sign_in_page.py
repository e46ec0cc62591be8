"""The HTML of the sign-in and sign-out pages; every value placed in them is escaped."""

from __future__ import annotations

import html

_HEAD = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · TRACKOE Contacts multiples</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f4f6f8; margin: 0; }}
main {{ max-width: 380px; margin: 10vh auto; background: #fff; padding: 2rem; border-radius: 8px;
       box-shadow: 0 1px 4px rgba(0,0,0,.12); }}
h1 {{ font-size: 1.4rem; margin-top: 0; }}
label {{ display: block; margin: 1rem 0 .3rem; font-weight: 600; }}
input {{ width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem; border: 1px solid #b0b7c3;
        border-radius: 4px; }}
button {{ margin-top: 1.5rem; width: 100%; padding: .7rem; font-size: 1rem; background: #ff4b4b; color: #fff;
         border: 0; border-radius: 4px; cursor: pointer; }}
.error {{ background: #fdecea; color: #8a1c13; padding: .7rem; border-radius: 4px; }}
.info {{ background: #e8f1fb; color: #0b3d6e; padding: .7rem; border-radius: 4px; }}
</style>
</head>
"""

_SIGN_IN_BODY = """<body>
<main>
<h1>👥 TRACKOE · Connexion</h1>
{message}
<form method="post" action="/connexion">
<input type="hidden" name="next" value="{next_path}">
<label for="username">Identifiant</label>
<input id="username" name="username" autocomplete="username" required maxlength="60" value="{username}" autofocus>
<label for="password">Mot de passe</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256">
<button type="submit">Se connecter</button>
</form>
</main>
</body>
</html>
"""


def sign_in_html(*, next_path: str = "/", username: str = "", error: str = "", info: str = "") -> str:
    """Return the sign-in page with an optional error or information message."""
    message = ""
    if error:
        message = f'<p class="error" role="alert">{html.escape(error)}</p>'
    elif info:
        message = f'<p class="info">{html.escape(info)}</p>'
    return _HEAD.format(title="Connexion") + _SIGN_IN_BODY.format(
        message=message,
        next_path=html.escape(next_path, quote=True),
        username=html.escape(username, quote=True),
    )


_SIGN_OUT_BODY = """<body>
<main>
<h1>👥 TRACKOE · Déconnexion</h1>
{message}
<p>Voulez-vous vous déconnecter ? Votre session sera fermée sur ce poste comme sur le serveur.</p>
<form method="post" action="/deconnexion">
<button type="submit">Se déconnecter</button>
</form>
<p><a href="/">Annuler et revenir à l'application</a></p>
</main>
</body>
</html>
"""


def sign_out_html(*, error: str = "") -> str:
    """Return the page that confirms sign-out with a POST form, with an optional error message."""
    message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    return _HEAD.format(title="Déconnexion") + _SIGN_OUT_BODY.format(message=message)
