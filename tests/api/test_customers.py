"""Customers in the API (staff only: a customer's category is internal) and /me/: who may read and
change what, all or nothing, audited as on the customer page, If-Match, and text kept as typed."""

import pytest
from django.utils import timezone

from customers.models import CategoryChange, CustomerCategory, CustomerProfile, VipDepartment

from ..accounts.factories import AgentFactory, CustomerFactory, ManagerFactory
from ..hostile import HOSTILE_INPUTS
from ..tickets.factories import TicketFactory
from .conftest import ApiClient, json_keys

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers/"
ME = "/api/v1/me/"


def _url(customer) -> str:
    return f"{CUSTOMERS}{customer.pk}/"


# --- Who may --------------------------------------------------------------------------------------


def test_a_customer_is_refused_every_customer_endpoint_even_their_own(customer, api_customer):
    answers = [
        api_customer.get(CUSTOMERS),
        api_customer.get(_url(customer)),
        api_customer.patch(_url(customer), {"notes": "mine now"}),
    ]

    assert [answer.status_code for answer in answers] == [403, 403, 403]
    assert all(answer.json()["error"]["reason"] for answer in answers)
    assert not CustomerProfile.objects.filter(user=customer, notes="mine now").exists()


@pytest.mark.parametrize("category", [CustomerCategory.VIP, CustomerCategory.REPEAT_OFFENDER])
def test_me_says_who_the_token_belongs_to_never_a_customers_category(customer, api_customer, category):
    CustomerProfile.objects.create(user=customer, category=category, department="Sales")

    answer = api_customer.get(ME)

    assert answer.json() == {
        "id": customer.pk,
        "name": customer.display_name,
        "email": customer.email,
        "role": "customer",
    }
    assert not {key for key in json_keys(answer.json()) if "categor" in key}
    assert category.value not in answer.content.decode()


def test_me_for_staff_and_nobody(api_agent, api_manager, api_anonymous):
    assert api_agent.get(ME).json()["role"] == "agent"
    assert api_manager.get(ME).json()["role"] == "manager"
    assert api_anonymous.get(ME).status_code == 401


def test_someone_who_is_no_customer_is_a_404(api_agent):
    assert api_agent.get(_url(AgentFactory())).status_code == 404
    assert api_agent.patch(_url(AgentFactory()), {"phone": "1"}).status_code == 404


# --- The list ---------------------------------------------------------------------------------------


def test_staff_find_customers_as_the_desk_does(api_agent):
    ada = CustomerFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    CustomerProfile.objects.create(user=ada, department="Maths", category=CustomerCategory.VIP)
    grace = CustomerFactory(first_name="Grace", last_name="Hopper", email="grace@example.com")
    AgentFactory(first_name="Ada", last_name="Agent")  # no customer

    found = api_agent.get(CUSTOMERS, {"q": "ada love"}).json()["results"]
    everyone = api_agent.get(CUSTOMERS).json()["results"]

    assert found == [
        {
            "id": ada.pk,
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "department": "Maths",
            "category": "vip",
        }
    ]
    assert [row["id"] for row in everyone] == [ada.pk, grace.pk]
    assert everyone[1]["category"] == "general" and everyone[1]["department"] == ""
    assert api_agent.get(CUSTOMERS, {"q": "a"}).json()["results"] == []  # as the desk: two characters


def test_a_search_too_long_or_with_a_nul_is_a_400(api_agent):
    for q in ("x" * 101, "a\0b"):
        answer = api_agent.get(CUSTOMERS, {"q": q})
        assert answer.status_code == 400
        assert "q" in answer.json()["error"]["fields"]


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_a_hostile_search_is_answered_not_a_500(api_agent, hostile):
    assert api_agent.get(CUSTOMERS, {"q": hostile[:100]}).status_code in (200, 400)


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_runs_the_same_queries_however_many_rows(agent, count, django_assert_num_queries):
    for number in range(count):
        customer = CustomerFactory()
        if number % 2:
            CustomerProfile.objects.create(user=customer, department=f"Dept {number}")
    client = ApiClient(agent)
    client.get(CUSTOMERS)  # the token's first use and permissions, now cached

    # The token, then the page (customers with their profiles).
    with django_assert_num_queries(2):
        answer = client.get(CUSTOMERS)
    assert len(answer.json()["results"]) == count


def test_the_list_pages_with_a_cursor(api_agent):
    made = [CustomerFactory().pk for _ in range(5)]
    seen, url = [], f"{CUSTOMERS}?page_size=2"
    while url:
        page = api_agent.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]

    assert seen == made


# --- One customer -----------------------------------------------------------------------------------


def test_staff_read_a_customer_as_their_page_shows_them(api_agent, customer, manager):
    boss = ManagerFactory(email="boss@example.com")
    profile = CustomerProfile.objects.create(
        user=customer, department="Sales", location="Floor 9", phone="123", manager=boss, notes="Calls first"
    )
    as_manager = ApiClient(manager)
    as_manager.patch(_url(customer), {"category": "vip", "reason": "Board member"})
    TicketFactory(customer=customer)
    TicketFactory(customer=customer, status="resolved", resolved_at=timezone.now())

    answer = api_agent.get(_url(customer))
    data = answer.json()

    assert answer.status_code == 200 and answer["ETag"]
    assert data["department"] == "Sales" and data["location"] == "Floor 9" and data["phone"] == "123"
    assert data["manager"] == {"id": boss.pk, "name": boss.display_name, "email": "boss@example.com"}
    assert data["notes"] == "Calls first" and data["is_senior_executive"] is False
    assert data["category"] == "vip"
    assert [(c["old_category"], c["new_category"], c["reason"]) for c in data["category_changes"]] == [
        ("general", "vip", "Board member")
    ]
    assert data["category_changes"][0]["changed_by"]["id"] == manager.pk
    assert data["requests"] == {"total": 2, "unresolved": 1}
    profile.refresh_from_db()
    assert profile.category == CustomerCategory.VIP


def test_a_customer_with_no_profile_yet_reads_as_a_general_one(api_agent, customer):
    data = api_agent.get(_url(customer)).json()

    assert data["category"] == "general" and data["manager"] is None and data["category_changes"] == []
    assert not CustomerProfile.objects.exists()  # reading makes nothing


# --- Changing one ------------------------------------------------------------------------------------


def test_an_agent_edits_the_profile_and_what_is_not_sent_stays(api_agent, customer):
    CustomerProfile.objects.create(user=customer, department="Sales", notes="Calls first")
    boss = ManagerFactory(email="boss@example.com")

    answer = api_agent.patch(_url(customer), {"phone": "555", "manager": "BOSS@example.com"})

    assert answer.status_code == 200, answer.content
    profile = CustomerProfile.objects.get(user=customer)
    assert (profile.phone, profile.manager, profile.department, profile.notes) == (
        "555",
        boss,
        "Sales",
        "Calls first",
    )
    assert answer.json()["phone"] == "555"


def test_an_agent_cannot_set_the_category_or_a_senior_executive(api_agent, customer):
    CustomerProfile.objects.create(user=customer)

    answers = [
        api_agent.patch(_url(customer), {"category": "vip", "reason": "Why not"}),
        api_agent.patch(_url(customer), {"phone": "555", "category": "vip", "reason": "Why not"}),
        api_agent.patch(_url(customer), {"is_senior_executive": True}),
    ]

    assert [answer.status_code for answer in answers] == [403, 403, 403]
    assert "managers" in answers[0].json()["error"]["reason"]
    assert "senior executive" in answers[2].json()["error"]["reason"]
    profile = CustomerProfile.objects.get(user=customer)
    assert (profile.category, profile.phone, profile.is_senior_executive) == ("general", "", False)
    assert not CategoryChange.objects.exists()


def test_an_agent_cannot_move_someone_into_a_vip_department(api_agent, customer):
    VipDepartment.objects.create(name="Board")

    answer = api_agent.patch(_url(customer), {"department": "board"})

    assert answer.status_code == 400
    assert "department" in answer.json()["error"]["fields"]
    assert not CustomerProfile.objects.filter(department="board").exists()


def test_a_manager_sets_the_category_audited_as_on_the_page(api_manager, manager, customer):
    answer = api_manager.patch(_url(customer), {"category": "repeat_offender", "reason": "Third time"})

    assert answer.status_code == 200, answer.content
    change = CategoryChange.objects.get()
    assert (change.old_category, change.new_category, change.changed_by, change.reason) == (
        "general",
        "repeat_offender",
        manager,
        "Third time",
    )
    assert answer.json()["category"] == "repeat_offender"


def test_a_senior_executive_becomes_a_vip_by_the_rule_audited(api_manager, manager, customer):
    answer = api_manager.patch(_url(customer), {"is_senior_executive": True})

    assert answer.status_code == 200
    change = CategoryChange.objects.get()
    assert (change.new_category, change.changed_by, change.reason) == (
        "vip",
        manager,
        "Rule: senior executive",
    )


def test_a_category_needs_its_reason_and_a_bad_field_changes_nothing(api_manager, customer):
    CustomerProfile.objects.create(user=customer, phone="1")

    no_reason = api_manager.patch(_url(customer), {"category": "vip", "phone": "2"})
    bad = api_manager.patch(
        _url(customer), {"category": "emperor", "reason": "x", "manager": "nobody@example.com"}
    )
    unknown = api_manager.patch(_url(customer), {"email": "new@example.com"})

    assert no_reason.status_code == 400 and set(no_reason.json()["error"]["fields"]) == {"reason"}
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"category", "manager"}
    assert unknown.status_code == 400 and set(unknown.json()["error"]["fields"]) == {"email"}
    profile = CustomerProfile.objects.get(user=customer)
    assert (profile.phone, profile.category) == ("1", "general")


def test_profile_and_category_in_one_change_are_all_or_nothing(api_manager, customer, monkeypatch):
    from customers import services as customer_services
    from customers.exceptions import CustomerError

    CustomerProfile.objects.create(user=customer, phone="1")

    def refuse(**kwargs):
        raise CustomerError("Refused for the test.")

    monkeypatch.setattr(customer_services, "customer_category_set", refuse)
    answer = api_manager.patch(_url(customer), {"phone": "2", "category": "vip", "reason": "x"})

    assert answer.status_code == 403
    assert CustomerProfile.objects.get(user=customer).phone == "1"


def test_a_stale_if_match_is_a_412_a_fresh_one_and_none_go_through(api_agent, customer):
    etag = api_agent.get(_url(customer))["ETag"]
    api_agent.patch(_url(customer), {"phone": "1"})  # another client

    stale = api_agent.patch(_url(customer), {"phone": "2"}, headers={"If-Match": etag})
    fresh_tag = api_agent.get(_url(customer))["ETag"]
    fresh = api_agent.patch(_url(customer), {"phone": "3"}, headers={"If-Match": fresh_tag})
    without = api_agent.patch(_url(customer), {"phone": "4"})

    assert stale.status_code == 412 and stale.json()["error"]["status"] == 412
    assert fresh.status_code == 200 and fresh["ETag"] != fresh_tag
    assert without.status_code == 200
    assert CustomerProfile.objects.get(user=customer).phone == "4"


def test_a_new_request_of_theirs_between_read_and_write_does_not_make_it_stale(api_agent, customer):
    etag = api_agent.get(_url(customer))["ETag"]
    TicketFactory(customer=customer)  # their counts move; their profile does not

    assert api_agent.patch(_url(customer), {"phone": "5"}, headers={"If-Match": etag}).status_code == 200


def test_a_category_change_by_a_manager_makes_an_agents_if_match_stale(api_agent, api_manager, customer):
    etag = api_agent.get(_url(customer))["ETag"]
    api_manager.patch(_url(customer), {"category": "vip", "reason": "Board"})

    assert api_agent.patch(_url(customer), {"notes": "x"}, headers={"If-Match": etag}).status_code == 412


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_text_comes_back_as_typed(api_manager, customer, hostile):
    typed = hostile.replace("\0", "")
    fields = {
        "department": typed[:100],
        "location": typed[:100],
        "phone": typed[:40],
        "notes": typed[:5000],
    }

    answer = api_manager.patch(
        _url(customer), {**fields, "category": "vip", "reason": typed[:2000].strip() or "x"}
    )

    assert answer.status_code == 200, answer.content
    shown = api_manager.get(_url(customer)).json()
    for name, value in fields.items():
        assert shown[name] == value.strip(), name
    assert shown["category_changes"][0]["reason"] == (typed[:2000].strip() or "x")


def test_a_nul_character_is_a_field_error_not_a_500(api_manager, customer):
    answer = api_manager.patch(_url(customer), {"notes": "a\0b", "reason": "c\0d", "category": "vip"})

    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) == {"notes", "reason"}


def test_if_match_on_a_customer_with_no_profile_yet(api_agent, customer):
    etag = api_agent.get(_url(customer))["ETag"]

    answer = api_agent.patch(_url(customer), {"location": "Floor 2"}, headers={"If-Match": etag})

    assert answer.status_code == 200
    assert CustomerProfile.objects.get(user=customer).location == "Floor 2"
