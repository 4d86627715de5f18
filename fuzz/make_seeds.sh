#!/usr/bin/env bash
# Writes the seed corpus of every fuzz target into OUT_DIR/<target>/ (nothing big is committed):
#   fuzz_walker      hand-made scenarios: 4K/2M/1G pages, reserved bits, NX, U/S, WP, non-canonical
#   fuzz_elf_loader  the first 16 KiB of static ELF programs (vmlab's guests, busybox) and two tiny
#                    programs linked here (ET_EXEC and static-pie), whole and truncated
#   fuzz_syscalls    short programs: files, mmap, fork/wait, pipes, sockets, epoll, signals, execve, brk, overlay
# The byte formats are those of fuzz/walker/scenario.cpp and fuzz/syscalls/syscall_script.cpp.
#
# usage: fuzz/make_seeds.sh OUT_DIR [GUESTS_DIR]   (GUESTS_DIR: e.g. build/guests, if built)
set -euo pipefail
out=${1:?usage: make_seeds.sh OUT_DIR [GUESTS_DIR]}
guests=${2:-}
mkdir -p "$out"/fuzz_walker "$out"/fuzz_elf_loader "$out"/fuzz_syscalls

# ---- byte helpers (little endian) ----
byte() { printf "\\x$(printf %02x $(($1 & 255)))"; }
le16() { byte "$1"; byte $(($1 >> 8)); }
le32() { le16 "$1"; le16 $(($1 >> 16)); }
le64() { le32 "$1"; le32 $(($1 >> 32)); }

# ---- fuzz_walker: header, then per access: address, kind, four walk entries, stray entries ----
# entry FLAGS TARGET: FLAGS bits 8:0 are the entry's P RW US PWT PCD A D PS G with P, RW and US
# inverted (0 = present, writable, user); bit 9 XD; bit 11 adds one stray address bit (next
# byte: bit 12 + n). TARGET < 0xc0: RAM frame; 0xc0+n: n * 2 MiB; 0xe0+n: n * 1 GiB.
entry() {
  le16 "$1"
  if (($1 & 0x800)); then byte "$3"; fi
  byte "$2"
}
# header BASE_CHOICE FRAMES_BYTE CONTROL MAXPHYADDR_BYTE CR3_TARGET OPERATIONS
header() { byte "$1"; byte "$2"; byte "$3"; byte "$4"; byte "$5"; byte $(($6 - 1)); }
# access HOW ADDRESS KIND: HOW bit 0 = raw (maybe non-canonical); KIND = kind + 3 * supervisor
access() { byte "$1"; le64 "$2"; byte "$3"; }
walk_path() { entry 0 "$1"; entry 0 "$2"; entry 0 "$3"; entry 0 "$4"; byte 0; }
w=$out/fuzz_walker
head -c 64 /dev/zero >"$w/zeros"
{ header 0 8 0 12 1 1; access 0 0x7f0000401234 1; walk_path 2 3 4 5; } >"$w/user-write-4k"
{ header 0 8 0 12 1 1; access 0 0x40201234 0; entry 0 2; entry 0 3; entry 0x80 0xc1; entry 0 4; byte 0; } >"$w/page-2m"
{ header 0 8 0 12 1 1; access 0 0x40201234 0; entry 0 2; entry 0x80 0xe1; entry 0 3; entry 0 4; byte 0; } >"$w/page-1g"
{ header 0 8 4 12 1 1; access 0 0x40201234 0; entry 0 2; entry 0x80 0xe1; entry 0 3; entry 0 4; byte 0; } >"$w/page-1g-unsupported"
{ header 1 16 0 12 1 2; access 0 0x401000 5; entry 0 2; entry 0 3; entry 0 4; entry 0x200 5; byte 0; access 0 0x401000 2; walk_path 2 3 4 5; } >"$w/nx-fetch-ram-at-512g"
{ header 0 8 0 12 1 1; access 1 0x0000800000000000 0; walk_path 2 3 4 5; } >"$w/non-canonical"
{ header 0 8 1 12 1 1; access 0 0x401000 4; entry 0 2; entry 0 3; entry 0 4; entry 2 5; byte 0; } >"$w/wp-off-supervisor-write-read-only"
{ header 0 8 0 12 1 1; access 0 0x401000 0; entry 4 2; entry 0 3; entry 0 4; entry 0 5; byte 0; } >"$w/user-read-supervisor-pml4e"
{ header 0 8 0 12 1 1; access 0 0x40201234 0; entry 0 2; entry 0 3; entry 0x880 0xc1 1; entry 0 4; byte 0; } >"$w/reserved-bit-2m"
{ header 0 8 0 12 1 1; access 0 0x401000 0; entry 0 2; entry 0 3; entry 0 4; entry 0x800 5 30; byte 0; } >"$w/address-bit-above-maxphyaddr"
{
  header 0 12 0x10 12 1 6
  for a in 0x401000 0x402000 0x401008 0x601000 0x401000 0x7fffff000; do
    access 0 "$a" 1; walk_path 2 3 4 5
  done
} >"$w/small-tlbs-six-accesses"

# ---- fuzz_elf_loader ----
e=$out/fuzz_elf_loader
seed_elf() {
  [ -f "$1" ] || return 0
  head -c 16384 "$1" >"$e/$2"
}
if [ -n "$guests" ] && [ -d "$guests" ]; then
  for g in "$guests"/*; do
    [ -f "$g" ] && [ -x "$g" ] && head -c 4 "$g" | grep -q ELF && seed_elf "$g" "guest-$(basename "$g")"
  done
fi
seed_elf /bin/busybox busybox-head
if command -v cc >/dev/null; then
  tiny=$(mktemp -d)
  trap 'rm -rf "$tiny"' EXIT
  echo 'void _start(void) { for (;;) {} }' >"$tiny/tiny.c"
  common=(-nostdlib -Os -s -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-z,norelro)
  if cc "${common[@]}" -static -fno-pie -no-pie "$tiny/tiny.c" -o "$tiny/exec" 2>/dev/null; then
    cp "$tiny/exec" "$e/tiny-exec"
    head -c 200 "$tiny/exec" >"$e/tiny-exec-headers-only"
  fi
  if cc "${common[@]}" -static-pie -fpie "$tiny/tiny.c" -o "$tiny/pie" 2>/dev/null; then
    cp "$tiny/pie" "$e/tiny-static-pie"
  fi
fi
head -c 64 /dev/zero >"$e/zeros"

# ---- fuzz_syscalls: two configuration bytes, then steps ----
# Arguments: s:N small, w:N 32-bit, q:N 64-bit, x:OFF scratch, o:N ready-made object, k:OFF
# below the stack pointer, W:N wild address, r:N Nth latest result, ro:N:OFF result + offset,
# c:OFF code, z zero, m all ones. Object numbers are the order of guest_program.cpp:
#   4 /etc/passwd  7 /tmp  8 /tmp/file  9 /tmp/dir/  10 /tmp/dir/nested  11 /dev/null
#   12 /dev/zero  15 /init  17 /escape/etc/passwd  20 /loop  29 /tmp/link  32 argv  33 envp
#   34 timespec  35 iovec[2]  37 sigaction  38 int[2]  49 flock (write, whole file)
#   50 flock (read, last 16 bytes)  51 /tmp/fifo  52 /proc/stat  53 /proc/cpuinfo
#   54 /proc/self/mountinfo  55 /sys/devices/system/cpu/online
#   56 sockaddr_un /tmp/sock  57 sockaddr_un @vmlab  58 sockaddr_in 127.0.0.1:7000
#   59 sockaddr_in6 [::1]:7000  60 epoll_event  61 msghdr (58, 35)  62 socklen_t
arg() {
  case $1 in
    s:*) byte 0; byte "${1#s:}" ;;
    w:*) byte 1; le32 "${1#w:}" ;;
    q:*) byte 2; le64 "${1#q:}" ;;
    x:*) byte 3; le16 "${1#x:}" ;;
    o:*) byte 4; byte "${1#o:}" ;;
    k:*) byte 5; le16 "${1#k:}" ;;
    W:*) byte 6; byte "${1#W:}" ;;
    r:*) byte 7; byte "${1#r:}" ;;
    ro:*) local v=${1#ro:}; byte 8; byte "${v%%:*}"; le16 "${v#*:}" ;;
    c:*) byte 9; le16 "${1#c:}" ;;
    z) byte 10 ;;
    m) byte 11 ;;
    *) echo "make_seeds.sh: bad argument '$1'" >&2; exit 1 ;;
  esac
}
sc() {  # sc NUMBER [ARG...]: a system call, missing arguments are zero
  byte 0; le16 "$1"; shift
  local i
  for i in 1 2 3 4 5 6; do
    arg "${1:-z}"
    if [ $# -gt 0 ]; then shift; fi
  done
}
store() { byte 4; arg "$1"; byte "$2"; head -c "$2" /dev/zero | tr '\0' 'v'; }
touch_at() { byte 5; arg "$1"; byte "$2"; }  # HOW: access kind + 3 * (bytes - 1)
set_rsp() { byte 6; byte 0; arg "$1"; }
yield() { byte 7; }
config() { byte "$1"; byte "$2"; }
s=$out/fuzz_syscalls
AT_FDCWD=156  # -100 as a byte
{ config 0 0; sc 257 s:$AT_FDCWD o:4 s:0; sc 0 r:0 x:0 w:256; sc 1 s:1 x:0 r:0; sc 3 r:2; } >"$s/open-read-write"
{ config 0 0; sc 9 z w:65536 s:3 s:34 m z; store r:0 16; touch_at ro:0:8192 1; sc 10 r:0 w:4096 s:1; sc 11 r:1 w:65536; } >"$s/mmap-store-protect-unmap"
{ config 0 0; sc 57; sc 39; yield; sc 61 m x:0 s:0 z; sc 60 s:3; } >"$s/fork-wait-exit"
{ config 0 0; sc 22 x:0; sc 1 s:4 x:64 s:5; sc 0 s:3 x:128 s:5; sc 3 s:3; sc 3 s:4; } >"$s/pipe-write-read"
{ config 0 0; sc 13 s:11 o:37 z s:8; touch_at W:0 1; sc 15; } >"$s/sigsegv-handler"
{ config 0 0; sc 59 o:15 o:32 o:33; sc 39; } >"$s/execve-init"
{ config 0 0; sc 12 z; sc 12 ro:0:16384; store ro:1:8 32; sc 12 r:1; } >"$s/brk-grow-store"
{ config 0 0; sc 83 o:9 w:493; sc 257 s:$AT_FDCWD o:10 w:0x241 w:420; sc 1 r:0 x:0 s:64; sc 82 o:10 o:8; sc 88 o:8 o:29; sc 257 s:$AT_FDCWD o:0 w:0x10000; sc 217 r:0 x:0 w:1024; sc 87 o:8; } >"$s/overlay-files"
{ config 0 0; sc 257 s:$AT_FDCWD o:17 s:0; sc 257 s:$AT_FDCWD o:20 s:0; sc 4 o:4 x:0; sc 89 o:20 x:0 w:64; } >"$s/sandbox-escapes"
{
  config 0 20
  sc 257 s:$AT_FDCWD o:12 s:0
  sc 9 z w:1048576 s:3 s:34 m z
  for i in 0 1 2 3 4 5 6 7; do touch_at ro:0:$((i * 4096)) 1; done
  sc 0 r:1 r:0 w:1048576
} >"$s/resident-limit"
{
  config 0x40 0
  sc 257 s:$AT_FDCWD o:12 s:0
  sc 9 z w:8388608 s:3 s:34 m z
  sc 0 r:1 r:0 w:6291456
  sc 57
  touch_at ro:1:4096 1
} >"$s/swap-under-pressure"
{ config 0x10 0; sc 9 z w:4194304 s:3 s:34 m z; touch_at ro:0:2097152 1; sc 57; touch_at ro:1:2097160 1; } >"$s/thp-fork-cow"
{ config 0 0; sc 13 s:10 o:37 z s:8; set_rsp W:0; sc 62 z s:10; sc 39; } >"$s/signal-on-wild-stack"
# mknodat(S_IFIFO), a non-blocking reader, a writer, data through the FIFO.
{ config 0 0; sc 259 s:$AT_FDCWD o:51 w:4480 z; sc 257 s:$AT_FDCWD o:51 w:2048; sc 257 s:$AT_FDCWD o:51 s:1; sc 1 r:0 x:0 s:5; sc 0 r:2 x:64 s:5; } >"$s/fifo-mknod-open-write-read"
# A write lock, fork, the child asks and waits for it (F_GETLK, F_SETLKW), the parent unlocks.
{ config 0 0; sc 257 s:$AT_FDCWD o:8 w:0x42 w:420; sc 72 r:0 s:6 o:49; sc 57; sc 72 r:2 s:5 o:49; sc 72 r:3 s:7 o:50; yield; sc 3 r:4; } >"$s/fcntl-locks-fork"
{ config 0 0; for o in 52 53 54 55; do sc 257 s:$AT_FDCWD o:$o s:0; sc 0 r:0 x:0 w:4096; done; } >"$s/machine-files"
# Sockets: a socketpair, a loopback TCP connection, Unix datagrams to a path, an epoll set.
{ config 0 0; sc 53 s:1 s:1 z x:0; sc 1 s:3 x:64 s:5; sc 0 s:4 x:128 s:5; sc 3 s:3; sc 0 s:4 x:128 s:5; } >"$s/socketpair"
{
  config 0 0
  sc 41 s:2 s:1 z; sc 54 s:3 s:1 s:2 o:62 s:4; sc 49 s:3 o:58 s:16; sc 50 s:3 s:4
  sc 41 s:2 s:1 z; sc 42 s:4 o:58 s:16; sc 43 s:3 x:256 k:16
  sc 44 s:4 x:0 s:8 z z z; sc 45 s:5 x:64 s:8 z z z; sc 46 s:4 o:61 z; sc 47 s:5 x:512 z
  sc 48 s:4 s:1; sc 3 s:5; sc 0 s:4 x:64 s:8; sc 1 s:4 x:0 s:8
} >"$s/tcp-loopback"
{ config 0 0; sc 41 s:1 s:2 z; sc 49 s:3 o:56 s:110; sc 41 s:1 s:2 z; sc 44 s:4 x:0 s:4 z o:56 s:110; sc 45 s:3 x:64 s:64 z z z; sc 42 s:4 o:57 s:8; } >"$s/unix-datagrams"
{ config 0 0; sc 291 z; sc 22 x:0; sc 233 s:3 s:1 s:4 o:60; sc 1 s:5 x:0 s:4; sc 232 s:3 x:64 s:4 z; sc 233 s:3 s:2 s:4 z; sc 281 s:3 x:64 s:4 s:10 z s:8; } >"$s/epoll"
echo "seeds written to $out"
