package harness

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/modls/modls/framework"
)

// errSentinel makes the round-trip session roll back.
var errSentinel = errors.New("modls sandbox: roll back")

const roundTripPurpose = "modls sandbox round-trip"

// roundTrip checks the module's own sessions so far and runs one of its own
// on the module's tables: synthesized rows are written, read back and rolled
// back, then an empty session commits; the integrity log must show both.
func (c *checker) roundTrip() event {
	ctx := context.Background()
	app, err := c.rt.App(c.p.Target)
	if err != nil {
		return fail("%v", err)
	}
	db := app.DB()
	log, err := db.IntegrityLog(ctx, 1000)
	if err != nil {
		return fail("reading the integrity log: %v", err)
	}
	for _, r := range log {
		if r.Outcome == framework.OutcomeRolledBack && (strings.Contains(strings.ToLower(r.Error), "foreign key") || strings.Contains(r.Error, "panicked")) {
			e := fail("integrity session %q was rolled back: %s; write the referenced row first (or in the same session), and do not ignore the session's error", r.Purpose, r.Error)
			if strings.Contains(r.Error, "panicked") {
				e = fail("integrity session %q was rolled back: %s", r.Purpose, r.Error)
			}
			e.Purpose = r.Purpose
			return e
		}
	}
	short := framework.ShortName(c.p.Target)
	tables, err := ownTables(ctx, db, short)
	if err != nil {
		return fail("%v", err)
	}
	if len(tables) == 0 {
		if c.p.HasDatabase {
			return fail("the manifest lists the database feature but the module created no table named %s_...", short)
		}
		return skip("the module owns no tables")
	}
	before := map[string]int64{}
	for _, t := range tables {
		before[t.name], err = count(ctx, db, t.name)
		if err != nil {
			return fail("%v", err)
		}
	}
	var written, notes []string
	err = db.IntegritySession(ctx, roundTripPurpose, func(tx *framework.Tx) error {
		rowids := map[string]int64{}
		for _, t := range tables {
			id, err := t.insert(tx, rowids)
			if err != nil {
				notes = append(notes, fmt.Sprintf("no row synthesized for %s (%v)", t.name, err))
				continue
			}
			var n int
			if err := tx.QueryRow(`SELECT count(*) FROM "`+t.name+`" WHERE rowid = ?`, id).Scan(&n); err != nil || n != 1 {
				return fmt.Errorf("reading back the row written to %s: %v", t.name, err)
			}
			rowids[t.name] = id
			written = append(written, t.name)
		}
		return errSentinel
	})
	if !errors.Is(err, errSentinel) {
		return fail("the round-trip session did not roll back as asked: %v", err)
	}
	for _, t := range tables {
		n, err := count(ctx, db, t.name)
		if err != nil {
			return fail("%v", err)
		}
		if n != before[t.name] {
			return fail("%s has %d rows after a rolled-back session, %d before", t.name, n, before[t.name])
		}
	}
	if err := db.IntegritySession(ctx, roundTripPurpose, func(*framework.Tx) error { return nil }); err != nil {
		return fail("an empty session failed to commit: %v", err)
	}
	log, err = db.IntegrityLog(ctx, 2)
	if err != nil || len(log) != 2 || log[0].Outcome != framework.OutcomeCommitted || log[1].Outcome != framework.OutcomeRolledBack {
		return fail("the integrity log does not record the rolled-back and the committed session: %v %v", log, err)
	}
	msg := fmt.Sprintf("%d tables; rolled back rows of %s; committed; both logged", len(tables), strings.Join(written, ", "))
	if len(written) == 0 {
		msg = fmt.Sprintf("%d tables read; rolled back; committed; both logged", len(tables))
	}
	if len(notes) > 0 {
		msg += "; " + strings.Join(notes, "; ")
	}
	return pass("%s", msg)
}

type column struct {
	name, typ     string
	notNull, hasD bool
	pk            int
}

type foreignKey struct{ table, from, to string }

type table struct {
	name, sql string
	cols      []column
	fks       []foreignKey
}

func count(ctx context.Context, db *framework.DB, name string) (int64, error) {
	var n int64
	err := db.QueryRow(ctx, `SELECT count(*) FROM "`+name+`"`).Scan(&n)
	return n, err
}

// ownTables lists the module's tables, parents before the tables that
// reference them.
func ownTables(ctx context.Context, db *framework.DB, short string) ([]*table, error) {
	rows, err := db.Query(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name LIKE ? ESCAPE '\' ORDER BY name`,
		strings.ReplaceAll(short, "_", `\_`)+`\_%`)
	if err != nil {
		return nil, err
	}
	var all []*table
	for rows.Next() {
		t := &table{}
		if err := rows.Scan(&t.name, &t.sql); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, t)
	}
	rows.Close()
	byName := map[string]*table{}
	for _, t := range all {
		byName[t.name] = t
		cr, err := db.Query(ctx, `SELECT name, type, "notnull", dflt_value IS NOT NULL, pk FROM pragma_table_info(?)`, t.name)
		if err != nil {
			return nil, err
		}
		for cr.Next() {
			var col column
			if err := cr.Scan(&col.name, &col.typ, &col.notNull, &col.hasD, &col.pk); err != nil {
				cr.Close()
				return nil, err
			}
			t.cols = append(t.cols, col)
		}
		cr.Close()
		fr, err := db.Query(ctx, `SELECT "table", "from", coalesce("to", '') FROM pragma_foreign_key_list(?)`, t.name)
		if err != nil {
			return nil, err
		}
		for fr.Next() {
			var fk foreignKey
			if err := fr.Scan(&fk.table, &fk.from, &fk.to); err != nil {
				fr.Close()
				return nil, err
			}
			t.fks = append(t.fks, fk)
		}
		fr.Close()
	}
	var ordered []*table
	state := map[string]int{}
	var visit func(t *table)
	visit = func(t *table) {
		if state[t.name] != 0 {
			return
		}
		state[t.name] = 1
		for _, fk := range t.fks {
			if p, ok := byName[fk.table]; ok && p != t {
				visit(p)
			}
		}
		state[t.name] = 2
		ordered = append(ordered, t)
	}
	for _, t := range all {
		visit(t)
	}
	return ordered, nil
}

// insert writes one synthesized row: every NOT NULL column without a
// default gets a value of its type, the first value of an IN (...) check,
// or the key of a row it references.
func (t *table) insert(tx *framework.Tx, rowids map[string]int64) (int64, error) {
	var names []string
	var args []any
	singlePK := 0
	for _, c := range t.cols {
		if c.pk > 0 {
			singlePK++
		}
	}
	for _, c := range t.cols {
		if !c.notNull || c.hasD || (c.pk == 1 && singlePK == 1 && strings.EqualFold(c.typ, "INTEGER")) {
			continue
		}
		v, err := t.value(tx, c, rowids)
		if err != nil {
			return 0, err
		}
		names = append(names, `"`+c.name+`"`)
		args = append(args, v)
	}
	q := `INSERT INTO "` + t.name + `" DEFAULT VALUES`
	if len(names) > 0 {
		q = `INSERT INTO "` + t.name + `" (` + strings.Join(names, ", ") + `) VALUES (?` + strings.Repeat(", ?", len(names)-1) + `)`
	}
	res, err := tx.Exec(q, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func (t *table) value(tx *framework.Tx, c column, rowids map[string]int64) (any, error) {
	for _, fk := range t.fks {
		if fk.from != c.name {
			continue
		}
		if id, ok := rowids[fk.table]; ok && fk.to == "" {
			return id, nil
		}
		col := fk.to
		if col == "" {
			col = "rowid"
		}
		var v any
		q := `SELECT "` + col + `" FROM "` + fk.table + `" LIMIT 1`
		if id, ok := rowids[fk.table]; ok {
			q = `SELECT "` + col + `" FROM "` + fk.table + `" WHERE rowid = ` + strconv.FormatInt(id, 10)
		}
		if err := tx.QueryRow(q).Scan(&v); err != nil {
			return nil, fmt.Errorf("%s references %s, which has no row to reference", c.name, fk.table)
		}
		return v, nil
	}
	in := regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(c.name) + `\s+IN\s*\(\s*'([^']*)'`)
	if m := in.FindStringSubmatch(t.sql); m != nil {
		return m[1], nil
	}
	typ := strings.ToUpper(c.typ)
	switch {
	case strings.Contains(typ, "INT"):
		return 1, nil
	case strings.Contains(typ, "REAL"), strings.Contains(typ, "FLOA"), strings.Contains(typ, "DOUB"), strings.Contains(typ, "NUM"):
		return 1.0, nil
	case strings.Contains(typ, "BLOB"):
		return []byte{0}, nil
	}
	return time.Now().UTC().Format(time.RFC3339Nano), nil
}
