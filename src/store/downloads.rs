//! Downloadable releases of products.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Db, StoreError, from_millis, to_millis};
use crate::domain::product::ProductId;

/// A release of a product that key holders may download.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Downloadable {
    pub id: i64,
    pub product: ProductId,
    /// Orders releases: 102 for 1.0.2.
    pub numeric_version: u32,
    pub version: String,
    pub update_summary: String,
    pub changelog: String,
    pub published: bool,
    pub release_date: DateTime<Utc>,
    pub download_counter: u64,
    /// Where the file lies on the server.
    pub file_path: String,
}

fn row(r: &Row<'_>) -> rusqlite::Result<Downloadable> {
    Ok(Downloadable {
        id: r.get(0)?,
        product: ProductId(r.get(1)?),
        numeric_version: r.get(2)?,
        version: r.get(3)?,
        update_summary: r.get(4)?,
        changelog: r.get(5)?,
        published: r.get(6)?,
        release_date: from_millis(r.get(7)?),
        download_counter: r.get::<_, i64>(8)? as u64,
        file_path: r.get(9)?,
    })
}

const COLUMNS: &str = "id, product_id, numeric_version, version, update_summary, changelog, published, release_date, \
     download_counter, file_path";

impl Db<'_> {
    pub fn insert_downloadable(&self, d: &Downloadable) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO downloadables (product_id, numeric_version, version, update_summary, changelog, published, \
             release_date, file_path) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                d.product.0,
                d.numeric_version,
                d.version,
                d.update_summary,
                d.changelog,
                d.published,
                to_millis(d.release_date),
                d.file_path
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// A product's published releases, newest first.
    pub fn published_downloadables(&self, product: ProductId) -> Result<Vec<Downloadable>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM downloadables WHERE product_id = ?1 AND published = 1 ORDER BY numeric_version DESC"
        ))?;
        let rows = stmt.query_map([product.0], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn downloadable(&self, product: ProductId, numeric_version: u32) -> Result<Option<Downloadable>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM downloadables WHERE product_id = ?1 AND numeric_version = ?2"
            ))?
            .query_row(params![product.0, numeric_version], row)
            .optional()?)
    }

    pub fn count_download(&self, id: i64) -> Result<(), StoreError> {
        self.conn.execute("UPDATE downloadables SET download_counter = download_counter + 1 WHERE id = ?1", [id])?;
        Ok(())
    }
}
