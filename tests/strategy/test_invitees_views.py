import re

from django.urls import reverse

from strategy.models import Child, Invitee
from strategy.services.invitees import propose_invitees


def test_invite_page_proposes_both_parents_gps_ticked(discussion, chair, county, client_for):
    page = client_for(chair).get(reverse("strategy:invitees", args=[discussion.pk]))
    ticked = set(re.findall(r'value="(\d+)"\s+checked="checked"', page.text))
    for key in ("gp_mother", "gp_father", "gp_child", "housing", "police"):
        assert str(county[key].pk) in ticked, key
    assert "GP practice of a birth parent living elsewhere" in page.text


def test_leaving_out_the_fathers_gp_without_reason_is_refused(
    discussion, chair, county, client_for
):
    keep = [
        str(p.agency.pk) for p in propose_invitees(discussion) if p.agency != county["gp_father"]
    ]
    url = reverse("strategy:invitees", args=[discussion.pk])
    data = {"revision": discussion.revision, "agencies": keep}
    refused = client_for(chair).post(url, data)
    assert "Give a reason for not inviting Millbrook Family Practice" in refused.text
    assert not Invitee.objects.exists()

    reason_field = f"reason_gp_{county['gp_father'].pk}"
    done = client_for(chair).post(
        url,
        {**data, reason_field: "Father in custody; prison healthcare informed instead"},
        follow=True,
    )
    assert "Invite list saved" in done.text  # back on the task list
    summary = client_for(chair).get(reverse("strategy:summary", args=[discussion.pk]))
    assert (
        "Not invited: Millbrook Family Practice, GP practice of a birth parent living "
        "elsewhere. Reason recorded: Father in custody" in summary.text
    )
    assert Invitee.objects.count() == len(keep)


def test_discussion_page_flags_a_gp_added_after_invitations(discussion, chair, county, client_for):
    proposals = propose_invitees(discussion)
    client = client_for(chair)
    client.post(
        reverse("strategy:invitees", args=[discussion.pk]),
        {"revision": discussion.revision, "agencies": [str(p.agency.pk) for p in proposals]},
    )
    from tests.factories import AgencyFactory

    new_gp = AgencyFactory.create(name="Seaview Surgery", kind="gp_practice")
    Child.objects.create(
        discussion=discussion,
        first_name="Dee",
        last_name="Testcase",
        date_of_birth="2018-01-01",
        needs="x",
        gp_practice=new_gp,
    )
    page = client.get(reverse("strategy:detail", args=[discussion.pk]))
    assert (
        "Not invited and no reason recorded: Seaview Surgery, GP practice of a child" in page.text
    )


def test_a_gp_practices_name_is_shown_as_text_in_the_reason_label(discussion, chair, client_for):
    from tests.factories import AgencyFactory

    odd = AgencyFactory.create(name="<b>Fictional</b> Surgery", kind="gp_practice")
    Child.objects.create(
        discussion=discussion,
        first_name="Dee",
        last_name="Testcase",
        date_of_birth="2018-01-01",
        needs="x",
        gp_practice=odd,
    )
    page = client_for(chair).get(reverse("strategy:invitees", args=[discussion.pk]))
    assert "Reason for not inviting: &lt;b&gt;Fictional&lt;/b&gt; Surgery" in page.text
    assert "<b>Fictional</b>" not in page.text
