-- `chiso backfill`: what a history walk of a source has done, so that a run killed midway
-- continues where it stopped (issue 16). Keep in step with migrations/postgres/0005_backfill.sql.

-- One row per source, range and document (sitemap child, listing page, archive page) read to
-- the end: every article it lists in the range was stored or set aside. `lastmod` is the
-- document's lastmod in its index when it was read (a newer one is read again); `next_url` is
-- the listing page that follows it, so that a resumed walk jumps over done pages unfetched.
CREATE TABLE backfill_progress (
    source      TEXT NOT NULL REFERENCES sources(name),
    range_since TEXT NOT NULL,     -- YYYY-MM-DD
    range_until TEXT NOT NULL,     -- YYYY-MM-DD
    document    TEXT NOT NULL,
    lastmod     TEXT,
    next_url    TEXT,
    newest_day  TEXT,              -- newest listed or published day on the document
    done_at     TEXT NOT NULL,
    PRIMARY KEY (source, range_since, range_until, document)
);

-- Article pages a backfill fetched and did not store under their own URL: their publication day
-- (in Asia/Ho_Chi_Minh) fell outside its range, or they had none (a later run does not fetch them
-- again unless its range holds that day), or the page was stored under another canonical URL
-- (`stored_as`: a later run knows it as stored).
CREATE TABLE backfill_skipped (
    url         TEXT PRIMARY KEY,
    source      TEXT NOT NULL REFERENCES sources(name),
    published   TEXT,              -- YYYY-MM-DD, NULL when the page gave no date
    stored_as   TEXT,              -- the canonical URL the article is stored under
    seen_at     TEXT NOT NULL
);
CREATE INDEX backfill_skipped_source ON backfill_skipped(source);
