import pytest


@pytest.mark.django_db
def test_sign_in_page_renders(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
