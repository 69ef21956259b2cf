package shelves

import "context"

// remove writes through the DB in a file that does not import the
// framework: the quick fix adds the import.
func (s *Service) remove(ctx context.Context, id int64) error {
	_, err := s.db.Query(ctx, "DELETE FROM shelves_books WHERE id = ?", id) // want MOD005 "^database write \\(DELETE\\) through DB\\.Query outside an IntegritySession$"
	return err
}
