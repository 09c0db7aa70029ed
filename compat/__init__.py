"""Folio answering other apps' protocols (wallabag's v2 REST API), so that their clients work unchanged."""
