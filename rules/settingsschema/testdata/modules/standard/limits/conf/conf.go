// Package conf is a package of standard.limits that declares a settings
// struct the module root loads.
package conf

type Shared struct {
	Name string
}
