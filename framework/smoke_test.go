package framework_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modls/modls/framework"
)

type notes struct {
	db  *framework.DB
	cfg *noteSettings
}

type noteSettings struct {
	Limit int `json:"limit" default:"10" validate:"min=1"`
}

type noteStatus struct {
	Count int `json:"count"`
}

func (n *notes) Manifest() []byte {
	return []byte(`{"name":"standard.notes","version":"1.0.0","description":"notes","features":["api","database","settings"],"dependencies":[],"services":["notes.service"]}`)
}

func (n *notes) Setup(s *framework.Setup) error {
	cfg, err := framework.Settings[noteSettings](s)
	if err != nil {
		return err
	}
	n.cfg = cfg
	if err := s.Migrate(`CREATE TABLE notes_items (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
		return err
	}
	if err := s.RegisterService("notes.service", n, framework.ServiceMethod{Name: "Add", Description: "adds"}); err != nil {
		return err
	}
	return s.Handle(framework.GET("/status", func(ctx context.Context, r *framework.Request) (noteStatus, error) {
		var c int
		err := n.db.QueryRow(ctx, `SELECT count(*) FROM notes_items`).Scan(&c)
		return noteStatus{Count: c}, err
	}))
}

func (n *notes) Start(ctx context.Context, app *framework.App) error {
	n.db = app.DB()
	return nil
}

func (n *notes) Add(ctx context.Context, body string) error {
	return n.db.IntegritySession(ctx, "add note", func(tx *framework.Tx) error {
		_, err := tx.Exec(`INSERT INTO notes_items (body) VALUES (?)`, body)
		return err
	})
}

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	n := &notes{}
	rt, err := framework.Boot(ctx, framework.Config{Database: filepath.Join(t.TempDir(), "a.db")}, n)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	if err := n.Add(ctx, "hello"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rt.Handler())
	defer srv.Close()
	for _, path := range []string{"/api/v1/notes/status", "/api/v1/_framework/services", "/nope"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Logf("%s %d %s", path, resp.StatusCode, b)
		if !json.Valid(b) {
			t.Errorf("%s: not JSON", path)
		}
		if path == "/api/v1/notes/status" && !strings.Contains(string(b), `"count":1`) {
			t.Errorf("status = %s", b)
		}
	}
}
