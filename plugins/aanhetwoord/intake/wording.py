"""Everything residents read from the service, in plain Dutch (B1), with English beside it.

Each text is a :class:`Said`: a ``str`` whose value is the Dutch text, carrying its English
translation, so code that compares or stores the Dutch keeps working and the pages pick the
language the resident chose (``?lang=en``) only when they render.

The consent register records which text a resident agreed to as the SHA-256 of the Dutch text;
the English is a translation of that same version. Change a Dutch sentence here and new
submissions get a new version.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

# The languages the form itself can be read in; the first is the default.
FORM_LANGUAGES = ("nl", "en")


class Said(str):
    """A Dutch text (its value) with its English translation in ``english``."""

    english: str

    def __new__(cls, dutch: str, english: str) -> Said:
        text = super().__new__(cls, dutch)
        text.english = english
        return text


def form_language(requested: str | None) -> str:
    """The form's language from ``?lang=``; anything unknown is Dutch."""
    return requested if requested in FORM_LANGUAGES else FORM_LANGUAGES[0]


def in_language(text: str, language: str) -> str:
    """The text as the resident reads it: its English twin on the English form, if it has one."""
    if language == "en":
        return getattr(text, "english", text)
    return str(text)


CONSENT = Said(
    "Iedereen die herkenbaar is in het verhaal, vindt het goed dat het op de site komt. "
    "Dat geldt voor namen en voor wat iemand heeft verteld.",
    "Everyone who can be recognised in the story agrees that it is put on the site. "
    "That goes for names and for what someone told.",
)
PHOTO_CONSENT = Said(
    "Iedereen die herkenbaar op de foto staat, vindt het goed dat de foto op de site komt. "
    "Staan er kinderen op? Dan vinden hun ouders het goed.",
    "Everyone who can be recognised in the photo agrees that the photo is put on the site. "
    "Are there children in it? Then their parents agree.",
)
AGE = Said(
    "Ik ben 16 jaar of ouder. Of ik ben jonger, en mijn ouder of voogd vindt het goed.",
    "I am 16 or older. Or I am younger, and my parent or guardian agrees.",
)
WITHDRAW = Said(
    "Je mag je verhaal altijd weer laten weghalen. Ook later, en ook als je niet zegt waarom.",
    "You can always have your story taken down again. Also later, and also without saying why.",
)


def email_note(days: int, mail: bool = False) -> str:
    """What the address is used for; ``mail`` when the service sends mail (SMTP is set up)."""
    if mail:
        dutch = (
            "Vul je het in? Dan mailen we je over je verhaal: dat het is aangekomen (met de link om het "
            "in te trekken), en of het op de site komt. De redactie kan je ook iets vragen. "
        )
        english = (
            "If you fill it in, we e-mail you about your story: that it has arrived (with the link to "
            "withdraw it), and whether it goes on the site. The editors may also ask you something. "
        )
    else:
        dutch = "De redactie gebruikt je e-mailadres alleen om je iets te vragen over je verhaal. "
        english = "The editors only use your e-mail address to ask you something about your story. "
    return Said(
        f"Niet verplicht. {dutch}"
        f"Het komt nooit op de site. We wissen het {days} dagen nadat de redactie over je verhaal "
        "heeft besloten.",
        f"Not required. {english}"
        f"It never appears on the site. We delete it {days} days after the editors have decided about "
        "your story.",
    )


def consent_texts(purge_days: int, mail: bool = False) -> tuple[str, ...]:
    """Every sentence about consent and privacy on the form, in the order shown."""
    return (CONSENT, PHOTO_CONSENT, AGE, WITHDRAW, email_note(purge_days, mail))


def consent_version(purge_days: int, mail: bool = False) -> str:
    return hashlib.sha256("\n".join(consent_texts(purge_days, mail)).encode("utf-8")).hexdigest()


# Labels of the fields, as residents see them; messages in the summary start with these.
LABELS = {
    "title": Said("Titel", "Title"),
    "community": Said("Naam van jullie groep", "Name of your group"),
    "neighbourhoods": Said("Buurt", "Neighbourhood"),
    "themes": Said("Thema", "Theme"),
    "storytellers": Said("Namen van de vertellers", "Names of the storytellers"),
    "summary": Said("Korte samenvatting", "Short summary"),
    "body": Said("Jullie verhaal", "Your story"),
    "language": Said("Taal van je verhaal", "Language of your story"),
    "photo": Said("Foto", "Photo"),
    "photo_alt": Said("Wat is er op de foto te zien?", "What can be seen in the photo?"),
    "photo_credit": Said("Wie maakte de foto?", "Who took the photo?"),
    "photo_consent": Said("Toestemming voor de foto", "Consent for the photo"),
    "consent": Said("Toestemming voor het verhaal", "Consent for the story"),
    "age_confirm": Said("Leeftijd", "Age"),
    "email": Said("E-mailadres", "E-mail address"),
    "website": Said("Laat dit veld leeg", "Leave this field empty"),
    "": Said("Formulier", "Form"),
}


# The form page -------------------------------------------------------------------------------
# Headings, help texts and buttons of the form, in the order they appear.

FORM_TITLE = Said("Deel je verhaal", "Share your story")
NOT_SENT_YET = Said("Nog niet verstuurd", "Not sent yet")
OTHER_LANGUAGE = Said("English", "Nederlands")  # the link to the form in the other language
OTHER_LANGUAGE_CODE = Said("en", "nl")
SKIP_LINK = Said("Naar de inhoud", "Skip to the content")
QUESTIONS = Said("Vragen? Mail naar", "Questions? Send an e-mail to")
BACK_TO_SITE = Said("Terug naar de site", "Back to the site")
INTRO = Said(
    "Vertel in je eigen woorden wat jullie samen doen. Je hebt geen account nodig. "
    "De redactie leest je verhaal eerst. Daarna komt het op de site.",
    "Tell in your own words what you do together. You do not need an account. "
    "The editors read your story first. Then it is put on the site.",
)
REQUIRED = Said("(nodig)", "(required)")
REQUIRED_BEFORE = Said("Velden met", "You must fill in fields marked")
REQUIRED_AFTER = Said("moet je invullen. De rest mag je leeg laten.", ". You may leave the rest empty.")
HINTS = {
    "title": Said(
        "Kort en duidelijk, hoogstens 120 tekens. Bijvoorbeeld: Samen koken op vrijdag.",
        "Short and clear, at most 120 characters. For example: Cooking together on Fridays.",
    ),
    "community": Said(
        'Wie vertelt er? Hebben jullie geen naam? Verzin er een, zoals "Wandelaars van de dinsdag".',
        'Who is telling? Do you have no name? Make one up, like "Tuesday walkers".',
    ),
    "neighbourhoods": Said(
        "In welke buurt gebeurt het? Je mag er meer kiezen.",
        "In which neighbourhood does it happen? You may choose more than one.",
    ),
    "themes": Said(
        "Waar gaat je verhaal over? Je mag er meer kiezen.",
        "What is your story about? You may choose more than one.",
    ),
    "body": Said(
        "Wat doen jullie samen? Wie komen er? Sinds wanneer? Wat ging er goed, en wat niet? "
        "Schrijf korte zinnen. Tussen de 150 en 450 woorden is een goede lengte. "
        "Een lege regel begint een nieuwe alinea.",
        "What do you do together? Who comes? Since when? What went well, and what did not? "
        "Write short sentences. Between 150 and 450 words is a good length. "
        "An empty line starts a new paragraph.",
    ),
    "language": Said(
        "In welke taal heb je je verhaal geschreven? Staat je taal er niet bij? Kies dan Nederlands "
        "en zet de taal boven je verhaal. De redactie past het aan.",
        "Which language did you write your story in? Is your language not in the list? Then choose "
        "Dutch and write the language above your story. The editors will change it.",
    ),
    "summary": Said(
        "Eén of twee zinnen, hoogstens 300 tekens. Laat je dit leeg? Dan neemt de site het begin "
        "van je verhaal.",
        "One or two sentences, at most 300 characters. If you leave this empty, the site uses the "
        "beginning of your story.",
    ),
    "storytellers": Said(
        "Zoals zij genoemd willen worden, met komma's ertussen. Bijvoorbeeld: Anja, Mehmet Kaya. "
        "Noem alleen mensen die dat goed vinden.",
        "As they want to be named, with commas in between. For example: Anja, Mehmet Kaya. "
        "Only name people who agree to it.",
    ),
    "photo_alt": Said(
        "Eén zin, voor mensen die de foto niet kunnen zien. Bijvoorbeeld: Drie vrouwen zitten aan "
        "een tafel met naaimachines en lachen.",
        "One sentence, for people who cannot see the photo. For example: Three women sit at a "
        "table with sewing machines and laugh.",
    ),
}


def photo_hint(megabytes: int) -> str:
    return Said(
        "Een foto maakt je verhaal levendig, maar het hoeft niet. Een foto van je telefoon is goed: "
        f"JPEG, PNG, WebP of HEIC, hoogstens {megabytes} MB. We halen verborgen gegevens uit de "
        "foto, zoals de plek waar hij is gemaakt.",
        "A photo brings your story to life, but it is not required. A photo from your phone is "
        f"fine: JPEG, PNG, WebP or HEIC, at most {megabytes} MB. We remove hidden data from the "
        "photo, such as the place where it was taken.",
    )


def photo_kept(width: int, height: int) -> str:
    return Said(
        f"Je foto is bewaard ({width} × {height} pixels). Je hoeft hem niet opnieuw te kiezen. "
        "Wil je een andere foto? Kies die hieronder.",
        f"Your photo has been kept ({width} × {height} pixels). You do not need to choose it "
        "again. Do you want another photo? Choose it below.",
    )


CHOOSE_PHOTO = Said("Kies een foto", "Choose a photo")
DROP_KEPT_PHOTO = Said("Stuur deze foto niet mee", "Do not send this photo")
CONSENT_HEADING = Said("Toestemming", "Consent")
WITHDRAW_LINK_NOTE = Said(
    "Na het versturen krijg je daarvoor een eigen link.", "After sending, you get your own link for that."
)
SEND = Said("Verstuur je verhaal", "Send your story")
ERROR_PREFIX = Said("Fout: ", "Error: ")


def not_sent_heading(count: int) -> str:
    return Said(
        "Je verhaal is nog niet verstuurd. "
        + ("Er is 1 ding" if count == 1 else f"Er zijn {count} dingen")
        + " om te verbeteren:",
        "Your story has not been sent yet. "
        + ("There is 1 thing" if count == 1 else f"There are {count} things")
        + " to put right:",
    )


# Messages next to a field, from the form's own checks -----------------------------------------

NO_TITLE = Said("Vul een titel in.", "Fill in a title.")
NO_COMMUNITY = Said(
    "Vul de naam van jullie groep in. Geen naam? Verzin er een.",
    "Fill in the name of your group. No name? Make one up.",
)
NO_NEIGHBOURHOOD = Said("Kies minstens één buurt.", "Choose at least one neighbourhood.")
NO_THEME = Said("Kies minstens één thema.", "Choose at least one theme.")
NO_BODY = Said("Schrijf hier jullie verhaal.", "Write your story here.")
NO_PHOTO_ALT = Said(
    "Schrijf in één zin wat er op de foto te zien is.", "Write in one sentence what can be seen in the photo."
)
NO_PHOTO_CONSENT = Said(
    "Zet hier een vinkje als iedereen op de foto het goed vindt. Anders: stuur de foto niet mee.",
    "Tick this box if everyone in the photo agrees. If not: do not send the photo.",
)
NO_CONSENT = Said(
    "Zet hier een vinkje als iedereen in het verhaal het goed vindt. Zonder hun toestemming "
    "kunnen we het verhaal niet plaatsen.",
    "Tick this box if everyone in the story agrees. Without their consent we cannot publish the story.",
)
NO_AGE = Said(
    "Zet hier een vinkje als je 16 jaar of ouder bent, of als je ouder of voogd het goed vindt.",
    "Tick this box if you are 16 or older, or if your parent or guardian agrees.",
)
BAD_EMAIL = Said(
    "Dit e-mailadres klopt niet. Kijk het na, of laat dit veld leeg.",
    "This e-mail address is not right. Check it, or leave this field empty.",
)


def community_too_long(limit: int) -> str:
    return Said(
        f"De naam van jullie groep mag hoogstens {limit} tekens zijn.",
        f"The name of your group may be at most {limit} characters.",
    )


def at_most(limit: int) -> str:
    return Said(f"Dit mag hoogstens {limit} tekens zijn.", f"This may be at most {limit} characters.")


def body_too_long(length: int, limit: int) -> str:
    return Said(
        f"Je verhaal is {length} tekens lang. Dat mogen er hoogstens {limit} zijn. Maak het wat korter.",
        f"Your story is {length} characters long. It may be at most {limit}. Make it a bit shorter.",
    )


def foreign_photo(asset: str, file_name: str) -> str:
    return Said(
        f"In je verhaal staat een foto '{asset}'. Je kunt alleen de foto gebruiken die je "
        f"hieronder meestuurt. Die zet je in de tekst als ![wat erop staat]({file_name}).",
        f"Your story contains a photo '{asset}'. You can only use the photo you send below. "
        f"Put it in the text as ![what it shows]({file_name}).",
    )


# The validator speaks Dutch; these are its refusals that a form can cause, in English.
_VALIDATOR_ENGLISH = (
    (
        re.compile(r"is (\d+) tekens lang; het mag hoogstens (\d+) tekens zijn"),
        "is {0} characters long; it may be at most {1}.",
    ),
    (re.compile(r"noemt er (\d+); dat mogen er hoogstens (\d+) zijn"), "names {0}; at most {1} are allowed."),
    (re.compile(r"'(.*)' is geen bekende taalcode"), "'{0}' is not a known language code."),
)


# How the English names what the validator's Dutch message is about.
_SUBJECTS_ENGLISH = {
    "title": "The title",
    "community": "The name of your group",
    "neighbourhoods": "The list of neighbourhoods",
    "themes": "The list of themes",
    "storytellers": "The names of the storytellers",
    "summary": "The summary",
    "body": "Your story",
    "photo_alt": "The description of the photo",
    "photo_credit": "The name of who took the photo",
}


def not_accepted(dutch: str, field: str) -> str:
    """A refusal from the project's validator (in Dutch), with what it means in English."""
    subject = _SUBJECTS_ENGLISH.get(field, "This")
    for pattern, english in _VALIDATOR_ENGLISH:
        found = pattern.search(dutch)
        if found:
            text = english.format(*found.groups())
            return Said(dutch, text if text.startswith("'") else f"{subject} {text}")
    return Said(dutch, f"{subject} is not accepted as it is. Please check it.")


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
        Said("Even wachten", "Please wait a moment"),
        (
            Said(
                "Er zijn vanaf jouw internetadres veel formulieren verstuurd. "
                "Daarom nemen we nu even niets aan.",
                "Many forms have been sent from your internet address. "
                "That is why we accept nothing for now.",
            ),
            Said(
                f"Probeer het over {minutes} minuten opnieuw. Je verhaal is niet verstuurd.",
                f"Try again in {minutes} minutes. Your story has not been sent.",
            ),
            Said(
                "Ga terug met de knop Vorige van je browser: meestal staat je tekst er dan nog. "
                "Bewaar je tekst zo nodig even ergens anders.",
                "Go back with your browser's Back button: your text is usually still there. "
                "If needed, save your text somewhere else for now.",
            ),
        ),
    )


def too_large(reason: str) -> Notice:
    return Notice(
        Said("Dit is te groot", "This is too large"),
        (
            Said(reason, "What you sent is larger than the form allows."),
            Said("Je verhaal is niet verstuurd.", "Your story has not been sent."),
        ),
    )


def bad_post(reason: str) -> Notice:
    return Notice(
        Said("Dit ging niet goed", "Something went wrong"),
        (
            Said(f"Het formulier kwam niet goed aan: {reason}.", "The form did not arrive properly."),
            Said("Probeer het opnieuw.", "Please try again."),
        ),
    )


ALREADY_SENT = Notice(
    Said("Dit formulier is al verstuurd", "This form has already been sent"),
    (
        Said(
            "Je hebt dit formulier al een keer verstuurd. "
            "Kreeg je toen een bedankpagina met een kenmerk? "
            "Dan is je verhaal goed aangekomen en hoef je niets meer te doen.",
            "You have already sent this form once. "
            "Did you get a thank-you page with a reference then? "
            "Then your story has arrived and you do not need to do anything else.",
        ),
    ),
)
UNKNOWN_LINK = Notice(
    Said("Deze link werkt niet", "This link does not work"),
    (
        Said(
            "Kijk of je de hele link hebt gekopieerd. Hij is lang en moet helemaal kloppen.",
            "Check that you copied the whole link. It is long and must be exactly right.",
        ),
        Said(
            "Lukt het niet? Vraag de redactie om je verhaal in te trekken. "
            "Noem dan het kenmerk van je verhaal.",
            "Still not working? Ask the editors to withdraw your story. Give them your story's reference.",
        ),
    ),
    again=False,
)
NOT_ALLOWED = Notice(
    Said("Dit kan hier niet", "This is not possible here"),
    (Said("Ga naar het formulier en begin daar.", "Go to the form and start there."),),
)
NOT_FOUND = Notice(
    Said("Deze pagina bestaat niet", "This page does not exist"),
    (Said("Misschien zoek je het formulier.", "Perhaps you are looking for the form."),),
)
SERVER_ERROR = Notice(
    Said("Er ging iets mis bij ons", "Something went wrong on our side"),
    (
        Said(
            "Je verhaal is niet verstuurd. Dat ligt niet aan jou. Probeer het later nog een keer.",
            "Your story has not been sent. That is not your fault. Please try again later.",
        ),
    ),
)
TO_THE_FORM = Said("Naar het formulier", "To the form")
# The body of a 404 for the logo or favicon, which only a browser asks for.
FILE_NOT_FOUND = "Niet gevonden"

# At the top of the form.
HONEYPOT_FILLED = Said(
    "Het veld 'Laat dit veld leeg' is ingevuld. Dat doen alleen computers die spam sturen. "
    "Je verhaal is niet verstuurd. Kijk alles na en verstuur het opnieuw.",
    "The field 'Leave this field empty' has been filled in. Only computers that send spam do that. "
    "Your story has not been sent. Check everything and send it again.",
)
BAD_TOKEN = Said(
    "Het formulier kwam niet goed aan. Je verhaal is niet verstuurd. Verstuur het opnieuw.",
    "The form did not arrive properly. Your story has not been sent. Please send it again.",
)
TOO_FAST = Said(
    "Dat ging heel snel. Kijk alles nog even na en verstuur het formulier dan opnieuw.",
    "That was very fast. Check everything once more and then send the form again.",
)
TOO_OLD = Said(
    "Het formulier stond lang open. Daarom moet je het nog een keer versturen. Je tekst staat er nog.",
    "The form was open for a long time. That is why you need to send it again. Your text is still there.",
)

# Next to the photo.
CHOOSE_PHOTO_AGAIN = Said("Kies je foto opnieuw.", "Choose your photo again.")
BAD_FILE_NAME = Said(
    "De naam van het bestand kan niet. Geef je foto een gewone naam, zoals foto.jpg, en kies hem opnieuw.",
    "The file name is not possible. Give your photo an ordinary name, like photo.jpg, and choose it again.",
)


def photo_too_large(megabytes: int) -> str:
    return Said(
        f"Je foto is groter dan {megabytes} MB. Kies een kleinere foto.",
        f"Your photo is larger than {megabytes} MB. Choose a smaller photo.",
    )


def photo_refused(reason: str) -> str:
    return Said(f"{reason} Kies een andere foto.", "This photo cannot be used. Choose another photo.")
