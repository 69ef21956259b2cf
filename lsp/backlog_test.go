package lsp

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/modls/modls/internal/testbin"
	"golang.org/x/tools/txtar"
)

// backlogEdits is how many edits TestClientNotReading sends while its
// client does not read, in backlogBursts bursts.
const (
	backlogEdits  = 10000
	backlogBursts = 100
	// backlogRSS bounds the server's peak resident memory.
	backlogRSS = 100 << 20
)

// TestClientNotReading runs a real `modls serve` whose client stops
// reading for 10,000 edits of a file with some 240 findings (each
// publication of it is some 125 KB), in 100 bursts. Each burst's check
// is waited for: the first fills the pipe to the client (the server's
// writer blocks on it), and each later one replaces the unsent
// diagnostics of the package's other open file, which the server's log
// reports. The server's peak resident memory (VmHWM) must stay under
// 100 MB, and once the client reads again the diagnostics of the last
// version must arrive after at most a few older publications: one per
// file was kept while the client did not read, not one per check.
func TestClientNotReading(t *testing.T) {
	if testing.Short() {
		t.Skip("builds modls and sends 10,000 edits")
	}
	bin := testbin.Modls(t)
	const file = "modules/standard/shop/service.go"
	var big strings.Builder
	big.WriteString("package shop\n\nimport \"context\"\n\ntype Service struct{}\n\nfunc (s *Service) Buy(ctx context.Context) error { return nil }\n")
	for i := range 120 {
		fmt.Fprintf(&big, "\n// M%03d does a thing.\nfunc (s *Service) M%03d(ctx context.Context, n int) error { return nil }\n", i, i)
	}
	big.WriteString("\n// typing: ")
	var files []txtar.File
	for _, f := range shopFiles(t) {
		if f.Name == file {
			f.Data = []byte(big.String())
		}
		files = append(files, f)
	}
	dir := writeWorkspace(t, files)
	path := filepath.Join(dir, file)
	uri := uriOf(path).String()
	const testFile = "modules/standard/shop/service_test.go"
	testURI := uriOf(filepath.Join(dir, testFile)).String()

	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "MODLS_CACHE="+cacheCopy(t))
	cmd.Stdin, cmd.Stdout = inR, outW
	logs := &serverLog{changed: make(chan struct{})}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	inR.Close()
	outW.Close()
	go logs.read(stderr, "replaced the unsent diagnostics of "+testURI)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		inW.Close()
		outR.Close()
		select {
		case <-exited:
		case <-time.After(waitLimit):
			cmd.Process.Kill()
			t.Error("modls serve did not exit")
		}
	})

	send := func(body any) {
		t.Helper()
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fmt.Fprintf(inW, "Content-Length: %d\r\n\r\n%s", len(data), data); err != nil {
			t.Fatal(err)
		}
	}
	out := bufio.NewReader(outR)
	// next reads the next message from the server.
	next := func() map[string]json.RawMessage {
		t.Helper()
		outR.SetReadDeadline(time.Now().Add(waitLimit))
		body, bad, err := newFrameReaderOn(out).next()
		if err != nil || bad != nil {
			t.Fatalf("reading from the server: %v %v; log:\n%s", err, bad, logs.tail())
		}
		var msg map[string]json.RawMessage
		if err := json.Unmarshal(body, &msg); err != nil {
			t.Fatal(err)
		}
		return msg
	}
	// publication is a message's diagnostics of the file, if it is one.
	type publication struct {
		version int
		text    string
	}
	published := func(msg map[string]json.RawMessage) (publication, bool) {
		if string(msg["method"]) != `"textDocument/publishDiagnostics"` {
			return publication{}, false
		}
		var p struct {
			URI         string `json:"uri"`
			Version     *int   `json:"version"`
			Diagnostics []struct {
				Message string `json:"message"`
			} `json:"diagnostics"`
		}
		if err := json.Unmarshal(msg["params"], &p); err != nil || p.URI != uri || p.Version == nil {
			return publication{}, false
		}
		var b strings.Builder
		for _, d := range p.Diagnostics {
			b.WriteString(d.Message + "\n")
		}
		return publication{*p.Version, b.String()}, true
	}

	send(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{
		"processId": nil, "rootUri": uriOf(dir).String(), "capabilities": map[string]any{},
	}})
	for msg := next(); string(msg["id"]) != "1"; msg = next() {
	}
	send(map[string]any{"jsonrpc": "2.0", "method": "initialized", "params": map[string]any{}})
	text := big.String()
	send(map[string]any{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": map[string]any{
		"textDocument": map[string]any{"uri": uri, "languageId": "go", "version": 1, "text": text},
	}})
	testText, err := os.ReadFile(filepath.Join(dir, testFile))
	if err != nil {
		t.Fatal(err)
	}
	send(map[string]any{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": map[string]any{
		"textDocument": map[string]any{"uri": testURI, "languageId": "go", "version": 1, "text": string(testText)},
	}})
	var size int
	for {
		msg := next()
		if p, ok := published(msg); ok && p.version == 1 {
			size = len(msg["params"])
			if !strings.Contains(p.text, "M119") {
				t.Fatalf("the first publication lacks the findings of M299:\n%s", p.text)
			}
			break
		}
	}

	t.Logf("each publication of the file: %d KB", size>>10)
	// The client stops reading.
	lines := strings.Count(text, "\n")
	col := len(text) - strings.LastIndex(text, "\n") - 1
	version := 1
	var peakRSS int
	for burst := 1; burst <= backlogBursts; burst++ {
		for range backlogEdits / backlogBursts {
			version++
			change := map[string]any{"range": map[string]any{
				"start": map[string]any{"line": lines, "character": col}, "end": map[string]any{"line": lines, "character": col},
			}, "text": "x"}
			col++
			if version == backlogEdits+1 {
				change["text"] = "\nfunc (s *Service) Zeta(ctx context.Context) error { return nil }\n"
			}
			send(map[string]any{"jsonrpc": "2.0", "method": "textDocument/didChange", "params": map[string]any{
				"textDocument":   map[string]any{"uri": uri, "version": version},
				"contentChanges": []any{change},
			}})
		}
		if burst == 1 {
			// The file's diagnostics fill the pipe; the writer waits.
			awaitPipeFull(t, outR)
		} else {
			// The test file's diagnostics replace those queued.
			logs.await(t, burst-1)
		}
		peakRSS = max(peakRSS, procStatus(t, cmd.Process.Pid, "VmRSS"))
	}
	hwm := procStatus(t, cmd.Process.Pid, "VmHWM")
	replaced := logs.count()
	t.Logf("%d edits unread: %d checks published twice (the file's %d KB diagnostics and its test file's), each replacing the last unsent ones; server RSS at most %.1f MB at the bursts' ends, peak (VmHWM) %.1f MB",
		backlogEdits, replaced, size>>10, float64(peakRSS)/(1<<20), float64(hwm)/(1<<20))

	// The client reads again: the last version's diagnostics arrive.
	var before []int
	for {
		p, ok := published(next())
		if !ok {
			continue
		}
		if p.version == backlogEdits+1 {
			if !strings.Contains(p.text, "method Zeta") {
				t.Fatalf("the diagnostics of the last version lack Zeta's:\n%s", p.text)
			}
			break
		}
		before = append(before, p.version)
	}
	t.Logf("read again: %d older publications (versions %v), then version %d", len(before), before, backlogEdits+1)
	if len(before) > 3 {
		t.Errorf("%d publications before the last version's: not coalesced", len(before))
	}
	if hwm >= backlogRSS {
		t.Errorf("the server's peak RSS was %.1f MB, over %d MB", float64(hwm)/(1<<20), backlogRSS>>20)
	}
	send(map[string]any{"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
	for msg := next(); string(msg["id"]) != "2"; msg = next() {
	}
	send(map[string]any{"jsonrpc": "2.0", "method": "exit"})
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("modls serve ended with %v; log:\n%s", err, logs.tail())
		}
		exited <- nil
	case <-time.After(waitLimit):
		t.Fatal("modls serve did not exit")
	}
}

// awaitPipeFull waits until a pipe holds as much as it can: its capacity
// but for part of a page, taken by what was written in smaller pieces.
func awaitPipeFull(t *testing.T, r *os.File) {
	t.Helper()
	capacity, _, errno := syscall.Syscall(syscall.SYS_FCNTL, r.Fd(), 1032 /* F_GETPIPE_SZ */, 0)
	if errno != 0 {
		t.Fatalf("F_GETPIPE_SZ: %v", errno)
	}
	deadline := time.Now().Add(waitLimit)
	for {
		var n int32
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, r.Fd(), syscall.TIOCINQ, uintptr(unsafe.Pointer(&n))); errno != 0 {
			t.Fatalf("FIONREAD: %v", errno)
		}
		if uintptr(n) > capacity-uintptr(os.Getpagesize()) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pipe holds %d bytes of %d", n, capacity)
		}
		time.Sleep(10 * time.Millisecond) // polling the pipe's fill, within waitLimit
	}
}

// newFrameReaderOn reads frames from a buffered reader the caller keeps.
func newFrameReaderOn(r *bufio.Reader) *frameReader {
	return &frameReader{src: &pushback{r: r}, in: r}
}

// procStatus reads a size in bytes from /proc/<pid>/status.
func procStatus(t *testing.T, pid int, field string) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// serverLog follows a server's log and counts the lines holding a string.
type serverLog struct {
	mu      sync.Mutex
	n       int
	last    []string
	changed chan struct{}
}

func (l *serverLog) read(r io.Reader, marker string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	defer func() {
		l.mu.Lock()
		l.last = append(l.last, fmt.Sprintf("(log ended: %v)", sc.Err()))
		l.mu.Unlock()
	}()
	for sc.Scan() {
		l.mu.Lock()
		if strings.Contains(sc.Text(), marker) {
			l.n++
		}
		l.last = append(l.last, sc.Text())
		if len(l.last) > 20 {
			l.last = l.last[1:]
		}
		close(l.changed)
		l.changed = make(chan struct{})
		l.mu.Unlock()
	}
}

func (l *serverLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

func (l *serverLog) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.last, "\n")
}

// await waits until n lines held the marker.
func (l *serverLog) await(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		l.mu.Lock()
		ok, ch := l.n >= n, l.changed
		l.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("the server's log did not report %d replaced publications; its end:\n%s", n, l.tail())
		}
	}
}
