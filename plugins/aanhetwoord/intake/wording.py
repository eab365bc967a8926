"""What residents read on the form about consent and privacy, in plain Dutch (B1).

The consent register records which text a resident agreed to as the SHA-256 of the text that
was shown; change a sentence here and new submissions get a new version.
"""

from __future__ import annotations

import hashlib

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


def email_note(days: int) -> str:
    return (
        "Niet verplicht. De redactie gebruikt je e-mailadres alleen om je iets te vragen over je verhaal. "
        f"Het komt nooit op de site. We wissen het {days} dagen nadat de redactie over je verhaal "
        "heeft besloten."
    )


def consent_texts(purge_days: int) -> tuple[str, ...]:
    """Every sentence about consent and privacy on the form, in the order shown."""
    return (CONSENT, PHOTO_CONSENT, AGE, WITHDRAW, email_note(purge_days))


def consent_version(purge_days: int) -> str:
    return hashlib.sha256("\n".join(consent_texts(purge_days)).encode("utf-8")).hexdigest()


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
