"""Runs a command in a pseudo-terminal and types into it, for testing interactive prompts.

Usage: python3 pty-driver.py '<json steps>' command args...
Steps: {"wait": "text"} waits until the output contains text; {"send": "keys"} types keys and
waits for the program to redraw (any new output). Prints one JSON object: output and exit code.
Every wait is bounded (10 s), so a stuck prompt fails the test instead of hanging it.
"""
import fcntl
import json
import os
import pty
import select
import struct
import sys
import termios
import time

steps = json.loads(sys.argv[1])
command = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

# A real terminal size: prompt libraries draw nothing sensible in a 0x0 terminal.
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 160, 0, 0))
output = b''
closed = False


def pump(until, limit=10.0):
    """Reads output until until() is true, the terminal closes, or the limit passes."""
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


failed = None
for step in steps:
    if 'wait' in step:
        text = step['wait'].encode()
        pump(lambda: text in output)
        if text not in output:
            failed = 'timed out waiting for %r' % step['wait']
            break
    else:
        before = len(output)
        os.write(fd, step['send'].encode())
        pump(lambda: len(output) > before)

pump(lambda: False, limit=0.0 if failed else 10.0)
if not closed:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
print(json.dumps({'output': output.decode('utf-8', 'replace'), 'code': os.waitstatus_to_exitcode(status), 'failed': failed}))
