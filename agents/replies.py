"""A customer's short answer to "needs your confirmation": yes, no, or something else.

When a turn pauses on the customer's own confirmation (a cancellation, a return, an address change),
the customer answers in the conversation as they would to a person: "yes please", "ok do it", "ja,
bitte", "non merci". Such an answer decides the confirmation; anything that asks for more ("yes, but
to the other address", "and the invoice?") is not one, and the thread keeps waiting for a decision.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Reply = Literal["approve", "reject"]

_MAX_WORDS = 10


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that say yes (in the five languages the router reads).
_YES = _words(
    """
    yes y ya yeah yep yup yea sure ok okay k kk confirm confirmed confirmation correct right fine
    proceed go ahead absolutely definitely course alright agreed agree perfect great good sounds
    ja jawohl genau gerne klar einverstanden bestätigen bestätige passt gut richtig
    sí si vale claro dale adelante confirmo confirmar perfecto bueno correcto
    oui d'accord daccord parfait confirme bien entendu volontiers ouais bon
    graag prima akkoord goed prima bevestig bevestigen oké top super klopt
    sim claro pode certo
    sì esatto procedi confermo benissimo
    """
)
# Words that say no.
_NO = _words(
    """
    no nope nah not don't dont never stop nevermind mind forget keep leave bother
    nein nicht lieber kein keine nee niet laat non pas mejor tampoco não nao lascia perdere
    """
)
# The write actions' verbs, in the five languages: a yes may name what it agrees to ("yes, cancel it").
_ACTION_WORDS = _words(
    """
    cancel change return refund send start open close reset unsubscribe escalate deliver
    stornieren stornier kündigen schließen schliessen erstatten zurückschicken senden öffnen ändern
    cancelar cancélalo cancelalo cerrar reembolsar devolver enviar abrir cambiar
    annuler annulez annule fermer fermez rembourser renvoyer envoyer ouvrir changer
    annuleren annuleer sluiten sluit terugbetalen terugsturen versturen openen wijzigen
    annullare annulla annullate cancellare chiudere rimborsare restituire inviare mandare aprire cambiare
    """
)
# Words that go with either without asking for anything else ("yes please do it", "no thanks"); the
# action verbs too.
_FILLER = _ACTION_WORDS | _words(
    """
    please pls plz thanks thank thx you u it that this do go for the one that's thats is be will would
    i me we my let's lets just then so oh well ah yes indeed really sure of course actually hmm changed
    i'm im am and now right away ahead totally fully proceed
    ticket claim order account email e-mail address newsletter subscription parcel request
    thing wait on sir cancellation closure closing confirm
    je j'ai moi hoor even wel stornierung annulation annulering cancelación cancelacion
    bitte danke das es mach machen sie du ich ja so sofort jetzt und gern
    por favor gracias hazlo lo eso hágalo hacerlo y ahora
    s'il vous plaît plait plaît svp merci vas-y allez-y faites le la les fais et maintenant c'est
    alsjeblieft alstublieft dank bedankt doe maar het dat en nu wacht toch staan
    by with me fine here from to's
    confírmalo confirmalo confírmelo confirmelo adelante hazlo bestätigt bevestigd confirmez-le
    """
)
_NO_PROBLEM = re.compile(
    r"\b(no problem|no worries|kein problem|sin problema|pas de probl[eè]me|geen probleem|please do|do it"
    r"|go for it|mach das|mach es|hazlo|doe maar|vas-y|allez-y)\b"
)
_NEVER_MIND = re.compile(r"\b(laat maar|lass mal|lass es|d[ée]j[aà] non|lascia stare|lascia perdere)\b")
# A no that says what it keeps ("no thanks, I'll keep it", "no, please don't cancel it"): the action waved off.
_WAVED_OFF = re.compile(
    r"^\W*(?:actually\W+|wait\W+|hmm\W+|oh\W+)*(?:no|nope|nah|nee|nein|non)\b[^?]*"
    r"(?:\b(?:don'?t|do not|dont)\s+(?:\w+\s+){0,2}?(?:cancel|close|change|refund|return|send|open|do)\w*\b(?:\s+(?:it|them|that))?"
    r"\W*$|\b(?:i'?ll|i will|i'?d rather)\s+keep\b[^?]*$|\bon second thought"
    # "nein doch nicht, ich warte noch ein paar Tage", "no, I'll wait", "actually no, I've remembered it"
    r"|\b(?:i'?ll|i will|let me|i'?d rather)\s+wait\b[^?]*$|\bich warte\b[^?]*$|\bj'attends\b[^?]*$"
    r"|\bik wacht\b[^?]*$|\bespero\b[^?]*$|\b(?:i'?ve|i have)\s+(?:just\s+)?remembered\b[^?]*$)"
    # "Wacht, toch maar niet. Laat maar staan, ...", "doch lieber nicht", "mejor no", "finalement non"
    r"|^\W*(?:(?:wacht|warte|espera|attends|wait|hmm|oh|ach|bueno|euh)\W+){0,2}"
    r"(?:toch maar niet|toch niet|doch nicht|doch lieber nicht|lieber nicht|mejor no|pensándolo mejor no"
    r"|finalement non|finalement,? non|plutôt pas|laat maar staan|laat maar zitten|lass es|lass mal)\b[^?]*$"
    # "actually no, leave it, I'll be home after all": a no that leaves it, then the customer's reason
    r"|^\W*(?:actually\W+|wait\W+|hmm\W+|oh\W+)*(?:no|nope|nah)\W+(?:just\s+)?(?:leave it|forget it|never ?mind"
    r"|don'?t bother|skip it|scrap that|cancel that)\b(?![^?]*\b(?:but|instead|rather|except)\b)[^?]*$"
    # "Actually hold on - my neighbour might have it. Don't file anything yet."
    r"|^\W*(?:actually\W+|ok\W+|okay\W+)?(?:hold on|wait|hang on)\b[^?]*\b(?:don'?t|do not)\s+(?:\w+\s+){0,2}?"
    r"(?:file|open|do|cancel|send|change|close|start|refund|submit)\w*\s+(?:anything|it|that|them)\b[^?]*$",
)
# A thank-you ("ok thanks", "great, merci") agrees with nothing unless it also says yes outright.
_THANKS = _words("thanks thank thx ty cheers merci danke dank bedankt gracias obrigado obrigada grazie")
_STRONG_YES = _words(
    "yes yeah yep yup yea sure please pls plz do go ahead proceed confirm ja bitte gerne sí si por favor "
    "oui volontiers graag alsjeblieft adelante dale hazlo sim"
)
_WORD = re.compile(r"[a-zà-ÿ']+(?:-[a-zà-ÿ]+)?")


_ARTICLES = _words("a an the un une le la les el los las una ein eine einen den der die das een de het")
# What an offer names, in the five languages (an offer is written in English; the yes may not be).
_SAME_WORDS: tuple[frozenset[str], ...] = tuple(
    _words(line)
    for line in (
        "open öffnen eröffnen aufmachen abrir abran ábrala ouvrir ouvrez openen",
        "claim claims nachforschung reklamation antrag reclamación reclamacion réclamation reclamation",
        "cancel stornieren storniere stornier cancelar cancela cancélalo cancelalo annuler annulez annule"
        " annuleren annuleer",
        "send senden schicken enviar envía envia mandar envoyer envoyez envoie versturen sturen stuur",
        "link lien enlace",
        "reset zurücksetzen restablecer réinitialiser resetten",
        "refund erstatten erstattung zurückerstatten reembolsar reembolso devolver rembourser remboursement"
        " remboursez terugbetalen terugbetaling terugstorten",
        "unsubscribe abmelden abbestellen baja désabonner désinscrire afmelden uitschrijven",
        "return zurückschicken rücksendung devolver devolución retourner retour retourneren terugsturen",
    )
)


def plain_yes(text: str, offer: str = "") -> bool:
    """A yes and nothing else ("yes please", "ok", "sure"): no action word of its own, so after an answer
    that offered something it accepts the offer ("ok cancel it then" is a request of its own). A yes that
    names the offer's own verb takes it up too: "ok send it" after "I can send you a password-reset link"."""
    folded = unicodedata.normalize("NFKC", text).lower()
    offered = {
        p for w in _WORD.findall(unicodedata.normalize("NFKC", offer).lower()) for p in (w, *w.split("-"))
    }
    # the offer's words in the other languages: "oui, ouvrez une réclamation" after "I can open a claim"
    offered |= {w for group in _SAME_WORDS if group & offered for w in group}
    words = _WORD.findall(folded)
    if confirmation_reply(text) != "approve":
        # "yes send the link" after "I can send you a password-reset link": the offer's own words
        named = [
            w for w in words if (w not in offered and w not in _ARTICLES) or w in _YES or w in _ACTION_WORDS
        ]
        if not offered or not named or confirmation_reply(" ".join(named)) != "approve":
            return False
    said = set(words)
    if said & _THANKS and not said & _STRONG_YES:
        return False  # "ok thanks", "perfect, merci!", "great thanks": a thank-you, not an offer taken up
    verbs = [w for w in words if w in _ACTION_WORDS]
    if not verbs:
        return True
    return bool(offered) and all(v in offered for v in verbs)


def bare_yes(text: str) -> bool:
    """A yes that names nothing ("yes please", "ja graag", "sure"): the answer to an offer, not a request of
    its own. "ok, then please open a claim for it" asks in its own words, and is confirmed as a request."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return confirmation_reply(text) == "approve" and not any(
        w in _ACTION_WORDS for w in _WORD.findall(folded)
    )


def declines(text: str) -> bool:
    """A plain no ("nah, not now", "no, leave it for now", "nee, laat maar")."""
    return confirmation_reply(text) == "reject"


def confirmation_reply(text: str) -> Reply | None:
    """ "approve" for a plain yes, "reject" for a plain no, None for anything else (a new request, a
    question, a yes with conditions)."""
    folded = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    folded = _NEVER_MIND.sub(" no ", _NO_PROBLEM.sub(" ok ", folded))
    if _WAVED_OFF.search(folded) and "?" not in folded:
        # "Actually, no thanks - on second thought I'll keep the order. Please don't cancel it."
        return "reject"
    if re.search(r"\b(but|aber|pero|mais|maar|instead|except|only|first)\b|\?", folded):
        return None
    # "annulez-la", "cancela-lo": the verb and its pronoun are two words (not "vas-y", a filler of its own)
    words = [p for w in _WORD.findall(folded) for p in ([w] if w in _FILLER else w.split("-"))]
    if not words or len(words) > _MAX_WORDS:
        return None
    yes = [w for w in words if w in _YES]
    no = [w for w in words if w in _NO or w.startswith("don'")]
    if any(w not in _YES and w not in _NO and w not in _FILLER for w in words):
        return None
    if no and not yes:
        # "no, close it instead": a no with an action of its own is a new request, not a decision
        return None if any(w in _ACTION_WORDS for w in words) else "reject"
    if yes and not no:
        return "approve"
    return None  # yes and no in one answer: not a decision


# A reply that opens a message, then the rest: "Top. Sta ik ...?", "yes please - and my invoice?"
_LEAD = re.compile(r"^\s*([^.!?,;:\n]{1,40}?)\s*(?:[.!,;:\n]+|\s[-–—]+\s)\s*(\S.*)$", re.DOTALL)
_QUALIFIES = re.compile(
    r"^(?:but|except|only|instead|unless|aber|au[ßs]er|nur|pero|salvo|solo|mais|sauf|seulement|maar|behalve|alleen)\b",
    re.IGNORECASE,
)


def leading_reply(text: str) -> tuple[Reply, str] | None:
    """A yes or no that opens a message which goes on to something new ("Top. Sta ik verder nog ergens voor
    ingeschreven?", "no, cancel the other one instead"): the reply and the rest. None when the message does
    not open with one, or when the rest qualifies the reply ("yes, but to the other address")."""
    found = _LEAD.match(text)
    if found is None:
        return None
    reply, rest = confirmation_reply(found.group(1)), found.group(2).strip()
    if reply is None or not rest or _QUALIFIES.match(rest):
        return None
    return reply, rest
