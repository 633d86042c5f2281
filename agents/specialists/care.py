"""Care: complaints, feedback and reviews, reaching a person, contact details and hours."""

from __future__ import annotations

import re

from switchboard.agents.contracts import ProposedAction, SpecialistReport
from switchboard.agents.specialists import toolkit
from switchboard.agents.specialists.base import SpecialistRun, SpecialistSpec

_HUMAN = re.compile(
    r"\b(human|person|someone|agent|representative|manager|supervisor|speak|talk|call me)\b", re.I
)


def _escalation(run: SpecialistRun, subject: str) -> ProposedAction:
    return ProposedAction(
        action="escalate_to_human",
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
    text = "Thank you for your feedback; it goes straight to the team that can act on it."
    if re.search(r"\breview|rate|rating\b", run.brief.request, re.I):
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
        domain="care",
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
        ),
        tools=(toolkit.list_tickets,),
        handle=complaints,
        actions=("escalate_to_human",),
    ),
    SpecialistSpec(
        name="feedback_agent",
        domain="care",
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
        domain="care",
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
        ),
        tools=(toolkit.contact_details,),
        handle=contact,
        actions=("escalate_to_human",),
    ),
)
