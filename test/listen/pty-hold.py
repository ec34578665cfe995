"""Runs `hookctl listen` in a pseudo-terminal that stops reading, like a paused or slow terminal.

Usage: python3 pty-hold.py command args...
Prints {"url": ...} once the listener is up, then does not read the terminal until a line arrives
on stdin; then reads everything, types Ctrl-C, reads until the program exits, and prints
{"output": ..., "code": ...}. Every wait is bounded, so a stuck listener fails the test.
"""
import fcntl
import json
import os
import pty
import re
import select
import struct
import sys
import termios
import time

pid, fd = pty.fork()
if pid == 0:
    # A typed Ctrl-C makes the terminal throw away what was written and not yet read (ISIG without
    # NOFLSH: up to the pty's buffer, ~13 KB, about 120 lines here), lines the listener wrote and so
    # cannot count: on a loaded machine the Ctrl-C came while the backlog was still being read and
    # lines went missing. NOFLSH keeps them; no ECHO keeps the typed ^C from landing inside a line.
    attrs = termios.tcgetattr(0)
    attrs[3] = (attrs[3] | termios.NOFLSH) & ~termios.ECHO
    termios.tcsetattr(0, termios.TCSANOW, attrs)
    os.execvp(sys.argv[1], sys.argv[1:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 160, 0, 0))
output = b''
closed = False


def pump(until, limit):
    global output, closed
    deadline = time.time() + limit
    while not until() and not closed and time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b''
            if not chunk:
                closed = True
            output += chunk


url = re.compile(rb'listening on (http://\S+)')
pump(lambda: url.search(output) and b'Ctrl-C to stop' in output, 15)
found = url.search(output)
print(json.dumps({'url': found.group(1).decode() if found else None}), flush=True)
sys.stdin.readline()
# Resumed: read what was held back, then stop the listener as a person would.
pump(lambda: False, 1.0)
os.write(fd, b'\x03')
pump(lambda: False, 15)
if not closed:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
print(json.dumps({'output': output.decode('utf-8', 'replace'), 'code': os.waitstatus_to_exitcode(status)}), flush=True)
