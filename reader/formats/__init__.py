"""Folio's own date formats per language (settings.FORMAT_MODULE_PATH); a language without a module here
uses Django's (de: "5. März 2024", fr: "5 mars 2024", es: "5 de marzo de 2024")."""
