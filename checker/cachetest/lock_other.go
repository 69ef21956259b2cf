//go:build !unix

package cachetest

import "errors"

// lockFile: without flock, test processes do not share a seed.
func lockFile(string) (func(), error) {
	return nil, errors.New("MODLS_TEST_SEED_DIR needs a unix system; unset it")
}
