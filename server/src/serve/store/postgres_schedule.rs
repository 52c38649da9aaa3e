//! [`ScheduleStore`] on PostgreSQL: one transaction per write, with its audit entry and the
//! revision bump; `put_config` locks the revision row, so two instances publishing at once
//! take turns and the second sees that it is stale.

use super::postgres::classify;
use super::schedule::{Actor, AuditEntry, ConfigVersion, PutConfig, Role, ScheduleStore, StaffMember, StoredChange};
use super::{PostgresStore, StoreError};
use async_trait::async_trait;
use tokio_postgres::Row;

type Pg = tokio_postgres::Error;

async fn audit(
    tx: &deadpool_postgres::Transaction<'_>,
    at: i64,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), Pg> {
    tx.execute(
        "INSERT INTO audit (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
        &[&at, &actor, &action, &subject, &detail],
    )
    .await?;
    Ok(())
}

async fn bump(tx: &deadpool_postgres::Transaction<'_>) -> Result<(), Pg> {
    tx.execute("UPDATE revision SET n = n + 1 WHERE id = 1", &[]).await?;
    Ok(())
}

fn version(r: &Row) -> Result<ConfigVersion, Pg> {
    Ok(ConfigVersion {
        version: r.try_get(0)?,
        body: r.try_get(1)?,
        created_by: r.try_get(2)?,
        created_at: r.try_get(3)?,
        note: r.try_get(4)?,
    })
}

fn member(r: &Row) -> Result<StaffMember, Pg> {
    let role: String = r.try_get(2)?;
    Ok(StaffMember {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        role: Role::parse(&role).unwrap_or(Role::Agent),
        created_at: r.try_get(3)?,
    })
}

const VERSION_COLUMNS: &str = "version, body, created_by, created_at, note";

#[async_trait]
impl ScheduleStore for PostgresStore {
    async fn seed_config(&self, body: String, by: &str, now: i64) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        tx.execute("SELECT n FROM revision WHERE id = 1 FOR UPDATE", &[]).await.map_err(classify)?;
        let n = tx
            .execute(
                "INSERT INTO config_versions (version, body, created_by, created_at, note)
                 SELECT 1, $1, $2, $3, 'seeded' WHERE NOT EXISTS (SELECT 1 FROM config_versions)",
                &[&body, &by, &now],
            )
            .await
            .map_err(classify)?;
        if n == 1 {
            audit(&tx, now, by, "config.put", "1", "seeded").await.map_err(classify)?;
            bump(&tx).await.map_err(classify)?;
        }
        tx.commit().await.map_err(classify)?;
        Ok(n == 1)
    }

    async fn latest_config(&self) -> Result<Option<ConfigVersion>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(&format!("SELECT {VERSION_COLUMNS} FROM config_versions ORDER BY version DESC LIMIT 1"), &[])
            .await
            .map_err(classify)?;
        row.map(|r| version(&r)).transpose().map_err(classify)
    }

    async fn config_versions(&self) -> Result<Vec<ConfigVersion>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(&format!("SELECT {VERSION_COLUMNS} FROM config_versions ORDER BY version DESC"), &[])
            .await
            .map_err(classify)?;
        rows.iter().map(version).collect::<Result<_, _>>().map_err(classify)
    }

    async fn config_version(&self, v: i64) -> Result<Option<ConfigVersion>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(&format!("SELECT {VERSION_COLUMNS} FROM config_versions WHERE version = $1"), &[&v])
            .await
            .map_err(classify)?;
        row.map(|r| version(&r)).transpose().map_err(classify)
    }

    async fn put_config(
        &self,
        expected: i64,
        body: String,
        note: String,
        by: Actor<'_>,
    ) -> Result<PutConfig, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        tx.execute("SELECT n FROM revision WHERE id = 1 FOR UPDATE", &[]).await.map_err(classify)?;
        let newest: i64 = tx
            .query_one("SELECT COALESCE(MAX(version), 0)::int8 FROM config_versions", &[])
            .await
            .and_then(|r| r.try_get(0))
            .map_err(classify)?;
        if newest != expected {
            return Ok(PutConfig::Stale(newest));
        }
        let v = newest + 1;
        tx.execute(
            "INSERT INTO config_versions (version, body, created_by, created_at, note) VALUES ($1, $2, $3, $4, $5)",
            &[&v, &body, &by.name, &by.at, &note],
        )
        .await
        .map_err(classify)?;
        audit(&tx, by.at, by.name, "config.put", &v.to_string(), &note).await.map_err(classify)?;
        bump(&tx).await.map_err(classify)?;
        tx.commit().await.map_err(classify)?;
        Ok(PutConfig::Stored(v))
    }

    async fn changes(&self) -> Result<Vec<StoredChange>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT id, team, body, created_by, created_at FROM schedule_changes ORDER BY created_at, id", &[])
            .await
            .map_err(classify)?;
        rows.iter()
            .map(|r| {
                Ok(StoredChange {
                    id: r.try_get(0)?,
                    team: r.try_get(1)?,
                    body: r.try_get(2)?,
                    created_by: r.try_get(3)?,
                    created_at: r.try_get(4)?,
                })
            })
            .collect::<Result<_, Pg>>()
            .map_err(classify)
    }

    async fn add_change(&self, c: StoredChange) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        tx.execute(
            "INSERT INTO schedule_changes (id, team, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
            &[&c.id, &c.team, &c.body, &c.created_by, &c.created_at],
        )
        .await
        .map_err(classify)?;
        audit(&tx, c.created_at, &c.created_by, "schedule.add", &c.id, &c.body).await.map_err(classify)?;
        bump(&tx).await.map_err(classify)?;
        tx.commit().await.map_err(classify)
    }

    async fn remove_change(&self, id: &str, by: Actor<'_>) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        let row = tx
            .query_opt("DELETE FROM schedule_changes WHERE id = $1 RETURNING body", &[&id])
            .await
            .map_err(classify)?;
        let Some(row) = row else { return Ok(false) };
        let body: String = row.try_get(0).map_err(classify)?;
        audit(&tx, by.at, by.name, "schedule.remove", id, &body).await.map_err(classify)?;
        bump(&tx).await.map_err(classify)?;
        tx.commit().await.map_err(classify)?;
        Ok(true)
    }

    async fn add_staff(&self, m: StaffMember, token_sha256: String, by: Actor<'_>) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        let inserted = tx
            .execute(
                "INSERT INTO staff (id, name, role, token_sha256, created_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT DO NOTHING",
                &[&m.id, &m.name, &m.role.as_str(), &token_sha256, &m.created_at],
            )
            .await
            .map_err(classify)?;
        if inserted == 0 {
            return Err(StoreError::Config(format!("a staff member named \"{}\" exists already", m.name)));
        }
        audit(&tx, by.at, by.name, "staff.add", &m.id, &format!("{} ({})", m.name, m.role.as_str()))
            .await
            .map_err(classify)?;
        bump(&tx).await.map_err(classify)?;
        tx.commit().await.map_err(classify)
    }

    async fn staff(&self) -> Result<Vec<StaffMember>, StoreError> {
        let client = self.client().await?;
        let rows =
            client.query("SELECT id, name, role, created_at FROM staff ORDER BY name", &[]).await.map_err(classify)?;
        rows.iter().map(member).collect::<Result<_, _>>().map_err(classify)
    }

    async fn remove_staff(&self, who: &str, by: Actor<'_>) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        let row = tx
            .query_opt("DELETE FROM staff WHERE id = $1 OR name = $1 RETURNING id, name", &[&who])
            .await
            .map_err(classify)?;
        let Some(row) = row else { return Ok(false) };
        let (id, name): (String, String) = (row.try_get(0).map_err(classify)?, row.try_get(1).map_err(classify)?);
        audit(&tx, by.at, by.name, "staff.remove", &id, &name).await.map_err(classify)?;
        bump(&tx).await.map_err(classify)?;
        tx.commit().await.map_err(classify)?;
        Ok(true)
    }

    async fn staff_by_token(&self, token_sha256: &str) -> Result<Option<StaffMember>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt("SELECT id, name, role, created_at FROM staff WHERE token_sha256 = $1", &[&token_sha256])
            .await
            .map_err(classify)?;
        row.map(|r| member(&r)).transpose().map_err(classify)
    }

    async fn staff_by_id(&self, id: &str) -> Result<Option<StaffMember>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt("SELECT id, name, role, created_at FROM staff WHERE id = $1", &[&id])
            .await
            .map_err(classify)?;
        row.map(|r| member(&r)).transpose().map_err(classify)
    }

    async fn record(&self, action: &str, subject: &str, detail: &str, by: Actor<'_>) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO audit (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
                &[&by.at, &by.name, &action, &subject, &detail],
            )
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn audit(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT seq, at, actor, action, subject, detail FROM audit ORDER BY seq DESC LIMIT $1", &[&limit])
            .await
            .map_err(classify)?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    seq: r.try_get(0)?,
                    at: r.try_get(1)?,
                    actor: r.try_get(2)?,
                    action: r.try_get(3)?,
                    subject: r.try_get(4)?,
                    detail: r.try_get(5)?,
                })
            })
            .collect::<Result<_, Pg>>()
            .map_err(classify)
    }

    async fn revision(&self) -> Result<(i64, String), StoreError> {
        let client = self.client().await?;
        let row = client.query_one("SELECT n, session_key FROM revision WHERE id = 1", &[]).await.map_err(classify)?;
        Ok((row.try_get(0).map_err(classify)?, row.try_get(1).map_err(classify)?))
    }
}
