def test_pages_render(client, auth, people, make_question, make_faq):
    q = make_question(people["kosodate"], people["asker"], title="児童手当の申請", answer="窓口で申請できます")
    f = make_faq(people["kosodate"], title="児童手当の申請期限")
    for url in ["/questions/", f"/questions/{q.id}", "/faq/", f"/faq/{f.id}"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.data[:2000])
    auth.login(people["staff"])
    for url in ["/questions/new", "/staff/questions", "/staff/feedback", f"/questions/{q.id}/promote", "/faq/new",
                f"/faq/{f.id}/edit"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.data.decode()[:3000])
