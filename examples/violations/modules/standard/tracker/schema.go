package tracker

// The module's schema: its tables are named tracker_*.
const createEventsTable = `CREATE TABLE tracker_events (
	id         INTEGER PRIMARY KEY,
	name       TEXT    NOT NULL,
	amount     INTEGER NOT NULL DEFAULT 0,
	invoice_id INTEGER
)`

const createEventsNameIndex = `CREATE INDEX tracker_events_name ON tracker_events (name)`
