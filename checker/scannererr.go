package checker

import "go/scanner"

// scannerErrors lets errors.As find a parser's error list.
type scannerErrors struct{ scanner.ErrorList }
