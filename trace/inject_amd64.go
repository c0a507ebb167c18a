package trace

import (
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// injectFilter makes thread pid, stopped right after its execve and
// before it ran an instruction of the new program, install the filter
// itself: it writes the program below the stack pointer, puts a syscall
// instruction at the entry point and runs prctl(PR_SET_NO_NEW_PRIVS) and
// seccomp(SECCOMP_SET_MODE_FILTER) there one step at a time, then puts
// back the instruction bytes and the registers. This spares a launcher's
// exec (and its Go start) per command. On an error the process may be in
// any state: kill it.
func injectFilter(pid int) error {
	filter, err := sockFilter()
	if err != nil {
		return err
	}
	var saved unix.PtraceRegs
	if err := unix.PtraceGetRegs(pid, &saved); err != nil {
		return fmt.Errorf("read registers: %w", err)
	}
	// struct sock_fprog {u16 len; (pad); struct sock_filter *filter}
	// then the filter, 8 bytes an instruction, well below the stack
	// pointer (the stack area of a new program holds nothing there).
	size := 16 + 8*len(filter)
	at := (saved.Rsp - 4096 - uint64(size)) &^ 15
	buf := make([]byte, size)
	binary.LittleEndian.PutUint16(buf[0:], uint16(len(filter)))
	binary.LittleEndian.PutUint64(buf[8:], at+16)
	for i, f := range filter {
		o := 16 + 8*i
		binary.LittleEndian.PutUint16(buf[o:], f.Code)
		buf[o+2], buf[o+3] = f.Jt, f.Jf
		binary.LittleEndian.PutUint32(buf[o+4:], f.K)
	}
	if _, err := unix.PtracePokeData(pid, uintptr(at), buf); err != nil {
		return fmt.Errorf("write the filter: %w", err)
	}
	var orig [8]byte
	if _, err := unix.PtracePeekText(pid, uintptr(saved.Rip), orig[:]); err != nil {
		return fmt.Errorf("read the entry point: %w", err)
	}
	patched := orig
	patched[0], patched[1] = 0x0f, 0x05 // syscall
	if _, err := unix.PtracePokeText(pid, uintptr(saved.Rip), patched[:]); err != nil {
		return fmt.Errorf("patch the entry point: %w", err)
	}
	call := func(nr, a0, a1, a2 uint64) error {
		regs := saved
		regs.Rax, regs.Orig_rax = nr, ^uint64(0)
		regs.Rdi, regs.Rsi, regs.Rdx, regs.R10, regs.R8, regs.R9 = a0, a1, a2, 0, 0, 0
		if err := unix.PtraceSetRegs(pid, &regs); err != nil {
			return err
		}
		if err := unix.PtraceSingleStep(pid); err != nil {
			return err
		}
		var ws syscall.WaitStatus
		if _, err := syscall.Wait4(pid, &ws, unix.WALL, nil); err != nil {
			return err
		}
		if !ws.Stopped() || ws.StopSignal() != syscall.SIGTRAP {
			return fmt.Errorf("stopped by %v, not the step", ws)
		}
		if err := unix.PtraceGetRegs(pid, &regs); err != nil {
			return err
		}
		if regs.Rip != saved.Rip+2 {
			return errors.New("the step did not run the system call")
		}
		if r := int64(regs.Rax); r < 0 {
			return syscall.Errno(-r)
		}
		return nil
	}
	if err := call(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0); err != nil {
		return fmt.Errorf("set no_new_privs: %w", err)
	}
	if err := call(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, at); err != nil {
		return fmt.Errorf("load seccomp filter: %w", err)
	}
	if _, err := unix.PtracePokeText(pid, uintptr(saved.Rip), orig[:]); err != nil {
		return fmt.Errorf("restore the entry point: %w", err)
	}
	if err := unix.PtraceSetRegs(pid, &saved); err != nil {
		return fmt.Errorf("restore registers: %w", err)
	}
	return nil
}

// CanStartDirect reports whether StartDirect works here.
func CanStartDirect() bool { return true }
