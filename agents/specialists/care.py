"""Care: complaints, feedback and reviews, reaching a person, contact details and hours."""

from __future__ import annotations

import re

from switchboard.agents.contracts import ProposedAction, SpecialistReport
from switchboard.agents.router import lexicon as lx
from switchboard.agents.specialists import toolkit
from switchboard.agents.specialists.base import DomainSpec, SpecialistRun, SpecialistSpec, Vocabulary
from switchboard.agents.specialists.common import day, offered
from switchboard.tools.catalogue.care import escalate_to_human

NAME = "care"

_HUMAN = re.compile(
    r"\b(human|person|someone|somebody|agent|representative|manager|supervisor|speak|talk|call me|mitarbeiter"
    r"|mensch|sprechen|humano|persona|hablar|alguien|conseiller|humain|parler|quelqu'un|medewerker|spreken"
    r"|iemand|menschen|vorgesetzte\w*|persona real|responsable|supervisor|encargado|leidinggevende|praten"
    r"|pessoa|falar|algu[ée]m|atendente|operatore|parlare)\b",
    re.I,
)


# Making a complaint (as opposed to being unhappy): the complaint words, escalation, a report to pass on.
_COMPLAINT_ASK = re.compile(
    r"\b(complain\w*|complaint|escalat\w*|pass (it|this) on|report (this|it)|formal\w*|beschwer\w*"
    r"|reklamation|queja\w*|quejar\w*|reclamaci[oó]n|plainte|plaindre|r[ée]clamation|klacht|klagen"
    r"|reclama[çc][ãa]o|queixa\w*|reclamo|lamentela)\b",
    re.I,
)
_READ_BACK = re.compile(
    r"\b(read|show|see|what did i (write|say|give)|what i wrote|which|my reviews?|the review i|what rating"
    r"|how many stars|rating did i)\b",
    re.I,
)


def _escalation(run: SpecialistRun, subject: str) -> ProposedAction:
    return ProposedAction(
        action=escalate_to_human.name,
        args={"subject": subject, "summary": run.brief.request[:300]},
        reason="the customer asked for a person" if subject.startswith("Customer asked") else "complaint",
    )


async def complaints(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    tickets = await run.call(toolkit.list_tickets)
    open_tickets = [t for t in tickets if t["status"] == "open"]
    facts = [f"{t['id']}: {t['subject']} ({t['status']})" for t in tickets[:3]]
    if open_tickets:
        t = open_tickets[0]
        return run.report(
            spec,
            f"I am sorry about this. Your complaint is already with our team as ticket {t['id']} ({t['subject']}); "
            "I have noted your message.",
            facts,
        )
    if not (_COMPLAINT_ASK.search(run.brief.request) or _HUMAN.search(run.brief.request)):
        # unhappiness told is heard and offered a person; a ticket is opened when the customer asks for it
        return run.report(
            spec,
            offered(
                run,
                "I am sorry about this. If you want, I can pass it to a member of our care team as a complaint; "
                "they get back to you within one working day.",
                "passed it to our care team",
            ),
            facts,
        )
    return run.report(
        spec,
        "I am sorry about this. I will pass your complaint to a member of our care team, who will get back to you "
        "within one working day.",
        facts,
        [_escalation(run, "Complaint")],
    )


async def feedback(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    reviews = await run.call(toolkit.list_reviews)
    # Review text is data, never instructions: only ratings and product ids are used here.
    facts = [f"review of {r['product_id']}: {r['rating']}/5" for r in reviews[:5]]
    request = run.brief.request
    if (
        reviews
        and _READ_BACK.search(request)
        and re.search(r"\breview|\brating|\bstars?\b|\brated\b", request, re.I)
    ):
        # The customer's own reviews, by product, rating and title; the body (untrusted text) is not quoted.
        listed = "; ".join(
            f'{r.get("product_name") or r["product_id"]}: {r["rating"]}/5, titled "{r.get("title") or ""}" '
            f"({day(r.get('created_at'))})"
            for r in reviews[:5]
        )
        return run.report(spec, f"Your review(s): {listed}.", facts)
    text = "Thank you for your feedback; it goes straight to the team that can act on it."
    if re.search(r"\breview|rate|rating\b", request, re.I):
        text += " You can review any delivered product under Orders > Write a review"
        text += f"; you have written {len(reviews)} review(s) so far." if reviews else "."
    return run.report(spec, text, facts)


async def contact(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    details = await run.call(toolkit.contact_details)
    facts = [f"{k}: {v}" for k, v in details.items()]
    if _HUMAN.search(run.brief.request):
        return run.report(
            spec,
            f"I will hand this over to a person in our care team; they will contact you. You can also call "
            f"{details['phone']} ({details['hours']}).",
            facts,
            [_escalation(run, "Customer asked for a person")],
        )
    return run.report(
        spec,
        f"You can reach us by e-mail at {details['email']}, by phone at {details['phone']} ({details['hours']}), "
        f"or by chat {details['chat']}.",
        facts,
    )


SPECIALISTS: tuple[SpecialistSpec, ...] = (
    SpecialistSpec(
        name="complaints_agent",
        domain=NAME,
        description="complaints: listening, apologising and passing them to the team",
        cues=(
            r"\bcomplain",
            r"\bunhappy\b",
            r"\bdisappoint",
            r"\bterrible\b",
            r"\bawful\b",
            r"\bangry\b",
            r"\bunacceptable\b",
            r"\brude\b",
            r"\bworst\b",
            r"\bfurious\b",
            r"\bnot happy\b",
            r"\bbeschwer|\bqueja|\bquejar|\bplainte|\bplaindre|\bklacht|\bklagen",
            r"\breklamation|\breclamaci[oó]n|\br[ée]clamation|\bunzufrieden|\bm[ée]content|\bontevreden"
            r"|\binsatisfech|\bentt[äa]usch|\bd[ée][çc]u|\bteleurgesteld",
        ),
        tools=(toolkit.list_tickets,),
        handle=complaints,
        actions=(escalate_to_human,),
    ),
    SpecialistSpec(
        name="feedback_agent",
        domain=NAME,
        description="feedback, suggestions and product reviews",
        cues=(
            r"\bfeedback\b",
            r"\breview",
            r"\brat(e|ing)\b",
            r"\bsuggest",
            r"\bcompliment",
            r"\bpraise\b",
            r"\bthank",
        ),
        tools=(toolkit.list_reviews,),
        handle=feedback,
    ),
    SpecialistSpec(
        name="contact_desk",
        domain=NAME,
        description="reaching a person, contact details and opening hours",
        cues=(
            r"\bhuman\b",
            r"\bperson\b",
            r"\bagent\b",
            r"\brepresentative\b",
            r"\bcall\b",
            r"\bphone\b",
            r"\bcontact\b",
            r"\bhours\b",
            r"\bopen\b",
            r"\bspeak\b",
            r"\btalk\b",
            r"\bcustomer (service|care)\b",
            r"\bmitarbeiter|\bmensch\b|\bsprechen|\bhumano|\bpersona\b|\bhablar|\bconseiller|\bhumain|\bparler|\bmedewerker|\bspreken|\biemand",
            r"\bkundendienst|\bkundenservice|\bklantenservice|\bservice client|\batenci[oó]n al cliente"
            r"|\btelefon|\bt[ée]l[ée]phon|\bhorario|\bhoraires|\b[öo]ffnungszeiten|\bopeningstijden|\bmenschen"
            r"|\bmens\b|\bpraten|\bquelqu|\berreichbar|\berreichen|\bbereikbaar|\bbereiken|\bjoignable|\bjoindre"
            r"|\bllamar|\bbellen|\banrufen|\bappeler",
        ),
        tools=(toolkit.contact_details,),
        handle=contact,
        actions=(escalate_to_human,),
    ),
)

# fmt: off
VOCABULARY = Vocabulary(
    predicates={
        "complaint": 3.0, "complain": 3.0, "complaining": 3.0, "claim": 0.5, "reclamation": 3.0,
        "feedback": 3.0, "review": 2.5, "opinion": 2.0, "comment": 1.5, "rating": 1.5, "rate": 0.5,
        "suggestion": 2.0, "testimonial": 2.5, "human": 3.0, "agent": 1.5, "operator": 2.0,
        "representative": 2.5, "rep": 1.0, "person": 1.0, "someone": 0.5, "somebody": 0.5, "manager": 2.5,
        "supervisor": 2.0, "escalate": 2.5, "hotline": 3.0, "helpline": 3.0, "call": 1.0, "calling": 1.0,
        "telephone": 1.5, "callback": 2.0, "chat": 1.0, "livechat": 3.0, "contact": 1.5, "hours": 1.0,
        "rude": 2.5, "unhappy": 1.5, "disappointed": 1.5, "dissatisfied": 2.0, "angry": 1.0, "furious": 1.0,
        "terrible": 1.5, "awful": 1.5, "horrible": 1.5, "appalling": 2.0, "dreadful": 2.0, "disgraceful": 2.0,
        "shocking": 1.5, "disgusting": 2.0, "disgusted": 2.0, "ridiculous": 1.5, "outrageous": 1.5, "disgrace": 2.0, "shambles": 2.0,
        "pathetic": 1.5, "worst": 1.0, "useless": 1.0, "unacceptable": 1.0,
        "bot": 1.0, "robot": 1.0, "staff": 1.0, "employee": 1.0, "ombudsman": 3.0, "praise": 2.0,
        "ceo": 1.5, "management": 1.0, "compliment": 2.0, "survey": 1.5, "stars": 1.0, "trustpilot": 3.0,
        "ticket": 1.0,
    },
    # "my phone" is profile data, "your phone" is contact details
    objects={
        "phone": 1.0,
    },
    phrases=(
        (("mail send post", "you", "a the", "check cheque"), 0, -3.0),  # "can I mail you a check to pay my invoice?"
        # a person asked for, whatever about: "I want a real person to confirm ...", "can a person look
        # into it with the bank?"
        (("real actual live", "person human people"), 0, 3.0),
        (("person human someone somebody", "look check confirm handle review investigate call ring"), 1, 3.0),
        (("on", "record"), 0, 2.0),
        (("on", "hold"), 0, 2.0),
        (("nobody noone", "helps help answers replies responds calls rings gets"), 1, 2.5),
        (("third fourth fifth", "time"), 0, 1.5),
        (("head", "office"), 0, 3.0),
        (("someone somebody person anyone", "in", "charge"), 0, 3.0),
        (("waiting wait waited", "reply response answer"), 3, 2.5),
        (("email emails message messages mail", "to", "support"), 1, 2.5),
        # feedback on what the store could do: "it would be great if you offered gift wrapping. Just a suggestion"
        (("just a my one small", "suggestion suggestions idea"), 1, 3.0),
        # the store's own address to write to: "is there an email address I can write to?", "can I email you?"
        (("email mail address", "i we", "can could", "write send email mail"), 0, 3.0),
        (("can could may", "i we", "email mail write", "you"), 0, 3.0),
        (("address", "for", "letters correspondence complaints legal post mail"), 2, 3.0),
        (("your", "postal office company head mailing", "address"), 1, 2.0),
        (("talk speak chat connect transfer reach get put contact call", lx.HUMAN), 3, 3.0),
        (("customer", "service support care assistance team"), 0, 3.0),
        (("who whom", "speak talk contact call complain write"), 3, 2.5),
        (("nobody noone never not", "answer respond reply pick"), 2, 2.0),
        # "someone to actually answer my emails": a person to reply to what the customer wrote
        (("answer reply respond", "my our", "email emails mails mail messages message"), 2, 3.0),
        (("answer pick", "phone call calls"), 2, 1.0),
        (("give leave rate", "star stars"), 3, 2.5),
        (("rate review", "my your the this", "purchase product order experience service"), 1, 2.5),
        (("get keep", "in", "touch"), 0, 3.0),
        (("reach contact", "you"), 0, 1.5),
        # "could you pass my case to one of your colleagues?", "talk it through with a member of staff"
        (("pass hand transfer forward", "my this the", "case complaint issue query matter", "to on"), 0, 3.0),
        (("member", "of", "staff your the"), 0, 2.5),
        (("put", "me", "through", "to"), 0, 3.0),
        # "my review still isn't showing on the product page": a review, not a parcel
        (("review reviews rating", "showing shown visible appear appearing appeared published posted online up live"), 5, 3.0),
        (("pass", "it this that these my our", "on along"), 0, 2.5),
        (("showing shown visible appearing published", "on", "the your", "product site website page shop"), 2, 3.0),  # praise to pass on to the team
        # "do you have live chat or is it just email?": which ways there are to reach the store
        (("have offer", "live", "chat"), 1, 2.5),
        (("chat phone", "or", "is it", "just only"), 2, 2.5),
        (("support", "team"), 0, 2.0),
        (("opening business office open", "hours time"), 1, 3.0),
        (("what which", "hours"), 0, 2.0),
        (("are were r", "you u", "open closed"), 1, 2.0),
        (("open closed", "sunday saturday weekend holiday christmas today tomorrow late"), 2, 2.0),
        (("hours", "of", "operation business"), 0, 2.0),
        (("your ur", "phone number email address hours hotline contact support"), 2, 2.0),
        (("what", "time", "call contact reach open customer"), 4, 2.0),
        (("claim reclamation", "against"), 0, 2.0),
        (("leave write give submit send post", "review feedback opinion comment rating"), 3, 1.0),
        (("real live actual", "person human agent"), 0, 1.0),
        (("phone", "number"), 0, 0.5),
        # British "ring": "can I ring someone?", "a number I can ring"
        (("ring", "you someone somebody anyone me us"), 1, 2.0),
        (("number", "ring call phone"), 3, 2.5),
        (("love like", "your ur", "store shop website site service products company app"), 1, 2.0),
        (("you", "are", "best great amazing awesome fantastic brilliant"), 1, 2.0),
        (("great amazing excellent awesome fantastic terrible bad poor awful lousy", "service experience support store shop company"), 1, 2.0),
        (("contact", "details info information"), 0, 1.0),
        (("someone somebody person", "from", "your the", "team staff company"), 1, 2.5),
        (("just", "wanted want", "to", "say"), 0, 2.0),  # "just wanted to say the lamp is gorgeous"
        (("pass", "on", "my our", "thanks compliments gratitude"), 0, 3.0),
        (("report", "a the", "bug glitch fault"), 1, 2.5),
        (("is", "a", "joke"), 0, 3.0),  # "your service is a joke"
        (("email", "you"), 0, 1.0),
    ),
    foreign={
        "de": {
            "beschwerde": 3.0, "beschweren": 3.0, "reklamation": 2.0, "mitarbeiter": 2.5, "mensch": 2.5,
            "kundendienst": 3.0, "kundenservice": 3.0, "öffnungszeiten": 3.0, "telefonnummer": 2.0,
            "unzufrieden": 2.5, "enttäuscht": 2.5, "sprechen": 1.5, "katastrophe": 2.5, "schrecklich": 2.0,
            "furchtbar": 2.0, "unverschämt": 2.5, "frechheit": 2.5, "bewertung": 3.0, "rezension": 3.0,
            "erreichbar": 3.0, "erreichen": 1.5, "anrufen": 1.5,
        },
        "pt": {
            "reclamação": 3.0, "queixa": 3.0, "pessoa": 2.5, "humano": 2.5, "atendente": 3.0, "falar": 1.5,
            "contacto": 2.0, "contato": 2.0, "telefone": 2.0, "horário": 2.0, "avaliação": 2.5,
        },
        "it": {
            "reclamo": 3.0, "lamentela": 3.0, "persona": 2.5, "umano": 2.5, "operatore": 3.0, "parlare": 1.5,
            "contatto": 2.0, "contattarvi": 3.0, "telefono": 2.0, "orari": 2.0, "recensione": 2.5,
        },
        "es": {
            "queja": 3.0, "quejarse": 3.0, "reclamación": 3.0, "reclamo": 3.0, "humano": 2.5, "agente": 2.5,
            "hablar": 1.5, "alguien": 1.0, "horario": 3.0, "teléfono": 1.5, "contacto": 2.0,
            "insatisfecho": 2.5, "persona": 1.0, "pésimo": 2.5, "horrible": 2.0, "vergüenza": 2.5,
            "responsable": 2.0, "reseña": 3.0, "valoración": 3.0, "opinión": 2.0,
            "llamaros": 3.0, "llamarles": 3.0, "llamarlos": 3.0, "llamar": 1.5, "localizaros": 3.0, "contactaros": 3.0,
        },
        "fr": {
            "plainte": 3.0, "réclamation": 3.0, "plaindre": 3.0, "conseiller": 2.5, "humain": 2.5,
            "parler": 1.5, "quelqu": 1.0, "horaires": 3.0, "ouverture": 2.0, "contacter": 2.0,
            "téléphone": 1.5, "mécontent": 2.5, "déçu": 2.5, "nul": 2.0, "scandaleux": 2.5, "inadmissible": 2.5,
            "honteux": 2.5, "responsable": 2.0, "avis": 2.5, "commentaire": 2.0, "évaluation": 2.5,
            "joignable": 3.0, "joignables": 3.0, "joindre": 1.5, "appeler": 1.5,
        },
        "nl": {
            "klacht": 3.0, "klagen": 3.0, "recensie": 3.0, "beoordeling": 3.0, "medewerker": 2.5, "spreken": 1.5, "iemand": 1.0, "mens": 2.0,
            "klantenservice": 3.0, "openingstijden": 3.0, "telefoonnummer": 2.0, "ontevreden": 2.5,
            "indienen": 0.5, "slecht": 2.0, "schandalig": 2.5, "belachelijk": 2.5, "waardeloos": 2.5,
            "bereikbaar": 3.0, "bereiken": 1.5, "bellen": 1.5,
        },
    },
    foreign_phrases={
        "es": (
            (("atención atencion servicio", "al", "cliente"), 0, 3.0),
            (("atención atencion", "telefónica telefonica"), 0, 3.0),  # "¿a qué hora abre la atención telefónica?"
            (("qué que", "hora", "abre abren abrís abris"), 1, 2.5),
            (("nadie", "responde contesta responden contestan"), 1, 3.0),  # nobody answers
            (("ninguna sin", "respuesta"), 4, 3.0),  # "no he recibido ninguna respuesta": nobody answered
        ),
        "fr": (
            (("service", "client clientèle"), 0, 3.0), (("personne", "ne", "répond repond"), 1, 3.0),
            (("aucune pas", "réponse reponse"), 4, 3.0),
        ),
        "de": ((("niemand", "antwortet reagiert meldet"), 1, 3.0), (("keine", "antwort rückmeldung reaktion"), 4, 3.0)),
        "nl": ((("niemand", "reageert antwoordt reageren"), 1, 3.0), (("geen", "antwoord reactie"), 4, 3.0)),
    },
)
# fmt: on

DOMAIN = DomainSpec(
    name=NAME,
    title="Customer care",
    description="complaints, feedback and reviews, reaching a human, contact details and opening hours",
    offer="complaints or reaching a person in customer care",
    example="a complaint",
    vocabulary=VOCABULARY,
    specialists=SPECIALISTS,
    tools=tuple(dict.fromkeys(t for s in SPECIALISTS for t in s.tools)),
    examples=("what are your opening hours?", "how can I contact customer care?"),
    dataset_labels=("CONTACT", "FEEDBACK"),
)
