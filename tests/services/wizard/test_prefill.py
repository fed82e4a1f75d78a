"""Pre-filling an order from a Clio matter (Qt-free): roles from free-text relationships, the court
matched by name, the title, and what an incomplete matter leaves missing."""

from __future__ import annotations

from app.services.clio.matter_details import CustomFieldValue, MatterDetails, RelatedContact
from app.services.wizard.draft import Party
from app.services.wizard.flow import OrderWizard
from app.services.wizard.prefill import NOT_A_PARTY, apply_prefill, build_prefill, suggest_role
from app.services.wizard.rules import CIVIL_ROLES, PETITION_ROLES, Catalog

CASE_NUMBER, COURT = 801, 802


def _details(**changes: object) -> MatterDetails:
    base = MatterDetails(
        id=2002,
        etag='"e"',
        display_number="00002-Brightline",
        description="Brightline Logistics v. Harmon Freight",
        client_id=1002,
        client_name="Brightline Logistics, Inc.",
        client_type="Company",
        practice_area="Commercial Litigation",
        values=(
            CustomFieldValue("text_line-3", CASE_NUMBER, "text_line", "30-2025-01423987"),
            CustomFieldValue(
                "text_line-4", COURT, "text_line", "Superior Court of California, County of Los Angeles"
            ),
        ),
        related=(
            RelatedContact(1102, "Harmon Freight Co.", "Company", "Opposing Party", False),
            RelatedContact(1103, "Morgan Pryce", "Person", "Opposing Counsel", False),
        ),
    )
    return MatterDetails(**{**base.__dict__, **changes})


def test_free_text_relationships_map_onto_the_roles_of_the_kind_of_case() -> None:
    civil = (CIVIL_ROLES.roles, CIVIL_ROLES.brings)
    assert suggest_role("Defendant", *civil) == "defendant"
    assert suggest_role("Co-Defendant", *civil) == "defendant"
    assert suggest_role("Cross-Defendant", *civil) == "cross-defendant"
    assert suggest_role("Opposing Party", *civil) == "defendant"
    assert suggest_role("Opposing Counsel", *civil) == NOT_A_PARTY
    assert suggest_role("Judge", *civil) == NOT_A_PARTY
    assert suggest_role("Neighbour", *civil) == NOT_A_PARTY
    assert suggest_role("Respondent (spouse)", PETITION_ROLES.roles, PETITION_ROLES.brings) == "respondent"
    assert suggest_role("Opposing party", PETITION_ROLES.roles, PETITION_ROLES.brings) == "respondent"


def test_a_complete_matter_fills_title_number_court_parties_and_matter(catalog: Catalog) -> None:
    prefill = build_prefill(_details(), catalog, CASE_NUMBER, COURT)
    assert prefill.case_title == "Brightline Logistics v. Harmon Freight"
    assert prefill.case_number == "30-2025-01423987"
    assert prefill.court_id == "LA"
    assert [(p.name, p.role, p.kind) for p in prefill.parties] == [
        ("Brightline Logistics, Inc.", "plaintiff", "organization"),
        ("Harmon Freight Co.", "defendant", "organization"),
        ("Morgan Pryce", NOT_A_PARTY, "person"),
    ]
    assert prefill.matter is not None and prefill.matter.matter_id == 2002
    assert prefill.missing == ()

    wizard = OrderWizard(catalog)
    confirmed = [Party(p.role, p.name, p.kind, p.is_client) for p in prefill.parties if p.role]
    apply_prefill(wizard, prefill, confirmed)
    draft = wizard.draft
    assert (draft.court_id, draft.case_number, draft.new_case) == ("LA", "30-2025-01423987", False)
    assert [p.name for p in draft.parties] == ["Brightline Logistics, Inc.", "Harmon Freight Co."]
    assert draft.clio is not None and draft.clio.matter_id == 2002 and draft.clio_chosen_by_user


def test_a_description_that_is_no_caption_becomes_client_v_adverse_party(catalog: Catalog) -> None:
    prefill = build_prefill(_details(description="Freight contract dispute"), catalog, CASE_NUMBER, COURT)
    assert prefill.case_title == "Brightline Logistics, Inc. v. Harmon Freight Co."
    # The title follows the roles the user confirms: no defendant, then the description stays.
    wizard = OrderWizard(catalog)
    apply_prefill(wizard, prefill, [Party("plaintiff", "Brightline Logistics, Inc.", "organization", True)])
    assert wizard.draft.case_title == "Freight contract dispute"
    wizard = OrderWizard(catalog)
    confirmed = [Party(p.role, p.name, p.kind, p.is_client) for p in prefill.parties if p.role]
    apply_prefill(wizard, prefill, confirmed)
    assert wizard.draft.case_title == "Brightline Logistics, Inc. v. Harmon Freight Co."


def test_an_incomplete_matter_fills_what_it_can_and_says_what_is_missing(catalog: Catalog) -> None:
    details = _details(
        client_id=None, client_name="", values=(), related=(), description="Sierra Vista HOA - Collections"
    )
    prefill = build_prefill(details, catalog, CASE_NUMBER, COURT)
    assert prefill.case_title == "Sierra Vista HOA - Collections"
    assert (prefill.case_number, prefill.court_id, prefill.parties, prefill.matter) == ("", None, (), None)
    text = " ".join(prefill.missing)
    assert "no client" in text
    assert "no related contacts" in text
    assert "case-number field is empty" in text
    assert "court field is empty" in text
    wizard = OrderWizard(catalog)
    apply_prefill(wizard, prefill, [])
    assert wizard.draft.new_case and wizard.draft.case_title == "Sierra Vista HOA - Collections"


def test_a_court_the_provider_does_not_serve_is_named(catalog: Catalog) -> None:
    values = (
        CustomFieldValue("text_line-4", COURT, "text_line", "Superior Court of California, County of Kern"),
    )
    prefill = build_prefill(_details(values=values), catalog, CASE_NUMBER, COURT)
    assert prefill.court_id is None
    assert any("County of Kern" in m and "not one of" in m for m in prefill.missing)


def test_without_fields_chosen_in_settings_it_says_so(catalog: Catalog) -> None:
    prefill = build_prefill(_details(), catalog, 0, 0)
    assert prefill.case_number == "" and prefill.court_id is None
    assert any("case-number field is chosen in Settings" in m for m in prefill.missing)
    assert any("court field is chosen in Settings" in m for m in prefill.missing)


def test_family_law_matters_are_brought_by_a_petitioner(catalog: Catalog) -> None:
    details = _details(
        practice_area="Family Law",
        client_type="Person",
        client_name="Thomas Nguyen",
        related=(RelatedContact(1104, "Linh Nguyen", "Person", "Respondent (spouse)", False),),
    )
    prefill = build_prefill(details, catalog, CASE_NUMBER, COURT)
    assert prefill.category_id == "family"
    assert [(p.name, p.role) for p in prefill.parties] == [
        ("Thomas Nguyen", "petitioner"),
        ("Linh Nguyen", "respondent"),
    ]
