"""factory_boy factories for organisations, people and roles."""

import datetime

import factory
from django.contrib.auth import get_user_model

from lms.models import ICB, PCN, Person, Practice, Role, RoleAssignment

PASSWORD = "Correct-horse-battery-9"


class ICBFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ICB

    ods_code = factory.Sequence(lambda n: f"Q{n:04d}")
    name = factory.Sequence(lambda n: f"NHS Test {n} Integrated Care Board")


class PCNFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PCN

    ods_code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"Test {n} PCN")
    icb = factory.SubFactory(ICBFactory)


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    ods_code = factory.Sequence(lambda n: f"Y{n:05d}")
    name = factory.Sequence(lambda n: f"Test {n} Surgery")
    pcn = factory.SubFactory(PCNFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.nhs.uk")
    username = factory.LazyAttribute(lambda o: o.email)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    user = factory.SubFactory(UserFactory)
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    job_title = "Care coordinator"
    pcn = factory.SubFactory(PCNFactory)
    employment_start_date = datetime.date(2025, 1, 6)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    person = factory.SubFactory(PersonFactory)
    role = Role.CARE_COORDINATOR
    pcn = factory.LazyAttribute(lambda o: o.person.pcn)
    starts_on = datetime.date(2025, 1, 6)
