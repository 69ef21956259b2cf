// Package sqlite stands in for the SQLite driver in the rules' test
// workspaces: the framework imports it only to register the driver, which
// no rule test runs, and type-checking the real one from source takes
// seconds per test package.
package sqlite
