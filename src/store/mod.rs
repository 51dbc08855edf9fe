//! Storage of sources, articles, facts, crawl runs and alerts on SQLite or PostgreSQL.
