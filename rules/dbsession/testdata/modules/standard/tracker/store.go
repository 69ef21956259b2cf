package tracker

import "context"

// save writes through the DB in a file that does not import the
// framework: the fix adds the import.
func (m *Module) save(ctx context.Context, name string) error {
	_, err := m.db.Query(ctx, "INSERT INTO tracker_events (name) VALUES (?)", name) // want `database write \(INSERT\) through DB.Query outside an IntegritySession`
	return err
}
