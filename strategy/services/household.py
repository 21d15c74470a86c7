"""Children, household members and significant adults on a discussion."""

from django.db import transaction

from strategy.models import Adult, Child, Discussion
from strategy.services.records import discussion_claim_revision


@transaction.atomic
def person_save(
    *, discussion: Discussion, person: Child | Adult, expected_revision: int
) -> Child | Adult:
    """Adds or changes a child or an adult on the discussion."""
    kind = "child" if isinstance(person, Child) else "adult"
    discussion_claim_revision(
        discussion=discussion,
        expected_revision=expected_revision,
        section=f"{kind}-{person.pk}" if person.pk else f"{kind}-add",
    )
    person.discussion = discussion
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def person_remove(*, discussion: Discussion, person: Child | Adult, expected_revision: int) -> None:
    discussion_claim_revision(discussion=discussion, expected_revision=expected_revision)
    person.delete()
