"""Account: sign-up and login, profile and personal data, newsletters, closing an account."""

from __future__ import annotations

import re
from typing import Any

from switchboard.agents.contracts import ProposedAction, SpecialistReport
from switchboard.agents.router import lexicon as lx
from switchboard.agents.specialists import toolkit
from switchboard.agents.specialists.base import DomainSpec, SpecialistRun, SpecialistSpec, Vocabulary
from switchboard.agents.specialists.common import OPEN_STATUSES, address_line, day, offered
from switchboard.tools.catalogue.account import (
    ALL_NEWSLETTERS,
    change_account_email,
    close_account,
    send_password_reset,
    unsubscribe_newsletter,
)

NAME = "account"

_UNSUBSCRIBE = re.compile(
    r"\b(unsubscribe|opt[- ]?out|stop|no more|take me off|get me off|remove me|don't want|do not want|no longer|drop|cancel"
    r"|abmelden|abbestellen|austragen|k[üu]ndigen|darme de baja|dar de baja|baja|anular la suscripci[oó]n"
    r"|quitadme|qu[íi]tame|qu[íi]tenme|quitar(?:me)?|s[áa]came|sacadme|no quiero recibir|ya no quiero"
    r"|d[ée]sabonne\w*|d[ée]sinscri\w*|ne plus recevoir|uitschrijven|afmelden|opzeggen|geen .{0,20}meer"
    r"|keine[nr]? .{0,25}mehr|nicht mehr (?:zu )?(?:schicken|senden|bekommen|erhalten)"
    r"|disiscriv\w*|toglietemi|non (?:voglio|desidero) pi[uù]|n[ãa]o quero (?:mais )?receber)\b"
    r"|\bmelde[nt]?\b[^.?!]{0,40}\bab\b|\bmeld\b[^.?!]{0,30}\baf\b",
    re.I,
)
_SUBSCRIBE = re.compile(r"\b(subscribe|sign (me )?up for|opt[- ]?in)\b", re.I)
# Being on a list, in the other languages ("sta ik ergens voor ingeschreven?", "bin ich angemeldet?")
_ON_A_LIST = r"ingeschreven|aangemeld|abonniert|angemeldet|inscrit"
_NEWSLETTER = re.compile(
    r"newsletter|e-?mails?\b|\bmails\b|marketing|mailing|product news|productnieuws|weekly deals|new arrivals"
    rf"|\bdeals\b|promotion|{_ON_A_LIST}|suscrito"
    r"|bolet[íi]n|nieuwsbrie(?:f|ven)|lettre d'information|infolettre|correos|ofertas|angebote|offres|aanbiedingen",
    re.I,
)
# newsletters named as such (not any e-mail: "change my e-mail address" is the account's address)
_LETTERS = re.compile(
    r"newsletter|marketing|mailing|product news|weekly deals|new arrivals|\bdeals\b|promotion|unsubscri"
    r"|\be-?mails\b|bolet[íi]n|nieuwsbrie(?:f|ven)|lettre d'information|infolettre",
    re.I,
)
_PHONE = re.compile(
    r"\b(?:phone|mobile|telephone|telefon\w*|tel[ée]fono|t[ée]l[ée]phone|telefoon|gsm)\b", re.I
)
_WHICH_EMAIL = re.compile(r"\b(?:which|what)\b[^.?!]{0,20}\be-?mail\b|\be-?mail address\b", re.I)
_MAIL = r"(?:e-?mail(?:adres|adresse|-adresse|address)?|correo(?: electr[óo]nico)?|courriel)"
_EMAIL_CHANGE = re.compile(
    r"\b(change|update|new|ändern|aendern|änderung|aktualisieren|cambiar|actualizar|changer|modifier"
    rf"|wijzigen|veranderen)\b.*\b{_MAIL}\b|\b{_MAIL}\b.*\b(change|update|ändern|cambiar|changer|modifier"
    r"|wijzigen|veranderen)\b",
    re.I,
)
_ACCOUNT_WORDS = re.compile(
    r"\b(account|acct|profile|membership|me|my data|konto|kundenkonto|profil|cuenta|perfil|compte|profiel"
    r"|gegevens|everything)\b",
    re.I,
)
_SIGNUP = re.compile(r"\b(sign[- ]?up|register|registration|create (an |my )?account|new account)\b", re.I)
# Asking for the reset (or what it gives: a way back in). Saying the login fails is not asking: the
# reset is offered, and sent when asked.
_RESET_ASK = re.compile(
    r"\b(reset|unlock|new password|send (me )?(a |the )?(link|reset|new)|forgot|forgotten|can't remember"
    r"|enlace|lien|change (my |the )?password|cambiar (la |mi )?contrase\w*|changer (le |mon )?mot de passe"
    r"|passwort (zu )?([äa]ndern|aendern)|wachtwoord (wijzigen|veranderen)"
    r"|cannot remember|don't remember|help me (get|log|sign)|get (me )?back in|regain|restore"
    r"|zur[üu]cksetzen|entsperren|restablecer|desbloquear|r[ée]initialiser|d[ée]bloquer|resetten|ontgrendelen"
    r"|olvid[ée]|oubli[ée]|vergessen|vergeten|link (?:te )?(?:sturen|toesturen|schicken|senden)"
    r"|opnieuw in(?:stellen| te stellen)|ben het kwijt|wachtwoord kwijt|neues passwort"
    r"|reimposta\w*|sblocca\w*|dimenticat[oa]|nuova password|link per)\b",
    re.I,
)
_LAST_LOGIN = re.compile(
    r"\blast (log ?in|login|sign[- ]?in|logged)|\bwhen did i (last )?(log|sign)|\blogged in (last|the last)"
    r"|letzte[nr]? (anmeldung|login)|derni[èe]re connexion|[úu]ltim[oa] (inicio|acceso|conexi[oó]n)|laatste (login|keer ingelogd)",
    re.I,
)
# The customer says not to send one ("Don't send any reset e-mail, just unlock it and set the password to
# X"): no link is sent, and no one sets a password for them.
_NO_RESET = re.compile(
    r"\b(?:don'?t|do not|no need to|please don'?t|never)\s+(?:\w+\s+){0,2}?(?:send|e-?mail|mail)\b[^.?!]{0,30}"
    r"\b(?:reset|link|e-?mails?)\b|\bno (?:reset|password)[- ]?(?:link|e-?mail)s?\b|\bwithout (?:a |the |any )?reset\b"
    r"|\bkeine[nm]?\s+(?:reset-?|zurücksetz\w*-?)?(?:link|e-?mail|mail)\b|\bno (?:me )?(?:envíe|envies|mandes|mande)\w*"
    r"|\bn'envoyez pas\b|\bstuur (?:geen|me geen)\b",
    re.I,
)
_HELP_ASK = re.compile(
    r"\b(help|fix|sort (it|this) out|what (can|do|should) i do|hilf\w*|helfen|ayud\w*|aide[rz]?|aidez-moi"
    r"|helpen|help me|aiut\w*)\b",
    re.I,
)
_KEEP = re.compile(
    r"\b(?:but\s+)?(?:keep|except|apart from|not the|behalten|au[ßs]er|garder|sauf|houden|behalve|mantener|excepto)\b",
    re.I,
)
_TOPICS = {
    "product_news": re.compile(
        r"product[ -_]?news|product updates|produktneuigkeiten|produkt-?news|noticias de productos|productnieuws"
        r"|nouvelles? produits?|actualit[ée]s produits?",
        re.I,
    ),
    "weekly_deals": re.compile(r"weekly|deals|offers|angebote|ofertas|offres|aanbiedingen", re.I),
    "new_arrivals": re.compile(r"new[ -_]?arrivals|neuheiten|nouveaut[ée]s|nieuwe|novedades", re.I),
}


def _topic(topic: str) -> str:
    return topic.replace("_", " ")


def _on_record(account: dict[str, Any] | None, request: str) -> list[str]:
    """What the account's record says, when that is the question ("when did I last log in?", "is my
    e-mail verified?")."""
    said: list[str] = []
    if account is None:
        return said
    if _LAST_LOGIN.search(request):
        said.append(f"Your last login was on {day(account.get('last_login_at')) or 'no date on record'}.")
    if re.search(r"\bverif\w*|\bbest[äa]tigt|v[ée]rifi\w*|geverifieerd|bevestigd", request, re.I):
        said.append(
            "Your e-mail address is verified."
            if account.get("email_verified")
            else "Your e-mail address is not verified yet: the link in our welcome e-mail verifies it."
        )
    return said


async def login(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    account = await run.call(toolkit.get_account)
    if account is None:
        return run.report(spec, "I could not find your account.")
    facts = [
        f"login {account['login_state']}, {account['failed_logins']} failed login(s), last login "
        f"{day(account.get('last_login_at')) or 'never'}"
    ]
    if account.get("closed_at"):
        return run.report(
            spec, f"Your account was closed on {day(account['closed_at'])}; it can no longer sign in.", facts
        )
    request = run.brief.request
    if _SIGNUP.search(request):
        text = (
            "You already have an account with us. To open another one, sign up with a different e-mail "
            "address on the website or in the app."
        )
        return run.report(spec, text, facts)
    if _NO_RESET.search(request):
        state = (
            f"Your login is locked after {account['failed_logins']} failed attempts."
            if account["login_state"] == "locked"
            else f"Your login is {account['login_state']}."
        )
        text = (
            f"{state} I cannot unlock an account or set a password for anyone: only a new password that you"
            " set yourself through a password-reset link unlocks it. I have sent nothing; tell me if you want"
            " the link."
        )
        return run.report(spec, text, facts)
    asked = bool(_RESET_ASK.search(request))
    if account["login_state"] == "locked":
        # locked out and asking for help ("¿me ayudas?", "what do I do?"): the reset is the help
        asked = asked or bool(_HELP_ASK.search(request)) or run.brief.affirmed
        text = f"Your login is locked after {account['failed_logins']} failed attempts."
        if not asked:
            return run.report(
                spec,
                text
                + " "
                + offered(
                    run,
                    "Setting a new password unlocks it: I can send you a password-reset link by e-mail if you want.",
                    "sent you a password-reset link",
                ),
                facts,
            )
        action = ProposedAction(
            action=send_password_reset.name, args={}, reason="the customer asked for a reset"
        )
        return run.report(
            spec,
            text + " I will send you a password-reset link; setting a new password unlocks the account.",
            facts,
            [action],
        )
    if asked:
        action = ProposedAction(
            action=send_password_reset.name, args={}, reason="the customer asked for a reset"
        )
        return run.report(spec, "I will send you a password-reset link by e-mail.", facts, [action])
    said = _on_record(account, request)
    if said:
        return run.report(spec, f"Your login is {account['login_state']}. " + " ".join(said), facts)
    if re.search(r"password|passwort|contraseña|mot de passe|wachtwoord", request, re.I):
        return run.report(
            spec,
            "You can change your password under Account > Security; if you have forgotten it, I can send you a "
            "password-reset link.",
            facts,
        )
    if not _SIGN_IN.search(request):  # "what's going on with my account?": the account as a whole
        return run.report(spec, _overview(account), facts)
    return run.report(
        spec,
        "Your login is active. If signing in still fails, try a password reset or clear the app's cache.",
        facts,
    )


# words of signing in: without them, "something is wrong with my account" asks about the account as a whole
_SIGN_IN = re.compile(
    r"log ?in|sign(?:ed|ing)? ?(?:in|on)|password|locked|access|get in|connect|2fa|code|hack"
    r"|passwort|kennwort|anmeld|einlog|zugang|gesperrt|contrase|sesi[oó]n|acceder|bloque"
    r"|mot de passe|connexion|identifiant|wachtwoord|inlog|geblokkeerd",
    re.IGNORECASE,
)


def _overview(account: dict[str, Any]) -> str:
    """What the account's record shows, in one place, and what to tell us next."""
    active = [_topic(s["topic"]) for s in account.get("newsletter") or [] if s.get("subscribed")]
    failed = int(account.get("failed_logins") or 0)
    parts = [
        f"Your account ({account['email']}) is {account.get('status') or 'active'} and your login is "
        f"{account['login_state']}" + (f" ({failed} failed sign-in attempts recorded)." if failed else "."),
        "Your e-mail address is verified."
        if account.get("email_verified")
        else "Your e-mail address is not verified yet.",
        f"Last login: {day(account.get('last_login_at')) or 'no date on record'}.",
        f"Newsletters: {', '.join(active)}." if active else "You receive no newsletters.",
        "I see nothing wrong on the account itself: tell me what goes wrong (signing in, an order, a payment,"
        " your details) and I will look into it, or ask for a person and I will hand it to our care team.",
    ]
    return " ".join(parts)


async def profile(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    customer = await run.call(toolkit.get_customer)
    account = await run.call(toolkit.get_account)
    if customer is None:
        return run.report(spec, "I could not find your profile.")
    subs = (account or {}).get("newsletter") or []
    active = [s["topic"] for s in subs if s.get("subscribed")]
    facts = [
        f"profile: {customer['name']}, {customer['email']}, status {customer['status']}",
        f"newsletters: {', '.join(active) or 'none'}",
    ]
    request = run.brief.request
    closed = customer["status"] == "closed"
    closed_at = day((account or {}).get("closed_at"))
    closed_note = f"Your account was closed on {closed_at}" if closed_at else "Your account is closed"
    if _EMAIL_CHANGE.search(request) and not _LETTERS.search(request):
        if closed:
            return run.report(spec, f"{closed_note}, so its e-mail address can no longer be changed.", facts)
        new = [e for e in run.brief.entities.emails if e.lower() != customer["email"].lower()]
        if not new:
            return run.report(
                spec, f"Your account e-mail is {customer['email']}. Tell me the new address to use.", facts
            )
        action = ProposedAction(action=change_account_email.name, args={"new_email": new[0]}, reason="asked")
        return run.report(
            spec, f"I will change your account e-mail to {new[0]} once you confirm.", facts, [action]
        )
    if run.brief.previous and not _NEWSLETTER.search(request) and _NEWSLETTER.search(run.brief.previous):
        request = f"{run.brief.previous} / {request}"  # "take me off that one" after "which newsletters?"
    if _NEWSLETTER.search(request) and (
        _UNSUBSCRIBE.search(request)
        or _SUBSCRIBE.search(request)
        or re.search(
            rf"newsletter|bolet|nieuwsbrie(?:f|ven)|subscri|mailing|signed up|on your list|{_ON_A_LIST}|suscrit",
            request,
            re.I,
        )
    ):
        named = [t for t, pattern in _TOPICS.items() if pattern.search(request)]
        if _UNSUBSCRIBE.search(request):
            # "drop the weekly deals one but keep new arrivals": what is to be kept is not stopped
            keep = _KEEP.split(request, maxsplit=1)
            kept = [t for t, pattern in _TOPICS.items() if len(keep) > 1 and pattern.search(keep[-1])]
            targets = [t for t in (named or active) if t in active and t not in kept]
            if not targets:
                which = f"the {', '.join(_topic(t) for t in named)} newsletter" if named else "any newsletter"
                return run.report(
                    spec, f"You are not subscribed to {which}, so there is nothing to stop.", facts
                )
            listed = ", ".join(_topic(t) for t in targets)
            if len(targets) > 1 and set(targets) == set(active):
                # every newsletter they get: one action, so one yes, not one per newsletter
                action = ProposedAction(
                    action=unsubscribe_newsletter.name, args={"topic": ALL_NEWSLETTERS}, reason="asked"
                )
                text = f"I will unsubscribe you from all your newsletters ({listed})."
                return run.report(spec, text, facts, [action])
            actions = [
                ProposedAction(action=unsubscribe_newsletter.name, args={"topic": t}, reason="asked")
                for t in targets
            ]
            return run.report(spec, f"I will unsubscribe you from the {listed} newsletter.", facts, actions)
        if _SUBSCRIBE.search(request):
            return run.report(
                spec, "You can subscribe to our newsletters under Account > Preferences.", facts
            )
        listed = ", ".join(_topic(t) for t in active)
        text = (
            f"You are subscribed to the {listed} newsletter."
            if active
            else "You are not subscribed to any newsletter from us."
        )
        if _WHICH_EMAIL.search(request):  # "which email address have you got for me? and am I on any list?"
            text = f"Your account e-mail is {customer['email']}. {text}"
        return run.report(spec, text, facts)
    said = _on_record(account, request)
    if _SINCE.search(request) and customer.get("created_at"):  # "how long have I had an account with you?"
        said.append(f"Your account was opened on {day(str(customer['created_at']))}.")
    if _PHONE.search(request) and customer.get("phone"):  # "what phone number do you have on file for me?"
        said.append(f"The phone number on your account is {customer['phone']}.")
    if _POSTAL.search(request):  # "my default address on the account is still Faro right?"
        saved = await run.call(toolkit.list_addresses)
        said.append(
            "The addresses on your account: " + "; ".join(address_line(a) for a in saved) + "."
            if saved
            else "There is no address saved on your account."
        )
    if said and not closed:
        return run.report(spec, f"Your account e-mail is {customer['email']}. " + " ".join(said), facts)
    text = (
        f"Your profile: {customer['name']}, {customer['email']}. You can edit your details under Account > Profile, "
        "and download a copy of your personal data there too."
    )
    if closed:
        text = f"{closed_note}. Your profile: {customer['name']}, {customer['email']}."
    return run.report(spec, text, facts)


# A postal address (not the e-mail address): "my default address", "which address do you have for me?"
_POSTAL = re.compile(
    r"(?<!e-mail )(?<!email )(?<!mail )\b(?:address(?:es)?|adresse|direcci[oó]n|adres)\b(?!\s*(?:e-?mail|électronique))"
    r"|\banschrift\b|\bwoonadres\b|\bpostadres\b",
    re.IGNORECASE,
)
_SINCE = re.compile(
    r"\bhow long have (?:i|we)\b|\bmember since\b|\bsince when\b|\bwhen did (?:i|we) (?:sign up|register|join|open)"
    r"|\bseit wann\b|\bdesde cu[aá]ndo\b|\bdepuis quand\b|\bsinds wanneer\b",
    re.IGNORECASE,
)
_REOPEN = re.compile(
    r"\b(re-?open|re-?activate|undo|restore|get (it|my account) back|wieder (er)?öffnen|reaktivieren|reabrir"
    r"|reactivar|rouvrir|réactiver|reactiver|heropenen|heractiveren)\w*",
    re.IGNORECASE,
)


async def closure(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    customer = await run.call(toolkit.get_customer)
    if customer is None:
        return run.report(spec, "I could not find your account.")
    if customer["status"] == "closed":
        account = await run.call(toolkit.get_account)
        closed_at = day((account or {}).get("closed_at"))
        when = f" (it was closed on {closed_at})" if closed_at else ""
        text = f"Your account is already closed{when}."
        if _REOPEN.search(run.brief.request):
            text += (
                " A closed account cannot be reopened; to shop with us again, sign up for a new account on "
                "the website or in the app."
            )
        return run.report(spec, text, [f"status {customer['status']}"])
    if _REOPEN.search(run.brief.request):  # "please reopen my account" on an open one: never a closure
        return run.report(
            spec, "Your account is open; there is nothing to reopen.", [f"status {customer['status']}"]
        )
    if not _ACCOUNT_WORDS.search(run.brief.request):
        # "delete my review", "close the ticket": closing words about something else never close the account
        return run.report(
            spec, "If you want your account closed, tell me so and I will close it once you confirm.", []
        )
    open_orders = [
        o for o in await run.call(toolkit.list_orders, limit=50) if o["status"] in (*OPEN_STATUSES, "shipped")
    ]
    facts = [f"open orders: {', '.join(o['id'] for o in open_orders) or 'none'}"]
    if open_orders:
        return run.report(
            spec,
            f"Your account still has open orders ({', '.join(o['id'] for o in open_orders)}); it can be closed once "
            "they are delivered or cancelled.",
            facts,
        )
    action = ProposedAction(
        action=close_account.name, args={}, reason="the customer asked to close the account"
    )
    return run.report(
        spec, "I will close your account once you confirm; this cannot be undone.", facts, [action]
    )


SPECIALISTS: tuple[SpecialistSpec, ...] = (
    SpecialistSpec(
        name="login_helper",
        domain=NAME,
        description="signing up, logging in, passwords and locked accounts",
        cues=(
            r"\blog ?in\b",
            r"\bsign ?in\b",
            r"\bpassword",
            r"\blocked\b",
            r"\breset\b",
            r"\b2fa\b",
            r"\baccess\b",
            r"\bsign[- ]?up\b",
            r"\bregister\b",
            r"\bregistration\b",
            r"\bpasswort|\bkennwort|\banmeld|\beinlog|\bcontrase|\bsesi[oó]n|\bmot de passe|\bconnecter"
            r"|\bwachtwoord|\binlog",
            r"\bgesperrt|\bbloquead|\bbloqu[ée]|\bgeblokkeerd|\bgehackt|\bhackead|\bpirat[ée]|\bzugang|\bacceder"
            r"|\bconnexion|\bidentifiant",
            r"\bcreate (an |my )?account\b",
        ),
        tools=(toolkit.get_account,),
        handle=login,
        actions=(send_password_reset,),
    ),
    SpecialistSpec(
        name="profile_agent",
        domain=NAME,
        description="profile and personal data, account e-mail, newsletters and subscriptions",
        cues=(
            r"\bprofile\b",
            r"\be-?mail\b",
            r"\bphone\b",
            r"\bname\b",
            r"\bpersonal\b",
            r"\bnewsletter",
            r"\bsubscri",
            r"\btake me off\b|\bremove me from\b|\bstop sending\b|\bopt[- ]?out\b",
            r"\binbox\b|\bgoing to [\w.+-]+@",  # "is that going to aurora@...? I barely check that inbox"
            r"\bhow long have i\b|\bmember since\b|\bsince when\b|\bwhen did i (sign up|register|join|open)",
            r"\be-?mails\b",
            r"\bmailing",
            r"\bunsubscri",
            r"\bproduct news\b|\bweekly deals\b|\bnew arrivals\b",
            r"\bopt[- ]?out",
            r"\bmarketing",
            r"\bbolet[íi]n|\bnieuwsbrie(?:f|ven)|\babmelden|\bbaja\b|\bd[ée]sabonn|\bd[ée]sinscri|\buitschrijven"
            r"|\bafmelden|\bmelden\b|\bingeschreven|\baangemeld|\babonniert|\binscrit",
            r"\babbestell|\bdesuscrib|\bcorreo\b|\bcourriel|\be-?mail-?adres",
            r"\bregistered\b",
            r"\bdata\b",
            r"\bgdpr\b",
            r"\bdetails\b",
            r"\bswitch\b",
            r"(?<!e-mail )(?<!email )\b(?:default|home|postal) address\b|\baddress on (?:the|my) account\b",
        ),
        tools=(toolkit.get_customer, toolkit.get_account, toolkit.list_addresses),
        handle=profile,
        actions=(change_account_email, unsubscribe_newsletter),
    ),
    SpecialistSpec(
        name="closure_agent",
        domain=NAME,
        description="closing or deleting an account",
        cues=(
            r"\bclose\b",
            r"\baccount\b[^.?!]{0,30}\b(?:closed|deleted|removed)\b",  # "I would like my account to be closed"
            r"\bdelete\b",
            r"\bdeactivat",
            r"\bremove (my )?account\b",
            r"\bcancel (my )?account\b",
            r"\bre-?open|\bre-?activat|\breaktivier|\breabrir|\breactivar|\brouvrir|\bréactiver|\bheropenen",
            r"\bterminate\b",
            r"\bl[öo]schen|\bschlie[ßs]en|\beliminar|\bcerrar|\bborrar|\bsupprimer|\bfermer|\bverwijderen|\bopheffen",
            r"\b(?:cancelar|anular|annuler|résilier|kündigen|opzeggen)\b[^.?!]{0,12}\b(?:cuenta|compte|konto|account)\b",
            r"\b(?:konto|account)\b[^.?!]{0,20}\b(?:kündigen|opzeggen)\b",
        ),
        tools=(toolkit.get_customer, toolkit.get_account, toolkit.list_orders),
        handle=closure,
        actions=(close_account,),
    ),
)

# fmt: off
VOCABULARY = Vocabulary(
    predicates={
        "profile": 2.0, "password": 3.0, "passcode": 3.0, "pass": 0.5, "pin": 1.5, "login": 3.0,
        "logon": 3.0, "signin": 3.0, "signup": 3.0, "register": 2.5, "registration": 3.0, "username": 3.0,
        "newsletter": 3.0, "subscription": 2.0, "subscribe": 2.0, "unsubscribe": 3.0, "membership": 2.0,
        "member": 1.0, "credentials": 2.5, "2fa": 3.0, "authentication": 2.0, "authenticator": 2.5,
        "verification": 2.0, "birth": 1.0, "dob": 2.0, "verify": 1.0, "locked": 1.5, "lockout": 2.0,
        "hacked": 2.5, "privacy": 1.5, "gdpr": 3.0, "marketing": 1.5, "spam": 1.0, "deactivate": 2.0,
        "reactivate": 2.0, "key": 0.5, "access": 0.8, "mailing": 1.5, "premium": 0.5, "freemium": 1.0,
        "platinum": 0.5, "gold": 0.3, "pw": 2.0, "pwd": 2.0, "nickname": 2.0, "surname": 2.0, "birthday": 1.0,
        "logged": 1.0, lx.T_ACCOUNT_TYPE: 2.0,
    },
    objects={
        "account": 1.5, "user": 1.0, "email": 0.8, "details": 0.3, "info": 0.3, "information": 0.2,
        "data": 0.5, "name": 0.3,
    },
    phrases=(
        (("which what", "email"), 0, 3.5),  # "which e-mail address will it go to?" ("email address" is one token)
        (("going go goes sent sending", "to", "xemailx"), 0, 3.0),  # "is that going to aurora@...?" (a reset link)
        (("phone", "number", "you", "have"), 1, 3.0),  # "is the phone number you have still the one ending in 8711?"
        # "my fourth email and nobody has replied": letters unanswered (care), not the account's address
        (("email emails mail mails", "nobody no", "replied answered responded reply answer"), 4, -3.0),
        (("second third fourth fifth", "email mail"), 0, -2.0),
        (("data information details", "deleted erased removed wiped"), 3, 2.5),  # "my data is deleted"
        (("delete erase remove wipe", "my all your", "personal data information details"), 2, 3.0),  # "delete my data"
        # "the return I started, did it get registered?": a thing registered, not a sign-up
        (("it return refund claim order complaint ticket", "get got been was is", "registered"), 1, -3.0),
        (("locked lock", "out"), 0, 2.5),  # "I've been locked out for a week"
        (("two 2", "factor step"), 0, 3.0),
        (("take remove", "me", "off"), 0, 2.0),
        # a newsletter by its name ("drop the weekly deals one but keep new arrivals")
        (("weekly", "deals"), 0, 3.0),
        (("keep drop stop subscribed subscribe unsubscribe get getting receive", "new product", "arrivals news"), 2, 3.0),
        (("deals offers promo promotions weekly marketing news", "emails email mails newsletter newsletters"), 1, 2.5),
        (("any no", "more", "texts text sms emails email messages mails newsletters promotions"), 1, 2.0),
        (("data information", "you", "hold have keep store"), 2, 3.0),
        (("copy", "of", "my the", "data information"), 2, 3.0),
        (("remember forgot forget recall", "which what my", "email username login"), 2, 2.5),
        (("marketing promotional promo spam", "texts text sms calls"), 1, 2.0),
        (("never not didnt", "agreed consented opted"), 2, 2.0),
        (("logging logged log kicking kicked kicks signing signed throwing throws threw", "me", "out off"), 1, 3.0),
        (("cant cannot t", "get", "in into"), 1, 2.5),
        (("log sign", "in on into"), 0, 3.0),
        (("log sign", "out"), 0, 2.0),
        (("data", "protection"), 0, 3.0),
        (("from", "your", "records system systems database files"), 0, 2.5),  # personal data held
        # profile data: "new phone number on my account", "my new mobile"
        (("new", "phone mobile email surname name"), 1, 1.5),
        (("phone number email name surname details address", "on in", "my the", "account profile"), 1, 2.0),
        # what never comes is the link or the code: "the reset link never comes"
        (("link code", lx.NEG, "come comes came arrive arrives arrived show shows"), 2, 2.5),
        (("let", "me", "in into log sign"), 1, 2.5),  # "the app won't let me in"
        (("sign", "up"), 0, 2.5),
        (("personal", "data information info details"), 1, 3.0),
        (("my", "email name phone number details info information"), 1, 1.5),
        (("by via per", "email e-mail mail"), 0, -2.0),  # "send it by email": a channel, not the account
        (("find see", "it them this that", "in on", "my the", "account"), 0, -2.5),  # "I can't find it in my account"
        (("register registering lodge", "a an my the", "formal complaint claim return"), 1, -2.5),
        # "what phone number do you have on file for me?": the customer's own details, not the shop's
        (("phone number email address details", "do", "you", "have"), 3, 1.5),
        (("have", "my", "phone mobile number"), 1, 1.5),
        (("marketing promotional promo spam", "email mail newsletter message"), 1, 2.0),
        (("mailing email", "list"), 0, 2.5),
        (("user", "name"), 0, 2.0),
        (("become", "member customer"), 1, 2.0),
        (("stop", "email emailing mail messages texting texts newsletter sms"), 3, 2.0),
        (("date", "of", "birth"), 0, 2.0),
        (("verification confirmation activation reset", "email code link mail"), 1, 2.0),
        (("confirmation", "email mail", "for of about", "my the this that", "order purchase xorderidx"), 0, -3.0),
        (("confirmation", "email mail", "for of about", "order purchase xorderidx"), 0, -3.0),
        (("forgot forget", "password pin pass login username"), 2, 1.0),
    ),
    foreign={
        "de": {
            "email": 2.0, "kundenkonto": 3.0, "passwort": 3.0, "kennwort": 3.0, "anmelden": 3.0,
            "anmeldung": 3.0, "einloggen": 3.0, "registrieren": 3.0, "abmelden": 2.0, "profil": 2.5,
            "benutzername": 3.0, "newsletter": 3.0, "werbemails": 3.0, "werbemail": 3.0, "werbung": 2.0,
            "werbeemails": 3.0, "werbe-mails": 3.0,
            "gesperrt": 2.5, "gehackt": 2.5, "abbestellen": 2.5, "zugang": 2.0, "login": 2.5, "zugangsdaten": 3.0, "zurücksetzen": 2.5, "kundenbereich": 3.0, "benutzerkonto": 3.0, "registriert": 2.5, "emailadresse": 3.0, "mailadresse": 3.0,
        },
        "pt": {
            "conta": 2.5, "senha": 3.0, "login": 3.0, "entrar": 1.5, "encerrar": 2.5, "fechar": 1.5,
            "fechei": 2.0, "reabrir": 2.5, "newsletter": 3.0, "boletim": 3.0, "email": 2.0, "perfil": 2.5,
            "bloqueada": 2.5, "bloqueado": 2.5, "dados": 1.5, "subscrição": 2.5, "inscrito": 2.5,
        },
        "it": {
            "password": 3.0, "accedere": 2.5, "accesso": 2.0, "entrare": 1.5, "login": 3.0, "bloccato": 2.5,
            "bloccata": 2.5, "profilo": 2.5, "newsletter": 3.0, "iscrizione": 2.5, "iscritto": 2.5,
            "disiscrivere": 3.0, "disiscrivermi": 3.0, "email": 2.0, "reimpostare": 2.5, "credenziali": 3.0,
            "registrato": 2.5, "dati": 1.5, "chiudere": 1.5,
        },
        "es": {
            "email": 2.0, "contraseña": 3.0, "sesión": 2.5, "registrarse": 3.0, "registro": 2.0,
            "boletín": 3.0, "perfil": 2.5, "usuario": 2.0, "correo": 1.5, "suscripción": 2.5, "bloqueada": 2.5, "bloqueado": 2.5, "hackeada": 2.5, "acceder": 2.0, "darme": 0.5, "desuscribirme": 3.0, "restablecer": 2.0, "resetear": 2.0, "acceso": 2.0, "registré": 2.5, "registrado": 2.5,
        },
        "fr": {
            "email": 2.0, "connecter": 3.0, "connexion": 3.0, "identifiant": 3.0, "inscription": 2.5,
            "désinscrire": 3.0, "désabonner": 3.0, "profil": 2.5, "courriel": 1.5, "abonnement": 2.0, "bloqué": 2.5, "piraté": 2.5, "désinscription": 3.0, "désabonnement": 3.0, "réinitialiser": 2.5, "accéder": 2.0, "accès": 2.0, "inscrit": 2.5, "inscrire": 2.5,
        },
        "nl": {
            "email": 2.0, "wachtwoord": 3.0, "inloggen": 3.0, "aanmelden": 2.5, "registreren": 3.0, "nieuwsbrief": 3.0, "ingeschreven": 2.5, "uitgeschreven": 2.5,
            "uitschrijven": 3.0, "afmelden": 2.5, "profiel": 2.5, "gebruikersnaam": 3.0, "opzeggen": 1.0, "geblokkeerd": 2.5, "gehackt": 2.5, "uitloggen": 2.0, "inlog": 2.5, "resetten": 2.5, "klantaccount": 3.0, "toegang": 2.0, "geregistreerd": 2.5, "emailadres": 3.0, "mailadres": 3.0,
        },
    },
    # the account itself is what a request is about: it yields to another domain's predicate ("das Geld
    # ist noch nicht auf meinem Konto" is a bank account; "me di cuenta" is "I realised")
    foreign_objects={
        "de": {"konto": 2.5},
        "es": {"cuenta": 2.5},
        "fr": {"compte": 2.5},
        "nl": {"account": 2.5},
    },
    foreign_phrases={
        "es": (
            (("iniciar", "sesión sesion"), 0, 1.0),
            (("dar darme denme dame deme", "de", "baja"), 1, 3.0),
            # "quitadme de los correos de ofertas": off a mailing list
            (("quitadme quítame quitame quitenme quítenme quitar sacadme sácame sacame", "correos correo lista boletín emails"), 3, 3.0),
            (("correos emails", "de", "ofertas promociones novedades publicidad"), 0, 2.5),
            (("área area", "de", "cliente"), 0, 3.0),
            (("por", "correo email mail"), 0, -2.0),  # "enviármela por correo electrónico": a channel
            (("ninguna sin", "respuesta"), 4, -2.5),  # "ninguna respuesta a mis correos": letters unanswered
            (("cancelar cerrar borrar eliminar anular", "cuenta"), 2, 3.0),  # "cancelar mi cuenta": the account
            (("veo", "nada", "en", "mi", "cuenta"), 2, -3.0),  # "no veo nada en mi cuenta": the bank's
        ),
        "fr": (
            (("mot", "de", "passe"), 0, 3.0), (("me", "connecter"), 0, 0.5), (("espace", "client"), 0, 3.0),
            (("bloqué bloque bloquée", "au à en", "centre dépôt douane tri"), 2, -3.0),  # a parcel held, not a login
            (("colis paquet", "bloqué bloque"), 3, -2.5),
            (("par", "email mail courriel"), 0, -2.0),  # sent by e-mail: a channel, not the account's address
            (("aucune pas", "réponse reponse"), 4, -2.5),  # "aucune réponse à mes e-mails": letters unanswered
            (("annuler fermer supprimer clôturer cloturer résilier", "compte"), 2, 3.0),  # the account itself
            (("pris prise", "en", "compte"), 0, -3.0),  # "c'est bien pris en compte ?": taken into account
            (("vois", "rien", "sur", "mon", "compte"), 2, -3.0),  # "je ne vois rien sur mon compte": the bank's
        ),
        "nl": ((("geen", "antwoord reactie"), 4, -2.5),),  # "geen antwoord op mijn e-mails"

        "de": (
            (("konto", "löschen loeschen schließen"), 2, 1.0),
            # "Ich sehe nichts auf meinem Konto": nothing on the bank statement, not the store account
            (("sehe sehen", "nichts noch", "auf", "meinem dem", "konto"), 2, -3.0),
            (("retoure rücksendung rueckgabe rückgabe umtausch reklamation", "anmelden"), 3, -3.0),  # a return, not a login
            (("keine", "antwort rückmeldung reaktion"), 4, -2.5),  # "auf meine E-Mails keine Antwort": unanswered
        ),
    },
    abbreviations={"acc": "account", "acct": "account", "accnt": "account"},
    binds=("phone", "mobile", "cell"),  # "update my phone" is profile data
)
# fmt: on

DOMAIN = DomainSpec(
    name=NAME,
    title="Your account",
    description="sign-up, login and password, profile data, closing an account, personal data, newsletters",
    offer="your account",
    example="your account",
    vocabulary=VOCABULARY,
    specialists=SPECIALISTS,
    tools=tuple(dict.fromkeys(t for s in SPECIALISTS for t in s.tools)),
    examples=("how do I change my password?", "what personal data do you keep on my profile?"),
    dataset_labels=("ACCOUNT", "SUBSCRIPTION"),
)
