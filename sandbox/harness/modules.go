package main

import "github.com/modls/modls/framework"

// modules builds the module set under test, in the order the application
// lists them. The sandbox replaces this file in each copy with one that
// imports the set's packages; here it is empty so that the harness builds,
// vets and tests on its own.
var modules []func() framework.Module
