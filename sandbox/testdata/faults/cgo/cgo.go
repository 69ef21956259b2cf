package cgo

// int answer(void) { return 42; }
import "C"

// answer is set by C, when the file is built.
var answer = int(C.answer())
