package checker

import "golang.org/x/sys/unix"

// immutable says why a file's attributes forbid replacing it ("" if they
// do not): chattr +i or +a.
func immutable(path string) string {
	var st unix.Statx_t
	if err := unix.Statx(unix.AT_FDCWD, path, 0, unix.STATX_BASIC_STATS, &st); err != nil {
		return ""
	}
	known := func(attr uint64) bool { return st.Attributes_mask&attr != 0 && st.Attributes&attr != 0 }
	switch {
	case known(unix.STATX_ATTR_IMMUTABLE):
		return "the file is immutable"
	case known(unix.STATX_ATTR_APPEND):
		return "the file is append-only"
	}
	return ""
}
