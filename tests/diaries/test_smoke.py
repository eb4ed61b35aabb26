def test_write_and_read(client, auth, make_user, befriend):
    author, friend = make_user("author"), make_user("friend")
    befriend(author, friend)
    auth.login(author)
    page = client.get("/diaries/new")
    assert page.status_code == 200, page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    assert "友達（1人）と自分だけが読めます" in html
    response = client.post("/diaries/new", data={"title": "題", "body": "本文 https://example.jp", "visibility": "friends"})
    assert response.status_code == 302, response.get_data(as_text=True)
    show = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'rel="nofollow ugc noopener"' in show
    assert client.get("/diaries").status_code == 200
    assert client.get(f"/diaries/members/{author.id}").status_code == 200
