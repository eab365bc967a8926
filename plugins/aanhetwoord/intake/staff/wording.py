"""What staff read in the staff area ("redactie"), in plain Dutch (B1)."""

from __future__ import annotations

from ..wording import Notice

AREA = "Redactie"

# Login --------------------------------------------------------------------------------------

# The same words for an unknown name, a wrong password and a disabled account: a login page
# must not tell a stranger which names exist.
LOGIN_FAILED = "De naam of het wachtwoord klopt niet. Let op hoofdletters en probeer het opnieuw."
LOGIN_FORM_OLD = (
    "Het inlogformulier is verlopen of kwam niet van deze pagina. Vul je naam en wachtwoord opnieuw in."
)
LOGGED_OUT = "Je bent uitgelogd."
SESSION_NEEDED = "Log in om de redactie te openen."
EMPTY_FIELDS = "Vul je naam en je wachtwoord in."
TOO_BIG = "Dit formulier is te groot. Vul alleen je naam en je wachtwoord in."


def login_blocked(minutes: int) -> str:
    return (
        "Er is te vaak een verkeerde naam of een verkeerd wachtwoord gebruikt. Daarom kun je nu niet "
        f"inloggen. Probeer het over {minutes} {'minuut' if minutes == 1 else 'minuten'} opnieuw. "
        "Weet je je wachtwoord niet meer? Vraag een beheerder om een nieuw wachtwoord."
    )


# Refusals -----------------------------------------------------------------------------------

CSRF_REFUSED = Notice(
    "Dit formulier is niet aangenomen",
    (
        "Het formulier had geen geldige beveiligingscode. Dat gebeurt als het van een andere site "
        "kwam, of als je intussen bent uitgelogd.",
        "Ga terug, laad de pagina opnieuw en probeer het nog eens. Er is niets veranderd.",
    ),
    again=False,
)
ROLE_REFUSED = Notice(
    "Alleen voor beheerders",
    (
        "Deze pagina is alleen voor beheerders. Je bent ingelogd als redacteur.",
        "Moet hier iets gebeuren? Vraag het een beheerder.",
    ),
    again=False,
)

# The inbox ----------------------------------------------------------------------------------

# The statuses staff filter on, as they appear in the address (?status=…) and on the page.
STATUSES = {
    "nieuw": "Nieuw",
    "in_bewerking": "In bewerking",
    "geaccepteerd": "Geaccepteerd",
    "afgewezen": "Afgewezen",
    "ingetrokken": "Ingetrokken",
    "onbekend": "Herkomst onbekend",
}
ALL = "Alles"
NO_TITLE = "(geen titel)"
STORY_MISSING = "Het verhaal staat niet meer op de branch."
UNKNOWN_ORIGIN = (
    "Herkomst onbekend: voor deze inzending staat geen toestemming in het register. "
    "Publiceer haar niet voordat je weet dat de verteller toestemming gaf."
)


def problems_text(errors: int, warnings: int) -> str:
    if not errors and not warnings:
        return "Geen"
    parts = []
    if errors:
        parts.append(f"{errors} {'fout' if errors == 1 else 'fouten'}")
    if warnings:
        parts.append(f"{warnings} {'waarschuwing' if warnings == 1 else 'waarschuwingen'}")
    return " en ".join(parts)


# One submission ------------------------------------------------------------------------------

REVIEW_DONE = {
    "bewerkt": "Je wijziging is opgeslagen. Het voorbeeld hieronder laat de nieuwe versie zien.",
    "niets": "Er was niets veranderd. Er is niets opgeslagen.",
}
CLOSED_FOR_EDIT = (
    "Over deze inzending is al besloten, of ze is ingetrokken. Je kunt haar niet meer aanpassen."
)
ACCEPTED_TITLE = "Het verhaal is geplaatst"
DECLINED_TITLE = "De inzending is afgewezen"
REFUSED_TITLE = "Dit kan niet"
MAIL_QUEUED = "De verteller krijgt hierover een e-mail."
MAIL_NO_ADDRESS = "De verteller gaf geen e-mailadres. Er gaat geen e-mail naar de verteller."
MAIL_OFF = "E-mail staat uit op deze server. Er gaat geen e-mail naar de verteller."
MAIL_NOT_QUEUED = (
    "De e-mail aan de verteller kon niet klaargezet worden. "
    "Vraag de beheerder om in het logboek van de server te kijken."
)


# Accounts -----------------------------------------------------------------------------------

ROLES = {"redacteur": "Redacteur", "beheerder": "Beheerder"}
ROLE_HELP = (
    "Een redacteur beoordeelt en bewerkt inzendingen. "
    "Een beheerder kan ook accounts beheren en het logboek lezen."
)
DONE = {
    "toegevoegd": "Het account is gemaakt. Geef de naam en het wachtwoord persoonlijk door, niet per e-mail.",
    "rol": "De rol is veranderd.",
    "uit": "Het account staat uit. Wie nog was ingelogd, is uitgelogd.",
    "aan": "Het account staat weer aan.",
    "wachtwoord": "Het wachtwoord is veranderd. Wie nog was ingelogd met dit account, is uitgelogd.",
}
UNKNOWN_ACTION = "Deze actie bestaat niet. Kies een knop op de pagina."
PASSWORDS_DIFFER = "De twee wachtwoorden zijn niet gelijk. Typ ze opnieuw."
