"""Believable legal filler text for generated seed files, the same for the same seed on every machine."""

from __future__ import annotations

import hashlib
import random

_SENTENCES = (
    "Plaintiff is informed and believes, and on that basis alleges, that each defendant was the agent "
    "and employee of each remaining defendant.",
    "At all relevant times, Defendant owed Plaintiff a duty to exercise reasonable care in the "
    "maintenance and operation of the premises.",
    "Defendant breached that duty by failing to inspect, repair or warn of the dangerous condition.",
    "As a direct and proximate result of the conduct alleged herein, Plaintiff has suffered damages in "
    "an amount to be proven at trial, which exceeds the jurisdictional minimum of this Court.",
    "The parties met and conferred in good faith by letter and by telephone but were unable to resolve "
    "the dispute without the Court's intervention.",
    "Code of Civil Procedure section 2030.300 permits a motion to compel further responses where an "
    "answer is evasive or incomplete.",
    "The responses served on the propounding party consist of boilerplate objections unsupported by "
    "any factual showing of burden.",
    "Good cause exists for the requested discovery because the information sought is directly relevant "
    "to the claims and defenses in this action.",
    "The lease required the tenant to pay monthly rent on the first day of each month and to maintain "
    "the premises in good repair.",
    "Written notice of the default was delivered on the date stated in the notice, and the default was "
    "not cured within the time allowed.",
    "Plaintiff has performed all conditions, covenants and promises required on its part to be "
    "performed in accordance with the terms of the agreement.",
    "Defendant's failure to pay the invoices when due constitutes a material breach of the contract.",
    "The declarant has personal knowledge of the facts stated in this declaration and, if called as a "
    "witness, could and would testify competently thereto.",
    "A true and correct copy of the correspondence is attached as an exhibit and incorporated by reference.",
    "The moving party has shown that there is no triable issue as to any material fact and that it is "
    "entitled to judgment as a matter of law.",
    "The opposing party bears the burden of producing admissible evidence showing that a triable issue "
    "of material fact exists.",
    "Sanctions are warranted because the responding party's position was without substantial justification.",
    "The Court should exercise its discretion to grant leave to amend so that the matter may be "
    "decided on its merits.",
    "The hearing on this matter is set in the department and at the time stated in the notice.",
    "Petitioner requests that the Court appoint the nominated personal representative and issue "
    "letters with full authority under the Independent Administration of Estates Act.",
    "The community estate consists of the residence, two vehicles and the retirement accounts "
    "identified in the accompanying schedule.",
    "The association's governing documents authorize the collection of delinquent assessments, late "
    "charges, reasonable costs and attorney's fees.",
    "Notice of this motion has been given to all parties who have appeared in the action.",
    "I declare under penalty of perjury under the laws of the State of California that the foregoing "
    "is true and correct.",
    "The requested relief is narrowly tailored and will not prejudice any party to this proceeding.",
    "Each of the documents produced was kept in the ordinary course of business and prepared at or "
    "near the time of the events recorded.",
)

HEADINGS = (
    "INTRODUCTION",
    "STATEMENT OF FACTS",
    "FIRST CAUSE OF ACTION",
    "SECOND CAUSE OF ACTION",
    "ARGUMENT",
    "MEET AND CONFER EFFORTS",
    "DISCUSSION",
    "PRAYER FOR RELIEF",
    "CONCLUSION",
)


def rng_for(seed: str) -> random.Random:
    """A random generator seeded from text, stable across processes (unlike `hash()`)."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def paragraph(rng: random.Random, sentences: tuple[int, int] = (3, 6)) -> str:
    """One paragraph of `sentences` (inclusive range) sentences drawn from the pool."""
    count = rng.randint(*sentences)
    return " ".join(rng.choice(_SENTENCES) for _ in range(count))


def paragraphs(seed: str, count: int, sentences: tuple[int, int] = (3, 6)) -> list[str]:
    """`count` paragraphs, always the same for the same `seed`."""
    rng = rng_for(seed)
    return [paragraph(rng, sentences) for _ in range(count)]
