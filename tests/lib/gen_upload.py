#!/usr/bin/env python3
# gen_upload.py — a big upload that is still a real lecture: copies an MP4
# and pads it to the size asked with a top-level 'free' box, which MP4
# readers skip, so the file probes and processes like the original while
# its bytes cross the network.  The padding is a hole (sparse) on disk.
#   gen_upload.py IN.mp4 OUT.mp4 MEGABYTES
import shutil, sys

src, dst, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
shutil.copyfile(src, dst)
with open(dst, "ab") as f:
    pad = mb * 1024 * 1024 - f.tell() - 8
    if pad > 0:
        f.write((8 + pad).to_bytes(4, "big") + b"free")
        f.truncate(f.tell() + pad)
