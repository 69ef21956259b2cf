package framework_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/modls/modls/framework"
)

func TestCoreModulesAreAlwaysPresent(t *testing.T) {
	rt := boot(t, testConfig(t))
	var names []string
	for _, m := range rt.Modules() {
		names = append(names, m.Name)
	}
	if !slices.Equal(names, framework.CoreModules) {
		t.Errorf("got modules %q; want %q", names, framework.CoreModules)
	}
	want := map[string]string{
		"database.service":      "core.database",
		"settings.service":      "core.settings",
		"error_handler.service": "core.error_handler",
	}
	for _, s := range rt.Services() {
		if want[s.Name] != s.Module {
			t.Errorf("service %s is provided by %s; want %s", s.Name, s.Module, want[s.Name])
		}
		delete(want, s.Name)
		if len(s.Methods) == 0 || s.Methods[0].Example == "" {
			t.Errorf("service %s lacks method docs with an example", s.Name)
		}
	}
	if len(want) != 0 {
		t.Errorf("missing core services: %v", want)
	}
}

func TestDatabaseServiceIntegrityLog(t *testing.T) {
	var app *framework.App
	rt := boot(t, testConfig(t), ledgerModule(&app), &mod{name: "test.other"})
	ctx := context.Background()
	for i := range 3 {
		if err := app.DB().IntegritySession(ctx, fmt.Sprint("ledger ", i), func(*framework.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	other := appOf(t, rt, "test.other")
	if err := other.DB().IntegritySession(ctx, "other", func(*framework.Tx) error { return errors.New("no") }); err == nil {
		t.Fatal("want the session error")
	}
	svc, err := framework.Service[*framework.DatabaseService](other, "database.service")
	if err != nil {
		t.Fatal(err)
	}
	all, err := svc.IntegrityLog(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 || all[0].Module != "test.other" || all[0].Outcome != framework.OutcomeRolledBack || all[0].Error != "no" {
		t.Errorf("got %+v; want 4 records, the newest a rolled-back session of test.other", all)
	}
	ledger, err := svc.IntegrityLog(ctx, "test.ledger", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(ledger) != 2 || ledger[0].Purpose != "ledger 2" || ledger[1].Purpose != "ledger 1" {
		t.Errorf("got %+v; want ledger 2 then ledger 1", ledger)
	}
	for _, limit := range []int{0, -1, 1001} {
		_, err := svc.IntegrityLog(ctx, "", limit)
		var fe *framework.Error
		if !errors.As(err, &fe) || fe.Code != framework.CodeInvalidArgument {
			t.Errorf("limit %d: got %v; want an invalid_argument error", limit, err)
		}
	}
}

func TestDatabaseServiceAfterClose(t *testing.T) {
	rt, err := framework.Boot(context.Background(), testConfig(t), &mod{name: "test.a"})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := framework.Service[*framework.DatabaseService](appOf(t, rt, "test.a"), "database.service")
	if err != nil {
		t.Fatal(err)
	}
	rt.Close(context.Background())
	_, err = svc.IntegrityLog(context.Background(), "", 1)
	var fe *framework.Error
	if !errors.As(err, &fe) || fe.Code != framework.CodeUnavailable {
		t.Errorf("got %v; want an unavailable error", err)
	}
}

func TestErrorHandlerServiceStatus(t *testing.T) {
	rt := boot(t, testConfig(t), &mod{name: "test.a"})
	svc, err := framework.Service[*framework.ErrorHandlerService](appOf(t, rt, "test.a"), "error_handler.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		err    error
		status int
		body   framework.ErrorDetail
	}{
		{framework.Errorf("conflict.invalid_transition", "run 7 is closed"), 409, framework.ErrorDetail{Code: "conflict.invalid_transition", Message: "run 7 is closed"}},
		{fmt.Errorf("x: %w", framework.Errorf(framework.CodeNotFound, "no run")), 404, framework.ErrorDetail{Code: "not_found", Message: "no run"}},
		{errors.New("disk on fire"), 500, framework.ErrorDetail{Code: "internal", Message: "internal error"}},
	} {
		status, body, err := svc.Status(tc.err)
		if err != nil || status != tc.status || body.Error != tc.body {
			t.Errorf("Status(%v) = %d, %+v, %v; want %d, %+v, nil", tc.err, status, body.Error, err, tc.status, tc.body)
		}
	}
	if _, _, err := svc.Status(nil); err == nil {
		t.Error("Status(nil) gave no error")
	}
}

func TestCoreModulesTakeNoSettings(t *testing.T) {
	// core.settings declares no settings struct, so configuring it is refused
	// like any other module without settings.
	cfg := testConfig(t)
	cfg.Modules = map[string]json.RawMessage{"core.settings": json.RawMessage(`{}`)}
	wantErr(t, bootErr(t, cfg), "config: settings given for core.settings, which declares no settings")
}
