//! The query logic both backends share, generated once per backend by [`impl_store!`].
//!
//! SQL here uses `$N` placeholders, `RETURNING` and `ON CONFLICT`, which SQLite (3.35+) and
//! PostgreSQL both accept, and binds chrono and `Vec<u8>` values that each driver maps to its own
//! column types (TEXT/timestamptz, BLOB/bytea). A backend provides `self.pool`, `migrator()` and
//! `BACKEND`; everything else is written once.

use crate::extract::{Fact, Kind};
use std::io::{Read, Write};

/// Rows per multi-row INSERT (well under SQLite's bound-parameter limit).
pub(super) const INSERT_CHUNK: usize = 200;

/// gzip at a fast level: pages compress 5–8× and the crawler must not wait on it.
pub(super) fn compress(html: &str) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(3));
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(html.as_bytes());
    enc.finish().unwrap_or_default()
}

/// Inverse of [`compress`], for reprocessing.
pub(super) fn decompress(bytes: &[u8]) -> Result<String, super::StoreError> {
    let mut s = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut s)
        .map_err(|e| super::StoreError::Corrupt(format!("raw page: {e}")))?;
    Ok(s)
}

/// A `facts` row as read back, converted into a [`Fact`].
#[derive(sqlx::FromRow)]
pub(super) struct FactRow {
    pub area: Option<String>,
    pub area_level: Option<String>,
    pub area_code: Option<String>,
    pub province: Option<String>,
    pub metric: String,
    pub indicator: Option<String>,
    pub value: f64,
    pub value_high: Option<f64>,
    pub unit: String,
    pub value_base: Option<f64>,
    pub unit_base: Option<String>,
    pub total: Option<f64>,
    pub year: Option<i64>,
    pub period: Option<String>,
    pub kind: String,
    pub approx: bool,
    pub plan_pct: Option<f64>,
    pub yoy_pct: Option<f64>,
    pub sentence: String,
    pub span_start: i64,
    pub span_end: i64,
}

impl From<FactRow> for Fact {
    fn from(r: FactRow) -> Fact {
        Fact {
            area: r.area,
            area_level: r.area_level,
            area_code: r.area_code,
            province: r.province,
            metric: r.metric,
            indicator: r.indicator,
            value: r.value,
            value_high: r.value_high,
            unit: r.unit,
            value_base: r.value_base,
            unit_base: r.unit_base,
            total: r.total,
            year: r.year.and_then(|y| i32::try_from(y).ok()),
            period: r.period,
            kind: if r.kind == "target" {
                Kind::Target
            } else {
                Kind::Actual
            },
            approx: r.approx,
            plan_pct: r.plan_pct,
            yoy_pct: r.yoy_pct,
            sentence: r.sentence,
            span: [
                usize::try_from(r.span_start).unwrap_or(0),
                usize::try_from(r.span_end).unwrap_or(0),
            ],
            // Not stored: a title fact's sentence is the stored title.
            from_title: false,
        }
    }
}

/// A row of the `source_status` query.
#[derive(sqlx::FromRow)]
pub(super) struct SourceStatusRow {
    pub name: String,
    pub province: String,
    pub enabled: bool,
    pub next_run_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_started: Option<chrono::DateTime<chrono::Utc>>,
    pub last_finished: Option<chrono::DateTime<chrono::Utc>>,
    pub last_status: Option<String>,
    pub last_success: Option<chrono::DateTime<chrono::Utc>>,
    pub consecutive_failures: i64,
    pub articles: i64,
    pub facts: i64,
    pub selector_fallbacks: i64,
    pub runs_skipped: i64,
    pub last_skipped_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_skip_reason: Option<String>,
}

impl From<SourceStatusRow> for super::SourceStatus {
    fn from(r: SourceStatusRow) -> Self {
        super::SourceStatus {
            name: r.name,
            province: r.province,
            enabled: r.enabled,
            next_run_at: r.next_run_at,
            last_started: r.last_started,
            last_finished: r.last_finished,
            last_status: r.last_status,
            last_success: r.last_success,
            consecutive_failures: r.consecutive_failures,
            articles: r.articles,
            facts: r.facts,
            selector_fallbacks: r.selector_fallbacks,
            runs_skipped: r.runs_skipped,
            last_skipped_at: r.last_skipped_at,
            last_skip_reason: r.last_skip_reason,
        }
    }
}

/// An `articles` row as `raw_pages` reads it.
#[derive(sqlx::FromRow)]
pub(super) struct RawPageRow {
    pub id: i64,
    pub source: String,
    pub url: String,
    pub raw_html: Option<Vec<u8>>,
    pub body: String,
    pub title: Option<String>,
    pub published_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub fetched_at: chrono::DateTime<chrono::Utc>,
}

impl TryFrom<RawPageRow> for super::RawPage {
    type Error = super::StoreError;
    fn try_from(r: RawPageRow) -> Result<Self, Self::Error> {
        Ok(super::RawPage {
            raw_html: r.raw_html.as_deref().map(decompress).transpose()?,
            id: r.id,
            source: r.source,
            url: r.url,
            body: r.body,
            title: r.title,
            published_at: r.published_at,
            etag: r.etag,
            last_modified: r.last_modified,
            fetched_at: r.fetched_at,
        })
    }
}

/// Implements [`super::Store`] for a backend struct with a `pool` field of the given database.
macro_rules! impl_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn backend(&self) -> $crate::store::Backend {
                Self::BACKEND
            }

            async fn migrate(&self) -> Result<usize, $crate::store::StoreError> {
                let migrator = Self::migrator();
                let before: i64 = self.applied_migrations().await;
                migrator.run(&self.pool).await?;
                let after: i64 = self.applied_migrations().await;
                Ok(usize::try_from(after - before).unwrap_or(0))
            }

            async fn needs_migration(&self) -> Result<bool, $crate::store::StoreError> {
                let shipped = i64::try_from(Self::migrator().iter().count()).unwrap_or(i64::MAX);
                Ok(self.applied_migrations().await < shipped)
            }

            async fn sync_sources(
                &self,
                sources: &[$crate::store::SourceRow],
            ) -> Result<(), $crate::store::StoreError> {
                let now = chrono::Utc::now();
                let mut tx = self.pool.begin().await?;
                sqlx::query("UPDATE sources SET enabled = $1, updated_at = $2")
                    .bind(false)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                for s in sources {
                    sqlx::query(
                        "INSERT INTO sources (name, province, base_url, enabled, updated_at) \
                         VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (name) DO UPDATE SET province = excluded.province, \
                         base_url = excluded.base_url, enabled = excluded.enabled, \
                         updated_at = excluded.updated_at",
                    )
                    .bind(&s.name)
                    .bind(&s.province)
                    .bind(&s.base_url)
                    .bind(s.enabled)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn area_count(&self) -> Result<usize, $crate::store::StoreError> {
                let (have,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM areas")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(usize::try_from(have).unwrap_or(0))
            }

            async fn load_areas(
                &self,
                areas: &[$crate::gazetteer::Area],
            ) -> Result<usize, $crate::store::StoreError> {
                let (have,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM areas")
                    .fetch_one(&self.pool)
                    .await?;
                if usize::try_from(have).ok() == Some(areas.len()) {
                    return Ok(0);
                }
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM areas").execute(&mut *tx).await?;
                for chunk in areas.chunks($crate::store::common::INSERT_CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO areas (era, level, code, name, unit_type, full_name, \
                         parent_code, province_code, valid_from, valid_to, former) ",
                    );
                    qb.push_values(chunk, |mut b, a| {
                        b.push_bind(a.era.as_str())
                            .push_bind(a.level.as_str())
                            .push_bind(&a.code)
                            .push_bind(&a.name)
                            .push_bind(&a.unit_type)
                            .push_bind(&a.full_name)
                            .push_bind(&a.parent_code)
                            .push_bind(&a.province_code)
                            .push_bind(a.valid_from)
                            .push_bind(a.valid_to)
                            .push_bind(a.former);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(areas.len())
            }

            async fn known_urls(
                &self,
                urls: &[String],
            ) -> Result<std::collections::HashSet<String>, $crate::store::StoreError> {
                let mut known = std::collections::HashSet::new();
                for chunk in urls.chunks($crate::store::common::INSERT_CHUNK) {
                    let mut qb =
                        sqlx::QueryBuilder::<$db>::new("SELECT url FROM articles WHERE url IN (");
                    let mut sep = qb.separated(", ");
                    for u in chunk {
                        sep.push_bind(u);
                    }
                    qb.push(")");
                    let rows: Vec<(String,)> = qb.build_query_as().fetch_all(&self.pool).await?;
                    known.extend(rows.into_iter().map(|(u,)| u));
                }
                Ok(known)
            }

            async fn article_state(
                &self,
                url: &str,
            ) -> Result<Option<$crate::store::ArticleState>, $crate::store::StoreError> {
                let row: Option<(i64, String, Option<String>, Option<String>)> = sqlx::query_as(
                    "SELECT id, content_hash, etag, last_modified FROM articles WHERE url = $1",
                )
                .bind(url)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(
                    |(id, content_hash, etag, last_modified)| $crate::store::ArticleState {
                        id,
                        content_hash,
                        etag,
                        last_modified,
                    },
                ))
            }

            async fn save_article(
                &self,
                a: &$crate::store::NewArticle,
                facts: &[$crate::extract::Fact],
                alerts: &[$crate::store::NewAlert],
            ) -> Result<$crate::store::SaveOutcome, $crate::store::StoreError> {
                use $crate::store::SaveStatus;
                let hash = $crate::store::content_hash(a.title.as_deref(), a.sapo.as_deref(), &a.body);
                let raw = a.raw_html.as_deref().map($crate::store::common::compress);
                let now = chrono::Utc::now();
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                let existing: Option<(i64, String)> =
                    sqlx::query_as("SELECT id, content_hash FROM articles WHERE url = $1")
                        .bind(&a.url)
                        .fetch_optional(&mut *tx)
                        .await?;
                let (id, status) = match existing {
                    Some((id, old_hash)) if old_hash == hash => {
                        sqlx::query(
                            "UPDATE articles SET fetched_at = $1, etag = $2, last_modified = $3 \
                             WHERE id = $4",
                        )
                        .bind(a.fetched_at)
                        .bind(&a.etag)
                        .bind(&a.last_modified)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        tx.commit().await?;
                        let (n,): (i64,) =
                            sqlx::query_as("SELECT COUNT(*) FROM facts WHERE article_id = $1")
                                .bind(id)
                                .fetch_one(&self.pool)
                                .await?;
                        return Ok($crate::store::SaveOutcome {
                            article_id: id,
                            status: SaveStatus::Unchanged,
                            facts: usize::try_from(n).unwrap_or(0),
                        });
                    }
                    Some((id, _)) => {
                        sqlx::query(
                            "UPDATE articles SET source = $1, title = $2, published_at = $3, \
                             author = $4, sapo = $5, body = $6, content_hash = $7, \
                             raw_html = $8, etag = $9, last_modified = $10, fetched_at = $11, \
                             updated_at = $12, extractor_version = $13 WHERE id = $14",
                        )
                        .bind(&a.source)
                        .bind(&a.title)
                        .bind(a.published_at)
                        .bind(&a.author)
                        .bind(&a.sapo)
                        .bind(&a.body)
                        .bind(&hash)
                        .bind(&raw)
                        .bind(&a.etag)
                        .bind(&a.last_modified)
                        .bind(a.fetched_at)
                        .bind(now)
                        .bind(&a.extractor_version)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query("DELETE FROM facts WHERE article_id = $1")
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        (id, SaveStatus::Updated)
                    }
                    None => {
                        let (id,): (i64,) = sqlx::query_as(
                            "INSERT INTO articles (source, url, title, published_at, author, \
                             sapo, body, content_hash, raw_html, etag, last_modified, \
                             fetched_at, first_seen_at, extractor_version) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                             RETURNING id",
                        )
                        .bind(&a.source)
                        .bind(&a.url)
                        .bind(&a.title)
                        .bind(a.published_at)
                        .bind(&a.author)
                        .bind(&a.sapo)
                        .bind(&a.body)
                        .bind(&hash)
                        .bind(&raw)
                        .bind(&a.etag)
                        .bind(&a.last_modified)
                        .bind(a.fetched_at)
                        .bind(now)
                        .bind(&a.extractor_version)
                        .fetch_one(&mut *tx)
                        .await?;
                        (id, SaveStatus::New)
                    }
                };
                Self::insert_facts(&mut tx, id, facts, &a.extractor_version).await?;
                // "new" rows belong to a first save, "updated" rows to a changed article; an
                // "updated" row whose facts did not change repeats an earlier dedupe_key and is
                // dropped by the unique key.
                let wanted = if status == SaveStatus::New { "new" } else { "updated" };
                for al in alerts.iter().filter(|al| al.event == wanted) {
                    sqlx::query(
                        "INSERT INTO alerts (article_id, channel, event, dedupe_key, payload, \
                         status, next_attempt_at, created_at) \
                         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6) \
                         ON CONFLICT (channel, dedupe_key) DO NOTHING",
                    )
                    .bind(id)
                    .bind(&al.channel)
                    .bind(&al.event)
                    .bind(&al.dedupe_key)
                    .bind(&al.payload)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok($crate::store::SaveOutcome {
                    article_id: id,
                    status,
                    facts: facts.len(),
                })
            }

            async fn start_run(
                &self,
                source: &str,
                instance: &str,
            ) -> Result<i64, $crate::store::StoreError> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO crawl_runs (source, instance, started_at, status) \
                     VALUES ($1, $2, $3, 'running') RETURNING id",
                )
                .bind(source)
                .bind(instance)
                .bind(chrono::Utc::now())
                .fetch_one(&self.pool)
                .await?;
                Ok(id)
            }

            async fn finish_run(
                &self,
                run_id: i64,
                s: &$crate::store::RunStats,
            ) -> Result<(), $crate::store::StoreError> {
                let done = sqlx::query(
                    "UPDATE crawl_runs SET finished_at = $1, status = $2, pages_fetched = $3, \
                     not_modified = $4, new_articles = $5, updated_articles = $6, facts = $7, \
                     errors = $8, message = $9, selector_fallbacks = $10 WHERE id = $11",
                )
                .bind(chrono::Utc::now())
                .bind(&s.status)
                .bind(s.pages_fetched)
                .bind(s.not_modified)
                .bind(s.new_articles)
                .bind(s.updated_articles)
                .bind(s.facts)
                .bind(s.errors)
                .bind(&s.message)
                .bind(s.selector_fallbacks)
                .bind(run_id)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::store::StoreError::NotFound);
                }
                Ok(())
            }

            async fn article_facts(
                &self,
                article_id: i64,
            ) -> Result<Vec<$crate::extract::Fact>, $crate::store::StoreError> {
                let rows: Vec<$crate::store::common::FactRow> = sqlx::query_as(
                    "SELECT area, area_level, area_code, province, metric, indicator, value, \
                     value_high, unit, value_base, unit_base, total, year, period, kind, approx, \
                     plan_pct, yoy_pct, sentence, span_start, span_end \
                     FROM facts WHERE article_id = $1 ORDER BY id",
                )
                .bind(article_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn counts(&self) -> Result<$crate::store::Counts, $crate::store::StoreError> {
                let (sources, articles, facts, areas, crawl_runs, alerts): (
                    i64,
                    i64,
                    i64,
                    i64,
                    i64,
                    i64,
                ) = sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM sources), (SELECT COUNT(*) FROM articles), \
                     (SELECT COUNT(*) FROM facts), (SELECT COUNT(*) FROM areas), \
                     (SELECT COUNT(*) FROM crawl_runs), (SELECT COUNT(*) FROM alerts)",
                )
                .fetch_one(&self.pool)
                .await?;
                Ok($crate::store::Counts {
                    sources,
                    articles,
                    facts,
                    areas,
                    crawl_runs,
                    alerts,
                })
            }

            async fn source_urls(
                &self,
                source: &str,
            ) -> Result<std::collections::HashSet<String>, $crate::store::StoreError> {
                let rows: Vec<(String,)> =
                    sqlx::query_as("SELECT url FROM articles WHERE source = $1")
                        .bind(source)
                        .fetch_all(&self.pool)
                        .await?;
                Ok(rows.into_iter().map(|(u,)| u).collect())
            }

            async fn fetch_cache(
                &self,
                source: &str,
            ) -> Result<Vec<$crate::store::CachedValidators>, $crate::store::StoreError> {
                let rows: Vec<(String, Option<String>, Option<String>, Option<String>)> =
                    sqlx::query_as(
                        "SELECT url, etag, last_modified, content_hash FROM fetch_cache \
                         WHERE source = $1",
                    )
                    .bind(source)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(|(url, etag, last_modified, content_hash)| {
                        $crate::store::CachedValidators {
                            url,
                            etag,
                            last_modified,
                            content_hash,
                        }
                    })
                    .collect())
            }

            async fn put_fetch_cache(
                &self,
                source: &str,
                entries: &[$crate::store::CachedValidators],
            ) -> Result<(), $crate::store::StoreError> {
                let now = chrono::Utc::now();
                let mut tx = self.pool.begin().await?;
                for e in entries {
                    sqlx::query(
                        "INSERT INTO fetch_cache (url, etag, last_modified, content_hash, \
                         fetched_at, source) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (url) \
                         DO UPDATE SET etag = excluded.etag, \
                         last_modified = excluded.last_modified, \
                         content_hash = excluded.content_hash, fetched_at = excluded.fetched_at, \
                         source = excluded.source",
                    )
                    .bind(&e.url)
                    .bind(&e.etag)
                    .bind(&e.last_modified)
                    .bind(&e.content_hash)
                    .bind(now)
                    .bind(source)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn record_skips(
                &self,
                skips: &[$crate::store::RunSkip],
            ) -> Result<(), $crate::store::StoreError> {
                if skips.is_empty() {
                    return Ok(());
                }
                let mut tx = self.pool.begin().await?;
                for s in skips {
                    sqlx::query(
                        "UPDATE sources SET runs_skipped = runs_skipped + 1, \
                         last_skipped_at = $2, last_skip_reason = $3 WHERE name = $1",
                    )
                    .bind(&s.source)
                    .bind(s.at)
                    .bind(&s.reason)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn queue_page(
                &self,
                source: &str,
                url: &str,
                error: &str,
                retry_at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::store::StoreError> {
                sqlx::query(
                    "INSERT INTO page_queue (url, source, first_seen_at, attempts, last_error, \
                     next_attempt_at) VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT (url) DO UPDATE \
                     SET attempts = page_queue.attempts + 1, last_error = excluded.last_error, \
                     next_attempt_at = excluded.next_attempt_at",
                )
                .bind(url)
                .bind(source)
                .bind(chrono::Utc::now())
                .bind(error)
                .bind(retry_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn due_pages(
                &self,
                source: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<String>, $crate::store::StoreError> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT url FROM page_queue WHERE source = $1 AND next_attempt_at <= $2 \
                     AND attempts < $3 ORDER BY next_attempt_at",
                )
                .bind(source)
                .bind(now)
                .bind($crate::store::MAX_PAGE_ATTEMPTS)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|(u,)| u).collect())
            }

            async fn dequeue_page(&self, url: &str) -> Result<(), $crate::store::StoreError> {
                sqlx::query("DELETE FROM page_queue WHERE url = $1")
                    .bind(url)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn raw_pages(
                &self,
                f: &$crate::store::ReprocessFilter,
                after_id: i64,
                limit: i64,
            ) -> Result<Vec<$crate::store::RawPage>, $crate::store::StoreError> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT id, source, url, raw_html, body, title, published_at, etag, \
                     last_modified, fetched_at FROM articles WHERE id > ",
                );
                qb.push_bind(after_id);
                if let Some(since) = f.since {
                    qb.push(" AND fetched_at >= ").push_bind(since);
                }
                if let Some(source) = &f.source {
                    qb.push(" AND source = ").push_bind(source);
                }
                qb.push(" ORDER BY id LIMIT ").push_bind(limit);
                let rows: Vec<$crate::store::common::RawPageRow> =
                    qb.build_query_as().fetch_all(&self.pool).await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn source_status(
                &self,
            ) -> Result<Vec<$crate::store::SourceStatus>, $crate::store::StoreError> {
                let rows: Vec<$crate::store::common::SourceStatusRow> = sqlx::query_as(
                    "WITH last AS ( \
                       SELECT source, MAX(id) AS id FROM crawl_runs GROUP BY source), \
                     ok AS ( \
                       SELECT source, MAX(id) AS id, MAX(finished_at) AS at FROM crawl_runs \
                       WHERE status IN ('ok', 'partial') GROUP BY source) \
                     SELECT s.name, s.province, s.enabled, s.next_run_at, r.started_at AS last_started, \
                       s.runs_skipped, s.last_skipped_at, s.last_skip_reason, \
                       r.finished_at AS last_finished, r.status AS last_status, \
                       ok.at AS last_success, \
                       COALESCE(r.selector_fallbacks, 0) AS selector_fallbacks, \
                       (SELECT COUNT(*) FROM crawl_runs c WHERE c.source = s.name \
                          AND c.status = 'failed' AND c.id > COALESCE(ok.id, 0)) \
                          AS consecutive_failures, \
                       (SELECT COUNT(*) FROM articles a WHERE a.source = s.name) AS articles, \
                       (SELECT COUNT(*) FROM facts f JOIN articles a ON a.id = f.article_id \
                          WHERE a.source = s.name) AS facts \
                     FROM sources s \
                     LEFT JOIN last ON last.source = s.name \
                     LEFT JOIN crawl_runs r ON r.id = last.id \
                     LEFT JOIN ok ON ok.source = s.name \
                     ORDER BY s.name",
                )
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn alert_counts(
                &self,
            ) -> Result<Vec<(String, String, i64)>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT channel, status, COUNT(*) FROM alerts GROUP BY channel, status \
                     ORDER BY channel, status",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn ping(&self) -> Result<(), $crate::store::StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn replace_facts(
                &self,
                article_id: i64,
                facts: &[$crate::extract::Fact],
                extractor_version: &str,
            ) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM facts WHERE article_id = $1")
                    .bind(article_id)
                    .execute(&mut *tx)
                    .await?;
                Self::insert_facts(&mut tx, article_id, facts, extractor_version).await?;
                sqlx::query("UPDATE articles SET extractor_version = $1 WHERE id = $2")
                    .bind(extractor_version)
                    .bind(article_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }
        }

        impl $store {
            /// Inserts facts of one article inside a transaction, in chunks.
            async fn insert_facts(
                tx: &mut sqlx::Transaction<'_, $db>,
                article_id: i64,
                facts: &[$crate::extract::Fact],
                extractor_version: &str,
            ) -> Result<(), $crate::store::StoreError> {
                for chunk in facts.chunks($crate::store::common::INSERT_CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO facts (article_id, area, area_level, area_code, province, \
                         indicator, metric, value, value_high, unit, value_base, unit_base, \
                         total, year, period, kind, approx, plan_pct, yoy_pct, sentence, \
                         span_start, span_end, extractor_version) ",
                    );
                    qb.push_values(chunk, |mut b, f| {
                        b.push_bind(article_id)
                            .push_bind(&f.area)
                            .push_bind(&f.area_level)
                            .push_bind(&f.area_code)
                            .push_bind(&f.province)
                            .push_bind(&f.indicator)
                            .push_bind(&f.metric)
                            .push_bind(f.value)
                            .push_bind(f.value_high)
                            .push_bind(&f.unit)
                            .push_bind(f.value_base)
                            .push_bind(&f.unit_base)
                            .push_bind(f.total)
                            .push_bind(f.year.map(i64::from))
                            .push_bind(&f.period)
                            .push_bind(f.kind.as_str())
                            .push_bind(f.approx)
                            .push_bind(f.plan_pct)
                            .push_bind(f.yoy_pct)
                            .push_bind(&f.sentence)
                            .push_bind(i64::try_from(f.span[0]).unwrap_or(i64::MAX))
                            .push_bind(i64::try_from(f.span[1]).unwrap_or(i64::MAX))
                            .push_bind(extractor_version);
                    });
                    qb.build().execute(&mut **tx).await?;
                }
                Ok(())
            }
        }
    };
}

pub(super) use impl_store;
