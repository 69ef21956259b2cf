package main

import "context"

// ScaffoldCommand writes a new module: see SPEC §6. (Being built.)
type ScaffoldCommand struct{ env env }

// Run parses the flags and writes the module.
func (c *ScaffoldCommand) Run(ctx context.Context, args []string) error {
	return usageErrorf("not built yet")
}
