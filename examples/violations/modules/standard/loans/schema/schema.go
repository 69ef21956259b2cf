// Package schema holds standard.loans's migrations, in order.
package schema

// Table is the loans table.
const Table = "loans_loans"

const (
	// CreateLoans creates the loans table.
	CreateLoans = `CREATE TABLE ` + Table + ` (
	id       INTEGER PRIMARY KEY,
	book     INTEGER NOT NULL,
	member   TEXT NOT NULL,
	due      DATETIME NOT NULL
)`
	// IndexMember serves the lookups by member.
	IndexMember = `CREATE INDEX loans_loans_member ON ` + Table + ` (member, due)`
	// IndexBook serves the lookups by book.
	IndexBook = `CREATE INDEX loans_loans_book ON ` + Table + ` (book)`
	// AddReturned adds the returned flag.
	AddReturned = `ALTER TABLE ` + Table + ` ADD COLUMN returned INTEGER NOT NULL DEFAULT 0`
)
