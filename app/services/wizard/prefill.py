"""Pre-filling an order from a Clio matter: what the matter gives, what the user confirms, what is
missing.

The case title is the matter's description when it reads like a caption ("A v. B"), else the client
v. the first adverse party among its related contacts, else the description. The case number and
court come from the matter custom fields the firm chose in Settings; the court text is matched to
the provider's courts by name. Parties are the client and the related contacts, each with a role
suggested from Clio's free-text relationship description among the roles of the kind of case
(`party_roles`); a description that names no party role (opposing counsel, a judge) suggests leaving
the contact out. The user confirms each mapping before anything is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.services.clio.matter_details import MatterDetails
from app.services.legalconnect.reference import Court
from app.services.wizard.draft import ClioMatter, Party
from app.services.wizard.flow import OrderWizard
from app.services.wizard.rules import Catalog, party_roles

NOT_A_PARTY = ""
"""The role of a related contact left out of the parties (counsel, a judge, a witness)."""

_CAPTION = re.compile(r"\s(v\.?|vs\.?)\s", re.IGNORECASE)
_NOT_PARTIES = ("counsel", "attorney", "lawyer", "judge", "witness", "expert", "mediator", "paralegal")
_ADVERSE = ("defendant", "respondent", "opposing", "adverse", "adverse party", "other side")
_BRINGING = ("plaintiff", "petitioner", "claimant")


@dataclass(frozen=True)
class PartyChoice:
    """One contact of the matter and the role suggested for it (NOT_A_PARTY: leave it out)."""

    name: str
    kind: str
    """"person" or "organization"."""
    description: str
    """Clio's relationship description, or "Client"."""
    role: str
    is_client: bool = False


@dataclass(frozen=True)
class Prefill:
    """What a matter gives an order, and what it could not give (sentences for the user)."""

    matter: ClioMatter | None
    case_title: str
    description: str
    """The matter's description (the title is rebuilt from it once the roles are confirmed)."""
    case_number: str
    court_id: str | None
    category_id: str | None
    parties: tuple[PartyChoice, ...]
    missing: tuple[str, ...]


def suggest_role(description: str, roles: tuple[str, ...], brings: str) -> str:
    """The party role a free-text relationship description most likely means (NOT_A_PARTY when it
    names none, or the kind of case has no such role)."""
    text = description.strip().lower()
    if not text or any(word in text for word in _NOT_PARTIES):
        return NOT_A_PARTY
    for role in sorted(roles, key=len, reverse=True):  # "cross-defendant" before "defendant"
        if role in text:
            return role
    if any(word in text for word in _ADVERSE):
        return next((r for r in ("defendant", "respondent") if r in roles), NOT_A_PARTY)
    if any(word in text for word in _BRINGING):
        return brings or next((r for r in _BRINGING if r in roles), NOT_A_PARTY)
    return NOT_A_PARTY


def match_court(text: str, courts: tuple[Court, ...]) -> Court | None:
    """The court a custom field's text names: its full name, its id, or its county."""
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return None
    for court in courts:
        if wanted in (court.name.casefold(), court.id.casefold()):
            return court
    for court in courts:
        if wanted.endswith(court.county.casefold()) or court.county.casefold() == wanted:
            return court
    return None


def caption_title(description: str, parties: list[Party]) -> str:
    """The matter's description when it reads like a caption ("A v. B"), else the client v. the
    first defendant or respondent, else the description."""
    title = description.strip()
    client = next((p for p in parties if p.is_client), None)
    adverse = next((p for p in parties if p.role in ("defendant", "respondent")), None)
    if not _CAPTION.search(title) and client is not None and adverse is not None:
        return f"{client.name} v. {adverse.name}"
    return title


def _kind(clio_type: str) -> str:
    return "organization" if clio_type == "Company" else "person"


def build_prefill(
    details: MatterDetails, catalog: Catalog, case_number_field: int, court_field: int
) -> Prefill:
    """What `details` gives an order (see the module docstring)."""
    missing: list[str] = []
    category = next(
        (c for c in catalog.categories if c.name.casefold() == details.practice_area.casefold()), None
    )
    allowed = party_roles(category.id if category else None)
    brings = allowed.brings or "plaintiff"
    parties: list[PartyChoice] = []
    if details.client_id is not None and details.client_name:
        parties.append(PartyChoice(details.client_name, _kind(details.client_type), "Client", brings, True))
    else:
        missing.append("The matter has no client in Clio, so no party is the firm's client.")
    for contact in details.related:
        if contact.is_matter_client:
            continue
        role = suggest_role(contact.description, allowed.roles, allowed.brings)
        parties.append(
            PartyChoice(contact.name, _kind(contact.type), contact.description or "(no role)", role)
        )
    if not details.related:
        missing.append("The matter has no related contacts in Clio, so the other parties are not filled in.")

    case_number = ""
    if not case_number_field:
        missing.append("No case-number field is chosen in Settings › Clio matter fields.")
    else:
        value = details.value_of(case_number_field)
        case_number = value.value.strip() if value else ""
        if not case_number:
            missing.append("The matter's case-number field is empty (a new case, or not entered in Clio).")

    court_id: str | None = None
    if not court_field:
        missing.append("No court field is chosen in Settings › Clio matter fields.")
    else:
        value = details.value_of(court_field)
        text = value.value.strip() if value else ""
        court = match_court(text, catalog.courts) if text else None
        court_id = court.id if court else None
        if not text:
            missing.append("The matter's court field is empty.")
        elif court is None:
            missing.append(f"The matter's court “{text}” is not one of the Service Provider's courts.")

    title = caption_title(details.description, [Party(p.role, p.name, p.kind, p.is_client) for p in parties])
    matter = (
        ClioMatter(details.client_id, details.client_name, details.id, details.display_number)
        if details.client_id is not None
        else None
    )
    if matter is None:
        missing.append("Returned documents and fees need a matter with a client; choose one on Review.")
    return Prefill(
        matter,
        title,
        details.description.strip(),
        case_number,
        court_id,
        category.id if category else None,
        tuple(parties),
        tuple(missing),
    )


def apply_prefill(wizard: OrderWizard, prefill: Prefill, parties: list[Party]) -> None:
    """Fill the wizard's Case and Parties from `prefill`, with the parties as the user confirmed
    them (only what the matter gives is changed)."""
    if prefill.court_id:
        wizard.set_court(prefill.court_id)
    if prefill.category_id:
        wizard.set_case_category(prefill.category_id)
    title = caption_title(prefill.description, parties) or prefill.case_title
    if title:
        wizard.set_case_title(title)
    if prefill.case_number:
        wizard.set_new_case(False)
        wizard.set_case_number(prefill.case_number)
    else:
        wizard.set_new_case(True)
    for party in parties:
        wizard.add_party(party)
    if prefill.matter is not None:
        wizard.set_clio_matter(prefill.matter)
