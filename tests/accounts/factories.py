import factory
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role

PASSWORD = "correct-horse-battery"


def _role(default: Role | None) -> factory.PostGeneration:
    """Put the user in a role's group: the factory's default, or `role=` given at the call."""

    def add_to_group(user: User, create: bool, extracted: Role | None, **kwargs) -> None:
        role = extracted or default
        if create and role:
            user.groups.add(Group.objects.get(name=role.group_name))

    return factory.PostGeneration(add_to_group)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password(PASSWORD)
    role = _role(None)


class CustomerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"customer{n}")
    role = _role(Role.CUSTOMER)


class AgentFactory(UserFactory):
    username = factory.Sequence(lambda n: f"agent{n}")
    role = _role(Role.AGENT)


class ManagerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"manager{n}")
    is_staff = True
    role = _role(Role.MANAGER)
