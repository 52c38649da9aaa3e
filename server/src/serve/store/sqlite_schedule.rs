//! [`ScheduleStore`] on SQLite: writes through the store's one writer thread, each in its
//! own transaction with its audit entry and the revision bump.

use super::schedule::{Actor, AuditEntry, ConfigVersion, PutConfig, Role, ScheduleStore, StaffMember, StoredChange};
use super::{SqliteStore, StoreError};
use async_trait::async_trait;
use rusqlite::{OptionalExtension, Transaction, params};

fn audit(
    tx: &Transaction<'_>,
    at: i64,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![at, actor, action, subject, detail],
    )?;
    Ok(())
}

fn bump(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute("UPDATE revision SET n = n + 1 WHERE id = 1", [])?;
    Ok(())
}

fn version_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ConfigVersion> {
    Ok(ConfigVersion {
        version: r.get(0)?,
        body: r.get(1)?,
        created_by: r.get(2)?,
        created_at: r.get(3)?,
        note: r.get(4)?,
    })
}

fn staff_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StaffMember> {
    let role: String = r.get(2)?;
    Ok(StaffMember {
        id: r.get(0)?,
        name: r.get(1)?,
        role: Role::parse(&role).unwrap_or(Role::Agent),
        created_at: r.get(3)?,
    })
}

const VERSION_COLUMNS: &str = "version, body, created_by, created_at, note";

#[async_trait]
impl ScheduleStore for SqliteStore {
    async fn seed_config(&self, body: String, by: &str, now: i64) -> Result<bool, StoreError> {
        let by = by.to_owned();
        self.write(move |tx| {
            let n = tx.execute(
                "INSERT INTO config_versions (version, body, created_by, created_at, note)
                 SELECT 1, ?1, ?2, ?3, 'seeded' WHERE NOT EXISTS (SELECT 1 FROM config_versions)",
                params![body, by, now],
            )?;
            if n == 1 {
                audit(tx, now, &by, "config.put", "1", "seeded")?;
                bump(tx)?;
            }
            Ok(n == 1)
        })
        .await
    }

    async fn latest_config(&self) -> Result<Option<ConfigVersion>, StoreError> {
        self.read(|c| {
            c.query_row(
                &format!("SELECT {VERSION_COLUMNS} FROM config_versions ORDER BY version DESC LIMIT 1"),
                [],
                version_row,
            )
            .optional()
        })
        .await
    }

    async fn config_versions(&self) -> Result<Vec<ConfigVersion>, StoreError> {
        self.read(|c| {
            let mut st = c.prepare(&format!("SELECT {VERSION_COLUMNS} FROM config_versions ORDER BY version DESC"))?;
            st.query_map([], version_row)?.collect()
        })
        .await
    }

    async fn config_version(&self, version: i64) -> Result<Option<ConfigVersion>, StoreError> {
        self.read(move |c| {
            c.query_row(
                &format!("SELECT {VERSION_COLUMNS} FROM config_versions WHERE version = ?1"),
                [version],
                version_row,
            )
            .optional()
        })
        .await
    }

    async fn put_config(
        &self,
        expected: i64,
        body: String,
        note: String,
        by: Actor<'_>,
    ) -> Result<PutConfig, StoreError> {
        let (name, at) = (by.name.to_owned(), by.at);
        self.write(move |tx| {
            let newest: i64 =
                tx.query_row("SELECT COALESCE(MAX(version), 0) FROM config_versions", [], |r| r.get(0))?;
            if newest != expected {
                return Ok(PutConfig::Stale(newest));
            }
            let v = newest + 1;
            tx.execute(
                "INSERT INTO config_versions (version, body, created_by, created_at, note) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![v, body, name, at, note],
            )?;
            audit(tx, at, &name, "config.put", &v.to_string(), &note)?;
            bump(tx)?;
            Ok(PutConfig::Stored(v))
        })
        .await
    }

    async fn changes(&self) -> Result<Vec<StoredChange>, StoreError> {
        self.read(|c| {
            let mut st = c.prepare(
                "SELECT id, team, body, created_by, created_at FROM schedule_changes ORDER BY created_at, id",
            )?;
            st.query_map([], |r| {
                Ok(StoredChange {
                    id: r.get(0)?,
                    team: r.get(1)?,
                    body: r.get(2)?,
                    created_by: r.get(3)?,
                    created_at: r.get(4)?,
                })
            })?
            .collect()
        })
        .await
    }

    async fn add_change(&self, c: StoredChange) -> Result<(), StoreError> {
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO schedule_changes (id, team, body, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![c.id, c.team, c.body, c.created_by, c.created_at],
            )?;
            audit(tx, c.created_at, &c.created_by, "schedule.add", &c.id, &c.body)?;
            bump(tx)
        })
        .await
    }

    async fn remove_change(&self, id: &str, by: Actor<'_>) -> Result<bool, StoreError> {
        let (id, name, at) = (id.to_owned(), by.name.to_owned(), by.at);
        self.write(move |tx| {
            let body: Option<String> =
                tx.query_row("SELECT body FROM schedule_changes WHERE id = ?1", [&id], |r| r.get(0)).optional()?;
            let Some(body) = body else { return Ok(false) };
            tx.execute("DELETE FROM schedule_changes WHERE id = ?1", [&id])?;
            audit(tx, at, &name, "schedule.remove", &id, &body)?;
            bump(tx)?;
            Ok(true)
        })
        .await
    }

    async fn add_staff(&self, m: StaffMember, token_sha256: String, by: Actor<'_>) -> Result<(), StoreError> {
        let (name, at) = (by.name.to_owned(), by.at);
        let taken = m.name.clone();
        let result = self
            .write(move |tx| {
                tx.execute(
                    "INSERT INTO staff (id, name, role, token_sha256, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![m.id, m.name, m.role.as_str(), token_sha256, m.created_at],
                )?;
                audit(tx, at, &name, "staff.add", &m.id, &format!("{} ({})", m.name, m.role.as_str()))?;
                bump(tx)
            })
            .await;
        match result {
            Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(StoreError::Config(format!("a staff member named \"{taken}\" exists already")))
            }
            other => other,
        }
    }

    async fn staff(&self) -> Result<Vec<StaffMember>, StoreError> {
        self.read(|c| {
            let mut st = c.prepare("SELECT id, name, role, created_at FROM staff ORDER BY name")?;
            st.query_map([], staff_row)?.collect()
        })
        .await
    }

    async fn remove_staff(&self, who: &str, by: Actor<'_>) -> Result<bool, StoreError> {
        let (who, name, at) = (who.to_owned(), by.name.to_owned(), by.at);
        self.write(move |tx| {
            let found: Option<(String, String)> = tx
                .query_row("SELECT id, name FROM staff WHERE id = ?1 OR name = ?1", [&who], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            let Some((id, person)) = found else { return Ok(false) };
            tx.execute("DELETE FROM staff WHERE id = ?1", [&id])?;
            audit(tx, at, &name, "staff.remove", &id, &person)?;
            bump(tx)?;
            Ok(true)
        })
        .await
    }

    async fn staff_by_token(&self, token_sha256: &str) -> Result<Option<StaffMember>, StoreError> {
        let hash = token_sha256.to_owned();
        self.read(move |c| {
            c.query_row("SELECT id, name, role, created_at FROM staff WHERE token_sha256 = ?1", [hash], staff_row)
                .optional()
        })
        .await
    }

    async fn staff_by_id(&self, id: &str) -> Result<Option<StaffMember>, StoreError> {
        let id = id.to_owned();
        self.read(move |c| {
            c.query_row("SELECT id, name, role, created_at FROM staff WHERE id = ?1", [id], staff_row).optional()
        })
        .await
    }

    async fn record(&self, action: &str, subject: &str, detail: &str, by: Actor<'_>) -> Result<(), StoreError> {
        let (action, subject, detail, name, at) =
            (action.to_owned(), subject.to_owned(), detail.to_owned(), by.name.to_owned(), by.at);
        self.write(move |tx| audit(tx, at, &name, &action, &subject, &detail)).await
    }

    async fn audit(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(move |c| {
            let mut st =
                c.prepare("SELECT seq, at, actor, action, subject, detail FROM audit ORDER BY seq DESC LIMIT ?1")?;
            st.query_map([limit], |r| {
                Ok(AuditEntry {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    subject: r.get(4)?,
                    detail: r.get(5)?,
                })
            })?
            .collect()
        })
        .await
    }

    async fn revision(&self) -> Result<(i64, String), StoreError> {
        self.read(|c| {
            c.query_row("SELECT n, session_key FROM revision WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        })
        .await
    }
}
