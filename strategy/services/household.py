"""Children, household members and significant adults on a discussion."""

from django.db import transaction

from strategy.models import Adult, Child, Discussion
from strategy.services.records import discussion_claim_revision


@transaction.atomic
def child_save(*, discussion: Discussion, child: Child, expected_revision: int) -> Child:
    discussion_claim_revision(discussion=discussion, expected_revision=expected_revision)
    child.discussion = discussion
    child.full_clean()
    child.save()
    return child


@transaction.atomic
def adult_save(*, discussion: Discussion, adult: Adult, expected_revision: int) -> Adult:
    discussion_claim_revision(discussion=discussion, expected_revision=expected_revision)
    adult.discussion = discussion
    adult.full_clean()
    adult.save()
    return adult


@transaction.atomic
def person_remove(*, discussion: Discussion, person: Child | Adult, expected_revision: int) -> None:
    discussion_claim_revision(discussion=discussion, expected_revision=expected_revision)
    person.delete()
