"""The invite list the record calls for, and the chair's choices against it.

The practice review behind this service found GPs never invited and housing left out while
homelessness was the issue. So the list is proposed from the record, and leaving out anyone
it calls for needs a reason that stays on the discussion.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from agencies.models import HEALTH_KINDS, Agency, AgencyKind, User
from strategy.invitations import invitations_cancel, invitations_queue
from strategy.models import Discussion, InvitationException, Invitee
from strategy.services.records import discussion_claim_revision


@dataclass(frozen=True)
class Requirement:
    """Someone the record says must be invited, or a reason given for not inviting them."""

    key: str
    description: str

    def is_met_by(self, agencies: Iterable[Agency]) -> bool:
        agencies = list(agencies)
        if self.key == "police":
            return any(a.kind == AgencyKind.POLICE for a in agencies)
        if self.key == "social_care":
            return any(a.kind == AgencyKind.CHILDRENS_SOCIAL_CARE for a in agencies)
        if self.key == "health":
            return any(a.kind in HEALTH_KINDS for a in agencies)
        if self.key == "housing":
            return any(a.kind == AgencyKind.HOUSING for a in agencies)
        if self.key.startswith("gp_"):
            return any(a.pk == int(self.key[3:]) for a in agencies)
        raise ValueError(self.key)


@dataclass
class Proposal:
    agency: Agency
    reasons: list[str] = field(default_factory=list)

    @property
    def why(self) -> str:
        return "; ".join(dict.fromkeys(self.reasons))


def requirements_for(discussion: Discussion) -> list[Requirement]:
    required = [
        Requirement("police", "Police (statutory partner)"),
        Requirement("health", "Health (statutory partner)"),
        Requirement("social_care", "Children's social care (statutory partner)"),
    ]
    for agency, whose in _known_gps(discussion):
        required.append(Requirement(f"gp_{agency.pk}", f"{agency.name}, GP practice of {whose}"))
    if discussion.housing_is_factor:
        required.append(Requirement("housing", "Housing (housing is a factor)"))
    return required


def _known_gps(discussion: Discussion) -> list[tuple[Agency, str]]:
    """Each GP practice on the record, once, with whose GP it is (never a name)."""
    whose: dict[int, tuple[Agency, list[str]]] = {}
    for child in discussion.children.select_related("gp_practice"):
        if child.gp_practice:
            whose.setdefault(child.gp_practice.pk, (child.gp_practice, []))[1].append("a child")
    for adult in discussion.adults.select_related("gp_practice"):
        if adult.gp_practice and adult.is_parent_or_carer:
            label = f"a {adult.get_relationship_display().lower()}"
            whose.setdefault(adult.gp_practice.pk, (adult.gp_practice, []))[1].append(label)
    return [(agency, " and ".join(dict.fromkeys(labels))) for agency, labels in whose.values()]


def propose_invitees(discussion: Discussion) -> list[Proposal]:
    """Every agency the record calls for, in the order a chair would read them."""
    proposals: dict[int, Proposal] = {}

    def propose(agency: Agency | None, why: str) -> None:
        if agency is not None and agency.is_active:
            proposals.setdefault(agency.pk, Proposal(agency)).reasons.append(why)

    active = Agency.objects.active()
    propose(discussion.team.agency, "Convening children's social care team")
    for agency in active.filter(kind=AgencyKind.POLICE):
        propose(agency, "Police: statutory partner")
    has_unborn = discussion.children.filter(is_unborn=True).exists()
    health_kinds = [AgencyKind.ACUTE_HOSPITAL_TRUST, AgencyKind.PUBLIC_HEALTH_NURSING]
    if has_unborn or "pre_birth" in discussion.concern_categories:
        health_kinds.append(AgencyKind.MIDWIFERY)
    for agency in active.filter(kind__in=health_kinds):
        propose(agency, f"Health: {agency.get_kind_display().lower()}")
    for agency, whose in _known_gps(discussion):
        propose(agency, f"GP practice of {whose}")
    if discussion.housing_is_factor:
        for agency in active.filter(kind=AgencyKind.HOUSING):
            propose(agency, "Housing is a factor")
    propose(discussion.referrer_agency, "Referrer")
    for child in discussion.children.select_related("school"):
        propose(child.school, "A child's school or nursery")
    return list(proposals.values())


def unmet_requirements(discussion: Discussion, agencies: Iterable[Agency]) -> list[Requirement]:
    agencies = list(agencies)
    return [r for r in requirements_for(discussion) if not r.is_met_by(agencies)]


class MissingReasons(Exception):
    def __init__(self, requirements: list[Requirement]) -> None:
        super().__init__(", ".join(r.description for r in requirements))
        self.requirements = requirements


@transaction.atomic
def invitees_confirm(
    *,
    discussion: Discussion,
    expected_revision: int,
    agencies: list[Agency],
    reasons: dict[str, str],
    why: dict[int, str],
    recorded_by: User,
) -> list[Invitee]:
    """Makes the invite list exactly `agencies`, records reasons for anyone left out, and
    sends invitations to those newly invited once the transaction commits."""
    unmet = unmet_requirements(discussion, agencies)
    missing = [r for r in unmet if not reasons.get(r.key, "").strip()]
    if missing:
        raise MissingReasons(missing)
    discussion_claim_revision(
        discussion=discussion, expected_revision=expected_revision, section="invitees"
    )

    wanted = {agency.pk: agency for agency in agencies}
    removed = discussion.invitees.exclude(agency_id__in=wanted)
    invitations_cancel(invitees=list(removed.select_related("agency", "contact", "discussion")))
    removed.delete()
    already = set(discussion.invitees.values_list("agency_id", flat=True))
    new = [
        Invitee.objects.create(
            discussion=discussion, agency=agency, why_invited=why.get(agency.pk, "Added by chair")
        )
        for pk, agency in wanted.items()
        if pk not in already
    ]
    discussion.invitation_exceptions.all().delete()
    for requirement in unmet:
        InvitationException.objects.create(
            discussion=discussion,
            requirement=requirement.key,
            description=requirement.description,
            agency_id=int(requirement.key[3:]) if requirement.key.startswith("gp_") else None,
            reason=reasons[requirement.key].strip(),
            recorded_by=recorded_by,
        )
    invitations_queue(discussion=discussion, invitees=new)
    return new
