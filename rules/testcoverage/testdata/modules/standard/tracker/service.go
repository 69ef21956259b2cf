package tracker

import "context"

// Service tracks events.
type Service struct{ n int }

// Track is called by tracker_test.go.
func (s *Service) Track(ctx context.Context, name string) error { return nil }

// Count is named by a method expression in an external test package.
func (s *Service) Count(ctx context.Context) (int, error) { return s.n, nil }

// Recent is named only by a test of a sub-package, on another type: the
// check is by name, so quiet.
func (s *Service) Recent(ctx context.Context) ([]string, error) { return nil, nil }

// Reset has no test and no reset_test.go: the fix creates it.
func (s *Service) Reset(ctx context.Context) error { return nil } // want `no test in module standard.tracker references service method Reset`

// Prune has no test; prune_test.go exists in the package: the fix appends.
func (s *Service) Prune(ctx context.Context) (int64, error) { return 0, nil } // want `no test in module standard.tracker references service method Prune`

// Purge has no test; purge_test.go is an external test package: the fix
// creates purge_skeleton_test.go.
func (s *Service) Purge(ctx context.Context) error { return nil } // want `no test in module standard.tracker references service method Purge`

// helper is unexported: not a service method.
func (s *Service) helper() {}

// notRegistered is no service.
type notRegistered struct{}

func (notRegistered) Untested() error { return nil }
