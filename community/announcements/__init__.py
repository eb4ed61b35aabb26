"""お知らせ and 緊急情報: the city's notices; emergencies show on every page."""
