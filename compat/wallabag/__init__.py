"""The wallabag v2 REST API at wallabag's own paths: OAuth2 token endpoint (``oauth``), entries, tags and
annotations (``views``), rendered field for field as wallabag does (``render``). Reads scope by the
token's user; writes call ``articles.services`` only."""
