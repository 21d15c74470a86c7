from django.template.loader import render_to_string


def test_the_500_page_reassures_that_typing_is_kept():
    page = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in page
    assert "what you typed is kept in this browser tab" in page


def test_the_404_page_follows_the_gov_uk_pattern(db, client, alice, client_for):
    page = client_for(alice).get("/no-such-page/")
    assert page.status_code == 404
    assert "Page not found" in page.text
