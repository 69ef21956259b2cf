package analytics

// The module's schema, one migration per statement. Append new statements;
// never edit one that has shipped.
const (
	createEventsTable = `CREATE TABLE analytics_events (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL,
	source      TEXT NOT NULL,
	occurred_at TEXT NOT NULL
)`
	createEventsNameIndex = `CREATE INDEX analytics_events_name ON analytics_events (name)`
	createEventsTimeIndex = `CREATE INDEX analytics_events_occurred_at ON analytics_events (occurred_at)`
)

// Queries. Every value is a ? parameter.
const (
	insertEventSQL = `INSERT INTO analytics_events (name, source, occurred_at) VALUES (?, ?, ?)`
	recentSQL      = `SELECT id, name, source, occurred_at FROM analytics_events ORDER BY id DESC LIMIT ?`
	countSQL       = `SELECT count(*), count(DISTINCT name) FROM analytics_events`
	topNamesSQL    = `SELECT name, count(*) AS n FROM analytics_events GROUP BY name ORDER BY n DESC, name LIMIT ?`
	pruneSQL       = `DELETE FROM analytics_events WHERE occurred_at < ?`
)
