"""What residents read on the form about consent and privacy, in plain Dutch (B1).

The consent register records which text a resident agreed to as the SHA-256 of the text that
was shown; change a sentence here and new submissions get a new version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

CONSENT = (
    "Iedereen die herkenbaar is in het verhaal, vindt het goed dat het op de site komt. "
    "Dat geldt voor namen en voor wat iemand heeft verteld."
)
PHOTO_CONSENT = (
    "Iedereen die herkenbaar op de foto staat, vindt het goed dat de foto op de site komt. "
    "Staan er kinderen op? Dan vinden hun ouders het goed."
)
AGE = "Ik ben 16 jaar of ouder. Of ik ben jonger, en mijn ouder of voogd vindt het goed."
WITHDRAW = "Je mag je verhaal altijd weer laten weghalen. Ook later, en ook als je niet zegt waarom."


def email_note(days: int, mail: bool = False) -> str:
    """What the address is used for; ``mail`` when the service sends mail (SMTP is set up)."""
    use = (
        "Vul je het in? Dan mailen we je over je verhaal: dat het is aangekomen (met de link om het in "
        "te trekken), en of het op de site komt. De redactie kan je ook iets vragen. "
        if mail
        else "De redactie gebruikt je e-mailadres alleen om je iets te vragen over je verhaal. "
    )
    return (
        f"Niet verplicht. {use}"
        f"Het komt nooit op de site. We wissen het {days} dagen nadat de redactie over je verhaal "
        "heeft besloten."
    )


def consent_texts(purge_days: int, mail: bool = False) -> tuple[str, ...]:
    """Every sentence about consent and privacy on the form, in the order shown."""
    return (CONSENT, PHOTO_CONSENT, AGE, WITHDRAW, email_note(purge_days, mail))


def consent_version(purge_days: int, mail: bool = False) -> str:
    return hashlib.sha256("\n".join(consent_texts(purge_days, mail)).encode("utf-8")).hexdigest()


# Labels of the fields, as residents see them; messages in the summary start with these.
LABELS = {
    "title": "Titel",
    "community": "Naam van jullie groep",
    "neighbourhoods": "Buurt",
    "themes": "Thema",
    "storytellers": "Namen van de vertellers",
    "summary": "Korte samenvatting",
    "body": "Jullie verhaal",
    "photo": "Foto",
    "photo_alt": "Wat is er op de foto te zien?",
    "photo_credit": "Wie maakte de foto?",
    "photo_consent": "Toestemming voor de foto",
    "consent": "Toestemming voor het verhaal",
    "age_confirm": "Leeftijd",
    "email": "E-mailadres",
    "website": "Laat dit veld leeg",
    "": "Formulier",
}


# Messages ------------------------------------------------------------------------------------
# Everything else residents read from the service: refusals next to a field or at the top of
# the form, and the pages with only a message.


@dataclass(frozen=True)
class Notice:
    """A page with only a message: its title, its paragraphs, and whether it links to the form."""

    title: str
    paragraphs: tuple[str, ...]
    again: bool = True


def too_many_posts(minutes: int) -> Notice:
    return Notice(
        "Even wachten",
        (
            "Er zijn vanaf jouw internetadres veel formulieren verstuurd. Daarom nemen we nu even niets aan.",
            f"Probeer het over {minutes} minuten opnieuw. Je verhaal is niet verstuurd.",
            "Ga terug met de knop Vorige van je browser: meestal staat je tekst er dan nog. "
            "Bewaar je tekst zo nodig even ergens anders.",
        ),
    )


def too_large(reason: str) -> Notice:
    return Notice("Dit is te groot", (reason, "Je verhaal is niet verstuurd."))


def bad_post(reason: str) -> Notice:
    return Notice(
        "Dit ging niet goed", (f"Het formulier kwam niet goed aan: {reason}.", "Probeer het opnieuw.")
    )


ALREADY_SENT = Notice(
    "Dit formulier is al verstuurd",
    (
        "Je hebt dit formulier al een keer verstuurd. "
        "Kreeg je toen een bedankpagina met een kenmerk? "
        "Dan is je verhaal goed aangekomen en hoef je niets meer te doen.",
    ),
)
UNKNOWN_LINK = Notice(
    "Deze link werkt niet",
    (
        "Kijk of je de hele link hebt gekopieerd. Hij is lang en moet helemaal kloppen.",
        "Lukt het niet? Vraag de redactie om je verhaal in te trekken. Noem dan het kenmerk van je verhaal.",
    ),
    again=False,
)
NOT_ALLOWED = Notice("Dit kan hier niet", ("Ga naar het formulier en begin daar.",))
NOT_FOUND = Notice("Deze pagina bestaat niet", ("Misschien zoek je het formulier.",))
SERVER_ERROR = Notice(
    "Er ging iets mis bij ons",
    ("Je verhaal is niet verstuurd. Dat ligt niet aan jou. Probeer het later nog een keer.",),
)
# The body of a 404 for the logo or favicon, which only a browser asks for.
FILE_NOT_FOUND = "Niet gevonden"

# At the top of the form.
HONEYPOT_FILLED = (
    "Het veld 'Laat dit veld leeg' is ingevuld. Dat doen alleen computers die spam sturen. "
    "Je verhaal is niet verstuurd. Kijk alles na en verstuur het opnieuw."
)
BAD_TOKEN = "Het formulier kwam niet goed aan. Je verhaal is niet verstuurd. Verstuur het opnieuw."
TOO_FAST = "Dat ging heel snel. Kijk alles nog even na en verstuur het formulier dan opnieuw."
TOO_OLD = "Het formulier stond lang open. Daarom moet je het nog een keer versturen. Je tekst staat er nog."

# Next to the photo.
CHOOSE_PHOTO_AGAIN = "Kies je foto opnieuw."
BAD_FILE_NAME = (
    "De naam van het bestand kan niet. Geef je foto een gewone naam, zoals foto.jpg, en kies hem opnieuw."
)


def photo_too_large(megabytes: int) -> str:
    return f"Je foto is groter dan {megabytes} MB. Kies een kleinere foto."


def photo_refused(reason: str) -> str:
    return f"{reason} Kies een andere foto."
