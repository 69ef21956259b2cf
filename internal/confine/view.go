package confine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// SystemPaths are what a confined command may read of the system besides
// Policy.Read: the programs and libraries a test may run (/usr, /bin,
// /lib...), the few files of /etc that the Go runtime and the C library
// read (users and groups for os/user, hosts, time zone, certificates,
// MIME types), and the harmless devices. Everything else of the host
// (home directories, other projects, /root, /var, /run, /tmp, /etc/shadow,
// /sys) is absent from the view, or refused by Landlock where there is no
// mount namespace.
var SystemPaths = []string{
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
	"/etc/passwd", "/etc/group", "/etc/hosts", "/etc/nsswitch.conf", "/etc/resolv.conf",
	"/etc/host.conf", "/etc/gai.conf", "/etc/services", "/etc/protocols",
	"/etc/localtime", "/etc/timezone", "/etc/mime.types", "/etc/os-release",
	"/etc/ssl", "/etc/pki", "/etc/ca-certificates", "/etc/ca-certificates.conf",
	"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
}

// devices are the device nodes of the view, writable where it makes sense
// (writing to /dev/null or /dev/full harms nothing).
var devices = []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"}

// view builds the confined command's filesystem in the supervisor's mount
// namespace and makes it the root: a read-only tmpfs skeleton holding
// read-only bind mounts of SystemPaths and Policy.Read, the devices, a
// /proc of the run's pid namespace, an empty read-only /tmp, and
// Policy.Write as a tmpfs of Limits.Disk bytes owned by the command's
// user. The skeleton is mounted over Policy.Write itself, which nothing
// else of the view overlaps, so that the view needs no directory of its
// own on the host. procErr is set when a /proc of the pid namespace could
// not be mounted (the host's is bound read-only instead).
func view(p Policy, uid, gid int) (procErr, err error) {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return nil, fmt.Errorf("making the mounts private: %w", err)
	}
	root := p.Write
	if err := unix.Mount("tmpfs", root, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size=4m,nr_inodes=8192,mode=0755"); err != nil {
		return nil, fmt.Errorf("mounting the view's root: %w", err)
	}
	in := func(path string) string { return filepath.Join(root, path) }
	for _, path := range append(append([]string(nil), SystemPaths...), p.Read...) {
		if err := bind(path, in(path), false); err != nil {
			return nil, err
		}
	}
	for _, d := range devices {
		if err := bind(d, in(d), true); err != nil {
			return nil, err
		}
	}
	for name, target := range map[string]string{"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2"} {
		if err := os.Symlink(target, in("/dev/"+name)); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(in("/tmp"), 0o755); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(in("/proc"), 0o555); err != nil {
		return nil, err
	}
	if err := unix.Mount("proc", in("/proc"), "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		procErr = err
		if err := bind("/proc", in("/proc"), false); err != nil {
			return procErr, err
		}
	}
	w := in(p.Write)
	if err := os.MkdirAll(w, 0o755); err != nil {
		return procErr, err
	}
	opts := fmt.Sprintf("size=%d,mode=0700,uid=%d,gid=%d", p.Limits.Disk, uid, gid)
	if err := unix.Mount("tmpfs", w, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		return procErr, fmt.Errorf("mounting the writable directory: %w", err)
	}
	for _, d := range p.WriteDirs {
		dir := filepath.Join(w, d)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return procErr, err
		}
		if err := os.Lchown(dir, uid, gid); err != nil {
			return procErr, err
		}
	}
	old := in("/.old")
	if err := os.Mkdir(old, 0o700); err != nil {
		return procErr, err
	}
	if err := unix.PivotRoot(root, old); err != nil {
		return procErr, fmt.Errorf("pivot_root: %w", err)
	}
	if err := os.Chdir("/"); err != nil {
		return procErr, err
	}
	if err := unix.Unmount("/.old", unix.MNT_DETACH); err != nil {
		return procErr, fmt.Errorf("detaching the host's root: %w", err)
	}
	if err := os.Remove("/.old"); err != nil {
		return procErr, err
	}
	if err := unix.Mount("", "/", "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV, ""); err != nil {
		return procErr, fmt.Errorf("making the view's root read-only: %w", err)
	}
	return procErr, nil
}

// bind mounts path at dst, read-only, without set-user-id programs, and
// without devices unless dev. A symbolic link is copied as a link; a
// missing path is left out.
func bind(path, dst string, dev bool) error {
	st, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	switch {
	case st.Mode()&os.ModeSymlink != 0:
		target, err := os.Readlink(path)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	case st.IsDir():
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return err
		}
	default:
		f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		f.Close()
	}
	if err := unix.Mount(path, dst, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("binding %s: %w", path, err)
	}
	attr := &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID}
	flags := uintptr(unix.MS_REMOUNT | unix.MS_BIND | unix.MS_RDONLY | unix.MS_NOSUID)
	if !dev {
		attr.Attr_set |= unix.MOUNT_ATTR_NODEV
		flags |= unix.MS_NODEV
	}
	err = unix.MountSetattr(-1, dst, unix.AT_RECURSIVE|unix.AT_SYMLINK_NOFOLLOW, attr)
	if errors.Is(err, unix.ENOSYS) {
		// Before Linux 5.12: the top mount only, keeping the flags a
		// user namespace may not clear.
		var sfs unix.Statfs_t
		if err := unix.Statfs(dst, &sfs); err == nil {
			for _, f := range []struct{ st, ms int64 }{{unix.ST_NOEXEC, unix.MS_NOEXEC}, {unix.ST_NOATIME, unix.MS_NOATIME}, {unix.ST_NODIRATIME, unix.MS_NODIRATIME}, {unix.ST_RELATIME, unix.MS_RELATIME}, {unix.ST_NODEV, unix.MS_NODEV}} {
				if sfs.Flags&f.st != 0 {
					flags |= uintptr(f.ms)
				}
			}
		}
		err = unix.Mount("", dst, "", flags, "")
	}
	if err != nil {
		return fmt.Errorf("making %s read-only: %w", path, err)
	}
	return nil
}

// mountProc gives a pid namespace without a view of its own a /proc that
// lists only its processes (the supervisor enumerates them there).
func mountProc() error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return err
	}
	return unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "")
}

// loopbackUp brings up lo in a fresh network namespace: loopback is the
// only network the command has, and its own servers answer there.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}
