def test_standard_federation_is_indexed(standard):
    published = {}
    for node in standard.federation.nodes.values():
        published.update(node.published())
    assert standard.index.indexed() == published
    assert len(published) == 10
