import factory

from agencies.models import Agency, AgencyKind, Contact, Team, User


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Fictional Agency {n}")
    kind = AgencyKind.ACUTE_HOSPITAL_TRUST
    secure_email = factory.Sequence(lambda n: f"safeguarding.{n}@nhs.net")
    phone = "01632 960999"


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Person {n}")
    role = "Safeguarding nurse"
    email = factory.Sequence(lambda n: f"person.{n}@nhs.net")


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Assessment Team {n}")
    agency = factory.SubFactory(AgencyFactory, kind=AgencyKind.CHILDRENS_SOCIAL_CARE)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda u: u.username.capitalize())
    last_name = "Example"
    email = factory.LazyAttribute(lambda u: f"{u.username}@eastmere.gov.uk")
    role = "chair"
    password = factory.django.Password("a-long-test-password")
