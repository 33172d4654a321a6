#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# QEMU's guestfwd runs this for each connection the guest opens to a
# forwarded port (tests/vm/run-vm.sh --guestfwd): the guest's bytes are on
# stdin/stdout; relay them to and from 127.0.0.1:PORT of the host, with
# each direction's end passed on, and exit when both are done.
import os
import select
import socket
import sys

port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port))
guest_in, guest_out = 0, 1
open_in, open_out = True, True
while open_in or open_out:
    watch = ([guest_in] if open_in else []) + ([s] if open_out else [])
    ready, _, _ = select.select(watch, [], [])
    if guest_in in ready:
        data = os.read(guest_in, 65536)
        if data:
            s.sendall(data)
        else:
            open_in = False
            s.shutdown(socket.SHUT_WR)
    if s in ready:
        data = s.recv(65536)
        if data:
            os.write(guest_out, data)
        else:
            open_out = False
            os.close(guest_out)
            if open_in:
                break
