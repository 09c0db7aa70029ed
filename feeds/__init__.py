"""Feed subscriptions: RSS 2.0, Atom and JSON Feed polled into the library (issue 14, item 1)."""
