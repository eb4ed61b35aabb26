"""The city's official web pages (市のページ), imported by a polite crawler for cross-search."""
