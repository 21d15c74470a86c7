from datetime import date

from django.db import models

from audit.triggers import AuditTrigger
from strategy.nhs_number import nhs_number_text


def day_text(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "date not known"


def address_line(address: str) -> str:
    """A recorded address on one line."""
    return ", ".join(line.strip() for line in address.splitlines() if line.strip())


def _with_nhs_number(text: str, nhs_number: str) -> str:
    parts = [text] if text else []
    if nhs_number:
        parts.append(f"NHS number {nhs_number_text(nhs_number)}")
    return ", ".join(parts)


class Child(models.Model):
    """A child the discussion is about. An unborn child has an expected date of delivery."""

    discussion = models.ForeignKey(
        "strategy.Discussion", on_delete=models.CASCADE, related_name="children"
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    is_unborn = models.BooleanField("Unborn child", default=False)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_delivery_date = models.DateField(null=True, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    needs = models.TextField(
        "The child's needs and the impact on them",
        help_text="Describe them in words, not as a level number.",
    )
    communication_needs = models.TextField("Language, interpreter or disability needs", blank=True)
    school = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="School or nursery",
    )
    gp_practice = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="GP practice",
    )
    voice = models.TextField("The child's wishes and feelings", blank=True)
    voice_obtained = models.TextField("How the child's voice was obtained", blank=True)

    class Meta:
        triggers = [AuditTrigger(discussion="discussion")]
        ordering = ["date_of_birth", "expected_delivery_date", "pk"]
        verbose_name_plural = "children"

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def nhs_number_text(self) -> str:
        return nhs_number_text(self.nhs_number)

    @property
    def identifiers(self) -> str:
        """What lets an agency find the child in its own records."""
        if self.is_unborn:
            born = f"unborn, expected {day_text(self.expected_delivery_date)}"
        else:
            born = f"born {day_text(self.date_of_birth)}"
        return _with_nhs_number(born, self.nhs_number)


class Relationship(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_PARENT = "step_parent", "Step-parent"
    CARER = "carer", "Carer"
    PARTNER = "partner", "Partner of a parent"
    BIRTH_PARENT_ELSEWHERE = "birth_parent_elsewhere", "Birth parent living elsewhere"
    GRANDPARENT = "grandparent", "Grandparent"
    OTHER = "other", "Other significant adult"


PARENT_OR_CARER = frozenset(
    {
        Relationship.MOTHER,
        Relationship.FATHER,
        Relationship.STEP_PARENT,
        Relationship.CARER,
        Relationship.PARTNER,
        Relationship.BIRTH_PARENT_ELSEWHERE,
    }
)


class Adult(models.Model):
    """A household member or significant adult in the children's lives."""

    discussion = models.ForeignKey(
        "strategy.Discussion", on_delete=models.CASCADE, related_name="adults"
    )
    name = models.CharField("Full name", max_length=200)
    relationship = models.CharField(
        "Relationship to the children", max_length=30, choices=Relationship.choices
    )
    lives_with_children = models.BooleanField("Lives in the children's household", default=True)
    date_of_birth = models.DateField(null=True, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    address = models.TextField(blank=True)
    gp_practice = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="GP practice",
    )
    known_information = models.TextField("What agencies know of them", blank=True)

    class Meta:
        triggers = [AuditTrigger(discussion="discussion")]
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"

    @property
    def identifiers(self) -> str:
        """What lets an agency find the person in its own records."""
        born = f"born {day_text(self.date_of_birth)}" if self.date_of_birth else ""
        return _with_nhs_number(born, self.nhs_number)

    @property
    def is_parent_or_carer(self) -> bool:
        return self.relationship in PARENT_OR_CARER
