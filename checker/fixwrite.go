package checker

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Change is the new content of one file and the content it was computed
// from: a fix is written only over exactly what was analysed.
type Change struct {
	// File is the file as analysed; a symbolic link is written through.
	File string
	// Exists says Old is the file's content; if not, the change creates
	// the file, which must still not exist.
	Exists bool
	Old    []byte
	New    []byte
}

// WriteError says why a set of changes was not written. Nothing of the set
// was.
type WriteError struct {
	File   string
	Reason string
	// Changed is set when the file no longer holds what was analysed.
	Changed bool
}

func (e *WriteError) Error() string { return e.File + ": " + e.Reason }

// ReasonChanged is the reason given for a file that changed while it was
// being checked.
const ReasonChanged = "changed during the run; run again"

// tempMarker is in the name of every temporary file the writer makes:
// .<name>.modls-fix-<pid>-<random>, and .modls-fix-<pid>-<random>.journal
// for the record of a set being renamed into place.
const tempMarker = ".modls-fix-"

var tempName = regexp.MustCompile(`\.modls-fix-([0-9]+)-[0-9a-f]+(\.journal)?$`)

// olderTempName is the temporary file of earlier versions of the writer.
var olderTempName = regexp.MustCompile(`^\..+\.modls-[0-9]+$`)

// target is a change about to be written.
type target struct {
	Change
	path     string // the file written: File with its links resolved
	mode     fs.FileMode
	uid, gid int
	temp     string
}

// WriteChanges writes a set of changes all or nothing. It first checks
// every file (it still holds what was analysed; it is a regular file that
// is not read-only or immutable), then writes each new content to a
// temporary file beside its file, with the file's mode and owner, and only
// then renames them into place, undoing the renames done if one fails. A
// set of more than one file is recorded in a journal while it is renamed,
// so that if the process dies half-way, SweepTemps on the next run
// completes it. The temporary files are removed on every return.
func WriteChanges(set []Change) (err error) {
	ts := make([]*target, len(set))
	for i, c := range set {
		t, err := prepare(c)
		if err != nil {
			return err
		}
		ts[i] = t
	}
	defer func() {
		for _, t := range ts {
			if t.temp != "" {
				os.Remove(t.temp)
			}
		}
	}()
	for _, t := range ts {
		if err := stage(t); err != nil {
			return &WriteError{File: t.File, Reason: err.Error()}
		}
	}
	var journal string
	if len(ts) > 1 {
		if journal, err = writeJournal(ts); err != nil {
			return &WriteError{File: ts[0].File, Reason: "cannot record the fix: " + err.Error()}
		}
		defer os.Remove(journal)
	}
	// The files may have changed while the temporary files were written.
	for _, t := range ts {
		if err := unchanged(t); err != nil {
			return err
		}
	}
	for i, t := range ts {
		if err := os.Rename(t.temp, t.path); err != nil {
			undo(ts[:i])
			return &WriteError{File: t.File, Reason: err.Error()}
		}
		t.temp = ""
	}
	return nil
}

// prepare resolves a change's file and checks that it may be written.
func prepare(c Change) (*target, error) {
	t := &target{Change: c, path: c.File, mode: 0o644, uid: -1, gid: -1}
	fail := func(reason string) (*target, error) { return nil, &WriteError{File: c.File, Reason: reason} }
	if !c.Exists {
		if _, err := os.Lstat(c.File); err == nil {
			return nil, &WriteError{File: c.File, Reason: ReasonChanged, Changed: true}
		}
		dir, err := filepath.EvalSymlinks(filepath.Dir(c.File))
		if err == nil {
			t.path = filepath.Join(dir, filepath.Base(c.File))
		}
		return t, nil
	}
	path, err := filepath.EvalSymlinks(c.File)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &WriteError{File: c.File, Reason: ReasonChanged, Changed: true}
		}
		return fail(err.Error())
	}
	t.path = path
	st, err := os.Stat(path)
	if err != nil {
		return fail(err.Error())
	}
	if !st.Mode().IsRegular() {
		return fail("not a regular file")
	}
	if st.Mode().Perm()&0o222 == 0 {
		return fail("the file is read-only")
	}
	if why := immutable(path); why != "" {
		return fail(why)
	}
	t.mode = st.Mode().Perm() | st.Mode()&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		t.uid, t.gid = int(sys.Uid), int(sys.Gid)
	}
	if err := unchanged(t); err != nil {
		return nil, err
	}
	return t, nil
}

// unchanged checks that a file still holds what was analysed.
func unchanged(t *target) error {
	if !t.Exists {
		if _, err := os.Lstat(t.path); err == nil {
			return &WriteError{File: t.File, Reason: ReasonChanged, Changed: true}
		}
		return nil
	}
	cur, err := os.ReadFile(t.path)
	if err != nil || !bytes.Equal(cur, t.Old) {
		return &WriteError{File: t.File, Reason: ReasonChanged, Changed: true}
	}
	return nil
}

// stage writes a change's new content to a temporary file beside it.
func stage(t *target) error {
	dir := filepath.Dir(t.path)
	if !t.Exists {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	name := filepath.Join(dir, "."+filepath.Base(t.path)+tempMarker+strconv.Itoa(os.Getpid())+"-"+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, unwrapPath(err))
	}
	t.temp = name
	_, err = f.Write(t.New)
	if err == nil {
		err = f.Chmod(t.mode)
	}
	if err == nil && t.uid >= 0 {
		if cerr := f.Chown(t.uid, t.gid); cerr != nil {
			err = fmt.Errorf("cannot keep the file's owner: %w", unwrapPath(cerr))
		}
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// undo puts back the files of a set already renamed into place.
func undo(ts []*target) {
	for _, t := range ts {
		if !t.Exists {
			os.Remove(t.path)
			continue
		}
		back := &target{Change: Change{File: t.File, Exists: true, New: t.Old}, path: t.path, mode: t.mode, uid: t.uid, gid: t.gid}
		if stage(back) == nil {
			if os.Rename(back.temp, t.path) != nil {
				os.Remove(back.temp)
			}
		} else if back.temp != "" {
			os.Remove(back.temp)
		}
	}
}

// journalEntry records one rename of a set: the temporary file, the file
// it replaces and the digests of the old and new contents ("" for a file
// that did not exist).
type journalEntry struct {
	Temp, Path string
	Old, New   string
}

func digest(data []byte, exists bool) string {
	if !exists {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// writeJournal records a set's renames beside its first file, complete or
// not at all (it is itself renamed into place).
func writeJournal(ts []*target) (string, error) {
	var entries []journalEntry
	for _, t := range ts {
		entries = append(entries, journalEntry{Temp: t.temp, Path: t.path, Old: digest(t.Old, t.Exists), New: digest(t.New, true)})
	}
	data, err := json.Marshal(entries)
	if err != nil {
		return "", err
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	name := filepath.Join(filepath.Dir(ts[0].path), tempMarker+strconv.Itoa(os.Getpid())+"-"+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, name+".journal")
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name + ".journal", nil
}

// SweepTemps cleans up after writers that died in the directories given:
// it completes the sets their journals record (a file that has changed
// since is left alone) and removes their temporary files. The files of a
// writer still running are not touched. It returns how many sets it
// completed.
func SweepTemps(dirs []string) int {
	type stale struct {
		path    string
		journal bool
	}
	var found []stale
	seen := map[string]bool{}
	for _, dir := range dirs {
		if seen[dir] {
			continue
		}
		seen[dir] = true
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasPrefix(name, ".") || !e.Type().IsRegular() {
				continue
			}
			if m := tempName.FindStringSubmatch(name); m != nil {
				pid, _ := strconv.Atoi(m[1])
				if !alive(pid) {
					found = append(found, stale{filepath.Join(dir, name), m[2] != ""})
				}
			} else if olderTempName.MatchString(name) {
				if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Minute {
					found = append(found, stale{path: filepath.Join(dir, name)})
				}
			}
		}
	}
	completed := 0
	for _, s := range found {
		if s.journal {
			recoverJournal(s.path)
			completed++
		}
	}
	for _, s := range found {
		if !s.journal {
			os.Remove(s.path)
		}
	}
	return completed
}

// alive reports whether a process exists (another writer may still be at
// work).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return true
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// recoverJournal completes the renames a journal records: the set was
// fully staged when the journal was written.
func recoverJournal(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	var entries []journalEntry
	if json.Unmarshal(data, &entries) == nil {
		for _, e := range entries {
			if _, err := os.Stat(e.Temp); err != nil {
				continue // renamed already
			}
			cur, err := os.ReadFile(e.Path)
			exists := err == nil
			if digest(cur, exists) == e.Old {
				os.Rename(e.Temp, e.Path)
			} else {
				os.Remove(e.Temp)
			}
		}
	}
	os.Remove(path)
}
