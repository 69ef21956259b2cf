package checker

import (
	"os"
	"syscall"
)

// statOf returns a file's state (through a symbolic link).
func statOf(name string) (fileStat, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(name, &st); err != nil {
		return fileStat{}, &os.PathError{Op: "stat", Path: name, Err: err}
	}
	return fileStat{Size: st.Size, Mtime: st.Mtim.Nano(), Ctime: st.Ctim.Nano(), Ino: st.Ino, Dev: uint64(st.Dev)}, nil
}
